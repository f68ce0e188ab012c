//! Durability: a `kill -9` in the middle of a stream loses nothing that was acknowledged, stores
//! nothing twice, and re-sent ids stay duplicates after the restart.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::HashMap;

use alert_hub::protocol::DeviceReply;
use futures_util::{SinkExt, StreamExt};
use system_tests::{
    Device, HubProcess, event, fast_panel_config, get_json, panel_frame, stored_ids, tokens,
};
use tokio_tungstenite::tungstenite::Message;

const TOTAL: usize = 20_000;
const KILL_AFTER_ACKS: usize = 8_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_stream_keeps_every_acked_event_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let config = fast_panel_config(dir.path(), 1_000_000);
    let mut hub = HubProcess::start_with(&config, &dir.path().join("data"));
    let device = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    let (mut sink, mut stream) = device.ws.split();
    let sender = tokio::spawn(async move {
        for n in 0..TOTAL {
            if sink.send(Message::text(panel_frame(n))).await.is_err() {
                return n;
            }
        }
        TOTAL
    });
    let mut acked: HashMap<String, u64> = HashMap::new();
    while acked.len() < KILL_AFTER_ACKS {
        let Some(Ok(Message::Text(text))) = stream.next().await else {
            panic!("stream ended early")
        };
        match serde_json::from_str::<DeviceReply>(&text).expect("reply") {
            DeviceReply::Ack(a) => {
                assert!(acked.insert(a.ack, a.seq).is_none(), "acked twice");
            }
            DeviceReply::Nack(n) => panic!("unexpected nack {n:?}"),
        }
    }
    hub.kill9();
    let sent = sender.await.expect("sender");
    assert!(
        sent > KILL_AFTER_ACKS,
        "the stream was cut mid-way ({sent} sent)"
    );
    drop(stream);

    hub.restart();
    let stored = stored_ids(&hub).await;
    let mut seen: HashMap<&str, u64> = HashMap::new();
    for (id, seq) in &stored {
        assert!(seen.insert(id, *seq).is_none(), "{id} is stored twice");
    }
    for (id, seq) in &acked {
        assert_eq!(
            seen.get(id.as_str()),
            Some(seq),
            "acked event {id} is missing or renumbered"
        );
    }
    let seqs: Vec<u64> = stored.iter().map(|(_, s)| *s).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "stored in sequence order"
    );

    let mut device = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    let mut new = 0;
    for n in 0..TOTAL {
        device.send_text(panel_frame(n)).await;
        let DeviceReply::Ack(a) = device.reply().await else {
            panic!("nack on resend")
        };
        let id = format!("fp:{n:06}");
        if let Some(seq) = seen.get(id.as_str()) {
            assert!(
                a.duplicate,
                "{id} was stored before the kill and must be a duplicate"
            );
            assert_eq!(a.seq, *seq);
        } else {
            assert!(!a.duplicate);
            new += 1;
        }
    }
    assert_eq!(new + stored.len(), TOTAL);
    let after = stored_ids(&hub).await;
    assert_eq!(after.len(), TOTAL, "every id exactly once after the resend");
}

#[tokio::test]
async fn a_graceful_stop_then_restart_keeps_incidents_and_numbering() {
    let data = tempfile::tempdir().unwrap();
    let mut hub = HubProcess::start(data.path());
    let mut device = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    device
        .send(&event("fp:1", "fire.alarm", "smoke-1", "7F east"))
        .await;
    drop(device);
    assert!(hub.terminate(), "SIGTERM stops the hub cleanly");
    hub.restart();
    let mut device = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    device
        .send(&event("fp:2", "fire.trouble", "loop-1", "B1"))
        .await;
    let incidents = get_json(&hub, "/v1/incidents").await;
    let ids: Vec<&str> = incidents
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["INC-000001", "INC-000002"],
        "the fire alarm is still open and numbering goes on"
    );
}

/// A supervisor may stop the hub the moment it says it listens: the signal is heard from the
/// start, and each stop is graceful (exit status 0), never the default action of SIGTERM.
#[test]
fn sigterm_the_moment_the_hub_listens_stops_it_gracefully() {
    let data = tempfile::tempdir().unwrap();
    for round in 0..5 {
        let mut hub = HubProcess::start(data.path());
        assert!(
            hub.terminate(),
            "round {round}: SIGTERM right after start stops the hub cleanly"
        );
    }
}
