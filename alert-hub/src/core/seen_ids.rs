//! Which event ids each source already sent, for answering a re-sent event as a duplicate.
//!
//! The index lives in memory as 64-bit keys (a salted SHA-256 of source and id) mapped to the
//! event's sequence number. It is durable because what it is built from is: every group commit
//! stores the keys of its events as one record beside the events, and on start the hub loads
//! those records (and hashes any stored events they do not cover). A key says only "maybe":
//! the caller confirms a match against the stored event, so two ids whose keys collide are
//! both kept and neither is mistaken for the other.
//!
//! Memory is bounded: the index keeps the newest [`WINDOW`] ids. Older ids leave it (their keys
//! stay stored), and the index remembers the latest device time (`at`) among them and, in a
//! Bloom filter ([`LeftFilter`]), their keys. An event whose `at` is no later than that and
//! whose key the filter may hold may be one of them sent again (a device resends the frame as
//! it was), so it is looked up in the stored keys before it is stored as new; any other cannot
//! be. What has left is kept in the store as the [`Horizon`], so a restart keeps the same window
//! without reading old events.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

use sha2::{Digest, Sha256};

use super::left_filter::LeftFilter;
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

/// How many of the newest ids the index keeps in memory: by its layout about 35 bytes each, so
/// about 9 MiB;
/// at 2,000 events a second two hours of events, at a real site's rate months.
pub const WINDOW: usize = 250_000;

/// How many stored events one read takes when the index learns the times of ids leaving it.
const TIMES_READ: usize = 1_024;

/// The time of an id in memory whose event's device time was not kept with it.
const TIME_NOT_KNOWN: i64 = i64::MIN;

/// What has left the in-memory index: every event up to `through`, the latest device time
/// among them `latest_at` (Unix seconds). Stored with each commit that changes it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Horizon {
    pub through: u64,
    pub latest_at: i64,
}

/// The index of sent event ids.
pub struct SeenIds {
    salt: [u8; 32],
    /// How many ids stay in memory.
    window: usize,
    /// The first event stored under each key.
    first: KeyMap<u64>,
    /// Further events under a key already taken (different ids whose keys collide).
    more: KeyMap<Vec<u64>>,
    /// The ids in memory, oldest first: key, seq and the event's device time (Unix seconds,
    /// [`TIME_NOT_KNOWN`] for ids loaded from the store, whose times are read as they leave).
    order: VecDeque<(u64, u64, i64)>,
    /// What has left memory.
    horizon: Horizon,
    /// The keys of what has left memory.
    left: LeftFilter,
    /// The events whose times are already in `horizon.latest_at` (read ahead of leaving).
    timed_through: u64,
    /// Whether `horizon` changed since [`SeenIds::take_horizon`].
    horizon_moved: bool,
}

impl SeenIds {
    /// An empty index whose keys are salted with `salt` (kept in the store: keys written by one
    /// run must be the keys the next run computes).
    pub fn new(salt: [u8; 32]) -> SeenIds {
        SeenIds::with_window(salt, WINDOW)
    }

    /// An empty index keeping the newest `window` ids in memory.
    pub fn with_window(salt: [u8; 32], window: usize) -> SeenIds {
        SeenIds {
            salt,
            window: window.max(1),
            first: KeyMap::default(),
            more: KeyMap::default(),
            order: VecDeque::new(),
            horizon: Horizon::default(),
            left: LeftFilter::default(),
            timed_through: 0,
            horizon_moved: false,
        }
    }

    /// The index from the id keys in `store`, keeping [`WINDOW`] ids in memory.
    pub fn load(store: &dyn Store, salt: [u8; 32]) -> Result<SeenIds, StoreError> {
        SeenIds::load_window(store, salt, WINDOW)
    }

