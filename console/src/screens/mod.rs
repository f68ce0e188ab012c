//! Drawing: the layout every screen shares (store-failure and drill banners, alarm strip, body,
//! message bar, status line and overlays), the styles and spans the screens have in common,
//! and one module per screen. Drawing takes the state by reference and changes nothing; the
//! app draws once after each batch of actions (keys, ticks, hub messages).

pub mod alarm_strip;
pub mod board;
pub mod closing;
pub mod drills;
pub mod handover;
pub mod history;
pub mod incident;
pub mod on_test;
pub mod report;
pub mod reports;
pub mod status;

use alert_hub::protocol::{IncidentView, Priority};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use time::OffsetDateTime;

use crate::action::Screen;
use crate::state::{EditPurpose, Level, Overlay, State};
use crate::strings::{Lang, S, intent_help, output_text, screen_name};
use crate::text;

/// The style of the drill band: a colour used for nothing else.
pub const DRILL: Style = Style::new()
    .fg(Color::Black)
    .bg(Color::Magenta)
    .add_modifier(Modifier::BOLD);

/// The style of anything overdue.
pub const OVERDUE: Style = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD);

/// The style of a warning band (stale data, unacknowledged P1).
pub const ALERT: Style = Style::new()
    .fg(Color::White)
    .bg(Color::Red)
    .add_modifier(Modifier::BOLD);

/// The colour of a priority.
pub fn priority_style(p: Priority) -> Style {
    let color = match p {
        Priority::P1 => Color::Red,
        Priority::P2 => Color::LightRed,
        Priority::P3 => Color::Yellow,
        Priority::P4 => Color::Cyan,
    };
    Style::new().fg(color).add_modifier(Modifier::BOLD)
}

/// The flash phase at `now`: it alternates every half second.
pub fn flash_on(now: OffsetDateTime) -> bool {
    (now.unix_timestamp_nanos() / 500_000_000) % 2 == 0
}

/// The drill marker of an incident: the band with the word DRILL / 演练, or blanks.
pub fn drill_span(incident: &IncidentView, lang: Lang, cells: usize) -> Span<'static> {
    match incident.drill {
        Some(_) => Span::styled(text::pad(S::Drill.get(lang), cells), DRILL),
        None => Span::raw(" ".repeat(cells)),
    }
}

/// Draws the whole console for the current state.
pub fn render(frame: &mut Frame, state: &State) {
    let drills = state.running_drills();
    let strip = alarm_strip::line(state);
    let [store, banner, alarm, body, message, status_line] = Layout::vertical([
        Constraint::Length(u16::from(state.store_failing)),
        Constraint::Length(u16::from(!drills.is_empty())),
        Constraint::Length(u16::from(strip.is_some())),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    if state.store_failing {
        status::render_store_banner(frame, store, state);
    }
    if !drills.is_empty() {
        status::render_drill_banner(frame, banner, state, &drills);
    }
    if let Some(strip) = strip {
        frame.render_widget(strip, alarm);
    }
    match state.screen {
        Screen::Board => board::render(frame, body, state),
        Screen::Incident => incident::render(frame, body, state),
        Screen::History => history::render(frame, body, state),
        Screen::HandOver => handover::render(frame, body, state),
        Screen::OnTest => on_test::render(frame, body, state),
        Screen::Reports => reports::render(frame, body, state),
        Screen::Drills => drills::render(frame, body, state),
    }
    render_message_bar(frame, message, state);
    status::render(frame, status_line, state);
    match state.overlay {
        Some(Overlay::Help) => render_help(frame, body, state),
        Some(Overlay::ConfirmQuit) => render_confirm(frame, body, S::ConfirmQuit.get(state.lang)),
        Some(Overlay::ConfirmClose) => render_confirm(frame, body, &closing::question(state)),
        Some(Overlay::LogCall) => incident::call::render(frame, body, state),
        Some(Overlay::ConfirmSignOff) => {
            if let Some(id) = &state.reports.signing {
                render_confirm(
                    frame,
                    body,
                    &crate::strings::sign_off_question(id, state.lang),
                );
            }
        }
        Some(Overlay::ConfirmEndTest) => {
            if let Some(target) = &state.on_test_screen.ending {
                let text = on_test::confirm_text(target, state.lang);
                render_confirm(frame, body, &text);
            }
        }
        None => {}
    }
}

/// A screen's title line: its name, then the given spans.
pub fn title_line<'a>(state: &State, screen: Screen, rest: Vec<Span<'a>>) -> Line<'a> {
    let mut spans = vec![Span::styled(
        format!(" {} ", screen_name(screen, state.lang)),
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
    )];
    spans.push(Span::raw(" "));
    spans.extend(rest);
    Line::from(spans)
}

