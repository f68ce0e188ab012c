//! Clients given several hubs: the real `console` binary in a terminal (tmux), given two real
//! hubs, carries on with the second when the first is killed, names it, shows that hub's own
//! picture (nothing of the first's, and all of its own though its feed is further on) and an
//! alarm sent to it.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use alert_hub::protocol::{ConsoleMessage, DeviceReply};
use system_tests::console_screen::live_on;
use system_tests::tmux::Terminal;
use system_tests::{Console, Device, HubProcess, PATIENCE, binary, event, tokens};

/// The board row right under the column headings.
fn top_row(screen: &str) -> Option<&str> {
    let mut lines = screen.lines();
    lines.find(|l| l.contains("Kind") && l.contains("Location"))?;
    lines.next()
}

fn send(
    runtime: &tokio::runtime::Runtime,
    hub: &HubProcess,
    token: &str,
    frame: &serde_json::Value,
) {
    let reply = runtime.block_on(async {
        let mut device = Device::connect(hub, token).await;
        device.send(frame).await
    });
    assert!(matches!(reply, DeviceReply::Ack(_)), "{reply:?}");
}

/// The sequence number of the console feed's snapshot on `hub` now.
fn feed_seq(runtime: &tokio::runtime::Runtime, hub: &HubProcess) -> u64 {
    runtime.block_on(async {
        let mut feed = Console::connect(hub, tokens::OPERATOR_WANG, None).await;
        match feed.next().await {
            ConsoleMessage::Snapshot { seq, .. } => seq,
            other => panic!("the feed starts with a snapshot, not {other:?}"),
        }
    })
}

#[test]
fn a_console_given_two_hubs_carries_on_with_the_second_when_the_first_is_killed() {
    system_tests::tmux::require();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (data_a, data_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let files = tempfile::tempdir().unwrap();
    let mut hub_a = HubProcess::start(data_a.path());
    let hub_b = HubProcess::start(data_b.path());
    let (a, b) = (hub_a.addr.to_string(), hub_b.addr.to_string());
    let hubs = format!("http://{a},http://{b}");
    let stderr_log = files.path().join("console-stderr.log");
    let args = [
        "--hub",
        &hubs,
        "--token",
        tokens::OPERATOR_LI,
        "--lang",
        "en",
        "--stderr-log",
        stderr_log.to_str().unwrap(),
    ];
    let console = Terminal::start(&binary("console"), &args, 120, 32);

    // On hub A, which has a forced door that hub B never heard of.
    send(
        &runtime,
        &hub_a,
        tokens::ACCESS_GG,
        &event("door-1", "access.forced", "door-B2-01", "B2 lobby"),
    );
    console.wait_for("hub A's board, live and named", PATIENCE, |s| {
        live_on(s, &a) && top_row(s).is_some_and(|row| row.contains("Door forced"))
    });

    // Hub B has three incidents of its own, so its feed is further on than A's: a console that
    // resumed on B after A's last sequence number would miss them and keep A's door.
    for zone in ["B1 pump room", "B2 pump room", "B3 pump room"] {
        let id = format!("trouble-{}", &zone[..2]);
        let trouble = event(&id, "fire.trouble", "pump-panel", zone);
        send(&runtime, &hub_b, tokens::FIRE_PANEL_GG, &trouble);
    }
    let (seq_a, seq_b) = (feed_seq(&runtime, &hub_a), feed_seq(&runtime, &hub_b));
    assert!(
        seq_b > seq_a,
        "hub B's feed ({seq_b}) is ahead of A's ({seq_a})"
    );

    // Hub A dies: the console moves to hub B, names it, and shows B's picture only.
    hub_a.kill9();
    let killed = Instant::now();
    let screen = console.wait_for("hub B's board, live and named", PATIENCE, |s| {
        live_on(s, &b) && s.matches("Fire trouble").count() == 3
    });
    let moved_after = killed.elapsed();
    assert!(!screen.contains("Door forced"), "{screen}");
    assert!(
        moved_after < Duration::from_secs(3),
        "the console took {moved_after:?} to be live on hub B"
    );
    eprintln!("live on hub B {moved_after:?} after hub A was killed");

    // An alarm sent to hub B reaches the top of the board.
    send(
        &runtime,
        &hub_b,
        tokens::FIRE_PANEL_GG,
        &event("fa-1", "fire.alarm", "smoke-B2-07F-03", "7F east corridor"),
    );
    console.wait_for("the alarm from hub B on top of the board", PATIENCE, |s| {
        live_on(s, &b)
            && top_row(s)
                .is_some_and(|row| row.contains("INC-000004") && row.contains("Fire alarm"))
    });
}
