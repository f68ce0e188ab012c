//! The sled implementation of the store: one tree, records under one-letter key prefixes, so
//! that a group commit is a single atomic sled batch followed by one flush.
//!
//! Keys:
//! - `e` + seq → a pack of events, keyed by its last event's seq (see `pack`);
//! - `k` + seq → the id keys of one group commit's events: pairs of big-endian key and seq, the
//!   first pair's seq in the record's key;
//! - `c` + seq → a pack of the feed's change messages (each the log entry and the incident
//!   after it), keyed like events;
//! - `n` + incident id → incident;
//! - `o` + opening time + incident id → nothing: incidents by opening time (see `opened`);
//! - `x` + incident id + NUL + seq → the seqs (8 bytes each) of the incident's log entries in
//!   one group commit, the last of them in the key;
//! - `y` + year (4 digits) + `/` + site id → that site's drill calendar of the year;
//! - `h` + seq → shift hand-over; `t` + seq → on-test change;
//! - `d` + drill id → drill record; `v` + incident id → review; `p` + drill id → the drill's
//!   after-action analysis and improvement plan;
//! - `m` + name → a small record as JSON (see `meta` for the names);
//! - `a` + first leaf index → a commit's leaves in the audit tree; `A` → the tree's frontier;
//!   `C` → the latest signed checkpoint (see `audit_log`).

mod write;

use std::path::Path;

use serde::de::DeserializeOwned;

use super::audit_log::{self, AuditTree};
use super::{
    LoggedChange, Secret, Store, WriteBatch, archive, encode, meta, opened, opening, pack,
};
use crate::error::StoreError;
use crate::incident::Incident;
use crate::protocol::{
    AfterActionRecord, Change, DrillRecord, DrillView, HandOverRecord, LogEntry, OnTestRecord,
    OnTestView, ReviewRecord, SiteCalendar, StoredEvent,
};

/// The store on a sled database in a data directory.
#[derive(Debug, Clone)]
pub struct SledStore {
    pub(super) db: sled::Db,
    audit: std::sync::Arc<AuditTree>,
    /// Held by each commit and by a backup, so that a backup holds whole commits only.
    pub(super) writing: std::sync::Arc<std::sync::Mutex<()>>,
    /// Held by an archiving, so that two never run at once.
    archiving: std::sync::Arc<std::sync::Mutex<()>>,
    pub(super) dir: std::path::PathBuf,
}

impl SledStore {
    /// Opens (or creates) the store in `dir` with the default cache
    /// ([`crate::config::DEFAULT_CACHE_MIB`]). Fails loudly, changing nothing, when the
    /// directory holds data sled cannot open or something that is not a hub store.
    pub fn open(dir: &Path) -> Result<SledStore, StoreError> {
        SledStore::open_with_cache(dir, crate::config::DEFAULT_CACHE_MIB * 1024 * 1024)
    }

    /// Opens (or creates) the store in `dir`, letting sled keep up to `cache_bytes` of it in
    /// memory (`[store] cache_mib`).
    pub fn open_with_cache(dir: &Path, cache_bytes: u64) -> Result<SledStore, StoreError> {
        opening::check(dir)?;
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(cache_bytes)
            .open()
            .map_err(|source| opening::failed(dir, source))?;
        opened::rebuild_if_missing(&db)?;
        let audit = std::sync::Arc::new(AuditTree::open(&db)?);
        Ok(SledStore {
            db,
            audit,
            writing: std::sync::Arc::default(),
            archiving: std::sync::Arc::default(),
            dir: dir.to_path_buf(),
        })
    }
}

/// A stored change message, as far as the store reads it back.
#[derive(serde::Deserialize)]
struct FeedChange {
    change: Change,
}

/// A stored event, with its sequence number.
fn read_event(k: &[u8], record: &[u8]) -> Result<(u64, StoredEvent), StoreError> {
    let event: StoredEvent = decode(k, record)?;
    Ok((event.seq, event))
}

/// A stored change message as the feed replays it: its text, with its seq and incident.
fn logged_change(k: &[u8], record: &[u8]) -> Result<LoggedChange, StoreError> {
    let message: FeedChange = decode(k, record)?;
    let json = String::from_utf8(record.to_vec()).map_err(|e| StoreError::Damaged {
        key: format!("c{}", seq_of(k)),
        message: e.to_string(),
    })?;
    Ok(LoggedChange {
        seq: message.change.entry.seq,
        incident: message.change.entry.incident,
        json: json.into(),
    })
}

/// The key of a site's drill calendar of a year; with an empty site, the prefix of the year's.
fn calendar_key(site: &str, year: i32) -> Vec<u8> {
    key(b'y', &[format!("{year:04}/").as_bytes(), site.as_bytes()])
}

