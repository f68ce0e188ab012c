//! The active hub's lease, without I/O: when the holder renews it, until when it may still ack,
//! and when a standby may take it. The times are passed in; [`super::leader`] does the talking
//! to the cluster's key-value bucket.
//!
//! The bucket forgets the key `ttl` after it was last written. A renewal sent at `sent` was
//! written no earlier than `sent`, so the holder's lease lasts at least until `sent + ttl`: the
//! holder counts it valid only until `sent + ttl - margin`, and so stops acking before any
//! standby can see the key gone and take it.

use std::time::{Duration, Instant};

/// The lease's timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// How long the bucket keeps the key after its last write.
    pub ttl: Duration,
}

impl Timing {
    /// Timing for a lease the bucket keeps `ttl` after each write.
    pub fn new(ttl: Duration) -> Timing {
        Timing { ttl }
    }

    /// How often the holder renews: about three times per `ttl` (every second for 3 s).
    pub fn renew_every(&self) -> Duration {
        self.ttl / 3
    }

    /// What the holder keeps back from the `ttl` for clocks running at slightly different
    /// rates and for the time the bucket takes to forget the key: a tenth, at least 200 ms.
    pub fn margin(&self) -> Duration {
        (self.ttl / 10).max(Duration::from_millis(200))
    }
}

/// The hub that holds the lease, as the bucket's key says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Holder {
    /// The hub's id (random per process).
    pub hub: String,
    /// Where its devices and consoles reach it.
    pub address: String,
}

/// This hub's standing with the lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lease {
    /// Not held: the hub is a standby, and `active` is the holder it last saw, if any.
    Standby { active: Option<Holder> },
    /// Held: the key's revision this hub last wrote, when it sent that write, and when it may
    /// renew next.
    Held {
        revision: u64,
        sent: Instant,
        renew_at: Instant,
    },
    /// Held once and lost: the hub acks nothing more.
    Lost { why: String },
}

/// What the holder does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Nothing until then.
    Wait(Instant),
    /// Renew now, expecting the key at this revision.
    Renew { revision: u64 },
    /// The lease is gone: stop acking and exit.
    GiveUp,
}

impl Lease {
    /// A hub that has not taken the lease.
    pub fn standby() -> Lease {
        Lease::Standby { active: None }
    }

    /// A standby saw the key: `Some` holder, or `None` when the bucket has no key (expired,
    /// deleted, or never made). It may try to take the lease when there is none.
    pub fn observed(&mut self, holder: Option<Holder>) -> bool {
        if let Lease::Standby { active } = self {
            *active = holder;
            return active.is_none();
        }
        false
    }

    /// The lease was taken or renewed with a write sent at `sent` that the bucket stored at
    /// `revision`.
    pub fn written(&mut self, timing: Timing, revision: u64, sent: Instant) {
        if matches!(self, Lease::Lost { .. }) {
            return;
        }
        *self = Lease::Held {
            revision,
            sent,
            renew_at: sent + timing.renew_every(),
        };
    }

    /// A renewal was refused because the key is at another revision (another hub wrote it):
    /// the lease is lost whatever the clock says.
    pub fn taken(&mut self, why: String) {
        if matches!(self, Lease::Held { .. }) {
            *self = Lease::Lost { why };
        }
    }

    /// Whether this hub may ack at `now`: it holds the lease and its last write is recent
    /// enough that no other hub can have taken it.
    pub fn holds(&self, timing: Timing, now: Instant) -> bool {
        match self {
            Lease::Held { sent, .. } => now < valid_until(timing, *sent),
            _ => false,
        }
    }

    /// What the holder does at `now`: wait, renew, or give up once the lease ran out.
    pub fn next(&mut self, timing: Timing, now: Instant) -> Next {
        match self {
            Lease::Held {
                revision,
                sent,
                renew_at,
            } => {
                if now >= valid_until(timing, *sent) {
                    let why = format!(
                        "the lease was not renewed within {} ms",
                        timing.ttl.saturating_sub(timing.margin()).as_millis()
                    );
                    *self = Lease::Lost { why };
                    Next::GiveUp
                } else if now >= *renew_at {
                    Next::Renew {
                        revision: *revision,
                    }
                } else {
                    Next::Wait(*renew_at)
                }
            }
            Lease::Lost { .. } => Next::GiveUp,
            Lease::Standby { .. } => Next::GiveUp,
        }
    }

