//! `update` given / when / then: the hub's `live` marker, replays after a reconnect, the drill
//! and on-test lists, and alarms that come back after being acknowledged.

use alert_hub::protocol::{
    Bilingual, ConsoleMessage, DrillView, EventKind, IncidentEvent, IncidentState, OnTestView,
    Priority,
};
use console::action::{Action, Cue, Effect, Intent, Screen};
use console::link_trouble::LinkTrouble;
use console::sample::{self, DRILL_ID, T0};
use console::state::{Level, State};
use console::strings::{Lang, S};
use console::update::update;
use time::Duration;

mod common;
use common::*;

fn link_down(state: &mut State) {
    update(
        state,
        Action::LinkDown {
            at: T0,
            attempt: 1,
            retry_in: Some(std::time::Duration::from_millis(100)),
            reason: LinkTrouble::Dropped("reset".into()),
            next: None,
        },
    );
}

fn drill(id: &str, en: &str, started: i64) -> DrillView {
    DrillView::new(
        id,
        Bilingual {
            zh: format!("{en}（演练）"),
            en: en.into(),
        },
        T0 + Duration::minutes(started),
    )
}

// --- the live marker -------------------------------------------------------------------------

#[test]
fn a_reconnect_is_stale_until_the_replay_ends_with_live() {
    let mut state = live();
    assert_eq!(state.feed.resume_after(), Some(1203));
    link_down(&mut state);
    update(&mut state, Action::LinkUp { at: T0, hub: None });
    assert!(!state.is_live(), "connected, but the replay has not ended");
    let fire = state.incidents.get("INC-0107").cloned().unwrap();
    let ack = IncidentEvent::Acknowledged {
        operator: "op-li".into(),
    };
    update(&mut state, change(1204, acked(fire), ack));
    assert!(!state.is_live());
    let fx = update(&mut state, hub(ConsoleMessage::Live { seq: 1204 }));
    assert!(state.is_live());
    assert_eq!(
        fx,
        [
            Effect::FetchDrills {
                version: state.drills_version
            },
            Effect::FetchOnTest {
                version: state.on_test_version
            },
            Effect::FetchCalendar { year: 2026 }
        ],
        "a replay carries no drill or on-test list: ask for them"
    );
}

#[test]
fn a_live_marker_ahead_of_the_picture_means_changes_were_missed() {
    let mut state = live();
    let fx = update(&mut state, hub(ConsoleMessage::Live { seq: 1207 }));
    assert_eq!(fx, [Effect::Reconnect]);
    assert!(!state.is_live());
    assert_eq!(
        state.feed.resume_after(),
        Some(1203),
        "resume where the picture ends"
    );
    assert_eq!(
        state.message.as_ref().unwrap().text,
        S::FeedGap.get(Lang::En)
    );
}

#[test]
fn a_hub_behind_the_picture_gets_a_whole_snapshot_asked_for() {
    let mut state = live();
    link_down(&mut state);
    update(&mut state, Action::LinkUp { at: T0, hub: None });
    let fx = update(&mut state, hub(ConsoleMessage::Live { seq: 900 }));
    assert_eq!(fx, [Effect::Reconnect]);
    assert!(!state.is_live());
    assert_eq!(
        state.feed.resume_after(),
        None,
        "no resuming from a seq the hub never had"
    );
    assert_eq!(
        state.message.as_ref().unwrap().text,
        S::HubBehind.get(Lang::En)
    );
    let again = update(&mut state, hub(ConsoleMessage::Live { seq: 900 }));
    assert!(
        !again.contains(&Effect::Reconnect),
        "one reconnect at a time"
    );
    update(&mut state, Action::LinkUp { at: T0, hub: None });
    update(&mut state, hub(sample::scene()));
    update(&mut state, hub(ConsoleMessage::Live { seq: 1200 }));
    assert!(state.is_live());
}

#[test]
fn losing_the_link_makes_the_picture_stale_at_once() {
    let mut state = live();
    link_down(&mut state);
    assert!(!state.is_live());
    assert!(!state.feed.live);
    assert_eq!(state.incidents.len(), 4, "kept, drawn as stale");
}

// --- drills ------------------------------------------------------------------------------------

