//! `update` given / when / then: the hub says it cannot store events (issue 15, item 1). The
//! console shows it on every screen and sounds it as a P1 until the hub says it stores again.

use alert_hub::protocol::{ConsoleMessage, Priority};
use console::action::{Action, Cue, Effect, Intent, Screen};
use console::sample::T0;
use console::state::Level;
use console::update::update;
use time::Duration;

mod common;
use common::*;

fn store_health(storing: bool) -> Action {
    hub(ConsoleMessage::StoreHealth { storing })
}

fn tick(state: &mut console::state::State, seconds: i64) -> Vec<Effect> {
    update(
        state,
        Action::Tick {
            now: T0 + Duration::seconds(seconds),
        },
    )
}

#[test]
fn a_failing_store_is_shown_and_sounds_as_a_p1_with_nothing_else_unacknowledged() {
    let mut state = live();
    state.incidents.replace_all(Vec::new());
    assert!(tick(&mut state, 1).is_empty(), "quiet before");

    let fx = update(&mut state, store_health(false));
    assert!(state.store_failing);
    assert!(
        fx.contains(&Effect::Sound(Cue::Alarm(Priority::P1))),
        "{fx:?}"
    );
    let message = state.message.as_ref().expect("a message");
    assert_eq!(message.level, Level::Error);

    let later = tick(&mut state, 10);
    assert!(
        later.contains(&Effect::Sound(Cue::Alarm(Priority::P1))),
        "it keeps sounding"
    );

    update(&mut state, store_health(true));
    assert!(!state.store_failing);
    assert!(
        tick(&mut state, 30).is_empty(),
        "quiet once the hub stores again"
    );
}

#[test]
fn muting_a_failing_store_lasts_a_minute_at_most() {
    let mut state = live();
    state.incidents.replace_all(Vec::new());
    update(&mut state, store_health(false));
    intent(&mut state, Intent::ToggleMute);
    assert!(tick(&mut state, 20).is_empty(), "muted");
    let fx = tick(&mut state, 70);
    assert!(
        fx.contains(&Effect::Sound(Cue::Alarm(Priority::P1))),
        "{fx:?}"
    );
}

#[test]
fn a_new_connection_starts_without_the_failure_until_the_hub_repeats_it() {
    let mut state = live();
    update(&mut state, store_health(false));
    let seq = state.feed.last_seq;
    update(&mut state, hub(ConsoleMessage::Live { seq }));
    assert!(!state.store_failing, "live means the hub stored up to it");
    update(&mut state, store_health(false));
    assert!(state.store_failing);
    state.screen = Screen::History;
    assert!(state.store_failing, "shown on every screen");
}
