//! The wire shapes clients rely on.

use super::*;

#[test]
fn device_event_reads_the_design_example() {
    let text = r#"{
      "id": "fp-b2:000123", "kind": "fire.alarm", "device": "smoke-B2-07F-03",
      "site": "green-garden", "building": "B2", "floor": "7", "zone": "7F east corridor",
      "at": "2026-11-22T23:40:00+08:00", "drill": null, "detail": {}
    }"#;
    let event: DeviceEvent = serde_json::from_str(text).expect("example parses");
    assert_eq!(event.kind, EventKind::FireAlarm);
    assert_eq!(event.zone.as_deref(), Some("7F east corridor"));
    assert_eq!(event.drill, None);
}

#[test]
fn a_stored_event_reads_back_with_its_detail_byte_for_byte() {
    let text = r#"{"seq":7,"source":"fp-gg","received_at":"2026-11-22T15:40:01Z",
      "id":"e1","kind":"fire.trouble","device":"d","site":"green-garden",
      "at":"2026-11-22T23:40:00+08:00","drill":null,"detail":{"n":12345678901234567890123,"t":1e-400}}"#;
    let stored: StoredEvent = serde_json::from_str(text).expect("a stored event");
    assert_eq!(
        stored.event.detail.as_json(),
        r#"{"n":12345678901234567890123,"t":1e-400}"#
    );
    let again = serde_json::to_string(&stored).expect("encode");
    assert!(
        again.ends_with(r#""detail":{"n":12345678901234567890123,"t":1e-400}}"#),
        "{again}"
    );
    assert_eq!(
        serde_json::from_str::<StoredEvent>(&again).expect("again"),
        stored
    );
}

#[test]
fn ack_and_nack_have_the_exact_wire_shape() {
    let ack = DeviceReply::Ack(Ack {
        ack: "a".into(),
        seq: 7,
        duplicate: false,
    });
    assert_eq!(
        serde_json::to_string(&ack).expect("ser"),
        r#"{"ack":"a","seq":7}"#
    );
    let dup = DeviceReply::Ack(Ack {
        ack: "a".into(),
        seq: 7,
        duplicate: true,
    });
    assert_eq!(
        serde_json::to_string(&dup).expect("ser"),
        r#"{"ack":"a","seq":7,"duplicate":true}"#
    );
    let nack = DeviceReply::Nack(Nack {
        nack: None,
        error: NackCode::MalformedJson,
        message: "m".into(),
    });
    assert_eq!(
        serde_json::to_string(&nack).expect("ser"),
        r#"{"nack":null,"error":"malformed_json","message":"m"}"#
    );
}

#[test]
fn every_device_kind_round_trips_by_wire_name() {
    for kind in EventKind::DEVICE_KINDS {
        assert_eq!(EventKind::from_device(kind.as_str()), Some(kind));
        let json = serde_json::to_string(&kind).expect("ser");
        assert_eq!(json, format!("\"{}\"", kind.as_str()));
    }
    assert_eq!(EventKind::from_device("comms.lost"), None);
    assert_eq!(EventKind::from_device("panel.unknown_code"), None);
    let unknown = serde_json::to_string(&EventKind::UnknownCode).expect("ser");
    assert_eq!(unknown, "\"panel.unknown_code\"");
}

#[test]
fn priorities_follow_the_design_table() {
    use EventKind::*;
    for (kind, p) in [
        (FireAlarm, Priority::P1),
        (AccessDuress, Priority::P1),
        (ElevatorEntrapment, Priority::P1),
        (AccessForced, Priority::P2),
        (FirePrealarm, Priority::P2),
        (FireSupervisory, Priority::P3),
        (AccessHeldOpen, Priority::P3),
        (AccessTamper, Priority::P3),
        (FireTrouble, Priority::P4),
        (CommsLost, Priority::P4),
        (ElevatorFault, Priority::P4),
        (UnknownCode, Priority::P3),
    ] {
        assert_eq!(kind.priority(), Some(p), "{kind}");
    }
}

#[test]
fn every_log_entry_round_trips_through_json() {
    use time::macros::datetime;
    let at = datetime!(2026-11-22 15:40 UTC);
    let location = Location {
        site: "gg".into(),
        ..Location::default()
    };
    let view = IncidentView::opened(
        "INC-000001".into(),
        EventKind::FireAlarm,
        location,
        at,
        "smoke-1",
        "fp",
    );
    let events = [
        IncidentEvent::Opened {
            view: Box::new(view.clone()),
            event_seq: Some(1),
        },
        IncidentEvent::Acknowledged {
            operator: "op-li".into(),
        },
        IncidentEvent::Closed {
            operator: "op-li".into(),
            confirmed_by: Some("op-wang".into()),
        },
        IncidentEvent::CalledByPhone {
            attempt: 3,
            operator: "op-li".into(),
            callee: Callee::Party("elevator_maintenance".into()),
            name: "Otis".into(),
            number: Some("400-820-0000".into()),
            outcome: CallOutcome::WrongNumber,
            note: Some("number changed".into()),
            tree: None,
            level: None,
            acknowledged: false,
        },
    ];
    for event in events {
        let entry = LogEntry {
            seq: 3,
            incident: view.id.clone(),
            at,
            actor: Actor::Hub,
            event,
        };
        let message = ConsoleMessage::Change {
            seq: 3,
            change: Box::new(Change {
                entry,
                incident: view.clone(),
            }),
        };
        let json = serde_json::to_string(&message).expect("ser");
        let back: ConsoleMessage = serde_json::from_str(&json).expect(&json);
        assert_eq!(back, message);
    }
}

