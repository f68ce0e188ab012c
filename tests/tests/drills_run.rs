//! `drills run` end to end: for every shipped scenario, the real hub, the real `drills run`
//! binary at a high speed and a scripted console that acknowledges and works the playbook at
//! times it notes; two people end the drill, and the score measures what the script did to the
//! second. Drill notices reach the drill contact only (a real SMTP server and a webhook receiver
//! on loopback). A real fire alarm during a drill stands first on the board and counts as real
//! only. An operator's token, an unknown site and a broken scenario are refused before any
//! event is sent; Ctrl-C aborts the drill and its record says so.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "drills_run/script.rs"]
mod script;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use alert_hub::protocol::{self, ConsoleMessage};
use serde_json::{Value, json};
use system_tests::{Console, Device, HubProcess, PATIENCE, event, get_json, http, tokens};

use script::*;

/// Plays shipped scenario `id` end to end and checks the score against the script.
async fn play(id: &str) {
    let site = Site::start().await;
    let drill = format!("e2e-{id}");
    let script = Script::read(id);
    let console = Console::connect(&site.hub, tokens::OPERATOR_LI, None).await;
    let runner = run(
        &site,
        tokens::SAFETY_OFFICER,
        &scenario_file(id),
        &drill,
        &["--speed", SPEED],
    );
    let start = started_at(&site.hub, &drill).await;
    let mut li = Operator {
        hub: &site.hub,
        console,
        drill: drill.clone(),
        start,
        library: playbooks::Library::bundled().unwrap(),
        next_beat: Instant::now() + BEAT,
    };
    // The last objective that is the operator's to meet is left undone: it rates U.
    let undone = script
        .objectives
        .iter()
        .rposition(|o| o["measure"]["type"] != "notified")
        .unwrap();
    let mut done: HashMap<String, f64> = HashMap::new();
    for (n, objective) in script.objectives.iter().enumerate() {
        let measure = &objective["measure"];
        let kind = measure["type"].as_str().unwrap();
        if n == undone || kind == "notified" {
            continue;
        }
        let playbook = measure["playbook"].as_str().unwrap_or(&script.playbook);
        let incident = li.incident_for(playbook, &script).await;
        let acked = if kind == "acknowledged" {
            li.beat().await;
            li.acknowledge(&incident).await
        } else {
            li.acknowledge(&incident).await;
            None
        };
        let at = match kind {
            "acknowledged" => acked.expect("the script acknowledged first"),
            "step_done" | "choice_made" => {
                let step = measure["step"].as_str().unwrap();
                li.work_to(&incident.id, step, measure["choice"].as_str())
                    .await
            }
            "resolved" => {
                li.beat().await;
                li.ok(protocol::Command::Resolve {
                    incident: incident.id.clone(),
                    summary: None,
                })
                .await
            }
            other => panic!("a measure the script does not know: {other}"),
        };
        done.insert(objective["id"].as_str().unwrap().to_string(), at);
    }

    let ran = finish(runner);
    let out = text(&ran.stdout);
    assert!(ran.status.success(), "{out}\n{}", text(&ran.stderr));
    assert!(out.contains(&format!("drills end {drill}")), "{out}");
    let confirmed = drills(&site, tokens::ADMIN, &["end", &drill])
        .output()
        .unwrap();
    let said = text(&confirmed.stdout);
    assert!(
        confirmed.status.success(),
        "{said}{}",
        text(&confirmed.stderr)
    );
    assert!(said.contains(&format!("drill {drill} ended")), "{said}");

    let report = get_json(&site.hub, &format!("/v1/drills/{drill}/report?format=json")).await;
    assert_eq!(report["record"]["outcome"], "completed", "{report}");
    let first_notice = first_drill_notice(&site, start);
    for (n, result) in report["score"]["objectives"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let objective = &result["objective"];
        let id = objective["id"].as_str().unwrap();
        let target = objective["target_secs"].as_i64().unwrap();
        let measured = result["measured_secs"].as_i64();
        let expected = match done.get(id) {
            Some(at) => Some(*at),
            None if objective["measure"]["type"] == "notified" => first_notice,
            None => None,
        };
        match (measured, expected) {
            (Some(m), Some(at)) => {
                assert!(
                    (m as f64 - at).abs() <= 1.0,
                    "{id}: measured {m} s, the script did it at {at:.2} s"
                );
                assert!(m <= target);
                assert_eq!(result["rating"], "P", "{id}");
            }
            (None, None) => {
                assert_eq!(n, undone, "{id} was left undone");
                assert_eq!(result["rating"], "U", "{id}");
            }
            other => panic!("{id}: measured and scripted differ: {other:?}\n{report}"),
        }
    }
    let deductions = report["score"]["deductions"].as_array().unwrap();
    let lost: u64 = deductions
        .iter()
        .map(|d| d["points"].as_u64().unwrap())
        .sum();
    assert_eq!(report["score"]["score"].as_u64().unwrap(), 100 - lost);
    assert!(
        deductions.iter().any(|d| d["points"] == 25),
        "the undone objective costs 25 points: {deductions:?}"
    );
    assert_only_drill_contacts(&site);
    let metrics = metrics(&site.hub).await;
    for p in 1..=4 {
        assert!(
            metrics.contains(&format!("hub_open_incidents{{priority=\"P{p}\"}} 0")),
            "no real incident is counted: {metrics}"
        );
    }
}

