//! Every screen drawn into a `TestBackend` at 80×24 and 160×48, in Chinese and English, with
//! a drill running, compared with reviewed snapshots. The clock is fixed at the sample's T0.
#![allow(clippy::expect_used)]

use alert_hub::protocol::{
    AttemptStatus, AttemptView, AwaitingSignOff, CallOutcome, Callee, ConsoleMessage, EventKind,
    HandOverRecord, HandOverStatus, IncidentEvent, IncidentState, OperatorInfo, PhoneCall, Review,
    ReviewChange, ReviewChangeKind, ReviewRecord, Role,
};
use console::action::{Action, Intent, Screen};
use console::link_trouble::LinkTrouble;
use console::sample::{self, T0};
use console::sound::player::{BellReason, Output};
use console::state::State;
use console::strings::Lang;
use console::update::update;
use ratatui::style::Color;
use time::Duration;

mod common;
use common::{buffer, change, draw, intent, live};

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

/// Snapshots `state` at both sizes in both languages and checks the drill marker is there.
fn snapshot_all(name: &str, state: &mut State) {
    for lang in [Lang::Zh, Lang::En] {
        state.lang = lang;
        for (w, h) in SIZES {
            let text = draw(state, w, h);
            let word = match lang {
                Lang::Zh => "演练",
                Lang::En => "DRILL",
            };
            assert!(
                text.contains(word),
                "{name} {w}x{h} {lang:?} has no drill marker"
            );
            let lang_name = format!("{lang:?}").to_lowercase();
            insta::assert_snapshot!(format!("{name}_{w}x{h}_{lang_name}"), text);
        }
    }
}

fn with_history(state: &mut State) {
    let mut past = sample::many(8, T0 - Duration::days(1));
    let mut drill = sample::incident("INC-0050", EventKind::ElevatorEntrapment, "east-lake");
    drill.drill = Some("drill-2026-q3".into());
    drill.state = IncidentState::Closed;
    drill.opened_at = T0 - Duration::days(40);
    past.push(drill);
    let mut fire = sample::with_playbook(sample::incident(
        "INC-0042",
        EventKind::FireAlarm,
        "green-garden",
    ));
    fire.state = IncidentState::Closed;
    fire.owner = Some("op-li".into());
    fire.opened_at = T0 - Duration::days(3);
    past.push(fire);
    for p in &mut past {
        p.state = IncidentState::Closed;
    }
    intent(state, Intent::Show(Screen::History));
    update(state, Action::HistoryLoaded(Ok(past)));
}

#[test]
fn board_on_one_of_several_hubs_names_it() {
    let mut state = live();
    update(
        &mut state,
        Action::LinkUp {
            at: T0,
            hub: Some("10.0.0.2:7400".into()),
        },
    );
    let seq = state.feed.last_seq;
    update(
        &mut state,
        Action::Hub(Box::new(ConsoleMessage::Live { seq })),
    );
    snapshot_all("board_on_hub", &mut state);
}

#[test]
fn board_moving_to_another_hub_says_where() {
    let mut state = live();
    update(
        &mut state,
        Action::LinkDown {
            at: T0 - Duration::seconds(3),
            attempt: 1,
            retry_in: Some(std::time::Duration::from_millis(100)),
            reason: LinkTrouble::NoHub {
                addr: "10.0.0.1:7400".into(),
            },
            next: Some("10.0.0.2:7400".into()),
        },
    );
    snapshot_all("board_moving", &mut state);
}

#[test]
fn board() {
    snapshot_all("board", &mut live());
}

#[test]
fn board_while_reconnecting_is_marked_stale() {
    let mut state = live();
    update(
        &mut state,
        Action::LinkDown {
            at: T0 - Duration::seconds(20),
            attempt: 3,
            retry_in: Some(std::time::Duration::from_millis(400)),
            reason: LinkTrouble::NoHub {
                addr: "127.0.0.1:7400".into(),
            },
            next: None,
        },
    );
    snapshot_all("board_stale", &mut state);
}

#[test]
fn board_with_help() {
    let mut state = live();
    update(
        &mut state,
        Action::AudioReady {
            output: Output::Aplay,
        },
    );
    intent(&mut state, Intent::ToggleHelp);
    snapshot_all("board_help", &mut state);
}

