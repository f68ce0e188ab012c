//! The on-test screen: every source or device on test, who authorised it, why, and a live
//! countdown to its expiry (highlighted in its last ten minutes); putting one on test and
//! ending one early.

use alert_hub::protocol::{Command, OnTestView};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use time::Duration;

use super::{ALERT, stale_line, title_line};
use crate::action::{Effect, Intent, Screen};
use crate::outgoing::command;
use crate::state::{EditPurpose, Editor, Level, Overlay, State};
use crate::strings::S;
use crate::text;

/// From this much time left, an on-test entry is highlighted.
pub const ENDING_SOON: Duration = Duration::minutes(10);

/// The cells of the selection marker column.
const MARKER: usize = 1;

/// The longest test the hub accepts, in minutes.
pub const MAX_TEST_MINUTES: u32 = 480;

/// What a test is on: a whole source, or one device of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestTarget {
    pub source: String,
    pub device: Option<String>,
}

impl TestTarget {
    fn of(entry: &OnTestView) -> TestTarget {
        TestTarget {
            source: entry.source.clone(),
            device: entry.device.clone(),
        }
    }

    fn is(&self, entry: &OnTestView) -> bool {
        self.source == entry.source && self.device == entry.device
    }
}

/// The on-test screen's state: the selected entry and a test waiting to be ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnTestState {
    /// The index of the selected entry in `State::on_test` (0 when the list is empty).
    pub selected: usize,
    /// The test whose early end awaits the operator's `y`.
    pub ending: Option<TestTarget>,
}

/// Why a typed `SOURCE [DEVICE] MINUTES REASON…` line cannot be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOnTestError {
    NoSource,
    NoMinutes,
    MinutesOutOfRange,
    NoReason,
}

impl PutOnTestError {
    /// The message-bar text saying what is wrong.
    pub fn text(self) -> S {
        match self {
            PutOnTestError::NoSource => S::OnTestNoSource,
            PutOnTestError::NoMinutes => S::OnTestNoMinutes,
            PutOnTestError::MinutesOutOfRange => S::OnTestMinutesRange,
            PutOnTestError::NoReason => S::OnTestNoReason,
        }
    }
}

/// Reads `SOURCE [DEVICE] MINUTES REASON…`: the first word is the source, then either the
/// minutes or a device and the minutes (a word that looks like a number is taken as the
/// minutes), then the reason, which is the rest of the line and must not be empty.
pub fn parse_put_on_test(line: &str) -> Result<Command, PutOnTestError> {
    let (source, rest) = next_word(line);
    if source.is_empty() {
        return Err(PutOnTestError::NoSource);
    }
    let (word, mut rest) = next_word(rest);
    let (device, minutes) = if looks_numeric(word) {
        (None, word)
    } else {
        let (minutes, after) = next_word(rest);
        rest = after;
        (Some(word), minutes)
    };
    if !looks_numeric(minutes) {
        return Err(PutOnTestError::NoMinutes);
    }
    let minutes = minutes
        .parse::<u32>()
        .ok()
        .filter(|m| (1..=MAX_TEST_MINUTES).contains(m))
        .ok_or(PutOnTestError::MinutesOutOfRange)?;
    let reason = rest.trim();
    if reason.is_empty() {
        return Err(PutOnTestError::NoReason);
    }
    Ok(Command::PutOnTest {
        source: source.to_string(),
        device: device.map(str::to_string),
        minutes,
        reason: reason.to_string(),
    })
}

/// The first word of `text` and what follows it (leading blanks skipped on both).
fn next_word(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    match text.split_once(char::is_whitespace) {
        Some((word, rest)) => (word, rest.trim_start()),
        None => (text, ""),
    }
}