    /// A renewal attempt at `now` failed without an answer (timeout, no cluster): try again
    /// shortly, while the lease lasts.
    pub fn retry_soon(&mut self, now: Instant) {
        if let Lease::Held { renew_at, .. } = self {
            *renew_at = now + RETRY;
        }
    }
}

/// How soon a renewal that got no answer is tried again.
const RETRY: Duration = Duration::from_millis(200);

fn valid_until(timing: Timing, sent: Instant) -> Instant {
    sent + timing.ttl.saturating_sub(timing.margin())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL: Duration = Duration::from_secs(3);

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn holder(hub: &str) -> Holder {
        Holder {
            hub: hub.into(),
            address: format!("http://{hub}:7400"),
        }
    }

    #[test]
    fn a_standby_may_take_the_lease_only_when_the_bucket_has_no_key() {
        let mut lease = Lease::standby();
        assert!(!lease.observed(Some(holder("a"))));
        assert_eq!(
            lease,
            Lease::Standby {
                active: Some(holder("a"))
            }
        );
        assert!(lease.observed(None));
        let timing = Timing::new(TTL);
        lease.written(timing, 7, Instant::now());
        assert!(!lease.observed(None), "a holder does not take it again");
    }

    #[test]
    fn the_holder_renews_every_third_of_the_ttl_and_waits_in_between() {
        let timing = Timing::new(TTL);
        let t0 = Instant::now();
        let mut lease = Lease::standby();
        lease.written(timing, 1, t0);
        assert_eq!(lease.next(timing, t0 + ms(500)), Next::Wait(t0 + ms(1000)));
        assert_eq!(
            lease.next(timing, t0 + ms(1000)),
            Next::Renew { revision: 1 }
        );
        lease.written(timing, 2, t0 + ms(1000));
        assert_eq!(lease.next(timing, t0 + ms(1500)), Next::Wait(t0 + ms(2000)));
        assert!(lease.holds(timing, t0 + ms(3500)));
    }

    #[test]
    fn without_a_renewal_the_holder_stops_acking_before_the_bucket_forgets_the_key() {
        let timing = Timing::new(TTL);
        let t0 = Instant::now();
        let mut lease = Lease::standby();
        assert!(!lease.holds(timing, t0), "a standby never acks");
        lease.written(timing, 1, t0);
        assert!(lease.holds(timing, t0 + ms(2699)));
        // Renewals that get no answer are retried while the lease lasts.
        assert_eq!(
            lease.next(timing, t0 + ms(1000)),
            Next::Renew { revision: 1 }
        );
        lease.retry_soon(t0 + ms(1000));
        assert_eq!(lease.next(timing, t0 + ms(1100)), Next::Wait(t0 + ms(1200)));
        // 300 ms before the key can expire, the lease is over: no ack from here on.
        assert!(!lease.holds(timing, t0 + ms(2700)));
        assert_eq!(lease.next(timing, t0 + ms(2700)), Next::GiveUp);
        assert!(matches!(lease, Lease::Lost { .. }));
        // A late answer to a renewal does not bring it back.
        lease.written(timing, 2, t0 + ms(2800));
        assert!(!lease.holds(timing, t0 + ms(2800)));
    }

    #[test]
    fn a_renewal_refused_for_another_revision_loses_the_lease_at_once() {
        let timing = Timing::new(TTL);
        let t0 = Instant::now();
        let mut lease = Lease::standby();
        lease.written(timing, 4, t0);
        lease.taken("the key is at revision 6".into());
        assert!(!lease.holds(timing, t0 + ms(10)));
        assert_eq!(lease.next(timing, t0 + ms(10)), Next::GiveUp);
    }

    #[test]
    fn the_margin_is_a_tenth_of_the_ttl_and_never_under_200_ms() {
        assert_eq!(Timing::new(Duration::from_secs(30)).margin(), ms(3000));
        assert_eq!(Timing::new(Duration::from_secs(1)).margin(), ms(200));
        assert_eq!(Timing::new(TTL).renew_every(), ms(1000));
    }
}
