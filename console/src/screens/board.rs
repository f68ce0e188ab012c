//! The alarm board: every open incident, most urgent first, one line each. Only the rows that
//! fit on screen are built; the order comes ready-made from the incident store.

use alert_hub::protocol::{IncidentView, Priority, Standing};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use super::{ALERT, drill_span, flash_on, priority_style, stale_line, title_line};
use crate::action::{Effect, Intent, Screen};
use crate::state::State;
use crate::strings::{Lang, S, kind_name, marks, state_name};
use crate::text;

/// Where the operator is on the board: the selected incident, by id, so the selection stays
/// on the same incident when rows above it come and go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BoardState {
    pub selected: Option<String>,
    /// The operator moved the selection; until then it follows the top row.
    pub moved: bool,
    /// The unacknowledged P1 last seen on top, so only a new one takes the selection back.
    pub top_p1: Option<String>,
}

/// Keeps a valid selection after the rows changed. Until the operator moves it, the selection
/// is the top row, so the acknowledge key takes the most urgent incident. A moved selection
/// stays on its incident, except that a new unacknowledged P1 arriving on top takes it back
/// (unless the operator is on another unacknowledged P1): the key that acknowledges must never
/// land on a lesser incident just as a new P1 starts flashing above it.
pub fn keep_selection(state: &mut State) {
    let unacknowledged_p1 = |id: Option<&str>| {
        id.and_then(|id| state.incidents.get(id))
            .is_some_and(|i| i.priority == Priority::P1 && i.is_alarming())
    };
    let top = state.incidents.visible().first().map(|k| k.id.clone());
    let selected = state.board.selected.as_deref();
    let still_there = selected.is_some_and(|id| state.incidents.position(id).is_some());
    let top_p1 = top.clone().filter(|id| unacknowledged_p1(Some(id)));
    let new_p1 = top_p1.is_some() && top_p1 != state.board.top_p1 && !unacknowledged_p1(selected);
    state.board.top_p1 = top_p1;
    if !still_there || !state.board.moved || new_p1 {
        state.board.selected = top;
        state.board.moved = false;
    }
}

/// The index of the selected row among the visible rows.
pub fn selected_index(state: &State) -> Option<usize> {
    state
        .board
        .selected
        .as_deref()
        .and_then(|id| state.incidents.position(id))
}

/// Roughly how many rows the board shows at the current terminal size, for paging.
pub fn page_rows(state: &State) -> usize {
    usize::from(state.size.1).saturating_sub(6).max(1)
}

/// Handles the board's own intents.
pub fn handle(state: &mut State, intent: Intent, fx: &mut Vec<Effect>) {
    let len = state.incidents.visible().len();
    let current = selected_index(state).unwrap_or(0);
    let page = page_rows(state);
    let target = match intent {
        Intent::Up => Some(current.saturating_sub(1)),
        Intent::Down => Some(current + 1),
        Intent::PageUp => Some(current.saturating_sub(page)),
        Intent::PageDown => Some(current + page),
        Intent::First => Some(0),
        Intent::Last => Some(len.saturating_sub(1)),
        _ => None,
    };
    if let Some(target) = target {
        let target = target.min(len.saturating_sub(1));
        state.board.selected = state.incidents.visible().get(target).map(|k| k.id.clone());
        state.board.moved = target > 0;
        return;
    }
    match intent {
        Intent::Open => {
            if let Some(id) = state.board.selected.clone() {
                super::incident::open_live(state, &id, fx);
            } else {
                state.say(crate::state::Level::Info, S::NoSelection.get(state.lang));
            }
        }
        Intent::Acknowledge => match state.board.selected.clone() {
            Some(id) => super::incident::acknowledge(state, &id, fx),
            None => state.say(crate::state::Level::Info, S::NoSelection.get(state.lang)),
        },
        Intent::Close => match state.board.selected.clone() {
            Some(id) => super::closing::ask(state, &id),
            None => state.say(crate::state::Level::Info, S::NoSelection.get(state.lang)),
        },
        Intent::CycleSiteFilter => {
            let next = {
                let mut sites = state.incidents.sites();
                match state.incidents.site_filter() {
                    None => sites.next().map(str::to_string),
                    Some(current) => sites
                        .skip_while(|s| *s != current)
                        .nth(1)
                        .map(str::to_string),
                }
            };
            state.incidents.set_site_filter(next);
            state.board.selected = None;
            keep_selection(state);
        }
        _ => {}
    }
}

