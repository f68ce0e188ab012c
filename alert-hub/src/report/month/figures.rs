//! The figures of a set of incidents: counts, times to acknowledge and compliance with each
//! target. Each takes the incidents already chosen (real ones of the month, usually).

use std::collections::BTreeMap;

use serde::Serialize;
use time::Duration;

use super::facts::IncidentFacts;
use crate::protocol::{Bilingual, EventKind, Priority};
use crate::report::targets;

/// How many incidents had one key (a kind, a site, a priority).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    pub key: String,
    pub count: u64,
}

/// Counts of `incidents` by `key`, largest first, then by key.
pub fn count_by<'a>(
    incidents: impl Iterator<Item = &'a IncidentFacts>,
    key: impl Fn(&IncidentFacts) -> String,
) -> Vec<Count> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for incident in incidents {
        *counts.entry(key(incident)).or_default() += 1;
    }
    let mut out: Vec<Count> = counts
        .into_iter()
        .map(|(key, count)| Count { key, count })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    out
}

/// The times to acknowledge incidents of one priority.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AckFigures {
    pub priority: Priority,
    pub incidents: u64,
    pub acknowledged: u64,
    pub p50_secs: Option<i64>,
    pub p90_secs: Option<i64>,
    pub p99_secs: Option<i64>,
    /// Percent of the incidents (acknowledged or not) acknowledged within 30 s and 60 s.
    pub within_30s_pct: Option<f64>,
    pub within_60s_pct: Option<f64>,
    /// The times, in seconds, for the distribution chart; not in the JSON.
    #[serde(skip)]
    pub times: Vec<i64>,
}

/// The nearest-rank percentile `p` (0–100) of `sorted`, which is sorted ascending.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (sorted.len() * p as usize).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

/// The acknowledgement figures per priority, P1 first; priorities without incidents are left
/// out.
pub fn acknowledgements<'a>(incidents: impl Iterator<Item = &'a IncidentFacts>) -> Vec<AckFigures> {
    let mut by_priority: BTreeMap<Priority, (u64, Vec<i64>)> = BTreeMap::new();
    for incident in incidents {
        let (count, times) = by_priority.entry(incident.priority).or_default();
        *count += 1;
        if let Some(secs) = incident.ack_secs() {
            times.push(secs.max(0));
        }
    }
    by_priority
        .into_iter()
        .map(|(priority, (count, mut times))| {
            times.sort_unstable();
            let within = |limit: i64| times.iter().take_while(|&&t| t <= limit).count() as u64;
            AckFigures {
                priority,
                incidents: count,
                acknowledged: times.len() as u64,
                p50_secs: percentile(&times, 50),
                p90_secs: percentile(&times, 90),
                p99_secs: percentile(&times, 99),
                within_30s_pct: percent(within(30), count),
                within_60s_pct: percent(within(60), count),
                times,
            }
        })
        .collect()
}

/// One target and how the month's incidents stood against it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaLine {
    pub name: Bilingual,
    pub target_secs: i64,
    /// Incidents the target applies to.
    pub applies: u64,
    pub met: u64,
    /// Reached late, or never reached.
    pub missed: u64,
    /// Met as a percent of those it applies to.
    pub compliance_pct: Option<f64>,
}

fn bi(zh: &str, en: &str) -> Bilingual {
    Bilingual {
        zh: zh.into(),
        en: en.into(),
    }
}

fn sla_line<'a>(
    name: Bilingual,
    target: Duration,
    applies: impl Iterator<Item = &'a IncidentFacts>,
    reached: impl Fn(&IncidentFacts) -> Option<time::OffsetDateTime>,
) -> SlaLine {
    let (mut count, mut met) = (0, 0);
    for incident in applies {
        count += 1;
        if reached(incident).is_some_and(|at| at - incident.opened_at <= target) {
            met += 1;
        }
    }
    SlaLine {
        name,
        target_secs: target.whole_seconds(),
        applies: count,
        met,
        missed: count - met,
        compliance_pct: percent(met, count),
    }
}

/// An urgent fault: a lift or fire system fault raised to P2 or above.
pub fn is_urgent_fault(incident: &IncidentFacts) -> bool {
    matches!(
        incident.kind,
        EventKind::ElevatorFault | EventKind::FireTrouble
    ) && incident.priority <= Priority::P2
}

/// Compliance with every target of `targets`: acknowledgement per priority, the lift company on
/// site within 30 min, someone on site for an urgent fault, 119 called at once for a real fire.
/// A target measured by a playbook step counts only the incidents whose playbook has that step;
/// only a fire confirmed real (and not later found false) is held to the 119 call.
pub fn sla(incidents: &[&IncidentFacts]) -> Vec<SlaLine> {
    let mut lines = Vec::new();
    for priority in [Priority::P1, Priority::P2, Priority::P3, Priority::P4] {
        lines.push(sla_line(
            bi(
                &format!("{priority} 确认报警"),
                &format!("{priority} acknowledged"),
            ),
            targets::acknowledge_within(priority),
            incidents.iter().copied().filter(|i| i.priority == priority),
            |i| i.first_acknowledged_at,
        ));
    }
    lines.push(sla_line(
        bi("电梯困人救援到场", "lift rescue on site"),
        targets::LIFT_RESCUE_ON_SITE,
        incidents.iter().copied().filter(|i| {
            i.kind == EventKind::ElevatorEntrapment && i.on_site_step && !i.false_alarm
        }),
        |i| i.on_site_at,
    ));
    lines.push(sla_line(
        bi("紧急故障人员到场", "urgent fault on site"),
        targets::URGENT_FAULT_ON_SITE,
        incidents
            .iter()
            .copied()
            .filter(|i| is_urgent_fault(i) && i.on_site_step),
        |i| i.on_site_at,
    ));
    lines.push(sla_line(
        bi("真实火警拨打119", "119 called for a real fire"),
        targets::FIRE_119_CALLED,
        incidents.iter().copied().filter(|i| {
            i.kind == EventKind::FireAlarm
                && i.outside_call_step
                && i.confirmed_real
                && !i.false_alarm
        }),
        |i| i.outside_called_at,
    ));
    lines
}
