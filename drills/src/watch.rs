//! Watching the console feed as an operator's console does, noting when each device event
//! first reaches it in a change, so the delay from a device's ack to the operator's screen
//! can be measured.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use alert_hub::protocol::{ConsoleMessage, IncidentEvent};
use futures_util::StreamExt;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use crate::error::{Error, Result};
use crate::load::AckRecord;
use crate::stats::Latency;
use hub_client::{CONSOLE_PATH, HubAddress, Socket};

/// How long the hub may take to send the snapshot after a console connects.
const SNAPSHOT_WAIT: Duration = Duration::from_secs(10);

/// What a console saw on the feed.
#[derive(Debug, Clone, Default)]
pub struct FeedLog {
    /// The sequence number of the snapshot the console started from.
    pub snapshot_seq: u64,
    /// Changes received after the snapshot.
    pub changes: u64,
    /// Bytes of change messages received.
    pub change_bytes: u64,
    /// The most devices any incident listed in a change.
    pub largest_incident: usize,
    /// Times the hub said the console fell behind and sent a fresh snapshot.
    pub resyncs: u64,
    /// When the first change naming each device event's sequence number arrived.
    pub first_seen: HashMap<u64, Instant>,
    /// Device events folded into a storm's log entry between its first and last event, which
    /// no change names by sequence number.
    pub folded_unnamed: u64,
}

/// A console connected to the feed, recording what arrives until stopped.
#[derive(Debug)]
pub struct FeedWatch {
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<FeedLog>>,
}

impl FeedWatch {
    /// Connects as the operator whose token is `token` and returns once the snapshot has
    /// arrived, so that every change after this call is seen.
    pub async fn connect(hub: &str, token: &str) -> Result<FeedWatch> {
        let hub = HubAddress::parse(hub)?;
        let url = hub.websocket_url(CONSOLE_PATH);
        let mut socket = hub.websocket(CONSOLE_PATH, Some(token)).await?;
        let feed_error = |message: &str| Error::Feed {
            url: url.clone(),
            message: message.to_string(),
        };
        let first = tokio::time::timeout(SNAPSHOT_WAIT, next_message(&mut socket))
            .await
            .map_err(|_| feed_error("sent no snapshot in time"))?
            .map_err(|e| feed_error(&e))?;
        let (ConsoleMessage::Snapshot { seq, .. }, _) = first else {
            return Err(feed_error("did not start with a snapshot"));
        };
        let log = FeedLog {
            snapshot_seq: seq,
            ..FeedLog::default()
        };
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(watch(url, socket, log, stopped));
        Ok(FeedWatch { stop, task })
    }

    /// Stops watching and returns what was seen.
    pub async fn stop(self) -> Result<FeedLog> {
        let _ = self.stop.send(());
        self.task.await.map_err(|e| Error::Feed {
            url: String::new(),
            message: format!("watcher stopped: {e}"),
        })?
    }
}

async fn watch(
    url: String,
    mut socket: Socket,
    mut log: FeedLog,
    mut stopped: oneshot::Receiver<()>,
) -> Result<FeedLog> {
    loop {
        let message = tokio::select! {
            m = next_message(&mut socket) => m,
            _ = &mut stopped => break,
        };
        let now = Instant::now();
        match message {
            Ok((ConsoleMessage::Change { change, .. }, bytes)) => {
                log.changes += 1;
                log.change_bytes += bytes as u64;
                log.largest_incident = log.largest_incident.max(change.incident.devices.len());
                if let Some(seq) = event_seq(&change.entry.event) {
                    log.first_seen.entry(seq).or_insert(now);
                }
                if let IncidentEvent::EventJoined {
                    more,
                    last_event_seq: Some(last),
                    ..
                } = &change.entry.event
                {
                    log.first_seen.entry(*last).or_insert(now);
                    log.folded_unnamed += more.saturating_sub(1);
                }
            }
            Ok((ConsoleMessage::Resync { .. }, _)) => log.resyncs += 1,
            Ok(_) => {}
            Err(message) => return Err(Error::Feed { url, message }),
        }
    }
    let _ = socket.close(None).await;
    Ok(log)
}

/// The next feed message and its size in bytes; an error text when the feed ends or sends
/// something unreadable.
async fn next_message(socket: &mut Socket) -> Result<(ConsoleMessage, usize), String> {
    loop {
        match socket.next().await {
            Some(Ok(Message::Text(text))) => {
                return serde_json::from_str(text.as_str())
                    .map(|message| (message, text.len()))
                    .map_err(|e| format!("sent an unreadable message: {e}"));
            }
            Some(Ok(Message::Close(_))) | None => return Err("closed".into()),
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(format!("failed: {e}")),
        }
    }
}

/// The device event a log entry records, if it records one.
fn event_seq(event: &IncidentEvent) -> Option<u64> {
    match event {
        IncidentEvent::Opened { event_seq, .. } => *event_seq,
        IncidentEvent::EventJoined { event_seq, .. } => Some(*event_seq),
        _ => None,
    }
}

/// How long after a device read its ack the console saw the matching change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsoleDelay {
    /// Acks that had a matching change on the console.
    pub matched: usize,
    /// Acks whose event never showed on the console (events that change no incident).
    pub unmatched: usize,
    /// Matched changes that reached the console before the ack reached the device (counted
    /// as zero delay).
    pub console_first: usize,
    pub latency: Latency,
}

/// Pairs each ack with the first change that names its event.
pub fn console_delay(acks: &[AckRecord], seen: &HashMap<u64, Instant>) -> ConsoleDelay {
    let mut delays = Vec::with_capacity(acks.len());
    let mut delay = ConsoleDelay::default();
    for ack in acks {
        match seen.get(&ack.seq) {
            Some(&at) => {
                if at < ack.at {
                    delay.console_first += 1;
                }
                delays.push(at.saturating_duration_since(ack.at));
            }
            None => delay.unmatched += 1,
        }
    }
    delay.matched = delays.len();
    delay.latency = Latency::of(&mut delays);
    delay
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acks_pair_with_the_first_change_of_their_event() {
        let t = Instant::now();
        let ms = Duration::from_millis;
        let acks = [
            AckRecord { seq: 1, at: t },
            AckRecord {
                seq: 2,
                at: t + ms(10),
            },
            AckRecord {
                seq: 3,
                at: t + ms(20),
            },
        ];
        let seen = HashMap::from([(1, t + ms(4)), (2, t + ms(5))]);
        let d = console_delay(&acks, &seen);
        assert_eq!((d.matched, d.unmatched, d.console_first), (2, 1, 1));
        assert_eq!(d.latency.max, ms(4));
        assert_eq!(d.latency.p50, Duration::ZERO);
    }

    #[test]
    fn only_entries_that_record_a_device_event_name_one() {
        let joined = IncidentEvent::EventJoined {
            event_seq: 9,
            event_id: "e".into(),
            kind: alert_hub::protocol::EventKind::FireTrouble,
            device: "d".into(),
            zone: None,
            more: 0,
            last_event_seq: None,
        };
        assert_eq!(event_seq(&joined), Some(9));
        let ack = IncidentEvent::Acknowledged {
            operator: "op".into(),
        };
        assert_eq!(event_seq(&ack), None);
    }
}
