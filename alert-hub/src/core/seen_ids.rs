//! Which event ids each source already sent, for answering a re-sent event as a duplicate.
//!
//! The index lives in memory as 64-bit keys (a salted SHA-256 of source and id) mapped to the
//! event's sequence number. It is durable because what it is built from is: every group commit
//! stores the keys of its events as one record beside the events, and on start the hub loads
//! those records (and hashes any stored events they do not cover). A key says only "maybe":
//! the caller confirms a match against the stored event, so two ids whose keys collide are
//! both kept and neither is mistaken for the other.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use sha2::{Digest, Sha256};

use crate::error::StoreError;
use crate::store::{Store, WriteBatch};

/// The keys are already uniformly spread (they are hash output): the map uses them as they are.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

/// The index of sent event ids.
pub struct SeenIds {
    salt: [u8; 32],
    /// The first event stored under each key.
    first: KeyMap<u64>,
    /// Further events under a key already taken (different ids whose keys collide).
    more: KeyMap<Vec<u64>>,
}

impl SeenIds {
    /// An empty index whose keys are salted with `salt` (kept in the store: keys written by one
    /// run must be the keys the next run computes).
    pub fn new(salt: [u8; 32]) -> SeenIds {
        SeenIds {
            salt,
            first: KeyMap::default(),
            more: KeyMap::default(),
        }
    }

    /// The index from the id keys in `store`. Stored events whose keys are not there (written
    /// before the store kept them) are hashed now, and their keys stored.
    pub fn load(store: &dyn Store, salt: [u8; 32]) -> Result<SeenIds, StoreError> {
        let mut seen = SeenIds::new(salt);
        let mut covered = 0;
        store.seen_ids(&mut |key, seq| {
            seen.insert(key, seq);
            covered = covered.max(seq);
        })?;
        loop {
            let events = store.events_after(covered, 10_000)?;
            let Some(last) = events.last() else {
                return Ok(seen);
            };
            covered = last.seq;
            let seen_ids: Vec<(u64, u64)> = events
                .iter()
                .map(|e| (seen.key(&e.source, &e.event.id), e.seq))
                .collect();
            for &(key, seq) in &seen_ids {
                seen.insert(key, seq);
            }
            store.commit(&WriteBatch {
                seen_ids,
                ..Default::default()
            })?;
        }
    }

    /// The key of event `id` from `source`.
    pub fn key(&self, source: &str, id: &str) -> u64 {
        let mut hash = Sha256::new();
        hash.update(self.salt);
        hash.update((source.len() as u64).to_be_bytes());
        hash.update(source.as_bytes());
        hash.update(id.as_bytes());
        let digest = hash.finalize();
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(bytes)
    }

    /// Records that the event stored as `seq` has `key`.
    pub fn insert(&mut self, key: u64, seq: u64) {
        match self.first.get(&key) {
            None => {
                self.first.insert(key, seq);
            }
            Some(&taken) if taken == seq => {}
            Some(_) => {
                let more = self.more.entry(key).or_default();
                if !more.contains(&seq) {
                    more.push(seq);
                }
            }
        }
    }

    /// The sequence number of an earlier event under `key` that `is_same` confirms.
    pub fn find(&self, key: u64, mut is_same: impl FnMut(u64) -> bool) -> Option<u64> {
        let first = self.first.get(&key)?;
        std::iter::once(first)
            .chain(self.more.get(&key).into_iter().flatten())
            .copied()
            .find(|&seq| is_same(seq))
    }

    /// How many events the index holds.
    pub fn ids(&self) -> usize {
        self.first.len() + self.more.values().map(Vec::len).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::StoredEvent;
    use crate::store::{SledStore, heartbeat, records};

    fn seq_of(seen: &SeenIds, store: &dyn Store, source: &str, id: &str) -> Option<u64> {
        seen.find(seen.key(source, id), |seq| {
            store
                .event(seq)
                .expect("read")
                .is_some_and(|e| e.source == source && e.event.id == id)
        })
    }

    #[test]
    fn loading_finds_every_stored_id_with_or_without_its_stored_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SledStore::open(dir.path()).expect("open");
        let salt = [9; 32];
        // Events 1-3 with their keys, as the core stores them; 4-5 without (an older store).
        let keyed = SeenIds::new(salt);
        let first: Vec<StoredEvent> = (1..=3)
            .map(|n| heartbeat(n, "fp", &format!("e{n}")))
            .collect();
        let seen_ids = first
            .iter()
            .map(|e| (keyed.key(&e.source, &e.event.id), e.seq))
            .collect();
        store
            .commit(&WriteBatch {
                events: records(&first),
                seen_ids,
                ..Default::default()
            })
            .expect("commit");
        store
            .commit(&WriteBatch {
                events: records(&[heartbeat(4, "fp", "e4"), heartbeat(5, "ac", "e4")]),
                ..Default::default()
            })
            .expect("commit");

        let seen = SeenIds::load(&store, salt).expect("load");
        assert_eq!(seen.ids(), 5);
        assert_eq!(seq_of(&seen, &store, "fp", "e2"), Some(2));
        assert_eq!(seq_of(&seen, &store, "fp", "e4"), Some(4));
        assert_eq!(seq_of(&seen, &store, "ac", "e4"), Some(5));
        assert_eq!(seq_of(&seen, &store, "ac", "e2"), None);

        // The missing keys were stored: the next load reads them all from the key records.
        let mut keys = 0;
        store.seen_ids(&mut |_, _| keys += 1).expect("keys");
        assert_eq!(keys, 5);
        let again = SeenIds::load(&store, salt).expect("load again");
        assert_eq!(again.ids(), 5);
    }

    #[test]
    fn a_key_depends_on_the_source_the_id_and_the_salt() {
        let seen = SeenIds::new([1; 32]);
        let key = seen.key("fp-b2", "000123");
        assert_eq!(key, seen.key("fp-b2", "000123"));
        assert_ne!(key, seen.key("fp-b3", "000123"));
        assert_ne!(key, seen.key("fp-b2", "000124"));
        // The boundary between source and id is part of the key.
        assert_ne!(seen.key("ab", "c"), seen.key("a", "bc"));
        assert_ne!(key, SeenIds::new([2; 32]).key("fp-b2", "000123"));
    }

    #[test]
    fn only_a_confirmed_match_is_found() {
        let mut seen = SeenIds::new([0; 32]);
        let key = seen.key("fp", "e1");
        assert_eq!(seen.find(key, |_| true), None);
        seen.insert(key, 7);
        assert_eq!(seen.find(key, |seq| seq == 7), Some(7));
        assert_eq!(seen.find(key, |_| false), None);
    }

    #[test]
    fn ids_whose_keys_collide_are_both_kept() {
        let mut seen = SeenIds::new([0; 32]);
        // Two different events under one key, as a collision would put them.
        seen.insert(42, 3);
        seen.insert(42, 9);
        seen.insert(42, 9);
        assert_eq!(seen.ids(), 2);
        assert_eq!(seen.find(42, |seq| seq == 3), Some(3));
        assert_eq!(seen.find(42, |seq| seq == 9), Some(9));
        assert_eq!(seen.find(42, |seq| seq == 5), None);
    }
}
