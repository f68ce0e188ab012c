//! The events as the incident log stores them, and rebuilding a run from them.

use super::*;

#[test]
fn events_are_stored_as_tagged_json() {
    let event = chosen("confirm", "real", 2);
    let json = serde_json::to_value(&event).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "event": "choice_made",
            "step": "confirm",
            "choice": "real",
            "by": "op-7",
            "at": "2026-11-22T23:42:00+08:00",
        })
    );
    let notify = RunEvent::NotificationRequested {
        step: "call".into(),
        tree: "fire-confirmed".into(),
        action: NotifyAction::Extend,
        at: at(2),
    };
    assert_eq!(serde_json::to_value(&notify).unwrap()["action"], "extend");
    for event in started_and(vec![event, notify, RunEvent::RunFinished { at: at(9) }]) {
        let text = serde_json::to_string(&event).unwrap();
        assert_eq!(serde_json::from_str::<RunEvent>(&text).unwrap(), event);
    }
}

#[test]
fn an_event_for_a_step_the_playbook_no_longer_has_changes_nothing() {
    let before = given(&started());
    let mut after = before.clone();
    after.apply(&completed("step-removed-since", 2));
    after.apply(&recorded("step-removed-since", "x", "1", 2));
    assert_eq!(after, before);
}

#[test]
fn execute_is_handle_then_apply() {
    let mut run = given(&[]);
    let mut log = Vec::new();
    let commands = [
        RunCommand::Start {
            actor: OPERATOR.into(),
            incident_started_at: Some(at(0)),
        },
        choose("confirm", "real"),
        record("call", "called_at", "23:42"),
        complete("call"),
        RunCommand::Tick,
        complete("evacuate"),
    ];
    for (minute, command) in commands.into_iter().enumerate() {
        log.extend(run.execute(command, at(minute as i64 + 1)).unwrap());
    }
    assert!(run.is_finished());
    assert_eq!(Run::replay(&playbook(), &log), run);
}