fn looks_numeric(word: &str) -> bool {
    let digits = word.strip_prefix(['-', '+']).unwrap_or(word);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

/// Handles the on-test screen's own intents: moving the selection, putting on test, ending.
pub fn handle(state: &mut State, intent: Intent, fx: &mut Vec<Effect>) {
    let last = state.on_test.len().saturating_sub(1);
    let s = &mut state.on_test_screen.selected;
    match intent {
        Intent::Up => *s = s.saturating_sub(1),
        Intent::Down => *s = (*s + 1).min(last),
        Intent::PageUp => *s = s.saturating_sub(10),
        Intent::PageDown => *s = (*s + 10).min(last),
        Intent::First => *s = 0,
        Intent::Last => *s = last,
        Intent::PutOnTest => {
            state.editor = Some(Editor {
                purpose: EditPurpose::PutOnTest,
                text: String::new(),
            })
        }
        Intent::EndTest => match state.on_test.get(state.on_test_screen.selected) {
            Some(entry) => {
                state.on_test_screen.ending = Some(TestTarget::of(entry));
                state.overlay = Some(Overlay::ConfirmEndTest);
            }
            None => state.say(Level::Info, S::NoTestSelected.get(state.lang)),
        },
        Intent::ConfirmEndTest => {
            state.overlay = None;
            if let Some(TestTarget { source, device }) = state.on_test_screen.ending.take() {
                let request = state.next_request_id();
                fx.extend(state.send(command(request, Command::EndTest { source, device })));
            }
        }
        Intent::CancelEndTest => {
            state.overlay = None;
            state.on_test_screen.ending = None;
        }
        _ => {}
    }
}

/// Sends the typed `SOURCE [DEVICE] MINUTES REASON…`, or says what is wrong with it.
pub fn submit(state: &mut State, line: &str, fx: &mut Vec<Effect>) {
    match parse_put_on_test(line) {
        Ok(cmd) => {
            let request = state.next_request_id();
            fx.extend(state.send(command(request, cmd)));
        }
        Err(problem) => state.say(Level::Warning, problem.text().get(state.lang)),
    }
}

/// The hub's list replaced ours: the selection stays on the same test while it is listed.
pub fn replaced(state: &mut State, on_test: Vec<OnTestView>) {
    let kept = state
        .on_test
        .get(state.on_test_screen.selected)
        .map(TestTarget::of);
    state.on_test = on_test;
    let last = state.on_test.len().saturating_sub(1);
    let selected = &mut state.on_test_screen.selected;
    *selected = kept
        .and_then(|k| state.on_test.iter().position(|e| k.is(e)))
        .unwrap_or((*selected).min(last));
}

/// The confirmation question for ending `target` early.
pub fn confirm_text(target: &TestTarget, lang: crate::strings::Lang) -> String {
    let what = match &target.device {
        Some(device) => format!("{} / {device}", target.source),
        None => target.source.clone(),
    };
    let mark = lang.pick("？", "?");
    format!(
        "{} {what}{mark} {}",
        S::ConfirmEndTest.get(lang),
        S::ConfirmEndTestKeys.get(lang)
    )
}

/// How an entry with `left` until expiry is drawn: expired, ending soon, or normal.
pub fn countdown_style(left: Duration) -> Style {
    if left <= Duration::ZERO {
        Style::new()
            .fg(Color::DarkGray)
            .add_modifier(Modifier::CROSSED_OUT)
    } else if left <= ENDING_SOON {
        ALERT
    } else {
        Style::new()
    }
}

/// Draws the on-test screen.
pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let lang = state.lang;
    let stale = stale_line(state);
    let [title, warn, header, rows] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(stale.is_some())),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    let count = format!("{}", state.on_test.len());
    frame.render_widget(
        title_line(state, Screen::OnTest, vec![Span::raw(count)]),
        title,
    );
    if let Some(stale) = stale {
        frame.render_widget(stale, warn);
    }
    let width = usize::from(area.width);
    let wide = width >= 120;
    let (source_w, device_w, by_w) = if wide { (18, 18, 14) } else { (13, 12, 10) };
    let since_w = if wide { 8 } else { 0 };
    let fixed = MARKER + source_w + device_w + by_w + since_w + 8 + 8 + 7;
    let reason_w = width.saturating_sub(fixed).max(4);
    let mut head = vec![
        " ".repeat(MARKER),
        text::pad(S::Source.get(lang), source_w),
        text::pad(S::Device.get(lang), device_w),
        text::pad(S::AuthorisedBy.get(lang), by_w),
        text::pad(S::Reason.get(lang), reason_w),
    ];
    if wide {
        head.push(text::pad(S::Since.get(lang), since_w));
    }
    head.push(text::pad(S::Until.get(lang), 8));
    head.push(text::pad(S::Remaining.get(lang), 8));
    frame.render_widget(
        Line::styled(
            head.join(" "),
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        ),
        header,
    );
    if state.on_test.is_empty() {
        frame.render_widget(
            Line::from(format!("  {}", S::NothingOnTest.get(lang))),
            rows,
        );
        return;
    }
    let height = usize::from(rows.height).max(1);
    let selected = state.on_test_screen.selected;
    let offset = selected / height * height;
    let entries = state.on_test.iter().enumerate().skip(offset);
    for (n, (i, entry)) in entries.take(height).enumerate() {
        let widths = [source_w, device_w, by_w, reason_w, since_w];
        let line = row(state, entry, widths, i == selected);
        frame.render_widget(line, Rect::new(rows.x, rows.y + n as u16, rows.width, 1));
    }
}

