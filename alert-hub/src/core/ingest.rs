//! Device events in the core: refused for a drill that is not running, confirmed as
//! duplicates against what is stored or on its way (before a rate limit refuses them), or
//! numbered, routed to incidents and acked once the batch is durable.

use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;

use time::OffsetDateTime;
use tokio::sync::oneshot;

use super::State;
use super::batch::Pending;
use crate::protocol::{Ack, Actor, DeviceEvent, DeviceReply, Nack, NackCode, StoredEvent};
use crate::store::Store;

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

/// Who sent an event: the source it is stored under, and whether it was a drill's event
/// injected over HTTP rather than sent by the source itself.
pub(super) struct Origin {
    pub source: Arc<str>,
    pub injected: bool,
}

impl State {
    pub(super) fn ingest(
        &mut self,
        from: Origin,
        event: DeviceEvent,
        over_rate: Option<Nack>,
        reply: oneshot::Sender<DeviceReply>,
        now: OffsetDateTime,
        pending: &mut Pending,
    ) {
        let Origin { source, injected } = from;
        let answer = |reply: oneshot::Sender<DeviceReply>, r: DeviceReply| drop(reply.send(r));
        if let Some(drill) = &event.drill
            && !self.drills.is_running(drill)
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
        let earlier = earlier.or_else(|| {
            if !self.seen.may_have_left(event.at, key) {
                return None;
            }
            let store = self.store.as_ref();
            match self.seen.find_left(store, key, |seq| stored_is(store, seq, same)) {
                Ok(found) => found,
                Err(e) => {
                    tracing::error!(error = %e, "cannot look up an id older than the index's window; storing the event as new");
                    None
                }
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
        if let Some(nack) = over_rate {
            self.metrics.rate_limited(&source);
            answer(reply, DeviceReply::Nack(nack));
            return;
        }
        let seq = self.next_event_seq;
        self.next_event_seq += 1;
        self.seen.insert(key, seq, Some(event.at.unix_timestamp()));
        self.seen.leave(self.store.as_ref());
        if let Some(horizon) = self.seen.take_horizon() {
            pending.dedup_horizon = Some(horizon);
        }
        pending.seen_ids.push((key, seq));
        let stored = StoredEvent {
            seq,
            source: source.to_string(),
            received_at: now,
            event,
        };
        let heard = (!injected)
            .then(|| self.supervision.heard(&source, now))
            .flatten();
        if let Some(back) = heard {
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
}
