//! The operator's own shift in figures, shown at hand-over: what opened since the shift began,
//! how fast the real incidents were acknowledged, and what is still open. Drill incidents are
//! counted apart and never in the real figures.

use alert_hub::protocol::{HandOverRecord, HandOverStatus, IncidentView, Priority};
use time::{Duration, OffsetDateTime};

/// How far back a shift reaches when this operator has not taken one over by a hand-over.
pub const DEFAULT_SHIFT: Duration = Duration::hours(12);

/// When `me`'s shift began: the newest hand-over they confirmed, else [`DEFAULT_SHIFT`] ago.
pub fn shift_start(records: &[HandOverRecord], me: &str, now: OffsetDateTime) -> OffsetDateTime {
    records
        .iter()
        .filter(|r| r.incoming == me)
        .filter_map(|r| match r.status {
            HandOverStatus::Confirmed { at, .. } if at <= now => Some(at),
            _ => None,
        })
        .max()
        .filter(|at| now - *at <= DEFAULT_SHIFT * 2)
        .unwrap_or(now - DEFAULT_SHIFT)
}

/// The figures of one shift.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftSummary {
    pub since: OffsetDateTime,
    /// Real incidents opened in the shift, by priority (P1 first).
    pub real: [u32; 4],
    /// Drill incidents opened in the shift.
    pub drill: u32,
    /// Real incidents of the shift closed by now, and those still open.
    pub closed: u32,
    pub open: u32,
    /// Real incidents of the shift no one has acknowledged yet.
    pub unacknowledged: u32,
    /// The median time from opening to acknowledgement of the real incidents acknowledged.
    pub ack_median: Option<Duration>,
    /// The slowest acknowledgement and its incident.
    pub ack_slowest: Option<(String, Duration)>,
}

impl ShiftSummary {
    /// The figures of the incidents that opened at or after `since`; others are ignored.
    pub fn of(incidents: &[IncidentView], since: OffsetDateTime) -> ShiftSummary {
        let mut summary = ShiftSummary {
            since,
            real: [0; 4],
            drill: 0,
            closed: 0,
            open: 0,
            unacknowledged: 0,
            ack_median: None,
            ack_slowest: None,
        };
        let mut acks: Vec<(Duration, &str)> = Vec::new();
        for i in incidents.iter().filter(|i| i.opened_at >= since) {
            if i.drill.is_some() {
                summary.drill += 1;
                continue;
            }
            summary.real[priority_index(i.priority)] += 1;
            if i.state.is_open() {
                summary.open += 1;
            } else {
                summary.closed += 1;
            }
            if i.is_unacknowledged() {
                summary.unacknowledged += 1;
            }
            if let Some(at) = i.first_acknowledged_at.or(i.acknowledged_at) {
                acks.push((at - i.opened_at, &i.id));
            }
        }
        acks.sort();
        summary.ack_median = acks.get(acks.len().saturating_sub(1) / 2).map(|a| a.0);
        summary.ack_slowest = acks.last().map(|(d, id)| (id.to_string(), *d));
        summary
    }

    /// Real incidents opened in the shift.
    pub fn real_total(&self) -> u32 {
        self.real.iter().sum()
    }
}

