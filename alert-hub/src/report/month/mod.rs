//! The monthly report for managers: how many incidents of which kind, where and how urgent;
//! how fast they were acknowledged; how the month stood against every target; the noisy,
//! flapping, silent and on-test devices; the steps skipped or late; the drills held; and how
//! all this moved since the month before. Pure: the month's incidents come in as
//! [`IncidentFacts`], the report goes out. Drill incidents are counted only as drills, and
//! signals from devices on test are counted apart: neither is ever in the real figures.

pub mod devices;
pub mod facts;
pub mod figures;
pub mod render;
pub mod stored;

#[cfg(test)]
mod tests;

use serde::Serialize;
use time::{Date, OffsetDateTime, UtcOffset};

pub use devices::{DeviceCount, OnTestLine, SourceHours, StepCount};
pub use facts::IncidentFacts;
pub use figures::{AckFigures, Count, SlaLine};

use crate::protocol::OnTestRecord;

/// A calendar month, as `2026-11`; months order as time does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: time::Month,
}

/// A month string that is not `YYYY-MM`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{text}\" is not a month: expected YYYY-MM, e.g. 2026-11")]
pub struct MonthError {
    pub text: String,
}

impl Month {
    /// Reads `YYYY-MM` (a four-digit year, a two-digit month 01–12).
    pub fn parse(text: &str) -> Result<Month, MonthError> {
        let error = || MonthError { text: text.into() };
        let (year, month) = text.split_once('-').ok_or_else(error)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(error());
        }
        if !(year.bytes().all(|b| b.is_ascii_digit()) && month.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(error());
        }
        let year: i32 = year.parse().map_err(|_| error())?;
        let month: u8 = month.parse().map_err(|_| error())?;
        let month = time::Month::try_from(month).map_err(|_| error())?;
        Ok(Month { year, month })
    }

    /// The month before.
    pub fn previous(self) -> Month {
        match self.month {
            time::Month::January => Month {
                year: self.year - 1,
                month: time::Month::December,
            },
            month => Month {
                year: self.year,
                month: month.previous(),
            },
        }
    }

    /// The month after.
    pub fn next(self) -> Month {
        match self.month {
            time::Month::December => Month {
                year: self.year + 1,
                month: time::Month::January,
            },
            month => Month {
                year: self.year,
                month: month.next(),
            },
        }
    }

    /// Midnight of its first day on the clock of `offset`.
    pub fn start(self, offset: UtcOffset) -> OffsetDateTime {
        let date = Date::from_calendar_date(self.year, self.month, 1).unwrap_or(Date::MIN);
        date.midnight().assume_offset(offset)
    }

    /// Midnight of the first day of the next month: the month is `start..end`.
    pub fn end(self, offset: UtcOffset) -> OffsetDateTime {
        self.next().start(offset)
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, u8::from(self.month))
    }
}

/// A drill that ended in the month, as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DrillSummary {
    pub id: String,
    pub name: crate::protocol::Bilingual,
    pub site: Option<String>,
    pub scenario: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub ended_at: OffsetDateTime,
    pub completed: bool,
    /// Out of 100, from the drill's after-action score.
    pub score: Option<u32>,
}

/// What the report is built from.
#[derive(Debug, Clone, Copy)]
pub struct MonthInput<'a> {
    pub month: Month,
    /// Only this site's incidents and drills; `None` for every site.
    pub site: Option<&'a str>,
    /// The clock the month's days are counted on (the control room's).
    pub offset: UtcOffset,
    /// The incidents opened in the month and the month before (others are ignored).
    pub incidents: &'a [IncidentFacts],
    /// The hub's log of tests.
    pub on_test: &'a [OnTestRecord],
    /// The drills that ended (others are ignored).
    pub drills: &'a [DrillSummary],
}

