//! The cluster as a site runs it: three NATS nodes, an active hub and a standby, twenty devices
//! streaming to whichever hub takes them, and the real `console` (in tmux) given both hubs. One
//! NATS node is killed with SIGKILL under load, then the active hub: every acknowledged event is
//! stored exactly once, the devices and the console carry on with the standby, and the board the
//! console showed on the first hub is the board it shows on the second.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use alert_hub::protocol::{ConsoleMessage, DeviceReply};
use futures_util::{SinkExt, StreamExt};
use hub_client::{DEVICES_PATH, HubAddress};
use system_tests::console_screen::live_on;
use system_tests::nats::NatsCluster;
use system_tests::tmux::Terminal;
use system_tests::{
    Console, HubProcess, PATIENCE, binary, demo_without_contacts, event, http, stored_ids, tokens,
    wait_until_active,
};
use tokio_tungstenite::tungstenite::Message;

const DEVICES: usize = 20;

/// What the devices send next.
const MIX: u8 = 0;
const HEARTBEATS: u8 = 1;
const PAUSE: u8 = 2;
const STOP: u8 = 3;

fn token(n: usize) -> String {
    format!("cluster-panel-{n:02}")
}

/// A one-site configuration with twenty fire panels, the demo operators, and a lease long enough
/// to ride out the election that follows a NATS node's loss (as the README advises).
fn config(dir: &std::path::Path) -> std::path::PathBuf {
    let demo = demo_without_contacts();
    let operators = demo.find("[[operators]]").map_or("", |at| &demo[at..]);
    let mut text = String::from("[[sites]]\nid = \"green-garden\"\nname = \"Green Garden\"\n\n");
    for n in 0..DEVICES {
        text += &format!(
            "[[sources]]\nid = \"fp-{n:02}\"\nsite = \"green-garden\"\nkind = \"fire_panel\"\n\
             token = \"{}\"\nmax_events_per_sec = 10000\nburst = 10000\n\n",
            token(n)
        );
    }
    text += operators;
    text += "\n[store]\nlease_seconds = 15\n";
    let path = dir.join("cluster-site.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// What the devices share with the test: what to send, what was acknowledged (id → seq), and
/// how many frames are waiting for an answer.
#[derive(Default)]
struct Shared {
    mode: AtomicU8,
    acked: Mutex<HashMap<String, u64>>,
    waiting: AtomicUsize,
}

impl Shared {
    fn acked(&self) -> usize {
        self.acked.lock().unwrap().len()
    }
}

/// Frame `k` of device `n`: mostly heartbeats and troubles, an alarm now and then.
fn frame(n: usize, k: usize, mode: u8) -> serde_json::Value {
    let id = format!("d{n:02}-{k:06}");
    if mode == HEARTBEATS {
        return event(&id, "heartbeat", &format!("panel-{n:02}"), "panel");
    }
    match k % 10 {
        0 => event(
            &id,
            "fire.alarm",
            &format!("smoke-{n:02}"),
            &format!("zone {n:02}"),
        ),
        1 | 5 => event(
            &id,
            "fire.trouble",
            &format!("loop-{n:02}"),
            &format!("zone {n:02}"),
        ),
        _ => event(&id, "heartbeat", &format!("panel-{n:02}"), "panel"),
    }
}

/// One device: sends a frame, waits for its answer, and sends the next; a frame without an ack
/// is sent again, on the next hub of the list when the connection failed or went silent.
/// Returns the index of the hub it ended on.
async fn device(n: usize, hubs: Vec<HubAddress>, shared: Arc<Shared>) -> usize {
    let token = token(n);
    let mut at = 0;
    let mut next = 0;
    let mut pending: Option<serde_json::Value> = None;
    'connect: loop {
        let Ok(ws) = hubs[at].websocket(DEVICES_PATH, Some(&token)).await else {
            at = (at + 1) % hubs.len();
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let (mut sink, mut replies) = ws.split();
        loop {
            if pending.is_none() {
                let mode = shared.mode.load(Ordering::SeqCst);
                match mode {
                    STOP => return at,
                    PAUSE => {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                    _ => {}
                }
                pending = Some(frame(n, next, mode));
                next += 1;
                shared.waiting.fetch_add(1, Ordering::SeqCst);
            }
            let sent = pending.as_ref().unwrap();
            if sink.send(Message::text(sent.to_string())).await.is_err() {
                at = (at + 1) % hubs.len();
                continue 'connect;
            }
            let reply = loop {
                match tokio::time::timeout(Duration::from_secs(3), replies.next()).await {
                    Ok(Some(Ok(Message::Text(text)))) => {
                        break Some(serde_json::from_str::<DeviceReply>(&text).expect("reply"));
                    }
                    Ok(Some(Ok(_))) => continue,
                    _ => break None,
                }
            };
            match reply {
                Some(DeviceReply::Ack(ack)) => {
                    let id = sent["id"].as_str().unwrap().to_string();
                    assert_eq!(ack.ack, id, "the ack names the frame sent");
                    let first = shared.acked.lock().unwrap().insert(id.clone(), ack.seq);
                    if let Some(seq) = first {
                        assert_eq!(seq, ack.seq, "{id} acked again under another seq");
                    }
                    pending = None;
                    shared.waiting.fetch_sub(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Some(DeviceReply::Nack(_)) => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                None => {
                    at = (at + 1) % hubs.len();
                    continue 'connect;
                }
            }
        }
    }
}

/// The incidents of the console feed's snapshot on `hub`, as JSON, by id.
async fn board(hub: &HubProcess) -> Vec<serde_json::Value> {
    let mut feed = Console::connect(hub, tokens::OPERATOR_WANG, None).await;
    let ConsoleMessage::Snapshot { incidents, .. } = feed.next().await else {
        panic!("the feed starts with a snapshot");
    };
    let mut all: Vec<serde_json::Value> = incidents
        .iter()
        .map(|i| serde_json::to_value(i).unwrap())
        .collect();
    all.sort_by_key(|i| i["id"].as_str().unwrap_or_default().to_string());
    all
}

/// The incident numbers the console's screen shows.
fn shown(screen: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for (at, _) in screen.match_indices("INC-") {
        let digits: String = screen[at + 4..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if !digits.is_empty() {
            ids.insert(format!("INC-{digits}"));
        }
    }
    ids
}

async fn wait_for_acks(shared: &Shared, more_than: usize) {
    wait_for_acks_within(shared, more_than, PATIENCE).await;
}

async fn wait_for_acks_within(shared: &Shared, more_than: usize, patience: Duration) {
    let deadline = std::time::Instant::now() + patience;
    while shared.acked() <= more_than {
        assert!(
            std::time::Instant::now() < deadline,
            "devices stuck at {} acks",
            shared.acked()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Sets the devices' mode to `PAUSE` and waits until none waits for an answer.
async fn pause(shared: &Shared) {
    shared.mode.store(PAUSE, Ordering::SeqCst);
    let deadline = std::time::Instant::now() + PATIENCE;
    while shared.waiting.load(Ordering::SeqCst) > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "frames left unanswered"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[test]
fn a_node_then_the_active_hub_killed_under_load_devices_and_console_carry_on_with_the_standby() {
    system_tests::tmux::require();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut cluster = NatsCluster::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let store = vec!["--store".to_string(), cluster.store_url()];
    let mut a = HubProcess::start_with_args(&config, &dir.path().join("a"), &store);
    runtime.block_on(wait_until_active(&a, PATIENCE));
    let b = HubProcess::start_with_args(&config, &dir.path().join("b"), &store);
    let (addr_a, addr_b) = (a.addr.to_string(), b.addr.to_string());

    let stderr_log = dir.path().join("console-stderr.log");
    let hubs = format!("http://{addr_a},http://{addr_b}");
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
    let console = Terminal::start(&binary("console"), &args, 160, 48);

    let shared = Arc::new(Shared::default());
    let addresses = vec![a.address(), b.address()];
    let devices: Vec<_> = (0..DEVICES)
        .map(|n| runtime.spawn(device(n, addresses.clone(), shared.clone())))
        .collect();

    // A NATS node dies under load; the devices go on being acknowledged by hub A.
    runtime.block_on(wait_for_acks(&shared, 1_000));
    cluster.kill9(0);
    let at_node_kill = shared.acked();
    runtime.block_on(async {
        tokio::time::sleep(Duration::from_secs(6)).await;
        wait_for_acks(&shared, at_node_kill + 500).await;
    });
    let (status, _) = runtime.block_on(http(a.addr, "GET", "/healthz", None, None));
    assert_eq!(
        status, 200,
        "hub A is still the active hub after the node's loss"
    );

    // The board as hub A has it, and as the console shows it.
    runtime.block_on(pause(&shared));
    let before = runtime.block_on(board(&a));
    assert!(!before.is_empty(), "the alarms opened incidents");
    let screen = console.wait_for("hub A's board, live", PATIENCE, |s| {
        live_on(s, &addr_a) && !shown(s).is_empty()
    });
    std::thread::sleep(Duration::from_millis(500));
    let on_a = shown(&console.screen());
    assert_eq!(on_a, shown(&screen), "the board on hub A has settled");

    // Hub A dies while the devices stream heartbeats (which change no incident).
    shared.mode.store(HEARTBEATS, Ordering::SeqCst);
    let before_hub_kill = shared.acked();
    runtime.block_on(wait_for_acks(&shared, before_hub_kill + 200));
    a.kill9();
    let killed = std::time::Instant::now();
    let at_hub_kill = shared.acked();
    runtime.block_on(wait_for_acks_within(
        &shared,
        at_hub_kill,
        Duration::from_secs(40),
    ));
    let fail_over = killed.elapsed();
    runtime.block_on(wait_until_active(&b, PATIENCE));
    runtime.block_on(wait_for_acks(&shared, at_hub_kill + 200));

    // Hub B has the board hub A had, and the console shows it, connected to B.
    assert_eq!(runtime.block_on(board(&b)), before, "the board on hub B");
    console.wait_for("hub A's board, live on hub B", PATIENCE, |s| {
        live_on(s, &addr_b) && shown(s) == on_a
    });

    // The devices carry on with hub B, and a new alarm reaches the console.
    shared.mode.store(MIX, Ordering::SeqCst);
    let resumed = shared.acked();
    runtime.block_on(wait_for_acks(&shared, resumed + 500));
    let reply = runtime.block_on(async {
        let ws = b
            .address()
            .websocket(DEVICES_PATH, Some(&token(0)))
            .await
            .unwrap();
        let mut device = system_tests::Device { ws };
        device
            .send(&event(
                "after-failover",
                "fire.alarm",
                "smoke-new",
                "zone after fail-over",
            ))
            .await
    });
    assert!(matches!(reply, DeviceReply::Ack(_)), "{reply:?}");
    console.wait_for("a new alarm on hub B", PATIENCE, |s| {
        live_on(s, &addr_b) && shown(s).difference(&on_a).count() == 1
    });
    shared.mode.store(STOP, Ordering::SeqCst);
    let ended_on: Vec<usize> = runtime
        .block_on(async {
            let mut ends = Vec::new();
            for d in devices {
                ends.push(d.await);
            }
            ends
        })
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert!(
        ended_on.iter().all(|&at| at == 1),
        "devices on hub B: {ended_on:?}"
    );

    // Every acknowledged event is on hub B once, under the seq its ack gave.
    let acked = shared.acked.lock().unwrap().clone();
    let stored = runtime.block_on(stored_ids(&b));
    let mut seen: HashMap<&str, u64> = HashMap::new();
    for (id, seq) in &stored {
        assert!(seen.insert(id, *seq).is_none(), "{id} is stored twice");
    }
    for (id, seq) in &acked {
        assert_eq!(seen.get(id.as_str()), Some(seq), "acked event {id}");
    }
    assert_eq!(
        stored.len(),
        acked.len() + 1,
        "nothing stored that was not acked"
    );
    eprintln!(
        "{} events acked: {} before the node's loss, {} by hub A in all, {} after it died; \
         {:.1} s from hub A's death to the first ack from hub B (lease 15 s)",
        acked.len(),
        at_node_kill,
        at_hub_kill,
        acked.len() - at_hub_kill,
        fail_over.as_secs_f64()
    );
}
