//! The reports screen, for managers: the incidents awaiting sign-off (most urgent first), a
//! pane that reads the month's report or one incident's post-incident report as the hub
//! writes it, and the review written (root cause, contributing factors, corrective actions)
//! and signed off. Everyone may read; the hub lets only managers and admins write.

pub mod draft;
mod render;

pub use render::render;

use alert_hub::protocol::{AwaitingSignOff, ReviewRecord, Role};
use hub_client::encode;
use time::{OffsetDateTime, UtcOffset};

use crate::action::{Effect, Intent};
use crate::markdown_view::{LineKind, lay_out};
use crate::state::{EditPurpose, Editor, Level, Overlay, State};
use crate::strings::{self, Lang};
use draft::Edit;

/// What arrives from the hub, in the screen's own terms.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Fetch<T> {
    #[default]
    NotLoaded,
    Loading,
    Loaded(T),
    Failed(String),
}

/// What the pane reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pane {
    /// The monthly report of `YYYY-MM`.
    Month(String),
    /// The post-incident report of an incident.
    Incident(String),
}

/// The reports screen's state.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportsState {
    pub queue: Fetch<Vec<AwaitingSignOff>>,
    pub selected: usize,
    /// How many months before this one the month pane reads.
    pub months_back: u32,
    pub pane: Pane,
    /// The pane's report in Markdown, as the hub wrote it.
    pub text: Fetch<String>,
    /// The first line of the pane shown.
    pub scroll: u16,
    /// The incident whose sign-off awaits the manager's `y`.
    pub signing: Option<String>,
    /// After a review is saved, the report arriving next opens at its review section, so the
    /// manager sees what the hub kept.
    pub at_review: bool,
}

impl Default for ReportsState {
    fn default() -> Self {
        ReportsState {
            queue: Fetch::NotLoaded,
            selected: 0,
            months_back: 0,
            pane: Pane::Month(String::new()),
            text: Fetch::NotLoaded,
            scroll: 0,
            signing: None,
            at_review: false,
        }
    }
}

impl ReportsState {
    /// The queued incident selected, if any.
    pub fn selected_entry(&self) -> Option<&AwaitingSignOff> {
        match &self.queue {
            Fetch::Loaded(queue) => queue.get(self.selected),
            _ => None,
        }
    }
}

/// `YYYY-MM` of the month `back` months before the one `now` falls in at `offset`.
pub fn month_label(now: OffsetDateTime, offset: UtcOffset, back: u32) -> String {
    let local = now.to_offset(offset);
    let index = local.year() * 12 + i32::from(u8::from(local.month())) - 1;
    let index = index - i32::try_from(back).unwrap_or(0);
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
    format!("{year:04}-{month:02}")
}

/// The path of the pane's report in `lang`, as Markdown.
pub fn report_path(pane: &Pane, lang: Lang) -> String {
    let lang = match lang {
        Lang::Zh => "zh",
        Lang::En => "en",
    };
    match pane {
        Pane::Month(month) => {
            format!(
                "/v1/reports/month?month={}&format=md&lang={lang}",
                encode(month)
            )
        }
        Pane::Incident(id) => {
            format!("/v1/incidents/{}/report?format=md&lang={lang}", encode(id))
        }
    }
}

/// Entering the screen: the queue asked for again, and the pane's report.
pub fn entered(state: &mut State, fx: &mut Vec<Effect>) {
    state.reports.queue = Fetch::Loading;
    fx.push(Effect::FetchReviews);
    if matches!(&state.reports.pane, Pane::Month(m) if m.is_empty()) {
        state.reports.pane = Pane::Month(month_label(state.now, state.offset, 0));
    }
    fetch_pane(state, fx);
}

/// Asks for the pane's report again (after a change of pane, language or review).
pub fn fetch_pane(state: &mut State, fx: &mut Vec<Effect>) {
    state.reports.text = Fetch::Loading;
    fx.push(Effect::FetchReport {
        pane: state.reports.pane.clone(),
        path: report_path(&state.reports.pane, state.lang),
    });
}

