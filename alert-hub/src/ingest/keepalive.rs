//! Keeping a device connection honest: ping it when it is idle, and give it up once it has been
//! silent (no frame, not even a pong) for three of its heartbeat intervals.

use std::time::Duration;

/// The longest wait between pings of an idle connection, so that a quiet connection is still
/// proved alive through firewalls and NAT that forget idle flows.
pub const MAX_PING_INTERVAL: Duration = Duration::from_secs(30);

/// The shortest silence after which a connection is given up, whatever the heartbeat.
pub const MIN_SILENCE: Duration = Duration::from_secs(30);

/// One connection's silence, counted in ticks of [`KeepAlive::every`].
#[derive(Debug)]
pub struct KeepAlive {
    every: Duration,
    limit: Duration,
    heard: bool,
    silent_for: Duration,
}

/// What to do at a tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idle {
    /// The device spoke since the last tick.
    Heard,
    /// Silent since the last tick: ping it.
    Ping,
    /// Silent for longer than the limit, this long: close the connection.
    Lost(Duration),
}

impl KeepAlive {
    /// For a source that sends `heartbeat` every `heartbeat_secs`.
    pub fn for_heartbeat(heartbeat_secs: u64) -> KeepAlive {
        let heartbeat = Duration::from_secs(heartbeat_secs.max(1));
        KeepAlive {
            every: heartbeat.min(MAX_PING_INTERVAL),
            limit: (heartbeat * 3).max(MIN_SILENCE),
            heard: false,
            silent_for: Duration::ZERO,
        }
    }

    /// How often [`KeepAlive::tick`] is to be called.
    pub fn every(&self) -> Duration {
        self.every
    }

    /// Notes that a frame (of any kind) came in.
    pub fn heard(&mut self) {
        self.heard = true;
    }

    /// Called every [`KeepAlive::every`]: what the connection needs now.
    pub fn tick(&mut self) -> Idle {
        if std::mem::take(&mut self.heard) {
            self.silent_for = Duration::ZERO;
            return Idle::Heard;
        }
        self.silent_for += self.every;
        if self.silent_for > self.limit {
            Idle::Lost(self.silent_for)
        } else {
            Idle::Ping
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_silent_connection_is_pinged_then_lost_after_three_heartbeats() {
        let mut keepalive = KeepAlive::for_heartbeat(20);
        assert_eq!(keepalive.every(), Duration::from_secs(20));
        assert_eq!(keepalive.tick(), Idle::Ping);
        assert_eq!(keepalive.tick(), Idle::Ping);
        assert_eq!(keepalive.tick(), Idle::Ping);
        assert_eq!(keepalive.tick(), Idle::Lost(Duration::from_secs(80)));
    }

    #[test]
    fn a_frame_or_a_pong_restarts_the_count() {
        let mut keepalive = KeepAlive::for_heartbeat(20);
        assert_eq!(keepalive.tick(), Idle::Ping);
        assert_eq!(keepalive.tick(), Idle::Ping);
        keepalive.heard();
        assert_eq!(keepalive.tick(), Idle::Heard);
        assert_eq!(keepalive.tick(), Idle::Ping);
    }

    #[test]
    fn short_heartbeats_have_a_floor_and_long_ones_are_pinged_twice_a_minute() {
        let mut fast = KeepAlive::for_heartbeat(1);
        let lost =
            std::iter::repeat_with(|| fast.tick()).position(|idle| matches!(idle, Idle::Lost(_)));
        assert_eq!(lost, Some(30), "lost after 31 silent seconds");
        let lift = KeepAlive::for_heartbeat(3 * 24 * 60 * 60);
        assert_eq!(lift.every(), MAX_PING_INTERVAL);
    }
}
