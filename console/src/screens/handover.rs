//! The shift hand-over: what is open and what is overdue, signed by the outgoing operator for
//! a named incoming operator, who takes the shift by confirming it from their own console with
//! their own sign-in; and the hand-overs before it.

use alert_hub::protocol::{
    Command, HandOverRecord, HandOverStatus, IncidentView, OverdueStep, Reply,
};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use time::OffsetDateTime;

use super::{OVERDUE, drill_span, priority_style, stale_line, title_line};
use crate::action::{Effect, Intent, Screen};
use crate::outgoing::command;
use crate::shift::{ShiftSummary, shift_start};
use crate::state::{EditPurpose, Editor, Level, State};
use crate::strings::{
    Lang, S, kind_name, more_on_board, shift_acks, shift_counts, shift_title, state_name,
};
use crate::text;

/// What the hub said about the hand-over this console signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandOverResult {
    Recorded(OffsetDateTime),
    Refused(String),
}

/// The hand-over form, where the signing stands, and the hand-overs the hub keeps.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HandOverState {
    pub incoming: String,
    /// The outgoing operator's note for the incoming one.
    pub note: String,
    /// The request id of the hand-over or confirmation sent and not yet answered.
    pub sent: Option<String>,
    pub result: Option<HandOverResult>,
    /// The latest hand-overs, oldest first, as the hub last sent them.
    pub records: Vec<HandOverRecord>,
    /// This operator's shift in figures, fetched each time the screen is shown.
    pub shift: ShiftFetch,
}

/// Where the shift's figures stand.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum ShiftFetch {
    #[default]
    NotLoaded,
    Loading,
    Loaded(ShiftSummary),
    Failed(String),
}

impl HandOverState {
    /// The hand-over awaiting `operator`'s confirmation, the newest if several.
    pub fn awaiting(&self, operator: &str) -> Option<&HandOverRecord> {
        self.records
            .iter()
            .rev()
            .find(|r| r.incoming == operator && r.status == HandOverStatus::Awaiting)
    }
}

/// Asks the hub for the incidents of this operator's shift each time the screen is shown,
/// so the figures are those of the moment of hand-over.
pub fn entered(state: &mut State, fx: &mut Vec<Effect>) {
    let me = state.operator_id().unwrap_or_default();
    let since = shift_start(&state.handover.records, me, state.now);
    state.handover.shift = ShiftFetch::Loading;
    fx.push(Effect::FetchShift { since });
}

/// Takes the incidents of the shift that began at `since`.
pub fn shift_loaded(
    state: &mut State,
    since: OffsetDateTime,
    incidents: Result<Vec<IncidentView>, String>,
) {
    state.handover.shift = match incidents {
        Ok(incidents) => ShiftFetch::Loaded(ShiftSummary::of(&incidents, since)),
        Err(why) => ShiftFetch::Failed(why),
    };
}

/// Handles the hand-over screen's own intents.
pub fn handle(state: &mut State, intent: Intent, fx: &mut Vec<Effect>) {
    let (purpose, text) = match intent {
        Intent::EditIncoming => (EditPurpose::IncomingId, state.handover.incoming.clone()),
        Intent::EditHandOverNote => (EditPurpose::HandOverNote, state.handover.note.clone()),
        Intent::ConfirmHandOver => {
            let me = state.operator_id().unwrap_or_default();
            let Some(record) = state.handover.awaiting(me) else {
                state.say(Level::Warning, S::NothingToConfirm.get(state.lang));
                return;
            };
            let seq = record.seq;
            (EditPurpose::ConfirmHandOver { seq }, String::new())
        }
        Intent::SignHandOver => return sign(state, fx),
        _ => return,
    };
    state.editor = Some(Editor { purpose, text });
}

/// Takes what was typed into one of the hand-over's fields.
pub fn submit(state: &mut State, purpose: EditPurpose, text: String, fx: &mut Vec<Effect>) {
    match purpose {
        EditPurpose::IncomingId => state.handover.incoming = text,
        EditPurpose::HandOverNote => state.handover.note = text,
        EditPurpose::ConfirmHandOver { seq } => {
            let request = state.next_request_id();
            let confirm = Command::ConfirmHandOver { seq, note: text };
            if let Some(effect) = state.send(command(request.clone(), confirm)) {
                state.handover.sent = Some(request);
                fx.push(effect);
            }
        }
        _ => {}
    }
}

