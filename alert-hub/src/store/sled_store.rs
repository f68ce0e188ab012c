//! The sled implementation of the store: one tree, records under one-letter key prefixes, so
//! that a group commit is a single atomic sled batch followed by one flush.
//!
//! Keys: `e` + seq → event; `k` + seq → the id keys of the events of one group commit (pairs
//! of big-endian key and seq, the first pair's seq in the record's key); `c` + seq → the feed's
//! change message (the log entry and the incident after it);
//! `n` + incident id → incident; `x` + incident id + NUL + seq → (); `h` + seq → shift
//! hand-over; `t` + seq → on-test change; `m` + name → meta value.

use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{LoggedChange, Store, WriteBatch};
use crate::error::StoreError;
use crate::incident::Incident;
use crate::protocol::{Change, HandOverRecord, LogEntry, OnTestRecord, StoredEvent};

/// The store on a sled database in a data directory.
#[derive(Debug, Clone)]
pub struct SledStore {
    db: sled::Db,
}

impl SledStore {
    /// Opens (or creates) the store in `dir`. Fails loudly, changing nothing, when the
    /// directory holds data sled cannot open or something that is not a hub store.
    pub fn open(dir: &Path) -> Result<SledStore, StoreError> {
        let open_error = |message: String| StoreError::Open {
            dir: dir.to_path_buf(),
            message,
        };
        if dir.exists() && !looks_like_store(dir) {
            return Err(open_error(
                "the directory is not empty and holds no hub store (no sled `db` file)".into(),
            ));
        }
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(256 * 1024 * 1024)
            .open()
            .map_err(|e| open_error(e.to_string()))?;
        Ok(SledStore { db })
    }
}

fn looks_like_store(dir: &Path) -> bool {
    let empty = std::fs::read_dir(dir)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false);
    empty || dir.join("db").exists() || dir.join("conf").exists()
}

/// A stored change message, as far as the store reads it back.
#[derive(serde::Deserialize)]
struct FeedChange {
    change: Change,
}

fn key(prefix: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + parts.iter().map(|p| p.len()).sum::<usize>());
    k.push(prefix);
    for part in parts {
        k.extend_from_slice(part);
    }
    k
}

fn seq_key(prefix: u8, seq: u64) -> Vec<u8> {
    key(prefix, &[&seq.to_be_bytes()])
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|e| StoreError::Io(format!("cannot encode a record: {e}")))
}

fn decode<T: DeserializeOwned>(k: &[u8], v: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(v).map_err(|e| StoreError::Corrupt {
        key: String::from_utf8_lossy(k).into_owned(),
        message: e.to_string(),
    })
}

