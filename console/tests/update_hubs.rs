//! `update` given / when / then for a console given several hubs: it names the hub it is on,
//! says where it is moving when one stops answering, and on reaching another hub trusts
//! nothing of the old picture until that hub's own snapshot replaces it.

use alert_hub::protocol::{ConsoleMessage, EventKind};
use console::action::{Action, Cue, Effect};
use console::link_trouble::LinkTrouble;
use console::sample::{self, T0};
use console::state::{Level, Link, State};
use console::strings::Lang;
use console::update::update;
use time::Duration;

mod common;
use common::*;

const A: &str = "10.0.0.1:7400";
const B: &str = "10.0.0.2:7400";

/// A live console on hub `A` showing the sample scene.
fn live_on_a() -> State {
    let mut state = State::new(Lang::En, console::config::DEFAULT_UTC_OFFSET, T0);
    update(
        &mut state,
        Action::LinkUp {
            at: T0,
            hub: Some(A.into()),
        },
    );
    update(&mut state, Action::Hub(Box::new(sample::scene())));
    let seq = state.feed.last_seq;
    update(&mut state, hub(ConsoleMessage::Live { seq }));
    assert!(state.is_live());
    state
}

fn a_lost(next: Option<&str>) -> Action {
    Action::LinkDown {
        at: T0 + Duration::seconds(5),
        attempt: 1,
        retry_in: Some(std::time::Duration::from_millis(100)),
        reason: LinkTrouble::Dropped("the connection ended".into()),
        next: next.map(str::to_string),
    }
}

#[test]
fn the_console_names_the_hub_it_is_on_and_the_one_it_moves_to() {
    let mut state = live_on_a();
    assert_eq!(
        state.link,
        Link::Connected {
            since: T0,
            hub: Some(A.into())
        }
    );
    let fx = update(&mut state, a_lost(Some(B)));
    assert_eq!(fx, [Effect::Sound(Cue::LinkLost)], "losing a hub sounds");
    assert!(!state.is_live(), "the board is stale while moving");
    let Link::Reconnecting { next, .. } = &state.link else {
        panic!("reconnecting");
    };
    assert_eq!(next.as_deref(), Some(B));
}

#[test]
fn on_another_hub_the_old_picture_is_not_trusted_until_its_snapshot_replaces_it() {
    let mut state = live_on_a();
    let on_a = state.incidents.len();
    update(&mut state, a_lost(Some(B)));
    update(
        &mut state,
        Action::LinkUp {
            at: T0 + Duration::seconds(6),
            hub: Some(B.into()),
        },
    );
    assert_eq!(state.feed.resume_after(), None, "no resuming across hubs");
    assert!(!state.is_live());
    let message = state.message.clone().expect("the move is said");
    assert_eq!(message.level, Level::Warning);
    assert!(message.text.contains(B), "{}", message.text);

    // Hub B has one incident A never had, at a lower sequence number than A's: B's snapshot
    // is the picture now, and B's `live` makes it live.
    let fresh = sample::incident("INC-0900", EventKind::FireAlarm, "green-garden");
    let ConsoleMessage::Snapshot {
        operator,
        on_test,
        drills,
        ..
    } = sample::scene()
    else {
        panic!("the sample scene is a snapshot");
    };
    let snapshot = ConsoleMessage::Snapshot {
        seq: 3,
        operator,
        incidents: vec![fresh],
        on_test,
        drills,
    };
    update(&mut state, hub(snapshot));
    update(&mut state, hub(ConsoleMessage::Live { seq: 3 }));
    assert!(state.is_live(), "live on B");
    assert_ne!(on_a, 1);
    assert_eq!(state.incidents.len(), 1, "nothing of A's picture is left");
    assert!(state.incidents.get("INC-0900").is_some());
    assert_eq!(
        state.link,
        Link::Connected {
            since: T0 + Duration::seconds(6),
            hub: Some(B.into())
        }
    );
}

#[test]
fn back_on_the_same_hub_the_console_resumes_where_it_was() {
    let mut state = live_on_a();
    let seq = state.feed.last_seq;
    update(&mut state, a_lost(None));
    update(
        &mut state,
        Action::LinkUp {
            at: T0 + Duration::seconds(6),
            hub: Some(A.into()),
        },
    );
    assert_eq!(state.feed.resume_after(), Some(seq));
}
