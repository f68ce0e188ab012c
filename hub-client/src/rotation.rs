//! Which of several hub addresses to try next, and after how long, when a connection cannot be
//! made or ends. Pure: the caller reports what happened and sleeps the wait it is given.
//!
//! A failed or lost connection moves on to the next address (round the list), since a standby
//! hub refuses everything until it takes over from the active one. The wait grows only once
//! every address has failed in a row: each full round waits longer, up to the back-off's
//! maximum. With one address this is a plain doubling back-off on that address.

use std::time::Duration;

/// The wait before an attempt: `first`, doubling with each round of failures, at most `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
}

impl Backoff {
    /// The wait in round `round` (1-based) of consecutive failures.
    pub fn wait(&self, round: u32) -> Duration {
        let doublings = round.saturating_sub(1).min(16);
        self.first.saturating_mul(1 << doublings).min(self.max)
    }
}

/// How an attempt at the current address ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No connection could be made, the hub refused it for now (a standby's 503), or an open
    /// connection dropped or went silent: another address may answer.
    Lost,
    /// The client closed a good connection itself to resume on it (after a gap in what it
    /// received): the same hub again.
    Resume,
    /// Trying again cannot help until a person changes something (a refused token).
    Final,
}

/// The next attempt: at which address, after what wait, and how many attempts have failed in
/// a row since the last connection (1 for the first failure).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    pub index: usize,
    pub wait: Duration,
    pub failures: u32,
}

/// Where a client stands among `count` addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    count: usize,
    current: usize,
    failures: u32,
    backoff: Backoff,
}

impl Rotation {
    /// Starts at the first of `count` addresses (at least one is assumed).
    pub fn new(count: usize, backoff: Backoff) -> Rotation {
        Rotation {
            count: count.max(1),
            current: 0,
            failures: 0,
            backoff,
        }
    }

    /// Starts at address `index` of `count` (a client that reached that one first).
    pub fn starting_at(count: usize, index: usize, backoff: Backoff) -> Rotation {
        let mut rotation = Rotation::new(count, backoff);
        rotation.current = index % rotation.count;
        rotation
    }

    /// The index of the address to use now.
    pub fn current(&self) -> usize {
        self.current
    }

    /// How many attempts have failed in a row since the last connection.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// A connection was made at the current address: the next failure starts afresh.
    pub fn connected(&mut self) {
        self.failures = 0;
    }

    /// The attempt at the current address ended with `failure`: where and when to try next,
    /// or `None` to stop trying.
    pub fn failed(&mut self, failure: Failure) -> Option<Retry> {
        self.failures = self.failures.saturating_add(1);
        match failure {
            Failure::Final => return None,
            Failure::Resume => {}
            Failure::Lost => self.current = (self.current + 1) % self.count,
        }
        let count = u32::try_from(self.count).unwrap_or(u32::MAX);
        let round = (self.failures - 1) / count + 1;
        Some(Retry {
            index: self.current,
            wait: self.backoff.wait(round),
            failures: self.failures,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BACKOFF: Backoff = Backoff {
        first: Duration::from_millis(100),
        max: Duration::from_secs(2),
    };

    fn ms(d: Duration) -> u64 {
        d.as_millis() as u64
    }

    #[test]
    fn one_address_backs_off_doubling_up_to_the_maximum() {
        let mut r = Rotation::new(1, BACKOFF);
        let waits: Vec<(usize, u64)> = (0..7)
            .map(|_| {
                let next = r.failed(Failure::Lost).unwrap();
                (next.index, ms(next.wait))
            })
            .collect();
        assert_eq!(
            waits,
            [
                (0, 100),
                (0, 200),
                (0, 400),
                (0, 800),
                (0, 1600),
                (0, 2000),
                (0, 2000)
            ]
        );
    }

    #[test]
    fn a_lost_hub_moves_on_round_the_list_and_waits_longer_each_full_round() {
        let mut r = Rotation::new(3, BACKOFF);
        assert_eq!(r.current(), 0);
        let tried: Vec<(usize, u64, u32)> = (0..7)
            .map(|_| {
                let next = r.failed(Failure::Lost).unwrap();
                (next.index, ms(next.wait), next.failures)
            })
            .collect();
        assert_eq!(
            tried,
            [
                (1, 100, 1),
                (2, 100, 2),
                (0, 100, 3),
                (1, 200, 4),
                (2, 200, 5),
                (0, 200, 6),
                (1, 400, 7),
            ]
        );
    }

    #[test]
    fn a_connection_resets_the_wait_but_not_the_place() {
        let mut r = Rotation::new(2, BACKOFF);
        for _ in 0..5 {
            r.failed(Failure::Lost);
        }
        assert_eq!(r.current(), 1);
        r.connected();
        let next = r.failed(Failure::Lost).unwrap();
        assert_eq!((next.index, ms(next.wait), next.failures), (0, 100, 1));
    }

    #[test]
    fn resuming_stays_on_the_same_hub_and_a_final_failure_stops() {
        let mut r = Rotation::new(2, BACKOFF);
        r.connected();
        let next = r.failed(Failure::Resume).unwrap();
        assert_eq!(next.index, 0, "a resync reconnects to the hub it came from");
        assert_eq!(r.failed(Failure::Final), None);
        assert_eq!(r.failures(), 2);
    }

    #[test]
    fn a_client_can_start_at_the_hub_it_reached_first() {
        let mut r = Rotation::starting_at(3, 2, BACKOFF);
        assert_eq!(r.current(), 2);
        assert_eq!(r.failed(Failure::Lost).map(|n| n.index), Some(0));
        assert_eq!(Rotation::starting_at(2, 5, BACKOFF).current(), 1);
    }

    #[test]
    fn the_wait_never_overflows() {
        assert_eq!(BACKOFF.wait(u32::MAX), BACKOFF.max);
        let mut r = Rotation::new(usize::MAX, BACKOFF);
        assert!(r.failed(Failure::Lost).is_some());
    }
}
