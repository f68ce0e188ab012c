//! The history screen: past incidents, searchable by site, kind and date, each opening the
//! incident screen read-only. The list comes from the hub through `Effect::FetchHistory`.

use alert_hub::protocol::IncidentView;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use time::UtcOffset;

use super::{drill_span, priority_style, title_line};
use crate::action::{Effect, Intent, Screen};
use crate::state::{EditPurpose, Editor, State};
use crate::strings::{Lang, S, kind_name, state_name};
use crate::text;

/// Whether the past incidents have been fetched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum HistoryStatus {
    #[default]
    NotLoaded,
    Loading,
    Loaded,
    Failed(String),
}

/// The history screen's state: the past incidents, newest first, and the search over them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryState {
    pub items: Vec<IncidentView>,
    pub query: String,
    /// Indexes into `items` that match the query, recomputed when the query or items change.
    pub matches: Vec<usize>,
    pub selected: usize,
    pub status: HistoryStatus,
}

/// Fetches the past incidents the first time the screen is shown.
pub fn entered(state: &mut State, fx: &mut Vec<Effect>) {
    if state.history.status == HistoryStatus::NotLoaded {
        state.history.status = HistoryStatus::Loading;
        fx.push(Effect::FetchHistory);
    }
}

/// Takes fetched past incidents (or the reason they could not be fetched).
pub fn loaded(state: &mut State, result: Result<Vec<IncidentView>, String>) {
    match result {
        Ok(mut items) => {
            items.sort_by(|a, b| b.opened_at.cmp(&a.opened_at).then(a.id.cmp(&b.id)));
            state.history.items = items;
            state.history.status = HistoryStatus::Loaded;
            let query = state.history.query.clone();
            set_query(state, query);
        }
        Err(reason) => state.history.status = HistoryStatus::Failed(reason),
    }
}

/// Sets the search text and recomputes the matches.
pub fn set_query(state: &mut State, query: String) {
    let tokens: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let offset = state.offset;
    let h = &mut state.history;
    h.matches = h
        .items
        .iter()
        .enumerate()
        .filter(|(_, i)| tokens.iter().all(|t| matches(i, t, offset)))
        .map(|(n, _)| n)
        .collect();
    h.query = query;
    h.selected = 0;
}

/// True when one search word matches the incident's site, place, kind (wire name or either
/// language), id, or opening date (`2026-11`, `2026-11-22`).
pub fn matches(incident: &IncidentView, token: &str, offset: UtcOffset) -> bool {
    let loc = &incident.location;
    let fields = [
        Some(loc.site.as_str()),
        loc.building.as_deref(),
        loc.zone.as_deref(),
        Some(incident.id.as_str()),
        Some(incident.kind.as_str()),
        Some(kind_name(incident.kind, Lang::Zh)),
        Some(kind_name(incident.kind, Lang::En)),
    ];
    fields
        .into_iter()
        .flatten()
        .any(|f| f.to_lowercase().contains(token))
        || text::date(incident.opened_at, offset).starts_with(token)
}

/// Handles the history screen's own intents.
pub fn handle(state: &mut State, intent: Intent, fx: &mut Vec<Effect>) {
    let len = state.history.matches.len();
    let page = usize::from(state.size.1).saturating_sub(7).max(1);
    let h = &mut state.history;
    match intent {
        Intent::Up => h.selected = h.selected.saturating_sub(1),
        Intent::Down => h.selected = (h.selected + 1).min(len.saturating_sub(1)),
        Intent::PageUp => h.selected = h.selected.saturating_sub(page),
        Intent::PageDown => h.selected = (h.selected + page).min(len.saturating_sub(1)),
        Intent::First => h.selected = 0,
        Intent::Last => h.selected = len.saturating_sub(1),
        Intent::Search => {
            state.editor = Some(Editor {
                purpose: EditPurpose::HistorySearch,
                text: h.query.clone(),
            })
        }
        Intent::Refresh => {
            h.status = HistoryStatus::Loading;
            fx.push(Effect::FetchHistory);
        }
        Intent::Open => {
            let chosen = h
                .matches
                .get(h.selected)
                .and_then(|n| h.items.get(*n))
                .cloned();
            if let Some(incident) = chosen {
                super::incident::open_history(state, incident, fx);
            }
        }
        _ => {}
    }
}

