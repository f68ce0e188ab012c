//! Given / when / then tests of calling by phone: whom steps and tree levels call at the
//! incident's site and at what numbers, a logged call and its outcome, when an answer counts as
//! an acknowledgement, and the drill rule.

use std::sync::Arc;

use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::*;
use crate::config::{Contact, OutsideParty, Site};
use crate::protocol::{AttemptStatus, CallView, IncidentEvent, PhoneEntry, RefusalCode, Role};
use crate::protocol::{CallOutcome, Callee};

const T0: OffsetDateTime = datetime!(2026-11-22 23:40:00 +08:00);
const GG: &str = "green-garden";
const RP: &str = "riverside-plaza";

fn contact(id: &str, role: &str, site: Option<&str>, drill: bool, phone: &str) -> Contact {
    Contact {
        id: id.into(),
        name: format!("Name of {id}"),
        role: role.into(),
        site: site.map(str::to_string),
        email: None,
        webhook: None,
        phone: Some(phone.into()),
        drill,
    }
}

/// Green Garden names its lift company; Riverside Plaza names none. The security leads serve
/// one site each; the duty manager and the safety officers serve both.
fn book() -> IncidentBook {
    let site = |id: &str, outside: Vec<OutsideParty>| Site {
        id: id.into(),
        name: id.into(),
        outside,
    };
    let setup = Setup {
        library: Arc::new(playbooks::Library::bundled().expect("bundled")),
        contacts: vec![
            contact("lead", "security_lead", Some(GG), false, "138 0000 0001"),
            contact("rp-lead", "security_lead", Some(RP), false, "138 0000 0011"),
            contact("duty", "duty_manager", None, false, "138 0000 0002"),
            contact("so", "safety_officer", None, false, "138 0000 0003"),
            contact("drill-so", "safety_officer", None, true, "139 0000 0003"),
            contact("drill-lead", "security_lead", None, true, "139 0000 0001"),
        ],
        sites: vec![
            site(
                GG,
                vec![OutsideParty {
                    role: "elevator_maintenance".into(),
                    name: "Otis Shanghai".into(),
                    phone: "400-820-0000".into(),
                }],
            ),
            site(RP, Vec::new()),
        ],
        stall_after: Duration::minutes(10),
        shift_lead_role: "duty_manager".into(),
        drill_control_role: "safety_officer".into(),
    };
    IncidentBook::new(Arc::new(setup), Vec::new(), 0)
}

/// A device event of `kind` at `site` (in drill `drill`, if given); the id of its incident.
fn alarm(book: &mut IncidentBook, kind: EventKind, site: &str, drill: Option<&str>) -> String {
    let stored = super::tests::stored_event(kind, site, drill);
    book.record(&stored, false)[0].view.id.clone()
}

/// Whom step `step` of incident `id`'s checklist calls.
fn step_calls(book: &IncidentBook, id: &str, step: &str) -> Vec<CallView> {
    let incident = book.get(id).expect("incident");
    let checklist = incident.checklist.as_ref().expect("checklist");
    let step = checklist.steps.iter().find(|s| s.id == step).expect("step");
    step.calls.clone()
}

fn party(role: &str, name: Option<&str>, phone: Option<&str>) -> PhoneEntry {
    PhoneEntry {
        callee: Callee::Party(role.into()),
        name: name.map(str::to_string),
        phone: phone.map(str::to_string),
    }
}

fn person(id: &str, phone: &str) -> PhoneEntry {
    PhoneEntry {
        callee: Callee::Contact(id.into()),
        name: Some(format!("Name of {id}")),
        phone: Some(phone.into()),
    }
}

fn numbers(calls: &[CallView]) -> Vec<Vec<PhoneEntry>> {
    calls.iter().map(|c| c.numbers.clone()).collect()
}

fn log_call(callee: Callee, outcome: CallOutcome, note: Option<&str>) -> IncidentCommand {
    IncidentCommand::LogCall {
        callee,
        outcome,
        note: note.map(str::to_string),
    }
}

