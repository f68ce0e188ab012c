//! Per-source rate limits: a token bucket per source, shared by all its connections.
//!
//! The limit is for a source far above any real panel's rate; below it a busy source is only
//! slowed by backpressure. Life-safety alarms (P1 kinds) are never refused for rate.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use crate::config::Source;
use crate::protocol::{EventKind, Priority};

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Token buckets, one per source.
#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// Takes one token for an event of `kind` from `source` at `now`; false means refuse it.
    pub fn allow(&self, source: &Source, kind: EventKind, now: Instant) -> bool {
        let Ok(mut buckets) = self.buckets.lock() else {
            return true;
        };
        let rate = f64::from(source.max_events_per_sec);
        let capacity = rate + f64::from(source.burst);
        let bucket = buckets.entry(source.id.clone()).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return true;
        }
        kind.priority() == Some(Priority::P1)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::config::SourceKind;

    fn source(rate: u32, burst: u32) -> Source {
        Source {
            id: "fp".into(),
            site: "gg".into(),
            kind: SourceKind::FirePanel,
            heartbeat_secs: 60,
            max_events_per_sec: rate,
            burst,
        }
    }

    #[test]
    fn a_burst_passes_then_the_sustained_rate_holds() {
        let limiter = RateLimiter::default();
        let s = source(10, 5);
        let t0 = Instant::now();
        let passed = (0..100)
            .filter(|_| limiter.allow(&s, EventKind::FireTrouble, t0))
            .count();
        assert_eq!(passed, 15, "rate plus burst at once");
        let later = t0 + Duration::from_secs(1);
        let passed = (0..100)
            .filter(|_| limiter.allow(&s, EventKind::FireTrouble, later))
            .count();
        assert_eq!(passed, 10, "one second refills the sustained rate");
    }

    #[test]
    fn life_safety_alarms_are_never_refused_for_rate() {
        let limiter = RateLimiter::default();
        let s = source(1, 0);
        let t0 = Instant::now();
        assert!(limiter.allow(&s, EventKind::Heartbeat, t0));
        assert!(!limiter.allow(&s, EventKind::Heartbeat, t0));
        assert!(limiter.allow(&s, EventKind::FireAlarm, t0));
        assert!(limiter.allow(&s, EventKind::ElevatorEntrapment, t0));
        assert!(!limiter.allow(&s, EventKind::AccessForced, t0));
    }
}
