//! The link to the hub's console feed: connects, passes every message on as an action,
//! sends commands, notices a silent hub, and reconnects by itself, backing off up to
//! [`MAX_BACKOFF`].
//!
//! Given several hubs (an active hub and its standbys), it uses the one that answers and moves
//! to the next when that one refuses (a standby answers 503), fails or goes silent. A
//! reconnect to the same hub resumes after the last sequence number the app applied; on
//! reaching another hub it asks for a whole snapshot, since one hub's sequence numbers say
//! nothing about another's.

use std::time::Duration;

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use hub_client::{Backoff, CONSOLE_PATH, Failure, HubAddress, HubAddresses, Rotation};
use time::OffsetDateTime;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::{self, Message};

use crate::action::Action;
use crate::link_trouble::LinkTrouble;
use crate::outgoing::Outgoing;

/// The longest wait between two connection attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// The waits between attempts: 100 ms, doubling after each round of the hubs, at most 2 s.
pub const BACKOFF: Backoff = Backoff {
    first: Duration::from_millis(100),
    max: MAX_BACKOFF,
};

/// How often the console pings the hub, and how long a silent hub is trusted.
pub const PING_EVERY: Duration = Duration::from_secs(10);
pub const SILENCE_LIMIT: Duration = Duration::from_secs(30);

/// What the app asks of the link.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkCommand {
    Send(Outgoing),
    /// Drop the connection and resume from the last sequence number (after a gap).
    Reconnect,
}

/// Where and how to connect.
#[derive(Debug, Clone)]
pub struct LinkConfig {
    /// The hubs, in the order to try them.
    pub hubs: HubAddresses,
    pub token: String,
    /// Told the hub each connection is made to, so that queries go where the feed comes from.
    pub in_use: watch::Sender<HubAddress>,
}

/// The console feed's path: resuming after `since`, or (`None`) starting with a snapshot.
pub fn feed_path(since: Option<u64>) -> String {
    match since {
        Some(seq) => format!("{CONSOLE_PATH}?since={seq}"),
        None => CONSOLE_PATH.to_string(),
    }
}

/// How a session on an open connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEnd {
    /// The connection dropped, the hub closed it or went silent; the detail in words.
    Lost(String),
    /// The app asked to resume on the same hub (after a gap in the feed).
    Resume,
}

/// Runs the link until the app goes away (the action receiver is dropped). A reconnection to
/// the hub of the last connection resumes after the sequence number `since` holds at that
/// moment, if any; a connection to another hub starts with a snapshot.
pub async fn run(
    config: LinkConfig,
    since: watch::Receiver<Option<u64>>,
    mut commands: mpsc::UnboundedReceiver<LinkCommand>,
    actions: mpsc::UnboundedSender<Action>,
) {
    let several = config.hubs.len() > 1;
    let mut rotation = Rotation::new(config.hubs.len(), BACKOFF);
    let mut last_connected: Option<usize> = None;
    loop {
        let index = rotation.current();
        let hub = config.hubs.at(index);
        let resume = if last_connected == Some(index) {
            *since.borrow()
        } else {
            None
        };
        let (trouble, failure) = match hub.websocket(&feed_path(resume), Some(&config.token)).await
        {
            Ok(ws) => {
                rotation.connected();
                last_connected = Some(index);
                config.in_use.send_replace(hub.clone());
                let up = Action::LinkUp {
                    at: now(),
                    hub: several.then(|| name(hub)),
                };
                if actions.send(up).is_err() {
                    return;
                }
                match session(ws, &mut commands, &actions).await {
                    Some(SessionEnd::Lost(reason)) => (LinkTrouble::Dropped(reason), Failure::Lost),
                    Some(SessionEnd::Resume) => (
                        LinkTrouble::Dropped("resynchronising".to_string()),
                        Failure::Resume,
                    ),
                    None => return,
                }
            }
            Err(error) => {
                let trouble = LinkTrouble::of(&error);
                // A refused token or an unusable address stays so: trying again only hides
                // the reason.
                let failure = if trouble.is_final() {
                    Failure::Final
                } else {
                    Failure::Lost
                };
                (trouble, failure)
            }
        };
        let retry = rotation.failed(failure);
        let down = Action::LinkDown {
            at: now(),
            attempt: rotation.failures(),
            retry_in: retry.map(|r| r.wait),
            reason: trouble.clone(),
            next: retry
                .filter(|r| r.index != index)
                .map(|r| name(config.hubs.at(r.index))),
        };
        if actions.send(down).is_err() {
            return;
        }
        let reason = trouble.text(crate::strings::Lang::En);
        let Some(retry) = retry else {
            refuse_all(&mut commands, &actions, &reason).await;
            return;
        };
        if !wait_refusing(retry.wait, &mut commands, &actions, &reason).await {
            return;
        }
    }
}