macro_rules! every_shipped_scenario {
    ($($test:ident => $id:literal),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                play($id).await;
            }
        )*

        #[test]
        fn every_shipped_scenario_is_played() {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../drills/scenarios");
            let mut shipped: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .filter_map(|e| {
                    let path = e.unwrap().path();
                    (path.extension()? == "toml")
                        .then(|| path.file_stem().unwrap().to_string_lossy().into_owned())
                })
                .collect();
            shipped.sort();
            let mut played = vec![$($id),*];
            played.sort();
            assert_eq!(shipped, played);
        }
    };
}

every_shipped_scenario! {
    combined_drill_is_scored_as_scripted => "combined",
    fire_evacuation_is_scored_as_scripted => "fire-evacuation",
    first_aid_is_scored_as_scripted => "first-aid",
    flood_is_scored_as_scripted => "flood",
    gas_leak_is_scored_as_scripted => "gas-leak",
    lift_rescue_is_scored_as_scripted => "lift-rescue",
    public_security_is_scored_as_scripted => "public-security",
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_fire_alarm_during_a_drill_stands_first_and_counts_as_real_only() {
    let site = Site::start().await;
    let drill = "e2e-real-during-drill";
    let runner = run(
        &site,
        tokens::SAFETY_OFFICER,
        &scenario_file("fire-evacuation"),
        drill,
        &["--speed", "100"],
    );
    started_at(&site.hub, drill).await;
    let deadline = Instant::now() + PATIENCE;
    let path = format!("/v1/incidents?drill={drill}");
    while get_json(&site.hub, &path)
        .await
        .as_array()
        .unwrap()
        .is_empty()
    {
        assert!(Instant::now() < deadline, "the drill fire never opened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut panel = Device::connect(&site.hub, tokens::FIRE_PANEL_GG).await;
    let real = event("real-1", "fire.alarm", "smoke-B2-12F-01", "12F lobby");
    assert!(matches!(
        panel.send(&real).await,
        protocol::DeviceReply::Ack(_)
    ));

    let mut board = Console::connect(&site.hub, tokens::OPERATOR_WANG, None).await;
    let ConsoleMessage::Snapshot { incidents, .. } = board.next().await else {
        panic!("a console starts with a snapshot");
    };
    let mut incidents = incidents;
    incidents.sort_by(protocol::IncidentView::board_order);
    assert!(incidents.len() >= 2, "{incidents:?}");
    assert_eq!(incidents[0].drill, None, "the real alarm is first");
    assert_eq!(incidents[0].location.zone.as_deref(), Some("12F lobby"));
    assert!(
        incidents[1..]
            .iter()
            .all(|i| i.drill.as_deref() == Some(drill))
    );
    let real_id = incidents[0].id.clone();

    let metrics = metrics(&site.hub).await;
    assert!(
        metrics.contains("hub_open_incidents{priority=\"P1\"} 1"),
        "{metrics}"
    );
    assert!(!metrics.contains("hub_open_drill_incidents 0"), "{metrics}");
    let real_only = get_json(&site.hub, "/v1/incidents?drill=none").await;
    assert_eq!(real_only.as_array().unwrap().len(), 1);
    assert_eq!(real_only[0]["id"], real_id.as_str());
    let drill_only = get_json(&site.hub, &path).await;
    assert!(
        drill_only
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["drill"] == drill)
    );

    let ran = finish(runner);
    assert!(ran.status.success(), "{}", text(&ran.stderr));
    let ended = drills(&site, tokens::ADMIN, &["end", drill])
        .output()
        .unwrap();
    assert!(ended.status.success(), "{}", text(&ended.stderr));
    let report = get_json(&site.hub, &format!("/v1/drills/{drill}/report?format=json")).await;
    let theirs = report["record"]["incidents"].as_array().unwrap();
    assert!(!theirs.is_empty());
    assert!(
        !theirs.contains(&json!(real_id)),
        "the real alarm is not the drill's"
    );
    assert!(
        report["score"]["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["incident"] != real_id.as_str()),
        "nothing of the real alarm is in the drill's score"
    );
    let deadline = Instant::now() + PATIENCE;
    while !site
        .hook
        .received()
        .iter()
        .any(|(_, b)| b["contact_id"] == "lead")
    {
        assert!(Instant::now() < deadline, "the real lead was never called");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for (_, body) in site.hook.received() {
        let real_contact = body["contact_id"] == "lead";
        assert_eq!(body["drill"], !real_contact, "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_an_unknown_site_and_a_broken_scenario_are_refused_before_any_event() {
    let site = Site::start().await;
    let lift = scenario_file("lift-rescue");
    let by_operator = finish(run(&site, tokens::OPERATOR_LI, &lift, "e2e-op", &[]));
    assert!(!by_operator.status.success());
    let said = text(&by_operator.stderr);
    assert!(
        said.contains("only a safety officer or an admin may start or end drills"),
        "{said}"
    );
    let mut child = drills(
        &site,
        tokens::SAFETY_OFFICER,
        &[
            "run",
            lift.to_str().unwrap(),
            "--site",
            "nowhere",
            "--id",
            "e2e-site",
        ],
    );
    let nowhere = child.output().unwrap();
    assert!(!nowhere.status.success());
    let said = text(&nowhere.stderr);
    assert!(said.contains("no site \"nowhere\""), "{said}");
    assert!(said.contains("nothing was sent"), "{said}");

    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("lift-rescue.toml");
    let good = std::fs::read_to_string(&lift).unwrap();
    std::fs::write(
        &broken,
        good.replace(
            "kind = \"elevator.entrapment\"",
            "kind = \"elevator.stuck\"",
        ),
    )
    .unwrap();
    let refused = finish(run(
        &site,
        tokens::SAFETY_OFFICER,
        &broken,
        "e2e-broken",
        &[],
    ));
    assert!(!refused.status.success());
    let said = text(&refused.stderr);
    let line = good
        .lines()
        .position(|l| l == "kind = \"elevator.entrapment\"")
        .unwrap()
        + 1;
    assert!(said.contains(&format!("lift-rescue.toml:{line}")), "{said}");

    let events = get_json(&site.hub, "/v1/events").await;
    assert_eq!(events.as_array().map(Vec::len), Some(0), "{events}");
    let drills = get_json(&site.hub, "/v1/drills").await;
    assert_eq!(drills, json!([]));
    let records = get_json(&site.hub, "/v1/drills/records").await;
    assert_eq!(records, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_aborts_the_drill_and_its_record_says_aborted() {
    let site = Site::start().await;
    let drill = "e2e-ctrl-c";
    let mut child = run(
        &site,
        tokens::SAFETY_OFFICER,
        &scenario_file("lift-rescue"),
        drill,
        &[],
    );
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let _ = tx.send(line.unwrap());
        }
    });
    loop {
        let line = rx.recv_timeout(PATIENCE).expect("the drill starts");
        if line.starts_with(&format!("drill {drill} started")) {
            break;
        }
    }
    // The first events are sent at 0 s; the next comes at 30 s on the scenario's clock.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let out = finish(child);
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    let record = get_json(&site.hub, &format!("/v1/drills/{drill}/record")).await;
    assert_eq!(record["outcome"], "aborted", "{record}");
    assert_eq!(record["by"], "so-zhao");
    let reason = record["reason"].as_str().unwrap();
    assert!(reason.contains("Ctrl-C"), "{reason}");
    assert_eq!(get_json(&site.hub, "/v1/drills").await, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tabletop_sends_no_device_event_and_opens_the_scenarios_incident_as_a_drill_report() {
    let site = Site::start().await;
    let drill = "e2e-tabletop";
    let ran = finish(run(
        &site,
        tokens::SAFETY_OFFICER,
        &scenario_file("gas-leak"),
        drill,
        &["--speed", SPEED, "--tabletop"],
    ));
    let out = text(&ran.stdout);
    assert!(ran.status.success(), "{out}{}", text(&ran.stderr));
    assert!(
        out.contains("[00:00]"),
        "the scenario's clock is printed: {out}"
    );
    let incidents = get_json(&site.hub, &format!("/v1/incidents?drill={drill}")).await;
    let incidents = incidents.as_array().unwrap();
    assert_eq!(incidents.len(), 1, "{incidents:?}");
    assert_eq!(incidents[0]["kind"], "manual.gas_leak");
    assert_eq!(incidents[0]["drill"], drill);
    let events = get_json(&site.hub, "/v1/events").await;
    assert_eq!(
        events.as_array().map(Vec::len),
        Some(0),
        "nothing from devices"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_drill_events_are_deduplicated_and_refused_unless_the_drill_runs() {
    let site = Site::start().await;
    let frame = |id: &str| {
        let mut e = event(id, "fire.alarm", "smoke-1", "7F east corridor");
        e["drill"] = json!(null);
        e.to_string()
    };
    let post = |token: &'static str, path: String, body: String| {
        let addr = site.hub.addr;
        async move { http(addr, "POST", &path, Some(token), Some(&body)).await }
    };
    let path = |id: &str| format!("/v1/drills/{id}/events");
    let (status, body) = post(tokens::SAFETY_OFFICER, path("none"), frame("e1")).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("\"drill_not_running\""), "{body}");
    system_tests::start_drill(&site.hub, "q1", "演练", "Drill").await;
    let (status, body) = post(tokens::OPERATOR_LI, path("q1"), frame("e1")).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = post(tokens::SAFETY_OFFICER, path("q1"), frame("e1")).await;
    assert_eq!(status, 201, "{body}");
    let first: Value = serde_json::from_str(&body).unwrap();
    let (status, body) = post(tokens::SAFETY_OFFICER, path("q1"), frame("e1")).await;
    assert_eq!(status, 200, "{body}");
    let again: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["seq"], first["seq"], "stored once");
    let mut elsewhere = event("e2", "fire.alarm", "smoke-1", "lobby");
    elsewhere["site"] = json!("no-such-site");
    let (status, body) = post(tokens::SAFETY_OFFICER, path("q1"), elsewhere.to_string()).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("\"unknown_site\""), "{body}");
    let mut li = Console::connect(&site.hub, tokens::OPERATOR_LI, None).await;
    let report = |drill: &str| protocol::Command::OpenIncident {
        kind: protocol::EventKind::GasLeak,
        location: protocol::Location {
            site: "green-garden".into(),
            building: None,
            floor: None,
            zone: Some("B2 kitchen".into()),
        },
        note: "smells gas".into(),
        drill: Some(drill.into()),
    };
    let refused = li.command(report("not-running")).await;
    assert_eq!(refused.error, Some(protocol::RefusalCode::DrillNotRunning));
    assert!(
        li.command(report("q1")).await.ok,
        "a report of the running drill"
    );
    let incidents = get_json(&site.hub, "/v1/incidents?drill=q1").await;
    let kinds: Vec<&str> = incidents
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 2, "{incidents}");
    assert!(kinds.contains(&"fire.alarm") && kinds.contains(&"manual.gas_leak"));
    assert_eq!(
        get_json(&site.hub, "/v1/incidents?drill=none").await,
        json!([])
    );
    let stored = get_json(&site.hub, "/v1/events").await;
    assert_eq!(stored.as_array().unwrap().len(), 1);
    assert_eq!(stored[0]["drill"], "q1");
    assert_eq!(
        stored[0]["source"], "drill/q1",
        "no configured source spoke"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_injected_drill_event_never_counts_as_a_silent_source_speaking() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("site.toml");
    std::fs::write(
        &config,
        format!(
            "[[sites]]\nid = \"green-garden\"\nname = \"G\"\n\
             [[sources]]\nid = \"lift-1\"\nsite = \"green-garden\"\nkind = \"elevator_unit\"\n\
             token = \"lift-token-0123456\"\nheartbeat_secs = 1\n\
             [[operators]]\nid = \"op-li\"\nname = \"Li\"\nrole = \"operator\"\ntoken = \"{}\"\n\
             [[operators]]\nid = \"so-zhao\"\nname = \"Zhao\"\nrole = \"safety_officer\"\ntoken = \"{}\"\n",
            tokens::OPERATOR_LI,
            tokens::SAFETY_OFFICER
        ),
    )
    .unwrap();
    let hub = HubProcess::start_with(&config, &dir.path().join("data"));
    system_tests::start_drill(&hub, "q2", "演练", "Drill").await;
    let deadline = Instant::now() + PATIENCE;
    let lost = loop {
        let real = get_json(&hub, "/v1/incidents?drill=none").await;
        if let Some(lost) = real.as_array().unwrap().first() {
            break lost.clone();
        }
        assert!(Instant::now() < deadline, "comms.lost never raised");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(lost["kind"], "comms.lost");
    for n in 0..3 {
        let mut beat = event(&format!("hb{n}"), "heartbeat", "lift-1", "car 1");
        beat["detail"] = json!({});
        let (status, body) = http(
            hub.addr,
            "POST",
            "/v1/drills/q2/events",
            Some(tokens::SAFETY_OFFICER),
            Some(&beat.to_string()),
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
    let real = get_json(&hub, "/v1/incidents?drill=none").await;
    assert_eq!(real.as_array().unwrap().len(), 1);
    assert_eq!(real[0]["id"], lost["id"]);
    assert_eq!(real[0]["restored"], false, "the lift is still silent");
}
