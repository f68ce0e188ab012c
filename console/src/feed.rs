//! The hub's console feed applied to the state: snapshots, numbered changes, the `live`
//! marker, the on-test and drill lists, and the replies to commands.
//!
//! The picture is only called live once the hub says so (`live` at exactly the last sequence
//! number applied); a missed change, a `live` the console cannot match, or a resync makes it
//! stale again and asks for whatever closes the hole.

use alert_hub::protocol::{
    Change, ConsoleMessage, DrillView, IncidentEvent, OnTestView, OperatorInfo, Reply,
};

use crate::action::Effect;
use crate::screens::{board, drills, handover, on_test};
use crate::state::{Level, State};
use crate::strings::{S, event_text, refusal_text};
use crate::update::{annunciate, describe};

/// Applies one message from the hub.
pub fn apply(state: &mut State, message: ConsoleMessage, fx: &mut Vec<Effect>) {
    match message {
        ConsoleMessage::Snapshot {
            seq,
            operator,
            incidents,
            on_test,
            drills,
        } => {
            state.incidents.replace_all(incidents);
            snapshot_lists(state, operator, on_test, drills);
            state.feed.last_seq = seq;
            state.feed.have_snapshot = true;
            state.feed.gap = false;
            state.feed.snapshot_on_link = true;
            board::keep_selection(state);
        }
        ConsoleMessage::Change { seq, change } => changed(state, seq, *change, fx),
        ConsoleMessage::Reply(reply) => replied(state, reply),
        ConsoleMessage::Live { seq } => live(state, seq, fx),
        ConsoleMessage::OnTestChanged { on_test } => on_test_changed(state, on_test),
        ConsoleMessage::DrillsChanged { drills } => {
            drills_changed(state, drills);
            // A drill that ended may have done a calendar entry.
            fx.push(drills::fetch(state));
        }
        ConsoleMessage::HandOvers { handovers } => handover::records_changed(state, handovers),
        ConsoleMessage::Notice { text } => {
            let text = state.lang.of(&text).to_string();
            state.say(Level::Warning, text);
        }
        ConsoleMessage::StoreHealth { storing } => store_health(state, storing, fx),
        ConsoleMessage::Resync { reason } => {
            state.feed.have_snapshot = false;
            state.feed.live = false;
            let text = format!("{}: {reason}", S::Resyncing.get(state.lang));
            state.say(Level::Warning, text);
        }
    }
}

fn snapshot_lists(
    state: &mut State,
    operator: OperatorInfo,
    on_test: Vec<OnTestView>,
    drills: Vec<DrillView>,
) {
    on_test_changed(state, on_test);
    state.drills = drills;
    state.drills_version += 1;
    state.operator = Some(operator);
}

/// The hub can store events again, or cannot: the banner, and the alarm sounding at once.
fn store_health(state: &mut State, storing: bool, fx: &mut Vec<Effect>) {
    let was_failing = std::mem::replace(&mut state.store_failing, !storing);
    match (was_failing, storing) {
        (false, false) => {
            let text = format!(
                "{}: {}",
                S::StoreFailing.get(state.lang),
                S::StoreFailingHint.get(state.lang)
            );
            state.say(Level::Error, text);
            annunciate(state, fx);
        }
        (true, true) => state.say(Level::Info, S::StoreRecovered.get(state.lang)),
        _ => {}
    }
}

/// The hub says everything it had up to `seq` has been sent on this connection.
fn live(state: &mut State, seq: u64, fx: &mut Vec<Effect>) {
    // The hub sends `live` only once it has stored up to it; it repeats a store failure after.
    state.store_failing = false;
    let feed = state.feed;
    if !feed.have_snapshot || seq < feed.last_seq {
        // No picture to continue, or the hub has less than the screen shows (its data was
        // replaced or lost): only a whole snapshot can be trusted now.
        state.feed.have_snapshot = false;
        state.feed.live = false;
        if !feed.gap {
            state.feed.gap = true;
            state.say(Level::Warning, S::HubBehind.get(state.lang));
            fx.push(Effect::Reconnect);
        }
        return;
    }
    if seq > feed.last_seq {
        missed(state, fx);
        return;
    }
    state.feed.live = true;
    state.feed.gap = false;
    if !feed.snapshot_on_link {
        // A replay carries the changes but not the drill and on-test lists; ask for them.
        fx.push(Effect::FetchDrills {
            version: state.drills_version,
        });
        fx.push(Effect::FetchOnTest {
            version: state.on_test_version,
        });
    }
    // The calendar is not on the feed at all: the status line names the nearest due drill.
    fx.push(drills::fetch(state));
}

/// A change was missed: the picture is stale until a reconnect replays it.
fn missed(state: &mut State, fx: &mut Vec<Effect>) {
    state.feed.live = false;
    if !state.feed.gap {
        state.feed.gap = true;
        state.say(Level::Warning, S::FeedGap.get(state.lang));
        fx.push(Effect::Reconnect);
    }
}

