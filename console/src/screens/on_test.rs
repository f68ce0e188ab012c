//! The on-test screen: every source or device on test, who authorised it, why, and a live
//! countdown to its expiry (highlighted in its last ten minutes).

use alert_hub::protocol::OnTestView;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use time::Duration;

use super::{ALERT, stale_line, title_line};
use crate::action::{Intent, Screen};
use crate::state::State;
use crate::strings::S;
use crate::text;

/// From this much time left, an on-test entry is highlighted.
pub const ENDING_SOON: Duration = Duration::minutes(10);

/// The on-test screen's state: how far the list is scrolled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OnTestState {
    pub scroll: usize,
}

/// Handles the on-test screen's own intents (scrolling).
pub fn handle(state: &mut State, intent: Intent) {
    let last = state.on_test.len().saturating_sub(1);
    let s = &mut state.on_test_screen.scroll;
    match intent {
        Intent::Up => *s = s.saturating_sub(1),
        Intent::Down => *s = (*s + 1).min(last),
        Intent::PageUp => *s = s.saturating_sub(10),
        Intent::PageDown => *s = (*s + 10).min(last),
        Intent::First => *s = 0,
        Intent::Last => *s = last,
        _ => {}
    }
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
    let fixed = source_w + device_w + by_w + since_w + 8 + 8 + 6;
    let reason_w = width.saturating_sub(fixed).max(4);
    let mut head = vec![
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
    let entries = state.on_test.iter().skip(state.on_test_screen.scroll);
    for (n, entry) in entries.take(usize::from(rows.height)).enumerate() {
        let line = row(state, entry, [source_w, device_w, by_w, reason_w, since_w]);
        frame.render_widget(line, Rect::new(rows.x, rows.y + n as u16, rows.width, 1));
    }
}

fn row(state: &State, entry: &OnTestView, widths: [usize; 5]) -> Line<'static> {
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
        text::pad(&entry.source, source_w),
        text::pad(device, device_w),
        text::pad(&entry.authorised_by, by_w),
        text::pad(&entry.reason, reason_w),
    ];
    if since_w > 0 {
        cells.push(text::pad(&text::clock(entry.since, state.offset), since_w));
    }
    cells.push(text::pad(&text::clock(entry.until, state.offset), 8));
    Line::from(vec![
        Span::raw(cells.join(" ")),
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
}
