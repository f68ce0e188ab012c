//! The real `console` binary in a terminal (tmux) against a real hub: a fire alarm reaches the
//! top of the board within a second, keys acknowledge it and take the first playbook step,
//! the hub logs both under the operator's id, and the console rides out the hub being killed
//! and restarted on the same data; two operators close a P1 between their two consoles, and a
//! new P1 shows in the alarm strip while one of them works another incident.
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

/// A console signed in with `token`, in English, at 120×32.
fn console_for(hub_url: &str, token: &str, log: &std::path::Path) -> Terminal {
    let args = [
        "--hub",
        hub_url,
        "--token",
        token,
        "--lang",
        "en",
        "--stderr-log",
        log.to_str().unwrap(),
    ];
    Terminal::start(&binary("console"), &args, 120, 32)
}

/// The incident's state as the hub has it.
fn hub_state(runtime: &tokio::runtime::Runtime, hub: &HubProcess, id: &str) -> Value {
    runtime.block_on(async {
        get_json(hub, &format!("/v1/incidents/{id}")).await["incident"]["state"].clone()
    })
}

#[test]
fn two_operators_close_a_p1_and_a_new_p1_shows_while_one_works_another_incident() {
    system_tests::tmux::require();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let hub_url = format!("http://{}", hub.addr);
    let li = console_for(&hub_url, tokens::OPERATOR_LI, &files.path().join("li.log"));
    let wang = console_for(
        &hub_url,
        tokens::OPERATOR_WANG,
        &files.path().join("wang.log"),
    );
    for (console, who) in [(&li, "op-li"), (&wang, "op-wang")] {
        console.wait_for("a live, empty board", PATIENCE, |s| {
            s.contains("● connected") && s.contains(who) && s.contains("No open incidents")
        });
    }
    let mut panel = runtime.block_on(Device::connect(&hub, tokens::FIRE_PANEL_GG));
    let mut lift = runtime.block_on(Device::connect(&hub, tokens::LIFT_GG_1));
    let send = |device: &mut Device, id: &str, kind: &str, unit: &str, zone: &str| {
        let reply = runtime.block_on(device.send(&event(id, kind, unit, zone)));
        assert!(matches!(reply, DeviceReply::Ack(_)), "{reply:?}");
    };

    // op-li works the fire alarm to a false alarm, resolves it and asks to close it.
    send(
        &mut panel,
        "fa-1",
        "fire.alarm",
        "smoke-B2-07F-03",
        "7F east corridor",
    );
    li.wait_for("the alarm on the board", PATIENCE, |s| {
        top_row(s).is_some_and(|row| row.contains(INCIDENT))
    });
    li.press(&["a"]);
    li.wait_for("the acknowledgement", PATIENCE, |s| {
        top_row(s).is_some_and(|row| row.contains("acked"))
    });
    li.press(&["Enter"]);
    li.wait_for("the first step's choices", PATIENCE, |s| {
        s.contains("[2] False alarm")
    });
    li.press(&["2"]);
    li.wait_for("the false-alarm branch", PATIENCE, |s| {
        s.contains("False alarm") && s.contains("find the cause")
    });
    li.press(&["r"]);
    li.press(&["-l", "dust from building work"]);
    li.press(&["Enter"]);
    li.wait_for("the incident resolved", PATIENCE, |s| {
        s.contains("· resolved ·")
    });
    li.press(&["x"]);
    li.wait_for("the close question", PATIENCE, |s| {
        s.contains(&format!("Close {INCIDENT}?"))
    });
    li.press(&["y"]);
    li.wait_for("the close waiting for a second operator", PATIENCE, |s| {
        s.contains("close awaits 2nd operator")
    });
    assert_eq!(
        hub_state(&runtime, &hub, INCIDENT),
        "resolved",
        "one person cannot close a P1"
    );

    // op-wang confirms it on his own console: the question names who asked.
    wang.wait_for("the resolved incident on op-wang's board", PATIENCE, |s| {
        top_row(s).is_some_and(|row| row.contains(INCIDENT) && row.contains("resolved"))
    });
    wang.press(&["x"]);
    wang.wait_for("whose close he confirms", PATIENCE, |s| {
        s.contains(&format!(
            "Confirm the close of {INCIDENT} — requested by op-li"
        ))
    });
    wang.press(&["y"]);
    wang.wait_for("the closed incident gone from the board", PATIENCE, |s| {
        s.contains("No open incidents")
    });
    assert_eq!(hub_state(&runtime, &hub, INCIDENT), "closed");

    // op-li works a lift entrapment; a new fire alarm elsewhere appears in the strip.
    li.press(&["Escape"]);
    send(
        &mut lift,
        "lift-1",
        "elevator.entrapment",
        "lift-B2-1",
        "lift 1 car",
    );
    li.wait_for("the entrapment on the board", PATIENCE, |s| {
        top_row(s).is_some_and(|row| row.contains("INC-000002"))
    });
    li.press(&["a"]);
    li.press(&["Enter"]);
    li.wait_for("inside the entrapment", PATIENCE, |s| {
        s.contains("INC-000002") && !s.contains("UNACKNOWLEDGED P1")
    });
    send(
        &mut panel,
        "fa-2",
        "fire.alarm",
        "smoke-B2-12F-01",
        "12F lobby",
    );
    let screen = li.wait_for("the new P1 in the alarm strip", PATIENCE, |s| {
        s.contains("UNACKNOWLEDGED P1 ×1") && s.contains("12F lobby")
    });
    assert!(
        screen.contains("INC-000002"),
        "still inside the entrapment:\n{screen}"
    );
    li.press(&["p"]);
    li.wait_for("the new fire alarm opened with one key", PATIENCE, |s| {
        s.contains("INC-000003") && s.contains("[1] Real fire")
    });
}
