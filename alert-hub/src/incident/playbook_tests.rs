//! Given / when / then tests of an incident's playbook run: started with the incident, worked
//! from the console, deadlines reported once.

use time::Duration;

use super::tests::{T0, ev, given, opened_id};
use super::*;
use crate::protocol::{IncidentEvent, IncidentState, RefusalCode, Role};

fn step_ids(applied: &[Applied]) -> Vec<String> {
    applied
        .iter()
        .filter_map(|a| match &a.event {
            IncidentEvent::Playbook { run } => Some(
                format!("{run:?}")
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_string(),
            ),
            _ => None,
        })
        .collect()
}

#[test]
fn a_fire_alarm_opens_with_its_playbook_at_the_confirm_step() {
    let mut g = given();
    let applied = g.event(ev(EventKind::FireAlarm, "smoke-1", "7F east"));
    assert!(
        step_ids(&applied).iter().any(|e| e == "RunStarted"),
        "{:?}",
        step_ids(&applied)
    );
    let view = g
        .only_incident()
        .checklist
        .clone()
        .expect("a playbook view");
    assert_eq!(view.id, "fire-alarm");
    assert_eq!(view.current.as_deref(), Some("confirm"));
    let confirm = &view.steps[0];
    assert_eq!(confirm.status, crate::protocol::StepStatus::Current);
    assert_eq!(confirm.due_at, Some(T0 + Duration::minutes(3)));
    assert_eq!(confirm.choices.len(), 2);
}

#[test]
fn steps_need_an_acknowledged_incident_and_then_follow_the_branch() {
    let mut g = given();
    let id = opened_id(&g.event(ev(EventKind::FireAlarm, "smoke-1", "7F east")));
    let choose = IncidentCommand::Choose {
        step: "confirm".into(),
        choice: "real".into(),
    };
    let refusal = g
        .command(&id, choose.clone(), "op-li", Role::Operator)
        .expect_err("not acknowledged");
    assert_eq!(refusal.code, RefusalCode::InvalidState);
    g.command(&id, IncidentCommand::Acknowledge, "op-li", Role::Operator)
        .expect("ack");
    let op_li = OperatorRef {
        id: "op-li",
        role: Role::Operator,
    };
    g.book
        .command(&id, &choose, op_li, T0 + Duration::minutes(1))
        .expect("choose");
    let i = g.only_incident();
    assert_eq!(i.view.state, IncidentState::InProgress);
    let view = i.checklist.as_ref().expect("view");
    assert_eq!(view.current.as_deref(), Some("linkage-auto"));
    assert_eq!(view.steps[0].chosen.as_deref(), Some("real"));
    assert_eq!(view.steps[0].done_by.as_deref(), Some("op-li"));
    let wrong = IncidentCommand::CompleteStep {
        step: "evacuate".into(),
    };
    assert!(
        g.book.command(&id, &wrong, op_li, T0).is_err(),
        "only the current step"
    );
}

#[test]
fn a_passed_deadline_is_reported_once_and_shown_overdue() {
    let mut g = given();
    let id = opened_id(&g.event(ev(EventKind::FireAlarm, "smoke-1", "7F east")));
    assert!(step_ids(&g.book.tick(T0 + Duration::minutes(2))).is_empty());
    let late = g.book.tick(T0 + Duration::minutes(4));
    assert!(late.iter().all(|a| a.view.id == id));
    assert_eq!(step_ids(&late), ["StepOverdue"]);
    let again = g
        .book
        .tick(T0 + Duration::minutes(4) + Duration::seconds(1));
    assert!(step_ids(&again).is_empty(), "once");
    let view = g.only_incident().checklist.clone().expect("view");
    assert_eq!(view.steps[0].status, crate::protocol::StepStatus::Overdue);
}

#[test]
fn a_prealarm_that_becomes_an_alarm_switches_to_the_fire_alarm_playbook() {
    let mut g = given();
    g.event(ev(EventKind::FirePrealarm, "smoke-1", "7F east"));
    let before = g.only_incident().playbook.clone();
    g.event(ev(EventKind::FireAlarm, "smoke-1", "7F east"));
    let after = g.only_incident().playbook.clone();
    assert_ne!(before, after);
    assert_eq!(after.as_deref(), Some("fire-alarm"));
}

#[test]
fn every_incident_kind_opens_with_a_playbook() {
    let mut g = given();
    for (n, kind) in [
        EventKind::FireAlarm,
        EventKind::FirePrealarm,
        EventKind::FireSupervisory,
        EventKind::FireTrouble,
        EventKind::AccessForced,
        EventKind::AccessHeldOpen,
        EventKind::AccessTamper,
        EventKind::AccessDuress,
        EventKind::ElevatorEntrapment,
        EventKind::ElevatorFault,
    ]
    .into_iter()
    .enumerate()
    {
        let zone: &'static str = Box::leak(format!("zone-{n}").into_boxed_str());
        let applied =
            g.event(ev(kind, "dev", zone).source(Box::leak(format!("src-{n}").into_boxed_str())));
        let id = &applied[0].view.id;
        let incident = g.book.get(id).expect("open");
        assert!(incident.checklist.is_some(), "{kind} has no playbook");
    }
    let lost = g.book.comms_lost("fp-b2", "green-garden", T0);
    let incident = g.book.get(&lost[0].view.id).expect("open");
    assert!(incident.checklist.is_some(), "comms.lost");
}