fn changed(state: &mut State, seq: u64, change: Change, fx: &mut Vec<Effect>) {
    let feed = state.feed;
    if seq <= feed.last_seq && (feed.have_snapshot || feed.last_seq > 0) {
        return;
    }
    if feed.have_snapshot && seq != feed.last_seq + 1 {
        missed(state, fx);
        return;
    }
    state.feed.last_seq = seq;
    state.feed.gap = false;
    let chime = match &change.entry.event {
        IncidentEvent::Opened { .. } => Some(change.incident.priority),
        IncidentEvent::Reopened { .. } | IncidentEvent::StallReAlerted { .. } => {
            // It needs acknowledging again, and sounds like a new alarm: a mute taken
            // before does not cover it.
            state.annunciator.reopened(&change.incident.id);
            let what = event_text(&change.entry.event, state.lang, None);
            let text = format!("{} {what}", change.incident.id);
            state.say(Level::Warning, text);
            Some(change.incident.priority)
        }
        IncidentEvent::PriorityRaised { to, .. } => Some(*to),
        IncidentEvent::CloseRequested { operator } => {
            if state.operator_id() != Some(operator.as_str()) {
                let text = format!(
                    "{} {operator} {}",
                    change.incident.id,
                    S::CloseAsked.get(state.lang)
                );
                state.say(Level::Warning, text);
            }
            None
        }
        _ => None,
    };
    // A signal from a source or device on test never sounds.
    let chime = chime.filter(|_| !change.incident.on_test);
    state.incidents.upsert(change.incident);
    state.incidents.record_log(change.entry);
    board::keep_selection(state);
    if let Some(priority) = chime {
        annunciate(state, fx);
        if let Some(cue) = state.annunciator.chime(priority, state.now) {
            fx.push(Effect::Sound(cue));
        }
    }
}

fn on_test_changed(state: &mut State, mut on_test: Vec<OnTestView>) {
    on_test.sort_by(|a, b| a.until.cmp(&b.until).then(a.source.cmp(&b.source)));
    on_test::replaced(state, on_test);
    state.on_test_version += 1;
}

/// The on-test list fetched after a replay; dropped when the feed changed it meanwhile.
pub fn on_test_loaded(state: &mut State, version: u64, result: Result<Vec<OnTestView>, String>) {
    match result {
        Ok(on_test) if version == state.on_test_version => on_test_changed(state, on_test),
        Ok(_) => {}
        Err(reason) => {
            let text = format!("{}: {reason}", S::OnTestUnknown.get(state.lang));
            state.say(Level::Warning, text);
        }
    }
}

/// The hub's list of running drills replaced ours; drills that started or ended are announced.
pub fn drills_changed(state: &mut State, mut drills: Vec<DrillView>) {
    drills.sort_by(|a, b| a.started_at.cmp(&b.started_at).then(a.id.cmp(&b.id)));
    let lang = state.lang;
    let started: Vec<String> = drills
        .iter()
        .filter(|d| !state.drills.iter().any(|o| o.id == d.id))
        .map(|d| lang.of(&d.name).to_string())
        .collect();
    let ended: Vec<String> = state
        .drills
        .iter()
        .filter(|o| !drills.iter().any(|d| d.id == o.id))
        .map(|o| lang.of(&o.name).to_string())
        .collect();
    let mut news = Vec::new();
    if !started.is_empty() {
        news.push(format!(
            "{}: {}",
            S::DrillStarted.get(lang),
            started.join(", ")
        ));
    }
    if !ended.is_empty() {
        news.push(format!("{}: {}", S::DrillEnded.get(lang), ended.join(", ")));
    }
    // News of a drill never hides a warning (an alarm come back, a missed change).
    let quiet = state
        .message
        .as_ref()
        .is_none_or(|m| m.level == Level::Info);
    if !news.is_empty() && quiet {
        state.say(Level::Info, news.join(" · "));
    }
    state.drills = drills;
    state.drills_version += 1;
}

/// The drill list fetched after a replay; dropped when the feed changed it meanwhile.
pub fn drills_loaded(state: &mut State, version: u64, result: Result<Vec<DrillView>, String>) {
    match result {
        Ok(drills) if version == state.drills_version => drills_changed(state, drills),
        Ok(_) => {}
        Err(reason) => {
            let text = format!("{}: {reason}", S::DrillsUnknown.get(state.lang));
            state.say(Level::Warning, text);
        }
    }
}

fn replied(state: &mut State, reply: Reply) {
    let Some(pending) = state.pending.remove(&reply.request) else {
        return;
    };
    if let Some(confirming) = pending.outgoing.hand_over() {
        handover::replied(state, &reply, confirming);
        return;
    }
    let what = describe(state, &pending.outgoing);
    if reply.ok {
        let text = format!("{what}: {}", S::Done.get(state.lang));
        state.say(Level::Info, text);
        return;
    }
    let why = refusal_text(&reply, state.lang);
    let text = format!("{} — {what}: {why}", S::Refused.get(state.lang));
    state.say(Level::Error, text);
}