fn operator() -> OperatorRef<'static> {
    OperatorRef {
        id: "op-li",
        role: Role::Operator,
    }
}

fn refusal(result: Result<Vec<Applied>, Refusal>) -> Refusal {
    match result {
        Ok(applied) => panic!("expected a refusal, got {applied:?}"),
        Err(refusal) => refusal,
    }
}

#[test]
fn a_step_that_calls_an_outside_party_shows_its_number_at_the_site() {
    let mut book = book();
    let fire = alarm(&mut book, EventKind::FireAlarm, GG, None);
    let calls = step_calls(&book, &fire, "call-119");
    assert_eq!(calls.len(), 1);
    assert_eq!(
        (
            calls[0].role.as_str(),
            calls[0].name.en.as_str(),
            calls[0].outside
        ),
        ("fire_brigade", "Fire brigade (119)", true)
    );
    assert_eq!(
        numbers(&calls),
        [[party("fire_brigade", None, Some("119"))]]
    );
    let lift = alarm(&mut book, EventKind::ElevatorEntrapment, GG, None);
    assert_eq!(
        numbers(&step_calls(&book, &lift, "call-maintenance")),
        [[party(
            "elevator_maintenance",
            Some("Otis Shanghai"),
            Some("400-820-0000")
        )]],
        "the site's own lift company"
    );
    let other = alarm(&mut book, EventKind::ElevatorEntrapment, RP, None);
    assert_eq!(
        numbers(&step_calls(&book, &other, "call-maintenance")),
        [[party("elevator_maintenance", None, None)]],
        "a site that names no lift company has no number for it"
    );
}

#[test]
fn a_step_that_calls_people_lists_the_real_contacts_holding_the_role() {
    let mut book = book();
    let fire = alarm(&mut book, EventKind::FireAlarm, GG, None);
    let calls = step_calls(&book, &fire, "start-plan");
    let roles: Vec<&str> = calls.iter().map(|c| c.role.as_str()).collect();
    assert_eq!(roles, ["safety_officer", "duty_manager"]);
    assert!(calls.iter().all(|c| !c.outside));
    assert_eq!(
        numbers(&calls),
        [
            vec![person("so", "138 0000 0003")],
            vec![person("duty", "138 0000 0002")]
        ]
    );
}

#[test]
fn each_level_of_a_running_tree_says_whom_it_calls_at_the_site() {
    let mut book = book();
    for (site, lead, phone) in [
        (GG, "lead", "138 0000 0001"),
        (RP, "rp-lead", "138 0000 0011"),
    ] {
        let id = alarm(&mut book, EventKind::FireAlarm, site, None);
        let view = book
            .get(&id)
            .and_then(|i| i.view.notifications.clone())
            .expect("the fire-alarm tree runs");
        let levels: Vec<(&str, u32)> = view
            .levels
            .iter()
            .map(|l| (l.tree.as_str(), l.level))
            .collect();
        assert_eq!(
            levels,
            [("fire-alarm", 0), ("fire-alarm", 1), ("fire-alarm", 2)]
        );
        assert_eq!(numbers(&view.levels[0].calls), [[person(lead, phone)]]);
        assert_eq!(
            numbers(&view.levels[1].calls),
            [[person("duty", "138 0000 0002")]]
        );
    }
}

#[test]
fn a_drill_shows_its_drill_control_instead_of_an_outside_party() {
    let mut book = book();
    let id = alarm(&mut book, EventKind::ElevatorEntrapment, GG, Some("d1"));
    let calls = step_calls(&book, &id, "call-maintenance");
    assert!(calls[0].outside);
    assert_eq!(
        numbers(&calls),
        [[person("drill-so", "139 0000 0003")]],
        "the drill control plays the lift company; its real number is never shown"
    );
    let view = book
        .get(&id)
        .and_then(|i| i.view.notifications.clone())
        .expect("the drill's tree runs");
    let everyone: Vec<&PhoneEntry> = view
        .levels
        .iter()
        .flat_map(|l| l.calls.iter().flat_map(|c| c.numbers.iter()))
        .collect();
    assert!(!everyone.is_empty());
    assert!(
        everyone
            .iter()
            .all(|e| matches!(&e.callee, Callee::Contact(id) if id.starts_with("drill-"))),
        "{everyone:?}"
    );
}

