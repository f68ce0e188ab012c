//! `update` given / when / then: the clock, sound, the hub link and feed, and fetches.

use alert_hub::protocol::{
    ConsoleMessage, EventKind, IncidentEvent, IncidentState, Priority, RefusalCode, Reply,
};
use console::action::{Action, Cue, Effect, Intent, Screen};
use console::config::DEFAULT_UTC_OFFSET;
use console::link_trouble::LinkTrouble;
use console::queries::IncidentRecord;
use console::sample::{self, T0};
use console::screens::history::HistoryStatus;
use console::screens::incident::LogFetch;
use console::sound::player::{BellReason, Output};
use console::state::{Level, Link, State};
use console::strings::{Lang, S};
use console::update::update;
use time::Duration;

mod common;
use common::*;

// --- time, size, sound -------------------------------------------------------------------

#[test]
fn a_tick_moves_the_clock_and_repeats_the_alarm_every_cycle() {
    let mut state = connected();
    let fx = update(&mut state, Action::Hub(Box::new(sample::scene())));
    assert_eq!(
        fx,
        [Effect::Sound(Cue::Alarm(Priority::P1))],
        "sounds at once"
    );
    assert!(
        update(
            &mut state,
            Action::Tick {
                now: T0 + Duration::seconds(1)
            }
        )
        .is_empty()
    );
    assert_eq!(state.now, T0 + Duration::seconds(1));
    let fx = update(
        &mut state,
        Action::Tick {
            now: T0 + Duration::seconds(4),
        },
    );
    assert_eq!(fx, [Effect::Sound(Cue::Alarm(Priority::P1))]);
}

#[test]
fn a_tick_expires_info_messages_and_unanswered_commands() {
    let mut state = live();
    state.say(Level::Info, "hello");
    intent(&mut state, Intent::Acknowledge);
    assert_eq!(state.pending.len(), 1);
    update(
        &mut state,
        Action::Tick {
            now: T0 + Duration::seconds(11),
        },
    );
    assert!(state.pending.is_empty());
    let message = state.message.clone().unwrap();
    assert_eq!(message.level, Level::Warning);
    assert!(
        message.text.starts_with(S::NoAnswer.get(Lang::En)),
        "{}",
        message.text
    );
    update(
        &mut state,
        Action::Tick {
            now: T0 + Duration::seconds(30),
        },
    );
    assert!(state.message.is_some(), "warnings stay");
}

#[test]
fn resize_records_the_terminal_size() {
    let mut state = connected();
    update(
        &mut state,
        Action::Resize {
            width: 160,
            height: 48,
        },
    );
    assert_eq!(state.size, (160, 48));
}

#[test]
fn audio_ready_records_what_cues_sound_through() {
    let mut state = connected();
    assert_eq!(state.audio, None, "not known until the player is checked");
    update(
        &mut state,
        Action::AudioReady {
            output: Output::Aplay,
        },
    );
    assert_eq!(state.audio, Some(Output::Aplay));
    let bell = Output::Bell(BellReason::NoPlayer);
    update(&mut state, Action::AudioReady { output: bell });
    assert_eq!(state.audio, Some(bell));
}

#[test]
fn a_cue_the_player_failed_to_play_sounds_again() {
    let mut state = connected();
    update(
        &mut state,
        Action::AudioReady {
            output: Output::Bell(BellReason::PlayerFailed),
        },
    );
    for cue in [
        Cue::Alarm(Priority::P1),
        Cue::LinkLost,
        Cue::Chime(Priority::P3),
    ] {
        assert_eq!(
            update(&mut state, Action::Unheard(cue)),
            [Effect::Sound(cue)]
        );
    }
}

#[test]
fn mute_silences_for_a_minute_and_a_new_p1_sounds_at_once() {
    let mut state = live();
    let fx = intent(&mut state, Intent::ToggleMute);
    assert_eq!(fx, [Effect::Silence]);
    assert!(
        update(
            &mut state,
            Action::Tick {
                now: T0 + Duration::seconds(8)
            }
        )
        .is_empty()
    );
    let new_p1 = sample::incident("INC-0200", EventKind::AccessDuress, "sunrise");
    let fx = update(
        &mut state,
        change(
            1204,
            new_p1,
            IncidentEvent::FlappingDetected { flap_count: 0 },
        ),
    );
    assert_eq!(fx, [Effect::Sound(Cue::Alarm(Priority::P1))]);
    assert_eq!(state.annunciator.muted_until(state.now), None);
}

