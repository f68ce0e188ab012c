//! What the core does with each request, and the group commit that makes it durable.

use std::sync::Arc;
use std::sync::atomic::Ordering::{Acquire, Relaxed};

use time::OffsetDateTime;
use tokio::sync::oneshot;

use super::batch::Pending;
use super::writer::Sealed;
use super::{FeedItem, Snapshot, State};
use crate::error::StoreError;
use crate::incident::Applied;
use crate::protocol::{
    Ack, Actor, Bilingual, Change, ConsoleMessage, DeviceEvent, DeviceReply, DrillView,
    IncidentEvent, IncidentView, LogEntry, Nack, NackCode, StoredEvent,
};
use crate::store::{LoggedChange, Store, StoredIncident};

/// Folds a joined event into its incident's previous change of this batch when that is a join
/// of the same kind (a storm): the entry counts it and takes the incident as it now stands.
/// Gives the view back when the event does not fold.
fn fold_join(
    pending: &mut Pending,
    event: &IncidentEvent,
    view: IncidentView,
) -> Option<IncidentView> {
    let IncidentEvent::EventJoined {
        kind, event_seq, ..
    } = event
    else {
        return Some(view);
    };
    let Some(&at) = pending.last_change.get(&view.id) else {
        return Some(view);
    };
    let Some(previous) = pending.changes.get_mut(at) else {
        return Some(view);
    };
    match &mut previous.entry.event {
        IncidentEvent::EventJoined {
            kind: first,
            more,
            last_event_seq,
            ..
        } if first == kind => {
            *more += 1;
            *last_event_seq = Some(*event_seq);
            previous.incident = view;
            None
        }
        _ => Some(view),
    }
}

/// Whether the stored event `seq` is the one `same` looks for. A failed read counts as "no":
/// storing an alarm twice is better than losing it.
fn stored_is(store: &dyn Store, seq: u64, same: impl Fn(&StoredEvent) -> bool) -> bool {
    match store.event(seq) {
        Ok(stored) => stored.as_ref().is_some_and(same),
        Err(e) => {
            tracing::error!(error = %e, seq, "cannot read an earlier event to confirm a duplicate; storing the event as new");
            false
        }
    }
}

/// The feed message of one change, as a console receives it.
pub fn feed_json(change: &Change) -> serde_json::Result<String> {
    // Serialized by reference: the change is not copied for the message.
    #[derive(serde::Serialize)]
    #[serde(tag = "type", rename = "change")]
    struct Message<'a> {
        seq: u64,
        change: &'a Change,
    }
    serde_json::to_string(&Message {
        seq: change.entry.seq,
        change,
    })
}

impl State {
    pub(super) fn ingest(
        &mut self,
        source: Arc<str>,
        event: DeviceEvent,
        reply: oneshot::Sender<DeviceReply>,
        now: OffsetDateTime,
        pending: &mut Pending,
    ) {
        let answer = |reply: oneshot::Sender<DeviceReply>, r: DeviceReply| drop(reply.send(r));
        if let Some(drill) = &event.drill
            && !self.running_drills().contains(drill.as_str())
        {
            let nack = Nack {
                nack: Some(event.id.clone()),
                error: NackCode::DrillNotRunning,
                message: format!(
                    "drill \"{drill}\" is not running: start it before sending its events, \
                     or send real events with \"drill\": null"
                ),
            };
            self.metrics.nacked(NackCode::DrillNotRunning);
            pending.after_commit(move || answer(reply, DeviceReply::Nack(nack)));
            return;
        }
        let key = self.seen.key(&source, &event.id);
        let same = |e: &StoredEvent| *e.source == *source && e.event.id == event.id;
        let earlier = self.seen.find(key, |seq| {
            match pending.event(seq).or_else(|| self.in_flight.event(seq)) {
                Some(unstored) => same(unstored),
                None => stored_is(self.store.as_ref(), seq, same),
            }
        });
        if let Some(seq) = earlier {
            self.metrics.duplicates.fetch_add(1, Relaxed);
            let ack = Ack {
                ack: event.id,
                seq,
                duplicate: true,
            };
            pending.after_commit(move || answer(reply, DeviceReply::Ack(ack)));
            return;
        }
        let seq = self.next_event_seq;
        self.next_event_seq += 1;
        self.seen.insert(key, seq);
        pending.seen_ids.push((key, seq));
        let stored = StoredEvent {
            seq,
            source: source.to_string(),
            received_at: now,
            event,
        };
        if let Some(back) = self.supervision.heard(&source, now) {
            let applied = self.book.comms_restored(&back.source, &back.site, now);
            self.record(applied, &Actor::Hub, now, pending);
        }
        let on_test = self.is_on_test(&source, &stored.event.device, now);
        let applied = self.book.record(&stored, on_test);
        if !applied.is_empty() {
            let actor = Actor::Device {
                source: source.to_string(),
                device: stored.event.device.clone(),
            };
            self.record(applied, &actor, now, pending);
        }
        let ack = Ack {
            ack: stored.event.id.clone(),
            seq,
            duplicate: false,
        };
        pending.events.push(stored);
        pending.after_commit(move || answer(reply, DeviceReply::Ack(ack)));
    }

