//! Device ingest: one WebSocket connection of one source, answered frame by frame, in order.
//!
//! The reader validates each frame and hands valid events to the core; the writer sends the
//! answers in frame order as each becomes ready. At most [`WINDOW`] answers may be outstanding:
//! a source that sends faster than the hub stores is slowed (its socket is not read) rather
//! than having its events dropped. An idle connection is pinged, and one silent for three
//! heartbeat intervals is closed (see [`keepalive`]).

mod hold_close;
pub mod keepalive;
mod rate;
mod upgrade;
mod validate;

pub use hold_close::Answered;
use keepalive::{Idle, KeepAlive};
pub use rate::RateLimiter;
pub use validate::{MAX_TEXT_BYTES, read_frame};

use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;

use axum::extract::ws::{CloseFrame, Message, close_code};
use axum::extract::{Extension, State};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use tokio::sync::{mpsc, oneshot, watch};

use crate::access::{Access, Route, get, route};
use crate::close;
use crate::config::Source;
use crate::core::Request;
use crate::hub::{Hub, stopped};
use crate::protocol::{DeviceReply, Nack, NackCode};

/// How many answers one connection may have outstanding before its reads pause.
pub const WINDOW: usize = 256;

/// The largest WebSocket message read at all; frames above 64 KiB but below this are answered
/// with `too_large`, larger ones close the connection.
pub const MAX_WS_MESSAGE: usize = 16 * 1024 * 1024;

/// How long the closing frame may take to leave before the socket is dropped.
const CLOSE_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// The device endpoint of protocol v1, its rate limits shared by every connection.
pub fn routes() -> Vec<Route> {
    let rate = Arc::new(RateLimiter::default());
    let upgrade = move |State(hub): State<Arc<Hub>>,
                        Extension(source): Extension<Arc<Source>>,
                        request: axum::extract::Request| {
        let rate = rate.clone();
        async move {
            let answered = Arc::new(Answered::default());
            let shutdown = hub.shutdown.clone();
            let held = answered.clone();
            upgrade::accept(request, answered, move |frames, answers| {
                serve_device(hub, rate, source, frames, answers, shutdown, held)
            })
        }
    };
    vec![route("/v1/devices", Access::Source, get(upgrade))]
}

enum Answer {
    /// Not an answer: a ping for an idle connection.
    Ping,
    Ready(DeviceReply),
    /// An event handed to the core; `id` for the nack if it cannot be stored.
    Waiting {
        id: String,
        reply: oneshot::Receiver<DeviceReply>,
        since: Instant,
    },
}

/// The nack for an event the hub cannot store now; the device resends it later.
fn store_unavailable(hub: &Hub, id: Option<String>) -> DeviceReply {
    hub.metrics.nacked(NackCode::StoreUnavailable);
    DeviceReply::Nack(Nack {
        nack: id,
        error: NackCode::StoreUnavailable,
        message: "the hub cannot store events now; nothing was stored: resend this event later"
            .into(),
    })
}

/// Serves one device connection until the device closes it, the socket fails, or the hub
/// shuts down; pending answers are still sent before the close. `answered` is kept up to date
/// with how many answers are queued and sent (a held close waits on it).
pub async fn serve_device<St, Si>(
    hub: Arc<Hub>,
    rate: Arc<RateLimiter>,
    source: Arc<Source>,
    stream: St,
    sink: Si,
    shutdown: watch::Receiver<bool>,
    answered: Arc<Answered>,
) where
    St: Stream<Item = Result<Message, axum::Error>> + Unpin,
    Si: Sink<Message> + Unpin,
{
    hub.metrics.sources_connected.fetch_add(1, Relaxed);
    tracing::info!(source = %source.id, "device connected");
    let (answers, queue) = mpsc::channel(WINDOW);
    let answers = Queue {
        tx: answers,
        answered: &answered,
    };
    let reader = read_frames(&hub, &rate, &source, stream, answers, shutdown);
    let writer = async {
        let sink = write_answers(&hub, sink, queue, &answered).await;
        answered.finished();
        sink
    };
    let (close, sink) = tokio::join!(reader, writer);
    if let (Some(close), Some(mut sink)) = (close, sink) {
        // A peer that stopped reading must not hold the connection open.
        let _ = tokio::time::timeout(CLOSE_WAIT, sink.send(Message::Close(Some(close)))).await;
    }
    hub.metrics.sources_connected.fetch_sub(1, Relaxed);
    tracing::info!(source = %source.id, "device disconnected");
}