/// How many incidents of each sort the month had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Totals {
    /// Real incidents: neither a drill's nor from a device on test.
    pub real: u64,
    pub drill: u64,
    pub on_test: u64,
    pub false_alarms: u64,
    pub still_open: u64,
}

/// The drills of the month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrillFigures {
    pub held: u64,
    pub completed: u64,
    pub aborted: u64,
    /// Sites that held at least one.
    pub sites: Vec<String>,
    pub scenarios: Vec<String>,
    pub mean_score: Option<f64>,
    pub drills: Vec<DrillSummary>,
}

/// One figure this month and the month before.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    pub name: crate::protocol::Bilingual,
    pub this_month: Option<f64>,
    pub previous_month: Option<f64>,
    /// This month less the month before.
    pub change: Option<f64>,
}

/// The monthly report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthReport {
    pub month: String,
    pub site: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub from: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub to: OffsetDateTime,
    pub totals: Totals,
    pub by_kind: Vec<Count>,
    pub by_site: Vec<Count>,
    pub by_priority: Vec<Count>,
    pub acknowledgement: Vec<AckFigures>,
    pub sla: Vec<SlaLine>,
    pub nuisance_devices: Vec<DeviceCount>,
    pub flapping_devices: Vec<DeviceCount>,
    pub comms_lost: Vec<SourceHours>,
    pub on_test: Vec<OnTestLine>,
    pub steps: Vec<StepCount>,
    pub drills: DrillFigures,
    pub trends: Vec<Trend>,
    /// The hub's latest signed audit checkpoint when the report was made (see
    /// `crate::audit`), so its figures can be held against the record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<crate::report::incident::CheckpointMark>,
}

/// A real incident: not a drill's, not from a device on test.
pub fn is_real(incident: &IncidentFacts) -> bool {
    incident.drill.is_none() && !incident.on_test
}

impl MonthReport {
    /// The report of `input.month`.
    pub fn build(input: &MonthInput<'_>) -> MonthReport {
        let (start, end) = (
            input.month.start(input.offset),
            input.month.end(input.offset),
        );
        let previous = input.month.previous();
        let (p_start, p_end) = (previous.start(input.offset), previous.end(input.offset));
        let at_site = |site: &str| input.site.is_none_or(|s| s == site);
        let mut this: Vec<&IncidentFacts> = Vec::new();
        let mut before: Vec<&IncidentFacts> = Vec::new();
        for incident in input.incidents.iter().filter(|i| at_site(&i.site)) {
            if (start..end).contains(&incident.opened_at) {
                this.push(incident);
            } else if (p_start..p_end).contains(&incident.opened_at) {
                before.push(incident);
            }
        }
        let real: Vec<&IncidentFacts> = this.iter().copied().filter(|i| is_real(i)).collect();
        let real_before: Vec<&IncidentFacts> =
            before.iter().copied().filter(|i| is_real(i)).collect();
        let totals = totals(&this);
        let acknowledgement = figures::acknowledgements(real.iter().copied());
        let sla = figures::sla(&real);
        let on_test_records: Vec<OnTestRecord> = input
            .on_test
            .iter()
            .filter(|r| input.site.is_none() || this.iter().any(|i| i.source == r.test.source))
            .cloned()
            .collect();
        MonthReport {
            month: input.month.to_string(),
            site: input.site.map(str::to_string),
            from: start,
            to: end,
            by_kind: figures::count_by(real.iter().copied(), |i| i.kind.as_str().to_string()),
            by_site: figures::count_by(real.iter().copied(), |i| i.site.clone()),
            by_priority: figures::count_by(real.iter().copied(), |i| i.priority.to_string()),
            nuisance_devices: devices::nuisance(real.iter().copied()),
            flapping_devices: devices::flapping(real.iter().copied()),
            comms_lost: devices::comms_lost(real.iter().copied(), start, end),
            on_test: devices::on_test(&on_test_records, start, end),
            steps: devices::steps(real.iter().copied()),
            drills: drills(input, start, end),
            trends: trends(&real, &real_before, &totals, &acknowledgement, &sla),
            checkpoint: None,
            totals,
            acknowledgement,
            sla,
        }
    }
}