#[test]
fn the_drill_list_is_replaced_and_its_news_announced() {
    let mut state = live();
    let version = state.drills_version;
    let drills = vec![
        drill("q2-lift", "Q2 lift rescue drill", 5),
        drill("q1-evac", "Q1 evacuation drill", 1),
    ];
    update(&mut state, hub(ConsoleMessage::DrillsChanged { drills }));
    let ids: Vec<_> = state.drills.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["q1-evac", "q2-lift"], "oldest first");
    assert!(state.drills_version > version);
    let text = &state.message.as_ref().unwrap().text;
    assert!(text.contains("Drill started"), "{text}");
    assert!(text.contains("Q1 evacuation drill"), "{text}");
    assert!(text.contains("Drill ended"), "{text}");
    assert!(text.contains("Q4 lift entrapment rescue drill"), "{text}");

    update(
        &mut state,
        hub(ConsoleMessage::DrillsChanged { drills: vec![] }),
    );
    assert!(state.drills.is_empty());
    let banner: Vec<_> = state.running_drills().into_iter().map(|d| d.0).collect();
    assert_eq!(
        banner,
        [DRILL_ID],
        "an open drill incident keeps its banner after the drill ends"
    );
}

#[test]
fn drill_news_never_hides_a_warning() {
    let mut state = live();
    state.say(Level::Warning, "a real warning");
    let drills = vec![drill("q2-lift", "Q2 lift rescue drill", 5)];
    update(&mut state, hub(ConsoleMessage::DrillsChanged { drills }));
    assert_eq!(state.message.as_ref().unwrap().text, "a real warning");
    assert_eq!(state.drills.len(), 1);
}

#[test]
fn fetched_drills_apply_unless_the_feed_changed_them_meanwhile() {
    let mut state = live();
    let asked = state.drills_version;
    let fresh = vec![drill("q2-lift", "Q2 lift rescue drill", 5)];
    update(
        &mut state,
        hub(ConsoleMessage::DrillsChanged { drills: fresh }),
    );
    let stale = Ok(vec![drill("old", "Old drill", 0)]);
    update(
        &mut state,
        Action::DrillsLoaded {
            version: asked,
            drills: stale,
        },
    );
    assert_eq!(state.drills[0].id, "q2-lift", "the newer list stays");

    let version = state.drills_version;
    update(
        &mut state,
        Action::DrillsLoaded {
            version,
            drills: Ok(vec![]),
        },
    );
    assert!(state.drills.is_empty());
    let version = state.drills_version;
    update(
        &mut state,
        Action::DrillsLoaded {
            version,
            drills: Err("hub down".into()),
        },
    );
    let message = state.message.as_ref().unwrap();
    assert_eq!(message.level, Level::Warning);
    assert!(message.text.contains("hub down"));
}

// --- on test -------------------------------------------------------------------------------------

#[test]
fn the_on_test_list_is_replaced_sorted_and_the_scroll_kept_in_range() {
    let mut state = live();
    intent(&mut state, Intent::Show(Screen::OnTest));
    intent(&mut state, Intent::Last);
    assert_eq!(state.on_test_screen.selected, 1);
    let entry = |source: &str, minutes: i64| OnTestView {
        source: source.into(),
        device: None,
        authorised_by: "so-zhao".into(),
        reason: "maintenance".into(),
        since: T0,
        until: T0 + Duration::minutes(minutes),
    };
    let on_test = vec![entry("lift-gg-2", 30)];
    update(&mut state, hub(ConsoleMessage::OnTestChanged { on_test }));
    assert_eq!(state.on_test.len(), 1);
    assert_eq!(state.on_test_screen.selected, 0);
    let on_test = vec![entry("b", 90), entry("a", 10), entry("c", 10)];
    update(&mut state, hub(ConsoleMessage::OnTestChanged { on_test }));
    let order: Vec<_> = state.on_test.iter().map(|o| o.source.as_str()).collect();
    assert_eq!(order, ["a", "c", "b"], "soonest expiry first");

    let asked = state.on_test_version;
    update(
        &mut state,
        hub(ConsoleMessage::OnTestChanged { on_test: vec![] }),
    );
    let overtaken = Ok(vec![entry("old", 5)]);
    update(
        &mut state,
        Action::OnTestLoaded {
            version: asked,
            on_test: overtaken,
        },
    );
    assert!(state.on_test.is_empty(), "the newer list stays");
    let version = state.on_test_version;
    let fetched = Ok(vec![entry("z", 50), entry("y", 20)]);
    update(
        &mut state,
        Action::OnTestLoaded {
            version,
            on_test: fetched,
        },
    );
    let order: Vec<_> = state.on_test.iter().map(|o| o.source.as_str()).collect();
    assert_eq!(order, ["y", "z"]);
}