/// Reads and hands on frames until the connection ends; returns the close to send once every
/// answer is out, `None` when the device closed or the connection is gone.
async fn read_frames<St>(
    hub: &Hub,
    rate: &RateLimiter,
    source: &Arc<Source>,
    mut stream: St,
    answers: Queue<'_>,
    mut shutdown: watch::Receiver<bool>,
) -> Option<CloseFrame>
where
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
                    // A ping is no answer: it is not counted with them.
                    let _ = answers.tx.try_send(Answer::Ping);
                    continue;
                }
                Idle::Lost(silent) => {
                    tracing::info!(source = %source.id, silent_secs = silent.as_secs(), "device connection silent; closing it");
                    let reason = format!("no frame for {} s", silent.as_secs());
                    return Some(CloseFrame { code: close_code::NORMAL, reason: reason.into() });
                }
            },
            _ = stopped(&mut shutdown) => return Some(close::shutting_down()),
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
                if answers.push(Answer::Ready(nack)).await.is_err() {
                    return None;
                }
                continue;
            }
            Some(Ok(Message::Close(_))) | None => return None,
            Some(Ok(_)) => continue,
            Some(Err(e)) => {
                tracing::info!(source = %source.id, error = %e, "device connection failed");
                return close::for_read_error(&e);
            }
        };
        hub.metrics.received.fetch_add(1, Relaxed);
        let answer = match read_frame(text.as_str(), |site| site == source.site) {
            Err(nack) => {
                hub.metrics.nacked(nack.error);
                Answer::Ready(DeviceReply::Nack(nack))
            }
            Ok(event) if hub.health.failing() => {
                Answer::Ready(store_unavailable(hub, Some(event.id)))
            }
            Ok(event) => {
                // Over the limit, the core still answers a re-sent id as the duplicate it is.
                let over_rate = (!rate.allow(source, event.kind, Instant::now())).then(|| Nack {
                    nack: Some(event.id.clone()),
                    error: NackCode::RateLimited,
                    message: format!(
                        "source {} is over its limit of {} events a second; \
                         resend this event after a pause",
                        source.id, source.max_events_per_sec
                    ),
                });
                let since = Instant::now();
                let id = event.id.clone();
                let (reply, rx) = oneshot::channel();
                let request = Request::Ingest {
                    source: source_id.clone(),
                    event,
                    over_rate,
                    injected: false,
                    reply,
                };
                if hub.core.send(request).await.is_err() {
                    Answer::Ready(store_unavailable(hub, Some(id)))
                } else {
                    Answer::Waiting {
                        id,
                        reply: rx,
                        since,
                    }
                }
            }
        };
        if answers.push(answer).await.is_err() {
            return None;
        }
    }
}

/// Where the reader queues answers for the writer, counting each.
struct Queue<'a> {
    tx: mpsc::Sender<Answer>,
    answered: &'a Answered,
}

impl Queue<'_> {
    async fn push(&self, answer: Answer) -> Result<(), ()> {
        self.tx.send(answer).await.map_err(|_| ())?;
        self.answered.queued();
        Ok(())
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
/// Gives the sink back once every answer is out, `None` when it failed or was closed.
async fn write_answers<Si>(
    hub: &Hub,
    mut sink: Si,
    mut queue: mpsc::Receiver<Answer>,
    answered: &Answered,
) -> Option<Si>
where
    Si: Sink<Message> + Unpin,
{
    let mut unflushed = false;
    let mut written = 0;
    loop {
        let answer = match queue.try_recv() {
            Ok(answer) => answer,
            Err(mpsc::error::TryRecvError::Disconnected) => break,
            Err(mpsc::error::TryRecvError::Empty) => {
                if unflushed {
                    sink.flush().await.ok()?;
                    answered.sent(written);
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
                sink.send(Message::Ping(Default::default())).await.ok()?;
                continue;
            }
            Answer::Ready(reply) => reply,
            Answer::Waiting {
                id,
                mut reply,
                since,
            } => {
                let stored = match reply.try_recv() {
                    Err(oneshot::error::TryRecvError::Empty) => {
                        if unflushed {
                            sink.flush().await.ok()?;
                            answered.sent(written);
                        }
                        unflushed = false;
                        reply.await.ok()
                    }
                    ready => ready.ok(),
                };
                match stored {
                    Some(stored) => {
                        // Only acks: a rate-limited nack from the core is no store latency.
                        if matches!(stored, DeviceReply::Ack(_)) {
                            hub.metrics.ack_latency(since.elapsed());
                        }
                        stored
                    }
                    // The store failed for good and the hub is stopping: nothing was acked.
                    None => store_unavailable(hub, Some(id)),
                }
            }
        };
        written += 1;
        let Ok(json) = serde_json::to_string(&reply) else {
            continue;
        };
        if sink.feed(Message::Text(json.into())).await.is_err() {
            return None;
        }
        unflushed = true;
    }
    sink.flush().await.ok()?;
    answered.sent(written);
    Some(sink)
}
