//! One simulated source: sends its stream of the mix on schedule, at most a window of frames
//! ahead of the answers, and matches each answer to its frame in order.
//!
//! Given several hubs, a source whose connection is lost moves to the next hub (round the
//! list, backing off once every hub has failed in a row) and first sends again, with their
//! own ids, the frames that got no answer: the hub that stored one before it was lost answers
//! it as a duplicate, another stores it. Device protocol v1 is unchanged.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use alert_hub::protocol::{DeviceReply, NackCode};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use hub_client::{Backoff, DEVICES_PATH, Failure, HubAddresses, Rotation, Socket};
use time::OffsetDateTime;
use tokio::sync::{Semaphore, watch};
use tokio::time::sleep_until;
use tokio_tungstenite::tungstenite::Message;

use super::AckRecord;
use crate::mix::EventMix;

/// Frames fed to the socket before it is flushed at the latest, when more are ready to go.
const FLUSH_EVERY: usize = 32;

/// How long closing a finished connection may take.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// The waits between attempts to reach a hub after a connection is lost.
pub(super) const BACKOFF: Backoff = Backoff {
    first: Duration::from_millis(100),
    max: Duration::from_secs(2),
};

/// When a paced connection sends: frame `n` is due at `first + n * every`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pace {
    pub first: Instant,
    pub every: Duration,
}

/// Everything one source needs to run.
pub(super) struct Stream {
    pub hubs: HubAddresses,
    pub token: String,
    /// The connection already open, and the index in `hubs` of its hub.
    pub socket: Socket,
    pub hub: usize,
    pub mix: EventMix,
    pub pace: Option<Pace>,
    pub start: Instant,
    pub deadline: Instant,
    pub window: usize,
    pub drain: Duration,
    pub record_acks: bool,
}

/// What one source measured.
#[derive(Debug, Default)]
pub(super) struct Outcome {
    pub sent: u64,
    /// Frames sent again on a new connection because the old one ended before their answer.
    pub resent: u64,
    pub answered: u64,
    pub acked: u64,
    pub duplicates: u64,
    pub nacked: BTreeMap<NackCode, u64>,
    pub unreadable: u64,
    pub out_of_order: u64,
    pub latencies: Vec<Duration>,
    pub lags: Vec<Duration>,
    pub acks: Vec<AckRecord>,
    pub last_answer: Option<Instant>,
    /// Each move to another connection: the hub reached and why the last one ended.
    pub moves: Vec<String>,
    pub failure: Option<String>,
}

impl Outcome {
    pub fn failed(why: String) -> Outcome {
        Outcome {
            failure: Some(why),
            ..Outcome::default()
        }
    }
}

/// A frame sent and not yet answered: its id, its text (to send again) and when it went.
struct InFlight {
    id: String,
    text: String,
    at: Instant,
}

/// How one connection ended.
enum SessionEnd {
    /// Everything was sent and answered, or the drain ran out.
    Finished,
    /// The connection was lost (the detail in words) with frames still to send or answer.
    Lost(String),
}

type Sink = SplitSink<Socket, Message>;
type Source = SplitStream<Socket>;

/// What the sending side keeps across connections.
struct Sending {
    mix: EventMix,
    count: u64,
    resent: u64,
    lags: Vec<Duration>,
    finished: bool,
}

impl Stream {
    /// Sends until the deadline, collects the answers, moving to another hub whenever a
    /// connection is lost, then closes the connection.
    pub async fn run(self) -> Outcome {
        let flight = Mutex::new(VecDeque::new());
        let mut sending = Sending {
            mix: self.mix,
            count: 0,
            resent: 0,
            lags: Vec::new(),
            finished: false,
        };
        let mut outcome = Outcome::default();
        let mut rotation = Rotation::starting_at(self.hubs.len(), self.hub, BACKOFF);
        let give_up = self.deadline + self.drain;
        let mut socket = self.socket;
        loop {
            let session = Session {
                pace: self.pace,
                start: self.start,
                deadline: self.deadline,
                window: self.window,
                drain: self.drain,
                record_acks: self.record_acks,
                flight: &flight,
            };
            let (sink, source) = socket.split();
            let (end, sink, source) = session.run(sink, source, &mut sending, &mut outcome).await;
            let why = match end {
                SessionEnd::Finished => {
                    close(sink, source).await;
                    break;
                }
                SessionEnd::Lost(why) => why,
            };
            let url = self.hubs.at(rotation.current()).websocket_url(DEVICES_PATH);
            match reconnect(&self.hubs, &self.token, &mut rotation, give_up).await {
                Ok(next) => {
                    let hub = self.hubs.at(rotation.current());
                    outcome
                        .moves
                        .push(format!("{url}: {why}; went on at {hub}"));
                    socket = next;
                }
                Err(last) => {
                    outcome.failure = Some(format!("{url}: {why}; no hub answered since: {last}"));
                    break;
                }
            }
        }
        outcome.sent = sending.count;
        outcome.resent = sending.resent;
        outcome.lags = sending.lags;
        outcome
    }
}

