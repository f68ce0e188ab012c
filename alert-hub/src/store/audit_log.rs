//! The audit tree in the sled store: each commit's leaf range under `a` + its first leaf index,
//! the tree's frontier under `A` (both written in the commit's own atomic batch, so a record
//! and its leaf cannot diverge), and the latest signed checkpoint under `C`. A store written
//! before the tree existed has its records adopted as leaves when first opened: all events,
//! then all log entries.

use std::sync::Mutex;

use super::{WriteBatch, pack};
use crate::audit::merkle::{Frontier, Hash};
use crate::audit::range::LeafRange;
use crate::audit::verify::{Mismatch, Record};
use crate::audit::{event_leaf, log_leaf};
use crate::error::StoreError;

/// The key of the tree's frontier.
pub(super) const FRONTIER: &[u8] = b"A";
/// The key of the latest signed checkpoint (the note's text).
pub(super) const CHECKPOINT: &[u8] = b"C";
/// The prefix of leaf ranges.
const RANGE: u8 = b'a';
/// At most this many leaves in one adopted range.
const ADOPT_CHUNK: usize = 4096;

fn range_key(first_leaf: u64) -> Vec<u8> {
    let mut k = vec![RANGE];
    k.extend_from_slice(&first_leaf.to_be_bytes());
    k
}

fn seq_of(k: &[u8]) -> u64 {
    let mut bytes = [0u8; 8];
    if let Some(tail) = k.get(k.len().saturating_sub(8)..) {
        bytes.copy_from_slice(tail);
    }
    u64::from_be_bytes(bytes)
}

/// The committed tree: what the writer appends to, and what checkpoints are signed over.
#[derive(Debug, Default)]
pub(super) struct AuditTree {
    frontier: Mutex<Frontier>,
}

impl AuditTree {
    /// The stored tree of `db`; an older store's records are adopted first.
    pub(super) fn open(db: &sled::Db) -> Result<AuditTree, StoreError> {
        let frontier = match db.get(FRONTIER)? {
            Some(bytes) => Frontier::from_bytes(&bytes).map_err(|message| StoreError::Damaged {
                key: "A".into(),
                message,
            })?,
            None => adopt(db)?,
        };
        Ok(AuditTree {
            frontier: Mutex::new(frontier),
        })
    }