struct Columns {
    /// The incident id, on screens wide enough for it (0: not shown).
    id: usize,
    kind: usize,
    location: usize,
    owner: usize,
    marks: usize,
}

const MARKER: usize = 2;
const PRIORITY: usize = 2;
const DRILL_CELLS: usize = 5;
const AGE: usize = 6;
const STATE: usize = 8;
const EVENTS: usize = 3;
/// The id column (`INC-000123`), shown from [`ID_FROM_WIDTH`] cells on.
const ID: usize = 10;
const ID_FROM_WIDTH: usize = 100;

fn columns(width: usize) -> Columns {
    let (kind, owner, marks) = if width >= 120 {
        (14, 12, 22)
    } else {
        (12, 7, 8)
    };
    let id = if width >= ID_FROM_WIDTH { ID } else { 0 };
    let fixed = MARKER + PRIORITY + DRILL_CELLS + kind + AGE + STATE + EVENTS + owner + marks + 9;
    let fixed = fixed + if id > 0 { id + 1 } else { 0 };
    Columns {
        id,
        kind,
        location: width.saturating_sub(fixed).max(4),
        owner,
        marks,
    }
}

/// Draws the board.
pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let stale = stale_line(state);
    let [title, warn, header, rows] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(stale.is_some())),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    frame.render_widget(title_line(state, Screen::Board, summary(state)), title);
    if let Some(stale) = stale {
        frame.render_widget(stale, warn);
    }
    let cols = columns(usize::from(area.width));
    frame.render_widget(header_line(&cols, state.lang), header);

    let visible = state.incidents.visible();
    if visible.is_empty() {
        let text = format!("  {}", S::NoOpenIncidents.get(state.lang));
        frame.render_widget(Line::from(text), rows);
        return;
    }
    let height = usize::from(rows.height);
    let selected = selected_index(state);
    let offset = selected.map_or(0, |i| i / height * height);
    for (n, key) in visible.iter().skip(offset).take(height).enumerate() {
        let Some(incident) = state.incidents.get(&key.id) else {
            continue;
        };
        let line = row(state, incident, &cols, selected == Some(offset + n));
        let at = Rect::new(rows.x, rows.y + n as u16, rows.width, 1);
        frame.render_widget(line, at);
    }
}

fn summary(state: &State) -> Vec<Span<'static>> {
    let lang = state.lang;
    let counts = state.incidents.counts();
    let mut spans = Vec::new();
    let p1 = counts.unacknowledged(Priority::P1);
    if p1 > 0 {
        let style = if flash_on(state.now) {
            ALERT.add_modifier(Modifier::SLOW_BLINK)
        } else {
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
        };
        spans.push(Span::styled(
            format!(" {} ×{p1} ", S::UnacknowledgedP1.get(lang)),
            style,
        ));
        spans.push(Span::raw(" "));
    }
    for p in [Priority::P1, Priority::P2, Priority::P3, Priority::P4] {
        let new = counts.unacknowledged(p);
        let text = match (new, lang) {
            (0, _) => format!("{p} {} ", counts.open(p)),
            (_, Lang::Zh) => format!("{p} {} ({}{}) ", counts.open(p), new, S::New.get(lang)),
            (_, Lang::En) => format!("{p} {} ({} {}) ", counts.open(p), new, S::New.get(lang)),
        };
        spans.push(Span::styled(text, priority_style(p)));
    }
    for (n, label) in [
        (counts.resolved, S::AwaitingClose),
        (counts.on_test, S::OnTestSignals),
    ] {
        if n > 0 {
            spans.push(Span::styled(
                format!("│ {} {n} ", label.get(lang)),
                Style::new().fg(Color::DarkGray),
            ));
        }
    }
    let site = state
        .incidents
        .site_filter()
        .unwrap_or(S::AllSites.get(lang));
    spans.push(Span::raw(format!(
        "│ {}: {site} ({} {})",
        S::Site.get(lang),
        state.incidents.visible().len(),
        S::Shown.get(lang)
    )));
    spans
}