fn priority_index(priority: Priority) -> usize {
    match priority {
        Priority::P1 => 0,
        Priority::P2 => 1,
        Priority::P3 => 2,
        Priority::P4 => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alert_hub::protocol::{EventKind, IncidentState, Location};
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-20 20:00 UTC);

    fn incident(id: &str, priority: Priority, opened_min_ago: i64) -> IncidentView {
        let opened = NOW - Duration::minutes(opened_min_ago);
        IncidentView {
            id: id.into(),
            kind: EventKind::FireAlarm,
            priority,
            state: IncidentState::New,
            location: Location::default(),
            opened_at: opened,
            last_event_at: opened,
            acknowledged_at: None,
            first_acknowledged_at: None,
            owner: None,
            event_count: 1,
            devices: vec![],
            device_count: 1,
            confirmed_by_two_detectors: false,
            flapping: false,
            flap_count: 0,
            restored: false,
            on_test: false,
            drill: None,
            close_requested_by: None,
            source: "fp".into(),
            panel_code: None,
            playbook: None,
            notifications: None,
        }
    }

    fn acked(mut i: IncidentView, secs: i64, state: IncidentState) -> IncidentView {
        i.acknowledged_at = Some(i.opened_at + Duration::seconds(secs));
        i.state = state;
        i
    }

    fn confirmed(incoming: &str, at: OffsetDateTime) -> HandOverRecord {
        HandOverRecord {
            seq: 1,
            outgoing: "op-wang".into(),
            incoming: incoming.into(),
            at: at - Duration::minutes(2),
            note: String::new(),
            open_incidents: vec![],
            overdue_steps: vec![],
            status: HandOverStatus::Confirmed {
                at,
                note: String::new(),
            },
        }
    }

    #[test]
    fn the_shift_begins_when_this_operator_confirmed_the_hand_over_to_them() {
        let took_over = NOW - Duration::hours(3);
        let records = vec![
            confirmed("op-li", took_over),
            confirmed("op-zhao", NOW - Duration::hours(1)),
        ];
        assert_eq!(shift_start(&records, "op-li", NOW), took_over);
        assert_eq!(shift_start(&records, "op-chen", NOW), NOW - DEFAULT_SHIFT);
    }

    #[test]
    fn a_hand_over_from_days_ago_does_not_stretch_the_shift() {
        let records = vec![confirmed("op-li", NOW - Duration::days(3))];
        assert_eq!(shift_start(&records, "op-li", NOW), NOW - DEFAULT_SHIFT);
    }

    #[test]
    fn real_incidents_are_counted_by_priority_and_drills_apart() {
        let mut drill = acked(incident("D1", Priority::P1, 30), 2, IncidentState::Closed);
        drill.drill = Some("q2-lift".into());
        let incidents = vec![
            acked(incident("A", Priority::P1, 60), 20, IncidentState::Closed),
            acked(
                incident("B", Priority::P3, 50),
                90,
                IncidentState::InProgress,
            ),
            acked(incident("C", Priority::P3, 40), 40, IncidentState::Closed),
            incident("D", Priority::P2, 10),
            incident("OLD", Priority::P1, 60 * 13),
            drill,
        ];
        let s = ShiftSummary::of(&incidents, NOW - DEFAULT_SHIFT);
        assert_eq!(s.real, [1, 1, 2, 0]);
        assert_eq!(s.real_total(), 4);
        assert_eq!(s.drill, 1);
        assert_eq!((s.closed, s.open, s.unacknowledged), (2, 2, 1));
        assert_eq!(s.ack_median, Some(Duration::seconds(40)));
        assert_eq!(
            s.ack_slowest,
            Some(("B".to_string(), Duration::seconds(90)))
        );
    }

    #[test]
    fn a_quiet_shift_has_no_acknowledgement_figures() {
        let s = ShiftSummary::of(&[], NOW - DEFAULT_SHIFT);
        assert_eq!(s.real_total(), 0);
        assert_eq!(s.ack_median, None);
        assert_eq!(s.ack_slowest, None);
    }

    #[test]
    fn a_re_alerted_incident_counts_its_first_acknowledgement() {
        let mut again = acked(
            incident("R", Priority::P1, 60),
            300,
            IncidentState::Acknowledged,
        );
        again.first_acknowledged_at = Some(again.opened_at + Duration::seconds(15));
        let s = ShiftSummary::of(&[again], NOW - DEFAULT_SHIFT);
        assert_eq!(
            s.ack_slowest,
            Some(("R".to_string(), Duration::seconds(15)))
        );
    }
}
