//! Which id keys have left the in-memory duplicate index, as a Bloom filter: "no" is certain,
//! "maybe" is confirmed by a scan of the stored keys.
//!
//! Without it every event stamped before the newest id that left memory would be looked up by a
//! scan of every stored key, on the core's thread; a panel whose clock is behind (common in the
//! field) stamps every event so, and the scans held every other device's events back (at
//! 250,000 stored events the hub acked about a hundred events a second). With it only a re-sent
//! id, or fewer than one new id in a thousand, pays for the scan.
//!
//! A false "maybe" costs a scan of every stored key, so the filter is made for few of them:
//! it grows in parts, each holding twice the keys of the one before (no size is given in
//! advance) with two bits a key more, so that their false "maybe"s add up to less than one in a
//! thousand however many parts there are: 24 to 48 bits a key, about 5.4 MiB at a million keys.

/// Bits a key in the first part (0.05 % false "maybe"); each later part has two more.
const FIRST_BITS_PER_KEY: usize = 16;
/// Keys the first part holds before a second is added.
const FIRST_CAPACITY: usize = 1 << 16;

/// The keys that have left memory.
#[derive(Default)]
pub struct LeftFilter {
    parts: Vec<Part>,
}

struct Part {
    bits: Vec<u64>,
    /// Bits set and tested per key.
    probes: u64,
    capacity: usize,
    len: usize,
}

impl LeftFilter {
    /// Records that `key` has left memory.
    pub fn insert(&mut self, key: u64) {
        let full = self.parts.last().is_none_or(|p| p.len >= p.capacity);
        if full {
            let capacity = self.parts.last().map_or(FIRST_CAPACITY, |p| p.capacity * 2);
            let bits_per_key = FIRST_BITS_PER_KEY + 2 * self.parts.len();
            self.parts.push(Part::new(capacity, bits_per_key));
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
    /// A part for `capacity` keys at `bits_per_key`, probed the number of times that makes
    /// the fewest false "maybe"s (bits per key × ln 2).
    fn new(capacity: usize, bits_per_key: usize) -> Part {
        Part {
            bits: vec![0; (capacity * bits_per_key).div_ceil(64)],
            probes: (bits_per_key as u64 * 69).div_ceil(100),
            capacity,
            len: 0,
        }
    }

    fn insert(&mut self, key: u64) {
        for bit in positions(self.bits.len(), self.probes, key) {
            self.bits[bit / 64] |= 1 << (bit % 64);
        }
        self.len += 1;
    }

    fn contains(&self, key: u64) -> bool {
        positions(self.bits.len(), self.probes, key)
            .all(|bit| self.bits[bit / 64] & (1 << (bit % 64)) != 0)
    }
}

/// The `probes` bit positions of `key` in `words` 64-bit words: double hashing from the key
/// (already a uniform hash) and a second hash mixed from it.
fn positions(words: usize, probes: u64, key: u64) -> impl Iterator<Item = usize> {
    let m = (words * 64) as u64;
    let step =
        (key.rotate_left(32) ^ 0x9e37_79b9_7f4a_7c15).wrapping_mul(0xff51_afd7_ed55_8ccd) | 1;
    (0..probes).map(move |i| (key.wrapping_add(i.wrapping_mul(step)) % m) as usize)
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
    fn hardly_any_key_that_never_left_is_a_maybe_and_memory_stays_bounded() {
        let mut filter = LeftFilter::default();
        assert!(!filter.may_contain(42), "an empty filter says no");
        let count = 300_000;
        for key in keys(0, count) {
            filter.insert(key);
        }
        let tried = 1_000_000;
        let maybes = keys(1 << 40, tried)
            .filter(|&k| filter.may_contain(k))
            .count();
        assert!(maybes < 1_000, "{maybes} of {tried} new keys said maybe");
        let per_key = filter.bytes() as f64 * 8.0 / count as f64;
        assert!(per_key < 48.0, "{per_key:.1} bits a key");
        eprintln!("{maybes} of {tried} new keys said maybe; {per_key:.1} bits a key");
    }
}
