//! Phone numbers and logged calls through the real hub: the incident a console receives shows
//! whom its steps and tree levels call at what number for its site, a call logged over the feed
//! is in the incident log with its number, outcome and operator, an answer from a contact the
//! call-out reached stops its escalation, and a drill refuses a call to a real outside party.
#![allow(clippy::expect_used)]

use std::path::{Path, PathBuf};

use alert_hub::protocol::{CallOutcome, Callee, Command, ConsoleMessage, RefusalCode};
use serde_json::{Value, json};
use system_tests::{Console, Device, HubProcess, event, get_json, start_drill, tokens};

/// The demo's sites (with their outside parties), sources and operators, a security lead at
/// Green Garden and a drill control with phones, and no channel but the console's that could
/// answer later: every change happens before the command that causes it is answered.
fn write_site(dir: &Path) -> PathBuf {
    let contacts = "\
[[contacts]]
id = \"lead\"
name = \"Zhou Qiang 周强\"
role = \"security_lead\"
site = \"green-garden\"
phone = \"+86 138 5550 1101\"

[[contacts]]
id = \"drill-control\"
name = \"Drill control 演练导调\"
role = \"safety_officer\"
phone = \"+86 139 5550 4101\"
drill = true
";
    let path = dir.join("site.toml");
    let text = format!("{}\n{contacts}", system_tests::demo_without_contacts());
    std::fs::write(&path, text).expect("write the configuration");
    path
}

/// The incident as the hub serves it, with its log.
async fn incident(hub: &HubProcess, id: &str) -> Value {
    get_json(hub, &format!("/v1/incidents/{id}")).await
}

/// Whom step `step` of the incident's checklist calls: each party's numbers.
fn step_numbers(whole: &Value, step: &str) -> Vec<Value> {
    let steps = whole["incident"]["playbook"]["steps"]
        .as_array()
        .expect("a checklist");
    let step = steps.iter().find(|s| s["id"] == step).expect("the step");
    step["calls"]
        .as_array()
        .expect("the step calls someone")
        .iter()
        .map(|c| c["numbers"].clone())
        .collect()
}

fn log_call(incident: &str, callee: Callee, outcome: CallOutcome) -> Command {
    Command::LogCall {
        incident: incident.into(),
        callee,
        outcome,
        note: Some("logged from the test".into()),
    }
}

/// A console signed in as op-li once the hub says it is live: what happens next comes as
/// changes.
async fn live_console(hub: &HubProcess) -> Console {
    let mut console = Console::connect(hub, tokens::OPERATOR_LI, None).await;
    while !matches!(console.next().await, ConsoleMessage::Live { .. }) {}
    console
}

/// The first incident a console sees opened.
async fn opened(console: &mut Console) -> String {
    loop {
        if let ConsoleMessage::Change { change, .. } = console.next().await {
            return change.incident.id;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_sees_the_numbers_and_logs_calls_that_the_hub_records() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hub = HubProcess::start_with(&write_site(dir.path()), &dir.path().join("data"));
    let mut console = live_console(&hub).await;
    let mut panel = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    panel
        .send(&event("p1", "fire.alarm", "smoke-1", "7F east corridor"))
        .await;
    let id = opened(&mut console).await;

    let whole = incident(&hub, &id).await;
    assert_eq!(
        step_numbers(&whole, "call-119"),
        [json!([{ "callee": { "party": "fire_brigade" }, "phone": "119" }])]
    );
    let level = &whole["incident"]["notifications"]["levels"][0];
    assert_eq!(
        (&level["tree"], &level["level"]),
        (&json!("fire-alarm"), &json!(0))
    );
    assert_eq!(
        level["calls"][0]["numbers"],
        json!([{ "callee": { "contact": "lead" }, "name": "Zhou Qiang 周强",
                 "phone": "+86 138 5550 1101" }])
    );

    let busy = log_call(&id, Callee::Party("fire_brigade".into()), CallOutcome::Busy);
    assert!(console.command(busy).await.ok);
    let answered = log_call(&id, Callee::Contact("lead".into()), CallOutcome::Answered);
    assert!(console.command(answered).await.ok);

    let whole = incident(&hub, &id).await;
    let log = whole["log"].as_array().expect("a log");
    let calls: Vec<&Value> = log
        .iter()
        .filter(|e| e["event"] == "called_by_phone")
        .collect();
    assert_eq!(calls.len(), 2, "{log:#?}");
    for call in &calls {
        assert_eq!(call["actor"], json!({ "by": "operator", "id": "op-li" }));
        assert_eq!(call["operator"], "op-li");
        assert_eq!(call["note"], "logged from the test");
    }
    assert_eq!(
        (&calls[0]["number"], &calls[0]["outcome"]),
        (&json!("119"), &json!("busy"))
    );
    assert_eq!(
        (
            &calls[1]["number"],
            &calls[1]["outcome"],
            &calls[1]["acknowledged"]
        ),
        (
            &json!("+86 138 5550 1101"),
            &json!("answered"),
            &json!(true)
        )
    );
    assert!(
        log.iter()
            .any(|e| e["event"] == "notifications_acknowledged" && e["by"] == "lead"),
        "the answer stopped the call-out"
    );
    let notifications = &whole["incident"]["notifications"];
    assert_eq!(notifications["next_escalation_at"], Value::Null);
    let phone: Vec<&Value> = notifications["attempts"]
        .as_array()
        .expect("attempts")
        .iter()
        .filter(|a| a["channel"] == "phone")
        .collect();
    assert_eq!(phone.len(), 2);
    assert_eq!(phone[1]["status"], "acknowledged");

    let nowhere = log_call(
        "INC-999999",
        Callee::Party("police".into()),
        CallOutcome::Answered,
    );
    let reply = console.command(nowhere).await;
    assert_eq!(
        (reply.ok, reply.error),
        (false, Some(RefusalCode::UnknownIncident))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drill_shows_its_drill_control_and_refuses_a_call_to_the_lift_company() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hub = HubProcess::start_with(&write_site(dir.path()), &dir.path().join("data"));
    start_drill(&hub, "q2-lift", "电梯困人演练", "Lift rescue drill").await;
    let mut console = live_console(&hub).await;
    let mut lift = Device::connect(&hub, tokens::LIFT_GG_1).await;
    let mut frame = event("l1", "elevator.entrapment", "lift-B3-1", "B3 lift 1 car");
    frame["drill"] = json!("q2-lift");
    lift.send(&frame).await;
    let id = opened(&mut console).await;

    let whole = incident(&hub, &id).await;
    assert_eq!(
        step_numbers(&whole, "call-maintenance"),
        [json!([{ "callee": { "contact": "drill-control" },
                  "name": "Drill control 演练导调", "phone": "+86 139 5550 4101" }])],
        "the drill control plays the lift company; the company's number is not shown"
    );
    let company = log_call(
        &id,
        Callee::Party("elevator_maintenance".into()),
        CallOutcome::Answered,
    );
    let reply = console.command(company).await;
    assert_eq!(
        (reply.ok, reply.error),
        (false, Some(RefusalCode::InvalidState))
    );
    let message = reply.message.expect("a sentence");
    assert!(
        message
            .en
            .contains("a drill never calls a real outside party"),
        "{message:?}"
    );
    let control = log_call(
        &id,
        Callee::Contact("drill-control".into()),
        CallOutcome::Answered,
    );
    assert!(console.command(control).await.ok);
}