#[test]
fn unmuting_lets_the_alarm_sound_again() {
    let mut state = live();
    intent(&mut state, Intent::ToggleMute);
    assert!(state.annunciator.muted_until(T0).is_some());
    let fx = intent(&mut state, Intent::ToggleMute);
    assert_eq!(fx, [Effect::Sound(Cue::Alarm(Priority::P1))]);
}

// --- the link and the feed ------------------------------------------------------------------

#[test]
fn link_up_and_down_drive_the_live_marker() {
    let mut state = State::new(Lang::En, DEFAULT_UTC_OFFSET, T0);
    assert!(matches!(state.link, Link::Connecting { .. }));
    update(&mut state, Action::LinkUp { at: T0, hub: None });
    assert!(!state.is_live(), "no snapshot yet");
    update(&mut state, Action::Hub(Box::new(sample::scene())));
    assert!(!state.is_live(), "not until the hub says so");
    assert_eq!(
        update(&mut state, hub(ConsoleMessage::Live { seq: 1200 })),
        [Effect::FetchCalendar { year: 2026 }],
        "live, the console asks for the year's drill calendar for its status line"
    );
    assert!(state.is_live());
    let down = |attempt, at| Action::LinkDown {
        at,
        attempt,
        retry_in: Some(std::time::Duration::from_millis(100)),
        reason: LinkTrouble::Dropped("reset".into()),
        next: None,
    };
    update(&mut state, down(1, T0 + Duration::seconds(5)));
    update(&mut state, down(2, T0 + Duration::seconds(6)));
    assert!(!state.is_live());
    let Link::Reconnecting { since, attempt, .. } = &state.link else {
        panic!("reconnecting");
    };
    assert_eq!(
        (*since, *attempt),
        (T0 + Duration::seconds(5), 2),
        "since the first drop"
    );
    assert_eq!(
        state.incidents.len(),
        4,
        "the picture is kept, drawn as stale"
    );
}

#[test]
fn a_snapshot_replaces_everything() {
    let mut state = live();
    assert_eq!(state.feed.last_seq, 1203);
    assert_eq!(state.incidents.log("INC-0107").len(), 3);
    let only_one = ConsoleMessage::Snapshot {
        seq: 5000,
        operator: sample::operator(),
        incidents: vec![sample::incident("INC-9", EventKind::FireTrouble, "x")],
        on_test: Vec::new(),
        drills: Vec::new(),
    };
    update(&mut state, Action::Hub(Box::new(only_one)));
    assert_eq!(state.incidents.len(), 1);
    assert!(state.on_test.is_empty() && state.drills.is_empty());
    assert_eq!(state.feed.last_seq, 5000);
    assert_eq!(state.board.selected.as_deref(), Some("INC-9"));
    assert!(state.incidents.log("INC-0107").is_empty());
}

#[test]
fn changes_apply_in_order_and_duplicates_are_ignored() {
    let mut state = live();
    let fire = state.incidents.get("INC-0107").cloned().unwrap();
    update(
        &mut state,
        change(
            1204,
            acked(fire.clone()),
            IncidentEvent::Acknowledged {
                operator: "op-zhang".into(),
            },
        ),
    );
    assert_eq!(
        state.incidents.get("INC-0107").unwrap().state,
        IncidentState::Acknowledged
    );
    update(
        &mut state,
        change(
            1204,
            fire,
            IncidentEvent::Acknowledged {
                operator: "x".into(),
            },
        ),
    );
    assert_eq!(
        state.incidents.get("INC-0107").unwrap().state,
        IncidentState::Acknowledged
    );
    assert_eq!(state.incidents.log("INC-0107").len(), 4);
}

