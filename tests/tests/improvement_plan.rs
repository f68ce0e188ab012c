//! A drill's after-action analysis and improvement plan over a real hub: a safety officer
//! writes the analysis of an objective and adds corrective actions once the drill has ended,
//! an operator is refused with a sentence saying who may, the overdue query lists the action
//! past due until it is done, and the report (Markdown and JSON) shows both the analysis and
//! the plan. The plan and its log survive a restart. The same from the `drills` command line:
//! `drills analysis`, `drills action add|update`, `drills actions --overdue` and `drills report`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::process::{Command, Output};

use serde_json::{Value, json};
use system_tests::{HubProcess, binary, get_json, http, tokens};

const DRILL: &str = "2026-q2-lift-rescue-green-garden";

async fn start_drill(hub: &HubProcess) {
    let start = json!({
        "id": DRILL,
        "name": {"zh": "电梯困人救援演练", "en": "Lift entrapment rescue drill"},
        "site": "green-garden",
        "kind": "lift_rescue",
        "exercise": "functional",
        "objectives": [
            {"id": "ack", "name": {"zh": "确认报警", "en": "Alarm acknowledged"},
             "target_secs": 60, "measure": {"type": "acknowledged"}},
            {"id": "freed", "name": {"zh": "解救被困人员", "en": "Passengers freed"},
             "target_secs": 1800, "measure": {"type": "resolved"}}
        ]
    })
    .to_string();
    let (status, body) = send(hub, "POST", "/v1/drills", tokens::SAFETY_OFFICER, &start).await;
    assert_eq!(status, 201, "{body}");
}

async fn send(
    hub: &HubProcess,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> (u16, String) {
    http(hub.addr, method, path, Some(token), Some(body)).await
}

fn analysis() -> String {
    json!({"objective": "freed", "strengths": ["maintenance arrived in 18 min"],
        "areas": ["the car's intercom was not answered for 3 min"]})
    .to_string()
}

#[tokio::test]
async fn a_safety_officer_writes_the_analysis_and_plan_and_the_overdue_action_is_followed_up() {
    let data = tempfile::tempdir().unwrap();
    let mut hub = HubProcess::start(data.path());
    start_drill(&hub).await;
    let analysis_path = format!("/v1/drills/{DRILL}/analysis");
    let actions_path = format!("/v1/drills/{DRILL}/actions");

    let (status, body) = send(
        &hub,
        "PUT",
        &analysis_path,
        tokens::SAFETY_OFFICER,
        &analysis(),
    )
    .await;
    assert_eq!(
        status, 409,
        "a running drill is analysed once it ends: {body}"
    );
    assert!(body.contains("still running"), "{body}");
    for token in [tokens::SAFETY_OFFICER, tokens::ADMIN] {
        let end = format!("/v1/drills/{DRILL}/end");
        http(hub.addr, "POST", &end, Some(token), None).await;
    }

    let (status, body) = send(
        &hub,
        "PUT",
        &analysis_path,
        tokens::OPERATOR_LI,
        &analysis(),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains(
            "An operator may not write a drill's analysis or improvement plan; a safety officer or an admin must."
        ),
        "{body}"
    );
    let (status, body) = send(
        &hub,
        "PUT",
        &analysis_path,
        tokens::SAFETY_OFFICER,
        &analysis(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let wrong = json!({"objective": "evacuated", "areas": ["x"]}).to_string();
    let (status, body) = send(&hub, "PUT", &analysis_path, tokens::SAFETY_OFFICER, &wrong).await;
    assert_eq!(status, 400);
    assert!(
        body.contains("has no objective \\\"evacuated\\\"; its objectives: ack, freed"),
        "{body}"
    );

    let overdue = json!({"addresses": "freed", "action": "Answer lift intercoms within 30 s",
        "owner": "op-li", "start": "2026-01-05", "due": "2026-02-01"})
    .to_string();
    let later = json!({"addresses": "radio dead spot in the lift machine room",
        "action": "Add a repeater", "owner": "so-zhao", "due": "2099-12-31"})
    .to_string();
    let (status, body) = send(&hub, "POST", &actions_path, tokens::OPERATOR_WANG, &overdue).await;
    assert_eq!(status, 403, "{body}");
    for action in [&overdue, &later] {
        let (status, body) =
            send(&hub, "POST", &actions_path, tokens::SAFETY_OFFICER, action).await;
        assert_eq!(status, 201, "{body}");
    }
    let backwards = json!({"addresses": "freed", "action": "x", "owner": "so-zhao",
        "start": "2026-03-01", "due": "2026-02-01"})
    .to_string();
    let (status, body) = send(&hub, "POST", &actions_path, tokens::ADMIN, &backwards).await;
    assert_eq!(status, 400);
    assert!(
        body.contains("the due date 2026-02-01 is before the start date 2026-03-01"),
        "{body}"
    );

    let listed = get_json(&hub, "/v1/drills/actions?overdue=true").await;
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], "A1");
    assert_eq!(listed[0]["drill"], DRILL);
    assert_eq!(listed[0]["site"], "green-garden");
    assert_eq!(listed[0]["overdue"], true);
    let all = get_json(&hub, "/v1/drills/actions").await;
    assert_eq!(all.as_array().unwrap().len(), 2);

    let report = report_json(&hub).await;
    assert_eq!(report["overdue"], json!(["A1"]));
    assert_eq!(report["plan"]["analysis"][0]["objective"], "freed");
    let (status, md) = http(
        hub.addr,
        "GET",
        &format!("/v1/drills/{DRILL}/report?format=md&lang=en"),
        Some(tokens::MANAGER),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        md.contains("| Passengers freed (freed) | Strength | maintenance arrived in 18 min |"),
        "{md}"
    );
    assert!(
        md.contains("| Passengers freed (freed) | Area for improvement | the car's intercom"),
        "{md}"
    );
    assert!(
        md.contains("| Alarm acknowledged (ack) | - | not analysed yet |"),
        "{md}"
    );
    assert!(
        md.contains("| A1 | Passengers freed | Answer lift intercoms within 30 s | op-li | 2026-01-05 | 2026-02-01 | open — OVERDUE |"),
        "{md}"
    );
    assert!(
        md.contains("| A2 | radio dead spot in the lift machine room | Add a repeater |"),
        "{md}"
    );

    let done = json!({"status": "done", "completed": "2026-02-03"}).to_string();
    let (status, body) = send(
        &hub,
        "POST",
        &format!("{actions_path}/A1"),
        tokens::SAFETY_OFFICER,
        &done,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(
        &hub,
        "POST",
        &format!("{actions_path}/A7"),
        tokens::SAFETY_OFFICER,
        &done,
    )
    .await;
    assert_eq!(status, 404);
    assert!(
        body.contains("has no action \\\"A7\\\"; its actions: A1, A2"),
        "{body}"
    );
    let listed = get_json(&hub, "/v1/drills/actions?overdue=true").await;
    assert_eq!(listed, json!([]), "a done action is no longer overdue");

    hub.restart();
    let plan = get_json(&hub, &analysis_path).await;
    assert_eq!(plan["actions"][0]["status"], "done");
    assert_eq!(plan["actions"][0]["completed"], "2026-02-03");
    let log: Vec<(String, String)> = plan["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["type"].as_str().unwrap().into(),
                c["by"].as_str().unwrap().into(),
            )
        })
        .collect();
    let so = "so-zhao".to_string();
    assert_eq!(
        log,
        [
            ("analysis_written".to_string(), so.clone()),
            ("action_added".into(), so.clone()),
            ("action_added".into(), so.clone()),
            ("action_status_changed".into(), so),
        ]
    );
    let report = report_json(&hub).await;
    assert_eq!(report["overdue"], json!([]));
}