#[test]
fn incident() {
    let mut state = live();
    state.board.selected = Some("INC-0107".into());
    intent(&mut state, Intent::Open);
    update(
        &mut state,
        Action::LogLoaded {
            incident: "INC-0107".into(),
            loaded: Err("the hub at 127.0.0.1:7700 did not answer in time".into()),
        },
    );
    state.now = T0 + Duration::minutes(1) + Duration::seconds(20);
    snapshot_all("incident", &mut state);
}

#[test]
fn incident_of_a_drill() {
    let mut state = live();
    state.board.selected = Some("INC-0108".into());
    intent(&mut state, Intent::Open);
    snapshot_all("incident_drill", &mut state);
}

#[test]
fn incident_with_an_overdue_step_and_a_note_being_typed() {
    let mut state = live();
    state.board.selected = Some("INC-0107".into());
    intent(&mut state, Intent::Open);
    state.now = T0 + Duration::minutes(4);
    intent(&mut state, Intent::Note);
    for c in "二号探测器也报警".chars() {
        update(
            &mut state,
            Action::Key(ratatui::crossterm::event::KeyEvent::from(
                ratatui::crossterm::event::KeyCode::Char(c),
            )),
        );
    }
    snapshot_all("incident_overdue", &mut state);
}

/// The fire once it is confirmed: the current step calls 119 and shows the number, and the
/// notification panel shows whom each level calls.
fn calling_119() -> State {
    let mut state = live();
    let fire = state.incidents.get("INC-0107").cloned();
    let mut fire = sample::at_call_119(fire.expect("the sample fire"));
    let called = IncidentEvent::CalledByPhone {
        attempt: 9,
        operator: "op-zhang".into(),
        callee: Callee::Party("fire_brigade".into()),
        name: "Fire brigade (119) 消防救援（119）".into(),
        number: Some("119".into()),
        outcome: CallOutcome::Busy,
        note: Some("redialling".into()),
        tree: None,
        level: None,
        acknowledged: false,
    };
    if let Some(n) = fire.notifications.as_mut() {
        n.attempts.push(AttemptView {
            attempt: 9,
            tree: String::new(),
            level: 0,
            contact: "fire_brigade".into(),
            channel: "phone".into(),
            status: AttemptStatus::Failed,
            at: T0 + Duration::seconds(75),
            detail: None,
            call: Some(PhoneCall {
                operator: "op-zhang".into(),
                name: "Fire brigade (119) 消防救援（119）".into(),
                number: Some("119".into()),
                outcome: CallOutcome::Busy,
                note: Some("redialling".into()),
            }),
        });
    }
    update(&mut state, change(1204, fire, called));
    state.board.selected = Some("INC-0107".into());
    intent(&mut state, Intent::Open);
    state.now = T0 + Duration::minutes(1) + Duration::seconds(20);
    state
}

#[test]
fn incident_calling_shows_the_number_beside_the_step_and_each_level() {
    let mut state = calling_119();
    let text = draw(&state, 80, 24);
    assert!(text.contains("Call Fire brigade (119): 119"), "{text}");
    assert!(
        text.contains("▶L1 Duty manager: Wang Gang 王刚 139 0000 0002"),
        "{text}"
    );
    snapshot_all("incident_calling", &mut state);
}

#[test]
fn incident_logging_a_call_asks_whom() {
    let mut state = calling_119();
    intent(&mut state, Intent::LogCall);
    snapshot_all("incident_log_call", &mut state);
}

#[test]
fn incident_logging_a_call_asks_what_came_of_it() {
    let mut state = calling_119();
    intent(&mut state, Intent::LogCall);
    update(
        &mut state,
        Action::Key(ratatui::crossterm::event::KeyEvent::from(
            ratatui::crossterm::event::KeyCode::Char('2'),
        )),
    );
    snapshot_all("incident_log_call_outcome", &mut state);
}

#[test]
fn history() {
    let mut state = live();
    with_history(&mut state);
    snapshot_all("history", &mut state);
}

#[test]
fn history_incident_is_read_only() {
    let mut state = live();
    with_history(&mut state);
    let fire = state
        .history
        .matches
        .iter()
        .position(|i| state.history.items[*i].id == "INC-0042");
    state.history.selected = fire.unwrap();
    intent(&mut state, Intent::Open);
    assert!(state.read_only());
    snapshot_all("history_incident", &mut state);
}

