//! The device connection's handler driven by channels instead of a socket: answers come in
//! frame order, each ack only once its event is stored.
#![allow(clippy::expect_used)]

mod common;

use std::sync::Arc;

use alert_hub::hub::Hub;
use alert_hub::ingest::{RateLimiter, serve_device};
use alert_hub::protocol::{DeviceReply, EventKind};
use axum::extract::ws::Message;
use futures_util::{sink, stream};
use tokio::sync::mpsc;

fn frame(id: &str, kind: &str) -> Result<Message, axum::Error> {
    let json = serde_json::json!({
        "id": id, "kind": kind, "device": "smoke-B2-07F-03", "site": "green-garden",
        "zone": "7F east corridor", "at": "2026-11-22T23:40:00+08:00", "drill": null
    });
    Ok(Message::Text(json.to_string().into()))
}

/// Serves one connection of source `fp-gg` that sends `frames`, and sums up its answers.
async fn answers(
    hub: &Arc<Hub>,
    rate: Arc<RateLimiter>,
    frames: Vec<Result<Message, axum::Error>>,
) -> Vec<String> {
    let source = Arc::new(hub.config.sources["fp-gg"].clone());
    let (sent, mut answers) = mpsc::unbounded_channel();
    let socket = sink::unfold(sent, |sent, message: Message| async move {
        sent.send(message).map_err(|_| "closed")?;
        Ok::<_, &str>(sent)
    });
    let shutdown = hub.shutdown.clone();
    serve_device(
        hub.clone(),
        rate,
        source,
        stream::iter(frames),
        Box::pin(socket),
        shutdown,
        Arc::default(),
    )
    .await;
    let mut replies = Vec::new();
    while let Ok(Message::Text(text)) = answers.try_recv() {
        replies.push(serde_json::from_str::<DeviceReply>(&text).expect("a device reply"));
    }
    replies
        .iter()
        .map(|r| match r {
            DeviceReply::Ack(a) if a.duplicate => format!("dup {}", a.ack),
            DeviceReply::Ack(a) => format!("ack {}", a.ack),
            DeviceReply::Nack(n) => format!("nack {}", n.error.as_str()),
        })
        .collect()
}

#[tokio::test]
async fn every_frame_is_answered_in_order_and_acked_events_are_stored() {
    let data = tempfile::tempdir().expect("tempdir");
    let (hub, _stop) = common::hub(data.path());
    let frames = vec![
        frame("e1", "fire.alarm"),
        Ok(Message::Text("{not json".into())),
        frame("e2", "no.such.kind"),
        frame("e1", "fire.alarm"),
        frame("e3", "heartbeat"),
    ];
    let summary = answers(&hub, Arc::new(RateLimiter::default()), frames).await;
    assert_eq!(
        summary,
        [
            "ack e1",
            "nack malformed_json",
            "nack unknown_kind",
            "dup e1",
            "ack e3"
        ]
    );
    let stored = hub.store.events_after(0, 10).expect("read the store");
    let ids: Vec<&str> = stored.iter().map(|e| e.event.id.as_str()).collect();
    assert_eq!(ids, ["e1", "e3"]);
}

/// Issue 15, item 7: a re-sent id that was already stored got `rate_limited` instead of its
/// duplicate ack.
#[tokio::test]
async fn a_resent_id_over_the_rate_limit_gets_its_duplicate_ack() {
    let data = tempfile::tempdir().expect("tempdir");
    let (hub, _stop) = common::hub(data.path());
    let rate = Arc::new(RateLimiter::default());
    let first = answers(&hub, rate.clone(), vec![frame("t1", "fire.trouble")]).await;
    assert_eq!(first, ["ack t1"]);

    let source = hub.config.sources["fp-gg"].clone();
    while rate.allow(&source, EventKind::FireTrouble, std::time::Instant::now()) {}
    let mut again = vec![frame("t1", "fire.trouble")];
    again.extend((0..50).map(|n| frame(&format!("new{n}"), "fire.trouble")));
    let summary = answers(&hub, rate, again).await;
    assert_eq!(summary[0], "dup t1");
    assert!(
        summary.iter().any(|a| a == "nack rate_limited"),
        "new events over the limit are still refused: {summary:?}"
    );
    let acked = summary.iter().filter(|a| a.starts_with("ack ")).count();
    let stored = hub.store.events_after(0, 100).expect("read the store");
    assert_eq!(stored.len(), 1 + acked, "t1 once, nothing refused");
}