#[test]
fn a_gap_in_the_feed_reconnects_and_marks_the_board_stale() {
    let mut state = live();
    let fire = state.incidents.get("INC-0107").cloned().unwrap();
    let fx = update(
        &mut state,
        change(
            1210,
            acked(fire.clone()),
            IncidentEvent::Acknowledged {
                operator: "a".into(),
            },
        ),
    );
    assert!(fx.contains(&Effect::Reconnect));
    assert!(!state.is_live());
    assert_eq!(
        state.incidents.get("INC-0107").unwrap().state,
        IncidentState::New,
        "not applied"
    );
    let fx = update(
        &mut state,
        change(
            1211,
            fire.clone(),
            IncidentEvent::Acknowledged {
                operator: "a".into(),
            },
        ),
    );
    assert!(!fx.contains(&Effect::Reconnect), "one reconnect per gap");
    update(
        &mut state,
        change(
            1204,
            acked(fire),
            IncidentEvent::Acknowledged {
                operator: "a".into(),
            },
        ),
    );
    assert!(!state.is_live(), "caught up, but not yet told so");
    assert_eq!(state.feed.last_seq, 1204);
    update(&mut state, hub(ConsoleMessage::Live { seq: 1204 }));
    assert!(state.is_live(), "the replay closed the gap");
}

#[test]
fn a_closed_incident_leaves_the_board() {
    let mut state = live();
    let mut fire = state.incidents.get("INC-0107").cloned().unwrap();
    fire.state = IncidentState::Closed;
    update(
        &mut state,
        change(
            1204,
            fire,
            IncidentEvent::Closed {
                operator: "a".into(),
                confirmed_by: None,
            },
        ),
    );
    assert!(state.incidents.get("INC-0107").is_none());
    assert_eq!(state.incidents.len(), 3);
}

#[test]
fn a_new_lesser_incident_chimes_once_when_no_alarm_sounds() {
    let mut state = live();
    for id in ["INC-0107", "INC-0108"] {
        let i = acked(state.incidents.get(id).cloned().unwrap());
        let seq = state.feed.last_seq + 1;
        update(
            &mut state,
            change(
                seq,
                i,
                IncidentEvent::Acknowledged {
                    operator: "a".into(),
                },
            ),
        );
    }
    let p3 = sample::incident("INC-0300", EventKind::AccessHeldOpen, "sunrise");
    let opened = IncidentEvent::Opened {
        view: Box::new(p3.clone()),
        event_seq: None,
    };
    let fx = update(&mut state, change(1206, p3, opened));
    assert_eq!(fx, [Effect::Sound(Cue::Chime(Priority::P3))]);
}

#[test]
fn a_resync_marks_the_board_stale_until_the_next_snapshot() {
    let mut state = live();
    update(
        &mut state,
        Action::Hub(Box::new(ConsoleMessage::Resync {
            reason: "behind".into(),
        })),
    );
    assert!(!state.is_live());
    assert_eq!(state.message.as_ref().unwrap().level, Level::Warning);
    update(&mut state, Action::Hub(Box::new(sample::scene())));
    assert!(!state.is_live());
    update(&mut state, hub(ConsoleMessage::Live { seq: 1200 }));
    assert!(state.is_live());
}

#[test]
fn a_refusal_comes_back_as_a_readable_message() {
    let mut state = live();
    let fx = intent(&mut state, Intent::Acknowledge);
    let request = match &fx[0] {
        Effect::Send(out) => out.request().to_string(),
        other => panic!("{other:?}"),
    };
    let reply = Reply {
        request,
        ok: false,
        error: Some(RefusalCode::NotPermitted),
        message: None,
    };
    update(
        &mut state,
        Action::Hub(Box::new(ConsoleMessage::Reply(reply))),
    );
    let message = state.message.clone().unwrap();
    assert_eq!(message.level, Level::Error);
    assert!(
        message.text.contains("your role may not do this"),
        "{}",
        message.text
    );
    assert!(message.text.contains("INC-0107"), "{}", message.text);
    assert!(state.pending.is_empty());
}

#[test]
fn an_accepted_reply_clears_the_pending_command() {
    let mut state = live();
    let fx = intent(&mut state, Intent::Acknowledge);
    let Effect::Send(out) = &fx[0] else { panic!() };
    let reply = Reply {
        request: out.request().into(),
        ok: true,
        error: None,
        message: None,
    };
    update(
        &mut state,
        Action::Hub(Box::new(ConsoleMessage::Reply(reply))),
    );
    assert!(state.pending.is_empty());
    assert_eq!(state.message.as_ref().unwrap().level, Level::Info);
}

