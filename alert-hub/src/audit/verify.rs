//! Re-computing the tree from the records: each commit's leaf range is checked against the
//! events and log entries it covers, in the order they were appended; the result is compared
//! with the stored frontier and the latest signed checkpoint. The first entry that does not
//! match is named.

use std::fmt;

use super::checkpoint::Checkpoint;
use super::merkle::{EMPTY_ROOT, Frontier, Hash, hex};
use super::range::LeafRange;
use super::{event_leaf, log_leaf};

/// A stored record named in a verifier's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Event(u64),
    Log(u64),
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Event(seq) => write!(f, "event seq {seq}"),
            Entry::Log(seq) => write!(f, "incident log seq {seq}"),
        }
    }
}

/// A stored record: its sequence number (where the store keeps it) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub seq: u64,
    pub bytes: Vec<u8>,
}

/// What a verification found wrong: the first thing, naming the entry where there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Mismatch {
    #[error("{0} does not match its leaf in the audit tree: the stored record was changed")]
    Changed(Entry),
    #[error("{0} is missing: the audit tree has a leaf for it but the store has no such record")]
    Missing(Entry),
    #[error("{0} is stored but is not in the audit tree")]
    NotInTree(Entry),
    #[error(
        "the leaves up to {0} do not give the root recorded after them: the audit records \
         were changed"
    )]
    RangeRoot(Entry),
    #[error("the audit records are damaged: {0}")]
    Damaged(String),
    #[error("the store cannot be read: {0}")]
    Unreadable(String),
    #[error(
        "the recomputed tree has {size} leaves and root {root}, but the stored frontier says \
         {stored_size} leaves and root {stored_root}"
    )]
    Frontier {
        size: u64,
        root: String,
        stored_size: u64,
        stored_root: String,
    },
    #[error(
        "the signed checkpoint of {size} leaves has root {signed}, but the records give {found}"
    )]
    Checkpoint {
        size: u64,
        signed: String,
        found: String,
    },
    #[error(
        "the signed checkpoint covers {size} leaves but the store holds only {held}: records \
         were removed"
    )]
    Truncated { size: u64, held: u64 },
}

/// What a verification that passed found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub entries: u64,
    pub root: Hash,
}

/// Recomputes the tree from `ranges` (in leaf order), `events` and `log` (each in sequence
/// order), and compares it with `stored` (the frontier the writer kept) and `checkpoint` (a
/// signed checkpoint whose signature the caller has verified).
pub fn verify(
    ranges: impl Iterator<Item = Result<LeafRange, Mismatch>>,
    mut events: impl Iterator<Item = Result<Record, Mismatch>>,
    mut log: impl Iterator<Item = Result<Record, Mismatch>>,
    stored: Option<&Frontier>,
    checkpoint: Option<&Checkpoint>,
) -> Result<Verified, Mismatch> {
    let mut frontier = Frontier::new();
    let mut signed_found = checkpoint.filter(|c| c.size == 0).map(|_| EMPTY_ROOT);
    for range in ranges {
        let range = range?;
        if range.first_leaf != frontier.size() {
            return Err(Mismatch::Damaged(format!(
                "a leaf range starts at leaf {} where {} leaves came before",
                range.first_leaf,
                frontier.size()
            )));
        }
        let wanted = (0..u64::from(range.events))
            .map(|i| Entry::Event(range.first_event + i))
            .chain((0..u64::from(range.log)).map(|i| Entry::Log(range.first_log + i)));
        let mut last = None;
        for (entry, recorded) in wanted.zip(&range.leaves) {
            let leaf = match entry {
                Entry::Event(seq) => event_leaf(&next(&mut events, seq, Entry::Event)?),
                Entry::Log(seq) => log_leaf(&next(&mut log, seq, Entry::Log)?),
            };
            if leaf != *recorded {
                return Err(Mismatch::Changed(entry));
            }
            frontier.append(leaf);
            if checkpoint.is_some_and(|c| c.size == frontier.size()) {
                signed_found = Some(frontier.root());
            }
            last = Some(entry);
        }
        match last {
            Some(entry) if frontier.root() != range.root => {
                return Err(Mismatch::RangeRoot(entry));
            }
            _ => {}
        }
    }
    if let Some(record) = events.next() {
        return Err(Mismatch::NotInTree(Entry::Event(record?.seq)));
    }
    if let Some(record) = log.next() {
        return Err(Mismatch::NotInTree(Entry::Log(record?.seq)));
    }
    let root = frontier.root();
    let stored = stored.cloned().unwrap_or_default();
    if (stored.size(), stored.root()) != (frontier.size(), root) {
        return Err(Mismatch::Frontier {
            size: frontier.size(),
            root: hex(&root),
            stored_size: stored.size(),
            stored_root: hex(&stored.root()),
        });
    }
    if let Some(checkpoint) = checkpoint {
        let Some(found) = signed_found else {
            return Err(Mismatch::Truncated {
                size: checkpoint.size,
                held: frontier.size(),
            });
        };
        if found != checkpoint.root {
            return Err(Mismatch::Checkpoint {
                size: checkpoint.size,
                signed: hex(&checkpoint.root),
                found: hex(&found),
            });
        }
    }
    Ok(Verified {
        entries: frontier.size(),
        root,
    })
}

