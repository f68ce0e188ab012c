//! Given past events / when a command / then these events: an incident's commands checked
//! against its state, with no book, no sockets and no clock.

use super::tests::{T0, given_events};
use super::*;
use crate::protocol::{IncidentEvent, RefusalCode};

fn opened(kind: EventKind) -> IncidentEvent {
    let location = Location {
        site: "green-garden".into(),
        ..Location::default()
    };
    let mut view = IncidentView::opened("INC-000001".into(), kind, location, T0, "dev-1", "fp");
    view.priority = kind.priority().unwrap_or(Priority::P4);
    IncidentEvent::Opened {
        view: Box::new(view),
        event_seq: Some(1),
    }
}

fn acknowledged(by: &str) -> IncidentEvent {
    IncidentEvent::Acknowledged {
        operator: by.into(),
    }
}

fn resolved(by: &str) -> IncidentEvent {
    IncidentEvent::Resolved {
        operator: by.into(),
        summary: None,
    }
}

/// An incident of `kind` acknowledged and resolved by op-li, then `more`.
fn resolved_then(kind: EventKind, more: &[IncidentEvent]) -> Vec<IncidentEvent> {
    let mut past = vec![opened(kind), acknowledged("op-li"), resolved("op-li")];
    past.extend_from_slice(more);
    past
}

#[test]
fn a_new_incident_is_acknowledged_by_the_operator() {
    given_events(&[opened(EventKind::FireAlarm)])
        .when(IncidentCommand::Acknowledge, "op-li")
        .then(vec![acknowledged("op-li")]);
}

#[test]
fn acknowledging_twice_says_who_already_did() {
    let message = given_events(&[opened(EventKind::FireAlarm), acknowledged("op-li")])
        .when(IncidentCommand::Acknowledge, "op-wang")
        .then_refused(RefusalCode::InvalidState);
    assert!(message.contains("op-li"), "{message}");
}

#[test]
fn resolving_before_acknowledging_is_refused() {
    given_events(&[opened(EventKind::FireAlarm)])
        .when(IncidentCommand::Resolve { summary: None }, "op-li")
        .then_refused(RefusalCode::InvalidState);
}

#[test]
fn a_resolution_keeps_its_summary_trimmed_and_drops_an_empty_one() {
    let given = given_events(&[opened(EventKind::FireTrouble), acknowledged("op-li")]);
    let summary = Some("  loop fault, panel reset  ".to_string());
    given
        .when(IncidentCommand::Resolve { summary }, "op-li")
        .then(vec![IncidentEvent::Resolved {
            operator: "op-li".into(),
            summary: Some("loop fault, panel reset".into()),
        }]);
    let summary = Some("   ".to_string());
    given
        .when(IncidentCommand::Resolve { summary }, "op-li")
        .then(vec![resolved("op-li")]);
}

#[test]
fn a_note_is_added_trimmed_and_an_empty_or_overlong_one_is_refused() {
    let given = given_events(&[opened(EventKind::FireTrouble), acknowledged("op-li")]);
    given
        .when(
            IncidentCommand::AddNote {
                text: " guard sent ".into(),
            },
            "op-li",
        )
        .then(vec![IncidentEvent::NoteAdded {
            operator: "op-li".into(),
            text: "guard sent".into(),
        }]);
    let empty = IncidentCommand::AddNote { text: "  ".into() };
    given
        .when(empty, "op-li")
        .then_refused(RefusalCode::BadCommand);
    let long = IncidentCommand::AddNote {
        text: "x".repeat(MAX_NOTE_CHARS + 1),
    };
    given
        .when(long, "op-li")
        .then_refused(RefusalCode::BadCommand);
}

#[test]
fn a_note_puts_an_acknowledged_incident_in_progress() {
    let note = IncidentEvent::NoteAdded {
        operator: "op-li".into(),
        text: "guard sent".into(),
    };
    let given = given_events(&[opened(EventKind::FireTrouble), acknowledged("op-li"), note]);
    assert_eq!(given.incident.view.state, IncidentState::InProgress);
}

#[test]
fn closing_a_p1_takes_a_second_operator() {
    let requested = IncidentEvent::CloseRequested {
        operator: "op-li".into(),
    };
    given_events(&resolved_then(EventKind::FireAlarm, &[]))
        .when(IncidentCommand::Close, "op-li")
        .then(vec![requested.clone()]);
    let given = given_events(&resolved_then(EventKind::FireAlarm, &[requested]));
    given
        .when(IncidentCommand::Close, "op-li")
        .then_refused(RefusalCode::NeedsSecondOperator);
    given
        .when(IncidentCommand::Close, "op-wang")
        .then(vec![IncidentEvent::Closed {
            operator: "op-li".into(),
            confirmed_by: Some("op-wang".into()),
        }]);
}

#[test]
fn a_p4_closes_with_one_operator_but_only_once_resolved() {
    given_events(&[opened(EventKind::FireTrouble), acknowledged("op-li")])
        .when(IncidentCommand::Close, "op-li")
        .then_refused(RefusalCode::InvalidState);
    given_events(&resolved_then(EventKind::FireTrouble, &[]))
        .when(IncidentCommand::Close, "op-li")
        .then(vec![IncidentEvent::Closed {
            operator: "op-li".into(),
            confirmed_by: None,
        }]);
}

#[test]
fn a_closed_incident_refuses_every_command() {
    let closed = IncidentEvent::Closed {
        operator: "op-li".into(),
        confirmed_by: None,
    };
    let past = resolved_then(EventKind::FireTrouble, &[closed]);
    let note = IncidentCommand::AddNote {
        text: "late".into(),
    };
    for command in [note, IncidentCommand::EscalateNow, IncidentCommand::Close] {
        given_events(&past)
            .when(command, "op-li")
            .then_refused(RefusalCode::InvalidState);
    }
}

#[test]
fn steps_need_a_playbook_and_an_acknowledged_incident() {
    let done = IncidentCommand::CompleteStep {
        step: "confirm".into(),
    };
    let message = given_events(&[opened(EventKind::FireAlarm), acknowledged("op-li")])
        .when(done.clone(), "op-li")
        .then_refused(RefusalCode::InvalidState);
    assert!(message.contains("no playbook"), "{message}");
    let started = playbooks::RunEvent::RunStarted {
        playbook: "fire-alarm".into(),
        by: HUB_ACTOR.into(),
        at: T0,
        incident_started_at: T0,
    };
    let message = given_events(&[
        opened(EventKind::FireAlarm),
        IncidentEvent::Playbook { run: started },
    ])
    .when(done, "op-li")
    .then_refused(RefusalCode::InvalidState);
    assert!(message.contains("not acknowledged"), "{message}");
}

#[test]
fn escalating_with_no_tree_left_is_refused() {
    given_events(&[opened(EventKind::FireAlarm), acknowledged("op-li")])
        .when(IncidentCommand::EscalateNow, "op-li")
        .then_refused(RefusalCode::InvalidState);
}
