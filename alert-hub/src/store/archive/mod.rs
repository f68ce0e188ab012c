//! Retention: events received more than `[retention] days` ago and incidents closed before
//! then (with their whole log) move from the live store to compressed files in
//! `DATA/archive/`, where the reports and `alert-hub verify` still read them.
//!
//! Layout, one file per kind and calendar month (UTC), each gzip-compressed JSON lines:
//! - `events-YYYY-MM.jsonl.gz`: the events received that month, in seq order;
//! - `incidents-YYYY-MM.jsonl.gz`: the incidents opened that month, as stored;
//! - `log-YYYY-MM.jsonl.gz`: those incidents' log entries (the feed's change messages), in seq
//!   order.
//!
//! Each line is a record's bytes exactly as the store kept them, so the audit tree's leaves
//! verify the same. An archiving writes every file it adds to (a temporary name, fsync,
//! rename), and only then removes what it archived from the store, in atomic sled batches (see
//! [`REMOVED_AT_ONCE`]). A record already in its archive file is not written again: after a
//! crash between the two steps, the next archiving only removes it.

pub mod files;
pub mod read;
pub mod select;

use std::collections::HashSet;
use std::path::Path;

use time::OffsetDateTime;

pub use files::{DIR, Kind};

use self::select::{EventFact, IncidentFact, Plan, Protected};
use super::sled_store::{key, seq_key};
use super::{SledStore, opened, pack};
use crate::error::StoreError;
use crate::protocol::IncidentState;
use crate::report::month::Month;

/// What one archiving moved out of the live store.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Archived {
    pub events: u64,
    pub incidents: u64,
    pub log_entries: u64,
    /// The archive files written or grown, by name.
    pub files: Vec<String>,
    /// The bytes of the records removed from the live store.
    pub bytes_freed: u64,
}

impl std::fmt::Display for Archived {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "archived {} events and {} closed incidents ({} log entries) into {} files; {} bytes \
             of records freed from the live store",
            self.events,
            self.incidents,
            self.log_entries,
            self.files.len(),
            self.bytes_freed
        )?;
        if !self.files.is_empty() {
            write!(f, " ({})", self.files.join(", "))?;
        }
        Ok(())
    }
}

/// The records of one stored pack with their seqs: a pack holds consecutive seqs and is keyed
/// by its last.
fn pack_records<'v>(prefix: u8, k: &[u8], v: &'v [u8]) -> Result<Vec<(u64, &'v [u8])>, StoreError> {
    let last = super::sled_store::seq_of(k);
    let records = pack::unpack(v).map_err(|message| StoreError::Damaged {
        key: format!("{}{last}", char::from(prefix)),
        message,
    })?;
    let count = records.len() as u64;
    Ok(records
        .into_iter()
        .enumerate()
        .map(|(i, r)| ((last + 1 + i as u64).saturating_sub(count), r))
        .collect())
}

/// The live records under `prefix` whose seqs are in `seqs` (sorted), in seq order: the packs
/// from the one holding the first to the one holding the last.
fn live_records<'a>(
    db: &'a sled::Db,
    prefix: u8,
    seqs: &'a [u64],
) -> impl Iterator<Item = Result<(u64, Vec<u8>), StoreError>> + 'a {
    let (first, last) = match (seqs.first(), seqs.last()) {
        (Some(&first), Some(&last)) => (first, last),
        _ => (1, 0),
    };
    let mut packs = db.range(seq_key(prefix, first)..vec![prefix + 1]);
    let mut pending: std::vec::IntoIter<(u64, Vec<u8>)> = Vec::new().into_iter();
    let mut done = first > last;
    std::iter::from_fn(move || {
        loop {
            if let Some(record) = pending.next() {
                return Some(Ok(record));
            }
            if done {
                return None;
            }
            let (k, v) = match packs.next()? {
                Ok(kv) => kv,
                Err(e) => {
                    done = true;
                    return Some(Err(e.into()));
                }
            };
            let records = match pack_records(prefix, &k, &v) {
                Ok(records) => records,
                Err(e) => {
                    done = true;
                    return Some(Err(e));
                }
            };
            done = records.last().is_none_or(|(seq, _)| *seq >= last);
            pending = records
                .into_iter()
                .filter(|(seq, _)| seqs.binary_search(seq).is_ok())
                .map(|(seq, bytes)| (seq, bytes.to_vec()))
                .collect::<Vec<_>>()
                .into_iter();
        }
    })
}