#[test]
fn a_notice_from_the_hub_is_shown_as_a_warning_in_the_operators_language() {
    let mut state = live();
    let text = Bilingual {
        zh: "测试将在10分钟后结束".into(),
        en: "The test ends in 10 minutes".into(),
    };
    update(&mut state, hub(ConsoleMessage::Notice { text }));
    let message = state.message.as_ref().unwrap();
    assert_eq!(message.level, Level::Warning);
    assert_eq!(message.text, "The test ends in 10 minutes");
}

// --- alarms that come back -------------------------------------------------------------------

#[test]
fn a_reopened_p1_sounds_like_a_new_alarm_even_through_an_earlier_mute() {
    let mut state = live();
    intent(&mut state, Intent::ToggleMute);
    let fire = state.incidents.get("INC-0107").cloned().unwrap();
    let drill = state.incidents.get("INC-0108").cloned().unwrap();
    for (seq, i) in [(1204, &fire), (1205, &drill)] {
        let ack = IncidentEvent::Acknowledged {
            operator: "op-li".into(),
        };
        update(&mut state, change(seq, acked(i.clone()), ack));
    }
    assert!(state.incidents.unacknowledged_p1().is_empty());
    state.now = T0 + Duration::seconds(10);
    let mut again = fire.clone();
    again.state = IncidentState::New;
    let reopened = IncidentEvent::Reopened {
        kind: EventKind::FireAlarm,
    };
    let fx = update(&mut state, change(1206, again, reopened));
    assert_eq!(fx, [Effect::Sound(Cue::Alarm(Priority::P1))]);
    assert_eq!(state.annunciator.muted_until(state.now), None);
    assert_eq!(state.incidents.position("INC-0107"), Some(0), "top again");
    let message = state.message.as_ref().unwrap();
    assert_eq!(message.level, Level::Warning);
    assert!(message.text.contains("INC-0107"), "{}", message.text);
    assert!(message.text.contains("alarmed again"), "{}", message.text);
}

#[test]
fn a_stalled_p1_realerted_by_the_hub_sounds_again_and_says_why() {
    let mut state = live();
    let fire = acked(state.incidents.get("INC-0107").cloned().unwrap());
    let drill = acked(state.incidents.get("INC-0108").cloned().unwrap());
    for (seq, i) in [(1204, fire.clone()), (1205, drill)] {
        let ack = IncidentEvent::Acknowledged {
            operator: "op-li".into(),
        };
        update(&mut state, change(seq, i, ack));
    }
    intent(&mut state, Intent::ToggleMute);
    let mut stalled = fire;
    stalled.state = IncidentState::New;
    let fx = update(
        &mut state,
        change(1206, stalled, IncidentEvent::StallReAlerted { minutes: 10 }),
    );
    assert_eq!(fx, [Effect::Sound(Cue::Alarm(Priority::P1))]);
    let message = state.message.as_ref().unwrap();
    assert_eq!(message.level, Level::Warning);
    assert!(message.text.starts_with("INC-0107"), "{}", message.text);
    assert!(
        message.text.contains("no progress for 10"),
        "{}",
        message.text
    );
}

#[test]
fn a_reopened_lesser_incident_chimes_again() {
    let mut state = live();
    acknowledge_scene_p1s(&mut state);
    let mut door = state.incidents.get("INC-0099").cloned().unwrap();
    door.state = IncidentState::New;
    let reopened = IncidentEvent::Reopened {
        kind: EventKind::AccessForced,
    };
    let fx = update(&mut state, change(1206, door, reopened));
    assert_eq!(fx, [Effect::Sound(Cue::Chime(Priority::P2))]);
    assert_eq!(
        state.incidents.get("INC-0099").unwrap().state,
        IncidentState::New
    );
}

#[test]
fn a_real_alarm_sorts_above_a_drill_of_the_same_priority_even_when_older() {
    let mut state = live();
    let drill = state.incidents.get("INC-0108").cloned().unwrap();
    let mut real = sample::incident("INC-0200", EventKind::ElevatorEntrapment, "green-garden");
    real.opened_at = drill.opened_at + Duration::minutes(3);
    let opened = IncidentEvent::Opened {
        view: Box::new(real.clone()),
        event_seq: None,
    };
    update(&mut state, change(1204, real, opened));
    let order: Vec<_> = state
        .incidents
        .visible()
        .iter()
        .map(|k| k.id.as_str())
        .collect();
    assert_eq!(
        order[..4],
        ["INC-0200", "INC-0107", "INC-0099", "INC-0108"],
        "the drill opened first and still comes after both real P1s and the real P2"
    );
}
