//! One commit's leaves as the store records them, in the same write: which events and log
//! entries they cover, their leaf hashes, and the tree's root after them. The verifier reads
//! these to know the order the writer appended leaves in, and to name the first entry that no
//! longer hashes as it did.
//!
//! Stored as: first event seq (8 bytes, big-endian), event count (4), first log seq (8), log
//! count (4), the leaf hashes (32 each, events first), and the root after (32).

use super::merkle::{Frontier, Hash};

const HEAD: usize = 24;

/// The leaves one commit appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafRange {
    /// The index of the first leaf (the tree size before the commit).
    pub first_leaf: u64,
    pub first_event: u64,
    pub events: u32,
    pub first_log: u64,
    pub log: u32,
    /// Events' leaves, then log entries'.
    pub leaves: Vec<Hash>,
    /// The root of the tree after these leaves.
    pub root: Hash,
}

impl LeafRange {
    /// Appends the leaves of events from `first_event` and log entries from `first_log` to
    /// `frontier`, and says what was appended.
    pub fn append(
        frontier: &mut Frontier,
        first_event: u64,
        events: &[Hash],
        first_log: u64,
        log: &[Hash],
    ) -> LeafRange {
        let first_leaf = frontier.size();
        let leaves: Vec<Hash> = events.iter().chain(log).copied().collect();
        for leaf in &leaves {
            frontier.append(*leaf);
        }
        LeafRange {
            first_leaf,
            first_event,
            // A commit holds at most a few thousand records.
            events: u32::try_from(events.len()).unwrap_or(u32::MAX),
            first_log,
            log: u32::try_from(log.len()).unwrap_or(u32::MAX),
            leaves,
            root: frontier.root(),
        }
    }

    /// The leaf range as stored (its key holds `first_leaf`).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(HEAD + 32 * (self.leaves.len() + 1));
        bytes.extend_from_slice(&self.first_event.to_be_bytes());
        bytes.extend_from_slice(&self.events.to_be_bytes());
        bytes.extend_from_slice(&self.first_log.to_be_bytes());
        bytes.extend_from_slice(&self.log.to_be_bytes());
        for leaf in &self.leaves {
            bytes.extend_from_slice(leaf);
        }
        bytes.extend_from_slice(&self.root);
        bytes
    }

    /// A stored leaf range, or what is wrong with it.
    pub fn from_bytes(first_leaf: u64, bytes: &[u8]) -> Result<LeafRange, String> {
        let too_short = || format!("{} bytes is too short for a leaf range", bytes.len());
        let (head, hashes) = bytes.split_at_checked(HEAD).ok_or_else(too_short)?;
        let u64_at = |at: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&head[at..at + 8]);
            u64::from_be_bytes(b)
        };
        let u32_at = |at: usize| {
            let mut b = [0u8; 4];
            b.copy_from_slice(&head[at..at + 4]);
            u32::from_be_bytes(b)
        };
        let (first_event, events, first_log, log) = (u64_at(0), u32_at(8), u64_at(12), u32_at(20));
        let count = events as usize + log as usize;
        if hashes.len() != 32 * (count + 1) {
            return Err(format!(
                "a range of {count} leaves holds {} bytes of hashes, not {}",
                hashes.len(),
                32 * (count + 1)
            ));
        }
        let mut all: Vec<Hash> = hashes
            .chunks_exact(32)
            .map(|c| {
                let mut h = [0u8; 32];
                h.copy_from_slice(c);
                h
            })
            .collect();
        let root = all.pop().ok_or_else(too_short)?;
        Ok(LeafRange {
            first_leaf,
            first_event,
            events,
            first_log,
            log,
            leaves: all,
            root,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{event_leaf, log_leaf};

    #[test]
    fn a_range_records_its_leaves_in_order_and_reads_back() {
        let mut frontier = Frontier::new();
        let events = [event_leaf(b"{\"seq\":1}"), event_leaf(b"{\"seq\":2}")];
        let log = [log_leaf(b"{\"seq\":1}")];
        let range = LeafRange::append(&mut frontier, 1, &events, 1, &log);
        assert_eq!(frontier.size(), 3);
        assert_eq!(range.leaves, vec![events[0], events[1], log[0]]);
        assert_eq!(range.root, frontier.root());
        let second = LeafRange::append(&mut frontier, 3, &[event_leaf(b"{}")], 2, &[]);
        assert_eq!(second.first_leaf, 3);
        let bytes = second.to_bytes();
        assert_eq!(
            LeafRange::from_bytes(3, &bytes).expect("reads back"),
            second
        );
        let err = LeafRange::from_bytes(3, &bytes[..bytes.len() - 1]).expect_err("cut");
        assert!(err.contains("1 leaves"), "{err}");
        assert!(LeafRange::from_bytes(0, &[1, 2]).is_err());
    }

    #[test]
    fn the_same_record_under_the_other_tag_is_another_leaf() {
        assert_ne!(event_leaf(b"{}"), log_leaf(b"{}"));
    }
}