/// A stored incident as the selection reads it.
#[derive(serde::Deserialize)]
struct SlimIncident {
    view: SlimView,
}

#[derive(serde::Deserialize)]
struct SlimView {
    id: String,
    state: IncidentState,
    #[serde(with = "time::serde::rfc3339")]
    opened_at: OffsetDateTime,
}

/// A stored event as the selection reads it.
#[derive(serde::Deserialize)]
struct SlimEvent {
    seq: u64,
    #[serde(with = "time::serde::rfc3339")]
    received_at: OffsetDateTime,
}

fn corrupt(k: &[u8], source: serde_json::Error) -> StoreError {
    StoreError::Corrupt {
        key: String::from_utf8_lossy(k).into_owned(),
        source,
    }
}

/// What leaves the live store of `store` at `cutoff`. The logs of open incidents (which keep
/// their events live) are read only when some event was received before the cutoff: a start or
/// a daily run with nothing to archive reads no log but those of incidents that may go.
fn plan(store: &SledStore, cutoff: OffsetDateTime) -> Result<Plan, StoreError> {
    let db = &store.db;
    let mut open = Vec::new();
    let mut incidents = Vec::new();
    for r in db.scan_prefix([b'n']) {
        let (k, v) = r?;
        let view = serde_json::from_slice::<SlimIncident>(&v)
            .map_err(|e| corrupt(&k, e))?
            .view;
        if view.state.is_open() {
            open.push(view.id);
        } else if view.opened_at < cutoff {
            let log = store.live_incident_log(&view.id)?;
            incidents.push(IncidentFact::of(&view.id, view.opened_at, false, &log));
        }
    }
    let events = events_before(db, cutoff)?;
    let mut spans = Vec::new();
    if !events.is_empty() {
        for id in &open {
            spans.extend(select::event_spans(&store.live_incident_log(id)?));
        }
    }
    Ok(select::plan(
        events,
        &incidents,
        &Protected::new(spans),
        cutoff,
    ))
}

/// The live events in seq order up to the first one received at or after `cutoff` (which ends
/// what may leave, see [`select::plan`]).
fn events_before(db: &sled::Db, cutoff: OffsetDateTime) -> Result<Vec<EventFact>, StoreError> {
    let mut facts = Vec::new();
    for r in db.scan_prefix([b'e']) {
        let (k, v) = r?;
        for (_, record) in pack_records(b'e', &k, &v)? {
            let slim: SlimEvent = serde_json::from_slice(record).map_err(|e| corrupt(&k, e))?;
            if slim.received_at >= cutoff {
                return Ok(facts);
            }
            facts.push(EventFact {
                seq: slim.seq,
                received_at: slim.received_at,
            });
        }
    }
    Ok(facts)
}

/// Adds the records `seqs` (sorted) under `prefix` to the archive file at `path`, unless it
/// holds them already; returns whether the file was written.
fn archive_records(
    db: &sled::Db,
    path: &Path,
    prefix: u8,
    seqs: &[u64],
) -> Result<bool, StoreError> {
    let mut held = HashSet::new();
    if path.exists() {
        for r in files::records(path)? {
            held.insert(r?.0);
        }
    }
    let new: Vec<u64> = seqs.iter().copied().filter(|s| !held.contains(s)).collect();
    if new.is_empty() {
        return Ok(false);
    }
    let existing: files::Records<'static> = if path.exists() {
        Box::new(files::records(path)?)
    } else {
        Box::new(std::iter::empty())
    };
    let lines =
        files::merge_by_seq(existing, live_records(db, prefix, &new)).map(|r| r.map(|(_, b)| b));
    files::write(path, lines)?;
    Ok(true)
}

