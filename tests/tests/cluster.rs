//! The replicated journal (`--store nats://...`) on three real nats-server nodes: a node lost
//! under load loses no acknowledged event and stores none twice, and a hub started on an empty
//! data directory after its predecessor was killed rebuilds everything from the cluster.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::HashMap;

use alert_hub::protocol::{DeviceReply, NackCode};
use futures_util::{SinkExt, StreamExt};
use system_tests::nats::NatsCluster;
use system_tests::{
    Device, HubProcess, binary, fast_panel_config, get_json, panel_frame, stored_ids, tokens,
    wait_until_active,
};
use tokio_tungstenite::tungstenite::Message;

/// Acknowledged ids and their seqs.
type Acked = HashMap<String, u64>;

/// `config` with the active hub's lease lasting `seconds`: longer than the default 3 s, so that
/// the hub rides out what these tests do to the cluster (a node's streams elect a new leader
/// within 4 to 9 s) instead of handing over to a standby, which `failover.rs` tests.
fn with_lease(config: std::path::PathBuf, seconds: u64) -> std::path::PathBuf {
    let mut text = std::fs::read_to_string(&config).expect("read config");
    text.push_str(&format!("\n[store]\nlease_seconds = {seconds}\n"));
    std::fs::write(&config, text).expect("write config");
    config
}

/// Streams frames `from..to` on one connection without waiting for answers, calls `midway`
/// once `midway_after` of them are acknowledged, and reads answers until every frame has one
/// or the connection ends. Returns what was acknowledged and the frames refused because the
/// store could not take them.
async fn stream(
    hub: &HubProcess,
    from: usize,
    to: usize,
    midway_after: usize,
    midway: impl FnOnce(),
) -> (Acked, Vec<usize>) {
    let device = Device::connect(hub, tokens::FIRE_PANEL_GG).await;
    let (mut sink, mut replies) = device.ws.split();
    let sender = tokio::spawn(async move {
        for n in from..to {
            if sink.send(Message::text(panel_frame(n))).await.is_err() {
                break;
            }
        }
        sink
    });
    let (mut acked, mut refused) = (Acked::new(), Vec::new());
    let mut midway = Some(midway);
    while acked.len() + refused.len() < to - from {
        let Some(Ok(Message::Text(text))) = replies.next().await else {
            break;
        };
        match serde_json::from_str::<DeviceReply>(&text).expect("reply") {
            DeviceReply::Ack(a) => {
                assert!(!a.duplicate, "{} answered as a duplicate", a.ack);
                assert!(acked.insert(a.ack, a.seq).is_none(), "acked twice");
            }
            DeviceReply::Nack(n) if n.error == NackCode::StoreUnavailable => {
                let id = n.nack.expect("the refused frame's id");
                refused.push(id[3..].parse().expect("fp:NNNNNN"));
            }
            DeviceReply::Nack(n) => panic!("unexpected nack {n:?}"),
        }
        if acked.len() >= midway_after {
            if let Some(midway) = midway.take() {
                midway();
            }
        }
    }
    drop(sender.await);
    (acked, refused)
}

/// Every acknowledged event is stored once, under the seq its ack gave.
async fn assert_each_acked_once(hub: &HubProcess, acked: &Acked) {
    let stored = stored_ids(hub).await;
    let mut seen: HashMap<&str, u64> = HashMap::new();
    for (id, seq) in &stored {
        assert!(seen.insert(id, *seq).is_none(), "{id} is stored twice");
    }
    for (id, seq) in acked {
        assert_eq!(
            seen.get(id.as_str()),
            Some(seq),
            "acked event {id} is missing or renumbered"
        );
    }
}

