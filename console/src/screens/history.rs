//! The history screen: past incidents, searchable by site, kind and date, each opening the
//! incident screen read-only. The list comes from the hub through `Effect::FetchHistory`.

use alert_hub::protocol::{EventKind, IncidentView};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use time::{Date, Month, OffsetDateTime, UtcOffset};

use super::{drill_span, priority_style, title_line};
use crate::action::{Effect, Intent, Screen};
use crate::queries::HistoryFilter;
use crate::state::{EditPurpose, Editor, State};
use crate::strings::{Lang, S, kind_name, state_name};
use crate::text;

/// How far back the history screen asks when the search names no date.
pub const DEFAULT_WINDOW: time::Duration = time::Duration::days(31);

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
    /// What was last asked of the hub.
    pub filter: HistoryFilter,
}

/// Fetches the past incidents the first time the screen is shown.
pub fn entered(state: &mut State, fx: &mut Vec<Effect>) {
    if state.history.status == HistoryStatus::NotLoaded {
        let query = state.history.query.clone();
        fetch(state, filter_for(state, &query), fx);
    }
}

fn fetch(state: &mut State, filter: HistoryFilter, fx: &mut Vec<Effect>) {
    state.history.status = HistoryStatus::Loading;
    state.history.filter = filter.clone();
    fx.push(Effect::FetchHistory(filter));
}

/// Takes a submitted search: matches it on screen, and asks the hub again when it names a
/// different period, kind or site than the list on screen was fetched for.
pub fn search(state: &mut State, query: String, fx: &mut Vec<Effect>) {
    let filter = filter_for(state, &query);
    set_query(state, query);
    if filter != state.history.filter || state.history.status != HistoryStatus::Loaded {
        fetch(state, filter, fx);
    }
}

/// What to ask the hub for a search: a date word (`2026-11-22`, `2026-11`, `2026`) bounds the
/// period (else the last [`DEFAULT_WINDOW`]), a kind's wire name (`fire.alarm`) the kind, and
/// the exact id of a site seen on the board or in the list the site. Every word is still
/// matched on screen as well.
pub fn filter_for(state: &State, query: &str) -> HistoryFilter {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let known_site = |word: &str| {
        state.incidents.sites().any(|s| s.to_lowercase() == word)
            || state
                .history
                .items
                .iter()
                .any(|i| i.location.site.to_lowercase() == word)
    };
    let period = words.iter().find_map(|w| period(w, state.offset));
    let (from, to) = match period {
        Some((from, to)) => (Some(from), Some(to)),
        None => (Some(state.now - DEFAULT_WINDOW), None),
    };
    HistoryFilter {
        site: words.iter().find(|w| known_site(w)).cloned(),
        kind: words
            .iter()
            .find_map(|w| EventKind::from_device(w))
            .or_else(|| {
                words
                    .iter()
                    .any(|w| w == EventKind::CommsLost.as_str())
                    .then_some(EventKind::CommsLost)
            }),
        from,
        to,
    }
}

/// The local-time period a date word names: a day, a month or a year, as `[from, to)`.
pub fn period(word: &str, offset: UtcOffset) -> Option<(OffsetDateTime, OffsetDateTime)> {
    let numbers: Vec<&str> = word.split('-').collect();
    let all_digits = numbers
        .iter()
        .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if !all_digits || numbers[0].len() != 4 {
        return None;
    }
    let year: i32 = numbers[0].parse().ok()?;
    let month = |n: &str| n.parse::<u8>().ok().and_then(|m| Month::try_from(m).ok());
    let (first, next) = match numbers[..] {
        [_] => (
            Date::from_calendar_date(year, Month::January, 1).ok()?,
            Date::from_calendar_date(year + 1, Month::January, 1).ok()?,
        ),
        [_, m] => {
            let m = month(m)?;
            let next_year = if m == Month::December { year + 1 } else { year };
            (
                Date::from_calendar_date(year, m, 1).ok()?,
                Date::from_calendar_date(next_year, m.next(), 1).ok()?,
            )
        }
        [_, m, d] => {
            let day = Date::from_calendar_date(year, month(m)?, d.parse().ok()?).ok()?;
            (day, day.next_day()?)
        }
        _ => return None,
    };
    let at = |d: Date| d.midnight().assume_offset(offset);
    Some((at(first), at(next)))
}