fn totals(incidents: &[&IncidentFacts]) -> Totals {
    let mut totals = Totals::default();
    for incident in incidents {
        if incident.drill.is_some() {
            totals.drill += 1;
        } else if incident.on_test {
            totals.on_test += 1;
        } else {
            totals.real += 1;
            totals.false_alarms += u64::from(incident.false_alarm);
            totals.still_open += u64::from(incident.open);
        }
    }
    totals
}

fn drills(input: &MonthInput<'_>, start: OffsetDateTime, end: OffsetDateTime) -> DrillFigures {
    let drills: Vec<DrillSummary> = input
        .drills
        .iter()
        .filter(|d| (start..end).contains(&d.ended_at))
        .filter(|d| input.site.is_none() || d.site.as_deref() == input.site)
        .cloned()
        .collect();
    let mut sites: Vec<String> = drills.iter().filter_map(|d| d.site.clone()).collect();
    sites.sort();
    sites.dedup();
    let mut scenarios: Vec<String> = drills.iter().filter_map(|d| d.scenario.clone()).collect();
    scenarios.sort();
    scenarios.dedup();
    let scores: Vec<u32> = drills.iter().filter_map(|d| d.score).collect();
    let mean_score = (!scores.is_empty()).then(|| {
        let sum: u32 = scores.iter().sum();
        (f64::from(sum) * 10.0 / scores.len() as f64).round() / 10.0
    });
    let completed = drills.iter().filter(|d| d.completed).count() as u64;
    DrillFigures {
        held: drills.len() as u64,
        completed,
        aborted: drills.len() as u64 - completed,
        sites,
        scenarios,
        mean_score,
        drills,
    }
}

fn trend(zh: &str, en: &str, this_month: Option<f64>, previous_month: Option<f64>) -> Trend {
    Trend {
        name: crate::protocol::Bilingual {
            zh: zh.into(),
            en: en.into(),
        },
        this_month,
        previous_month,
        change: this_month
            .zip(previous_month)
            .map(|(a, b)| ((a - b) * 10.0).round() / 10.0),
    }
}

fn trends(
    real: &[&IncidentFacts],
    before: &[&IncidentFacts],
    totals: &Totals,
    ack: &[AckFigures],
    sla: &[SlaLine],
) -> Vec<Trend> {
    let before_totals = self::totals(before);
    let before_ack = figures::acknowledgements(before.iter().copied());
    let before_sla = figures::sla(before);
    let p1 = |figures: &[AckFigures]| {
        figures
            .iter()
            .find(|f| f.priority == crate::protocol::Priority::P1)
            .and_then(|f| f.p50_secs)
            .map(|s| s as f64)
    };
    let count = |list: &[&IncidentFacts], priority| {
        Some(list.iter().filter(|i| i.priority == priority).count() as f64)
    };
    let mut out = vec![
        trend(
            "真实事件",
            "real incidents",
            Some(totals.real as f64),
            Some(before_totals.real as f64),
        ),
        trend(
            "P1 事件",
            "P1 incidents",
            count(real, crate::protocol::Priority::P1),
            count(before, crate::protocol::Priority::P1),
        ),
        trend(
            "误报",
            "false alarms",
            Some(totals.false_alarms as f64),
            Some(before_totals.false_alarms as f64),
        ),
        trend(
            "P1 确认用时中位数（秒）",
            "P1 time to acknowledge, median (s)",
            p1(ack),
            p1(&before_ack),
        ),
    ];
    for (now, then) in sla.iter().zip(&before_sla) {
        out.push(trend(
            &format!("{}达标率（%）", now.name.zh),
            &format!("{} compliance (%)", now.name.en),
            now.compliance_pct,
            then.compliance_pct,
        ));
    }
    out
}
