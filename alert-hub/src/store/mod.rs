//! The durable store behind a small trait: the append-only event log keyed by sequence number,
//! the keys of the event ids each batch stored, incidents and their logs. sled is the default
//! implementation.

pub mod archive;
mod audit_log;
pub mod backup;
pub mod journal;
mod meta;
mod opened;
mod opening;
mod pack;
mod sled_store;

pub use audit_log::{DirVerified, DirVerifyError, verify_dir};
pub use journal::JournaledStore;
pub use meta::Secret;
pub use sled_store::SledStore;

use crate::error::StoreError;
use crate::incident::Incident;
use crate::protocol::{
    AfterActionRecord, DrillRecord, DrillView, HandOverRecord, LogEntry, OnTestRecord, OnTestView,
    ReviewRecord, SiteCalendar, StoredEvent,
};

/// One incident-log entry as stored: its feed sequence number, its incident, and the feed
/// message (`{"type":"change",...}`) as JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedChange {
    pub seq: u64,
    pub incident: String,
    pub json: std::sync::Arc<str>,
}

/// An incident as stored: its id and its JSON (without the checklist view, which is derived
/// from the run and the playbook library whenever the incident is loaded, and which an
/// [`Incident`] keeps outside what it serializes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredIncident {
    pub id: String,
    /// When it opened: the key of the opening-time index.
    pub opened_at: time::OffsetDateTime,
    pub json: Vec<u8>,
}

impl StoredIncident {
    /// Encodes an incident for the store.
    pub fn encode(incident: &Incident) -> Result<StoredIncident, StoreError> {
        Ok(StoredIncident {
            id: incident.view.id.clone(),
            opened_at: incident.view.opened_at,
            json: encode(incident, "an incident")?,
        })
    }
}

/// A stored event as the store keeps it: its sequence number and its JSON, encoded by the core
/// (as feed changes are) so the thread that writes to disk does not spend its time encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub seq: u64,
    pub json: Vec<u8>,
}

impl EventRecord {
    pub fn encode(event: &StoredEvent) -> Result<EventRecord, StoreError> {
        Ok(EventRecord {
            seq: event.seq,
            json: encode(event, "an event")?,
        })
    }
}

/// A record as the store keeps it: JSON. `what` names it in the error.
fn encode<T: serde::Serialize>(value: &T, what: &'static str) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|source| StoreError::Encode { what, source })
}

/// Everything one group commit writes. It is applied atomically: after a crash either all of
/// it is there or none of it.
#[derive(Debug, Default)]
pub struct WriteBatch {
    pub events: Vec<EventRecord>,
    /// The id key and sequence number of each event stored (see `core::SeenIds`).
    pub seen_ids: Vec<(u64, u64)>,
    /// What has left the in-memory index of ids, when it moved (see `core::SeenIds`).
    pub dedup_horizon: Option<crate::core::Horizon>,
    /// Incident-log entries, each as the feed message that carries it (the entry and the
    /// incident as it stood after it), serialized once for the feed and the store.
    pub log: Vec<LoggedChange>,
    /// Incidents as they stand after this batch.
    pub incidents: Vec<StoredIncident>,
    /// The number of the last incident opened, when it changed.
    pub last_incident_number: Option<u64>,
    /// The drills running, when they changed.
    pub drills: Option<Vec<DrillView>>,
    /// What is on test, when it changed.
    pub on_test: Option<Vec<OnTestView>>,
    /// Secrets made in this batch.
    pub secrets: Vec<(Secret, [u8; 32])>,
    /// Signed shift hand-overs.
    pub handovers: Vec<HandOverRecord>,
    /// Changes of what is on test.
    pub on_test_log: Vec<OnTestRecord>,
    /// Managers' reviews of incidents, as they stand after this batch.
    pub reviews: Vec<ReviewRecord>,
    /// Drills that ended in this batch.
    pub drill_records: Vec<DrillRecord>,
    /// Drill calendars made or edited in this batch, as they stand after it.
    pub calendars: Vec<SiteCalendar>,
    /// Drills' after-action analyses and plans, as they stand after this batch.
    pub after_actions: Vec<AfterActionRecord>,
}