/// The incidents a hub serves: id → kind.
async fn incidents(hub: &HubProcess) -> HashMap<String, String> {
    let list = get_json(hub, "/v1/incidents").await;
    list.as_array()
        .expect("array")
        .iter()
        .map(|i| {
            let id = i["id"].as_str().expect("id").to_string();
            (id, i["kind"].to_string())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_lost_under_load_then_the_hub_killed_a_new_hub_rebuilds_every_acked_event() {
    let mut cluster = NatsCluster::start();
    let dir = tempfile::tempdir().unwrap();
    let config = with_lease(fast_panel_config(dir.path(), 1_000_000), 15);
    let store = vec!["--store".to_string(), cluster.store_url()];
    let mut hub = HubProcess::start_with_args(&config, &dir.path().join("a"), &store);

    // One NATS node killed with SIGKILL while a device streams.
    let (mut acked, refused) = stream(&hub, 0, 3_000, 1_000, || cluster.kill9(0)).await;
    assert!(acked.len() >= 1_000, "{} acked", acked.len());
    let mut device = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    for n in refused {
        device.send_text(panel_frame(n)).await;
        let DeviceReply::Ack(a) = device.reply().await else {
            panic!("a refused frame is taken once the cluster has recovered");
        };
        assert!(acked.insert(a.ack, a.seq).is_none());
    }
    drop(device);
    assert_eq!(acked.len(), 3_000, "every frame acknowledged in the end");
    assert_each_acked_once(&hub, &acked).await;
    let before = incidents(&hub).await;
    assert!(!before.is_empty(), "fire alarms opened incidents");

    // Then the hub killed with SIGKILL under load.
    let (more, _) = stream(&hub, 3_000, 6_000, 500, || hub_kill(&hub)).await;
    acked.extend(more);
    hub.kill9();

    // A new hub on an empty data directory serves everything that was acknowledged.
    let data = dir.path().join("b");
    let mut rebuilt = HubProcess::start_with_args(&config, &data, &store);
    // It stands by until the dead hub's lease has expired.
    wait_until_active(&rebuilt, std::time::Duration::from_secs(40)).await;
    assert_each_acked_once(&rebuilt, &acked).await;
    let after = incidents(&rebuilt).await;
    for (id, kind) in &before {
        assert_eq!(after.get(id), Some(kind), "incident {id} rebuilt");
    }
    // It goes on taking events, numbered after the rebuilt ones.
    let mut device = Device::connect(&rebuilt, tokens::FIRE_PANEL_GG).await;
    device.send_text(panel_frame(9_999)).await;
    let DeviceReply::Ack(next) = device.reply().await else {
        panic!("the rebuilt hub takes events");
    };
    assert!(next.seq > acked.values().copied().max().unwrap_or(0));
    drop(device);
    assert!(rebuilt.terminate(), "SIGTERM stops the rebuilt hub");
    let verify = std::process::Command::new(binary("alert-hub"))
        .arg("verify")
        .arg("--data")
        .arg(&data)
        .output()
        .expect("alert-hub verify runs");
    let said = String::from_utf8_lossy(&verify.stdout).into_owned()
        + &String::from_utf8_lossy(&verify.stderr);
    assert!(
        verify.status.success(),
        "verify fails on the rebuilt hub: {said}"
    );
    assert!(said.contains("verified"), "{said}");
}

/// Kills the hub with SIGKILL, by its process id, from inside a stream.
fn hub_kill(hub: &HubProcess) {
    let pid = hub.pid().to_string();
    let status = std::process::Command::new("kill")
        .args(["-9", &pid])
        .status()
        .expect("kill -9");
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_without_its_majority_gets_no_ack_until_it_has_it_again() {
    let mut cluster = NatsCluster::start();
    let dir = tempfile::tempdir().unwrap();
    let config = with_lease(fast_panel_config(dir.path(), 1_000), 60);
    let store = vec!["--store".to_string(), cluster.store_url()];
    let hub = HubProcess::start_with_args(&config, &dir.path().join("data"), &store);
    let mut device = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    device.send_text(panel_frame(1)).await;
    assert!(matches!(device.reply().await, DeviceReply::Ack(_)));

    cluster.kill9(1);
    cluster.kill9(2);
    device.send_text(panel_frame(2)).await;
    let answer = tokio::time::timeout(std::time::Duration::from_secs(4), device.reply()).await;
    assert!(
        answer.is_err(),
        "an event the cluster could not take was answered: {answer:?}"
    );

    cluster.restart(1);
    cluster.restart(2);
    let DeviceReply::Ack(late) = device.reply().await else {
        panic!("the held event is acknowledged once the cluster has its majority again");
    };
    assert_eq!(late.ack, "fp:000002");
    assert!(!late.duplicate);
    let stored = stored_ids(&hub).await;
    assert_eq!(
        stored.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(),
        ["fp:000001", "fp:000002"]
    );
}

#[tokio::test]
async fn without_a_reachable_cluster_the_hub_says_so_and_does_not_start_empty() {
    let dir = tempfile::tempdir().unwrap();
    let config = fast_panel_config(dir.path(), 100);
    let out = std::process::Command::new(binary("alert-hub"))
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .arg("--data")
        .arg(dir.path().join("data"))
        .args(["--store", "nats://127.0.0.1:1"])
        .output()
        .expect("alert-hub runs");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        said.contains("replicated journal on the NATS cluster 127.0.0.1:1"),
        "{said}"
    );
    let out = std::process::Command::new(binary("alert-hub"))
        .args(["serve", "--config"])
        .arg(&config)
        .args(["--store", "sled:///srv/hub"])
        .output()
        .expect("alert-hub runs");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(said.contains("give nats://HOST:PORT"), "{said}");
}