    pub(super) fn supervise(&mut self, now: OffsetDateTime, pending: &mut Pending) {
        self.supervise_tests(now, pending);
        let overdue = self.book.tick(now);
        self.record(overdue, &Actor::Hub, now, pending);
        for lost in self.supervision.check(now) {
            tracing::warn!(source = %lost.source, "source silent for three heartbeat intervals");
            let applied = self.book.comms_lost(&lost.source, &lost.site, now);
            self.record(applied, &crate::protocol::Actor::Hub, now, pending);
        }
    }

    pub(super) fn start_drill(
        &mut self,
        id: String,
        name: Bilingual,
        by: String,
        now: OffsetDateTime,
        pending: &mut Pending,
    ) -> Result<DrillView, String> {
        if self.drills.iter().any(|d| d.id == id) {
            return Err(format!("drill \"{id}\" is already running"));
        }
        let drill = DrillView {
            id,
            name,
            started_at: now,
        };
        tracing::info!(drill = %drill.id, by = %by, "drill started");
        self.drills.push(drill.clone());
        self.save_drills(pending);
        Ok(drill)
    }

    pub(super) fn end_drill(
        &mut self,
        id: &str,
        by: &str,
        pending: &mut Pending,
    ) -> Result<(), String> {
        let before = self.drills.len();
        self.drills.retain(|d| d.id != id);
        if self.drills.len() == before {
            return Err(format!("drill \"{id}\" is not running"));
        }
        tracing::info!(drill = %id, by = %by, "drill ended");
        self.save_drills(pending);
        Ok(())
    }

    fn save_drills(&self, pending: &mut Pending) {
        let value = serde_json::to_value(&self.drills).unwrap_or_default();
        pending.meta.push(("drills".into(), value));
        let message = ConsoleMessage::DrillsChanged {
            drills: self.drills.clone(),
        };
        self.announce(message, pending);
    }

    /// Sends an unnumbered message to every console once the batch is stored.
    pub(super) fn announce(&self, message: ConsoleMessage, pending: &mut Pending) {
        if let Ok(json) = serde_json::to_string(&message) {
            pending.feed.push(Arc::new(FeedItem {
                seq: 0,
                json: json.into(),
            }));
        }
    }

    /// Turns applied changes into numbered log entries and feed items of this batch.
    pub(super) fn record(
        &mut self,
        applied: Vec<Applied>,
        actor: &Actor,
        at: OffsetDateTime,
        pending: &mut Pending,
    ) {
        for Applied { event, view } in applied {
            if !pending.touched.contains(&view.id) {
                pending.touched.insert(view.id.clone());
            }
            if let Some(delivery) = self.delivery_for(&view, &event) {
                pending.deliveries.push(delivery);
            }
            let Some(view) = fold_join(pending, &event, view) else {
                continue;
            };
            let seq = self.next_log_seq;
            self.next_log_seq += 1;
            let entry = LogEntry {
                seq,
                incident: view.id.clone(),
                at,
                actor: actor.clone(),
                event,
            };
            pending
                .last_change
                .insert(view.id.clone(), pending.changes.len());
            pending.changes.push(Change {
                entry,
                incident: view,
            });
        }
    }

    /// Seals the batch and hands it to the writer, which stores it and then answers, publishes
    /// and hands out subscriptions. Fails when the writer has stopped (the store failed).
    pub(super) fn seal(&mut self, mut pending: Pending) -> Result<(), StoreError> {
        if !pending.touched.is_empty() {
            let number = self.book.next_number().saturating_sub(1);
            pending.meta.push(("incident_number".into(), number.into()));
        }
        let mut feed = Vec::with_capacity(pending.changes.len() + pending.feed.len());
        for change in std::mem::take(&mut pending.changes) {
            let seq = change.entry.seq;
            match feed_json(&change) {
                Ok(json) => {
                    let json: Arc<str> = json.into();
                    pending.log.push(LoggedChange {
                        seq,
                        incident: change.entry.incident,
                        json: json.clone(),
                    });
                    feed.push(Arc::new(FeedItem { seq, json }));
                }
                Err(e) => tracing::error!(error = %e, "cannot encode a feed message"),
            }
        }
        feed.append(&mut pending.feed);
        pending.feed = feed;
        let mut closed = self.book.take_closed();
        closed.retain(|i| pending.touched.contains(&i.view.id));
        for incident in &mut closed {
            pending.incidents.push(StoredIncident::encode(incident)?);
        }
        for id in &pending.touched {
            if let Some(incident) = self.book.get_mut(id) {
                pending.incidents.push(StoredIncident::encode(incident)?);
            }
        }
        let (batch, mut then, events) = pending.into_parts()?;
        if !then.subscribers.is_empty() {
            then.snapshot = Some(self.snapshot());
        }
        self.in_flight.retire(self.durable.load(Acquire));
        self.in_flight.push(events);
        self.writer
            .send(Sealed { batch, then })
            .map_err(|_| StoreError::Io("the writer stopped".into()))?;
        self.update_gauges();
        Ok(())
    }

    fn snapshot(&self) -> Snapshot {
        let mut incidents: Vec<IncidentView> = self.book.iter().map(|i| i.view.clone()).collect();
        incidents.sort_by(IncidentView::board_order);
        Snapshot {
            seq: self.next_log_seq - 1,
            incidents,
            drills: self.drills.clone(),
            on_test: self.on_test.clone(),
        }
    }
}