#[test]
fn a_logged_call_is_a_phone_attempt_with_its_outcome_number_and_operator() {
    let mut book = book();
    let id = alarm(&mut book, EventKind::FireAlarm, GG, None);
    let next = book.get(&id).expect("incident").next_attempt;
    let call = log_call(
        Callee::Party("fire_brigade".into()),
        CallOutcome::Busy,
        Some("  redial in a minute "),
    );
    let applied = book.command(&id, &call, operator(), T0).expect("logged");
    let events: Vec<&IncidentEvent> = applied.iter().map(|a| &a.event).collect();
    assert_eq!(
        events,
        [&IncidentEvent::CalledByPhone {
            attempt: next,
            operator: "op-li".into(),
            callee: Callee::Party("fire_brigade".into()),
            name: "Fire brigade (119) 消防救援（119）".into(),
            number: Some("119".into()),
            outcome: CallOutcome::Busy,
            note: Some("redial in a minute".into()),
            tree: None,
            level: None,
            acknowledged: false,
        }]
    );
    let view = applied[0].view.notifications.clone().expect("the call-out");
    let attempt = view.attempts.last().expect("the call");
    assert_eq!(
        (attempt.channel.as_str(), attempt.status, attempt.attempt),
        (PHONE_CHANNEL, AttemptStatus::Failed, next)
    );
    let call = attempt.call.as_ref().expect("a phone call");
    assert_eq!(
        (call.operator.as_str(), call.number.as_deref(), call.outcome),
        ("op-li", Some("119"), CallOutcome::Busy)
    );
    assert_eq!(
        view.next_escalation_at,
        Some(T0 + Duration::minutes(1)),
        "a call to the fire brigade does not stop the internal call-out"
    );
}

#[test]
fn an_answered_call_to_a_contact_the_tree_has_called_acknowledges_the_call_out() {
    let mut book = book();
    let id = alarm(&mut book, EventKind::FireAlarm, GG, None);
    let call = log_call(Callee::Contact("lead".into()), CallOutcome::Answered, None);
    let applied = book.command(&id, &call, operator(), T0).expect("logged");
    assert!(matches!(
        &applied[0].event,
        IncidentEvent::CalledByPhone { tree: Some(tree), level: Some(0), acknowledged: true, number: Some(n), .. }
            if tree == "fire-alarm" && n == "138 0000 0001"
    ));
    assert_eq!(
        applied[1].event,
        IncidentEvent::NotificationsAcknowledged { by: "lead".into() }
    );
    let view = applied[1].view.notifications.clone().expect("the call-out");
    assert_eq!(view.next_escalation_at, None, "the escalation stops");
    assert_eq!(view.acknowledged_by.as_deref(), Some("lead"));
    let attempt = view.attempts.iter().find(|a| a.channel == PHONE_CHANNEL);
    assert_eq!(attempt.map(|a| a.status), Some(AttemptStatus::Acknowledged));
    assert_eq!(
        book.get(&id).expect("incident").view.state,
        crate::protocol::IncidentState::New,
        "the incident itself still needs an operator"
    );
}

#[test]
fn only_an_answer_from_someone_already_called_stops_the_escalation() {
    let mut book = book();
    let id = alarm(&mut book, EventKind::FireAlarm, GG, None);
    let ahead = log_call(Callee::Contact("duty".into()), CallOutcome::Answered, None);
    let applied = book.command(&id, &ahead, operator(), T0).expect("logged");
    assert_eq!(applied.len(), 1, "{applied:?}");
    assert!(matches!(
        &applied[0].event,
        IncidentEvent::CalledByPhone {
            tree: Some(_),
            level: Some(1),
            acknowledged: false,
            ..
        }
    ));
    let unanswered = log_call(Callee::Contact("lead".into()), CallOutcome::NoAnswer, None);
    let applied = book
        .command(&id, &unanswered, operator(), T0)
        .expect("logged");
    assert_eq!(applied.len(), 1, "{applied:?}");
    let view = applied[0].view.notifications.clone().expect("the call-out");
    assert_eq!(view.next_escalation_at, Some(T0 + Duration::minutes(1)));
    assert_eq!(
        view.attempts.last().map(|a| a.status),
        Some(AttemptStatus::Failed)
    );
}