/// The bytes of the next record of a stream, which must be `seq`.
fn next(
    records: &mut impl Iterator<Item = Result<Record, Mismatch>>,
    seq: u64,
    entry: fn(u64) -> Entry,
) -> Result<Vec<u8>, Mismatch> {
    match records.next().transpose()? {
        Some(record) if record.seq == seq => Ok(record.bytes),
        Some(record) if record.seq < seq => Err(Mismatch::NotInTree(entry(record.seq))),
        _ => Err(Mismatch::Missing(entry(seq))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three commits: events 1-2 with log 1; events 3-5; log 2-3.
    struct Given {
        ranges: Vec<LeafRange>,
        events: Vec<Record>,
        log: Vec<Record>,
        frontier: Frontier,
    }

    fn record(seq: u64, what: &str) -> Record {
        Record {
            seq,
            bytes: format!("{{\"seq\":{seq},\"what\":\"{what}\"}}").into_bytes(),
        }
    }

    fn given() -> Given {
        let events: Vec<Record> = (1..=5).map(|s| record(s, "event")).collect();
        let log: Vec<Record> = (1..=3).map(|s| record(s, "log")).collect();
        let e = |r: &[Record]| r.iter().map(|r| event_leaf(&r.bytes)).collect::<Vec<_>>();
        let l = |r: &[Record]| r.iter().map(|r| log_leaf(&r.bytes)).collect::<Vec<_>>();
        let mut frontier = Frontier::new();
        let ranges = vec![
            LeafRange::append(&mut frontier, 1, &e(&events[..2]), 1, &l(&log[..1])),
            LeafRange::append(&mut frontier, 3, &e(&events[2..]), 2, &[]),
            LeafRange::append(&mut frontier, 6, &[], 2, &l(&log[1..])),
        ];
        Given {
            ranges,
            events,
            log,
            frontier,
        }
    }

    fn run(g: &Given, checkpoint: Option<&Checkpoint>) -> Result<Verified, Mismatch> {
        verify(
            g.ranges.iter().cloned().map(Ok),
            g.events.iter().cloned().map(Ok),
            g.log.iter().cloned().map(Ok),
            Some(&g.frontier),
            checkpoint,
        )
    }

    fn checkpoint(size: u64, root: Hash) -> Checkpoint {
        Checkpoint {
            origin: "hub".into(),
            size,
            root,
        }
    }

    #[test]
    fn untouched_records_verify_against_the_frontier_and_a_checkpoint() {
        let g = given();
        let verified = run(&g, None).expect("verifies");
        assert_eq!(verified.entries, 8);
        assert_eq!(verified.root, g.frontier.root());
        let at_five = g.ranges[1].root;
        assert!(run(&g, Some(&checkpoint(5, g.ranges[0].root))).is_err());
        run(&g, Some(&checkpoint(6, at_five))).expect("a checkpoint after the second commit");
        run(&g, Some(&checkpoint(0, EMPTY_ROOT))).expect("the empty checkpoint");
    }

    #[test]
    fn a_changed_event_or_log_entry_is_named() {
        let mut g = given();
        g.events[3].bytes[5] ^= 1;
        assert_eq!(run(&g, None), Err(Mismatch::Changed(Entry::Event(4))));
        let mut g = given();
        g.log[2].bytes.push(b' ');
        let err = run(&g, None).expect_err("changed");
        assert_eq!(err, Mismatch::Changed(Entry::Log(3)));
        assert!(
            err.to_string()
                .starts_with("incident log seq 3 does not match")
        );
    }

    #[test]
    fn a_removed_or_extra_record_is_named() {
        let mut g = given();
        g.events.remove(1);
        assert_eq!(run(&g, None), Err(Mismatch::Missing(Entry::Event(2))));
        // A record the tree does not expect where another is due.
        let mut g = given();
        g.events.insert(1, record(1, "again"));
        assert_eq!(run(&g, None), Err(Mismatch::NotInTree(Entry::Event(1))));
        let mut g = given();
        g.log.pop();
        assert_eq!(run(&g, None), Err(Mismatch::Missing(Entry::Log(3))));
        let mut g = given();
        g.events.push(record(6, "event"));
        assert_eq!(run(&g, None), Err(Mismatch::NotInTree(Entry::Event(6))));
    }

    #[test]
    fn rewritten_audit_records_fail_against_the_frontier_or_the_checkpoint() {
        // Record and leaf changed together: the range's root gives it away.
        let mut g = given();
        g.events[0] = record(1, "forged");
        g.ranges[0].leaves[0] = event_leaf(&g.events[0].bytes);
        assert_eq!(run(&g, None), Err(Mismatch::RangeRoot(Entry::Log(1))));
        // Everything rewritten: only the signed checkpoint is left to tell.
        let signed = checkpoint(8, g.frontier.root());
        let mut frontier = Frontier::new();
        let e: Vec<Hash> = g.events.iter().map(|r| event_leaf(&r.bytes)).collect();
        let l: Vec<Hash> = g.log.iter().map(|r| log_leaf(&r.bytes)).collect();
        g.ranges = vec![LeafRange::append(&mut frontier, 1, &e, 1, &l)];
        g.frontier = frontier;
        run(&g, None).expect("consistent with itself");
        let err = run(&g, Some(&signed)).expect_err("not with the signed checkpoint");
        assert!(matches!(err, Mismatch::Checkpoint { size: 8, .. }), "{err}");
        // Records dropped from the end, frontier and all.
        let g = given();
        let mut short = Given {
            ranges: g.ranges[..1].to_vec(),
            events: g.events[..2].to_vec(),
            log: g.log[..1].to_vec(),
            frontier: Frontier::new(),
        };
        let mut f = Frontier::new();
        short.ranges[0].leaves.iter().for_each(|l| f.append(*l));
        short.frontier = f;
        let err = run(&short, Some(&checkpoint(8, g.frontier.root()))).expect_err("truncated");
        assert_eq!(err, Mismatch::Truncated { size: 8, held: 3 });
    }

    #[test]
    fn a_frontier_that_disagrees_with_the_records_is_reported() {
        let mut g = given();
        g.frontier.append(event_leaf(b"{}"));
        let err = run(&g, None).expect_err("frontier");
        assert!(
            matches!(
                err,
                Mismatch::Frontier {
                    size: 8,
                    stored_size: 9,
                    ..
                }
            ),
            "{err}"
        );
    }
}