    /// The committed frontier.
    pub(super) fn frontier(&self) -> Frontier {
        self.frontier
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The frontier after `batch`, with its leaf range and the frontier added to `b`. Call
    /// [`Self::committed`] with it once `b` is durable.
    pub(super) fn append(&self, batch: &WriteBatch, b: &mut sled::Batch) -> Option<Frontier> {
        if batch.events.is_empty() && batch.log.is_empty() {
            return None;
        }
        let mut frontier = self.frontier();
        let events: Vec<Hash> = batch.events.iter().map(|e| event_leaf(&e.json)).collect();
        let log: Vec<Hash> = batch
            .log
            .iter()
            .map(|c| log_leaf(c.json.as_bytes()))
            .collect();
        let first_event = batch.events.first().map_or(0, |e| e.seq);
        let first_log = batch.log.first().map_or(0, |c| c.seq);
        let range = LeafRange::append(&mut frontier, first_event, &events, first_log, &log);
        b.insert(range_key(range.first_leaf), range.to_bytes());
        b.insert(FRONTIER, frontier.to_bytes());
        Some(frontier)
    }

    pub(super) fn committed(&self, frontier: Frontier) {
        *self
            .frontier
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = frontier;
    }
}

/// Makes leaves of every record of a store that has none, a chunk at a time, and stores the
/// frontier last (so an interrupted adoption starts again).
fn adopt(db: &sled::Db) -> Result<Frontier, StoreError> {
    let mut frontier = Frontier::new();
    for (prefix, is_event) in [(b'e', true), (b'c', false)] {
        let mut chunk: Vec<Hash> = Vec::new();
        let mut first = 0;
        for record in records(db, prefix) {
            let record = record.map_err(|m| StoreError::Damaged {
                key: char::from(prefix).to_string(),
                message: m.to_string(),
            })?;
            if chunk.is_empty() {
                first = record.seq;
            }
            chunk.push(if is_event {
                event_leaf(&record.bytes)
            } else {
                log_leaf(&record.bytes)
            });
            if chunk.len() == ADOPT_CHUNK {
                adopt_chunk(
                    db,
                    &mut frontier,
                    is_event,
                    first,
                    &std::mem::take(&mut chunk),
                )?;
            }
        }
        if !chunk.is_empty() {
            adopt_chunk(db, &mut frontier, is_event, first, &chunk)?;
        }
    }
    if frontier.size() > 0 {
        tracing::info!(
            leaves = frontier.size(),
            "the store's records were made leaves of the audit tree"
        );
        db.insert(FRONTIER, frontier.to_bytes())?;
        db.flush()?;
    }
    Ok(frontier)
}

fn adopt_chunk(
    db: &sled::Db,
    frontier: &mut Frontier,
    is_event: bool,
    first: u64,
    leaves: &[Hash],
) -> Result<(), StoreError> {
    let range = if is_event {
        LeafRange::append(frontier, first, leaves, 0, &[])
    } else {
        LeafRange::append(frontier, 0, &[], first, leaves)
    };
    db.insert(range_key(range.first_leaf), range.to_bytes())?;
    Ok(())
}

/// The records of the packs under `prefix` (events `e`, log entries `c`), in order, each with
/// its sequence number as its place in its pack gives it.
pub(super) fn records(
    db: &sled::Db,
    prefix: u8,
) -> impl Iterator<Item = Result<Record, Mismatch>> + '_ {
    let unreadable = |e: sled::Error| Mismatch::Unreadable(e.to_string());
    db.scan_prefix([prefix]).flat_map(move |pack| {
        let records: Vec<Result<Record, Mismatch>> = match pack.map_err(unreadable) {
            Err(e) => vec![Err(e)],
            Ok((k, v)) => match pack::unpack(&v) {
                Err(message) => vec![Err(Mismatch::Damaged(format!(
                    "the {} pack ending at seq {} cannot be read: {message}",
                    if prefix == b'e' {
                        "event"
                    } else {
                        "incident log"
                    },
                    seq_of(&k)
                )))],
                Ok(parts) => {
                    let last = seq_of(&k);
                    let count = parts.len() as u64;
                    parts
                        .into_iter()
                        .enumerate()
                        .map(|(i, bytes)| {
                            Ok(Record {
                                seq: (last + 1 + i as u64).saturating_sub(count),
                                bytes: bytes.to_vec(),
                            })
                        })
                        .collect()
                }
            },
        };
        records
    })
}

/// The leaf ranges, in leaf order.
pub(super) fn ranges(db: &sled::Db) -> impl Iterator<Item = Result<LeafRange, Mismatch>> + '_ {
    db.scan_prefix([RANGE]).map(|r| {
        let (k, v) = r.map_err(|e| Mismatch::Unreadable(e.to_string()))?;
        LeafRange::from_bytes(seq_of(&k), &v)
            .map_err(|m| Mismatch::Damaged(format!("the leaf range from leaf {}: {m}", seq_of(&k))))
    })
}

/// The leaf index of `entry` and the hashes of the first `size` leaves, from the recorded leaf
/// ranges; `None` when `entry` is not among them.
pub(super) fn leaves_for(
    db: &sled::Db,
    entry: crate::audit::verify::Entry,
    size: u64,
) -> Result<Option<(u64, Vec<Hash>)>, StoreError> {
    use crate::audit::verify::Entry;
    let mut leaves = Vec::new();
    let mut index = None;
    for range in ranges(db) {
        let range = range.map_err(|m| StoreError::Damaged {
            key: "a".into(),
            message: m.to_string(),
        })?;
        if range.first_leaf >= size {
            break;
        }
        let (events, log) = (u64::from(range.events), u64::from(range.log));
        let offset = match entry {
            Entry::Event(seq) if (range.first_event..range.first_event + events).contains(&seq) => {
                Some(seq - range.first_event)
            }
            Entry::Log(seq) if (range.first_log..range.first_log + log).contains(&seq) => {
                Some(events + seq - range.first_log)
            }
            _ => None,
        };
        if let Some(offset) = offset {
            index = Some(range.first_leaf + offset);
        }
        leaves.extend(range.leaves);
    }
    leaves.truncate(usize::try_from(size).unwrap_or(usize::MAX));
    Ok(index
        .filter(|&i| i < leaves.len() as u64)
        .map(|i| (i, leaves)))
}

