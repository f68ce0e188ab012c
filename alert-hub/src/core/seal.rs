//! Sealing a group commit: applied incident changes become numbered log entries and feed
//! items (a storm's joins folded into one), and the sealed batch goes to the writer.

use std::sync::Arc;
use std::sync::atomic::Ordering::{Acquire, Release};

use time::OffsetDateTime;

use super::batch::Pending;
use super::feed_message::feed_json;
use super::writer::Sealed;
use super::{FeedItem, Snapshot, State};
use crate::error::StoreError;
use crate::incident::{Applied, Incident};
use crate::protocol::{Actor, Change, ConsoleMessage, IncidentEvent, IncidentView, LogEntry};
use crate::store::{LoggedChange, StoredIncident};

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

impl State {
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
            pending.last_incident_number = Some(number);
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
        for incident in &closed {
            pending.incidents.push(StoredIncident::encode(incident)?);
        }
        for id in &pending.touched {
            if let Some(incident) = self.book.get(id) {
                pending.incidents.push(StoredIncident::encode(incident)?);
            }
        }
        let (batch, mut then, events) = pending.into_parts()?;
        if !then.subscribers.is_empty() {
            then.snapshot = Some(self.snapshot());
        }
        self.in_flight.retire(self.durable.load(Acquire));
        self.in_flight.push(events);
        self.writer_waiting.store(false, Release);
        self.writer
            .send(Sealed { batch, then })
            .map_err(|_| StoreError::WriterStopped)?;
        self.update_gauges();
        Ok(())
    }

    fn snapshot(&self) -> Snapshot {
        let mut incidents: Vec<IncidentView> = self.book.iter().map(Incident::full_view).collect();
        incidents.sort_by(IncidentView::board_order);
        Snapshot {
            seq: self.next_log_seq - 1,
            incidents,
            drills: self.drills.running().to_vec(),
            on_test: self.on_test.tests().to_vec(),
            handovers: self.handovers.shown(),
        }
    }
}