    /// The index from the id keys in `store` newer than its stored [`Horizon`], the newest
    /// `window` of them in memory. Stored events whose keys are not there (written before the
    /// store kept them) are hashed now, and their keys stored.
    pub fn load_window(
        store: &dyn Store,
        salt: [u8; 32],
        window: usize,
    ) -> Result<SeenIds, StoreError> {
        let mut seen = SeenIds::with_window(salt, window);
        seen.horizon = store.dedup_horizon()?.unwrap_or_default();
        seen.timed_through = seen.horizon.through;
        let through = seen.horizon.through;
        let mut keys = Vec::new();
        let mut covered = 0;
        let left = &mut seen.left;
        store.seen_ids(&mut |key, seq| {
            if seq > through {
                keys.push((key, seq));
            } else {
                left.insert(key);
            }
            covered = covered.max(seq);
        })?;
        // The pairs of one commit are in order, the commits too; sorted all the same, so that
        // the window is always the newest ids.
        keys.sort_unstable_by_key(|&(_, seq)| seq);
        for (key, seq) in keys {
            seen.insert(key, seq, None);
        }
        seen.leave(store);
        loop {
            let events = store.events_after(covered, 10_000)?;
            let Some(last) = events.last() else {
                return Ok(seen);
            };
            covered = last.seq;
            let mut seen_ids = Vec::with_capacity(events.len());
            for e in &events {
                let key = seen.key(&e.source, &e.event.id);
                seen.insert(key, e.seq, Some(e.event.at.unix_timestamp()));
                seen_ids.push((key, e.seq));
            }
            seen.leave(store);
            store.commit(&WriteBatch {
                seen_ids,
                dedup_horizon: seen.take_horizon(),
                ..Default::default()
            })?;
        }
    }

    /// Moves the oldest ids out of memory until the window holds, folding their device times
    /// into the horizon: kept with the id since it was inserted, or for an id loaded from
    /// `store` read there, [`TIMES_READ`] events at a time. An event not yet readable, or a
    /// store that cannot be read, makes every later event be looked up.
    pub fn leave(&mut self, store: &dyn Store) {
        while self.order.len() > self.window {
            let Some((key, seq, at)) = self.order.pop_front() else {
                return;
            };
            self.forget(key, seq);
            self.left.insert(key);
            if at != TIME_NOT_KNOWN {
                self.horizon.latest_at = self.horizon.latest_at.max(at);
            } else if seq > self.timed_through {
                self.read_times(store, seq);
            }
            self.horizon.through = seq;
            self.horizon_moved = true;
        }
    }

    /// Folds the device times of the stored events from `seq` on into the horizon.
    fn read_times(&mut self, store: &dyn Store, seq: u64) {
        match store.events_after(seq - 1, TIMES_READ) {
            // The first is `seq` or, when no event was stored under `seq`, a later one.
            Ok(events) if !events.is_empty() => {
                for event in &events {
                    let at = event.event.at.unix_timestamp();
                    self.horizon.latest_at = self.horizon.latest_at.max(at);
                    self.timed_through = event.seq;
                }
            }
            Ok(_) => {
                tracing::warn!(
                    seq,
                    "an id leaving memory is not stored yet; every older-stamped event will be looked up in the store"
                );
                self.horizon.latest_at = i64::MAX;
                self.timed_through = u64::MAX;
            }
            Err(e) => {
                tracing::error!(error = %e, seq, "cannot read the times of ids leaving memory; every event will be looked up in the store");
                self.horizon.latest_at = i64::MAX;
                self.timed_through = u64::MAX;
            }
        }
    }

    /// Removes the key of event `seq` from memory.
    fn forget(&mut self, key: u64, seq: u64) {
        if self.first.get(&key) == Some(&seq) {
            let next = self
                .more
                .get_mut(&key)
                .and_then(|more| (!more.is_empty()).then(|| more.remove(0)));
            match next {
                Some(next) => {
                    self.first.insert(key, next);
                }
                None => {
                    self.first.remove(&key);
                }
            }
        } else if let Some(more) = self.more.get_mut(&key) {
            more.retain(|&s| s != seq);
        }
        if self.more.get(&key).is_some_and(Vec::is_empty) {
            self.more.remove(&key);
        }
    }

    /// The horizon to store, when it moved since last taken.
    pub fn take_horizon(&mut self) -> Option<Horizon> {
        std::mem::take(&mut self.horizon_moved).then_some(self.horizon)
    }