#[test]
fn not_sent_clears_the_pending_command_and_says_so() {
    let mut state = live();
    let fx = intent(&mut state, Intent::Acknowledge);
    let Effect::Send(out) = &fx[0] else { panic!() };
    update(
        &mut state,
        Action::NotSent {
            request: out.request().into(),
            reason: "reset".into(),
        },
    );
    assert!(state.pending.is_empty());
    assert!(state.message.as_ref().unwrap().text.contains("reset"));
}

#[test]
fn commands_are_refused_locally_while_disconnected() {
    let mut state = live();
    update(
        &mut state,
        Action::LinkDown {
            at: T0,
            attempt: 1,
            retry_in: Some(Default::default()),
            reason: LinkTrouble::Dropped("x".into()),
            next: None,
        },
    );
    let fx = intent(&mut state, Intent::Acknowledge);
    assert!(sent(&fx).is_empty());
    assert_eq!(
        state.message.as_ref().unwrap().text,
        S::NotConnected.get(Lang::En)
    );
}

// --- background fetches -----------------------------------------------------------------------

#[test]
fn history_loads_newest_first_and_failures_are_shown() {
    let mut state = live();
    let fx = intent(&mut state, Intent::Show(Screen::History));
    assert!(matches!(fx[..], [Effect::FetchHistory(_)]), "{fx:?}");
    assert_eq!(state.history.status, HistoryStatus::Loading);
    let items = sample::many(5, T0);
    update(&mut state, Action::HistoryLoaded(Ok(items)));
    assert_eq!(state.history.matches.len(), 5);
    assert_eq!(state.history.items[0].opened_at, T0);
    update(&mut state, Action::HistoryLoaded(Err("down".into())));
    assert_eq!(state.history.status, HistoryStatus::Failed("down".into()));
}

#[test]
fn a_fetched_log_merges_with_what_was_received() {
    let mut state = live();
    open_fire(&mut state);
    let entries = vec![
        sample::note_entry(1100, "INC-0107", "earlier"),
        sample::note_entry(1202, "INC-0107", "dup"),
    ];
    let fire = state.incidents.get("INC-0107").cloned().unwrap();
    let mut stale = fire.clone();
    stale.state = alert_hub::protocol::IncidentState::Closed;
    update(
        &mut state,
        Action::LogLoaded {
            incident: "INC-0107".into(),
            loaded: Ok(Box::new(IncidentRecord {
                incident: stale,
                log: entries,
            })),
        },
    );
    assert_eq!(
        state.incidents.get("INC-0107"),
        Some(&fire),
        "a live incident follows the feed, not the fetched copy"
    );
    assert_eq!(state.incidents.log("INC-0107").len(), 4);
    assert_eq!(
        state.incident.open.as_ref().unwrap().log_fetch,
        LogFetch::Loaded
    );
    update(
        &mut state,
        Action::LogLoaded {
            incident: "INC-0107".into(),
            loaded: Err("no".into()),
        },
    );
    assert_eq!(
        state.incident.open.as_ref().unwrap().log_fetch,
        LogFetch::Failed("no".into())
    );
}

#[test]
fn losing_the_hub_sounds_and_a_refused_token_is_said_on_the_status_line() {
    let mut state = connected();
    let fx = update(
        &mut state,
        Action::LinkDown {
            at: T0,
            attempt: 1,
            retry_in: Some(std::time::Duration::from_millis(100)),
            reason: LinkTrouble::NoHub {
                addr: "127.0.0.1:7400".into(),
            },
            next: None,
        },
    );
    assert_eq!(fx, [Effect::Sound(Cue::LinkLost)], "losing the hub sounds");
    let again = update(
        &mut state,
        Action::LinkDown {
            at: T0,
            attempt: 2,
            retry_in: Some(std::time::Duration::from_millis(200)),
            reason: LinkTrouble::NoHub {
                addr: "127.0.0.1:7400".into(),
            },
            next: None,
        },
    );
    assert!(again.is_empty(), "each further attempt is quiet");
    let refused = update(
        &mut state,
        Action::LinkDown {
            at: T0,
            attempt: 3,
            retry_in: None,
            reason: LinkTrouble::TokenRefused { status: 401 },
            next: None,
        },
    );
    assert_eq!(refused, [Effect::Sound(Cue::LinkLost)]);
    let Link::Reconnecting { reason, .. } = &state.link else {
        panic!("not connected");
    };
    assert!(
        reason
            .text(Lang::En)
            .starts_with("the hub refused this token")
    );
}
