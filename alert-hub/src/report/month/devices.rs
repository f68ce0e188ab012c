//! The month by device and source: nuisance devices (alarms later marked false), flapping
//! devices, hours of lost communication per source, what was on test and for how long, and
//! the playbook steps most often skipped or overdue.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use time::OffsetDateTime;

use super::facts::IncidentFacts;
use crate::protocol::{EventKind, OnTestChange, OnTestRecord};

/// How many lines the top lists keep.
pub const TOP: usize = 10;

/// A device and how often it did something in the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceCount {
    pub device: String,
    pub site: String,
    pub incidents: u64,
    /// Flaps (restores followed by a new alarm) for the flapping list; false alarms otherwise.
    pub count: u64,
}

fn top(mut lines: Vec<DeviceCount>) -> Vec<DeviceCount> {
    lines.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.device.cmp(&b.device)));
    lines.truncate(TOP);
    lines
}

fn per_device<'a>(
    incidents: impl Iterator<Item = &'a IncidentFacts>,
    count: impl Fn(&IncidentFacts) -> u64,
) -> Vec<DeviceCount> {
    let mut map: HashMap<(&str, &str), (u64, u64)> = HashMap::new();
    for incident in incidents {
        let Some(device) = incident.device.as_deref() else {
            continue;
        };
        let entry = map.entry((device, &incident.site)).or_default();
        entry.0 += 1;
        entry.1 += count(incident);
    }
    top(map
        .into_iter()
        .map(|((device, site), (incidents, count))| DeviceCount {
            device: device.into(),
            site: site.into(),
            incidents,
            count,
        })
        .collect())
}

/// The devices whose alarms were most often marked false, top ten.
pub fn nuisance<'a>(incidents: impl Iterator<Item = &'a IncidentFacts>) -> Vec<DeviceCount> {
    per_device(incidents.filter(|i| i.false_alarm), |_| 1)
}

/// The devices that flapped most (alarm, restore, alarm again), top ten.
pub fn flapping<'a>(incidents: impl Iterator<Item = &'a IncidentFacts>) -> Vec<DeviceCount> {
    per_device(incidents.filter(|i| i.flapping), |i| {
        u64::from(i.flap_count)
    })
}

/// Hours a source was out of contact in the month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceHours {
    pub source: String,
    pub site: String,
    pub periods: u64,
    pub hours: f64,
}

fn hours(secs: i64) -> f64 {
    (secs as f64 / 360.0).round() / 10.0
}

/// The part of `from..to` inside `start..end`, in seconds.
fn overlap(
    from: OffsetDateTime,
    to: OffsetDateTime,
    start: OffsetDateTime,
    end: OffsetDateTime,
) -> i64 {
    (to.min(end) - from.max(start)).whole_seconds().max(0)
}

/// Hours of lost communication per source, from its `comms.lost` incidents: from the loss to
/// the source coming back, or to the month's end while it is still lost.
pub fn comms_lost<'a>(
    incidents: impl Iterator<Item = &'a IncidentFacts>,
    start: OffsetDateTime,
    end: OffsetDateTime,
) -> Vec<SourceHours> {
    let mut map: BTreeMap<(&str, &str), (u64, i64)> = BTreeMap::new();
    for incident in incidents.filter(|i| i.kind == EventKind::CommsLost) {
        let back = incident.comms_restored_at.unwrap_or(end);
        let entry = map.entry((&incident.source, &incident.site)).or_default();
        entry.0 += 1;
        entry.1 += overlap(incident.opened_at, back, start, end);
    }
    let mut lines: Vec<SourceHours> = map
        .into_iter()
        .map(|((source, site), (periods, secs))| SourceHours {
            source: source.into(),
            site: site.into(),
            periods,
            hours: hours(secs),
        })
        .collect();
    lines.sort_by(|a, b| {
        b.hours
            .total_cmp(&a.hours)
            .then_with(|| a.source.cmp(&b.source))
    });
    lines
}

/// A source or one of its devices put on test in the month, and for how long in all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnTestLine {
    pub source: String,
    /// `None` for the whole source.
    pub device: Option<String>,
    pub times: u64,
    pub hours: f64,
}

/// What was on test in `start..end`, from the hub's log of tests: each test from its start to
/// its end or expiry (or its planned end, when the log has neither), clipped to the month.
pub fn on_test(
    records: &[OnTestRecord],
    start: OffsetDateTime,
    end: OffsetDateTime,
) -> Vec<OnTestLine> {
    let mut open: HashMap<(&str, Option<&str>), OffsetDateTime> = HashMap::new();
    let mut totals: BTreeMap<(&str, Option<&str>), (u64, i64)> = BTreeMap::new();
    for record in records {
        let key = (record.test.source.as_str(), record.test.device.as_deref());
        match record.change {
            OnTestChange::Started => {
                open.insert(key, record.at);
            }
            OnTestChange::Ended | OnTestChange::Expired => {
                if let Some(since) = open.remove(&key) {
                    add(&mut totals, key, overlap(since, record.at, start, end));
                }
            }
            OnTestChange::Warned => {}
        }
    }
    for record in records.iter().filter(|r| r.change == OnTestChange::Started) {
        let key = (record.test.source.as_str(), record.test.device.as_deref());
        if open.get(&key) == Some(&record.at) {
            add(
                &mut totals,
                key,
                overlap(record.at, record.test.until, start, end),
            );
        }
    }
    totals
        .into_iter()
        .map(|((source, device), (times, secs))| OnTestLine {
            source: source.into(),
            device: device.map(str::to_string),
            times,
            hours: hours(secs),
        })
        .collect()
}

fn add<'a>(
    totals: &mut BTreeMap<(&'a str, Option<&'a str>), (u64, i64)>,
    key: (&'a str, Option<&'a str>),
    secs: i64,
) {
    if secs > 0 {
        let entry = totals.entry(key).or_default();
        entry.0 += 1;
        entry.1 += secs;
    }
}

/// A playbook step and how often it was skipped or went overdue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepCount {
    pub step: String,
    pub skipped: u64,
    pub overdue: u64,
}

/// The steps most often skipped or overdue, top ten.
pub fn steps<'a>(incidents: impl Iterator<Item = &'a IncidentFacts>) -> Vec<StepCount> {
    let mut map: HashMap<&str, (u64, u64)> = HashMap::new();
    for incident in incidents {
        for step in &incident.skipped_steps {
            map.entry(step).or_default().0 += 1;
        }
        for step in &incident.overdue_steps {
            map.entry(step).or_default().1 += 1;
        }
    }
    let mut lines: Vec<StepCount> = map
        .into_iter()
        .map(|(step, (skipped, overdue))| StepCount {
            step: step.into(),
            skipped,
            overdue,
        })
        .collect();
    lines.sort_by(|a, b| {
        (b.skipped + b.overdue)
            .cmp(&(a.skipped + a.overdue))
            .then_with(|| a.step.cmp(&b.step))
    });
    lines.truncate(TOP);
    lines
}
