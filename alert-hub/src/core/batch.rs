//! One group commit being assembled: what to write, and what to do once it is durable.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::oneshot;

use super::{FeedItem, Subscription};
use crate::notify::dispatch::Delivery;
use crate::protocol::{Change, HandOverRecord, OnTestRecord, StoredEvent};
use crate::store::{LoggedChange, StoredIncident, WriteBatch};

/// What the current group commit writes and what it does after the flush, in order.
#[derive(Default)]
pub struct Pending {
    /// Requests taken into this batch.
    pub requests: usize,
    pub events: Vec<StoredEvent>,
    /// The id key and sequence number of each event in `events`.
    pub seen_ids: Vec<(u64, u64)>,
    pub log: Vec<LoggedChange>,
    /// The changes of this batch, serialized at commit; a storm's joined events fold into the
    /// incident's previous join of the same kind.
    pub changes: Vec<Change>,
    /// Where each incident's last change of this batch is in `changes`.
    pub last_change: HashMap<String, usize>,
    /// The incidents this batch touched; each is written once, as it stands at the end.
    pub touched: std::collections::HashSet<String>,
    /// Filled at commit from the book: the touched incidents as they stand.
    pub incidents: Vec<StoredIncident>,
    pub meta: Vec<(String, serde_json::Value)>,
    pub handovers: Vec<HandOverRecord>,
    pub on_test_log: Vec<OnTestRecord>,
    pub feed: Vec<Arc<FeedItem>>,
    pub subscribers: Vec<oneshot::Sender<Subscription>>,
    /// Outside notification attempts to start once the batch is stored.
    pub deliveries: Vec<Delivery>,
    after: Vec<Box<dyn FnOnce() + Send>>,
}

impl Pending {
    /// Runs `action` once the batch is durable (replies to devices and consoles).
    pub fn after_commit(&mut self, action: impl FnOnce() + Send + 'static) {
        self.after.push(Box::new(action));
    }

    /// Splits into what to write and what to do after.
    pub fn into_parts(self) -> (WriteBatch, Then) {
        let batch = WriteBatch {
            events: self.events,
            seen_ids: self.seen_ids,
            log: self.log,
            incidents: self.incidents,
            meta: self.meta,
            handovers: self.handovers,
            on_test_log: self.on_test_log,
        };
        let then = Then {
            actions: self.after,
            feed: self.feed,
            subscribers: self.subscribers,
            deliveries: self.deliveries,
        };
        (batch, then)
    }
}

/// What to do once a batch is durable: answer, publish, then hand out subscriptions.
pub struct Then {
    pub actions: Vec<Box<dyn FnOnce() + Send>>,
    pub feed: Vec<Arc<FeedItem>>,
    pub subscribers: Vec<oneshot::Sender<Subscription>>,
    pub deliveries: Vec<Delivery>,
}
