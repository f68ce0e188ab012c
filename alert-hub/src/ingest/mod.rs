//! Device ingest: one WebSocket connection of one source, answered frame by frame, in order.
//!
//! The reader validates each frame and hands valid events to the core; the writer sends the
//! answers in frame order as each becomes ready. At most [`WINDOW`] answers may be outstanding:
//! a source that sends faster than the hub stores is slowed (its socket is not read) rather
//! than having its events dropped. An idle connection is pinged, and one silent for three
//! heartbeat intervals is closed (see [`keepalive`]).

pub mod keepalive;
mod rate;
mod validate;

use keepalive::{Idle, KeepAlive};
pub use rate::RateLimiter;
pub use validate::{MAX_TEXT_BYTES, read_frame};

use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;

use axum::extract::ws::{CloseFrame, Message, WebSocketUpgrade, close_code};
use axum::extract::{Extension, State};
use axum::response::Response;
use axum::routing::get;
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use tokio::sync::{mpsc, oneshot, watch};

use crate::access::{Access, Route, route};
use crate::config::Source;
use crate::core::Request;
use crate::hub::{Hub, stopped};
use crate::protocol::{DeviceReply, Nack, NackCode};

/// How many answers one connection may have outstanding before its reads pause.
pub const WINDOW: usize = 256;

/// The largest WebSocket message read at all; frames above 64 KiB but below this are answered
/// with `too_large`, larger ones close the connection.
pub const MAX_WS_MESSAGE: usize = 16 * 1024 * 1024;

/// How long a close frame to a silent device may take to leave before the socket is dropped.
const CLOSE_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// The device endpoint of protocol v1, its rate limits shared by every connection.
pub fn routes() -> Vec<Route> {
    let rate = Arc::new(RateLimiter::default());
    let upgrade = move |State(hub): State<Arc<Hub>>,
                        Extension(source): Extension<Arc<Source>>,
                        ws: WebSocketUpgrade| {
        let rate = rate.clone();
        async move { upgrade(hub, rate, source, ws) }
    };
    vec![route("/v1/devices", Access::Source, get(upgrade))]
}

fn upgrade(
    hub: Arc<Hub>,
    rate: Arc<RateLimiter>,
    source: Arc<Source>,
    ws: WebSocketUpgrade,
) -> Response {
    let shutdown = hub.shutdown.clone();
    ws.max_message_size(MAX_WS_MESSAGE)
        .max_frame_size(MAX_WS_MESSAGE)
        .on_upgrade(move |socket| {
            let (sink, stream) = socket.split();
            serve_device(hub, rate, source, stream, sink, shutdown)
        })
}

enum Answer {
    /// Not an answer: a ping for an idle connection.
    Ping,
    /// Not an answer: the connection is given up, with this close frame.
    Close(CloseFrame),
    Ready(DeviceReply),
    Waiting {
        reply: oneshot::Receiver<DeviceReply>,
        since: Instant,
    },
}

/// Serves one device connection until the device closes it, the socket fails, or the hub
/// shuts down (then pending answers are still sent before the close).
pub async fn serve_device<St, Si>(
    hub: Arc<Hub>,
    rate: Arc<RateLimiter>,
    source: Arc<Source>,
    stream: St,
    sink: Si,
    shutdown: watch::Receiver<bool>,
) where
    St: Stream<Item = Result<Message, axum::Error>> + Unpin,
    Si: Sink<Message> + Unpin,
{
    hub.metrics.sources_connected.fetch_add(1, Relaxed);
    tracing::info!(source = %source.id, "device connected");
    let (answers, queue) = mpsc::channel(WINDOW);
    let reader = read_frames(&hub, &rate, &source, stream, answers, shutdown);
    let writer = write_answers(&hub, sink, queue);
    tokio::join!(reader, writer);
    hub.metrics.sources_connected.fetch_sub(1, Relaxed);
    tracing::info!(source = %source.id, "device disconnected");
}