/// Adds the incidents `ids` to the archive file at `path`, unless it holds them already;
/// returns whether the file was written.
fn archive_incidents(db: &sled::Db, path: &Path, ids: &[&str]) -> Result<bool, StoreError> {
    let mut held = HashSet::new();
    let mut lines = Vec::new();
    if path.exists() {
        for line in files::Lines::open(path)? {
            let line = line?;
            let slim: SlimIncident =
                serde_json::from_slice(&line.bytes).map_err(|e| StoreError::Archive {
                    file: path.to_path_buf(),
                    message: format!("line {} is not an incident: {e}", line.number),
                })?;
            held.insert(slim.view.id);
            lines.push(line.bytes);
        }
    }
    let before = lines.len();
    for id in ids.iter().filter(|id| !held.contains(**id)) {
        if let Some(json) = db.get(key(b'n', &[id.as_bytes()]))? {
            lines.push(json.to_vec());
        }
    }
    if lines.len() == before {
        return Ok(false);
    }
    files::write(path, lines.into_iter().map(Ok))?;
    Ok(true)
}

/// Removes the records `seqs` (sorted) under `prefix` from their packs in `batch`: a pack
/// left with some records is written again as packs of consecutive seqs. Returns the bytes
/// removed.
fn remove_records(
    db: &sled::Db,
    prefix: u8,
    seqs: &[u64],
    batch: &mut sled::Batch,
) -> Result<u64, StoreError> {
    let (Some(&first), Some(&last)) = (seqs.first(), seqs.last()) else {
        return Ok(0);
    };
    let mut freed = 0;
    for r in db.range(seq_key(prefix, first)..vec![prefix + 1]) {
        let (k, v) = r?;
        let records = pack_records(prefix, &k, &v)?;
        if records.first().is_some_and(|(seq, _)| *seq > last) {
            break;
        }
        let (gone, kept): (Vec<_>, Vec<_>) = records
            .into_iter()
            .partition(|(seq, _)| seqs.binary_search(seq).is_ok());
        if gone.is_empty() {
            continue;
        }
        freed += gone.iter().map(|(_, b)| b.len() as u64).sum::<u64>();
        batch.remove(&*k);
        let mut run: Vec<(u64, &[u8])> = Vec::new();
        for (seq, bytes) in kept {
            if run.last().is_some_and(|(prev, _)| prev + 1 != seq) {
                for (end, packed) in pack::pack(std::mem::take(&mut run)) {
                    batch.insert(seq_key(prefix, end), packed);
                }
            }
            run.push((seq, bytes));
        }
        for (end, packed) in pack::pack(run) {
            batch.insert(seq_key(prefix, end), packed);
        }
    }
    Ok(freed)
}

/// Removes an archived incident, its opening-time index and its log index in `batch`.
/// Returns the bytes removed.
fn remove_incident(db: &sled::Db, id: &str, batch: &mut sled::Batch) -> Result<u64, StoreError> {
    let k = key(b'n', &[id.as_bytes()]);
    let Some(json) = db.get(&k)? else {
        return Ok(0);
    };
    let view = serde_json::from_slice::<SlimIncident>(&json)
        .map_err(|e| corrupt(&k, e))?
        .view;
    batch.remove(k);
    batch.remove(opened::key(view.opened_at, id));
    let mut freed = json.len() as u64;
    for r in db.scan_prefix(key(b'x', &[id.as_bytes(), &[0]])) {
        let (x, v) = r?;
        freed += v.len() as u64;
        batch.remove(x);
    }
    Ok(freed)
}

/// Archives what is older than `days` before `now` from `store` (see the module's doc).
pub(super) fn run(
    store: &SledStore,
    now: OffsetDateTime,
    days: u64,
) -> Result<Archived, StoreError> {
    files::remove_leftovers(&store.dir.join(DIR))?;
    let plan = plan(store, select::cutoff(now, days))?;
    if plan.is_empty() {
        return Ok(Archived::default());
    }
    let files = write_files(store, &plan)?;
    let mut done = remove_archived(store, &plan)?;
    done.files = files;
    Ok(done)
}