fn show_pane(state: &mut State, pane: Pane, fx: &mut Vec<Effect>) {
    state.reports.pane = pane;
    state.reports.scroll = 0;
    state.reports.at_review = false;
    fetch_pane(state, fx);
}

fn show_month(state: &mut State, back: u32, fx: &mut Vec<Effect>) {
    state.reports.months_back = back;
    let month = month_label(state.now, state.offset, back);
    show_pane(state, Pane::Month(month), fx);
}

/// Handles the screen's own intents.
pub fn handle(state: &mut State, intent: Intent, fx: &mut Vec<Effect>) {
    let count = match &state.reports.queue {
        Fetch::Loaded(q) => q.len(),
        _ => 0,
    };
    let last = count.saturating_sub(1);
    let page = state.size.1.saturating_sub(8).max(1);
    let back = state.reports.months_back;
    let r = &mut state.reports;
    match intent {
        Intent::Up => r.selected = r.selected.saturating_sub(1),
        Intent::Down => r.selected = (r.selected + 1).min(last),
        Intent::First => r.selected = 0,
        Intent::Last => r.selected = last,
        Intent::PageUp => r.scroll = r.scroll.saturating_sub(page),
        Intent::PageDown => r.scroll = r.scroll.saturating_add(page),
        Intent::Open => match r.selected_entry().map(|e| e.incident.id.clone()) {
            Some(id) => show_pane(state, Pane::Incident(id), fx),
            None => state.say(Level::Info, strings::nothing_selected(state.lang)),
        },
        Intent::ShowMonth => show_month(state, 0, fx),
        Intent::EarlierMonth => show_month(state, back.saturating_add(1), fx),
        Intent::LaterMonth => show_month(state, back.saturating_sub(1), fx),
        Intent::Refresh => entered(state, fx),
        Intent::WriteRootCause | Intent::AddFactor | Intent::AddAction => start_edit(state, intent),
        Intent::SignOff => {
            if let Some(id) = reviewable(state) {
                state.reports.signing = Some(id);
                state.overlay = Some(Overlay::ConfirmSignOff);
            }
        }
        Intent::ConfirmSignOff => {
            state.overlay = None;
            if let Some(incident) = state.reports.signing.take() {
                fx.push(Effect::SignOff { incident });
            }
        }
        Intent::CancelSignOff => {
            state.overlay = None;
            state.reports.signing = None;
        }
        _ => {}
    }
}

/// The selected incident, when this console's person may review it; otherwise says why not.
fn reviewable(state: &mut State) -> Option<String> {
    let lang = state.lang;
    let role = state.operator.as_ref().map(|o| o.role);
    if !matches!(role, Some(Role::Manager | Role::Admin)) {
        state.say(Level::Warning, strings::not_a_reviewer(lang));
        return None;
    }
    let id = state
        .reports
        .selected_entry()
        .map(|e| e.incident.id.clone());
    if id.is_none() {
        state.say(Level::Info, strings::nothing_selected(lang));
    }
    id
}

fn start_edit(state: &mut State, intent: Intent) {
    let Some(incident) = reviewable(state) else {
        return;
    };
    let current = state
        .reports
        .selected_entry()
        .and_then(|e| e.review.as_ref())
        .map(|r| r.review.root_cause.clone())
        .unwrap_or_default();
    let (purpose, text) = match intent {
        Intent::WriteRootCause => (EditPurpose::RootCause { incident }, current),
        Intent::AddFactor => (EditPurpose::Factor { incident }, String::new()),
        _ => (EditPurpose::CorrectiveAction { incident }, String::new()),
    };
    state.editor = Some(Editor { purpose, text });
}