async fn read_frames<St>(
    hub: &Hub,
    rate: &RateLimiter,
    source: &Arc<Source>,
    mut stream: St,
    answers: mpsc::Sender<Answer>,
    mut shutdown: watch::Receiver<bool>,
) where
    St: Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    let source_id: Arc<str> = Arc::from(source.id.as_str());
    let mut keepalive = KeepAlive::for_heartbeat(source.heartbeat_secs);
    let start = tokio::time::Instant::now() + keepalive.every();
    let mut ticks = tokio::time::interval_at(start, keepalive.every());
    loop {
        let message = tokio::select! {
            m = stream.next() => m,
            _ = ticks.tick() => match keepalive.tick() {
                Idle::Heard => continue,
                Idle::Ping => {
                    let _ = answers.try_send(Answer::Ping);
                    continue;
                }
                Idle::Lost(silent) => {
                    tracing::info!(source = %source.id, silent_secs = silent.as_secs(), "device connection silent; closing it");
                    let reason = format!("no frame for {} s", silent.as_secs());
                    let close = CloseFrame { code: close_code::NORMAL, reason: reason.into() };
                    let _ = answers.send(Answer::Close(close)).await;
                    return;
                }
            },
            _ = stopped(&mut shutdown) => None,
        };
        keepalive.heard();
        let text = match message {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Binary(_))) => {
                let nack = refuse(
                    hub,
                    None,
                    NackCode::MalformedJson,
                    "send events as text frames",
                );
                if answers.send(Answer::Ready(nack)).await.is_err() {
                    return;
                }
                continue;
            }
            Some(Ok(Message::Close(_))) | None => return,
            Some(Ok(_)) => continue,
            Some(Err(e)) => {
                tracing::info!(source = %source.id, error = %e, "device connection failed");
                return;
            }
        };
        hub.metrics.received.fetch_add(1, Relaxed);
        let answer = match read_frame(text.as_str(), |site| hub.config.site(site).is_some()) {
            Err(nack) => {
                hub.metrics.nacked(nack.error);
                Answer::Ready(DeviceReply::Nack(nack))
            }
            Ok(event) if !rate.allow(source, event.kind, Instant::now()) => {
                hub.metrics.rate_limited(&source.id);
                let message = format!(
                    "source {} is over its limit of {} events a second; \
                     resend this event after a pause",
                    source.id, source.max_events_per_sec
                );
                Answer::Ready(DeviceReply::Nack(Nack {
                    nack: Some(event.id),
                    error: NackCode::RateLimited,
                    message,
                }))
            }
            Ok(event) => {
                let since = Instant::now();
                let (reply, rx) = oneshot::channel();
                let request = Request::Ingest {
                    source: source_id.clone(),
                    event,
                    reply,
                };
                if hub.core.send(request).await.is_err() {
                    return;
                }
                Answer::Waiting { reply: rx, since }
            }
        };
        if answers.send(answer).await.is_err() {
            return;
        }
    }
}

fn refuse(hub: &Hub, id: Option<String>, error: NackCode, message: &str) -> DeviceReply {
    hub.metrics.received.fetch_add(1, Relaxed);
    hub.metrics.nacked(error);
    DeviceReply::Nack(Nack {
        nack: id,
        error,
        message: message.to_string(),
    })
}

/// Sends the answers in frame order. Answers that are ready together (a group commit answers
/// many frames at once) go out in one write; the socket is flushed before waiting for more.
async fn write_answers<Si>(hub: &Hub, mut sink: Si, mut queue: mpsc::Receiver<Answer>)
where
    Si: Sink<Message> + Unpin,
{
    let mut unflushed = false;
    loop {
        let answer = match queue.try_recv() {
            Ok(answer) => answer,
            Err(mpsc::error::TryRecvError::Disconnected) => break,
            Err(mpsc::error::TryRecvError::Empty) => {
                if unflushed && sink.flush().await.is_err() {
                    return;
                }
                unflushed = false;
                match queue.recv().await {
                    Some(answer) => answer,
                    None => break,
                }
            }
        };
        let reply = match answer {
            Answer::Ping => {
                if sink.send(Message::Ping(Default::default())).await.is_err() {
                    return;
                }
                continue;
            }
            Answer::Close(close) => {
                let _ =
                    tokio::time::timeout(CLOSE_WAIT, sink.send(Message::Close(Some(close)))).await;
                return;
            }
            Answer::Ready(reply) => Some(reply),
            Answer::Waiting { mut reply, since } => {
                let stored = match reply.try_recv() {
                    Err(oneshot::error::TryRecvError::Empty) => {
                        if unflushed && sink.flush().await.is_err() {
                            return;
                        }
                        unflushed = false;
                        reply.await.ok()
                    }
                    ready => ready.ok(),
                };
                if stored.is_some() {
                    hub.metrics.ack_latency(since.elapsed());
                }
                stored
            }
        };
        let Some(reply) = reply else {
            let close = CloseFrame {
                code: close_code::ERROR,
                reason: "the hub cannot store events now; reconnect and resend".into(),
            };
            let _ = sink.send(Message::Close(Some(close))).await;
            return;
        };
        let Ok(json) = serde_json::to_string(&reply) else {
            continue;
        };
        if sink.feed(Message::Text(json.into())).await.is_err() {
            return;
        }
        unflushed = true;
    }
    let close = CloseFrame {
        code: close_code::AWAY,
        reason: "the hub is shutting down".into(),
    };
    let _ = sink.send(Message::Close(Some(close))).await;
}