#[test]
fn hand_over() {
    let mut state = live();
    state.now = T0 + Duration::minutes(4);
    intent(&mut state, Intent::Show(Screen::HandOver));
    state.handover.incoming = "op-li".into();
    let record = |seq: u64, outgoing: &str, incoming: &str, status| HandOverRecord {
        seq,
        outgoing: outgoing.into(),
        incoming: incoming.into(),
        at: T0 - Duration::hours(12) * i32::try_from(3 - seq).unwrap_or(0),
        note: if seq == 3 {
            "lift B2 out of service; fire panel loop 3 on test until 10:00".into()
        } else {
            String::new()
        },
        open_incidents: vec!["INC-0107".into(); usize::try_from(seq).unwrap_or(0)],
        overdue_steps: vec![],
        status,
    };
    let confirmed = HandOverStatus::Confirmed {
        at: T0 - Duration::hours(23) - Duration::minutes(55),
        note: "all quiet".into(),
    };
    let withdrawn = HandOverStatus::Withdrawn {
        at: T0 - Duration::hours(11),
    };
    let handovers = vec![
        record(1, "op-wang", "op-li", confirmed),
        record(2, "op-li", "op-wang", withdrawn),
        record(3, "op-li", "op-zhang", HandOverStatus::Awaiting),
    ];
    update(
        &mut state,
        Action::Hub(Box::new(ConsoleMessage::HandOvers { handovers })),
    );
    let since = T0 - Duration::hours(8);
    let mut shift: Vec<_> = state.incidents.all().cloned().collect();
    for (n, secs) in [(1, 12), (2, 35), (3, 48)] {
        let mut closed = sample::incident(
            &format!("INC-009{n}"),
            EventKind::AccessForced,
            "green-garden",
        );
        closed.opened_at = T0 - Duration::hours(n);
        closed.acknowledged_at = Some(closed.opened_at + Duration::seconds(secs));
        closed.state = IncidentState::Closed;
        shift.push(closed);
    }
    update(
        &mut state,
        Action::ShiftLoaded {
            since,
            incidents: Ok(shift),
        },
    );
    snapshot_all("hand_over", &mut state);
}

/// At 80×24 more incidents are open than rows: the hand-over lists them in board order and says how
/// many it could not show, so the incoming operator knows the list is not the whole shift.
#[test]
fn hand_over_with_more_open_incidents_than_rows_says_how_many_are_not_shown() {
    let mut state = live();
    let extra = sample::many(12, T0 - Duration::hours(2));
    for incident in extra {
        let seq = state.feed.last_seq + 1;
        let opened = IncidentEvent::Opened {
            view: Box::new(incident.clone()),
            event_seq: Some(seq),
        };
        update(&mut state, change(seq, incident, opened));
    }
    intent(&mut state, Intent::Show(Screen::HandOver));
    let open = state.incidents.len();
    let text = draw(&state, 80, 24);
    let section: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.contains(" Open incidents ─"))
        .skip(1)
        .take_while(|l| !l.contains(" Overdue steps ─"))
        .collect();
    let listed = section.iter().filter(|l| l.contains("INC-")).count();
    assert!(
        listed < open,
        "{open} open incidents cannot all fit in 24 rows:\n{text}"
    );
    let hidden = open - listed;
    assert!(
        section
            .iter()
            .any(|l| l.contains(&format!("{hidden} more not shown"))),
        "the hand-over says {hidden} are not shown:\n{text}"
    );
    assert!(
        section[0].starts_with("\"P1       INC-"),
        "a real P1 comes first:\n{text}"
    );
}

