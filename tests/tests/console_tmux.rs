//! The real `console` binary in a terminal (tmux) against a real hub: a fire alarm reaches the
//! top of the board within a second, keys acknowledge it and take the first playbook step,
//! the hub logs both under the operator's id, and the console rides out the hub being killed
//! and restarted on the same data.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use alert_hub::protocol::DeviceReply;
use serde_json::Value;
use system_tests::tmux::{Relay, Terminal};
use system_tests::{Device, HubProcess, PATIENCE, binary, event, get_json, tokens};

const INCIDENT: &str = "INC-000001";

/// The board row right under the column headings.
fn top_row(screen: &str) -> Option<&str> {
    let mut lines = screen.lines();
    lines.find(|l| l.contains("Kind") && l.contains("Location"))?;
    lines.next()
}

/// The board is the hub's current picture: connected, signed in, nothing marked stale.
fn live_board(screen: &str) -> bool {
    screen.contains("● connected")
        && screen.contains("op-li")
        && !screen.contains("STALE")
        && !screen.contains("SYNCHRONISING")
}

fn by_op_li(entry: &Value) -> bool {
    entry["actor"]["by"] == "operator" && entry["actor"]["id"] == "op-li"
}

fn acknowledged(entry: &Value) -> bool {
    entry["event"] == "acknowledged" && entry["operator"] == "op-li" && by_op_li(entry)
}

fn chose_real_fire(entry: &Value) -> bool {
    let run = &entry["run"];
    entry["event"] == "playbook"
        && run["event"] == "choice_made"
        && run["step"] == "confirm"
        && run["choice"] == "real"
        && run["by"] == "op-li"
        && by_op_li(entry)
}

#[test]
fn an_operator_handles_a_fire_alarm_in_the_console_through_a_hub_restart() {
    system_tests::tmux::require();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let mut hub = HubProcess::start(data.path());
    let relay = Relay::start(hub.addr);
    let console_bin = binary("console");
    let hub_url = format!("http://{}", relay.addr);
    let stderr_log = files.path().join("console-stderr.log");
    let stderr_log = stderr_log.to_str().unwrap();
    let args = [
        "--hub",
        &hub_url,
        "--token",
        tokens::OPERATOR_LI,
        "--lang",
        "en",
        "--stderr-log",
        stderr_log,
    ];
    let console = Terminal::start(&console_bin, &args, 120, 32);
    console.wait_for("the live, empty board", PATIENCE, |s| {
        live_board(s) && s.contains("No open incidents")
    });

    // A device reports a fire alarm: it is on top of the board within a second of the ack.
    let reply = runtime.block_on(async {
        let mut panel = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
        let alarm = event("fa-1", "fire.alarm", "smoke-B2-07F-03", "7F east corridor");
        panel.send(&alarm).await
    });
    assert!(matches!(reply, DeviceReply::Ack(_)), "{reply:?}");
    let stored = Instant::now();
    console.wait_for("the alarm on top of the board", PATIENCE, |s| {
        top_row(s).is_some_and(|row| row.contains(INCIDENT) && row.contains("Fire alarm"))
    });
    let shown_after = stored.elapsed();
    assert!(
        shown_after < Duration::from_secs(1),
        "the alarm took {shown_after:?} to reach the top of the board"
    );

    // Acknowledge on the board, open it, and answer the first step: a real fire.
    console.press(&["a"]);
    console.wait_for("the acknowledgement", PATIENCE, |s| {
        top_row(s).is_some_and(|row| row.contains("acked") && row.contains("op-li"))
    });
    console.press(&["Enter"]);
    console.wait_for("the first step's choices", PATIENCE, |s| {
        s.contains(INCIDENT) && s.contains("[1] Real fire")
    });
    console.press(&["1"]);
    let log = runtime.block_on(async {
        let started = Instant::now();
        loop {
            let whole = get_json(&hub, &format!("/v1/incidents/{INCIDENT}")).await;
            let log = whole["log"].as_array().cloned().unwrap_or_default();
            if log.iter().any(chose_real_fire) || started.elapsed() > PATIENCE {
                break log;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    assert!(
        log.iter().any(acknowledged),
        "no acknowledgement by op-li: {log:#?}"
    );
    assert!(
        log.iter().any(chose_real_fire),
        "no choice by op-li: {log:#?}"
    );
    console.press(&["Escape"]);
    console.wait_for("the board, the incident now in progress", PATIENCE, |s| {
        top_row(s).is_some_and(|row| row.contains(INCIDENT) && row.contains("active"))
    });

    // The hub dies: the console says it is reconnecting and marks the board stale.
    hub.kill9();
    console.wait_for("the reconnecting notice", PATIENCE, |s| {
        s.contains("reconnecting since") && s.contains("STALE")
    });

    // The hub comes back on the same data: the same board, live again.
    hub.restart();
    relay.point_to(hub.addr);
    let screen = console.wait_for("the same board, live again", PATIENCE, |s| {
        live_board(s) && top_row(s).is_some_and(|row| row.contains(INCIDENT))
    });
    let row = top_row(&screen).unwrap();
    assert!(row.contains("active") && row.contains("op-li"), "{screen}");
}

#[test]
fn a_console_with_a_wrong_token_says_so_on_its_status_line() {
    system_tests::tmux::require();
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let hub_url = format!("http://{}", hub.addr);
    let stderr_log = files.path().join("console-stderr.log");
    let args = [
        "--hub",
        &hub_url,
        "--token",
        "not-a-token-of-this-hub",
        "--lang",
        "en",
        "--stderr-log",
        stderr_log.to_str().unwrap(),
    ];
    let console = Terminal::start(&binary("console"), &args, 120, 32);
    console.wait_for("the refusal in words", PATIENCE, |s| {
        s.contains("the hub refused this token (HTTP 401)")
    });
    std::thread::sleep(Duration::from_secs(3));
    let screen = console.screen();
    let status = screen.lines().last().unwrap_or_default();
    assert!(
        status.starts_with("✖ the hub refused this token"),
        "no further attempts hide the reason: {status}"
    );
}
