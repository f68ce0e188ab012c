//! Which id keys have left the in-memory duplicate index, as a Bloom filter: "no" is certain,
//! "maybe" is confirmed by a scan of the stored keys.
//!
//! Without it every event stamped before the newest id that left memory would be looked up by a
//! scan of every stored key, on the core's thread; a panel whose clock is behind (common in the
//! field) stamps every event so, and the scans held every other device's events back (at
//! 250,000 stored events the hub acked about a hundred events a second). With it only a re-sent
//! id, or about one new id in a hundred, pays for the scan.
//!
//! The filter grows in parts, each twice the size of the one before, so it needs no size given
//! in advance: about 10 bits (1.25 bytes) a key, 1.3 MB a million.

/// Bits a key: with [`PROBES`] probes, about 1 % false "maybe" per part.
const BITS_PER_KEY: usize = 10;
/// Bits set and tested per key.
const PROBES: u64 = 7;
/// Keys the first part holds before a second is added.
const FIRST_CAPACITY: usize = 1 << 16;

/// The keys that have left memory.
#[derive(Default)]
pub struct LeftFilter {
    parts: Vec<Part>,
}

struct Part {
    bits: Vec<u64>,
    capacity: usize,
    len: usize,
}

impl LeftFilter {
    /// Records that `key` has left memory.
    pub fn insert(&mut self, key: u64) {
        let full = self.parts.last().is_none_or(|p| p.len >= p.capacity);
        if full {
            let capacity = self.parts.last().map_or(FIRST_CAPACITY, |p| p.capacity * 2);
            self.parts.push(Part::new(capacity));
        }
        if let Some(part) = self.parts.last_mut() {
            part.insert(key);
        }
    }

    /// False when `key` has certainly not left memory; true when it may have.
    pub fn may_contain(&self, key: u64) -> bool {
        self.parts.iter().any(|p| p.contains(key))
    }

    /// The memory the filter takes, in bytes.
    #[cfg(test)]
    pub fn bytes(&self) -> usize {
        self.parts.iter().map(|p| p.bits.len() * 8).sum()
    }
}

impl Part {
    fn new(capacity: usize) -> Part {
        Part {
            bits: vec![0; (capacity * BITS_PER_KEY).div_ceil(64)],
            capacity,
            len: 0,
        }
    }

    /// The bit positions of `key`: double hashing from the key (already a uniform hash) and a
    /// second hash mixed from it.
    fn probes(&self, key: u64) -> impl Iterator<Item = usize> {
        let m = (self.bits.len() * 64) as u64;
        let step =
            (key.rotate_left(32) ^ 0x9e37_79b9_7f4a_7c15).wrapping_mul(0xff51_afd7_ed55_8ccd) | 1;
        (0..PROBES).map(move |i| (key.wrapping_add(i.wrapping_mul(step)) % m) as usize)
    }

    fn insert(&mut self, key: u64) {
        let probes: Vec<usize> = self.probes(key).collect();
        for bit in probes {
            self.bits[bit / 64] |= 1 << (bit % 64);
        }
        self.len += 1;
    }

    fn contains(&self, key: u64) -> bool {
        self.probes(key)
            .all(|bit| self.bits[bit / 64] & (1 << (bit % 64)) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys as the index makes them: uniformly spread 64-bit values (splitmix64 here).
    fn keys(from: u64, count: u64) -> impl Iterator<Item = u64> {
        (from..from + count).map(|n| {
            let mut z = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        })
    }

    #[test]
    fn every_key_that_left_is_a_maybe() {
        let mut filter = LeftFilter::default();
        for key in keys(0, 300_000) {
            filter.insert(key);
        }
        assert!(keys(0, 300_000).all(|k| filter.may_contain(k)));
    }

    #[test]
    fn few_keys_that_never_left_are_a_maybe_and_memory_stays_near_ten_bits_a_key() {
        let mut filter = LeftFilter::default();
        assert!(!filter.may_contain(42), "an empty filter says no");
        let count = 300_000;
        for key in keys(0, count) {
            filter.insert(key);
        }
        let tried = 100_000;
        let maybes = keys(1 << 40, tried)
            .filter(|&k| filter.may_contain(k))
            .count();
        let rate = maybes as f64 / tried as f64;
        assert!(rate < 0.03, "{maybes} of {tried} new keys said maybe");
        let per_key = filter.bytes() as f64 * 8.0 / count as f64;
        assert!(
            per_key < 2.0 * BITS_PER_KEY as f64,
            "{per_key:.1} bits a key"
        );
    }
}