/// A manager on the reports screen: two incidents await sign-off (one with its review written),
/// and the pane reads the second one's report, a failed target in red.
#[test]
fn reports() {
    let mut state = live();
    state.operator = Some(OperatorInfo {
        id: "mgr-chen".into(),
        name: "陈杰 Chen Jie".into(),
        role: Role::Manager,
    });
    intent(&mut state, Intent::Show(Screen::Reports));
    let closed = |id: &str, kind, hours| {
        let mut incident = sample::incident(id, kind, "green-garden");
        incident.state = IncidentState::Closed;
        incident.opened_at = T0 - Duration::hours(hours);
        incident
    };
    let written = ReviewRecord {
        incident: "INC-0070".into(),
        review: Review {
            root_cause: "dust from building work on 7F".into(),
            ..Review::default()
        },
        history: vec![ReviewChange {
            by: "mgr-chen".into(),
            at: T0 - Duration::hours(2),
            change: ReviewChangeKind::Written,
        }],
    };
    let queue = vec![
        AwaitingSignOff {
            incident: closed("INC-0071", EventKind::ElevatorEntrapment, 20),
            review: None,
        },
        AwaitingSignOff {
            incident: closed("INC-0070", EventKind::FireAlarm, 30),
            review: Some(written),
        },
    ];
    update(&mut state, Action::ReviewsLoaded(Ok(queue)));
    intent(&mut state, Intent::Open);
    let md = "# INC-0071 Lift trapped — Post-incident report\n\n**REAL INCIDENT**\n\n\
              - **Priority:** P1\n\n## Milestones\n\n\
              | Milestone | At | Target | Result |\n|---|---|---|---|\n\
              | acknowledged | 23:40:40 | ≤ 1:00 | pass |\n\
              | help on site | 00:20:00 | ≤ 30:00 | FAIL |\n\n## Review\n\n- **Status:** not written yet\n";
    update(
        &mut state,
        Action::ReportLoaded {
            pane: console::screens::reports::Pane::Incident("INC-0071".into()),
            text: Ok(md.into()),
        },
    );
    snapshot_all("reports", &mut state);
}

#[test]
fn on_test() {
    let mut state = live();
    intent(&mut state, Intent::Show(Screen::OnTest));
    snapshot_all("on_test", &mut state);
}

/// The drills screen with the sample calendar loaded: its overdue entry stands out, and the
/// status line names it as the nearest due drill.
#[test]
fn drills() {
    let mut state = live();
    intent(&mut state, Intent::Show(Screen::Drills));
    let calendar = Ok(sample::calendar());
    update(
        &mut state,
        Action::CalendarLoaded {
            year: 2026,
            calendar,
        },
    );
    let due = time::macros::date!(2026 - 10 - 31);
    let actions = vec![
        sample::corrective_action("A1", "Issue radios to every floor warden", due, true),
        sample::corrective_action(
            "A2",
            "Retrain the B2 night shift on the evacuation route",
            due,
            true,
        ),
    ];
    update(&mut state, Action::OverdueActionsLoaded(Ok(actions)));
    snapshot_all("drills", &mut state);
}

#[test]
fn on_test_with_help() {
    let mut state = live();
    intent(&mut state, Intent::Show(Screen::OnTest));
    intent(&mut state, Intent::Down);
    update(
        &mut state,
        Action::AudioReady {
            output: Output::Bell(BellReason::NoPlayer),
        },
    );
    intent(&mut state, Intent::ToggleHelp);
    snapshot_all("on_test_help", &mut state);
}

#[test]
fn a_hub_that_cannot_store_events_is_a_red_banner_on_every_screen() {
    let mut state = live();
    update(
        &mut state,
        Action::Hub(Box::new(alert_hub::protocol::ConsoleMessage::StoreHealth {
            storing: false,
        })),
    );
    snapshot_all("store_failing_board", &mut state);
    for screen in [
        Screen::Incident,
        Screen::History,
        Screen::HandOver,
        Screen::OnTest,
    ] {
        state.screen = screen;
        for lang in [Lang::Zh, Lang::En] {
            state.lang = lang;
            let top = buffer(&state, 80, 24);
            // Wide characters leave a blank cell after them: compare without blanks.
            let first_row: String = (0..80)
                .map(|x| top[(x, 0)].symbol())
                .filter(|s| *s != " ")
                .collect();
            let says = match lang {
                Lang::Zh => "中心无法存储事件",
                Lang::En => "THEHUBCANNOTSTOREEVENTS",
            };
            assert!(first_row.contains(says), "{screen:?} {lang:?}: {first_row}");
            assert_eq!(top[(0, 0)].bg, Color::Red, "{screen:?}");
        }
    }
}
