//! Alarms an operator must never miss or mistake: closing from the console (two operators for
//! a P1), the alarm strip on every screen, signals on test kept out of the alarm count, reports
//! opened by hand, and no resolution of an unconfirmed alarm without a reason.
#![allow(clippy::expect_used)]

mod common;

use alert_hub::protocol::{Command, EventKind, IncidentEvent, IncidentState, Priority};
use console::action::{Cue, Effect, Screen};
use console::sample::incident;
use console::state::{EditPurpose, Level, Overlay};
use console::update::update;
use ratatui::crossterm::event::KeyCode;

use common::*;

fn resolved(state: &console::state::State, id: &str) -> alert_hub::protocol::IncidentView {
    let mut view = state.incidents.get(id).cloned().expect("on the board");
    view.state = IncidentState::Resolved;
    view
}

#[test]
fn a_resolved_incident_is_closed_from_the_board_after_a_confirmation() {
    let mut state = live();
    let door = resolved(&state, "INC-0099");
    let event = IncidentEvent::Resolved {
        operator: "op-zhang".into(),
        summary: None,
    };
    update(&mut state, change(1204, door, event));
    state.board.selected = Some("INC-0099".into());
    state.board.moved = true;
    let fx = key(&mut state, KeyCode::Char('x'));
    assert!(
        sent(&fx).is_empty(),
        "nothing is sent before the confirmation"
    );
    assert_eq!(state.overlay, Some(Overlay::ConfirmClose));
    let fx = key(&mut state, KeyCode::Char('y'));
    assert_eq!(
        sent(&fx),
        [Command::Close {
            incident: "INC-0099".into()
        }]
    );
    assert_eq!(state.overlay, None);
}

#[test]
fn closing_an_incident_that_is_not_resolved_says_to_resolve_it_first() {
    let mut state = live();
    open_fire(&mut state);
    let fx = key(&mut state, KeyCode::Char('x'));
    assert!(sent(&fx).is_empty());
    assert_eq!(state.overlay, None);
    let message = state.message.as_ref().expect("a message");
    assert!(
        message.text.contains("resolve it first"),
        "{}",
        message.text
    );
}

#[test]
fn the_second_operator_is_asked_to_confirm_the_first_ones_close_of_a_p1() {
    let mut state = live();
    let mut fire = resolved(&state, "INC-0107");
    fire.close_requested_by = Some("op-li".into());
    let asked = IncidentEvent::CloseRequested {
        operator: "op-li".into(),
    };
    update(&mut state, change(1204, fire, asked));
    let message = state.message.as_ref().expect("the request is announced");
    assert_eq!(message.level, Level::Warning);
    assert!(message.text.contains("INC-0107 op-li"), "{}", message.text);

    state.board.selected = Some("INC-0107".into());
    state.board.moved = true;
    key(&mut state, KeyCode::Char('x'));
    let question = console::screens::closing::question(&state);
    // op-zhang, the operator of this console, confirms op-li's request.
    assert_eq!(
        question,
        "Confirm the close of INC-0107 — requested by op-li?  y close / n cancel"
    );
    key(&mut state, KeyCode::Char('n'));
    assert_eq!(state.overlay, None, "any other key cancels");
    assert_eq!(state.closing, None);
}

#[test]
fn resolved_incidents_sort_below_every_active_one() {
    let mut state = live();
    let fire = resolved(&state, "INC-0107");
    let event = IncidentEvent::Resolved {
        operator: "op-zhang".into(),
        summary: None,
    };
    update(&mut state, change(1204, fire, event));
    let last_active = state
        .incidents
        .visible()
        .iter()
        .rposition(|k| k.standing == alert_hub::protocol::Standing::Active)
        .expect("active incidents");
    let fire_at = state.incidents.position("INC-0107").expect("still shown");
    assert!(fire_at > last_active, "a resolved P1 sorts below a P4");
}

#[test]
fn a_new_p1_shows_in_the_strip_on_another_screen_and_one_key_opens_it() {
    let mut state = live();
    acknowledge_scene_p1s(&mut state);
    open_fire(&mut state);
    assert!(console::screens::alarm_strip::line(&state).is_none());

    let mut lift = incident("INC-0200", EventKind::ElevatorEntrapment, "green-garden");
    lift.opened_at += time::Duration::minutes(5);
    let opened = IncidentEvent::Opened {
        view: Box::new(lift.clone()),
        event_seq: Some(9),
    };
    let fx = update(&mut state, change(1206, lift, opened));
    assert!(fx.contains(&Effect::Sound(Cue::Alarm(Priority::P1))));
    assert_eq!(
        state.screen,
        Screen::Incident,
        "the operator stays where they are"
    );
    let strip = console::screens::alarm_strip::line(&state).expect("the strip shows");
    let text: String = strip.spans.iter().map(|s| s.content.as_ref()).collect();
    assert!(text.contains("INC-0200"), "{text}");
    assert!(text.contains("Lift trapped"), "{text}");

    key(&mut state, KeyCode::Char('p'));
    assert_eq!(state.screen, Screen::Incident);
    assert_eq!(
        state.incident.open.as_ref().map(|o| o.id.as_str()),
        Some("INC-0200")
    );
}

