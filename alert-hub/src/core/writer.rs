//! The later stages of the group commit: a writer thread that stores each sealed batch (one
//! atomic write, one flush), and a publisher thread that only then answers, publishes and hands
//! out subscriptions. Batches go through both in the order the core sealed them, so what a
//! console sees is always in the store, in store order. While the writer flushes one batch,
//! the core assembles the next and the publisher answers the last.

use std::sync::Arc;
use std::sync::atomic::Ordering::{Relaxed, Release};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::mpsc::{Receiver, Sender, SyncSender, TryRecvError, channel, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::{broadcast, mpsc};

use super::batch::Then;
use super::{FeedItem, Request, Subscription};
use crate::error::StoreError;
use crate::health::StoreHealth;
use crate::metrics::Metrics;
use crate::notify::dispatch::Delivery;
use crate::protocol::ConsoleMessage;
use crate::store::{Store, WriteBatch};

/// How many sealed batches may wait for the writer: one, so the core works at most one batch
/// ahead of the disk.
const QUEUE: usize = 1;

/// A batch the core has finished: what to write, and what to do once it is durable.
pub(super) struct Sealed {
    pub batch: WriteBatch,
    pub then: Then,
}

/// How long the writer retries a batch the store refuses before it gives up and the hub exits
/// (non-zero, for a supervisor to restart it). A store that recovers sooner (space freed) is
/// used again without a restart.
pub const STORE_GIVE_UP: Duration = Duration::from_secs(60);

/// How long the writer waits between attempts at a batch the store refused.
const RETRY_EVERY: Duration = Duration::from_millis(500);

/// What the writer needs to store.
pub(super) struct Writer {
    pub store: Arc<dyn Store>,
    pub metrics: Arc<Metrics>,
    /// The sequence number of the last event known to be durable.
    pub durable: Arc<AtomicU64>,
    /// Set while the store refuses batches.
    pub health: Arc<StoreHealth>,
    /// The console feed, to tell every console when storing fails and recovers.
    pub feed: broadcast::Sender<Arc<FeedItem>>,
    pub give_up_after: Duration,
    /// Set when the writer waits for a batch; the core clears it as it hands one over.
    pub waiting: Arc<AtomicBool>,
    /// The core, woken when the writer starts to wait (without keeping the core running).
    pub core: mpsc::WeakSender<Request>,
}

/// The running writer: where to send sealed batches, and the thread to join.
pub(super) struct WriterThread {
    pub tx: SyncSender<Sealed>,
    pub thread: JoinHandle<Result<(), StoreError>>,
}

/// A stored batch on its way to the publisher: what to do now that it is durable, and the
/// batch itself, to be freed there rather than on the writer's time.
type Stored = (Then, WriteBatch);

impl Writer {
    /// Starts the writer thread, and the publisher thread it hands stored batches to. The
    /// writer stops when the sender is dropped (after writing what was sent), or at the first
    /// store error, without answering anything of the failed batch; either way it waits for
    /// the publisher to finish what was stored.
    pub fn start(self, publisher: Publisher) -> Result<WriterThread, StoreError> {
        let spawn_error = |source| StoreError::System {
            what: "cannot start a thread",
            source,
        };
        let (stored_tx, stored_rx) = channel::<Stored>();
        let publisher = std::thread::Builder::new()
            .name("hub-publisher".into())
            .spawn(move || publisher.run(stored_rx))
            .map_err(spawn_error)?;
        let (tx, rx) = sync_channel(QUEUE);
        let thread = std::thread::Builder::new()
            .name("hub-writer".into())
            .spawn(move || {
                let result = self.run(rx, &stored_tx);
                self.wake_core();
                drop(stored_tx);
                let _ = publisher.join();
                result
            })
            .map_err(spawn_error)?;
        Ok(WriterThread { tx, thread })
    }

    fn run(&self, rx: Receiver<Sealed>, stored: &Sender<Stored>) -> Result<(), StoreError> {
        while let Some(Sealed { batch, then }) = self.next(&rx) {
            self.write_until_stored(&batch)?;
            let _ = stored.send((then, batch));
        }
        Ok(())
    }

    /// The next sealed batch: the one waiting, or else the core is told that the writer waits
    /// (it seals what it gathered meanwhile) and the batch awaited. `None` once the core is gone.
    fn next(&self, rx: &Receiver<Sealed>) -> Option<Sealed> {
        match rx.try_recv() {
            Ok(sealed) => return Some(sealed),
            Err(TryRecvError::Disconnected) => return None,
            Err(TryRecvError::Empty) => {}
        }
        self.wake_core();
        rx.recv().ok()
    }

    /// Tells the core the writer waits: for a batch, or for nothing once it has stopped (the
    /// core's next seal then finds it gone and the core stops too).
    fn wake_core(&self) {
        self.waiting.store(true, Release);
        if let Some(core) = self.core.upgrade() {
            // A full queue needs no wake-up: the core looks at `waiting` after each request.
            let _ = core.try_send(Request::WriterWaits);
        }
    }

    /// Writes the batch, retrying while the store refuses it (a full disk). Meanwhile nothing
    /// of it is answered, ingest refuses new events and every console is told; after
    /// `give_up_after` the writer stops with the error (and the hub exits).
    fn write_until_stored(&self, batch: &WriteBatch) -> Result<(), StoreError> {
        let Err(first) = self.write(batch) else {
            return Ok(());
        };
        let since = Instant::now();
        self.health.set_failing(true);
        self.announce(false);
        if first.is_final() {
            tracing::error!(error = %first, "the store takes nothing more: the hub exits");
            self.health.give_up();
            return Err(first);
        }
        tracing::error!(
            error = %first,
            retry_ms = RETRY_EVERY.as_millis() as u64,
            give_up_secs = self.give_up_after.as_secs(),
            "the store failed: events are refused with store_unavailable and nothing is \
             acknowledged; retrying, then exiting non-zero if it has not recovered"
        );
        loop {
            std::thread::sleep(RETRY_EVERY);
            match self.write(batch) {
                Ok(()) => {
                    self.health.set_failing(false);
                    self.announce(true);
                    tracing::warn!(
                        failed_secs = since.elapsed().as_secs(),
                        "the store recovered: events are stored and acknowledged again"
                    );
                    return Ok(());
                }
                Err(e) if since.elapsed() >= self.give_up_after => {
                    tracing::error!(error = %e, "the store has not recovered: the hub exits so that a supervisor restarts it");
                    self.health.give_up();
                    return Err(e);
                }
                Err(_) => {}
            }
        }
    }

    /// Tells every console whether events can be stored.
    fn announce(&self, storing: bool) {
        if let Ok(json) = serde_json::to_string(&ConsoleMessage::StoreHealth { storing }) {
            let _ = self.feed.send(Arc::new(FeedItem {
                seq: 0,
                json: json.into(),
            }));
        }
    }

    fn write(&self, batch: &WriteBatch) -> Result<(), StoreError> {
        if !batch.is_empty() {
            self.store.commit(batch)?;
        }
        if let Some(last) = batch.events.last() {
            self.durable.store(last.seq, Release);
        }
        self.metrics
            .acked
            .fetch_add(batch.events.len() as u64, Relaxed);
        Ok(())
    }
}

/// Answers, publishes and hands out subscriptions for each stored batch, in the order they were
/// stored, while the writer stores the next.
pub(super) struct Publisher {
    pub feed: broadcast::Sender<Arc<FeedItem>>,
    pub deliveries: mpsc::UnboundedSender<Delivery>,
}

impl Publisher {
    fn run(self, rx: Receiver<Stored>) {
        for (then, batch) in rx {
            drop(batch);
            self.publish(then);
        }
    }

    fn publish(&self, then: Then) {
        for action in then.actions {
            action();
        }
        for item in then.feed {
            let _ = self.feed.send(item);
        }
        for delivery in then.deliveries {
            let _ = self.deliveries.send(delivery);
        }
        // Subscribed after this batch's changes went out: a new console's receiver starts
        // exactly after the snapshot it is given.
        if let Some(snapshot) = then.snapshot {
            for subscriber in then.subscribers {
                let _ = subscriber.send(Subscription {
                    snapshot: snapshot.clone(),
                    changes: self.feed.subscribe(),
                });
            }
        }
    }
}
