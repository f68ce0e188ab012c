//! The console feed: a snapshot of open incidents, then every change by sequence number, and
//! operator commands on the same socket.
//!
//! A console reconnecting with `?since=SEQ` gets exactly the changes it missed, read from the
//! store, and then the live ones. A console that falls behind the live feed is never buffered
//! without bound: it gets `resync` and a fresh snapshot.

use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;

use axum::extract::ws::{Message, WebSocketUpgrade};
use axum::extract::{Extension, Query, State};
use axum::response::{IntoResponse, Response};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{mpsc, oneshot, watch};

use crate::access::{Access, Route, get, route};
use crate::api_error::ApiError;
use crate::close;
use crate::core::{Request, Subscription};
use crate::hub::{Hub, stopped};
use crate::protocol::{
    Bilingual, ConsoleMessage, ConsoleRequest, OperatorInfo, RefusalCode, Reply,
};

/// A console further behind than this many changes gets a fresh snapshot instead of a replay.
pub const MAX_REPLAY: u64 = 10_000;

/// Replayed changes are read from the store in pages of this many.
const REPLAY_PAGE: usize = 500;

/// The operators' console feed.
pub fn routes() -> Vec<Route> {
    vec![route("/v1/console", Access::Operator, get(upgrade))]
}

#[derive(Debug, Deserialize)]
struct FeedQuery {
    since: Option<u64>,
}

async fn upgrade(
    State(hub): State<Arc<Hub>>,
    Extension(operator): Extension<OperatorInfo>,
    query: Result<Query<FeedQuery>, axum::extract::rejection::QueryRejection>,
    ws: WebSocketUpgrade,
) -> Response {
    let Ok(Query(query)) = query else {
        return ApiError::bad_request("since must be a sequence number").into_response();
    };
    let shutdown = hub.shutdown.clone();
    ws.on_upgrade(move |socket| {
        let (sink, stream) = socket.split();
        serve_console(hub, operator, query.since, stream, sink, shutdown)
    })
}

/// Serves one console connection of `operator` until it closes or the hub shuts down.
pub async fn serve_console<St, Si>(
    hub: Arc<Hub>,
    operator: OperatorInfo,
    since: Option<u64>,
    mut stream: St,
    mut sink: Si,
    mut shutdown: watch::Receiver<bool>,
) where
    St: Stream<Item = Result<Message, axum::Error>> + Unpin,
    Si: Sink<Message> + Unpin,
{
    hub.metrics.consoles_connected.fetch_add(1, Relaxed);
    tracing::info!(operator = %operator.id, ?since, "console connected");
    let (replies_tx, mut replies) = mpsc::channel::<Reply>(64);
    if hub.health.failing() {
        let _ = send(&mut sink, &ConsoleMessage::StoreHealth { storing: false }).await;
    }
    let mut sub = match start(&hub, &operator, since, &mut sink).await {
        Some(sub) => sub,
        None => return finish(&hub, &operator),
    };
    loop {
        let outgoing = tokio::select! {
            change = sub.changes.recv() => match change {
                Ok(item) => Some(item.json.to_string()),
                Err(RecvError::Lagged(missed)) => {
                    hub.metrics.console_resyncs.fetch_add(1, Relaxed);
                    tracing::warn!(operator = %operator.id, missed, "console fell behind; resyncing");
                    let reason = format!("the console fell {missed} changes behind");
                    if send(&mut sink, &ConsoleMessage::Resync { reason }).await.is_err() {
                        break;
                    }
                    match start(&hub, &operator, None, &mut sink).await {
                        Some(fresh) => sub = fresh,
                        None => break,
                    }
                    None
                }
                Err(RecvError::Closed) => break,
            },
            reply = replies.recv() => reply.and_then(|r| serde_json::to_string(&ConsoleMessage::Reply(r)).ok()),
            message = stream.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    command(&hub, &operator, text.as_str(), replies_tx.clone()).await;
                    None
                }
                Some(Ok(Message::Close(_))) | None => break,
                Some(Err(e)) => {
                    tracing::info!(operator = %operator.id, error = %e, "console connection failed");
                    if let Some(close) = close::for_read_error(&e) {
                        let _ = sink.send(Message::Close(Some(close))).await;
                    }
                    break;
                }
                Some(Ok(_)) => None,
            },
            _ = stopped(&mut shutdown) => {
                let _ = sink.send(Message::Close(Some(close::shutting_down()))).await;
                break;
            }
        };
        if let Some(text) = outgoing
            && sink.send(Message::Text(text.into())).await.is_err()
        {
            break;
        }
    }
    finish(&hub, &operator);
}