/// What `alert-hub verify` found in a stopped hub's data directory.
#[derive(Debug)]
pub struct DirVerified {
    pub verified: crate::audit::verify::Verified,
    /// The latest signed checkpoint, its signature verified.
    pub checkpoint: Option<crate::audit::checkpoint::Checkpoint>,
}

/// Why a data directory did not verify.
#[derive(Debug, thiserror::Error)]
pub enum DirVerifyError {
    #[error("{} holds no hub store (no sled `db` file)", .0.display())]
    NoStore(std::path::PathBuf),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mismatch(#[from] Mismatch),
    /// A mismatch of a record that is in the archive, with the file and line holding it.
    #[error("{mismatch} (archived: {}, line {line})", file.display())]
    Archived {
        mismatch: Mismatch,
        file: std::path::PathBuf,
        line: u64,
    },
    #[error("the latest checkpoint: {0}")]
    Checkpoint(#[from] crate::audit::AuditError),
    #[error(
        "the store holds a signed checkpoint but no key to check it was given or found ({})",
        .0.display()
    )]
    NoKey(std::path::PathBuf),
}

/// Re-reads every stored event and log entry of the stopped hub's store in `dir` and its
/// archive, recomputes
/// the audit tree, and compares it with the stored frontier and the latest checkpoint, whose
/// signature `verifier` must verify.
pub fn verify_dir(
    dir: &std::path::Path,
    verifier: Option<&crate::audit::note::NoteVerifier>,
    key_path: &std::path::Path,
) -> Result<DirVerified, DirVerifyError> {
    use crate::audit::checkpoint::SignedCheckpoint;
    if !dir.join("db").exists() {
        return Err(DirVerifyError::NoStore(dir.to_path_buf()));
    }
    let db = sled::Config::new()
        .path(dir)
        .open()
        .map_err(|source| super::opening::failed(dir, source))?;
    let stored = match db.get(FRONTIER).map_err(StoreError::from)? {
        Some(bytes) => Some(
            Frontier::from_bytes(&bytes)
                .map_err(|m| Mismatch::Damaged(format!("the stored frontier: {m}")))?,
        ),
        None => None,
    };
    let checkpoint = match db.get(CHECKPOINT).map_err(StoreError::from)? {
        None => None,
        Some(note) => {
            let note = String::from_utf8_lossy(&note);
            let verifier = verifier.ok_or_else(|| DirVerifyError::NoKey(key_path.into()))?;
            Some(SignedCheckpoint::open(&note, verifier)?.checkpoint)
        }
    };
    let archive = dir.join(super::archive::DIR);
    let events = super::archive::read::merge_records(
        super::archive::read::records(&archive, super::archive::Kind::Events)?,
        records(&db, b'e'),
    );
    let log = super::archive::read::merge_records(
        super::archive::read::records(&archive, super::archive::Kind::Log)?,
        records(&db, b'c'),
    );
    let verified = crate::audit::verify::verify(
        ranges(&db),
        events,
        log,
        stored.as_ref(),
        checkpoint.as_ref(),
    )
    .map_err(|mismatch| in_archive(&archive, mismatch))?;
    Ok(DirVerified {
        verified,
        checkpoint,
    })
}

