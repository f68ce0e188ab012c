//! The shift hand-over: what is open and what is overdue, signed by the outgoing and the
//! incoming operator with their ids, then sent to the hub to be recorded.

use alert_hub::protocol::{Command, IncidentView, OverdueStep, Reply};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use time::OffsetDateTime;

use super::{OVERDUE, drill_span, priority_style, stale_line, title_line};
use crate::action::{Effect, Intent, Screen};
use crate::outgoing::command;
use crate::state::{EditPurpose, Editor, Level, State};
use crate::strings::{S, kind_name, state_name};
use crate::text;

/// What the hub said about the hand-over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandOverResult {
    Recorded(OffsetDateTime),
    Refused(String),
}

/// The hand-over form: both operators' ids and where the signing stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HandOverState {
    pub outgoing: String,
    pub incoming: String,
    /// The request id of the hand-over sent and not yet answered.
    pub sent: Option<String>,
    pub result: Option<HandOverResult>,
}

/// Handles the hand-over screen's own intents.
pub fn handle(state: &mut State, intent: Intent, fx: &mut Vec<Effect>) {
    match intent {
        Intent::EditOutgoing => {
            let text = if state.handover.outgoing.is_empty() {
                state
                    .operator
                    .as_ref()
                    .map(|o| o.id.clone())
                    .unwrap_or_default()
            } else {
                state.handover.outgoing.clone()
            };
            state.editor = Some(Editor {
                purpose: EditPurpose::OutgoingId,
                text,
            });
        }
        Intent::EditIncoming => {
            state.editor = Some(Editor {
                purpose: EditPurpose::IncomingId,
                text: state.handover.incoming.clone(),
            });
        }
        Intent::SignHandOver => sign(state, fx),
        _ => {}
    }
}

fn sign(state: &mut State, fx: &mut Vec<Effect>) {
    let h = &state.handover;
    let (outgoing, incoming) = (h.outgoing.trim().to_string(), h.incoming.trim().to_string());
    if outgoing.is_empty() || incoming.is_empty() {
        state.say(Level::Warning, S::HandOverNeedsBoth.get(state.lang));
        return;
    }
    if outgoing == incoming {
        state.say(Level::Warning, S::HandOverSameOperator.get(state.lang));
        return;
    }
    let request = state.next_request_id();
    let hand_over = Command::HandOver {
        outgoing,
        incoming,
        at: state.now,
        open_incidents: state
            .incidents
            .in_board_order()
            .iter()
            .map(|k| k.id.clone())
            .collect(),
        overdue_steps: state
            .incidents
            .overdue(state.now)
            .map(|d| OverdueStep {
                incident: d.incident.clone(),
                step: d.step.clone(),
            })
            .collect(),
    };
    if let Some(effect) = state.send(command(request.clone(), hand_over)) {
        state.handover.sent = Some(request);
        state.handover.result = None;
        fx.push(effect);
    }
}

/// Takes the hub's answer to the hand-over.
pub fn replied(state: &mut State, reply: &Reply) {
    state.handover.sent = None;
    if reply.ok {
        state.handover.result = Some(HandOverResult::Recorded(state.now));
        state.say(Level::Info, S::HandOverRecorded.get(state.lang));
    } else {
        let why = crate::strings::refusal_text(reply, state.lang);
        state.handover.result = Some(HandOverResult::Refused(why.clone()));
        let text = format!(
            "{} — {}: {why}",
            S::Refused.get(state.lang),
            S::HandOver.get(state.lang)
        );
        state.say(Level::Error, text);
    }
}

/// Draws the hand-over screen.
pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let lang = state.lang;
    let stale = stale_line(state);
    let [title, warn, lists, form, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(stale.is_some())),
        Constraint::Min(4),
        Constraint::Length(3),
        Constraint::Length(1),
    ])
    .areas(area);
    let summary = format!("{} {}", S::OpenIncidents.get(lang), state.incidents.len());
    frame.render_widget(
        title_line(state, Screen::HandOver, vec![Span::raw(summary)]),
        title,
    );
    if let Some(stale) = stale {
        frame.render_widget(stale, warn);
    }
    let [open_area, overdue_area] = if area.width >= 120 {
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(lists)
    } else {
        Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(lists)
    };
    render_open(frame, open_area, state);
    render_overdue(frame, overdue_area, state);
    render_form(frame, form, state);
    frame.render_widget(
        Line::styled(
            S::SignHint.get(lang),
            Style::new().add_modifier(Modifier::DIM),
        ),
        hints,
    );
}