pub(super) fn key(prefix: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + parts.iter().map(|p| p.len()).sum::<usize>());
    k.push(prefix);
    for part in parts {
        k.extend_from_slice(part);
    }
    k
}

pub(super) fn seq_key(prefix: u8, seq: u64) -> Vec<u8> {
    key(prefix, &[&seq.to_be_bytes()])
}

fn decode<T: DeserializeOwned>(k: &[u8], v: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(v).map_err(|source| StoreError::Corrupt {
        key: String::from_utf8_lossy(k).into_owned(),
        source,
    })
}

pub(super) fn seq_of(k: &[u8]) -> u64 {
    let mut bytes = [0u8; 8];
    if let Some(tail) = k.get(k.len().saturating_sub(8)..) {
        bytes.copy_from_slice(tail);
    }
    u64::from_be_bytes(bytes)
}

impl SledStore {
    fn after<T: DeserializeOwned>(
        &self,
        prefix: u8,
        after: u64,
        limit: usize,
    ) -> Result<Vec<T>, StoreError> {
        let start = seq_key(prefix, after.saturating_add(1));
        let end = [prefix + 1];
        self.db
            .range(start..end.to_vec())
            .take(limit)
            .map(|r| {
                let (k, v) = r?;
                decode(&k, &v)
            })
            .collect()
    }