fn header_line(cols: &Columns, lang: Lang) -> Line<'static> {
    let id = (S::IncidentId.get(lang).into(), cols.id);
    let cells = [
        (String::new(), MARKER),
        (S::Priority.get(lang).into(), PRIORITY),
        (S::Drill.get(lang).into(), DRILL_CELLS),
    ]
    .into_iter()
    .chain((cols.id > 0).then_some(id))
    .chain([
        (S::Kind.get(lang).into(), cols.kind),
        (S::Location.get(lang).into(), cols.location),
        (S::Age.get(lang).into(), AGE),
        (S::State.get(lang).into(), STATE),
        (S::Events.get(lang).into(), EVENTS),
        (S::Owner.get(lang).into(), cols.owner),
        (S::Marks.get(lang).into(), cols.marks),
    ]);
    let text: Vec<String> = cells
        .map(|(t, w): (String, usize)| text::pad(&t, w))
        .collect();
    Line::from(Span::styled(
        text.join(" "),
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
    ))
}

fn row(state: &State, incident: &IncidentView, cols: &Columns, selected: bool) -> Line<'static> {
    let lang = state.lang;
    let unacked_p1 = incident.priority == Priority::P1 && incident.is_alarming();
    let flashing = unacked_p1 && flash_on(state.now);
    let base = if flashing {
        ALERT
    } else if unacked_p1 {
        Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
    } else if incident.standing() != Standing::Active {
        // Resolved incidents awaiting their close and signals on test: below the alarms, grey.
        Style::new().fg(Color::DarkGray)
    } else {
        Style::new()
    };
    let base = match (selected, state.is_live()) {
        (true, _) => base.add_modifier(Modifier::REVERSED),
        (false, false) => base.add_modifier(Modifier::DIM),
        (false, true) => base,
    };
    let pending = state
        .pending
        .values()
        .any(|p| outgoing_is_for(&p.outgoing, &incident.id));
    let marker = format!(
        "{}{}",
        if selected { '▶' } else { ' ' },
        match (unacked_p1, flashing) {
            (true, true) => '●',
            (true, false) => '○',
            _ => ' ',
        }
    );
    let state_text = if pending {
        format!("{}…", state_name(incident.state, lang))
    } else {
        state_name(incident.state, lang).to_string()
    };
    let location = incident.location.to_string();
    let overdue = state
        .incidents
        .overdue(state.now)
        .any(|d| d.incident == incident.id);
    let sep = || Span::styled(" ", base);
    let mut spans = vec![
        Span::styled(marker, base),
        sep(),
        Span::styled(
            text::pad(&incident.priority.to_string(), PRIORITY),
            if flashing {
                base
            } else {
                base.patch(priority_style(incident.priority))
            },
        ),
        sep(),
        drill_span(incident, lang, DRILL_CELLS),
        sep(),
    ];
    if cols.id > 0 {
        spans.push(Span::styled(text::pad(&incident.id, cols.id), base));
        spans.push(sep());
    }
    spans.extend([
        Span::styled(text::pad(kind_name(incident.kind, lang), cols.kind), base),
        sep(),
        Span::styled(text::pad(&location, cols.location), base),
        sep(),
        Span::styled(
            text::pad(&text::age(incident.opened_at, state.now), AGE),
            base,
        ),
        sep(),
        Span::styled(text::pad(&state_text, STATE), base),
        sep(),
        Span::styled(text::pad(&incident.event_count.to_string(), EVENTS), base),
        sep(),
        Span::styled(
            text::pad(incident.owner.as_deref().unwrap_or("-"), cols.owner),
            base,
        ),
        sep(),
        Span::styled(
            text::pad(
                &row_marks(incident, overdue, lang, cols.marks < 16),
                cols.marks,
            ),
            if overdue {
                base.patch(Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD))
            } else {
                base
            },
        ),
    ]);
    Line::from(spans)
}

/// The row's marks, an overdue step first.
fn row_marks(incident: &IncidentView, overdue: bool, lang: Lang, compact: bool) -> String {
    let rest = marks(incident, lang, compact);
    if !overdue {
        return rest;
    }
    let word = S::Overdue.get(lang);
    if rest.is_empty() {
        word.to_string()
    } else {
        format!("{word} {rest}")
    }
}

fn outgoing_is_for(outgoing: &crate::outgoing::Outgoing, id: &str) -> bool {
    outgoing.command().incident() == Some(id)
}