/// Moves on round the hubs until one takes the connection, or `give_up` passes (the last
/// error then).
async fn reconnect(
    hubs: &HubAddresses,
    token: &str,
    rotation: &mut Rotation,
    give_up: Instant,
) -> Result<Socket, String> {
    let mut failure = Failure::Lost;
    let mut last = String::new();
    loop {
        let Some(retry) = rotation.failed(failure) else {
            return Err(last);
        };
        if Instant::now() + retry.wait >= give_up {
            return Err(last);
        }
        tokio::time::sleep(retry.wait).await;
        match hubs
            .at(retry.index)
            .websocket(DEVICES_PATH, Some(token))
            .await
        {
            Ok(socket) => {
                rotation.connected();
                return Ok(socket);
            }
            Err(e) => {
                failure = if e.is_token_refused() {
                    Failure::Final
                } else {
                    Failure::Lost
                };
                last = e.to_string();
            }
        }
    }
}

/// One connection: sends what is still unanswered, then the stream, and reads the answers.
struct Session<'a> {
    pace: Option<Pace>,
    start: Instant,
    deadline: Instant,
    window: usize,
    drain: Duration,
    record_acks: bool,
    flight: &'a Mutex<VecDeque<InFlight>>,
}

impl Session<'_> {
    async fn run(
        self,
        mut sink: Sink,
        mut source: Source,
        sending: &mut Sending,
        outcome: &mut Outcome,
    ) -> (SessionEnd, Sink, Source) {
        let unanswered = lock(self.flight).len();
        let permits = Semaphore::new(self.window.saturating_sub(unanswered));
        let (done_tx, done_rx) = watch::channel(sending.finished);
        let sender = Sender {
            pace: self.pace,
            start: self.start,
            deadline: self.deadline,
            permits: &permits,
            flight: self.flight,
            done: &done_tx,
        };
        let receiver = Receiver {
            permits: &permits,
            flight: self.flight,
            done: done_rx,
            drain: self.drain,
            record_acks: self.record_acks,
        };
        let end = {
            let sent = sender.run(&mut sink, sending);
            let answered = receiver.run(&mut source, outcome);
            tokio::pin!(sent, answered);
            let mut sending_done = false;
            loop {
                tokio::select! {
                    result = &mut sent, if !sending_done => {
                        sending_done = true;
                        if let Err(why) = result {
                            break SessionEnd::Lost(why);
                        }
                    }
                    end = &mut answered => break end,
                }
            }
        };
        (end, sink, source)
    }
}

fn lock(flight: &Mutex<VecDeque<InFlight>>) -> std::sync::MutexGuard<'_, VecDeque<InFlight>> {
    flight
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

struct Sender<'a> {
    pace: Option<Pace>,
    start: Instant,
    deadline: Instant,
    permits: &'a Semaphore,
    flight: &'a Mutex<VecDeque<InFlight>>,
    done: &'a watch::Sender<bool>,
}

impl Sender<'_> {
    /// Sends the frames left unanswered by a lost connection, then the stream until the
    /// deadline; tells the receiver when nothing more will be sent.
    async fn run(&self, sink: &mut Sink, sending: &mut Sending) -> Result<(), String> {
        self.send_again(sink, &mut sending.resent).await?;
        if !sending.finished {
            self.send_all(sink, sending).await?;
            sending.finished = true;
        }
        let _ = self.done.send(true);
        Ok(())
    }

    async fn send_again(&self, sink: &mut Sink, resent: &mut u64) -> Result<(), String> {
        let again: Vec<String> = {
            let mut flight = lock(self.flight);
            let now = Instant::now();
            flight
                .iter_mut()
                .map(|f| {
                    f.at = now;
                    f.text.clone()
                })
                .collect()
        };
        for text in again {
            sink.feed(Message::text(text))
                .await
                .map_err(|e| e.to_string())?;
            *resent += 1;
        }
        sink.flush().await.map_err(|e| e.to_string())
    }

    /// The instant frame `n` is due: on schedule when paced, else as soon as the window allows.
    fn due(&self, n: u64) -> Instant {
        match self.pace {
            Some(p) => p.first + p.every.mul_f64(n as f64),
            None => Instant::now().max(self.start),
        }
    }

    async fn send_all(&self, sink: &mut Sink, sending: &mut Sending) -> Result<(), String> {
        let mut unflushed = 0;
        loop {
            let due = self.due(sending.count);
            if due >= self.deadline {
                break;
            }
            if due > Instant::now() {
                flush(sink, &mut unflushed).await?;
                sleep_until(due.into()).await;
            }
            if !self.take_permit(sink, &mut unflushed).await? {
                break;
            }
            let now = Instant::now();
            if self.pace.is_some() {
                sending.lags.push(now.saturating_duration_since(due));
            }
            let event = sending.mix.next_event(OffsetDateTime::now_utc());
            let text = serde_json::to_string(&event).map_err(|e| e.to_string())?;
            lock(self.flight).push_back(InFlight {
                id: event.id,
                text: text.clone(),
                at: now,
            });
            sending.count += 1;
            sink.feed(Message::text(text))
                .await
                .map_err(|e| e.to_string())?;
            unflushed += 1;
            let next_waits = self.due(sending.count) > Instant::now();
            if next_waits || self.permits.available_permits() == 0 || unflushed >= FLUSH_EVERY {
                flush(sink, &mut unflushed).await?;
            }
        }
        flush(sink, &mut unflushed).await
    }

    /// Takes one place in the window, waiting for an answer when it is full; false when the
    /// deadline passes first.
    async fn take_permit(&self, sink: &mut Sink, unflushed: &mut usize) -> Result<bool, String> {
        if let Ok(permit) = self.permits.try_acquire() {
            permit.forget();
            return Ok(true);
        }
        flush(sink, unflushed).await?;
        tokio::select! {
            permit = self.permits.acquire() => match permit {
                Ok(p) => { p.forget(); Ok(true) }
                Err(_) => Ok(false),
            },
            _ = sleep_until(self.deadline.into()) => Ok(false),
        }
    }
}