/// Writes what `plan` moves into the archive files, each on disk before this returns; says
/// which files were written (those that held it all already are not).
fn write_files(store: &SledStore, plan: &Plan) -> Result<Vec<String>, StoreError> {
    let (db, dir) = (&store.db, store.dir.join(DIR));
    let mut written = Vec::new();
    let mut note = |kind: Kind, month: Month, wrote: bool| {
        if wrote {
            written.push(files::file_name(kind, month));
        }
    };
    for (month, seqs) in &plan.events {
        let path = dir.join(files::file_name(Kind::Events, *month));
        note(
            Kind::Events,
            *month,
            archive_records(db, &path, b'e', seqs)?,
        );
    }
    for (month, incidents) in &plan.incidents {
        let mut log: Vec<u64> = incidents
            .iter()
            .flat_map(|(_, l)| l.iter().copied())
            .collect();
        log.sort_unstable();
        let path = dir.join(files::file_name(Kind::Log, *month));
        note(Kind::Log, *month, archive_records(db, &path, b'c', &log)?);
        let ids: Vec<&str> = incidents.iter().map(|(id, _)| id.as_str()).collect();
        let path = dir.join(files::file_name(Kind::Incidents, *month));
        note(Kind::Incidents, *month, archive_incidents(db, &path, &ids)?);
    }
    Ok(written)
}

/// At most this many records leave the live store in one batch. Each batch holds commits back
/// while it is applied: one batch of 100,000 events held them 104 ms (`cargo bench -p
/// alert-hub --bench archive`), so a year's backlog in one would delay device acks by seconds.
const REMOVED_AT_ONCE: usize = 8192;

/// Removes what `plan` moved from the live store, in batches of at most [`REMOVED_AT_ONCE`]
/// records, each atomic: events by seq, incidents whole (the incident, its indexes and its log
/// entries in one batch), so that the store never holds an incident without its log.
fn remove_archived(store: &SledStore, plan: &Plan) -> Result<Archived, StoreError> {
    let db = &store.db;
    let mut events: Vec<u64> = plan.events.values().flatten().copied().collect();
    events.sort_unstable();
    let incidents: Vec<&(String, Vec<u64>)> = plan.incidents.values().flatten().collect();
    let mut done = Archived::default();
    // The highest seqs go with the first batch: numbering goes on after them whatever follows.
    let last_log = incidents.iter().flat_map(|(_, l)| l.last()).max();
    let mut highest = (
        events.last().copied().unwrap_or(0),
        last_log.copied().unwrap_or(0),
    );
    for chunk in events.chunks(REMOVED_AT_ONCE) {
        let mut batch = sled::Batch::default();
        done.bytes_freed += remove_records(db, b'e', chunk, &mut batch)?;
        store.apply_removal(batch, highest.0, highest.1)?;
        highest = (0, 0);
        done.events += chunk.len() as u64;
    }
    let mut group: Vec<&(String, Vec<u64>)> = Vec::new();
    let mut records = 0;
    for (i, incident) in incidents.iter().enumerate() {
        group.push(incident);
        records += incident.1.len() + 1;
        let last = i + 1 == incidents.len();
        if records >= REMOVED_AT_ONCE || last {
            let mut log: Vec<u64> = group.iter().flat_map(|(_, l)| l.iter().copied()).collect();
            log.sort_unstable();
            let mut batch = sled::Batch::default();
            done.bytes_freed += remove_records(db, b'c', &log, &mut batch)?;
            for (id, _) in &group {
                done.bytes_freed += remove_incident(db, id, &mut batch)?;
            }
            store.apply_removal(batch, highest.0, highest.1)?;
            highest = (0, 0);
            done.incidents += group.len() as u64;
            done.log_entries += log.len() as u64;
            group.clear();
            records = 0;
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests;