/// A hub as the status line names it: its address, without `http://` (a TLS hub keeps
/// `https://`).
pub fn name(hub: &HubAddress) -> String {
    let base = hub.http_base();
    match base.strip_prefix("http://") {
        Some(plain) => plain.to_string(),
        None => base,
    }
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// The link has stopped trying: every command from now on is answered as not sent.
async fn refuse_all(
    commands: &mut mpsc::UnboundedReceiver<LinkCommand>,
    actions: &mpsc::UnboundedSender<Action>,
    reason: &str,
) {
    while wait_refusing(Duration::from_secs(3600), commands, actions, reason).await {}
}

/// While waiting to reconnect, commands cannot go anywhere: tell the app each was not sent.
/// Returns false when the app is gone.
async fn wait_refusing(
    delay: Duration,
    commands: &mut mpsc::UnboundedReceiver<LinkCommand>,
    actions: &mpsc::UnboundedSender<Action>,
    reason: &str,
) -> bool {
    let sleep = tokio::time::sleep(delay);
    tokio::pin!(sleep);
    loop {
        tokio::select! {
            () = &mut sleep => return true,
            command = commands.recv() => match command {
                Some(LinkCommand::Send(out)) => {
                    let not_sent = Action::NotSent {
                        request: out.request().to_string(),
                        reason: reason.to_string(),
                    };
                    if actions.send(not_sent).is_err() {
                        return false;
                    }
                }
                Some(LinkCommand::Reconnect) => {}
                None => return false,
            },
        }
    }
}

/// Serves one connection: hub messages become actions, commands become text frames. Returns
/// how it ended, or `None` when the app is gone.
pub async fn session<W>(
    ws: W,
    commands: &mut mpsc::UnboundedReceiver<LinkCommand>,
    actions: &mpsc::UnboundedSender<Action>,
) -> Option<SessionEnd>
where
    W: Stream<Item = Result<Message, tungstenite::Error>> + Sink<Message> + Unpin,
    <W as Sink<Message>>::Error: std::fmt::Display,
{
    let (mut sink, mut stream) = ws.split();
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let mut last_heard = tokio::time::Instant::now();
    loop {
        tokio::select! {
            frame = stream.next() => {
                last_heard = tokio::time::Instant::now();
                match frame {
                    Some(Ok(Message::Text(text))) => {
                        match serde_json::from_str(text.as_str()) {
                            Ok(message) => {
                                if actions.send(Action::Hub(Box::new(message))).is_err() {
                                    return None;
                                }
                            }
                            Err(e) => tracing::warn!(error = %e, "unreadable feed message"),
                        }
                    }
                    Some(Ok(Message::Close(frame))) => {
                        let why = frame.map(|f| f.reason.to_string()).unwrap_or_default();
                        let why = format!("the hub closed the feed {why}").trim().to_string();
                        return Some(SessionEnd::Lost(why));
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Some(SessionEnd::Lost(e.to_string())),
                    None => return Some(SessionEnd::Lost("the connection ended".to_string())),
                }
            }
            command = commands.recv() => match command {
                Some(LinkCommand::Send(out)) => {
                    if let Err(e) = sink.send(Message::text(out.to_json())).await {
                        let not_sent = Action::NotSent {
                            request: out.request().to_string(),
                            reason: e.to_string(),
                        };
                        let _ = actions.send(not_sent);
                        return Some(SessionEnd::Lost(e.to_string()));
                    }
                }
                Some(LinkCommand::Reconnect) => {
                    let _ = sink.close().await;
                    return Some(SessionEnd::Resume);
                }
                None => return None,
            },
            _ = ping.tick() => {
                if last_heard.elapsed() > SILENCE_LIMIT {
                    return Some(SessionEnd::Lost("the hub went silent".to_string()));
                }
                if let Err(e) = sink.send(Message::Ping(Default::default())).await {
                    return Some(SessionEnd::Lost(e.to_string()));
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "connection_tests.rs"]
mod tests;