async fn flush(sink: &mut Sink, unflushed: &mut usize) -> Result<(), String> {
    if *unflushed > 0 {
        *unflushed = 0;
        sink.flush().await.map_err(|e| e.to_string())?;
    }
    Ok(())
}

struct Receiver<'a> {
    permits: &'a Semaphore,
    flight: &'a Mutex<VecDeque<InFlight>>,
    done: watch::Receiver<bool>,
    drain: Duration,
    record_acks: bool,
}

impl Receiver<'_> {
    /// Reads answers until everything sent is answered once sending is done (or the drain runs
    /// out), or the connection is lost.
    async fn run(mut self, source: &mut Source, outcome: &mut Outcome) -> SessionEnd {
        let mut drain_until: Option<Instant> = None;
        loop {
            let finished = *self.done.borrow_and_update();
            if finished {
                if lock(self.flight).is_empty() {
                    return SessionEnd::Finished;
                }
                drain_until.get_or_insert_with(|| Instant::now() + self.drain);
            }
            let message = tokio::select! {
                m = source.next() => m,
                _ = self.done.changed(), if drain_until.is_none() => continue,
                _ = sleep_until(drain_until.unwrap_or_else(Instant::now).into()), if drain_until.is_some() => {
                    return SessionEnd::Finished;
                }
            };
            match message {
                Some(Ok(Message::Text(text))) => self.answer(text.as_str(), outcome),
                Some(Ok(Message::Close(frame))) => {
                    if finished && lock(self.flight).is_empty() {
                        return SessionEnd::Finished;
                    }
                    let why = frame.map_or_else(String::new, |f| f.reason.to_string());
                    return SessionEnd::Lost(
                        format!("the hub closed the connection {why}")
                            .trim()
                            .to_string(),
                    );
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return SessionEnd::Lost(e.to_string()),
                None => return SessionEnd::Lost("the connection ended".into()),
            }
        }
    }

    /// Matches one answer to the oldest frame in flight.
    fn answer(&mut self, text: &str, o: &mut Outcome) {
        let now = Instant::now();
        let Some(frame) = lock(self.flight).pop_front() else {
            o.out_of_order += 1;
            return;
        };
        self.permits.add_permits(1);
        o.answered += 1;
        o.last_answer = Some(now);
        o.latencies.push(now.saturating_duration_since(frame.at));
        match serde_json::from_str::<DeviceReply>(text) {
            Ok(DeviceReply::Ack(ack)) => {
                if ack.ack != frame.id {
                    o.out_of_order += 1;
                }
                if ack.duplicate {
                    o.duplicates += 1;
                } else {
                    o.acked += 1;
                    if self.record_acks {
                        o.acks.push(AckRecord {
                            seq: ack.seq,
                            at: now,
                        });
                    }
                }
            }
            Ok(DeviceReply::Nack(nack)) => {
                if nack.nack.as_deref().is_some_and(|id| id != frame.id) {
                    o.out_of_order += 1;
                }
                *o.nacked.entry(nack.error).or_default() += 1;
            }
            Err(_) => o.unreadable += 1,
        }
    }
}

/// Says goodbye: a close frame, then reads until the hub closes too (or a short wait ends).
async fn close(mut sink: Sink, mut source: Source) {
    let _ = tokio::time::timeout(CLOSE_WAIT, async {
        let _ = sink.close().await;
        while let Some(Ok(_)) = source.next().await {}
    })
    .await;
}