/// A mismatch named with the archive file and line holding its entry, when it is archived.
fn in_archive(archive: &std::path::Path, mismatch: Mismatch) -> DirVerifyError {
    use super::archive::{Kind, read};
    use crate::audit::verify::Entry;
    let entry = match &mismatch {
        Mismatch::Changed(entry) | Mismatch::NotInTree(entry) | Mismatch::RangeRoot(entry) => {
            *entry
        }
        _ => return mismatch.into(),
    };
    let (kind, seq) = match entry {
        Entry::Event(seq) => (Kind::Events, seq),
        Entry::Log(seq) => (Kind::Log, seq),
    };
    match read::find(archive, kind, seq) {
        Ok(Some((file, line))) => DirVerifyError::Archived {
            mismatch,
            file,
            line: line.number,
        },
        _ => mismatch.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sled_store::tests::reopen;
    use crate::store::{LoggedChange, SledStore, Store, heartbeat, records};

    fn change(seq: u64) -> LoggedChange {
        LoggedChange {
            seq,
            incident: "INC-000001".into(),
            json: format!("{{\"type\":\"change\",\"seq\":{seq}}}").into(),
        }
    }

    /// Events `events` and log entries `log`, as one commit.
    fn batch(events: std::ops::Range<u64>, log: &[u64]) -> WriteBatch {
        WriteBatch {
            events: records(
                &events
                    .map(|n| heartbeat(n, "fp", &format!("e{n}")))
                    .collect::<Vec<_>>(),
            ),
            log: log.iter().map(|&s| change(s)).collect(),
            ..WriteBatch::default()
        }
    }

    fn verify_db(dir: &std::path::Path) -> Result<DirVerified, DirVerifyError> {
        verify_dir(dir, None, &dir.join("audit.key"))
    }

    #[test]
    fn each_commit_appends_its_leaves_and_the_tree_survives_reopening() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = {
            let store = SledStore::open(dir.path()).expect("open");
            assert_eq!(store.audit_tree().expect("tree").0, 0);
            store.commit(&batch(1..41, &[1, 2])).expect("commit");
            store.commit(&batch(41..42, &[])).expect("commit");
            store
                .commit(&WriteBatch::default())
                .expect("nothing to audit");
            store.commit(&batch(42..42, &[3])).expect("log only");
            let (size, root) = store.audit_tree().expect("tree");
            assert_eq!(size, 44);
            root
        };
        let store = reopen(dir.path());
        assert_eq!(store.audit_tree().expect("tree"), (44, root));
        drop(store);
        let found = loop {
            match verify_db(dir.path()) {
                Err(DirVerifyError::Store(StoreError::Locked { .. })) => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => break other.expect("verifies"),
            }
        };
        assert_eq!(found.verified.entries, 44);
        assert_eq!(found.verified.root, root);
        assert!(found.checkpoint.is_none());
    }

    #[test]
    fn an_entry_proves_its_inclusion_in_the_tree_of_a_checkpoint() {
        use crate::audit::merkle::{inclusion_proof, verify_inclusion};
        use crate::audit::verify::Entry;
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SledStore::open(dir.path()).expect("open");
        store.commit(&batch(1..41, &[1, 2])).expect("commit");
        let (size, root) = store.audit_tree().expect("tree");
        store.commit(&batch(41..50, &[3])).expect("a later commit");
        for (entry, index) in [(Entry::Event(7), 6), (Entry::Log(2), 41)] {
            let (found, leaves) = store
                .audit_leaves(entry, size)
                .expect("read")
                .expect("in the tree");
            assert_eq!((found, leaves.len() as u64), (index, size), "{entry}");
            let proof = inclusion_proof(&leaves, index as usize).expect("proof");
            let leaf = leaves[index as usize];
            assert!(
                verify_inclusion(index, size, &leaf, &proof, &root),
                "{entry}"
            );
        }
        let event = store.event(7).expect("read").expect("stored");
        let (_, leaves) = store
            .audit_leaves(Entry::Event(7), size)
            .expect("read")
            .expect("in the tree");
        assert_eq!(
            leaves[6],
            event_leaf(&serde_json::to_vec(&event).expect("json"))
        );
        assert!(
            store
                .audit_leaves(Entry::Event(45), size)
                .expect("read")
                .is_none(),
            "committed after the checkpoint's size"
        );
    }

    #[test]
    fn an_older_store_has_its_records_adopted_events_first() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let store = SledStore::open(dir.path()).expect("open");
            store.commit(&batch(1..5001, &[1])).expect("commit");
            store.commit(&batch(5001..5003, &[2, 3])).expect("commit");
            // As a store written before the audit tree: no ranges, no frontier.
            for key in store.db.scan_prefix([RANGE]).keys() {
                store.db.remove(key.expect("key")).expect("remove");
            }
            store.db.remove(FRONTIER).expect("remove");
        }
        let store = reopen(dir.path());
        let (size, root) = store.audit_tree().expect("tree");
        assert_eq!(size, 5005);
        let mut expected = Frontier::new();
        let events = store.events_after(0, usize::MAX).expect("events");
        for event in &events {
            expected.append(event_leaf(&serde_json::to_vec(event).expect("json")));
        }
        for seq in 1..=3 {
            expected.append(log_leaf(change(seq).json.as_bytes()));
        }
        assert_eq!(root, expected.root());
        let ranges: Vec<LeafRange> = ranges(&store.db).map(|r| r.expect("range")).collect();
        assert_eq!(
            ranges
                .iter()
                .map(|r| (r.first_leaf, r.events, r.log))
                .collect::<Vec<_>>(),
            vec![(0, 4096, 0), (4096, 906, 0), (5002, 0, 3)]
        );
    }
}
