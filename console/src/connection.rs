//! The link to the hub's console feed: connects, passes every message on as an action,
//! sends commands, notices a silent hub, and reconnects by itself from the last sequence
//! number the app applied, backing off up to [`MAX_BACKOFF`].

use std::time::Duration;

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use hub_client::{CONSOLE_PATH, HubAddress};
use time::OffsetDateTime;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::{self, Message};

use crate::action::Action;
use crate::link_trouble::LinkTrouble;
use crate::outgoing::Outgoing;

/// The longest wait between two connection attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(2);

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
    pub hub: HubAddress,
    pub token: String,
}

/// The wait before attempt number `attempt` (1-based): 100 ms doubling, at most 2 s.
pub fn backoff(attempt: u32) -> Duration {
    let ms = 100u64.saturating_mul(1 << attempt.saturating_sub(1).min(10));
    Duration::from_millis(ms).min(MAX_BACKOFF)
}

/// The console feed's path: resuming after `since`, or (`None`) starting with a snapshot.
pub fn feed_path(since: Option<u64>) -> String {
    match since {
        Some(seq) => format!("{CONSOLE_PATH}?since={seq}"),
        None => CONSOLE_PATH.to_string(),
    }
}

/// Runs the link until the app goes away (the action receiver is dropped). Each connection
/// resumes after the sequence number `since` holds at that moment, if any.
pub async fn run(
    config: LinkConfig,
    since: watch::Receiver<Option<u64>>,
    mut commands: mpsc::UnboundedReceiver<LinkCommand>,
    actions: mpsc::UnboundedSender<Action>,
) {
    let mut attempt = 0u32;
    loop {
        let path = feed_path(*since.borrow());
        let trouble = match config.hub.websocket(&path, Some(&config.token)).await {
            Ok(ws) => {
                attempt = 0;
                if actions.send(Action::LinkUp { at: now() }).is_err() {
                    return;
                }
                match session(ws, &mut commands, &actions).await {
                    Some(reason) => LinkTrouble::Dropped(reason),
                    None => return,
                }
            }
            Err(error) => LinkTrouble::of(&error),
        };
        attempt += 1;
        // A refused token or an unusable address stays so: trying again only hides the reason.
        let retry_in = (!trouble.is_final()).then(|| backoff(attempt));
        let down = Action::LinkDown {
            at: now(),
            attempt,
            retry_in,
            reason: trouble.clone(),
        };
        if actions.send(down).is_err() {
            return;
        }
        let reason = trouble.text(crate::strings::Lang::En);
        let Some(retry_in) = retry_in else {
            refuse_all(&mut commands, &actions, &reason).await;
            return;
        };
        if !wait_refusing(retry_in, &mut commands, &actions, &reason).await {
            return;
        }
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
/// why it ended, or `None` when the app is gone.
pub async fn session<W>(
    ws: W,
    commands: &mut mpsc::UnboundedReceiver<LinkCommand>,
    actions: &mpsc::UnboundedSender<Action>,
) -> Option<String>
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
                        return Some(format!("the hub closed the feed {why}").trim().to_string());
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Some(e.to_string()),
                    None => return Some("the connection ended".to_string()),
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
                        return Some(e.to_string());
                    }
                }
                Some(LinkCommand::Reconnect) => {
                    let _ = sink.close().await;
                    return Some("resynchronising".to_string());
                }
                None => return None,
            },
            _ = ping.tick() => {
                if last_heard.elapsed() > SILENCE_LIMIT {
                    return Some("the hub went silent".to_string());
                }
                if let Err(e) = sink.send(Message::Ping(Default::default())).await {
                    return Some(e.to_string());
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "connection_tests.rs"]
mod tests;
