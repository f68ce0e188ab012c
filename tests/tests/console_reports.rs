//! A manager at the real `console` in a terminal (tmux) against a real hub: the reports screen
//! lists the resolved fire awaiting sign-off, reads its post-incident report, takes the root
//! cause and a corrective action (a bad date refused on the spot), signs off after a `y`, and
//! the hub keeps the review as signed off by the manager, with the action and its owner.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use alert_hub::protocol::Command;
use system_tests::tmux::Terminal;
use system_tests::{Console, Device, HubProcess, PATIENCE, binary, event, get_json, tokens};

const INCIDENT: &str = "INC-000001";

#[test]
fn a_manager_reviews_and_signs_off_a_resolved_fire_from_the_console() {
    system_tests::tmux::require();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());

    // An operator works a fire alarm to a false alarm and resolves it.
    runtime.block_on(async {
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
        for command in [
            Command::Acknowledge {
                incident: INCIDENT.into(),
            },
            Command::Resolve {
                incident: INCIDENT.into(),
                summary: Some("false alarm: dust".into()),
            },
        ] {
            let reply = li.command(command).await;
            assert!(reply.ok, "{reply:?}");
        }
    });

    let log = files.path().join("console-stderr.log");
    let hub_url = format!("http://{}", hub.addr);
    let args = [
        "--hub",
        &hub_url,
        "--token",
        tokens::MANAGER,
        "--lang",
        "en",
        "--stderr-log",
        log.to_str().unwrap(),
    ];
    let console = Terminal::start(&binary("console"), &args, 160, 40);
    console.wait_for("the manager signed in", PATIENCE, |s| {
        s.contains("● connected") && s.contains("mgr-chen")
    });
    console.press(&["F6"]);
    console.wait_for("the fire awaiting sign-off", PATIENCE, |s| {
        s.contains("Awaiting sign-off 1") && s.contains(INCIDENT) && s.contains("no review yet")
    });
    console.wait_for("this month's report in the pane", PATIENCE, |s| {
        s.contains("Monthly report") && s.contains("real incidents")
    });

    console.press(&["Enter"]);
    console.wait_for("the fire's report", PATIENCE, |s| {
        s.contains(&format!("Post-incident report {INCIDENT}")) && s.contains("Milestones")
    });

    console.press(&["r"]);
    console.press(&["-l", "dust from building work on 7F"]);
    console.press(&["Enter"]);
    console.wait_for("the root cause kept", PATIENCE, |s| {
        s.contains(&format!("The review of {INCIDENT} is saved"))
            && s.contains("written by mgr-chen")
    });

    console.press(&["n"]);
    console.press(&["-l", "cover detectors during works / so-zhao / 31.12.2026"]);
    console.press(&["Enter"]);
    console.wait_for("the bad date refused", PATIENCE, |s| {
        s.contains("\"31.12.2026\" is not a date")
    });
    console.press(&["n"]);
    console.press(&["-l", "cover detectors during works / so-zhao / 2026-12-31"]);
    console.press(&["Enter"]);
    console.wait_for("the action in the report", PATIENCE, |s| {
        s.contains("cover detectors during works") && s.contains("so-zhao")
    });

    console.press(&["s"]);
    console.wait_for("the sign-off question", PATIENCE, |s| {
        s.contains(&format!("Sign off the review of {INCIDENT}?"))
    });
    console.press(&["y"]);
    console.wait_for("the queue emptied", PATIENCE, |s| {
        s.contains(&format!("The review of {INCIDENT} is signed off"))
            && s.contains("No incident awaits sign-off")
    });

    let record = runtime.block_on(get_json(&hub, &format!("/v1/incidents/{INCIDENT}/review")));
    assert_eq!(
        record["review"]["root_cause"],
        "dust from building work on 7F"
    );
    assert_eq!(record["review"]["actions"][0]["owner"], "so-zhao");
    assert_eq!(record["review"]["actions"][0]["due"], "2026-12-31");
    let changes: Vec<(&str, &str)> = record["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["change"].as_str().unwrap(), c["by"].as_str().unwrap()))
        .collect();
    assert_eq!(
        changes,
        [
            ("written", "mgr-chen"),
            ("written", "mgr-chen"),
            ("signed_off", "mgr-chen")
        ]
    );
}