#[test]
fn a_drill_refuses_a_call_to_an_outside_party_or_a_real_contact() {
    let mut book = book();
    let id = alarm(&mut book, EventKind::ElevatorEntrapment, GG, Some("d1"));
    let lift = log_call(
        Callee::Party("elevator_maintenance".into()),
        CallOutcome::Answered,
        None,
    );
    let refused = refusal(book.command(&id, &lift, operator(), T0));
    assert_eq!(refused.code, RefusalCode::InvalidState);
    assert!(
        refused
            .message
            .en
            .contains("a drill never calls a real outside party"),
        "{refused:?}"
    );
    assert!(refused.message.zh.contains("演练从不拨打真实的外部电话"));
    let real = log_call(Callee::Contact("lead".into()), CallOutcome::Answered, None);
    let refused = refusal(book.command(&id, &real, operator(), T0));
    assert!(
        refused
            .message
            .en
            .ends_with("calls the site's drill contacts only, and lead is not one."),
        "{refused:?}"
    );
    let control = log_call(
        Callee::Contact("drill-so".into()),
        CallOutcome::Answered,
        None,
    );
    let applied = book.command(&id, &control, operator(), T0).expect("logged");
    assert!(matches!(
        &applied[0].event,
        IncidentEvent::CalledByPhone { number: Some(n), .. } if n == "139 0000 0003"
    ));
}

#[test]
fn a_real_incident_refuses_drill_contacts_strangers_other_sites_and_people_as_parties() {
    let mut book = book();
    let id = alarm(&mut book, EventKind::FireAlarm, GG, None);
    let cases = [
        (
            Callee::Contact("drill-so".into()),
            RefusalCode::InvalidState,
            "drill-so is a drill contact: a real incident does not call them.",
        ),
        (
            Callee::Contact("nobody".into()),
            RefusalCode::BadCommand,
            "There is no contact \"nobody\".",
        ),
        (
            Callee::Contact("rp-lead".into()),
            RefusalCode::InvalidState,
            "rp-lead does not serve site green-garden.",
        ),
        (
            Callee::Party("duty_manager".into()),
            RefusalCode::BadCommand,
            "\"duty_manager\" is not an outside party.",
        ),
    ];
    for (callee, code, says) in cases {
        let call = log_call(callee.clone(), CallOutcome::Answered, None);
        let refused = refusal(book.command(&id, &call, operator(), T0));
        assert_eq!((refused.code, refused.message.en.as_str()), (code, says));
        assert!(!refused.message.zh.is_ascii(), "{callee:?}");
    }
    let long = "x".repeat(MAX_NOTE_CHARS + 1);
    let call = log_call(
        Callee::Contact("lead".into()),
        CallOutcome::Busy,
        Some(&long),
    );
    assert_eq!(
        refusal(book.command(&id, &call, operator(), T0)).code,
        RefusalCode::BadCommand
    );
}

#[test]
fn a_call_about_an_unknown_incident_is_refused_and_managers_do_not_log_calls() {
    let mut book = book();
    let call = log_call(Callee::Party("police".into()), CallOutcome::Answered, None);
    let refused = refusal(book.command("INC-000999", &call, operator(), T0));
    assert_eq!(refused.code, RefusalCode::UnknownIncident);
    let command = crate::protocol::Command::LogCall {
        incident: "INC-000001".into(),
        callee: Callee::Party("police".into()),
        outcome: CallOutcome::Answered,
        note: None,
    };
    assert_eq!(
        check_permission(Role::Manager, Action::of(&command)).map_err(|r| r.code),
        Err(RefusalCode::NotPermitted)
    );
    assert_eq!(
        check_permission(Role::Operator, Action::of(&command)),
        Ok(())
    );
}