#[test]
fn console_command_wire_shape() {
    let req: ConsoleRequest =
        serde_json::from_str(r#"{"request":"r1","action":"acknowledge","incident":"INC-1"}"#)
            .expect("parses");
    assert_eq!(
        req.command,
        Command::Acknowledge {
            incident: "INC-1".into()
        }
    );
}

#[test]
fn drill_objectives_carry_their_measure_as_a_tagged_object() {
    let objective = Objective {
        id: "maintenance-called".into(),
        name: Bilingual {
            zh: "通知维保单位".into(),
            en: "Maintenance company called".into(),
        },
        target_secs: 180,
        measure: Measure::StepDone {
            playbook: "elevator-entrapment".into(),
            step: "call-maintenance".into(),
        },
    };
    let json = serde_json::to_value(&objective).expect("ser");
    assert_eq!(
        json["measure"],
        serde_json::json!({"type": "step_done", "playbook": "elevator-entrapment", "step": "call-maintenance"})
    );
    assert_eq!(json["target_secs"], 180);
    let back: Objective = serde_json::from_value(json).expect("de");
    assert_eq!(back, objective);

    for (text, measure) in [
        (r#"{"type":"acknowledged"}"#, Measure::Acknowledged),
        (r#"{"type":"resolved"}"#, Measure::Resolved),
        (r#"{"type":"notified"}"#, Measure::Notified),
        (
            r#"{"type":"choice_made","playbook":"fire-alarm","step":"confirm","choice":"real"}"#,
            Measure::ChoiceMade {
                playbook: "fire-alarm".into(),
                step: "confirm".into(),
                choice: "real".into(),
            },
        ),
    ] {
        assert_eq!(serde_json::to_string(&measure).expect("ser"), text);
        assert_eq!(
            measure.as_str(),
            serde_json::from_str::<serde_json::Value>(text).expect("json")["type"]
        );
    }
}

#[test]
fn a_calendar_entry_writes_its_due_day_as_a_plain_date() {
    let entry = CalendarEntry {
        id: "2027-q2-lift-rescue-green-garden".into(),
        site: "green-garden".into(),
        plan_entry: "lift-rescue".into(),
        name: Bilingual {
            zh: "电梯困人救援演练".into(),
            en: "Lift rescue drill".into(),
        },
        kind: DrillKind::LiftRescue,
        exercise: ExerciseType::FullScale,
        due: time::macros::date!(2027 - 06 - 30),
        scenario: Some("lift-rescue".into()),
    };
    let json = serde_json::to_value(&entry).expect("ser");
    assert_eq!(json["due"], "2027-06-30");
    assert_eq!(json["kind"], "lift_rescue");
    assert_eq!(json["exercise"], "full_scale");
    let back: CalendarEntry = serde_json::from_value(json).expect("de");
    assert_eq!(back, entry);
    let unscripted = CalendarEntry {
        scenario: None,
        ..entry
    };
    let json = serde_json::to_value(&unscripted).expect("ser");
    assert!(json.get("scenario").is_none(), "{json}");
}

#[test]
fn drill_kinds_and_exercise_types_are_named_as_on_the_wire() {
    for kind in DrillKind::ALL {
        let wire = serde_json::to_value(kind).expect("ser");
        assert_eq!(wire, kind.as_str());
        assert_eq!(DrillKind::from_name(kind.as_str()), Some(kind));
        let (zh, en) = kind.names();
        assert!(!zh.is_empty() && !en.is_empty());
    }
    for exercise in ExerciseType::ALL {
        let wire = serde_json::to_value(exercise).expect("ser");
        assert_eq!(wire, exercise.as_str());
        assert_eq!(ExerciseType::from_name(exercise.as_str()), Some(exercise));
    }
    assert_eq!(DrillKind::from_name("flod"), None);
}

#[test]
fn a_logged_call_reads_and_writes_as_documented() {
    let req: ConsoleRequest = serde_json::from_str(
        r#"{"request":"r2","action":"log_call","incident":"INC-1",
            "callee":{"party":"fire_brigade"},"outcome":"no_answer"}"#,
    )
    .expect("parses");
    assert_eq!(
        req.command,
        Command::LogCall {
            incident: "INC-1".into(),
            callee: Callee::Party("fire_brigade".into()),
            outcome: CallOutcome::NoAnswer,
            note: None,
        }
    );
    let event = IncidentEvent::CalledByPhone {
        attempt: 7,
        operator: "op-li".into(),
        callee: Callee::Contact("zhou".into()),
        name: "Zhou Qiang 周强".into(),
        number: Some("138 0000 0001".into()),
        outcome: CallOutcome::Answered,
        note: None,
        tree: Some("fire-alarm".into()),
        level: Some(0),
        acknowledged: true,
    };
    let json = serde_json::to_value(&event).expect("ser");
    assert_eq!(
        json,
        serde_json::json!({
            "event": "called_by_phone", "attempt": 7, "operator": "op-li",
            "callee": {"contact": "zhou"}, "name": "Zhou Qiang 周强",
            "number": "138 0000 0001", "outcome": "answered",
            "tree": "fire-alarm", "level": 0, "acknowledged": true
        })
    );
    let back: IncidentEvent = serde_json::from_value(json).expect("de");
    assert_eq!(back, event);
}