#[test]
fn a_stored_incident_leaves_its_checklist_out_and_derives_it_again_when_loaded() {
    let mut g = given();
    g.event(ev(EventKind::FireAlarm, "smoke-1", "7F east"));
    let incident = g.only_incident().clone();
    assert!(incident.checklist.is_some());
    assert!(incident.view.playbook.is_none(), "the view never holds it");
    let stored = crate::store::StoredIncident::encode(&incident).expect("encode");
    let json: serde_json::Value = serde_json::from_slice(&stored.json).expect("json");
    assert!(json["view"].get("playbook").is_none());
    assert!(json.get("checklist").is_none());
    let mut loaded: Incident = serde_json::from_slice(&stored.json).expect("decode");
    assert_eq!(loaded.checklist, None);
    loaded.refresh_playbook(g.book.setup());
    assert_eq!(loaded.full_view(), incident.full_view());
    assert!(loaded.full_view().playbook.is_some());
}

#[test]
fn resolving_with_the_first_step_still_open_takes_a_reason() {
    let mut g = given();
    let id = opened_id(&g.event(ev(EventKind::FireAlarm, "smoke-1", "7F east")));
    g.command(&id, IncidentCommand::Acknowledge, "op-li", Role::Operator)
        .expect("ack");
    for summary in [None, Some("  ".to_string())] {
        let refusal = g
            .command(
                &id,
                IncidentCommand::Resolve { summary },
                "op-li",
                Role::Operator,
            )
            .expect_err("the alarm was never confirmed");
        assert_eq!(refusal.code, RefusalCode::InvalidState);
        assert!(
            refusal.message.en.contains("say why"),
            "{:?}",
            refusal.message
        );
    }
    let reason = Some("panel test by the maintenance company, confirmed by phone".to_string());
    g.command(
        &id,
        IncidentCommand::Resolve { summary: reason },
        "op-li",
        Role::Operator,
    )
    .expect("resolved with a reason");
    assert_eq!(g.only_incident().view.state, IncidentState::Resolved);
}

#[test]
fn once_the_first_step_is_done_resolving_needs_no_reason() {
    let mut g = given();
    let id = opened_id(&g.event(ev(EventKind::FireAlarm, "smoke-1", "7F east")));
    g.command(&id, IncidentCommand::Acknowledge, "op-li", Role::Operator)
        .expect("ack");
    let false_alarm = IncidentCommand::Choose {
        step: "confirm".into(),
        choice: "false".into(),
    };
    g.command(&id, false_alarm, "op-li", Role::Operator)
        .expect("confirmed false");
    g.command(
        &id,
        IncidentCommand::Resolve { summary: None },
        "op-li",
        Role::Operator,
    )
    .expect("resolved");
}

#[test]
fn a_mistaken_choice_is_undone_by_an_operator_and_logged() {
    let mut g = given();
    let id = opened_id(&g.event(ev(EventKind::FireAlarm, "smoke-1", "7F east")));
    g.command(&id, IncidentCommand::Acknowledge, "op-li", Role::Operator)
        .expect("ack");
    let chose_false = IncidentCommand::Choose {
        step: "confirm".into(),
        choice: "false".into(),
    };
    g.command(&id, chose_false, "op-li", Role::Operator)
        .expect("choose");
    let undo = IncidentCommand::UndoStep {
        step: "confirm".into(),
    };
    assert!(
        check_permission(Role::Manager, Action::UndoStep).is_err(),
        "a manager reviews, does not work steps"
    );
    let applied = g
        .command(&id, undo, "op-wang", Role::Operator)
        .expect("undo");
    assert_eq!(step_ids(&applied), ["StepReopened"]);
    assert!(matches!(
        &applied[0].event,
        IncidentEvent::Playbook {
            run: playbooks::RunEvent::StepReopened { by, .. }
        } if by == "op-wang"
    ));
    let view = g.only_incident().checklist.clone().expect("view");
    assert_eq!(view.current.as_deref(), Some("confirm"));
    assert_eq!(view.steps[0].chosen, None);
}

#[test]
fn refusals_name_steps_and_values_as_the_operator_reads_them() {
    let mut g = given();
    let id = opened_id(&g.event(ev(EventKind::FireAlarm, "smoke-1", "7F east")));
    g.command(&id, IncidentCommand::Acknowledge, "op-li", Role::Operator)
        .expect("ack");
    let wrong = IncidentCommand::CompleteStep {
        step: "call-119".into(),
    };
    let refusal = g
        .command(&id, wrong, "op-li", Role::Operator)
        .expect_err("not current");
    let en = &refusal.message.en;
    assert!(en.starts_with("step "), "{en}");
    assert!(en.contains("“Call 119 and say”"), "{en}");
    assert!(
        en.contains("step 1 “Confirm the alarm by the fastest means”"),
        "{en}"
    );
    assert!(!en.contains("call-119"), "no ids: {en}");
    assert!(
        refusal.message.zh.contains("第 1 步"),
        "{}",
        refusal.message.zh
    );
    let must_choose = IncidentCommand::CompleteStep {
        step: "confirm".into(),
    };
    let refusal = g
        .command(&id, must_choose, "op-li", Role::Operator)
        .expect_err("a choice is needed");
    assert!(
        refusal.message.en.contains("“Real fire”") || refusal.message.en.contains("“Real"),
        "{}",
        refusal.message.en
    );
}