#[test]
fn an_alarm_on_test_neither_counts_nor_sounds() {
    let mut state = live();
    let before = state.incidents.counts().unacknowledged(Priority::P1);
    let mut fx_all = Vec::new();
    for n in 0..50u64 {
        let mut smoke = incident(
            &format!("INC-T{n:03}"),
            EventKind::FireAlarm,
            "green-garden",
        );
        smoke.on_test = true;
        let opened = IncidentEvent::Opened {
            view: Box::new(smoke.clone()),
            event_seq: Some(n),
        };
        fx_all.extend(update(&mut state, change(1204 + n, smoke, opened)));
    }
    let counts = state.incidents.counts();
    assert_eq!(counts.unacknowledged(Priority::P1), before);
    assert_eq!(
        counts.on_test,
        50 + 1,
        "the sample's own signal on test, and the 50"
    );
    assert!(
        !fx_all.iter().any(|e| matches!(e, Effect::Sound(_))),
        "{fx_all:?}"
    );
    let first_on_test = state.incidents.position("INC-T000").expect("shown");
    assert!(
        first_on_test >= state.incidents.len() - 51,
        "listed apart, at the end"
    );
}

#[test]
fn resolving_with_the_first_step_still_open_asks_for_a_reason() {
    let mut state = live();
    let mut fire = state.incidents.get("INC-0107").cloned().unwrap();
    if let Some(playbook) = fire.playbook.as_mut() {
        playbook.steps[0].status = alert_hub::protocol::StepStatus::Current;
    }
    state.incidents.upsert(fire);
    open_fire(&mut state);
    key(&mut state, KeyCode::Char('r'));
    let fx = typed(&mut state, "");
    assert!(sent(&fx).is_empty(), "no reason, nothing sent");
    assert_eq!(state.message.as_ref().unwrap().level, Level::Warning);
    key(&mut state, KeyCode::Char('r'));
    let fx = typed(
        &mut state,
        "panel test announced by the maintenance company",
    );
    assert_eq!(
        sent(&fx),
        [Command::Resolve {
            incident: "INC-0107".into(),
            summary: Some("panel test announced by the maintenance company".into())
        }]
    );
}

#[test]
fn a_phoned_in_report_is_typed_on_the_board_and_sent_as_an_incident_to_open() {
    let mut state = live();
    key(&mut state, KeyCode::Char('o'));
    assert_eq!(
        state.editor.as_ref().map(|e| e.purpose.clone()),
        Some(EditPurpose::Report)
    );
    let line = "medical green-garden B2/lobby: man collapsed, breathing";
    let fx = typed(&mut state, line);
    assert!(
        sent(&fx).is_empty(),
        "a drill runs: drill or real must be said"
    );
    let message = state.message.as_ref().unwrap();
    assert_eq!(message.level, Level::Warning);
    assert!(message.text.contains("drill or real"), "{}", message.text);
    let report = |drill: Option<&str>| Command::OpenIncident {
        kind: EventKind::Medical,
        location: alert_hub::protocol::Location {
            site: "green-garden".into(),
            building: Some("B2".into()),
            floor: None,
            zone: Some("lobby".into()),
        },
        note: "man collapsed, breathing".into(),
        drill: drill.map(str::to_string),
    };
    key(&mut state, KeyCode::Char('o'));
    let fx = typed(&mut state, &format!("real {line}"));
    assert_eq!(sent(&fx), [report(None)]);
    key(&mut state, KeyCode::Char('o'));
    let fx = typed(&mut state, &format!("drill {line}"));
    assert_eq!(sent(&fx), [report(Some(console::sample::DRILL_ID))]);
    key(&mut state, KeyCode::Char('o'));
    let fx = typed(&mut state, "medical green-garden");
    assert!(sent(&fx).is_empty(), "nothing is sent without a note");
    let message = state.message.as_ref().unwrap();
    assert_eq!(message.level, Level::Warning);
    assert!(message.text.contains("after a colon"), "{}", message.text);
}

#[test]
fn an_unknown_panel_code_shows_the_code_a_person_must_look_up() {
    let mut state = live();
    acknowledge_scene_p1s(&mut state);
    let mut unknown = incident("INC-0201", EventKind::UnknownCode, "green-garden");
    unknown.panel_code = Some("ADM-CID 1628 01 015".into());
    let opened = IncidentEvent::Opened {
        view: Box::new(unknown.clone()),
        event_seq: Some(10),
    };
    update(&mut state, change(1206, unknown, opened));
    state.board.selected = Some("INC-0201".into());
    intent(&mut state, console::action::Intent::Open);
    assert_eq!(state.screen, Screen::Incident);
    let screen = draw(&state, 160, 48);
    let label = console::strings::S::PanelCode.get(state.lang);
    assert!(
        screen.contains(&format!("{label}: ADM-CID 1628 01 015")),
        "{screen}"
    );
}