async fn report_json(hub: &HubProcess) -> Value {
    get_json(hub, &format!("/v1/drills/{DRILL}/report?format=json")).await
}

/// Runs `drills ARGS --hub … --token TOKEN`.
fn drills(hub: &HubProcess, token: &str, args: &[&str]) -> Output {
    Command::new(binary("drills"))
        .args(args)
        .args(["--hub", &format!("http://{}", hub.addr), "--token", token])
        .output()
        .expect("drills runs")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "drills failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn the_drills_command_line_writes_the_plan_lists_overdue_actions_and_saves_the_report() {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    start_drill(&hub).await;
    for token in [tokens::SAFETY_OFFICER, tokens::ADMIN] {
        let end = format!("/v1/drills/{DRILL}/end");
        http(hub.addr, "POST", &end, Some(token), None).await;
    }
    let so = tokens::SAFETY_OFFICER;
    let analysis = [
        "analysis",
        DRILL,
        "--objective",
        "ack",
        "--strength",
        "acknowledged in 12 s",
        "--area",
        "no second operator watched the board",
    ];
    let refused = drills(&hub, tokens::OPERATOR_LI, &analysis);
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("HTTP 403") && said.contains("a safety officer or an admin must"),
        "{said}"
    );
    assert!(stdout(&drills(&hub, so, &analysis)).contains("analysis of"));
    let add = [
        "action",
        "add",
        DRILL,
        "--addresses",
        "ack",
        "--action",
        "Two operators on the board",
        "--owner",
        "mgr-chen",
        "--start",
        "2026-01-01",
        "--due",
        "2026-01-31",
    ];
    assert!(stdout(&drills(&hub, so, &add)).contains("added A1"));
    let bad_date = drills(
        &hub,
        so,
        &[
            "action",
            "add",
            DRILL,
            "--addresses",
            "ack",
            "--action",
            "x",
            "--owner",
            "y",
            "--due",
            "31/01/2026",
        ],
    );
    assert!(!bad_date.status.success());
    assert!(String::from_utf8_lossy(&bad_date.stderr).contains("write YYYY-MM-DD"));

    let listed = stdout(&drills(&hub, tokens::MANAGER, &["actions", "--overdue"]));
    assert!(
        listed.contains("A1  2026-01-31  open OVERDUE  mgr-chen"),
        "{listed}"
    );
    let out = data.path().join("aar.md");
    let out_arg = out.to_str().unwrap();
    stdout(&drills(
        &hub,
        tokens::MANAGER,
        &[
            "report", DRILL, "--format", "md", "--lang", "en", "--out", out_arg,
        ],
    ));
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(
        md.contains("| Alarm acknowledged (ack) | Strength | acknowledged in 12 s |"),
        "{md}"
    );
    assert!(md.contains("open — OVERDUE"), "{md}");

    let update = [
        "action",
        "update",
        DRILL,
        "A1",
        "--status",
        "done",
        "--completed",
        "2026-02-02",
    ];
    assert!(stdout(&drills(&hub, so, &update)).contains("A1: done"));
    let listed = stdout(&drills(&hub, tokens::MANAGER, &["actions", "--overdue"]));
    assert_eq!(listed, "no overdue corrective actions\n");
}
