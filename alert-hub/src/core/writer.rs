//! The later stages of the group commit: a writer thread that stores each sealed batch (one
//! atomic write, one flush), and a publisher thread that only then answers, publishes and hands
//! out subscriptions. Batches go through both in the order the core sealed them, so what a
//! console sees is always in the store, in store order. While the writer flushes one batch,
//! the core assembles the next and the publisher answers the last.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::{Relaxed, Release};
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::thread::JoinHandle;

use tokio::sync::{broadcast, mpsc};

use super::batch::Then;
use super::{FeedItem, Subscription};
use crate::error::StoreError;
use crate::metrics::Metrics;
use crate::notify::dispatch::Delivery;
use crate::store::{Store, WriteBatch};

/// How many sealed batches may wait for the writer: one, so the core works at most one batch
/// ahead of the disk.
const QUEUE: usize = 1;

/// A batch the core has finished: what to write, and what to do once it is durable.
pub(super) struct Sealed {
    pub batch: WriteBatch,
    pub then: Then,
}

/// What the writer needs to store.
pub(super) struct Writer {
    pub store: Arc<dyn Store>,
    pub metrics: Arc<Metrics>,
    /// The sequence number of the last event known to be durable.
    pub durable: Arc<AtomicU64>,
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
                drop(stored_tx);
                let _ = publisher.join();
                result
            })
            .map_err(spawn_error)?;
        Ok(WriterThread { tx, thread })
    }

    fn run(&self, rx: Receiver<Sealed>, stored: &Sender<Stored>) -> Result<(), StoreError> {
        for Sealed { batch, then } in rx {
            if let Err(e) = self.write(&batch) {
                tracing::error!(error = %e, "the store failed; stopping so nothing unstored is acknowledged");
                return Err(e);
            }
            let _ = stored.send((then, batch));
        }
        Ok(())
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