fn section(title: String) -> Block<'static> {
    Block::default().borders(Borders::TOP).title(Span::styled(
        title,
        Style::new().add_modifier(Modifier::BOLD),
    ))
}

fn render_open(frame: &mut Frame, area: Rect, state: &State) {
    let lang = state.lang;
    let block = section(format!(" {} ", S::OpenIncidents.get(lang)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let lines: Vec<Line> = state
        .incidents
        .in_board_order()
        .iter()
        .take(usize::from(inner.height))
        .filter_map(|k| state.incidents.get(&k.id))
        .map(|i| incident_line(state, i, width))
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn incident_line(state: &State, i: &IncidentView, width: usize) -> Line<'static> {
    let lang = state.lang;
    let drill = drill_span(i, lang, 5);
    let lead = format!("{} ", i.priority);
    let rest = format!(
        "{} {} {} {} {}",
        i.id,
        kind_name(i.kind, lang),
        state_name(i.state, lang),
        text::age(i.opened_at, state.now),
        i.location
    );
    let room = width.saturating_sub(3 + text::width(&drill.content) + 1);
    Line::from(vec![
        Span::styled(lead, priority_style(i.priority)),
        drill,
        Span::raw(" "),
        Span::raw(text::truncate(&rest, room)),
    ])
}

fn render_overdue(frame: &mut Frame, area: Rect, state: &State) {
    let lang = state.lang;
    let block = section(format!(" {} ", S::OverdueSteps.get(lang)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let mut lines: Vec<Line> = state
        .incidents
        .overdue(state.now)
        .take(usize::from(inner.height))
        .map(|d| {
            let instruction = state
                .incidents
                .get(&d.incident)
                .and_then(|i| i.playbook.as_ref())
                .and_then(|p| p.steps.iter().find(|s| s.id == d.step))
                .map(|s| lang.of(&s.instruction).to_string())
                .unwrap_or_else(|| d.step.clone());
            let late = format!(
                " {} {}",
                S::Overdue.get(lang),
                text::countdown(d.due_at - state.now)
            );
            let head = format!("{} ", d.incident);
            let room = width.saturating_sub(text::width(&head) + text::width(&late));
            Line::from(vec![
                Span::raw(head),
                Span::raw(text::pad(&instruction, room)),
                Span::styled(late, OVERDUE),
            ])
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::from(S::NoOverdueSteps.get(lang)));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn render_form(frame: &mut Frame, area: Rect, state: &State) {
    let lang = state.lang;
    let h = &state.handover;
    let field = |label: &str, value: &str| -> Vec<Span<'static>> {
        let (shown, style) = if value.is_empty() {
            (
                "________".to_string(),
                Style::new().add_modifier(Modifier::DIM),
            )
        } else {
            (
                format!("{value} ✔"),
                Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
            )
        };
        vec![
            Span::raw(format!("{label}: ")),
            Span::styled(shown, style),
            Span::raw("   "),
        ]
    };
    let mut first = field(S::Outgoing.get(lang), &h.outgoing);
    first.extend(field(S::Incoming.get(lang), &h.incoming));
    let status = match (&h.sent, &h.result) {
        (Some(_), _) => Line::styled(S::HandOverSent.get(lang), Style::new().fg(Color::Yellow)),
        (None, Some(HandOverResult::Recorded(at))) => Line::styled(
            format!(
                "{} {}",
                S::HandOverRecorded.get(lang),
                text::clock(*at, state.offset)
            ),
            Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
        ),
        (None, Some(HandOverResult::Refused(why))) => {
            Line::styled(format!("{}: {why}", S::Refused.get(lang)), OVERDUE)
        }
        (None, None) => Line::from(""),
    };
    let block = section(format!(" {} ", S::HandOver.get(lang)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    frame.render_widget(Paragraph::new(vec![Line::from(first), status]), inner);
}
