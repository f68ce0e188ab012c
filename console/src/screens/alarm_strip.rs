//! The alarm strip: while an unacknowledged P1 waits, every screen but the board (whose first
//! rows already show it) carries one line with how many wait, the newest one's kind and place,
//! and the key that opens it. A new P1 is never hidden behind the screen an operator is on.

use alert_hub::protocol::IncidentView;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use super::{ALERT, flash_on};
use crate::action::{Effect, Screen};
use crate::state::{Level, State};
use crate::strings::{S, kind_name};

/// The newest unacknowledged P1 that is not a test, if any.
pub fn newest(state: &State) -> Option<&IncidentView> {
    state
        .incidents
        .unacknowledged_p1()
        .iter()
        .filter_map(|id| state.incidents.get(id))
        .max_by(|a, b| {
            (a.opened_at, a.last_event_at, &a.id).cmp(&(b.opened_at, b.last_event_at, &b.id))
        })
}

/// The strip's line, when it is shown.
pub fn line(state: &State) -> Option<Line<'static>> {
    if state.screen == Screen::Board {
        return None;
    }
    let newest = newest(state)?;
    let lang = state.lang;
    let count = state.incidents.unacknowledged_p1().len();
    let style = if flash_on(state.now) {
        ALERT.add_modifier(Modifier::SLOW_BLINK)
    } else {
        Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
    };
    let drill = newest
        .drill
        .as_ref()
        .map(|_| format!("[{}] ", S::Drill.get(lang)))
        .unwrap_or_default();
    // The key comes before the place, so a narrow terminal never cuts it off.
    let text = format!(
        " ● {} ×{count} · p {} · {}: {drill}{} {} {} ",
        S::UnacknowledgedP1.get(lang),
        S::OpenIt.get(lang),
        S::Newest.get(lang),
        kind_name(newest.kind, lang),
        newest.location,
        newest.id,
    );
    Some(Line::from(Span::styled(text, style)))
}

/// Opens the newest unacknowledged P1 (the strip's key).
pub fn jump(state: &mut State, fx: &mut Vec<Effect>) {
    match newest(state).map(|i| i.id.clone()) {
        Some(id) => super::incident::open_live(state, &id, fx),
        None => state.say(Level::Info, S::NoUnacknowledgedP1.get(state.lang)),
    }
}
