//! Notification trees end to end: the real hub, a real SMTP server and a real webhook receiver
//! on loopback. An unacknowledged fire alarm escalates through every level at the configured
//! delays; an acknowledgement stops it; a drill reaches drill contacts only.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use alert_hub::protocol::Command;
use serde_json::json;
use system_tests::outside::{SmtpServer, WebhookReceiver};
use system_tests::{Console, Device, HubProcess, event, get_json, http, start_drill, tokens};

/// The fire-alarm tree with two-second levels, laid over the bundled one.
const TREES: &str = r#"
[[trees]]
id = "fire-alarm"
title = { zh = "火警：内部通知（测试用短间隔）", en = "Fire alarm: internal call-out (short test delays)" }
repeat_last = 0

[[trees.levels]]
roles = ["security_lead"]
channels = ["console", "webhook", "email"]
escalate_after = "2s"

[[trees.levels]]
roles = ["duty_manager"]
channels = ["webhook", "email"]
escalate_after = "2s"

[[trees.levels]]
roles = ["project_manager", "safety_officer"]
channels = ["email"]
escalate_after = "2s"
"#;

fn write_site(dir: &Path, smtp: &SmtpServer, hook: &WebhookReceiver) -> PathBuf {
    let playbooks = dir.join("site-playbooks");
    std::fs::create_dir_all(&playbooks).unwrap();
    std::fs::write(playbooks.join("trees.toml"), TREES).unwrap();
    let demo = system_tests::demo_without_contacts();
    let contact = |id: &str, role: &str, drill: bool, webhook: bool| {
        let webhook = if webhook {
            format!("webhook = \"{}\"\n", hook.url())
        } else {
            String::new()
        };
        format!(
            "[[contacts]]\nid = \"{id}\"\nname = \"Contact {id}\"\nrole = \"{role}\"\n\
             email = \"{id}@example.com\"\n{webhook}drill = {drill}\n\n"
        )
    };
    let text = format!(
        "{demo}\n[playbooks]\ndir = \"site-playbooks\"\n\n\
         [notify]\nstall_minutes = 60\npublic_url = \"{}\"\n\n[notify.smtp]\nhost = \"127.0.0.1\"\nport = {}\nfrom = \"hub@example.com\"\n\n{}{}{}{}{}",
        public_url(),
        smtp.port,
        contact("lead", "security_lead", false, true),
        contact("duty", "duty_manager", false, true),
        contact("pm", "project_manager", false, false),
        contact("so", "safety_officer", false, false),
        contact("drill-lead", "security_lead", true, true),
    );
    let path = dir.join("site.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The real hub on the site above, with its SMTP server and webhook receiver; all stop when
/// dropped.
struct Site {
    smtp: SmtpServer,
    hook: WebhookReceiver,
    hub: HubProcess,
    _dir: tempfile::TempDir,
}

impl Site {
    async fn start() -> Site {
        let dir = tempfile::tempdir().unwrap();
        let smtp = SmtpServer::start();
        let hook = WebhookReceiver::start().await;
        let config = write_site(dir.path(), &smtp, &hook);
        let hub = HubProcess::start_with(&config, &dir.path().join("data"));
        Site {
            smtp,
            hook,
            hub,
            _dir: dir,
        }
    }
}

/// The hub's public address as the links in notices name it; the tests follow the links to
/// the hub at its real (port 0) address, so only the path matters.
fn public_url() -> &'static str {
    "http://hub.example:7400"
}

/// Waits until `done` holds, polling; fails after `within`.
async fn wait_for(within: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// After an acknowledgement during level 1 (by e-mail to the lead): nobody past level 1 is
/// called in the next five seconds, and INC-000001 names `by` as who acknowledged. Returns the
/// incident with its log.
async fn escalation_stopped_by(hub: &HubProcess, smtp: &SmtpServer, by: &str) -> serde_json::Value {
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        recipients(smtp),
        ["lead@example.com"],
        "nobody past level 1"
    );
    let whole = get_json(hub, "/v1/incidents/INC-000001").await;
    assert_eq!(whole["incident"]["notifications"]["acknowledged_by"], by);
    whole
}

fn recipients(smtp: &SmtpServer) -> Vec<String> {
    let mut to: Vec<String> = smtp.decoded().into_iter().map(|m| m.to).collect();
    to.sort();
    to
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unacknowledged_fire_alarm_escalates_through_every_level_and_logs_each_attempt() {
    let Site {
        smtp,
        hook,
        hub,
        _dir,
    } = Site::start().await;
    let mut panel = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    let started = Instant::now();
    panel
        .send(&event("f1", "fire.alarm", "smoke-1", "7F east corridor"))
        .await;

    wait_for(Duration::from_secs(20), "every level by e-mail", || {
        smtp.messages().len() >= 4
    })
    .await;
    assert_eq!(
        recipients(&smtp),
        [
            "duty@example.com",
            "lead@example.com",
            "pm@example.com",
            "so@example.com"
        ]
    );
    let hooks = hook.received();
    let contacts: Vec<&str> = hooks
        .iter()
        .map(|(_, b)| b["contact_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        contacts,
        ["lead", "duty"],
        "level 1, then level 2 (level 3 is e-mail only)"
    );
    let gap = hooks[1].0 - hooks[0].0;
    assert!(
        gap >= Duration::from_millis(1500) && gap <= Duration::from_secs(5),
        "levels {gap:?} apart"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "level 3 only after two delays"
    );
    for (_, body) in &hooks {
        assert_eq!(body["site_id"], "green-garden");
        assert_eq!(body["incident"], "INC-000001");
        assert!(
            body["location"]
                .as_str()
                .unwrap()
                .contains("7F east corridor"),
            "{body}"
        );
        assert!(
            body["summary"].as_str().unwrap().contains("fire.alarm"),
            "{body}"
        );
        assert_eq!(body["drill"], false);
    }
    for mail in smtp.decoded() {
        assert!(
            mail.subject.contains("[P1]") && mail.subject.contains("7F east corridor"),
            "{}",
            mail.subject
        );
        assert!(mail.body.contains("INC-000001"), "{}", mail.body);
    }

    let mut delivered = 0;
    for _ in 0..50 {
        let whole = get_json(&hub, "/v1/incidents/INC-000001").await;
        let log = whole["log"].as_array().unwrap().clone();
        let attempts: Vec<_> = log
            .iter()
            .filter(|e| e["event"] == "notification_attempted")
            .collect();
        delivered = log
            .iter()
            .filter(|e| e["event"] == "notification_delivered")
            .count();
        let failed = log
            .iter()
            .filter(|e| e["event"] == "notification_failed")
            .count();
        assert_eq!(attempts.len(), 7, "3 + 2 + 2 attempts over three levels");
        if delivered + failed == attempts.len() {
            assert_eq!(failed, 0, "{log:#?}");
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(delivered, 7, "each attempt's outcome is logged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acknowledgement_stops_the_escalation() {
    let Site {
        smtp,
        hook: _hook,
        hub,
        _dir,
    } = Site::start().await;
    let mut panel = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    panel
        .send(&event("f1", "fire.alarm", "smoke-1", "7F east corridor"))
        .await;
    let mut li = Console::connect(&hub, tokens::OPERATOR_LI, None).await;
    assert!(
        li.command(Command::Acknowledge {
            incident: "INC-000001".into()
        })
        .await
        .ok
    );
    wait_for(Duration::from_secs(10), "level 1 by e-mail", || {
        !smtp.messages().is_empty()
    })
    .await;
    let whole = escalation_stopped_by(&hub, &smtp, "op-li").await;
    assert!(
        whole["log"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["event"] == "notifications_acknowledged")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drill_incident_sends_nothing_to_real_contacts() {
    let Site {
        smtp,
        hook,
        hub,
        _dir,
    } = Site::start().await;
    start_drill(&hub, "q1-evac", "消防疏散演练", "Fire evacuation drill").await;
    let mut panel = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    let mut frame = event("d1", "fire.alarm", "smoke-1", "7F east corridor");
    frame["drill"] = json!("q1-evac");
    panel.send(&frame).await;
    wait_for(Duration::from_secs(10), "the drill contact", || {
        !smtp.messages().is_empty()
    })
    .await;
    tokio::time::sleep(Duration::from_secs(7)).await;
    assert_eq!(
        recipients(&smtp),
        ["drill-lead@example.com"],
        "only the drill's own contacts"
    );
    let hooks = hook.received();
    assert!(
        hooks
            .iter()
            .all(|(_, b)| b["contact_id"] == "drill-lead" && b["drill"] == true),
        "{hooks:?}"
    );
    for mail in smtp.decoded() {
        assert!(mail.subject.starts_with("[DRILL 演练]"), "{}", mail.subject);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_on_test_is_shown_marked_but_calls_nobody_and_who_authorised_it_is_kept() {
    let Site {
        smtp,
        hook,
        hub,
        _dir,
    } = Site::start().await;
    let put = Command::PutOnTest {
        source: "fp-gg".into(),
        device: None,
        minutes: 30,
        reason: "detector replacement, work order 4711".into(),
    };
    let mut li = Console::connect(&hub, tokens::OPERATOR_LI, None).await;
    let refused = li.command(put.clone()).await;
    assert_eq!(
        refused.error,
        Some(alert_hub::protocol::RefusalCode::NotPermitted),
        "an operator may not"
    );
    let mut zhao = Console::connect(&hub, tokens::SAFETY_OFFICER, None).await;
    let too_long = Command::PutOnTest {
        source: "fp-gg".into(),
        device: None,
        minutes: 9 * 60,
        reason: "all night".into(),
    };
    assert!(!zhao.command(too_long).await.ok, "at most 8 hours");
    assert!(zhao.command(put).await.ok);

    let mut panel = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    panel
        .send(&event("t1", "fire.alarm", "smoke-1", "7F east corridor"))
        .await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(
        smtp.messages().is_empty() && hook.received().is_empty(),
        "nobody is called"
    );
    let incident = &get_json(&hub, "/v1/incidents").await[0];
    assert_eq!(
        incident["on_test"], true,
        "still stored and shown, marked on test"
    );
    assert_eq!(incident["priority"], "P1");

    assert!(
        zhao.command(Command::EndTest {
            source: "fp-gg".into(),
            device: None
        })
        .await
        .ok
    );
    panel
        .send(&event("t2", "fire.alarm", "smoke-9", "9F west"))
        .await;
    wait_for(
        Duration::from_secs(10),
        "a call once the test ended",
        || !smtp.messages().is_empty(),
    )
    .await;

    let kept = get_json(&hub, "/v1/on-test").await;
    assert!(kept["current"].as_array().unwrap().is_empty());
    let history = kept["history"].as_array().unwrap();
    assert_eq!(history[0]["change"], "started");
    assert_eq!(history[0]["by"], "so-zhao");
    assert_eq!(
        history[0]["test"]["reason"],
        "detector replacement, work order 4711"
    );
    assert_eq!(history[1]["change"], "ended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn following_the_link_in_a_notice_stops_the_escalation() {
    let Site {
        smtp,
        hook,
        hub,
        _dir,
    } = Site::start().await;
    let mut panel = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    panel
        .send(&event("f1", "fire.alarm", "smoke-1", "7F east corridor"))
        .await;
    wait_for(Duration::from_secs(10), "level 1 by webhook", || {
        !hook.received().is_empty()
    })
    .await;
    let link = hook.received()[0].1["ack_url"]
        .as_str()
        .unwrap()
        .to_string();
    let path = link
        .strip_prefix(public_url())
        .expect("the link is on the hub's public address");
    let forged = format!("{}0000", &path[..path.len() - 4]);
    let (status, _) = http(hub.addr, "GET", &forged, None, None).await;
    assert_eq!(status, 404, "a forged link acknowledges nothing");
    let (status, body) = http(hub.addr, "GET", path, None, None).await;
    assert_eq!(status, 200, "{body}");
    let whole = escalation_stopped_by(&hub, &smtp, "lead (link)").await;
    assert_eq!(
        whole["incident"]["state"], "new",
        "the control room still acknowledges the incident"
    );
}