fn row(state: &State, entry: &OnTestView, widths: [usize; 5], selected: bool) -> Line<'static> {
    let lang = state.lang;
    let [source_w, device_w, by_w, reason_w, since_w] = widths;
    let left = entry.until - state.now;
    let remaining = if left <= Duration::ZERO {
        S::Expired.get(lang).to_string()
    } else {
        text::countdown(left)
    };
    let device = entry.device.as_deref().unwrap_or(S::WholeSource.get(lang));
    let mut cells = vec![
        if selected { "▶" } else { " " }.to_string(),
        text::pad(&entry.source, source_w),
        text::pad(device, device_w),
        text::pad(&entry.authorised_by, by_w),
        text::pad(&entry.reason, reason_w),
    ];
    if since_w > 0 {
        cells.push(text::pad(&text::clock(entry.since, state.offset), since_w));
    }
    cells.push(text::pad(&text::clock(entry.until, state.offset), 8));
    let base = if selected {
        Style::new().add_modifier(Modifier::REVERSED)
    } else {
        Style::new()
    };
    Line::from(vec![
        Span::styled(cells.join(" "), base),
        Span::raw(" "),
        Span::styled(text::pad(&remaining, 8), countdown_style(left)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_ten_minutes_are_highlighted() {
        assert_eq!(countdown_style(Duration::minutes(11)), Style::new());
        assert_eq!(countdown_style(Duration::minutes(10)), ALERT);
        assert_eq!(countdown_style(Duration::seconds(1)), ALERT);
        assert_ne!(countdown_style(Duration::ZERO), ALERT);
    }

    fn put(source: &str, device: Option<&str>, minutes: u32, reason: &str) -> Command {
        Command::PutOnTest {
            source: source.into(),
            device: device.map(Into::into),
            minutes,
            reason: reason.into(),
        }
    }

    #[test]
    fn a_source_then_minutes_then_the_reason() {
        assert_eq!(
            parse_put_on_test("  acs-north-gate 90  firmware  upgrade "),
            Ok(put("acs-north-gate", None, 90, "firmware  upgrade"))
        );
        assert_eq!(
            parse_put_on_test("fp-river-view 1 年检"),
            Ok(put("fp-river-view", None, 1, "年检"))
        );
    }

    #[test]
    fn a_device_may_come_between_the_source_and_the_minutes() {
        assert_eq!(
            parse_put_on_test("fp-river-view flow-switch-B1 480 sprinkler test 2"),
            Ok(put(
                "fp-river-view",
                Some("flow-switch-B1"),
                480,
                "sprinkler test 2"
            ))
        );
    }

    #[test]
    fn each_missing_or_bad_part_is_named() {
        use PutOnTestError::*;
        let cases = [
            ("", NoSource),
            ("   ", NoSource),
            ("acs-north-gate", NoMinutes),
            ("acs-north-gate door-3", NoMinutes),
            ("acs-north-gate door-3 soon firmware", NoMinutes),
            ("acs-north-gate 0 firmware", MinutesOutOfRange),
            ("acs-north-gate 481 firmware", MinutesOutOfRange),
            ("acs-north-gate -5 firmware", MinutesOutOfRange),
            (
                "acs-north-gate door-3 99999999999 firmware",
                MinutesOutOfRange,
            ),
            ("acs-north-gate 30", NoReason),
            ("acs-north-gate door-3 30   ", NoReason),
        ];
        for (line, problem) in cases {
            assert_eq!(parse_put_on_test(line), Err(problem), "{line:?}");
        }
    }

    #[test]
    fn every_problem_has_text_in_both_languages() {
        use crate::strings::Lang;
        use PutOnTestError::*;
        for problem in [NoSource, NoMinutes, MinutesOutOfRange, NoReason] {
            assert!(!problem.text().get(Lang::Zh).is_empty());
            assert!(!problem.text().get(Lang::En).is_empty());
        }
        assert!(MinutesOutOfRange.text().get(Lang::En).contains("1–480"));
    }

    #[test]
    fn the_confirmation_names_the_device() {
        let target = TestTarget {
            source: "fp-river-view".into(),
            device: Some("flow-switch-B1".into()),
        };
        let text = confirm_text(&target, crate::strings::Lang::En);
        assert!(text.contains("fp-river-view / flow-switch-B1?"), "{text}");
        assert!(text.ends_with("y end it / n cancel"));
    }
}
