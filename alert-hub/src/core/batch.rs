//! One group commit being assembled: what to write, and what to do once it is durable.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::oneshot;

use super::{FeedItem, Snapshot, Subscription};
use crate::error::StoreError;
use crate::notify::dispatch::Delivery;
use crate::protocol::{
    AfterActionRecord, Change, DrillRecord, DrillView, HandOverRecord, OnTestRecord, OnTestView,
    ReviewRecord, StoredEvent,
};
use crate::store::{EventRecord, LoggedChange, StoredIncident, WriteBatch};

/// What the current group commit writes and what it does after the flush, in order.
#[derive(Default)]
pub struct Pending {
    /// Requests taken into this batch.
    pub requests: usize,
    pub events: Vec<StoredEvent>,
    /// The id key and sequence number of each event in `events`.
    pub seen_ids: Vec<(u64, u64)>,
    /// What has left the in-memory index of ids, when this batch moved it.
    pub dedup_horizon: Option<crate::core::Horizon>,
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
    /// The number of the last incident opened, when this batch opened one.
    pub last_incident_number: Option<u64>,
    /// The drills running, when this batch changed them.
    pub drills: Option<Vec<DrillView>>,
    /// What is on test, when this batch changed it.
    pub on_test: Option<Vec<OnTestView>>,
    pub handovers: Vec<HandOverRecord>,
    pub on_test_log: Vec<OnTestRecord>,
    pub reviews: Vec<ReviewRecord>,
    pub drill_records: Vec<DrillRecord>,
    pub calendars: Vec<crate::protocol::SiteCalendar>,
    pub after_actions: Vec<AfterActionRecord>,
    pub feed: Vec<Arc<FeedItem>>,
    pub subscribers: Vec<oneshot::Sender<Subscription>>,
    /// Outside notification attempts to start once the batch is stored.
    pub deliveries: Vec<Delivery>,
    after: Vec<Box<dyn FnOnce() + Send>>,
}

impl Pending {
    /// The event of this batch stored as `seq`.
    pub fn event(&self, seq: u64) -> Option<&StoredEvent> {
        event_in(&self.events, seq)
    }

    /// Runs `action` once the batch is durable (replies to devices and consoles).
    pub fn after_commit(&mut self, action: impl FnOnce() + Send + 'static) {
        self.after.push(Box::new(action));
    }

    /// Splits into what to write (the events encoded for the store), what to do after, and
    /// the events themselves.
    pub fn into_parts(self) -> Result<(WriteBatch, Then, Vec<StoredEvent>), StoreError> {
        let records = self
            .events
            .iter()
            .map(EventRecord::encode)
            .collect::<Result<_, _>>()?;
        let batch = WriteBatch {
            events: records,
            seen_ids: self.seen_ids,
            dedup_horizon: self.dedup_horizon,
            log: self.log,
            incidents: self.incidents,
            last_incident_number: self.last_incident_number,
            drills: self.drills,
            on_test: self.on_test,
            secrets: Vec::new(),
            handovers: self.handovers,
            on_test_log: self.on_test_log,
            reviews: self.reviews,
            drill_records: self.drill_records,
            calendars: self.calendars,
            after_actions: self.after_actions,
        };
        let then = Then {
            actions: self.after,
            feed: self.feed,
            subscribers: self.subscribers,
            snapshot: None,
            deliveries: self.deliveries,
        };
        Ok((batch, then, self.events))
    }
}

/// What to do once a batch is durable: answer, publish, then hand out subscriptions.
pub struct Then {
    pub actions: Vec<Box<dyn FnOnce() + Send>>,
    pub feed: Vec<Arc<FeedItem>>,
    pub subscribers: Vec<oneshot::Sender<Subscription>>,
    /// What the subscribers are given: the book as this batch leaves it.
    pub snapshot: Option<Snapshot>,
    pub deliveries: Vec<Delivery>,
}

/// The event stored as `seq` among `events` (consecutive sequence numbers).
fn event_in(events: &[StoredEvent], seq: u64) -> Option<&StoredEvent> {
    let first = events.first()?.seq;
    let at = usize::try_from(seq.checked_sub(first)?).ok()?;
    events.get(at)
}

/// The events of sealed batches the writer may not have stored yet: a duplicate is confirmed
/// against them until they are.
#[derive(Default)]
pub struct InFlight {
    batches: std::collections::VecDeque<Vec<StoredEvent>>,
}

impl InFlight {
    pub fn push(&mut self, events: Vec<StoredEvent>) {
        if !events.is_empty() {
            self.batches.push_back(events);
        }
    }

    /// Forgets the batches whose events are durable up to `durable`: the store has them.
    pub fn retire(&mut self, durable: u64) {
        while self
            .batches
            .front()
            .and_then(|events| events.last())
            .is_some_and(|last| last.seq <= durable)
        {
            self.batches.pop_front();
        }
    }

    pub fn event(&self, seq: u64) -> Option<&StoredEvent> {
        self.batches.iter().find_map(|events| event_in(events, seq))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::heartbeat;

    fn sealed(seqs: std::ops::RangeInclusive<u64>) -> Vec<StoredEvent> {
        seqs.map(|n| heartbeat(n, "fp", &format!("e{n}"))).collect()
    }

    #[test]
    fn an_event_of_a_batch_the_writer_has_not_stored_is_found_until_it_is_stored() {
        let mut in_flight = InFlight::default();
        in_flight.push(sealed(1..=3));
        in_flight.push(Vec::new());
        in_flight.push(sealed(4..=6));
        let id = |seq| in_flight.event(seq).map(|e| e.event.id.clone());
        assert_eq!(id(2).as_deref(), Some("e2"));
        assert_eq!(id(6).as_deref(), Some("e6"));
        assert_eq!(id(7), None);

        // The writer has stored events up to 4: the first batch is in the store now, the
        // second is not completely.
        in_flight.retire(4);
        assert_eq!(in_flight.event(2).map(|e| e.seq), None);
        assert_eq!(in_flight.event(5).map(|e| e.seq), Some(5));
        in_flight.retire(6);
        assert_eq!(in_flight.event(5).map(|e| e.seq), None);
    }

    #[test]
    fn the_batch_being_assembled_finds_its_own_events_by_seq() {
        let pending = Pending {
            events: (10..=12)
                .map(|n| heartbeat(n, "fp", &format!("e{n}")))
                .collect(),
            ..Pending::default()
        };
        assert_eq!(pending.event(11).map(|e| e.event.id.as_str()), Some("e11"));
        assert!(pending.event(9).is_none());
        assert!(pending.event(13).is_none());
    }
}