/// The stale warning, drawn on any screen showing live data when the console is not live.
pub fn stale_line(state: &State) -> Option<Line<'static>> {
    if state.is_live() {
        return None;
    }
    let text = if matches!(state.link, crate::state::Link::Connected { .. }) {
        S::AwaitingSnapshot.get(state.lang)
    } else {
        S::StaleBoard.get(state.lang)
    };
    Some(Line::from(Span::styled(format!(" ⚠ {text} "), ALERT)))
}

fn render_message_bar(frame: &mut Frame, area: Rect, state: &State) {
    let lang = state.lang;
    if let Some(editor) = &state.editor {
        let prompt = match &editor.purpose {
            EditPurpose::Note { incident } => format!("{} {incident}", S::Note.get(lang)),
            EditPurpose::SkipReason { incident, step } => {
                let playbook = state
                    .incidents
                    .get(incident)
                    .and_then(|i| i.playbook.as_ref());
                format!(
                    "{} ({})",
                    S::SkipReason.get(lang),
                    crate::strings::step_label(playbook, step, lang)
                )
            }
            EditPurpose::PickValue { incident } => {
                let playbook = state
                    .incidents
                    .get(incident)
                    .and_then(|i| i.playbook.as_ref());
                incident::correct::pick_prompt(playbook, lang)
            }
            EditPurpose::Input {
                incident,
                step,
                input,
            } => {
                // The input's label, as the playbook words it, not its id.
                let label = state
                    .incidents
                    .get(incident)
                    .and_then(|i| i.playbook.as_ref())
                    .and_then(|p| p.steps.iter().find(|s| s.id == *step))
                    .and_then(|s| s.inputs.iter().find(|i| i.id == *input))
                    .map_or(input.as_str(), |i| lang.of(&i.label));
                format!("{}: {label}", S::InputValue.get(lang))
            }
            EditPurpose::ResolveSummary { incident } => {
                let prompt = if incident::reason_needed(state, incident) {
                    S::ResolveReason
                } else {
                    S::ResolveSummary
                };
                format!("{} {incident}", prompt.get(lang))
            }
            EditPurpose::HistorySearch => S::Search.get(lang).to_string(),
            EditPurpose::IncomingId => S::IncomingId.get(lang).to_string(),
            EditPurpose::HandOverNote => S::HandOverNoteFor.get(lang).to_string(),
            EditPurpose::ConfirmHandOver { .. } => S::TakeOverNote.get(lang).to_string(),
            EditPurpose::PutOnTest => S::PutOnTestPrompt.get(lang).to_string(),
            EditPurpose::Report => S::ReportPrompt.get(lang).to_string(),
            EditPurpose::RootCause { incident } => {
                crate::strings::root_cause_prompt(incident, lang)
            }
            EditPurpose::Factor { incident } => crate::strings::factor_prompt(incident, lang),
            EditPurpose::CorrectiveAction { incident } => {
                crate::strings::action_prompt(incident, lang)
            }
            EditPurpose::CallNote { name, outcome, .. } => format!(
                "{} · {name} · {}",
                S::CallNote.get(lang),
                crate::strings::outcome_name(*outcome, lang)
            ),
        };
        let width = usize::from(area.width);
        let prompt = format!("{prompt}> ");
        let room = width.saturating_sub(text::width(&prompt) + 1);
        let shown = tail_to_width(&editor.text, room);
        let line = Line::from(vec![
            Span::styled(prompt, Style::new().add_modifier(Modifier::BOLD)),
            Span::raw(shown),
            Span::styled("█", Style::new().add_modifier(Modifier::SLOW_BLINK)),
        ]);
        frame.render_widget(line, area);
        return;
    }
    let Some(message) = &state.message else {
        return;
    };
    let style = match message.level {
        Level::Info => Style::new().fg(Color::Green),
        Level::Warning => Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        Level::Error => ALERT,
    };
    let line = format!("{} {}", text::clock(message.at, state.offset), message.text);
    let line = text::truncate(&line, usize::from(area.width));
    frame.render_widget(Line::from(Span::styled(line, style)), area);
}