/// Draws the history screen.
pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let lang = state.lang;
    let h = &state.history;
    let [title, search, header, rows] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    let status = match &h.status {
        HistoryStatus::Loading => S::HistoryLoading.get(lang).to_string(),
        HistoryStatus::Failed(reason) => reason.clone(),
        _ => format!("{}/{}", h.matches.len(), h.items.len()),
    };
    frame.render_widget(
        title_line(state, Screen::History, vec![Span::raw(status)]),
        title,
    );
    let search_line = if h.query.is_empty() {
        Line::styled(
            format!("{}: {}", S::Search.get(lang), S::SearchHint.get(lang)),
            Style::new().add_modifier(Modifier::DIM),
        )
    } else {
        Line::from(format!("{}: {}", S::Search.get(lang), h.query))
    };
    frame.render_widget(search_line, search);
    let width = usize::from(area.width);
    let (kind_w, owner_w) = if width >= 120 { (14, 12) } else { (10, 8) };
    let fixed = 16 + 2 + 5 + kind_w + 6 + owner_w + 7;
    let loc_w = width.saturating_sub(fixed).max(4);
    let head = [
        text::pad(S::Opened.get(lang), 16),
        text::pad(S::Priority.get(lang), 2),
        text::pad(S::Drill.get(lang), 5),
        text::pad(S::Kind.get(lang), kind_w),
        text::pad(S::State.get(lang), 6),
        text::pad(S::Location.get(lang), loc_w),
        text::pad(S::Owner.get(lang), owner_w),
    ]
    .join(" ");
    frame.render_widget(
        Line::styled(
            head,
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        ),
        header,
    );
    if h.matches.is_empty() {
        if h.status == HistoryStatus::Loaded {
            frame.render_widget(Line::from(format!("  {}", S::NoHistory.get(lang))), rows);
        }
        return;
    }
    let height = usize::from(rows.height);
    let offset = h.selected / height * height;
    for (n, index) in h.matches.iter().skip(offset).take(height).enumerate() {
        let Some(incident) = h.items.get(*index) else {
            continue;
        };
        let selected = offset + n == h.selected;
        let base = if selected {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
        };
        let line = Line::from(vec![
            Span::styled(text::date_time(incident.opened_at, state.offset), base),
            Span::styled(" ", base),
            Span::styled(
                text::pad(&incident.priority.to_string(), 2),
                base.patch(priority_style(incident.priority)),
            ),
            Span::styled(" ", base),
            drill_span(incident, lang, 5),
            Span::styled(
                format!(
                    " {} {} {} {}",
                    text::pad(kind_name(incident.kind, lang), kind_w),
                    text::pad(state_name(incident.state, lang), 6),
                    text::pad(&incident.location.to_string(), loc_w),
                    text::pad(incident.owner.as_deref().unwrap_or("-"), owner_w),
                ),
                base,
            ),
        ]);
        frame.render_widget(line, Rect::new(rows.x, rows.y + n as u16, rows.width, 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::{self, T0};
    use alert_hub::protocol::EventKind;

    #[test]
    fn search_words_match_site_kind_in_either_language_and_date() {
        let fire = sample::incident("INC-1", EventKind::FireAlarm, "green-garden");
        let offset = crate::config::DEFAULT_UTC_OFFSET;
        for word in [
            "green",
            "fire.alarm",
            "火警",
            "fire alarm",
            "2026-11-22",
            "2026-11",
            "inc-1",
        ] {
            let word = word.to_lowercase();
            let hit = word.split_whitespace().all(|t| matches(&fire, t, offset));
            assert!(hit, "{word}");
        }
        assert!(!matches(&fire, "east-lake", offset));
        assert!(!matches(&fire, "2026-11-23", offset));
        assert_eq!(fire.opened_at, T0);
    }
}
