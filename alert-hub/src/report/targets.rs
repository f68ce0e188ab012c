//! The times a response is measured against, from this domain's rules (`DESIGN.md`, "Domain
//! facts"). Acknowledgement targets are the hub's own, by priority: a P1 alarm reaches the
//! operator within 90 s (NFPA 72) and is acknowledged within a minute of that; urgent faults
//! are answered within 30 minutes and general ones within 2 hours. Step targets are the
//! playbook's own deadlines (call 119 within 5 minutes, the lift company on site within 30).

use time::Duration;

use crate::protocol::Priority;

/// How soon an incident of `priority` is to be acknowledged.
pub fn acknowledge_within(priority: Priority) -> Duration {
    match priority {
        Priority::P1 => Duration::seconds(60),
        Priority::P2 => Duration::minutes(5),
        Priority::P3 => Duration::minutes(30),
        Priority::P4 => Duration::hours(2),
    }
}

/// The lift company on site for a passenger trapped in a lift.
pub const LIFT_RESCUE_ON_SITE: Duration = Duration::minutes(30);

/// Someone on site for an urgent fault (a lift or fire system out of service): residents are
/// promised 15 minutes.
pub const URGENT_FAULT_ON_SITE: Duration = Duration::minutes(15);

/// 119 called for a real fire: at once, which the fire playbook holds to five minutes.
pub const FIRE_119_CALLED: Duration = Duration::minutes(5);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_urgent_incidents_have_shorter_targets() {
        let order =
            [Priority::P1, Priority::P2, Priority::P3, Priority::P4].map(acknowledge_within);
        assert!(order.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(order[0], Duration::seconds(60));
    }
}
