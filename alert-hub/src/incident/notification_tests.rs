//! Given / when / then tests of notification trees: escalation, acknowledgement, drills,
//! sources on test, stalled P1s and skipped steps.

use time::Duration;
use time::macros::datetime;

use super::*;
use crate::config::Contact;
use crate::protocol::{AttemptStatus, IncidentEvent, IncidentState, Role};

const T0: time::OffsetDateTime = datetime!(2026-11-22 23:40:00 +08:00);

fn contact(id: &str, role: &str, drill: bool) -> Contact {
    Contact {
        id: id.into(),
        name: format!("Name of {id}"),
        role: role.into(),
        site: None,
        email: Some(format!("{id}@example.com")),
        webhook: None,
        phone: None,
        drill,
    }
}

fn book() -> IncidentBook {
    let setup = Setup {
        library: std::sync::Arc::new(playbooks::Library::bundled().expect("bundled")),
        contacts: vec![
            contact("lead", "security_lead", false),
            contact("duty", "duty_manager", false),
            contact("pm", "project_manager", false),
            contact("so", "safety_officer", false),
            contact("drill-lead", "security_lead", true),
            contact("drill-duty", "duty_manager", true),
            contact("lift-co", "elevator_maintenance", false),
            contact("lift-co-drill", "elevator_maintenance", true),
        ],
        sites: Vec::new(),
        stall_after: Duration::minutes(10),
        shift_lead_role: "duty_manager".into(),
        drill_control_role: "safety_officer".into(),
    };
    IncidentBook::new(std::sync::Arc::new(setup), Vec::new(), 0)
}

fn alarm(book: &mut IncidentBook, kind: EventKind, drill: Option<&str>, on_test: bool) -> String {
    let stored = super::tests::stored_event(kind, "green-garden", drill);
    let applied = book.record(&stored, on_test);
    applied[0].view.id.clone()
}

fn called(applied: &[Applied]) -> Vec<(String, u32)> {
    applied
        .iter()
        .filter_map(|a| match &a.event {
            IncidentEvent::NotificationLevelCalled { tree, level, .. } => {
                Some((tree.clone(), *level))
            }
            _ => None,
        })
        .collect()
}

fn contacts_of(book: &IncidentBook, id: &str) -> Vec<String> {
    let view = book
        .get(id)
        .and_then(|i| i.view.notifications.clone())
        .unwrap_or_default();
    view.attempts
        .iter()
        .map(|a| format!("{}/{}", a.contact, a.channel))
        .collect()
}

#[test]
fn an_unacknowledged_fire_alarm_escalates_level_by_level_then_repeats_then_stops() {
    let mut book = book();
    let id = alarm(&mut book, EventKind::FireAlarm, None, false);
    let attempts = contacts_of(&book, &id);
    assert_eq!(
        attempts,
        ["lead/console", "lead/webhook"],
        "level 1 calls the security lead"
    );
    let view = book
        .get(&id)
        .and_then(|i| i.view.notifications.clone())
        .expect("view");
    assert_eq!(view.next_escalation_at, Some(T0 + Duration::minutes(1)));
    assert_eq!(
        view.attempts[1].status,
        AttemptStatus::Failed,
        "no webhook address: logged as failed"
    );
    assert!(called(&book.tick(T0 + Duration::seconds(59))).is_empty());
    assert_eq!(
        called(&book.tick(T0 + Duration::minutes(1))),
        [("fire-alarm".into(), 1)]
    );
    assert_eq!(
        called(&book.tick(T0 + Duration::minutes(3))),
        [("fire-alarm".into(), 2)]
    );
    let mut at = T0 + Duration::minutes(3);
    for _ in 0..3 {
        at += Duration::minutes(5);
        assert_eq!(
            called(&book.tick(at)),
            [("fire-alarm".into(), 2)],
            "the last level repeats"
        );
    }
    at += Duration::minutes(5);
    let last = book.tick(at);
    assert!(
        last.iter()
            .any(|a| matches!(a.event, IncidentEvent::NotificationsExhausted { .. }))
    );
    assert!(called(&book.tick(at + Duration::hours(1))).is_empty());
}

#[test]
fn acknowledging_the_incident_stops_the_escalation() {
    let mut book = book();
    let id = alarm(&mut book, EventKind::FireAlarm, None, false);
    let who = OperatorRef {
        id: "op-li",
        role: Role::Operator,
    };
    let acked = book
        .command(&id, &IncidentCommand::Acknowledge, who, T0)
        .expect("ack");
    assert!(acked.iter().any(
        |a| matches!(&a.event, IncidentEvent::NotificationsAcknowledged { by } if by == "op-li")
    ));
    assert!(called(&book.tick(T0 + Duration::minutes(5))).is_empty());
    let view = book
        .get(&id)
        .and_then(|i| i.view.notifications.clone())
        .expect("view");
    assert_eq!(view.acknowledged_by.as_deref(), Some("op-li"));
    assert_eq!(view.next_escalation_at, None);
}

