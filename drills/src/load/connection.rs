//! One simulated source on one connection: sends its stream of the mix on schedule, at most a
//! window of frames ahead of the answers, and matches each answer to its frame in order.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use alert_hub::protocol::{DeviceReply, NackCode};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use time::OffsetDateTime;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::time::sleep_until;
use tokio_tungstenite::tungstenite::Message;

use super::AckRecord;
use crate::mix::EventMix;
use hub_client::Socket;

/// Frames fed to the socket before it is flushed at the latest, when more are ready to go.
const FLUSH_EVERY: usize = 32;

/// How long closing a finished connection may take.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// When a paced connection sends: frame `n` is due at `first + n * every`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pace {
    pub first: Instant,
    pub every: Duration,
}

/// Everything one connection needs to run.
pub(super) struct Stream {
    pub url: String,
    pub socket: Socket,
    pub mix: EventMix,
    pub pace: Option<Pace>,
    pub start: Instant,
    pub deadline: Instant,
    pub window: usize,
    pub drain: Duration,
    pub record_acks: bool,
}

/// What one connection measured.
#[derive(Debug, Default)]
pub(super) struct Outcome {
    pub sent: u64,
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

/// A frame on its way: its id and when it was handed to the socket.
struct InFlight {
    id: String,
    at: Instant,
}

type Sink = SplitSink<Socket, Message>;
type Source = SplitStream<Socket>;

impl Stream {
    /// Sends until the deadline, collects the answers, then closes the connection.
    pub async fn run(self) -> Outcome {
        let Stream {
            url,
            socket,
            mix,
            pace,
            start,
            deadline,
            window,
            drain,
            record_acks,
        } = self;
        let (mut sink, mut source) = socket.split();
        let permits = Semaphore::new(window);
        let (flight_tx, flight_rx) = mpsc::unbounded_channel();
        let (done_tx, done_rx) = watch::channel(None);
        let sender = Sender {
            mix,
            pace,
            start,
            deadline,
            permits: &permits,
            flight: flight_tx,
            done: &done_tx,
        };
        let receiver = Receiver {
            permits: &permits,
            flight: flight_rx,
            done: done_rx,
            drain,
            record_acks,
            outcome: Outcome::default(),
        };
        let (sent, mut outcome) = tokio::join!(sender.run(&mut sink), receiver.run(&mut source));
        outcome.sent = sent.count;
        outcome.lags = sent.lags;
        if let Some(e) = sent.failure.or(outcome.failure.take()) {
            outcome.failure = Some(format!("{url}: {e}"));
        }
        close(sink, source).await;
        outcome
    }
}

struct Sender<'a> {
    mix: EventMix,
    pace: Option<Pace>,
    start: Instant,
    deadline: Instant,
    permits: &'a Semaphore,
    flight: mpsc::UnboundedSender<InFlight>,
    done: &'a watch::Sender<Option<u64>>,
}

struct Sent {
    count: u64,
    lags: Vec<Duration>,
    failure: Option<String>,
}

impl Sender<'_> {
    async fn run(mut self, sink: &mut Sink) -> Sent {
        let mut sent = Sent {
            count: 0,
            lags: Vec::new(),
            failure: None,
        };
        if let Err(e) = self.send_all(sink, &mut sent).await {
            sent.failure = Some(e);
        }
        let _ = self.done.send(Some(sent.count));
        sent
    }

    /// The instant frame `n` is due: on schedule when paced, else as soon as the window allows.
    fn due(&self, n: u64) -> Instant {
        match self.pace {
            Some(p) => p.first + p.every.mul_f64(n as f64),
            None => Instant::now().max(self.start),
        }
    }

    async fn send_all(&mut self, sink: &mut Sink, sent: &mut Sent) -> Result<(), String> {
        let mut unflushed = 0;
        loop {
            let due = self.due(sent.count);
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
                sent.lags.push(now.saturating_duration_since(due));
            }
            let event = self.mix.next_event(OffsetDateTime::now_utc());
            let text = serde_json::to_string(&event).map_err(|e| e.to_string())?;
            let _ = self.flight.send(InFlight {
                id: event.id,
                at: now,
            });
            sink.feed(Message::text(text))
                .await
                .map_err(|e| e.to_string())?;
            sent.count += 1;
            unflushed += 1;
            let next_waits = self.due(sent.count) > Instant::now();
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
    flight: mpsc::UnboundedReceiver<InFlight>,
    done: watch::Receiver<Option<u64>>,
    drain: Duration,
    record_acks: bool,
    outcome: Outcome,
}

impl Receiver<'_> {
    async fn run(mut self, source: &mut Source) -> Outcome {
        let mut drain_until: Option<Instant> = None;
        loop {
            let finished = *self.done.borrow_and_update();
            if let Some(total) = finished {
                if self.outcome.answered >= total {
                    break;
                }
                drain_until.get_or_insert_with(|| Instant::now() + self.drain);
            }
            let message = tokio::select! {
                m = source.next() => m,
                _ = self.done.changed(), if drain_until.is_none() => continue,
                _ = sleep_until(drain_until.unwrap_or_else(Instant::now).into()), if drain_until.is_some() => break,
            };
            match message {
                Some(Ok(Message::Text(text))) => self.answer(text.as_str()),
                Some(Ok(Message::Close(frame))) => {
                    if finished.is_none_or(|total| self.outcome.answered < total) {
                        let why = frame.map_or_else(String::new, |f| f.reason.to_string());
                        self.outcome.failure = Some(format!("the hub closed the connection {why}"));
                    }
                    break;
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    self.outcome.failure = Some(e.to_string());
                    break;
                }
                None => {
                    self.outcome.failure = Some("the connection ended".into());
                    break;
                }
            }
        }
        self.outcome
    }

    /// Matches one answer to the oldest frame in flight.
    fn answer(&mut self, text: &str) {
        let now = Instant::now();
        let o = &mut self.outcome;
        let Ok(frame) = self.flight.try_recv() else {
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
