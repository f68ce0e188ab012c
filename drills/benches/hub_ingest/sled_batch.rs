//! Baseline B: bare sled doing the hub's group commit and nothing else. Producers hand
//! events to one writer thread, which takes everything waiting (up to the hub's batch limit),
//! encodes each as the hub's stored-event JSON, inserts the lot as one sled batch, flushes
//! once, and only then answers each producer. Run flat out for its throughput, and at the
//! hub's fixed rate for the latency floor that one flush per batch sets on this disk.

use std::collections::VecDeque;
use std::path::Path;
use std::time::{Duration, Instant};

use alert_hub::protocol::{DeviceEvent, StoredEvent};
use drills::mix::{EventMix, MixPlan};
use drills::stats::Latency;
use time::OffsetDateTime;
use tokio::sync::mpsc;
use tokio::time::sleep_until;

/// The same limit as the hub's core: at most this many requests per group commit.
const MAX_BATCH: usize = alert_hub::core::MAX_BATCH;

struct Write {
    source: u32,
    event: DeviceEvent,
    done: mpsc::UnboundedSender<()>,
}

/// What the writer stores per event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The event record alone, keyed by sequence number.
    Bare,
    /// With a durable (source, id) index: first a lookup of the event's key, then the event
    /// record and the key in the same batch. What such an index costs; the hub keeps its id
    /// keys in memory instead (see `alert_hub::core::SeenIds`).
    Indexed,
}

/// What the baseline achieved.
pub struct SledFigures {
    pub stored: u64,
    pub elapsed: Duration,
    pub batches: u64,
    /// From handing a write to the writer to hearing it is durable.
    pub latency: Latency,
}

impl SledFigures {
    pub fn per_sec(&self) -> f64 {
        self.stored as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

/// Runs `producers` producers for `duration`, each with up to `window` writes outstanding,
/// at `rate` writes a second in total (or flat out).
pub async fn run(
    dir: &Path,
    producers: usize,
    window: usize,
    duration: Duration,
    rate: Option<f64>,
    shape: Shape,
    mix: &MixPlan,
) -> anyhow::Result<SledFigures> {
    let db = sled::Config::new()
        .path(dir)
        .cache_capacity(256 * 1024 * 1024)
        .open()?;
    let (tx, rx) = mpsc::channel::<Write>(alert_hub::server::CORE_QUEUE);
    let writer = std::thread::Builder::new()
        .name("sled-writer".into())
        .spawn(move || write_batches(&db, rx, shape))?;
    let start = Instant::now();
    let deadline = start + duration;
    let every = rate.map(|rate| Duration::from_secs_f64(producers as f64 / rate));
    let mut tasks = Vec::with_capacity(producers);
    for n in 0..producers {
        let plan = MixPlan {
            stream: u32::try_from(n)?,
            ..mix.clone()
        };
        let pace = every.map(|every| (start + every.mul_f64(n as f64 / producers as f64), every));
        let producer = Producer {
            source: plan.stream,
            mix: EventMix::new(&plan),
            tx: tx.clone(),
            window,
            pace,
            deadline,
        };
        tasks.push(tokio::spawn(producer.run()));
    }
    drop(tx);
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await?);
    }
    let elapsed = start.elapsed();
    let batches = tokio::task::spawn_blocking(move || writer.join())
        .await?
        .map_err(|_| anyhow::anyhow!("the sled writer panicked"))??;
    Ok(SledFigures {
        stored: latencies.len() as u64,
        elapsed,
        batches,
        latency: Latency::of(&mut latencies),
    })
}

/// One producer: sends on schedule (or whenever its window allows) until the deadline, then
/// waits for its outstanding writes.
struct Producer {
    source: u32,
    mix: EventMix,
    tx: mpsc::Sender<Write>,
    window: usize,
    pace: Option<(Instant, Duration)>,
    deadline: Instant,
}

impl Producer {
    /// The latency of every write that was stored.
    async fn run(mut self) -> Vec<Duration> {
        let (done_tx, mut done) = mpsc::unbounded_channel();
        let mut sent_at = VecDeque::new();
        let mut latencies = Vec::new();
        let mut n = 0u64;
        loop {
            let due = match self.pace {
                Some((first, every)) => first + every.mul_f64(n as f64),
                None => Instant::now(),
            };
            let may_send = due < self.deadline && sent_at.len() < self.window;
            if due >= self.deadline && sent_at.is_empty() {
                return latencies;
            }
            if may_send && due <= Instant::now() {
                let write = Write {
                    source: self.source,
                    event: self.mix.next_event(OffsetDateTime::now_utc()),
                    done: done_tx.clone(),
                };
                sent_at.push_back(Instant::now());
                if self.tx.send(write).await.is_err() {
                    return latencies;
                }
                n += 1;
                continue;
            }
            tokio::select! {
                stored = done.recv() => match (stored, sent_at.pop_front()) {
                    (Some(()), Some(at)) => latencies.push(at.elapsed()),
                    _ => return latencies,
                },
                _ = sleep_until(due.into()), if may_send => {}
            }
        }
    }
}

/// The writer: one sled batch and one flush per group of waiting writes.
fn write_batches(
    db: &sled::Db,
    mut rx: mpsc::Receiver<Write>,
    shape: Shape,
) -> anyhow::Result<u64> {
    let (mut seq, mut batches) = (0u64, 0u64);
    while let Some(first) = rx.blocking_recv() {
        let mut group = vec![first];
        while group.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(next) => group.push(next),
                Err(_) => break,
            }
        }
        let now = OffsetDateTime::now_utc();
        let mut batch = sled::Batch::default();
        let mut waiting = Vec::with_capacity(group.len());
        for write in group {
            seq += 1;
            let source = format!("gw-{:03}", write.source);
            if shape == Shape::Indexed {
                let index = [b"i", source.as_bytes(), &[0], write.event.id.as_bytes()].concat();
                if db.get(&index)?.is_some() {
                    anyhow::bail!("event {} stored twice", write.event.id);
                }
                batch.insert(index, &seq.to_be_bytes());
            }
            let stored = StoredEvent {
                seq,
                source,
                received_at: now,
                event: write.event,
            };
            let key = [&b"e"[..], &seq.to_be_bytes()].concat();
            batch.insert(key, serde_json::to_vec(&stored)?);
            waiting.push(write.done);
        }
        db.apply_batch(batch)?;
        db.flush()?;
        batches += 1;
        for done in waiting {
            let _ = done.send(());
        }
    }
    Ok(batches)
}