fn finish(hub: &Hub, operator: &OperatorInfo) {
    hub.metrics.consoles_connected.fetch_sub(1, Relaxed);
    tracing::info!(operator = %operator.id, "console disconnected");
}

/// Subscribes, then sends what the console needs before live changes: the changes it missed
/// since `since` when they are few enough, else a snapshot.
async fn start<Si>(
    hub: &Hub,
    operator: &OperatorInfo,
    since: Option<u64>,
    sink: &mut Si,
) -> Option<Subscription>
where
    Si: Sink<Message> + Unpin,
{
    let sub = hub.core.subscribe().await.ok()?;
    let replay =
        since.filter(|s| *s > 0 && *s <= sub.snapshot.seq && sub.snapshot.seq - *s <= MAX_REPLAY);
    match replay {
        Some(since) => {
            let mut after = since;
            while after < sub.snapshot.seq {
                let page = hub.store.changes_after(after, REPLAY_PAGE).ok()?;
                let Some(last) = page.last() else { break };
                after = last.seq;
                for change in page.iter().filter(|c| c.seq <= sub.snapshot.seq) {
                    sink.send(Message::Text(change.json.to_string().into()))
                        .await
                        .ok()?;
                }
            }
            let drills = ConsoleMessage::DrillsChanged {
                drills: sub.snapshot.drills.clone(),
            };
            let on_test = ConsoleMessage::OnTestChanged {
                on_test: sub.snapshot.on_test.clone(),
            };
            send(sink, &drills).await.ok()?;
            send(sink, &on_test).await.ok()?;
        }
        None => {
            let snapshot = ConsoleMessage::Snapshot {
                seq: sub.snapshot.seq,
                operator: operator.clone(),
                incidents: sub.snapshot.incidents.clone(),
                on_test: sub.snapshot.on_test.clone(),
                drills: sub.snapshot.drills.clone(),
            };
            send(sink, &snapshot).await.ok()?;
        }
    }
    let handovers = ConsoleMessage::HandOvers {
        handovers: sub.snapshot.handovers.clone(),
    };
    send(sink, &handovers).await.ok()?;
    if hub.health.failing() {
        send(sink, &ConsoleMessage::StoreHealth { storing: false })
            .await
            .ok()?;
    }
    send(
        sink,
        &ConsoleMessage::Live {
            seq: sub.snapshot.seq,
        },
    )
    .await
    .ok()?;
    Some(sub)
}

async fn send<Si>(sink: &mut Si, message: &ConsoleMessage) -> Result<(), ()>
where
    Si: Sink<Message> + Unpin,
{
    let json = serde_json::to_string(message).map_err(|_| ())?;
    sink.send(Message::Text(json.into())).await.map_err(|_| ())
}

/// Hands a command to the core; its reply arrives on `replies` once the result is stored.
async fn command(hub: &Hub, operator: &OperatorInfo, text: &str, replies: mpsc::Sender<Reply>) {
    let request: ConsoleRequest = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let request = serde_json::from_str::<serde_json::Value>(text)
                .ok()
                .and_then(|v| {
                    v.get("request")
                        .and_then(|r| r.as_str())
                        .map(str::to_string)
                })
                .unwrap_or_default();
            let reply = Reply {
                request,
                ok: false,
                error: Some(RefusalCode::BadCommand),
                message: Some(Bilingual {
                    zh: format!("无法读取该命令：{e}"),
                    en: format!("The command could not be read: {e}"),
                }),
            };
            let _ = replies.send(reply).await;
            return;
        }
    };
    if hub.health.failing() {
        let reply = Reply {
            request: request.request,
            ok: false,
            error: Some(RefusalCode::Unavailable),
            message: Some(Bilingual {
                zh: "中心现在无法保存任何内容，没有任何改变。".into(),
                en: "The hub cannot store anything now; nothing changed.".into(),
            }),
        };
        let _ = replies.send(reply).await;
        return;
    }
    let (reply, rx) = oneshot::channel();
    let id = request.request.clone();
    let sent = hub
        .core
        .send(Request::Command {
            operator: operator.clone(),
            request,
            reply,
        })
        .await;
    tokio::spawn(async move {
        let reply = match (sent, rx.await) {
            (Ok(()), Ok(reply)) => reply,
            _ => Reply {
                request: id,
                ok: false,
                error: Some(RefusalCode::Unavailable),
                message: Some(Bilingual {
                    zh: "中心未能保存该命令，没有任何改变。".into(),
                    en: "The hub could not store the command; nothing changed.".into(),
                }),
            },
        };
        let _ = replies.send(reply).await;
    });
}