/// The end of `text` that fits in `cells` (what is being typed stays in view).
fn tail_to_width(text: &str, cells: usize) -> String {
    let mut out: Vec<char> = Vec::new();
    let mut used = 0;
    for ch in text.chars().rev() {
        let w = text::width(ch.encode_utf8(&mut [0; 4]));
        if used + w > cells {
            break;
        }
        used += w;
        out.push(ch);
    }
    out.iter().rev().collect()
}

/// A rectangle of at most `width` × `height` centred in `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn render_help(frame: &mut Frame, body: Rect, state: &State) {
    let lang = state.lang;
    let read_only = state.read_only();
    let bindings = state.keymap.help(state.screen, read_only);
    let lines: Vec<Line> = bindings
        .iter()
        .map(|b| {
            let keys = state.keymap.label_for(state.screen, read_only, b.intent);
            Line::from(vec![
                Span::styled(
                    text::pad(&keys, 10),
                    Style::new().add_modifier(Modifier::BOLD),
                ),
                Span::raw(intent_help(b.intent, lang)),
            ])
        })
        .collect();
    // Below the keys, what the alarm sounds through, once the sound player has been checked.
    let sound = state.audio.map(|output| output_text(output, lang));
    let sound_rows = u16::from(sound.is_some());
    let columns: u16 = if body.height < lines.len() as u16 + 2 + sound_rows {
        2
    } else {
        1
    };
    let per_column = lines.len().div_ceil(usize::from(columns));
    let sound_width = sound.map_or(0, |s| text::width(s) as u16);
    let width = (36 * columns).max(sound_width) + 2;
    let area = centered(body, width, per_column as u16 + 2 + sound_rows);
    frame.render_widget(Clear, area);
    let block = Block::default().borders(Borders::ALL).title(format!(
        " {} · {} · {} ",
        S::Keys.get(lang),
        screen_name(state.screen, lang),
        S::PressAnyKey.get(lang)
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [keys, sound_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(sound_rows)]).areas(inner);
    if let Some(sound) = sound {
        let line = text::truncate(sound, usize::from(sound_area.width));
        frame.render_widget(Line::from(line), sound_area);
    }
    let cols = Layout::horizontal(vec![
        Constraint::Ratio(1, u32::from(columns));
        usize::from(columns)
    ])
    .split(keys);
    for (i, col) in cols.iter().enumerate() {
        let chunk: Vec<Line> = lines
            .iter()
            .skip(i * per_column)
            .take(per_column)
            .cloned()
            .collect();
        frame.render_widget(Paragraph::new(chunk), *col);
    }
}

/// A one-key question in a red box over the screen.
fn render_confirm(frame: &mut Frame, body: Rect, text: &str) {
    let inner_width = (body.width.saturating_sub(4)).min(text::width(text) as u16 + 2);
    let lines = text::wrap(text, usize::from(inner_width.saturating_sub(2)));
    let area = centered(body, inner_width + 2, lines.len() as u16 + 2);
    frame.render_widget(Clear, area);
    let block = Block::default().borders(Borders::ALL).border_style(OVERDUE);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines: Vec<Line> = lines.into_iter().map(Line::from).collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