    /// Whether an event stamped `at` under `key` may be one that has left memory, sent again:
    /// only those are looked up in the store.
    pub fn may_have_left(&self, at: time::OffsetDateTime, key: u64) -> bool {
        self.horizon.through > 0
            && at.unix_timestamp() <= self.horizon.latest_at
            && self.left.may_contain(key)
    }

    /// The sequence number of an event that has left memory, stored under `key`, that
    /// `is_same` confirms: a scan of the stored keys (16 bytes an event).
    pub fn find_left(
        &self,
        store: &dyn Store,
        key: u64,
        mut is_same: impl FnMut(u64) -> bool,
    ) -> Result<Option<u64>, StoreError> {
        let through = self.horizon.through;
        let mut candidates = Vec::new();
        store.seen_ids(&mut |k, seq| {
            if k == key && seq <= through {
                candidates.push(seq);
            }
        })?;
        Ok(candidates.into_iter().find(|&seq| is_same(seq)))
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

    /// Records that the event stored as `seq` has `key`, and its device time `at` (Unix
    /// seconds) when known: the store is then not read for it when it leaves memory.
    /// Call [`SeenIds::leave`] after inserting to keep the window.
    pub fn insert(&mut self, key: u64, seq: u64, at: Option<i64>) {
        match self.first.get(&key) {
            None => {
                self.first.insert(key, seq);
            }
            Some(&taken) if taken == seq => return,
            Some(_) => {
                let more = self.more.entry(key).or_default();
                if more.contains(&seq) {
                    return;
                }
                more.push(seq);
            }
        }
        self.order
            .push_back((key, seq, at.unwrap_or(TIME_NOT_KNOWN)));
    }

    /// The sequence number of an earlier event under `key` that `is_same` confirms.
    pub fn find(&self, key: u64, mut is_same: impl FnMut(u64) -> bool) -> Option<u64> {
        let first = self.first.get(&key)?;
        std::iter::once(first)
            .chain(self.more.get(&key).into_iter().flatten())
            .copied()
            .find(|&seq| is_same(seq))
    }

    /// How many events the index holds in memory.
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

    /// Stores events `from..=to` of source "fp" with their keys as the core does: each
    /// inserted, the window kept, and the horizon stored with the commit.
    fn store_events(seen: &mut SeenIds, store: &SledStore, from: u64, to: u64) {
        let events: Vec<StoredEvent> = (from..=to)
            .map(|n| heartbeat(n, "fp", &format!("e{n}")))
            .collect();
        store
            .commit(&WriteBatch {
                events: records(&events),
                ..Default::default()
            })
            .expect("commit events");
        let mut seen_ids = Vec::new();
        for e in &events {
            let key = seen.key(&e.source, &e.event.id);
            seen.insert(key, e.seq, Some(e.event.at.unix_timestamp()));
            seen.leave(store);
            seen_ids.push((key, e.seq));
        }
        store
            .commit(&WriteBatch {
                seen_ids,
                dedup_horizon: seen.take_horizon(),
                ..Default::default()
            })
            .expect("commit keys");
    }

    #[test]
    fn ids_older_than_the_window_leave_memory_and_are_still_found_in_the_store() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SledStore::open(dir.path()).expect("open");
        let mut seen = SeenIds::with_window([3; 32], 3);
        store_events(&mut seen, &store, 1, 5);
        assert_eq!(seen.ids(), 3, "only the newest 3 ids stay in memory");
        assert_eq!(
            seq_of(&seen, &store, "fp", "e1"),
            None,
            "e1 has left memory"
        );
        assert_eq!(seq_of(&seen, &store, "fp", "e4"), Some(4));

        // e1 sent again, as it was: stamped no later than what left, so looked up and found.
        let sent_at = heartbeat(1, "fp", "e1").event.at;
        assert!(seen.may_have_left(sent_at, seen.key("fp", "e1")));
        let found = |seen: &SeenIds, id: &str| {
            seen.find_left(&store, seen.key("fp", id), |seq| {
                store
                    .event(seq)
                    .expect("read")
                    .is_some_and(|e| e.source == "fp" && e.event.id == id)
            })
            .expect("scan")
        };
        assert_eq!(found(&seen, "e1"), Some(1));
        assert_eq!(found(&seen, "e2"), Some(2));
        assert_eq!(found(&seen, "e9"), None, "an id never sent is not found");
        // An event stamped after everything that left cannot be one of them.
        assert!(!seen.may_have_left(sent_at + time::Duration::seconds(1), seen.key("fp", "e1")));
        // Nor can an id that never left memory, stamped however early (a panel's clock behind).
        assert!(!seen.may_have_left(sent_at, seen.key("fp", "e9")));

        // A restart keeps the same window from the stored horizon, without a lookup missed.
        let again = SeenIds::load_window(&store, [3; 32], 3).expect("load");
        assert_eq!(again.ids(), 3);
        assert_eq!(seq_of(&again, &store, "fp", "e3"), Some(3));
        assert!(again.may_have_left(sent_at, again.key("fp", "e2")));
        assert!(!again.may_have_left(sent_at, again.key("fp", "e9")));
        assert_eq!(found(&again, "e2"), Some(2));

        // A smaller window on restart moves more ids out, and still finds them.
        let smaller = SeenIds::load_window(&store, [3; 32], 1).expect("load smaller");
        assert_eq!(smaller.ids(), 1);
        assert_eq!(found(&smaller, "e4"), Some(4));
        assert_eq!(seq_of(&smaller, &store, "fp", "e5"), Some(5));
    }

