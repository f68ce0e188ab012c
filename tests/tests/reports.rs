//! The post-incident report of a real incident on a real hub, worked by a console over its
//! WebSocket: served as HTML, Markdown and JSON; the HTML opened in headless Chromium (its
//! timeline is an SVG with the incident's entries and targets; the screenshot is kept under
//! the build's temporary directory for a person to look at); bad requests said in words.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use alert_hub::protocol::{AwaitingSignOff, Command};
use system_tests::{Console, Device, HubProcess, chromium, event, http, tokens};

const INCIDENT: &str = "INC-000001";

async fn report(hub: &HubProcess, query: &str) -> (u16, String) {
    let path = format!("/v1/incidents/{INCIDENT}/report{query}");
    http(hub.addr, "GET", &path, Some(tokens::MANAGER), None).await
}

#[tokio::test]
async fn a_worked_fire_alarm_has_a_report_that_loads_in_chromium() {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let mut panel = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    panel
        .send(&event(
            "fa-1",
            "fire.alarm",
            "smoke-B2-07F-03",
            "7F east corridor",
        ))
        .await;
    panel
        .send(&event(
            "fa-2",
            "fire.alarm",
            "smoke-B2-07F-04",
            "7F east corridor",
        ))
        .await;
    let mut li = Console::connect(&hub, tokens::OPERATOR_LI, None).await;
    let incident = || INCIDENT.to_string();
    for command in [
        Command::Acknowledge {
            incident: incident(),
        },
        Command::Choose {
            incident: incident(),
            step: "confirm".into(),
            choice: "real".into(),
        },
        Command::CompleteStep {
            incident: incident(),
            step: "linkage-auto".into(),
        },
        Command::CompleteStep {
            incident: incident(),
            step: "call-119".into(),
        },
        Command::AddNote {
            incident: incident(),
            text: "smoke <visible> on camera 7F-03".into(),
        },
    ] {
        let reply = li.command(command.clone()).await;
        assert!(reply.ok, "{command:?}: {reply:?}");
    }

    let (status, json) = report(&hub, "?format=json").await;
    assert_eq!(status, 200, "{json}");
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["confirmed_by_two_detectors"], true);
    let milestone = |kind: &str| {
        json["milestones"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["kind"] == kind)
            .cloned()
            .unwrap()
    };
    assert_eq!(milestone("acknowledged")["verdict"], "pass");
    assert_eq!(milestone("acknowledged")["by"], "op-li");
    assert_eq!(
        milestone("outside_called")["verdict"],
        "pass",
        "119 called at once"
    );

    let (status, md) = report(&hub, "?format=md&lang=en").await;
    assert_eq!(status, 200);
    assert!(
        md.starts_with("# INC-000001 Fire alarm — Post-incident report"),
        "{md}"
    );
    assert!(md.contains("| outside service called |"), "{md}");

    let (status, html) = report(&hub, "").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("smoke &lt;visible&gt; on camera"),
        "notes are escaped"
    );
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("reports");
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join("incident.html");
    std::fs::write(&page, &html).unwrap();
    let opened = chromium::open(&page, &dir.join("incident.png"), 1280, 1600);
    assert_eq!(opened.size, (1280, 1600));
    assert!(opened.dom.contains("<svg"), "the timeline loaded");
    assert!(
        opened.dom.matches("class=\"mark ").count() >= json["timeline"].as_array().unwrap().len(),
        "every log entry is on the timeline"
    );
    assert!(opened.dom.contains("class=\"target met\""));
    assert!(
        opened.dom.contains("真实事件"),
        "the Chinese page by default"
    );
}

#[tokio::test]
async fn a_report_request_that_cannot_be_met_says_why() {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let (status, body) = report(&hub, "").await;
    assert_eq!(status, 404);
    assert!(body.contains("no incident INC-000001"), "{body}");
    let mut panel = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    panel
        .send(&event(
            "fa-1",
            "fire.alarm",
            "smoke-B2-07F-03",
            "7F east corridor",
        ))
        .await;
    let (status, body) = report(&hub, "?format=pdf").await;
    assert_eq!(status, 400);
    assert!(
        body.contains("format must be html, md or json, not \\\"pdf\\\""),
        "{body}"
    );
    let (status, _) = http(
        hub.addr,
        "GET",
        &format!("/v1/incidents/{INCIDENT}/report"),
        Some(tokens::FIRE_PANEL_GG),
        None,
    )
    .await;
    assert_eq!(status, 401, "a device's token reads no reports");
}

