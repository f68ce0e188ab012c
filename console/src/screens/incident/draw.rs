//! Drawing the incident screen: header, playbook checklist, notification tree, log, key hints.

use alert_hub::protocol::{Actor, AttemptStatus, IncidentView, StepStatus, StepView};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::call::{call_lines, level_lines};
use super::{LogFetch, Source, shown};
use crate::action::{Intent, Screen};
use crate::screens::{DRILL, OVERDUE, drill_span, priority_style, stale_line, title_line};
use crate::state::State;
use crate::strings::{
    S, actor_text, attempt_status_name, event_operator, event_text, intent_help, kind_name, marks,
    outcome_name, state_name, step_status_name,
};
use crate::text;

const DIM: Style = Style::new().fg(Color::DarkGray);

/// Draws the incident screen.
pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let Some(open) = &state.incident.open else {
        return;
    };
    let Some(incident) = shown(state) else {
        let title = title_line(state, Screen::Incident, vec![Span::raw(open.id.clone())]);
        let gone = Line::from(format!("  {}", S::IncidentGone.get(state.lang)));
        frame.render_widget(Paragraph::new(vec![title, gone]), area);
        return;
    };
    let live = open.source == Source::Live;
    let stale = if live { stale_line(state) } else { None };
    let drill = incident.drill.is_some();
    let [head, band, warn, body, hints] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(u16::from(drill)),
        Constraint::Length(u16::from(stale.is_some())),
        Constraint::Min(4),
        Constraint::Length(if area.width >= 120 { 1 } else { 2 }),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(header(state, incident, live)), head);
    if let Some(drill_id) = &incident.drill {
        let word = S::Drill.get(state.lang);
        let text = format!(" {word} {word} {word} │ {drill_id} ");
        let line = text::pad(&text, usize::from(band.width));
        frame.render_widget(Line::from(Span::styled(line, DRILL)), band);
    }
    if let Some(stale) = stale {
        frame.render_widget(stale, warn);
    }
    let (playbook, notifications, log) = if area.width >= 120 {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                .spacing(2)
                .areas(body);
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(right);
        (left, top, bottom)
    } else {
        let attempts = incident
            .notifications
            .as_ref()
            .map_or(0, |n| n.attempts.len());
        let levels = level_lines(state, incident, false).len();
        let n_height = ((levels + attempts) as u16 + 1).clamp(2, 5);
        let [a, b, c] = Layout::vertical([
            Constraint::Min(5),
            Constraint::Length(n_height),
            Constraint::Length(4),
        ])
        .areas(body);
        (a, b, c)
    };
    render_playbook(frame, playbook, state, incident);
    render_notifications(frame, notifications, state, incident, area.width >= 120);
    render_log(frame, log, state, incident);
    let hint = hint_line(
        state,
        live,
        usize::from(hints.width) * usize::from(hints.height),
    );
    frame.render_widget(Paragraph::new(hint).wrap(Wrap { trim: true }), hints);
}

fn header<'a>(state: &State, incident: &'a IncidentView, live: bool) -> Vec<Line<'a>> {
    let lang = state.lang;
    let mut spans = vec![
        drill_span(incident, lang, if incident.drill.is_some() { 5 } else { 0 }),
        Span::raw(if incident.drill.is_some() { " " } else { "" }),
        Span::styled(
            format!("{} {} ", incident.priority, kind_name(incident.kind, lang)),
            priority_style(incident.priority),
        ),
        Span::raw(format!(
            "{} · {} · {} ",
            incident.id,
            state_name(incident.state, lang),
            // A closed incident no longer ages: it shows when it opened.
            if incident.state.is_open() {
                text::age(incident.opened_at, state.now)
            } else {
                text::date_time(incident.opened_at, state.offset)
            }
        )),
    ];
    if !live {
        spans.push(Span::styled(
            format!("[{}] ", S::ReadOnly.get(lang)),
            Style::new().add_modifier(Modifier::BOLD),
        ));
    }
    let mut second = format!(
        "{} │ {} {} │ {} {}",
        incident.location,
        S::Owner.get(lang),
        incident.owner.as_deref().unwrap_or("-"),
        S::Events.get(lang),
        incident.event_count
    );
    let marks = marks(incident, lang, false);
    if !marks.is_empty() {
        second.push_str(&format!(" │ {marks}"));
    }
    if let Some(by) = incident
        .close_requested_by
        .as_ref()
        .filter(|_| incident.state.is_open())
    {
        second.push_str(&format!(" │ {} ({by})", S::CloseRequested.get(lang)));
    }
    if let Some(code) = &incident.panel_code {
        second.push_str(&format!(" │ {}: {code}", S::PanelCode.get(lang)));
    }
    second.push_str(&format!(
        " │ {}: {}",
        S::Devices.get(lang),
        incident.devices.join(", ")
    ));
    vec![
        title_line(state, Screen::Incident, spans),
        Line::from(second),
    ]
}