#[test]
fn a_drill_calls_only_drill_contacts_and_never_an_outside_party() {
    let mut book = book();
    let id = alarm(
        &mut book,
        EventKind::ElevatorEntrapment,
        Some("q2-lift"),
        false,
    );
    let mut at = T0;
    for _ in 0..10 {
        at += Duration::minutes(30);
        book.tick(at);
    }
    let attempts = contacts_of(&book, &id);
    assert!(!attempts.is_empty());
    let real_contacts = ["lead/", "duty/", "pm/", "so/", "lift-co/"];
    for attempt in &attempts {
        assert!(
            !real_contacts.iter().any(|c| attempt.starts_with(c)),
            "a drill reached {attempt}"
        );
        assert!(
            !attempt.contains("elevator_maintenance"),
            "a drill tried the lift company"
        );
    }
    assert!(
        attempts.iter().any(|a| a.starts_with("drill-lead/")),
        "{attempts:?}"
    );
    let real = alarm(&mut book, EventKind::ElevatorEntrapment, None, false);
    let attempts = contacts_of(&book, &real);
    assert!(
        attempts.iter().any(|a| a.starts_with("lead/")),
        "{attempts:?}"
    );
    assert!(
        !attempts.iter().any(|a| a.starts_with("drill-")),
        "{attempts:?}"
    );
}

#[test]
fn a_source_on_test_starts_no_tree() {
    let mut book = book();
    let id = alarm(&mut book, EventKind::FireAlarm, None, true);
    assert!(contacts_of(&book, &id).is_empty());
    assert!(book.get(&id).expect("incident").view.on_test);
    assert!(
        book.get(&id).expect("incident").checklist.is_some(),
        "the playbook still runs"
    );
}

#[test]
fn an_acknowledged_p1_with_no_progress_is_re_alerted_and_escalated() {
    let mut book = book();
    let id = alarm(&mut book, EventKind::FireAlarm, None, false);
    let who = OperatorRef {
        id: "op-li",
        role: Role::Operator,
    };
    book.command(
        &id,
        &IncidentCommand::Acknowledge,
        who,
        T0 + Duration::seconds(30),
    )
    .expect("ack");
    assert!(
        book.tick(T0 + Duration::minutes(10))
            .iter()
            .all(|a| !matches!(a.event, IncidentEvent::StallReAlerted { .. }))
    );
    let stalled = book.tick(T0 + Duration::minutes(10) + Duration::seconds(30));
    assert!(
        stalled
            .iter()
            .any(|a| matches!(a.event, IncidentEvent::StallReAlerted { minutes: 10 }))
    );
    assert_eq!(
        called(&stalled),
        [("fire-alarm".into(), 1)],
        "the next level is called again"
    );
    assert_eq!(
        book.get(&id).expect("incident").view.state,
        IncidentState::New
    );
}

#[test]
fn a_skipped_step_tells_the_shift_lead() {
    let mut book = book();
    let id = alarm(&mut book, EventKind::AccessTamper, None, false);
    let who = OperatorRef {
        id: "op-li",
        role: Role::Operator,
    };
    book.command(&id, &IncidentCommand::Acknowledge, who, T0)
        .expect("ack");
    let done = IncidentCommand::CompleteStep {
        step: "check-cctv".into(),
    };
    book.command(&id, &done, who, T0).expect("cctv checked");
    let damaged = IncidentCommand::Choose {
        step: "guard-check".into(),
        choice: "damaged".into(),
    };
    book.command(&id, &damaged, who, T0).expect("damaged");
    let reason = "slight damage, no suspect; duty manager agreed";
    let skip = IncidentCommand::SkipStep {
        step: "call-110".into(),
        reason: reason.into(),
    };
    let applied = book.command(&id, &skip, who, T0).expect("skip");
    let notice: Vec<_> = applied
        .iter()
        .filter_map(|a| match &a.event {
            IncidentEvent::NotificationAttempted { tree, contact, .. } if tree == NOTICE_TREE => {
                Some(contact.clone())
            }
            _ => None,
        })
        .collect();
    assert!(notice.contains(&"duty".to_string()), "{notice:?}");
}