#[tokio::test]
async fn only_a_manager_or_an_admin_reviews_and_the_sign_off_is_kept() {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let mut panel = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    panel
        .send(&event(
            "fa-1",
            "fire.alarm",
            "smoke-B2-07F-03",
            "7F east corridor",
        ))
        .await;
    let mut li = Console::connect(&hub, tokens::OPERATOR_LI, None).await;
    let review = r#"{"root_cause": "dust from building work on 7F",
        "factors": ["detectors left uncovered during the works"],
        "actions": [{"action": "cover detectors during building work", "owner": "so-zhao",
                     "due": "2026-12-31"}]}"#;
    let path = format!("/v1/incidents/{INCIDENT}/review");
    let put = |token| http(hub.addr, "PUT", &path, Some(token), Some(review));

    let (status, body) = put(tokens::MANAGER).await;
    assert_eq!(
        status, 409,
        "an incident still open is not reviewed: {body}"
    );
    assert!(body.contains("not resolved yet"), "{body}");
    for command in [
        Command::Acknowledge {
            incident: INCIDENT.into(),
        },
        Command::Resolve {
            incident: INCIDENT.into(),
            summary: Some("false alarm: dust".into()),
        },
    ] {
        assert!(li.command(command).await.ok);
    }

    let (status, body) = put(tokens::OPERATOR_LI).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains(
            "An operator may not write or sign off an incident review; a manager or an admin must."
        ),
        "{body}"
    );
    let awaiting = || async {
        let (status, body) = http(
            hub.addr,
            "GET",
            "/v1/reviews/awaiting",
            Some(tokens::MANAGER),
            None,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_str::<Vec<AwaitingSignOff>>(&body).unwrap()
    };
    let queue = awaiting().await;
    assert_eq!(
        queue.len(),
        1,
        "the resolved fire awaits its review: {queue:?}"
    );
    assert_eq!(queue[0].incident.id, INCIDENT);
    assert!(queue[0].review.is_none());

    let (status, body) = put(tokens::MANAGER).await;
    assert_eq!(status, 200, "{body}");
    let queue = awaiting().await;
    let written = queue[0].review.as_ref().expect("the review written so far");
    assert_eq!(written.review.root_cause, "dust from building work on 7F");
    let sign_off = format!("/v1/incidents/{INCIDENT}/review/sign-off");
    let (status, body) = http(hub.addr, "POST", &sign_off, Some(tokens::MANAGER), None).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        awaiting().await.is_empty(),
        "a signed-off incident no longer waits"
    );
    let (status, body) = http(
        hub.addr,
        "GET",
        "/v1/reviews/awaiting?days=0",
        Some(tokens::MANAGER),
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body.contains("days must be a whole number from 1 to 400"),
        "{body}"
    );
    let (status, body) = put(tokens::MANAGER).await;
    assert_eq!(status, 409);
    assert!(body.contains("signed off by mgr-chen"), "{body}");
    drop(hub);

    let hub = HubProcess::start(data.path());
    let (status, json) = report(&hub, "?format=json").await;
    assert_eq!(status, 200);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let record = &json["review"];
    assert_eq!(
        record["review"]["root_cause"],
        "dust from building work on 7F"
    );
    assert_eq!(record["review"]["actions"][0]["owner"], "so-zhao");
    let changes: Vec<(&str, &str)> = record["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["change"].as_str().unwrap(), c["by"].as_str().unwrap()))
        .collect();
    assert_eq!(
        changes,
        [("written", "mgr-chen"), ("signed_off", "mgr-chen")]
    );
    let (_, md) = report(&hub, "?format=md&lang=en").await;
    assert!(md.contains("- **Signed off:** mgr-chen"), "{md}");
}

#[tokio::test]
async fn the_report_command_reads_a_stopped_hubs_data_or_asks_a_running_one() {
    let data = tempfile::tempdir().unwrap();
    let mut hub = HubProcess::start(data.path());
    let mut panel = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    panel
        .send(&event(
            "fa-1",
            "fire.alarm",
            "smoke-B2-07F-03",
            "7F east corridor",
        ))
        .await;
    let run = |args: &[&str]| {
        std::process::Command::new(system_tests::binary("alert-hub"))
            .args(["report", "incident", INCIDENT])
            .args(args)
            .output()
            .unwrap()
    };
    let url = format!("http://{}", hub.addr);
    let asked = run(&[
        "--hub",
        &url,
        "--token",
        tokens::MANAGER,
        "--format",
        "md",
        "--lang",
        "en",
    ]);
    assert!(
        asked.status.success(),
        "{}",
        String::from_utf8_lossy(&asked.stderr)
    );
    let from_hub = String::from_utf8(asked.stdout).unwrap();
    assert!(from_hub.starts_with("# INC-000001 Fire alarm — Post-incident report"));

    let config = system_tests::demo_config();
    let dir = data.path().to_str().unwrap();
    let busy = run(&["--data", dir, "--config", config.to_str().unwrap()]);
    assert!(
        !busy.status.success(),
        "the store is in use by the running hub"
    );
    let said = String::from_utf8_lossy(&busy.stderr);
    assert!(
        said.contains("ask that hub with --hub and --token"),
        "{said}"
    );

    assert!(hub.terminate(), "the hub stops cleanly");
    let read = run(&[
        "--data",
        dir,
        "--config",
        config.to_str().unwrap(),
        "--format",
        "md",
        "--lang",
        "en",
    ]);
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let from_data = String::from_utf8(read.stdout).unwrap();
    assert_eq!(from_data, from_hub, "the same report either way");

    let nowhere = run(&["--format", "md"]);
    assert!(!nowhere.status.success());
    assert!(String::from_utf8_lossy(&nowhere.stderr).contains("say where the report comes from"));
}