    /// Calls `each` with the records of the packs under `prefix`, from the pack holding `from`
    /// on, in order, until `each` says to stop.
    fn scan_packs(
        &self,
        prefix: u8,
        from: u64,
        mut each: impl FnMut(&[u8], &[u8]) -> Result<bool, StoreError>,
    ) -> Result<(), StoreError> {
        for r in self.db.range(seq_key(prefix, from)..vec![prefix + 1]) {
            let (k, v) = r?;
            let records = pack::unpack(&v).map_err(|message| StoreError::Damaged {
                key: format!("{}{}", char::from(prefix), seq_of(&k)),
                message,
            })?;
            for record in records {
                if !each(&k, record)? {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// Up to `limit` packed records under `prefix` with a sequence number above `after`, in
    /// order; `read` decodes a record and says its sequence number.
    fn packed_after<T>(
        &self,
        prefix: u8,
        after: u64,
        limit: usize,
        read: impl Fn(&[u8], &[u8]) -> Result<(u64, T), StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let mut found = Vec::new();
        if limit > 0 {
            self.scan_packs(prefix, after.saturating_add(1), |k, record| {
                let (seq, value) = read(k, record)?;
                if seq > after {
                    found.push(value);
                }
                Ok(found.len() < limit)
            })?;
        }
        Ok(found)
    }

    /// The packed record under `prefix` with sequence number `seq`, read by `read` as in
    /// [`Self::packed_after`].
    fn packed_at<T>(
        &self,
        prefix: u8,
        seq: u64,
        read: impl Fn(&[u8], &[u8]) -> Result<(u64, T), StoreError>,
    ) -> Result<Option<T>, StoreError> {
        let mut found = None;
        self.scan_packs(prefix, seq, |k, record| {
            let (at, value) = read(k, record)?;
            if at == seq {
                found = Some(value);
            }
            Ok(at < seq)
        })?;
        Ok(found)
    }

    /// The last sequence number under `prefix` (a pack's key is its last record's).
    fn last_seq(&self, prefix: u8) -> Result<u64, StoreError> {
        Ok(self
            .db
            .scan_prefix([prefix])
            .next_back()
            .transpose()?
            .map_or(0, |(k, _)| seq_of(&k)))
    }
}

impl Store for SledStore {
    fn commit(&self, batch: &WriteBatch) -> Result<(), StoreError> {
        self.write(batch, None, true)
    }

    fn audit_tree(&self) -> Result<(u64, crate::audit::merkle::Hash), StoreError> {
        let frontier = self.audit.frontier();
        Ok((frontier.size(), frontier.root()))
    }

    fn checkpoint(&self) -> Result<Option<String>, StoreError> {
        let note = self.db.get(audit_log::CHECKPOINT)?;
        Ok(note.map(|n| String::from_utf8_lossy(&n).into_owned()))
    }

    fn backup(&self, out: &mut dyn std::io::Write) -> Result<super::backup::Counts, StoreError> {
        let _writing = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        super::backup::snapshot(&self.db, &self.dir, out)
    }

    fn audit_leaves(
        &self,
        entry: crate::audit::verify::Entry,
        size: u64,
    ) -> Result<Option<(u64, Vec<crate::audit::merkle::Hash>)>, StoreError> {
        audit_log::leaves_for(&self.db, entry, size)
    }

    fn keep_checkpoint(&self, note: &str) -> Result<(), StoreError> {
        self.db.insert(audit_log::CHECKPOINT, note.as_bytes())?;
        self.db.flush()?;
        Ok(())
    }

    fn event(&self, seq: u64) -> Result<Option<StoredEvent>, StoreError> {
        match self.packed_at(b'e', seq, read_event)? {
            Some(event) => Ok(Some(event)),
            None if seq > 0 && seq <= self.last_event_seq()? => {
                archive::read::event(&self.archive_dir(), seq)
            }
            None => Ok(None),
        }
    }

    fn archive(
        &self,
        now: time::OffsetDateTime,
        days: u64,
    ) -> Result<archive::Archived, StoreError> {
        let _archiving = self.archiving.lock().unwrap_or_else(|p| p.into_inner());
        archive::run(self, now, days)
    }

    fn seen_ids(&self, each: &mut dyn FnMut(u64, u64)) -> Result<(), StoreError> {
        for record in self.db.scan_prefix([b'k']) {
            let (k, v) = record?;
            if v.len() % 16 != 0 {
                return Err(StoreError::Damaged {
                    key: format!("k{}", seq_of(&k)),
                    message: format!("{} bytes is not a list of 16-byte pairs", v.len()),
                });
            }
            for pair in v.chunks_exact(16) {
                let (key, seq) = pair.split_at(8);
                each(seq_of(key), seq_of(seq));
            }
        }
        Ok(())
    }

    fn dedup_horizon(&self) -> Result<Option<crate::core::Horizon>, StoreError> {
        let k = meta_key(meta::DEDUP_HORIZON);
        self.db.get(&k)?.map(|v| decode(&k, &v)).transpose()
    }

    fn events_after(&self, after: u64, limit: usize) -> Result<Vec<StoredEvent>, StoreError> {
        self.packed_after(b'e', after, limit, read_event)
    }

    fn changes_after(&self, after: u64, limit: usize) -> Result<Vec<LoggedChange>, StoreError> {
        self.packed_after(b'c', after, limit, |k, record| {
            let change = logged_change(k, record)?;
            Ok((change.seq, change))
        })
    }

    fn last_event_seq(&self) -> Result<u64, StoreError> {
        let archived = self.meta::<u64>(meta::ARCHIVED_EVENT_SEQ)?.unwrap_or(0);
        Ok(self.last_seq(b'e')?.max(archived))
    }

    fn last_log_seq(&self) -> Result<u64, StoreError> {
        let archived = self.meta::<u64>(meta::ARCHIVED_LOG_SEQ)?.unwrap_or(0);
        Ok(self.last_seq(b'c')?.max(archived))
    }

    fn drill_records(&self) -> Result<Vec<DrillRecord>, StoreError> {
        self.db
            .scan_prefix([b'd'])
            .map(|r| {
                let (k, v) = r?;
                decode(&k, &v)
            })
            .collect()
    }

    fn calendar(&self, site: &str, year: i32) -> Result<Option<SiteCalendar>, StoreError> {
        let k = calendar_key(site, year);
        self.db.get(&k)?.map(|v| decode(&k, &v)).transpose()
    }

    fn calendars(&self, year: i32) -> Result<Vec<SiteCalendar>, StoreError> {
        self.db
            .scan_prefix(calendar_key("", year))
            .map(|r| {
                let (k, v) = r?;
                decode(&k, &v)
            })
            .collect()
    }

    fn after_action(&self, id: &str) -> Result<Option<AfterActionRecord>, StoreError> {
        let k = key(b'p', &[id.as_bytes()]);
        self.db.get(&k)?.map(|v| decode(&k, &v)).transpose()
    }

    fn after_actions(&self) -> Result<Vec<AfterActionRecord>, StoreError> {
        self.db
            .scan_prefix([b'p'])
            .map(|r| {
                let (k, v) = r?;
                decode(&k, &v)
            })
            .collect()
    }

    fn review(&self, id: &str) -> Result<Option<ReviewRecord>, StoreError> {
        let k = key(b'v', &[id.as_bytes()]);
        self.db.get(&k)?.map(|v| decode(&k, &v)).transpose()
    }

    fn incident(&self, id: &str) -> Result<Option<Incident>, StoreError> {
        let k = key(b'n', &[id.as_bytes()]);
        if let Some(v) = self.db.get(&k)? {
            return decode(&k, &v).map(Some);
        }
        match archive::read::incident(&self.archive_dir(), id)? {
            Some((_, json)) => decode(&k, &json).map(Some),
            None => Ok(None),
        }
    }

    fn incidents(&self) -> Result<Vec<Incident>, StoreError> {
        self.db
            .scan_prefix([b'n'])
            .map(|r| {
                let (k, v) = r?;
                decode(&k, &v)
            })
            .collect()
    }

    fn each_incident_opened(
        &self,
        from: time::OffsetDateTime,
        to: time::OffsetDateTime,
        each: &mut dyn FnMut(&[u8]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let archived = archive::read::incidents_opened(&self.archive_dir(), from, to)?;
        if archived.is_empty() {
            return opened::each(&self.db, from, to, each);
        }
        // Both, oldest first: the archive's are older, but a month may hold both.
        let mut all = Vec::new();
        opened::each(&self.db, from, to, &mut |json| {
            all.push((opened::opened_at(json)?, json.to_vec()));
            Ok(())
        })?;
        all.extend(archived);
        all.sort_by_key(|(at, _)| *at);
        for (_, json) in all {
            each(&json)?;
        }
        Ok(())
    }

    fn incident_log(&self, id: &str) -> Result<Vec<LogEntry>, StoreError> {
        let log = self.live_incident_log(id)?;
        if !log.is_empty() || self.db.contains_key(key(b'n', &[id.as_bytes()]))? {
            return Ok(log);
        }
        match archive::read::incident(&self.archive_dir(), id)? {
            Some((month, _)) => archive::read::incident_log(&self.archive_dir(), month, id),
            None => Ok(log),
        }
    }

    fn on_test_log(&self) -> Result<Vec<OnTestRecord>, StoreError> {
        self.after(b't', 0, usize::MAX)
    }

    fn handovers(&self) -> Result<Vec<HandOverRecord>, StoreError> {
        self.after(b'h', 0, usize::MAX)
    }

    fn last_incident_number(&self) -> Result<u64, StoreError> {
        let number = self.meta::<serde_json::Value>(meta::INCIDENT_NUMBER)?;
        Ok(number.and_then(|v| v.as_u64()).unwrap_or(0))
    }

    fn drills(&self) -> Result<Vec<DrillView>, StoreError> {
        Ok(self.meta(meta::DRILLS)?.unwrap_or_default())
    }

    fn on_test(&self) -> Result<Vec<OnTestView>, StoreError> {
        Ok(self.meta(meta::ON_TEST)?.unwrap_or_default())
    }

    fn secret(&self, secret: Secret) -> Result<Option<[u8; 32]>, StoreError> {
        let stored = self.meta::<serde_json::Value>(secret.name())?;
        Ok(stored
            .as_ref()
            .and_then(|v| v.as_str())
            .and_then(meta::from_hex))
    }
}

pub(super) fn meta_key(name: &str) -> Vec<u8> {
    key(b'm', &[name.as_bytes()])
}

impl SledStore {
    /// The log of incident `id` as the live store holds it, in order.
    pub(super) fn live_incident_log(&self, id: &str) -> Result<Vec<LogEntry>, StoreError> {
        let prefix = key(b'x', &[id.as_bytes(), &[0]]);
        let mut seqs = Vec::new();
        for r in self.db.scan_prefix(prefix) {
            let (k, v) = r?;
            if v.is_empty() {
                // Written one entry to a key, before entries were grouped by batch.
                seqs.push(seq_of(&k));
            }
            seqs.extend(v.chunks_exact(8).map(seq_of));
        }
        let read_entry = |k: &[u8], record: &[u8]| {
            let message: FeedChange = decode(k, record)?;
            Ok((message.change.entry.seq, message.change.entry))
        };
        seqs.into_iter()
            .map(|seq| {
                let entry = self.packed_at(b'c', seq, read_entry)?;
                entry.ok_or_else(|| StoreError::Damaged {
                    key: format!("c{seq}"),
                    message: "indexed log entry is missing".into(),
                })
            })
            .collect()
    }

    /// The archive's directory (see `archive`).
    fn archive_dir(&self) -> std::path::PathBuf {
        self.dir.join(archive::DIR)
    }

    /// Applies one batch of an archiving's removals between two commits, durably, with the
    /// highest seqs archived (`events`, `log`) kept so that numbering goes on after them.
    pub(super) fn apply_removal(
        &self,
        mut batch: sled::Batch,
        events: u64,
        log: u64,
    ) -> Result<(), StoreError> {
        let _writing = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        for (name, seq) in [
            (meta::ARCHIVED_EVENT_SEQ, events),
            (meta::ARCHIVED_LOG_SEQ, log),
        ] {
            let kept = self.meta::<u64>(name)?.unwrap_or(0);
            if seq > kept {
                batch.insert(meta_key(name), encode(&seq, "a record")?);
            }
        }
        self.db.apply_batch(batch)?;
        self.db.flush()?;
        Ok(())
    }

    /// The small record kept under `name`.
    fn meta<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, StoreError> {
        let k = meta_key(name);
        self.db.get(&k)?.map(|v| decode(&k, &v)).transpose()
    }
}

#[cfg(test)]
#[path = "sled_store_tests.rs"]
pub(super) mod tests;