fn sign(state: &mut State, fx: &mut Vec<Effect>) {
    let incoming = state.handover.incoming.trim().to_string();
    if incoming.is_empty() {
        state.say(Level::Warning, S::HandOverNeedsIncoming.get(state.lang));
        return;
    }
    if Some(incoming.as_str()) == state.operator_id() {
        state.say(Level::Warning, S::HandOverSameOperator.get(state.lang));
        return;
    }
    let request = state.next_request_id();
    let hand_over = Command::HandOver {
        incoming,
        note: state.handover.note.trim().to_string(),
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

/// Takes the hub's answer to a hand-over or a confirmation this console sent.
pub fn replied(state: &mut State, reply: &Reply, confirming: bool) {
    state.handover.sent = None;
    let lang = state.lang;
    if reply.ok {
        if confirming {
            state.say(Level::Info, S::HandOverConfirmed.get(lang));
        } else {
            state.handover.result = Some(HandOverResult::Recorded(state.now));
            state.say(Level::Info, S::HandOverRecorded.get(lang));
        }
    } else {
        let why = crate::strings::refusal_text(reply, lang);
        if !confirming {
            state.handover.result = Some(HandOverResult::Refused(why.clone()));
        }
        let text = format!(
            "{} — {}: {why}",
            S::Refused.get(lang),
            S::HandOver.get(lang)
        );
        state.say(Level::Error, text);
    }
}

/// Takes the hub's list of hand-overs; a new one awaiting this operator is announced.
pub fn records_changed(state: &mut State, records: Vec<HandOverRecord>) {
    let me = state.operator_id().unwrap_or_default().to_string();
    let before = state.handover.awaiting(&me).map(|r| r.seq);
    state.handover.records = records;
    if let Some(record) = state.handover.awaiting(&me)
        && before != Some(record.seq)
    {
        let text = format!(
            "{} {} — F3, c {}",
            record.outgoing,
            S::HandsOverToYou.get(state.lang),
            S::ConfirmWithNote.get(state.lang)
        );
        state.say(Level::Warning, text);
    }
}

/// Draws the hand-over screen.
pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let lang = state.lang;
    let stale = stale_line(state);
    let most = usize::from((area.height / 4).max(4));
    let past_rows = u16::try_from(state.handover.records.len().clamp(1, most)).unwrap_or(4) + 1;
    let [title, warn, shift, lists, past, form, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(stale.is_some())),
        Constraint::Length(3),
        Constraint::Min(4),
        Constraint::Length(past_rows),
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
        let open_rows = open_list_rows(state, lists.height);
        Layout::vertical([Constraint::Length(open_rows), Constraint::Min(0)]).areas(lists)
    };
    render_shift(frame, shift, state);
    render_open(frame, open_area, state);
    render_overdue(frame, overdue_area, state);
    render_past(frame, past, state);
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

/// This operator's shift in figures: what opened, where it stands, how fast it was acknowledged.
fn render_shift(frame: &mut Frame, area: Rect, state: &State) {
    let lang = state.lang;
    let width = usize::from(area.width);
    let dim = Style::new().add_modifier(Modifier::DIM);
    let (title, lines) = match &state.handover.shift {
        ShiftFetch::Loaded(s) => (
            shift_title(s, state.now, state.offset, lang),
            vec![
                Line::from(text::truncate(&shift_counts(s, lang), width)),
                Line::from(text::truncate(&shift_acks(s, lang), width)),
            ],
        ),
        ShiftFetch::Failed(why) => (
            S::ThisShift.get(lang).to_string(),
            vec![Line::styled(text::truncate(why, width), OVERDUE)],
        ),
        ShiftFetch::NotLoaded | ShiftFetch::Loading => (
            S::ThisShift.get(lang).to_string(),
            vec![Line::styled(S::HistoryLoading.get(lang), dim)],
        ),
    };
    let block = section(format!(" {title} "));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Rows for the open incidents when the lists are stacked: every open incident before the overdue
/// steps get more than their title and two rows, since what is handed over must be seen whole.
fn open_list_rows(state: &State, height: u16) -> u16 {
    let rows = |n: usize| u16::try_from(n.max(1) + 1).unwrap_or(u16::MAX);
    let open = rows(state.incidents.len());
    let overdue = rows(state.incidents.overdue(state.now).count()).min(3);
    open.min(height.saturating_sub(overdue))
}

fn render_open(frame: &mut Frame, area: Rect, state: &State) {
    let lang = state.lang;
    let block = section(format!(" {} ", S::OpenIncidents.get(lang)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let order = state.incidents.in_board_order();
    let room = usize::from(inner.height);
    let shown = if order.len() > room {
        room.saturating_sub(1)
    } else {
        room
    };
    let mut lines: Vec<Line> = order
        .iter()
        .take(shown)
        .filter_map(|k| state.incidents.get(&k.id))
        .map(|i| incident_line(state, i, width))
        .collect();
    if order.len() > shown && room > 0 {
        let more = more_on_board(order.len() - shown, lang);
        lines.push(Line::styled(text::truncate(&more, width), OVERDUE));
    }
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

fn render_past(frame: &mut Frame, area: Rect, state: &State) {
    let lang = state.lang;
    let block = section(format!(" {} ", S::PastHandOvers.get(lang)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let records = &state.handover.records;
    let shown = records.len().min(usize::from(inner.height));
    let mut lines: Vec<Line> = records[records.len() - shown..]
        .iter()
        .rev()
        .map(|r| past_line(r, state, width))
        .collect();
    if lines.is_empty() {
        lines.push(Line::styled(
            S::NoHandOvers.get(lang),
            Style::new().add_modifier(Modifier::DIM),
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// One past hand-over: when, who to whom, where it stands, what was open, and the notes.
fn past_line(r: &HandOverRecord, state: &State, width: usize) -> Line<'static> {
    let lang = state.lang;
    let clock = |at| text::hour_minute(at, state.offset);
    let (status, style) = match &r.status {
        HandOverStatus::Awaiting => (
            awaiting_text(&r.incoming, lang),
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ),
        HandOverStatus::Confirmed { at, note } => (
            quoted(format!("{} {}", S::Confirmed.get(lang), clock(*at)), note),
            Style::new().fg(Color::Green),
        ),
        HandOverStatus::Withdrawn { at } => (
            format!("{} {}", S::Withdrawn.get(lang), clock(*at)),
            Style::new().add_modifier(Modifier::DIM),
        ),
        HandOverStatus::SignedOnOneConsole => (
            S::SignedOnOneConsole.get(lang).to_string(),
            Style::new().add_modifier(Modifier::DIM),
        ),
    };
    let head = format!(
        "#{} {} {} → {}  ",
        r.seq,
        text::date_time(r.at, state.offset),
        r.outgoing,
        r.incoming
    );
    let tail = quoted(
        format!(
            "  {} {} · {} {}",
            S::OpenIncidents.get(lang),
            r.open_incidents.len(),
            S::OverdueSteps.get(lang),
            r.overdue_steps.len()
        ),
        &r.note,
    );
    let room = width.saturating_sub(text::width(&head) + text::width(&status));
    Line::from(vec![
        Span::raw(head),
        Span::styled(status, style),
        Span::raw(text::truncate(&tail, room)),
    ])
}

/// Whose confirmation a hand-over awaits.
fn awaiting_text(incoming: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("待 {incoming} 本人登录确认"),
        Lang::En => format!("awaiting {incoming}'s own confirmation"),
    }
}

/// `text`, then the note in quotes when there is one.
fn quoted(text: String, note: &str) -> String {
    if note.is_empty() {
        text
    } else {
        format!("{text} “{note}”")
    }
}

fn render_form(frame: &mut Frame, area: Rect, state: &State) {
    let lang = state.lang;
    let h = &state.handover;
    let me = state.operator_id().unwrap_or_default();
    let mut first = vec![
        Span::raw(format!("{}: ", S::Outgoing.get(lang))),
        Span::styled(
            format!("{me} ({})", S::You.get(lang)),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Span::raw("   "),
    ];
    first.extend(field(S::Incoming.get(lang), &h.incoming));
    first.extend(field(S::HandOverNote.get(lang), &h.note));
    let block = section(format!(" {} ", S::HandOver.get(lang)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines = vec![
        Line::from(first),
        status_line(state, me, lang, usize::from(inner.width)),
    ];
    frame.render_widget(Paragraph::new(lines), inner);
}

/// A field of the form: its label and value, or a blank to fill.
fn field(label: &str, value: &str) -> Vec<Span<'static>> {
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
}

/// What the operator must know now: a hand-over awaiting them first, then where their own
/// signing stands.
fn status_line(state: &State, me: &str, lang: Lang, width: usize) -> Line<'static> {
    let h = &state.handover;
    if let Some(r) = h.awaiting(me) {
        let text = quoted(
            format!(
                "{} {} ({}) — c {}",
                r.outgoing,
                S::HandsOverToYou.get(lang),
                text::hour_minute(r.at, state.offset),
                S::ConfirmWithNote.get(lang)
            ),
            &r.note,
        );
        return Line::styled(
            text::truncate(&text, width),
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        );
    }
    let mine = h
        .records
        .iter()
        .rev()
        .find(|r| r.outgoing == me && r.status == HandOverStatus::Awaiting);
    match (&h.sent, mine, &h.result) {
        (Some(_), _, _) => Line::styled(S::HandOverSent.get(lang), Style::new().fg(Color::Yellow)),
        (None, Some(r), _) => Line::styled(
            format!(
                "{} {}",
                S::HandOverRecorded.get(lang),
                awaiting_text(&r.incoming, lang)
            ),
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ),
        (None, None, Some(HandOverResult::Refused(why))) => {
            Line::styled(format!("{}: {why}", S::Refused.get(lang)), OVERDUE)
        }
        _ => Line::from(""),
    }
}