/// The period of a filter as the title shows it: `2026-11-22`, `2026-11-01 – 2026-11-30`, or
/// `since 2026-10-22` when it runs to now.
pub fn period_text(filter: &HistoryFilter, offset: UtcOffset, lang: Lang) -> Option<String> {
    let from = text::date(filter.from?, offset);
    let Some(to) = filter.to else {
        return Some(match lang {
            Lang::Zh => format!("{from} 起"),
            Lang::En => format!("since {from}"),
        });
    };
    let last = text::date(to - time::Duration::seconds(1), offset);
    Some(if last == from {
        from
    } else {
        format!("{from} – {last}")
    })
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
        // A new search replaces the last one: the editor starts empty.
        Intent::Search => {
            state.editor = Some(Editor {
                purpose: EditPurpose::HistorySearch,
                text: String::new(),
            })
        }
        Intent::Refresh => {
            let query = h.query.clone();
            fetch(state, filter_for(state, &query), fx);
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
    let mut status = match &h.status {
        HistoryStatus::Loading => S::HistoryLoading.get(lang).to_string(),
        HistoryStatus::Failed(reason) => reason.clone(),
        _ => format!("{}/{}", h.matches.len(), h.items.len()),
    };
    if let Some(period) = period_text(&h.filter, state.offset, lang) {
        status = format!("{period} · {status}");
    }
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
    // The id is always shown: it is how a record is asked for and cited.
    let id_w = 10;
    let fixed = 16 + 2 + 5 + id_w + kind_w + 6 + owner_w + 8;
    let loc_w = width.saturating_sub(fixed).max(4);
    let head = [
        text::pad(S::Opened.get(lang), 16),
        text::pad(S::Priority.get(lang), 2),
        text::pad(S::Drill.get(lang), 5),
        text::pad(S::IncidentId.get(lang), id_w),
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
                    " {} {} {} {} {}",
                    text::pad(&incident.id, id_w),
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
    use time::macros::datetime;

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

    #[test]
    fn date_words_name_a_local_day_month_or_year() {
        let offset = crate::config::DEFAULT_UTC_OFFSET;
        let (from, to) = period("2026-11-22", offset).unwrap();
        assert_eq!(from, datetime!(2026-11-21 16:00 UTC));
        assert_eq!(to, datetime!(2026-11-22 16:00 UTC));
        let (from, to) = period("2026-12", offset).unwrap();
        assert_eq!(from, datetime!(2026-11-30 16:00 UTC));
        assert_eq!(to, datetime!(2026-12-31 16:00 UTC));
        let (from, to) = period("2026", offset).unwrap();
        assert_eq!(from, datetime!(2025-12-31 16:00 UTC));
        assert_eq!(to, datetime!(2026-12-31 16:00 UTC));
        for word in [
            "2026-13",
            "2026-02-30",
            "26-11",
            "green-garden",
            "2026-11-22-1",
            "",
        ] {
            assert_eq!(period(word, offset), None, "{word}");
        }
    }

    #[test]
    fn a_search_narrows_what_is_asked_of_the_hub() {
        let mut state = crate::state::State::new(Lang::En, crate::config::DEFAULT_UTC_OFFSET, T0);
        state.incidents.replace_all(vec![sample::incident(
            "INC-1",
            EventKind::FireAlarm,
            "green-garden",
        )]);
        let plain = filter_for(&state, "smoke");
        assert_eq!(plain.from, Some(T0 - DEFAULT_WINDOW));
        assert_eq!(
            (plain.to, plain.site.as_deref(), plain.kind),
            (None, None, None)
        );
        let narrow = filter_for(&state, "Green-Garden fire.alarm 2026-11");
        assert_eq!(narrow.site.as_deref(), Some("green-garden"));
        assert_eq!(narrow.kind, Some(EventKind::FireAlarm));
        assert_eq!(
            period_text(&narrow, state.offset, Lang::En).as_deref(),
            Some("2026-11-01 – 2026-11-30")
        );
        let lost = filter_for(&state, "comms.lost");
        assert_eq!(lost.kind, Some(EventKind::CommsLost));
        assert_eq!(
            period_text(&plain, state.offset, Lang::Zh).as_deref(),
            Some("2026-10-22 起")
        );
    }
}
