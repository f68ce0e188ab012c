//! A drill from start to after-action report on a real hub: started at a site with its
//! objectives, a drill alarm worked from a console, ended by two people; the report scores each
//! objective with its HSEEP rating and says why points were taken off, and its HTML opens in
//! headless Chromium with the drill's timeline and the improvement plan the safety officer
//! wrote, its overdue action marked (the screenshot is kept under the build's
//! temporary directory for a person to look at). A real alarm during the drill stays out of it.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use alert_hub::protocol::Command;
use serde_json::json;
use system_tests::{Console, Device, HubProcess, chromium, event, http, tokens};

const DRILL: &str = "2026-q4-fire-evac-green-garden";

#[tokio::test]
async fn a_finished_drill_has_a_scored_after_action_report() {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let start = json!({
        "id": DRILL,
        "name": {"zh": "四季度消防疏散演练", "en": "Q4 fire evacuation drill"},
        "site": "green-garden",
        "scenario": "fire-evacuation",
        "kind": "fire_evacuation",
        "exercise": "functional",
        "objectives": [
            {"id": "ack", "name": {"zh": "确认报警", "en": "Alarm acknowledged"},
             "target_secs": 60, "measure": {"type": "acknowledged"}},
            {"id": "verify", "name": {"zh": "核实火情", "en": "Fire verified"},
             "target_secs": 180,
             "measure": {"type": "step_done", "playbook": "fire-alarm", "step": "confirm"}},
            {"id": "resolved", "name": {"zh": "办结", "en": "Resolved"},
             "target_secs": 1, "measure": {"type": "resolved"}}
        ]
    })
    .to_string();
    let (status, body) = http(
        hub.addr,
        "POST",
        "/v1/drills",
        Some(tokens::OPERATOR_LI),
        Some(&start),
    )
    .await;
    assert_eq!(status, 403, "an operator does not run drills: {body}");
    let (status, body) = http(
        hub.addr,
        "POST",
        "/v1/drills",
        Some(tokens::SAFETY_OFFICER),
        Some(&start),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    let mut panel = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    let mut drill_alarm = event("fa-d1", "fire.alarm", "smoke-B2-07F-03", "7F east corridor");
    drill_alarm["drill"] = json!(DRILL);
    panel.send(&drill_alarm).await;
    let real = event("fa-r1", "fire.alarm", "smoke-B2-12F-01", "12F lobby");
    panel.send(&real).await;

    let mut li = Console::connect(&hub, tokens::OPERATOR_LI, None).await;
    for command in [
        Command::Acknowledge {
            incident: "INC-000001".into(),
        },
        Command::Choose {
            incident: "INC-000001".into(),
            step: "confirm".into(),
            choice: "real".into(),
        },
    ] {
        let reply = li.command(command.clone()).await;
        assert!(reply.ok, "{command:?}: {reply:?}");
    }
    let end_path = format!("/v1/drills/{DRILL}/end");
    let end = |token| http(hub.addr, "POST", &end_path, Some(token), None);
    assert_eq!(end(tokens::SAFETY_OFFICER).await.0, 202);
    assert_eq!(end(tokens::ADMIN).await.0, 200);

    let analysis = json!({"objective": "verify", "strengths": ["verified on site in 2 min"],
        "areas": ["the 7F warden had no radio"]})
    .to_string();
    let path = format!("/v1/drills/{DRILL}/analysis");
    let (status, body) = http(
        hub.addr,
        "PUT",
        &path,
        Some(tokens::SAFETY_OFFICER),
        Some(&analysis),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let action = json!({"addresses": "verify", "action": "Issue radios to every floor warden",
        "owner": "so-zhao", "start": "2026-01-01", "due": "2026-01-02"})
    .to_string();
    let path = format!("/v1/drills/{DRILL}/actions");
    let (status, body) = http(
        hub.addr,
        "POST",
        &path,
        Some(tokens::SAFETY_OFFICER),
        Some(&action),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    let path = format!("/v1/drills/{DRILL}/report");
    let (status, body) = http(
        hub.addr,
        "GET",
        &format!("{path}?format=json"),
        Some(tokens::MANAGER),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let report: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        report["record"]["incidents"],
        json!(["INC-000001"]),
        "the real alarm is not the drill's"
    );
    let objectives = report["score"]["objectives"].as_array().unwrap();
    let rating = |id: &str| {
        objectives
            .iter()
            .find(|o| o["objective"]["id"] == id)
            .map(|o| o["rating"].clone())
            .unwrap()
    };
    assert_eq!(rating("ack"), "P", "acknowledged within a minute");
    assert_eq!(rating("verify"), "P");
    assert_eq!(rating("resolved"), "U", "never resolved during the drill");
    let deductions = report["score"]["deductions"].as_array().unwrap();
    assert!(
        deductions.iter().any(|d| d["points"] == 25
            && d["reason"]["en"] == "objective \"Resolved\" was never met (U)"),
        "{deductions:?}"
    );
    let lost: u64 = deductions
        .iter()
        .map(|d| d["points"].as_u64().unwrap())
        .sum();
    assert_eq!(
        report["score"]["score"].as_u64().unwrap(),
        100 - lost,
        "every point taken off has its reason"
    );
    assert_eq!(report["score"]["participants"], json!(["op-li"]));

    let (status, html) = http(
        hub.addr,
        "GET",
        &format!("{path}?lang=en"),
        Some(tokens::MANAGER),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("reports");
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join("after-action.html");
    std::fs::write(&page, &html).unwrap();
    let opened = chromium::open(&page, &dir.join("after-action.png"), 1280, 1400);
    assert!(opened.dom.contains("<svg"), "the timeline loaded");
    assert!(opened.dom.contains("DRILL — not a real incident"));
    assert!(
        opened.dom.contains("INC-000001"),
        "the drill's events are on the timeline"
    );
    assert!(!opened.dom.contains("INC-000002"), "the real alarm is not");
    assert_eq!(
        opened.dom.matches("class=\"target ").count(),
        3,
        "one line per objective"
    );
    assert!(opened.dom.contains("Improvement plan"), "{}", opened.dom);
    assert!(opened.dom.contains("the 7F warden had no radio"));
    assert!(opened.dom.contains("Issue radios to every floor warden"));
    assert!(
        opened.dom.contains("open — OVERDUE"),
        "the action past due is marked"
    );

    let (status, _) = http(
        hub.addr,
        "GET",
        "/v1/drills/no-such/report",
        Some(tokens::MANAGER),
        None,
    )
    .await;
    assert_eq!(status, 404);
}
