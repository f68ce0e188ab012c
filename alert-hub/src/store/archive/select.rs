//! Which records leave the live store: pure, with the time passed in. Events received before
//! the cutoff go, except those of open incidents; incidents closed before the cutoff go with
//! their whole log.

use std::collections::BTreeMap;

use time::{Duration, OffsetDateTime};

use crate::protocol::{IncidentEvent, LogEntry};
use crate::report::month::Month;

/// Records received (or closed) before this time are archived: `days` before `now`.
pub fn cutoff(now: OffsetDateTime, days: u64) -> OffsetDateTime {
    let days = i64::try_from(days).unwrap_or(i64::MAX / 86_400);
    now.checked_sub(Duration::days(days))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The calendar month (UTC) of `at`: the month whose archive file holds a record of then.
pub fn month_of(at: OffsetDateTime) -> Month {
    let utc = at.to_offset(time::UtcOffset::UTC);
    Month {
        year: utc.year(),
        month: utc.month(),
    }
}

/// A live event as the selection sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventFact {
    pub seq: u64,
    pub received_at: OffsetDateTime,
}

/// A live incident as the selection sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentFact {
    pub id: String,
    pub opened_at: OffsetDateTime,
    pub open: bool,
    /// When it was last closed, from its log; `None` when it never was.
    pub closed_at: Option<OffsetDateTime>,
    /// The seqs of its log entries.
    pub log: Vec<u64>,
}

impl IncidentFact {
    /// The facts of an incident from its log.
    pub fn of(id: &str, opened_at: OffsetDateTime, open: bool, log: &[LogEntry]) -> IncidentFact {
        IncidentFact {
            id: id.to_string(),
            opened_at,
            open,
            closed_at: closed_at(log),
            log: log.iter().map(|e| e.seq).collect(),
        }
    }
}

/// When an incident's log says it was last closed.
pub fn closed_at(log: &[LogEntry]) -> Option<OffsetDateTime> {
    log.iter()
        .rev()
        .find(|e| matches!(e.event, IncidentEvent::Closed { .. }))
        .map(|e| e.at)
}

/// The event seqs an incident's log names (the event that opened it, each event joined and
/// the events folded into a joined one), as inclusive ranges.
pub fn event_spans(log: &[LogEntry]) -> Vec<(u64, u64)> {
    log.iter()
        .filter_map(|e| match &e.event {
            IncidentEvent::Opened {
                event_seq: Some(seq),
                ..
            } => Some((*seq, *seq)),
            IncidentEvent::EventJoined {
                event_seq,
                last_event_seq,
                ..
            } => Some((
                *event_seq,
                last_event_seq.unwrap_or(*event_seq).max(*event_seq),
            )),
            _ => None,
        })
        .collect()
}

/// The events of open incidents, which are never archived: sorted, merged ranges of seqs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Protected {
    spans: Vec<(u64, u64)>,
}

impl Protected {
    pub fn new(mut spans: Vec<(u64, u64)>) -> Protected {
        spans.sort_unstable();
        let mut merged: Vec<(u64, u64)> = Vec::with_capacity(spans.len());
        for (from, to) in spans {
            match merged.last_mut() {
                Some(last) if from <= last.1.saturating_add(1) => last.1 = last.1.max(to),
                _ => merged.push((from, to)),
            }
        }
        Protected { spans: merged }
    }

    pub fn contains(&self, seq: u64) -> bool {
        let at = self.spans.partition_point(|&(_, to)| to < seq);
        self.spans.get(at).is_some_and(|&(from, _)| from <= seq)
    }
}

/// What one archiving moves out of the live store, by month.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Event seqs by month of receipt, each in order.
    pub events: BTreeMap<Month, Vec<u64>>,
    /// Incident ids by month of opening, with their log entries' seqs.
    pub incidents: BTreeMap<Month, Vec<(String, Vec<u64>)>>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.events.is_empty() && self.incidents.is_empty()
    }
}

/// Whether an event leaves the live store: received before `cutoff` and not an open
/// incident's.
pub fn event_goes(event: EventFact, cutoff: OffsetDateTime, protected: &Protected) -> bool {
    event.received_at < cutoff && !protected.contains(event.seq)
}

/// Whether an incident leaves the live store with its log: closed before `cutoff`.
pub fn incident_goes(incident: &IncidentFact, cutoff: OffsetDateTime) -> bool {
    !incident.open && incident.closed_at.is_some_and(|at| at < cutoff)
}

