//! Two hubs on one NATS JetStream cluster (`--store nats://...`): one active, the other standing
//! by. The standby says so and names the active hub; when the active hub is killed it takes
//! over, and every event the dead hub acknowledged is on it exactly once. A hub that lost its
//! lease while frozen acknowledges nothing more and exits.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use alert_hub::protocol::DeviceReply;
use futures_util::{SinkExt, StreamExt};
use hub_client::DEVICES_PATH;
use system_tests::nats::NatsCluster;
use system_tests::{
    Device, HubProcess, connect, fast_panel_config, http, panel_frame, stored_ids, tokens,
    wait_until_active,
};
use tokio_tungstenite::tungstenite::Message;

/// Acknowledged ids and their seqs.
type Acked = HashMap<String, u64>;

/// What `/healthz` says: its status and JSON body.
async fn health(hub: &HubProcess) -> (u16, serde_json::Value) {
    let (status, body) = http(hub.addr, "GET", "/healthz", None, None).await;
    let json = serde_json::from_str(&body).unwrap_or(serde_json::Value::Null);
    (status, json)
}

/// Streams frames `0..count` to `hub` without waiting for answers, and kills it (SIGKILL) once
/// `kill_after` are acknowledged; returns what was acknowledged and when the hub died.
async fn stream_until_killed(
    hub: &HubProcess,
    count: usize,
    kill_after: usize,
) -> (Acked, Instant) {
    let device = Device::connect(hub, tokens::FIRE_PANEL_GG).await;
    let (mut sink, mut replies) = device.ws.split();
    let sender = tokio::spawn(async move {
        for n in 0..count {
            if sink.send(Message::text(panel_frame(n))).await.is_err() {
                break;
            }
            if n % 50 == 49 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    });
    let mut acked = Acked::new();
    let mut killed = None;
    while let Some(Ok(message)) = replies.next().await {
        let Message::Text(text) = message else {
            continue;
        };
        if let DeviceReply::Ack(a) = serde_json::from_str(&text).expect("reply") {
            assert!(acked.insert(a.ack, a.seq).is_none(), "acked twice");
        }
        if killed.is_none() && acked.len() >= kill_after {
            let status = std::process::Command::new("kill")
                .args(["-9", &hub.pid().to_string()])
                .status()
                .expect("kill -9");
            assert!(status.success());
            killed = Some(Instant::now());
        }
        if acked.len() == count {
            break;
        }
    }
    sender.abort();
    (acked, killed.expect("the hub was killed while streaming"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standby_takes_over_from_a_killed_hub_and_has_every_event_it_acked_once() {
    let cluster = NatsCluster::start();
    let dir = tempfile::tempdir().unwrap();
    let config = fast_panel_config(dir.path(), 1_000_000);
    let store = vec!["--store".to_string(), cluster.store_url()];
    let mut a = HubProcess::start_with_args(&config, &dir.path().join("a"), &store);
    let b = HubProcess::start_with_args(&config, &dir.path().join("b"), &store);

    // B stands by and names A; it serves no device.
    let (status, said) = health(&b).await;
    assert_eq!(status, 503, "{said}");
    assert_eq!(said["status"], "standby", "{said}");
    assert_eq!(said["active"]["address"], format!("http://{}", a.addr));
    let (status, _) = health(&a).await;
    assert_eq!(status, 200, "A is the active hub");
    assert_eq!(
        connect(&b, DEVICES_PATH, Some(tokens::FIRE_PANEL_GG))
            .await
            .err(),
        Some(503),
        "a standby refuses devices"
    );

    // A dies under load.
    let count = 4_000;
    let (mut acked, killed) = stream_until_killed(&a, count, 1_500).await;
    a.kill9();
    assert!(
        acked.len() >= 1_500 && acked.len() < count,
        "{} acked",
        acked.len()
    );

    // The device reconnects to B as soon as B takes it, and sends what A did not ack.
    let mut device =
        Device::connect_when_active(&b, tokens::FIRE_PANEL_GG, Duration::from_secs(30)).await;
    let unacked: Vec<usize> = (0..count)
        .filter(|n| !acked.contains_key(&format!("fp:{n:06}")))
        .collect();
    let mut first_ack = None;
    for n in &unacked {
        let DeviceReply::Ack(a) = device
            .send(&serde_json::from_str(&panel_frame(*n)).unwrap())
            .await
        else {
            panic!("B refused frame {n}");
        };
        first_ack.get_or_insert_with(|| killed.elapsed());
        assert!(acked.insert(a.ack, a.seq).is_none(), "acked by both hubs");
    }
    let fail_over = first_ack.expect("frames left to send to B");
    println!(
        "fail-over: {} ms from A's death to B's first ack ({} acked by A, {} resent to B)",
        fail_over.as_millis(),
        count - unacked.len(),
        unacked.len()
    );
    assert!(
        fail_over < Duration::from_secs(10),
        "fail-over took {fail_over:?}"
    );
    let (status, _) = health(&b).await;
    assert_eq!(status, 200, "B is the active hub now");

    // Every event acknowledged by either hub is on B once, under the seq its ack gave.
    let stored = stored_ids(&b).await;
    let mut seen: HashMap<&str, u64> = HashMap::new();
    for (id, seq) in &stored {
        assert!(seen.insert(id, *seq).is_none(), "{id} is stored twice");
    }
    assert_eq!(stored.len(), count);
    for (id, seq) in &acked {
        assert_eq!(
            seen.get(id.as_str()),
            Some(seq),
            "acked event {id} is missing"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_frozen_past_its_lease_acks_nothing_more_and_exits() {
    let cluster = NatsCluster::start();
    let dir = tempfile::tempdir().unwrap();
    let config = fast_panel_config(dir.path(), 1_000);
    let store = vec!["--store".to_string(), cluster.store_url()];
    let mut a = HubProcess::start_with_args(&config, &dir.path().join("a"), &store);
    let b = HubProcess::start_with_args(&config, &dir.path().join("b"), &store);
    let mut device = Device::connect(&a, tokens::FIRE_PANEL_GG).await;
    assert!(matches!(
        device
            .send(&serde_json::from_str(&panel_frame(1)).unwrap())
            .await,
        DeviceReply::Ack(_)
    ));

    // A freezes (SIGSTOP) for longer than its lease; B takes over.
    a.signal("STOP");
    wait_until_active(&b, Duration::from_secs(20)).await;

    // A frame waiting on A's socket when it wakes gets no ack, and A exits non-zero.
    device.send_text(panel_frame(2)).await;
    a.signal("CONT");
    let answer = tokio::time::timeout(Duration::from_secs(5), device.ws.next()).await;
    if let Ok(Some(Ok(Message::Text(text)))) = &answer {
        let reply: DeviceReply = serde_json::from_str(text).expect("reply");
        assert!(
            !matches!(reply, DeviceReply::Ack(_)),
            "a hub without the lease acked: {text}"
        );
    }
    let status = a.exit_within(Duration::from_secs(30));
    assert!(
        status.is_some_and(|s| !s.success()),
        "A went on after losing its lease: {status:?}"
    );
    let ids: Vec<String> = stored_ids(&b).await.into_iter().map(|(id, _)| id).collect();
    assert_eq!(
        ids,
        ["fp:000001"],
        "the frame A got while it had no lease is not stored"
    );
}