fn section(title: String) -> Block<'static> {
    Block::default().borders(Borders::TOP).title(Span::styled(
        title,
        Style::new().add_modifier(Modifier::BOLD),
    ))
}

fn render_playbook(frame: &mut Frame, area: Rect, state: &State, incident: &IncidentView) {
    let lang = state.lang;
    let Some(playbook) = &incident.playbook else {
        let block = section(format!(" {} ", S::Playbook.get(lang)));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        frame.render_widget(Line::from(S::NoPlaybook.get(lang)), inner);
        return;
    };
    let block = section(format!(
        " {}: {} ",
        S::Playbook.get(lang),
        lang.of(&playbook.title)
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let mut lines = Vec::new();
    let mut current_line = 0;
    for (n, step) in playbook.steps.iter().enumerate() {
        let is_current = playbook.current.as_deref() == Some(step.id.as_str());
        if is_current {
            current_line = lines.len();
        }
        step_lines(state, n + 1, step, is_current, width, &mut lines);
        if is_current {
            call_lines(state, step, incident.drill.is_some(), width, &mut lines);
        }
    }
    let height = usize::from(inner.height);
    let offset = if lines.len() > height {
        current_line.saturating_sub(1).min(lines.len() - height)
    } else {
        0
    };
    let shown: Vec<Line> = lines.into_iter().skip(offset).take(height).collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

fn step_lines(
    state: &State,
    n: usize,
    step: &StepView,
    current: bool,
    width: usize,
    lines: &mut Vec<Line<'static>>,
) {
    let lang = state.lang;
    let open = matches!(
        step.status,
        StepStatus::Pending | StepStatus::Current | StepStatus::Overdue
    );
    // A past incident shows its deadlines as times; only a live one counts down.
    let live = !state.incident.is_read_only();
    let left = step.due_at.filter(|_| live).map(|due| due - state.now);
    let overdue =
        open && (step.status == StepStatus::Overdue || left.is_some_and(|l| l.is_negative()));
    let (glyph, style) = match step.status {
        StepStatus::Done => ("✔", DIM),
        StepStatus::Skipped => ("↷", DIM),
        StepStatus::NotTaken => ("–", DIM.add_modifier(Modifier::CROSSED_OUT)),
        _ if overdue => ("!", OVERDUE),
        _ if current => (
            "▶",
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ),
        _ => ("·", Style::new()),
    };
    let style = if current {
        style.add_modifier(Modifier::REVERSED)
    } else {
        style
    };
    // Clock time first (what a caller is told), then how long is left or how long it is late.
    let due_clock = step
        .due_at
        .map(|due| text::hour_minute(due, state.offset))
        .unwrap_or_default();
    let deadline = match (open, left) {
        (true, Some(left)) if overdue => format!(
            " {} {due_clock}, {} {}",
            S::Overdue.get(lang),
            S::LateBy.get(lang),
            text::countdown(-left)
        ),
        (true, Some(left)) => format!(
            " {} {due_clock}, {} {}",
            S::DueClock.get(lang),
            S::DueIn.get(lang),
            text::countdown(left)
        ),
        (true, None) => match step.due_at {
            Some(due) => format!(" {} {}", S::DueAt.get(lang), text::clock(due, state.offset)),
            None => String::new(),
        },
        (false, _) => {
            let who = step.done_by.as_deref().unwrap_or("");
            let when = step
                .done_at
                .map(|t| text::clock(t, state.offset))
                .unwrap_or_default();
            format!(" {} {who} {when}", step_status_name(step.status, lang))
        }
    };
    let prefix = format!("{glyph} {n}. ");
    let room = width.saturating_sub(text::width(&prefix) + text::width(&deadline));
    let instruction = lang.of(&step.instruction);
    if current {
        let wrapped = text::wrap(instruction, room.max(8));
        for (i, part) in wrapped.iter().enumerate() {
            let lead = if i == 0 {
                prefix.clone()
            } else {
                " ".repeat(text::width(&prefix))
            };
            let tail = if i == 0 {
                deadline.clone()
            } else {
                String::new()
            };
            let body = text::pad(part, room);
            lines.push(Line::from(vec![
                Span::styled(format!("{lead}{body}"), style),
                Span::styled(tail, if overdue { OVERDUE } else { style }),
            ]));
        }
        current_details(state, step, lines);
    } else {
        let body = text::pad(instruction, room);
        lines.push(Line::from(vec![
            Span::styled(format!("{prefix}{body}"), style),
            Span::styled(deadline, if overdue { OVERDUE } else { style }),
        ]));
    }
    if let Some(reason) = &step.skip_reason {
        lines.push(Line::styled(
            format!("     {}: {reason}", S::Reason.get(lang)),
            DIM,
        ));
    }
}

fn current_details(state: &State, step: &StepView, lines: &mut Vec<Line<'static>>) {
    let lang = state.lang;
    if !step.choices.is_empty() {
        let mut spans = vec![Span::raw("     ")];
        for (i, choice) in step.choices.iter().enumerate() {
            spans.push(Span::styled(
                format!("[{}]", i + 1),
                Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            ));
            spans.push(Span::raw(format!(" {}  ", lang.of(&choice.label))));
        }
        if !state.incident.is_read_only() {
            spans.push(Span::styled(format!("({})", S::ChooseWith.get(lang)), DIM));
        }
        lines.push(Line::from(spans));
    }
    for input in &step.inputs {
        let value = input.value.as_deref().unwrap_or("____");
        lines.push(Line::from(vec![
            Span::raw(format!("     {}: ", lang.of(&input.label))),
            Span::styled(value.to_string(), Style::new().add_modifier(Modifier::BOLD)),
            Span::styled(
                if state.incident.is_read_only() {
                    String::new()
                } else {
                    format!("  ({})", S::InputWith.get(lang))
                },
                DIM,
            ),
        ]));
    }
}

/// The call-out: whom the levels call (every level when `wide`, else the ones being called
/// now), then the newest attempts.
fn render_notifications(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    incident: &IncidentView,
    wide: bool,
) {
    let lang = state.lang;
    let Some(tree) = &incident.notifications else {
        let block = section(format!(" {} ", S::Notifications.get(lang)));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        frame.render_widget(Line::from(S::NoNotifications.get(lang)), inner);
        return;
    };
    let next = match (&tree.acknowledged_by, tree.next_escalation_at) {
        (Some(by), _) => format!("{} ({by})", S::EscalationStopped.get(lang)),
        (None, Some(at)) if state.incident.is_read_only() => format!(
            "{} {}",
            S::NextEscalationAt.get(lang),
            text::clock(at, state.offset)
        ),
        (None, Some(at)) => format!(
            "{} {}",
            S::NextEscalationIn.get(lang),
            text::countdown(at - state.now)
        ),
        (None, None) => S::EscalationStopped.get(lang).to_string(),
    };
    let block = section(format!(
        " {}: {} · {} {} · {next} ",
        S::Notifications.get(lang),
        tree.tree,
        S::Level.get(lang),
        tree.level
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // A failure's reason wraps under its attempt rather than being cut: it says what to fix.
    let width = usize::from(inner.width);
    let mut lines: Vec<Line> = Vec::new();
    for a in &tree.attempts {
        let style = match a.status {
            AttemptStatus::Failed => OVERDUE,
            AttemptStatus::Acknowledged => {
                Style::new().fg(Color::Green).add_modifier(Modifier::BOLD)
            }
            AttemptStatus::Delivered => Style::new().fg(Color::Green),
            AttemptStatus::Sending => Style::new().fg(Color::Yellow),
        };
        let detail = a
            .detail
            .as_ref()
            .map(|d| format!(" ({})", lang.of(d)))
            .unwrap_or_default();
        // A phone call an operator logged says what came of it, at which number, and who called.
        let status = match &a.call {
            Some(call) => format!(
                "{}{}{} ({}){}",
                outcome_name(call.outcome, lang),
                call.number
                    .as_ref()
                    .map(|n| format!(" {n}"))
                    .unwrap_or_default(),
                if a.status == AttemptStatus::Acknowledged {
                    format!(" · {}", attempt_status_name(a.status, lang))
                } else {
                    String::new()
                },
                call.operator,
                call.note
                    .as_ref()
                    .map(|n| format!(" {n}"))
                    .unwrap_or_default()
            ),
            None => format!("{}{detail}", attempt_status_name(a.status, lang)),
        };
        // A call no tree level made has no level to show.
        let level = if a.call.is_some() && a.tree.is_empty() {
            "  ".to_string()
        } else {
            format!("L{}", a.level)
        };
        let prefix = format!(
            "{level} {} {} {} ",
            text::pad(&a.contact, 14),
            text::pad(crate::strings::channel_name(&a.channel, lang), 8),
            text::clock(a.at, state.offset)
        );
        let indent = text::width(&prefix);
        let wrapped = text::wrap(&status, width.saturating_sub(indent).max(10));
        for (n, part) in wrapped.into_iter().enumerate() {
            let lead = if n == 0 {
                prefix.clone()
            } else {
                " ".repeat(indent)
            };
            lines.push(Line::from(vec![Span::raw(lead), Span::styled(part, style)]));
        }
    }
    // Whom the levels call comes first; the newest attempts fill the rest.
    let height = usize::from(inner.height);
    let mut shown: Vec<Line> = level_lines(state, incident, wide)
        .into_iter()
        .map(|l| truncate_line(l, width))
        .take(height.saturating_sub(1).max(1))
        .collect();
    let room = height.saturating_sub(shown.len());
    shown.extend(lines.split_off(lines.len().saturating_sub(room)));
    frame.render_widget(Paragraph::new(shown), inner);
}

/// A one-style line cut to `width` cells.
fn truncate_line(line: Line<'static>, width: usize) -> Line<'static> {
    let style = line.style;
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    Line::styled(text::truncate(&text, width), style)
}

fn render_log(frame: &mut Frame, area: Rect, state: &State, incident: &IncidentView) {
    let lang = state.lang;
    let Some(open) = &state.incident.open else {
        return;
    };
    let note = match &open.log_fetch {
        LogFetch::Loaded => String::new(),
        LogFetch::Loading => format!(" ({})", S::HistoryLoading.get(lang)),
        LogFetch::Failed(_) => format!(" ({})", S::LogPartial.get(lang)),
    };
    let block = section(format!(" {}{note} ", S::Log.get(lang)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let entries = state.incidents.log(&incident.id);
    if entries.is_empty() {
        frame.render_widget(Line::styled(S::LogEmpty.get(lang), DIM), inner);
        return;
    }
    let height = usize::from(inner.height);
    let max_scroll = entries.len().saturating_sub(height);
    let scroll = open.log_scroll.min(max_scroll);
    let end = entries.len() - scroll;
    let start = end.saturating_sub(height);
    let width = usize::from(inner.width);
    let lines: Vec<Line> = entries[start..end]
        .iter()
        .map(|e| {
            let actor = actor_text(&e.actor, lang);
            let named = match (event_operator(&e.event), &e.actor) {
                (Some(op), Actor::Operator { id }) if op == id => String::new(),
                (Some(op), _) => format!(" ({op})"),
                (None, _) => String::new(),
            };
            let text = format!(
                "{} {actor} {}{named}",
                text::clock(e.at, state.offset),
                event_text(&e.event, lang, incident.playbook.as_ref())
            );
            Line::from(text::truncate(&text, width))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn hint_line(state: &State, live: bool, width: usize) -> Line<'static> {
    let intents: &[Intent] = if live {
        &[
            Intent::Acknowledge,
            Intent::CompleteStep,
            Intent::Choose(0),
            Intent::EnterInput,
            Intent::Skip,
            Intent::Note,
            Intent::LogCall,
            Intent::EscalateNow,
            Intent::Resolve,
            Intent::Back,
        ]
    } else {
        &[Intent::Up, Intent::Down, Intent::Back]
    };
    key_hints(state, !live, intents, width)
}

/// A line of `key description` pairs, cut to `width`.
pub fn key_hints(
    state: &State,
    read_only: bool,
    intents: &[Intent],
    width: usize,
) -> Line<'static> {
    let mut spans = Vec::new();
    for intent in intents {
        let key = state.keymap.label_for(state.screen, read_only, *intent);
        if key.is_empty() {
            continue;
        }
        spans.push(Span::styled(
            format!(" {key} "),
            Style::new().add_modifier(Modifier::REVERSED),
        ));
        spans.push(Span::raw(format!(" {} ", intent_help(*intent, state.lang))));
    }
    Line::from(crate::screens::status::fit(spans, width))
}
