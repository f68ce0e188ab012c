//! Closing an incident from the board or its screen: asked with a key, confirmed with `y`.
//! A P1 takes two operators: the hub records the first close as a request, and the second
//! operator sees whose request they are confirming.

use alert_hub::protocol::{Command, IncidentState};

use crate::action::Effect;
use crate::outgoing::command;
use crate::state::{Level, Overlay, State};
use crate::strings::S;

/// Asks to close incident `id`: only a resolved incident can be closed; the confirmation
/// overlay says whose close request a second operator would be confirming.
pub fn ask(state: &mut State, id: &str) {
    let lang = state.lang;
    let Some(incident) = state.incidents.get(id) else {
        state.say(Level::Warning, S::IncidentGone.get(lang));
        return;
    };
    if incident.state != IncidentState::Resolved {
        state.say(Level::Info, S::ResolveBeforeClose.get(lang));
        return;
    }
    state.closing = Some(id.to_string());
    state.overlay = Some(Overlay::ConfirmClose);
}

/// Sends the close asked for, after the operator confirmed it.
pub fn confirm(state: &mut State, fx: &mut Vec<Effect>) {
    state.overlay = None;
    let Some(id) = state.closing.take() else {
        return;
    };
    let request = state.next_request_id();
    let out = command(request, Command::Close { incident: id });
    fx.extend(state.send(out));
}

/// Drops the close asked for.
pub fn cancel(state: &mut State) {
    state.overlay = None;
    state.closing = None;
}

/// The confirmation's question: a plain close, or the confirmation of another operator's
/// request to close a P1.
pub fn question(state: &State) -> String {
    let lang = state.lang;
    let Some(id) = state.closing.as_deref() else {
        return String::new();
    };
    let me = state.operator_id();
    let requested_by = state
        .incidents
        .get(id)
        .and_then(|i| i.close_requested_by.as_deref())
        .filter(|by| Some(*by) != me);
    let keys = S::ConfirmCloseKeys.get(lang);
    match requested_by {
        Some(by) => format!(
            "{} {id} — {} {by}?  {keys}",
            S::ConfirmCloseOf.get(lang),
            S::RequestedBy.get(lang)
        ),
        None => format!("{} {id}?  {keys}", S::CloseIncident.get(lang)),
    }
}