impl WriteBatch {
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
            && self.seen_ids.is_empty()
            && self.dedup_horizon.is_none()
            && self.log.is_empty()
            && self.incidents.is_empty()
            && self.last_incident_number.is_none()
            && self.drills.is_none()
            && self.on_test.is_none()
            && self.secrets.is_empty()
            && self.handovers.is_empty()
            && self.on_test_log.is_empty()
            && self.reviews.is_empty()
            && self.drill_records.is_empty()
            && self.calendars.is_empty()
            && self.after_actions.is_empty()
    }
}

/// Where the hub keeps what it acknowledged. Every method is synchronous: the hub's core runs
/// on its own thread, and readers may call from anywhere.
pub trait Store: Send + Sync + std::fmt::Debug + 'static {
    /// Applies a batch atomically and returns only once it is durable on disk.
    fn commit(&self, batch: &WriteBatch) -> Result<(), StoreError>;
    /// The stored event with sequence number `seq`.
    fn event(&self, seq: u64) -> Result<Option<StoredEvent>, StoreError>;
    /// Calls `each` with the id key and sequence number of every event whose key was stored.
    fn seen_ids(&self, each: &mut dyn FnMut(u64, u64)) -> Result<(), StoreError>;
    /// What has left the in-memory index of ids, as last stored; `None` when nothing has.
    fn dedup_horizon(&self) -> Result<Option<crate::core::Horizon>, StoreError>;
    /// Up to `limit` stored events with a sequence number above `after`, in order.
    fn events_after(&self, after: u64, limit: usize) -> Result<Vec<StoredEvent>, StoreError>;
    /// Up to `limit` feed changes with a sequence number above `after`, in order.
    fn changes_after(&self, after: u64, limit: usize) -> Result<Vec<LoggedChange>, StoreError>;
    /// The last event sequence number, 0 when none.
    fn last_event_seq(&self) -> Result<u64, StoreError>;
    /// The last feed sequence number, 0 when none.
    fn last_log_seq(&self) -> Result<u64, StoreError>;
    fn incident(&self, id: &str) -> Result<Option<Incident>, StoreError>;
    /// Every incident ever opened, oldest first.
    fn incidents(&self) -> Result<Vec<Incident>, StoreError>;
    /// The whole log of one incident, in order.
    fn incident_log(&self, id: &str) -> Result<Vec<LogEntry>, StoreError>;
    /// The number of the last incident opened, 0 when none.
    fn last_incident_number(&self) -> Result<u64, StoreError>;
    /// The drills running, as last stored.
    fn drills(&self) -> Result<Vec<DrillView>, StoreError>;
    /// What is on test, as last stored.
    fn on_test(&self) -> Result<Vec<OnTestView>, StoreError>;
    /// A secret of the hub's; `None` when none was made or what is stored is not one.
    fn secret(&self, secret: Secret) -> Result<Option<[u8; 32]>, StoreError>;
    /// Every signed shift hand-over, oldest first.
    fn handovers(&self) -> Result<Vec<HandOverRecord>, StoreError>;
    /// Every change of what is on test, oldest first.
    fn on_test_log(&self) -> Result<Vec<OnTestRecord>, StoreError>;
    /// A manager's review of incident `id`, if one was written.
    fn review(&self, id: &str) -> Result<Option<ReviewRecord>, StoreError>;
    /// Every drill that has ended, by id.
    fn drill_records(&self) -> Result<Vec<DrillRecord>, StoreError>;
    /// Calls `each` with the JSON of every incident opened in `from..to`, oldest first, so a
    /// report decodes only the parts it needs. The sled store finds them by its opening-time
    /// index; this default reads every incident.
    fn each_incident_opened(
        &self,
        from: time::OffsetDateTime,
        to: time::OffsetDateTime,
        each: &mut dyn FnMut(&[u8]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        for incident in self.incidents()? {
            if (from..to).contains(&incident.view.opened_at) {
                each(&StoredIncident::encode(&incident)?.json)?;
            }
        }
        Ok(())
    }
    /// The drill calendar of `site` for `year`, if one was made.
    fn calendar(&self, site: &str, year: i32) -> Result<Option<SiteCalendar>, StoreError>;
    /// Every site's drill calendar for `year`.
    fn calendars(&self, year: i32) -> Result<Vec<SiteCalendar>, StoreError>;
    /// The after-action analysis and plan of drill `id`, if any was written.
    fn after_action(&self, id: &str) -> Result<Option<AfterActionRecord>, StoreError>;
    /// Every drill's after-action analysis and plan, by drill id.
    fn after_actions(&self) -> Result<Vec<AfterActionRecord>, StoreError>;
    /// The size and root of the audit tree as committed (see `crate::audit`); a store that
    /// keeps no tree has the empty one.
    fn audit_tree(&self) -> Result<(u64, crate::audit::merkle::Hash), StoreError> {
        Ok((0, crate::audit::merkle::EMPTY_ROOT))
    }
    /// The latest signed checkpoint of the audit tree, as its note's text.
    fn checkpoint(&self) -> Result<Option<String>, StoreError> {
        Ok(None)
    }
    /// The leaf index of `entry` in the audit tree and the leaf hashes of the tree's first
    /// `size` leaves (to prove its inclusion); `None` when it is not among them.
    fn audit_leaves(
        &self,
        _entry: crate::audit::verify::Entry,
        _size: u64,
    ) -> Result<Option<(u64, Vec<crate::audit::merkle::Hash>)>, StoreError> {
        Ok(None)
    }
    /// Keeps `note` as the latest signed checkpoint; durable on return.
    fn keep_checkpoint(&self, _note: &str) -> Result<(), StoreError> {
        Ok(())
    }
    /// Moves what is older than `days` before `now` to the archive (see `archive`) and says
    /// what it moved; a store that keeps no archive moves nothing.
    fn archive(
        &self,
        _now: time::OffsetDateTime,
        _days: u64,
    ) -> Result<archive::Archived, StoreError> {
        Ok(archive::Archived::default())
    }
    /// Writes a backup of every record (see `backup`) between two commits: commits wait
    /// while it is written, so it holds whole commits only.
    fn backup(&self, _out: &mut dyn std::io::Write) -> Result<backup::Counts, StoreError> {
        Err(StoreError::System {
            what: "this store cannot be backed up",
            source: std::io::Error::from(std::io::ErrorKind::Unsupported),
        })
    }
}

/// A stored heartbeat event, for tests of what the store keeps.
#[cfg(test)]
pub(crate) fn heartbeat(seq: u64, source: &str, id: &str) -> StoredEvent {
    use time::macros::datetime;
    StoredEvent {
        seq,
        source: source.into(),
        received_at: datetime!(2026-11-22 15:40:00 UTC),
        event: crate::protocol::DeviceEvent {
            id: id.into(),
            kind: crate::protocol::EventKind::Heartbeat,
            device: "panel".into(),
            site: "gg".into(),
            building: None,
            floor: None,
            zone: None,
            at: datetime!(2026-11-22 15:40:00 UTC),
            drill: None,
            detail: crate::protocol::Detail::null(),
        },
    }
}

/// Stored events as a batch carries them, for tests of what the store keeps.
#[cfg(test)]
pub(crate) fn records(events: &[StoredEvent]) -> Vec<EventRecord> {
    events
        .iter()
        .map(|e| EventRecord::encode(e).expect("encode"))
        .collect()
}