    #[test]
    fn ids_leaving_memory_with_their_times_need_no_read_of_the_store() {
        // A store without the events: a read there would make every later event a lookup.
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SledStore::open(dir.path()).expect("open");
        let mut seen = SeenIds::with_window([5; 32], 1);
        let at = heartbeat(1, "fp", "e1").event.at;
        for (seq, id) in [(1, "e1"), (2, "e2")] {
            seen.insert(seen.key("fp", id), seq, Some(at.unix_timestamp()));
            seen.leave(&store);
        }
        let horizon = seen.take_horizon().expect("e1 left");
        assert_eq!(horizon.through, 1);
        assert_eq!(horizon.latest_at, at.unix_timestamp());
        assert!(seen.may_have_left(at, seen.key("fp", "e1")));
        assert!(
            !seen.may_have_left(at + time::Duration::seconds(1), seen.key("fp", "e1")),
            "an event stamped after what left is not looked up"
        );
    }

    #[test]
    fn a_key_leaving_memory_keeps_the_other_ids_under_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SledStore::open(dir.path()).expect("open");
        store
            .commit(&WriteBatch {
                events: records(&(1..=4).map(|n| heartbeat(n, "fp", "x")).collect::<Vec<_>>()),
                ..Default::default()
            })
            .expect("commit");
        let mut seen = SeenIds::with_window([0; 32], 2);
        // Two events under one key, as a collision would put them, then two others.
        for (key, seq) in [(42, 1), (42, 2), (7, 3), (8, 4)] {
            seen.insert(key, seq, None);
            seen.leave(&store);
        }
        assert_eq!(seen.ids(), 2);
        assert_eq!(seen.find(42, |_| true), None);
        assert_eq!(seen.find(7, |seq| seq == 3), Some(3));
        let mut seen = SeenIds::with_window([0; 32], 2);
        for (key, seq) in [(42, 1), (7, 2), (42, 3)] {
            seen.insert(key, seq, None);
            seen.leave(&store);
        }
        assert_eq!(
            seen.find(42, |seq| seq == 3),
            Some(3),
            "the newer id under 42 stays"
        );
        assert_eq!(seen.find(42, |seq| seq == 1), None);
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
        seen.insert(key, 7, None);
        assert_eq!(seen.find(key, |seq| seq == 7), Some(7));
        assert_eq!(seen.find(key, |_| false), None);
    }

    #[test]
    fn ids_whose_keys_collide_are_both_kept() {
        let mut seen = SeenIds::new([0; 32]);
        // Two different events under one key, as a collision would put them.
        seen.insert(42, 3, None);
        seen.insert(42, 9, None);
        seen.insert(42, 9, None);
        assert_eq!(seen.ids(), 2);
        assert_eq!(seen.find(42, |seq| seq == 3), Some(3));
        assert_eq!(seen.find(42, |seq| seq == 9), Some(9));
        assert_eq!(seen.find(42, |seq| seq == 5), None);
    }
}