/// A typed edit of the review of `incident`: checked here, then sent to the hub whole.
pub fn submit(state: &mut State, purpose: EditPurpose, text: String, fx: &mut Vec<Effect>) {
    let (incident, edit) = match purpose {
        EditPurpose::RootCause { incident } => (incident, Edit::RootCause(text)),
        EditPurpose::Factor { incident } => (incident, Edit::Factor(text)),
        EditPurpose::CorrectiveAction { incident } => (incident, Edit::Action(text)),
        _ => return,
    };
    let current = match &state.reports.queue {
        Fetch::Loaded(q) => q
            .iter()
            .find(|e| e.incident.id == incident)
            .and_then(|e| e.review.as_ref()),
        _ => None,
    };
    match draft::apply(current, edit) {
        Ok(review) => fx.push(Effect::WriteReview { incident, review }),
        Err(e) => {
            let text = strings::draft_error(&e, state.lang);
            state.say(Level::Warning, text);
        }
    }
}

/// The queue arrived, or could not be fetched.
pub fn reviews_loaded(state: &mut State, result: Result<Vec<AwaitingSignOff>, String>) {
    let r = &mut state.reports;
    r.queue = match result {
        Ok(queue) => {
            r.selected = r.selected.min(queue.len().saturating_sub(1));
            Fetch::Loaded(queue)
        }
        Err(why) => Fetch::Failed(why),
    };
}

/// A report arrived for `pane`; dropped when the pane has moved on since.
pub fn report_loaded(state: &mut State, pane: Pane, text: Result<String, String>) {
    if state.reports.pane != pane {
        return;
    }
    if std::mem::take(&mut state.reports.at_review) {
        if let Ok(md) = &text {
            let heading = strings::review_heading(state.lang);
            let at = lay_out(md)
                .iter()
                .position(|l| l.kind == LineKind::Heading && l.text == heading);
            state.reports.scroll = at.and_then(|n| u16::try_from(n).ok()).unwrap_or(0);
        }
    }
    state.reports.text = match text {
        Ok(text) => Fetch::Loaded(text),
        Err(why) => Fetch::Failed(why),
    };
}

/// The hub kept the review of `incident` (written, or signed off), or said why not.
pub fn review_saved(
    state: &mut State,
    incident: String,
    signed: bool,
    result: Result<ReviewRecord, String>,
    fx: &mut Vec<Effect>,
) {
    let lang = state.lang;
    let record = match result {
        Ok(record) => record,
        Err(why) => {
            state.say(Level::Error, format!("{incident}: {why}"));
            return;
        }
    };
    if let Fetch::Loaded(queue) = &mut state.reports.queue {
        if signed {
            queue.retain(|e| e.incident.id != incident);
            state.reports.selected = state.reports.selected.min(queue.len().saturating_sub(1));
        } else if let Some(entry) = queue.iter_mut().find(|e| e.incident.id == incident) {
            entry.review = Some(record);
        }
    }
    let text = if signed {
        strings::signed_off(&incident, lang)
    } else {
        strings::review_saved(&incident, lang)
    };
    state.say(Level::Info, text);
    if state.reports.pane == Pane::Incident(incident.clone()) {
        fetch_pane(state, fx);
    } else {
        show_pane(state, Pane::Incident(incident), fx);
    }
    state.reports.at_review = true;
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};

    #[test]
    fn months_are_counted_back_in_the_control_rooms_clock() {
        let now = datetime!(2026-11-30 17:00 UTC);
        assert_eq!(month_label(now, offset!(+8), 0), "2026-12");
        assert_eq!(month_label(now, UtcOffset::UTC, 0), "2026-11");
        assert_eq!(month_label(now, offset!(+8), 12), "2025-12");
        assert_eq!(month_label(now, UtcOffset::UTC, 11), "2025-12");
    }

    #[test]
    fn the_pane_asks_the_hub_for_markdown_in_the_console_language() {
        assert_eq!(
            report_path(&Pane::Month("2026-11".into()), Lang::En),
            "/v1/reports/month?month=2026-11&format=md&lang=en"
        );
        assert_eq!(
            report_path(&Pane::Incident("INC-000007".into()), Lang::Zh),
            "/v1/incidents/INC-000007/report?format=md&lang=zh"
        );
    }
}