fn seq_of(k: &[u8]) -> u64 {
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
        let mut b = sled::Batch::default();
        for event in &batch.events {
            b.insert(seq_key(b'e', event.seq), encode(event)?);
        }
        if let Some(&(_, first)) = batch.seen_ids.first() {
            let mut pairs = Vec::with_capacity(batch.seen_ids.len() * 16);
            for (key, seq) in &batch.seen_ids {
                pairs.extend_from_slice(&key.to_be_bytes());
                pairs.extend_from_slice(&seq.to_be_bytes());
            }
            b.insert(seq_key(b'k', first), pairs);
        }
        for change in &batch.log {
            b.insert(seq_key(b'c', change.seq), change.json.as_bytes());
            let index = key(
                b'x',
                &[change.incident.as_bytes(), &[0], &change.seq.to_be_bytes()],
            );
            b.insert(index, &[]);
        }
        for incident in &batch.incidents {
            b.insert(
                key(b'n', &[incident.id.as_bytes()]),
                incident.json.as_slice(),
            );
        }
        for record in &batch.on_test_log {
            b.insert(seq_key(b't', record.seq), encode(record)?);
        }
        for handover in &batch.handovers {
            b.insert(seq_key(b'h', handover.seq), encode(handover)?);
        }
        for (name, value) in &batch.meta {
            b.insert(key(b'm', &[name.as_bytes()]), encode(value)?);
        }
        self.db.apply_batch(b)?;
        self.db.flush()?;
        Ok(())
    }

    fn event(&self, seq: u64) -> Result<Option<StoredEvent>, StoreError> {
        let k = seq_key(b'e', seq);
        self.db.get(&k)?.map(|v| decode(&k, &v)).transpose()
    }

    fn seen_ids(&self, each: &mut dyn FnMut(u64, u64)) -> Result<(), StoreError> {
        for record in self.db.scan_prefix([b'k']) {
            let (k, v) = record?;
            if v.len() % 16 != 0 {
                return Err(StoreError::Corrupt {
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

    fn events_after(&self, after: u64, limit: usize) -> Result<Vec<StoredEvent>, StoreError> {
        self.after(b'e', after, limit)
    }

    fn changes_after(&self, after: u64, limit: usize) -> Result<Vec<LoggedChange>, StoreError> {
        let start = seq_key(b'c', after.saturating_add(1));
        self.db
            .range(start..vec![b'c' + 1])
            .take(limit)
            .map(|r| {
                let (k, v) = r?;
                let message: FeedChange = decode(&k, &v)?;
                let json = String::from_utf8(v.to_vec()).map_err(|e| StoreError::Corrupt {
                    key: format!("c{}", seq_of(&k)),
                    message: e.to_string(),
                })?;
                Ok(LoggedChange {
                    seq: seq_of(&k),
                    incident: message.change.entry.incident,
                    json: json.into(),
                })
            })
            .collect()
    }

    fn last_event_seq(&self) -> Result<u64, StoreError> {
        self.last_seq(b'e')
    }

    fn last_log_seq(&self) -> Result<u64, StoreError> {
        self.last_seq(b'c')
    }

    fn incident(&self, id: &str) -> Result<Option<Incident>, StoreError> {
        let k = key(b'n', &[id.as_bytes()]);
        self.db.get(&k)?.map(|v| decode(&k, &v)).transpose()
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

    fn incident_log(&self, id: &str) -> Result<Vec<LogEntry>, StoreError> {
        let prefix = key(b'x', &[id.as_bytes(), &[0]]);
        self.db
            .scan_prefix(prefix)
            .map(|r| {
                let (k, _) = r?;
                let c = seq_key(b'c', seq_of(&k));
                let v = self.db.get(&c)?.ok_or_else(|| StoreError::Corrupt {
                    key: format!("c{}", seq_of(&k)),
                    message: "indexed log entry is missing".into(),
                })?;
                decode::<FeedChange>(&c, &v).map(|message| message.change.entry)
            })
            .collect()
    }

    fn on_test_log(&self) -> Result<Vec<OnTestRecord>, StoreError> {
        self.after(b't', 0, usize::MAX)
    }

    fn handovers(&self) -> Result<Vec<HandOverRecord>, StoreError> {
        self.after(b'h', 0, usize::MAX)
    }

    fn meta(&self, name: &str) -> Result<Option<serde_json::Value>, StoreError> {
        let k = key(b'm', &[name.as_bytes()]);
        self.db.get(&k)?.map(|v| decode(&k, &v)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::heartbeat;

    /// Reopens in the same process: sled's flusher thread may hold the file lock for a moment
    /// after the first handle is dropped.
    fn reopen(dir: &Path) -> SledStore {
        for _ in 0..100 {
            match SledStore::open(dir) {
                Ok(store) => return store,
                Err(e) if e.to_string().contains("could not acquire lock") => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) => panic!("reopen: {e}"),
            }
        }
        panic!("the store stayed locked");
    }

    #[test]
    fn committed_events_survive_reopening_with_their_id_keys() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let store = SledStore::open(dir.path()).expect("open");
            let batch = WriteBatch {
                events: (1..=300)
                    .map(|n| heartbeat(n, "fp", &format!("e{n}")))
                    .collect(),
                seen_ids: (1..=300).map(|n| (n * 1_000_003, n)).collect(),
                ..WriteBatch::default()
            };
            store.commit(&batch).expect("commit");
            let batch = WriteBatch {
                events: vec![heartbeat(301, "fp", "e301")],
                seen_ids: vec![(u64::MAX, 301)],
                ..WriteBatch::default()
            };
            store.commit(&batch).expect("commit");
        }
        let store = reopen(dir.path());
        assert_eq!(store.last_event_seq().expect("seq"), 301);
        let event = store.event(42).expect("read").expect("stored");
        assert_eq!((event.seq, event.event.id.as_str()), (42, "e42"));
        assert!(store.event(302).expect("read").is_none());
        let mut pairs = Vec::new();
        store
            .seen_ids(&mut |key, seq| pairs.push((key, seq)))
            .expect("seen ids");
        let mut expected: Vec<(u64, u64)> = (1..=300).map(|n| (n * 1_000_003, n)).collect();
        expected.push((u64::MAX, 301));
        assert_eq!(pairs, expected);
        let page = store.events_after(255, 10).expect("page");
        assert_eq!(
            page.iter().map(|e| e.seq).collect::<Vec<_>>(),
            (256..=265).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_directory_holding_something_else_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("notes.txt"), "not a store").expect("write");
        let err = SledStore::open(dir.path()).expect_err("refused");
        assert!(err.to_string().contains("holds no hub store"), "{err}");
        assert!(dir.path().join("notes.txt").exists());
    }
}