/// The plan for `events` (in seq order) and `incidents`, given the open incidents' events
/// (`protected`) and the cutoff. Events leave in the order they were received: the first one
/// received after the cutoff ends the events' part, so a daily run reads only what may go
/// (not the whole year kept live), and an event stamped earlier than one before it (the hub's
/// clock set back) leaves once those before it have.
pub fn plan(
    events: impl IntoIterator<Item = EventFact>,
    incidents: &[IncidentFact],
    protected: &Protected,
    cutoff: OffsetDateTime,
) -> Plan {
    let mut plan = Plan::default();
    for event in events {
        if event.received_at >= cutoff {
            break;
        }
        if event_goes(event, cutoff, protected) {
            let month = month_of(event.received_at);
            plan.events.entry(month).or_default().push(event.seq);
        }
    }
    for incident in incidents {
        if incident_goes(incident, cutoff) {
            let month = month_of(incident.opened_at);
            let mut log = incident.log.clone();
            log.sort_unstable();
            plan.incidents
                .entry(month)
                .or_default()
                .push((incident.id.clone(), log));
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::protocol::{Actor, EventKind};

    const NOW: OffsetDateTime = datetime!(2026-12-05 12:00 UTC);

    fn entry(seq: u64, at: OffsetDateTime, event: IncidentEvent) -> LogEntry {
        LogEntry {
            seq,
            incident: "INC-000001".into(),
            at,
            actor: Actor::Hub,
            event,
        }
    }

    fn joined(seq: u64, event_seq: u64, last: Option<u64>) -> LogEntry {
        entry(
            seq,
            NOW,
            IncidentEvent::EventJoined {
                event_seq,
                event_id: format!("e{event_seq}"),
                kind: EventKind::FireAlarm,
                device: "smoke-1".into(),
                zone: None,
                more: last.map_or(0, |l| l - event_seq),
                last_event_seq: last,
            },
        )
    }

    fn closed(seq: u64, at: OffsetDateTime) -> LogEntry {
        entry(
            seq,
            at,
            IncidentEvent::Closed {
                operator: "op1".into(),
                confirmed_by: None,
            },
        )
    }

    #[test]
    fn the_cutoff_is_days_before_now_and_months_are_utc() {
        assert_eq!(cutoff(NOW, 400), datetime!(2025-10-31 12:00 UTC));
        assert_eq!(
            month_of(datetime!(2025-11-01 06:00 +08:00)).to_string(),
            "2025-10"
        );
    }

    #[test]
    fn an_open_incident_protects_every_event_its_log_names() {
        let log = vec![
            joined(1, 10, None),
            joined(2, 20, Some(25)),
            joined(3, 26, Some(26)),
            joined(4, 40, None),
        ];
        let protected = Protected::new(event_spans(&log));
        let inside: Vec<u64> = (1..50).filter(|s| protected.contains(*s)).collect();
        assert_eq!(inside, vec![10, 20, 21, 22, 23, 24, 25, 26, 40]);
        assert!(!Protected::default().contains(10));
    }

    #[test]
    fn old_events_go_by_month_but_not_an_open_incidents() {
        let old = datetime!(2025-09-15 10:00 UTC);
        let older = datetime!(2025-08-31 23:59 UTC);
        let recent = datetime!(2026-11-25 10:00 UTC);
        let events = [
            EventFact {
                seq: 1,
                received_at: older,
            },
            EventFact {
                seq: 2,
                received_at: old,
            },
            EventFact {
                seq: 3,
                received_at: old,
            },
            EventFact {
                seq: 4,
                received_at: recent,
            },
            EventFact {
                seq: 5,
                received_at: old,
            },
        ];
        let protected = Protected::new(vec![(3, 3)]);
        let p = plan(events, &[], &protected, cutoff(NOW, 400));
        let by_month: Vec<(String, Vec<u64>)> = p
            .events
            .iter()
            .map(|(m, seqs)| (m.to_string(), seqs.clone()))
            .collect();
        assert_eq!(
            by_month,
            vec![("2025-08".into(), vec![1]), ("2025-09".into(), vec![2])],
            "3 is an open incident's; 4 is recent and ends the run, so 5 (stamped earlier, the \
             clock set back) waits until 4 goes"
        );
    }

    #[test]
    fn only_incidents_closed_before_the_cutoff_go_with_their_log() {
        let cut = cutoff(NOW, 400);
        let opened = datetime!(2025-03-01 08:00 UTC);
        let fact = |id: &str, open: bool, log: &[LogEntry]| {
            let mut fact = IncidentFact::of(id, opened, open, log);
            fact.id = id.into();
            fact
        };
        let long_closed = fact(
            "INC-1",
            false,
            &[
                joined(1, 1, None),
                closed(2, datetime!(2025-03-02 08:00 UTC)),
            ],
        );
        let still_open = fact("INC-2", true, &[joined(3, 2, None)]);
        let closed_lately = fact(
            "INC-3",
            false,
            &[
                joined(4, 3, None),
                closed(5, datetime!(2026-06-01 08:00 UTC)),
            ],
        );
        let resolved_never_closed = fact("INC-4", false, &[joined(6, 4, None)]);
        let also_closed_long_ago = fact(
            "INC-5",
            false,
            &[
                joined(7, 5, None),
                closed(8, datetime!(2025-03-02 09:00 UTC)),
            ],
        );
        let all = [
            long_closed,
            still_open,
            closed_lately,
            resolved_never_closed,
            also_closed_long_ago,
        ];
        let p = plan([], &all, &Protected::default(), cut);
        let month: Month = month_of(opened);
        assert_eq!(
            p.incidents.get(&month),
            Some(&vec![
                ("INC-1".to_string(), vec![1, 2]),
                ("INC-5".to_string(), vec![7, 8])
            ])
        );
        assert_eq!(p.incidents.len(), 1);
        assert!(p.events.is_empty());
        assert!(!p.is_empty());
    }
}
