//! The second stage of the group commit: a thread that stores each sealed batch (one atomic
//! write, one flush) and only then answers, publishes and hands out subscriptions. Batches are
//! written in the order the core sealed them, so what a console sees is always in the store,
//! in store order. While the writer flushes one batch, the core assembles the next.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::{Relaxed, Release};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
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

/// What the writer needs to store and to publish.
pub(super) struct Writer {
    pub store: Arc<dyn Store>,
    pub metrics: Arc<Metrics>,
    pub feed: broadcast::Sender<Arc<FeedItem>>,
    pub deliveries: mpsc::UnboundedSender<Delivery>,
    /// The sequence number of the last event known to be durable.
    pub durable: Arc<AtomicU64>,
}

/// The running writer: where to send sealed batches, and the thread to join.
pub(super) struct WriterThread {
    pub tx: SyncSender<Sealed>,
    pub thread: JoinHandle<Result<(), StoreError>>,
}

impl Writer {
    /// Starts the writer thread. It stops when the sender is dropped (after writing what was
    /// sent), or at the first store error, without answering anything of the failed batch.
    pub fn start(self) -> Result<WriterThread, StoreError> {
        let (tx, rx) = sync_channel(QUEUE);
        let thread = std::thread::Builder::new()
            .name("hub-writer".into())
            .spawn(move || self.run(rx))
            .map_err(|e| StoreError::Io(format!("cannot start the writer thread: {e}")))?;
        Ok(WriterThread { tx, thread })
    }

    fn run(self, rx: Receiver<Sealed>) -> Result<(), StoreError> {
        for sealed in rx {
            if let Err(e) = self.write(sealed) {
                tracing::error!(error = %e, "the store failed; stopping so nothing unstored is acknowledged");
                return Err(e);
            }
        }
        Ok(())
    }

    fn write(&self, Sealed { batch, then }: Sealed) -> Result<(), StoreError> {
        if !batch.is_empty() {
            self.store.commit(&batch)?;
        }
        if let Some(last) = batch.events.last() {
            self.durable.store(last.seq, Release);
        }
        self.metrics
            .acked
            .fetch_add(batch.events.len() as u64, Relaxed);
        drop(batch);
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
                    seq: snapshot.seq,
                    incidents: snapshot.incidents.clone(),
                    drills: snapshot.drills.clone(),
                    on_test: snapshot.on_test.clone(),
                    changes: self.feed.subscribe(),
                });
            }
        }
        Ok(())
    }
}
