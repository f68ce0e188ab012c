//! What the monthly report costs over 100,000 incidents: builds a month of simulated incidents
//! (a realistic mix of kinds, sites and priorities, most acknowledged, some marked false, a
//! few drills and signals on test) into a real sled store in a temporary directory, then times
//! (a) the report from the incidents in memory, against plain iteration over the same
//! incidents, and (b) the month and the month before read from the store by its opening-time
//! index plus the report, against reading every incident of the store (a year of history). Prints the figures next to the 1 s
//! target; asserts nothing.

use std::hint::black_box;
use std::time::{Duration, Instant};

use alert_hub::incident::Incident;
use alert_hub::protocol::{EventKind, IncidentEvent, IncidentView, Location};
use alert_hub::report::month::{IncidentFacts, Month, MonthInput, MonthReport, stored};
use alert_hub::store::{SledStore, Store, StoredIncident, WriteBatch};
use time::{UtcOffset, macros::datetime};

/// Incidents opened in the month reported on (November 2026).
const INCIDENTS: u64 = 100_000;
/// Then the month before, for the trends, and the nine months before that: history the
/// opening-time index lets the report skip.
const PREVIOUS: u64 = 20_000;
const HISTORY: u64 = 80_000;
const BATCH: u64 = 2_000;
const TARGET: Duration = Duration::from_secs(1);

/// A small deterministic generator, so every run builds the same month.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

/// Kinds in roughly the share a control room sees them, with the playbook each runs.
const MIX: [(EventKind, u64, Option<&str>); 8] = [
    (EventKind::AccessHeldOpen, 25, Some("access-held-open")),
    (EventKind::FireAlarm, 18, Some("fire-alarm")),
    (EventKind::FireTrouble, 15, Some("fire-trouble")),
    (EventKind::FirePrealarm, 10, Some("fire-prealarm")),
    (EventKind::AccessForced, 10, Some("access-forced")),
    (EventKind::ElevatorFault, 10, Some("elevator-fault")),
    (
        EventKind::ElevatorEntrapment,
        7,
        Some("elevator-entrapment"),
    ),
    (EventKind::CommsLost, 5, Some("comms-lost")),
];

fn simulated(n: u64, rng: &mut Lcg) -> Option<Incident> {
    let mut pick = rng.next(100);
    let (kind, _, playbook) = *MIX.iter().find(|(_, share, _)| {
        let hit = pick < *share;
        pick = pick.saturating_sub(*share);
        hit
    })?;
    let site = ["gg", "hx", "yl", "bs"][rng.next(4) as usize];
    let (from, days) = if n < INCIDENTS {
        (datetime!(2026-11-01 00:00 +08:00), 30)
    } else if n < INCIDENTS + PREVIOUS {
        (datetime!(2026-10-01 00:00 +08:00), 31)
    } else {
        (datetime!(2026-01-01 00:00 +08:00), 273)
    };
    let opened_at = from + time::Duration::seconds(rng.next(days * 24 * 3600) as i64);
    let location = Location {
        site: site.into(),
        building: Some(format!("B{}", rng.next(6))),
        floor: Some(format!("{}", rng.next(30))),
        zone: Some(format!("zone-{}", rng.next(40))),
    };
    let device = format!("{site}-dev-{:04}", rng.next(2_000));
    let source = format!("{site}-panel-{}", rng.next(3));
    let mut view = IncidentView::opened(
        format!("INC-{n:07}"),
        kind,
        location,
        opened_at,
        &device,
        &source,
    );
    view.drill = (rng.next(100) < 4).then(|| format!("DR-{}", rng.next(20)));
    view.on_test = rng.next(100) < 2;
    let mut incident = Incident::from_opened(&IncidentEvent::Opened {
        view: Box::new(view),
        event_seq: Some(n),
    })?;
    if rng.next(100) < 97 {
        let after = time::Duration::seconds(5 + rng.next(240) as i64);
        let operator = format!("op-{}", rng.next(12));
        incident.apply(&IncidentEvent::Acknowledged { operator }, opened_at + after);
    }
    incident.playbook = playbook.map(str::to_string);
    if kind == EventKind::FireAlarm {
        let choice = if rng.next(100) < 85 { "false" } else { "real" };
        incident.run_events.push(playbooks::RunEvent::ChoiceMade {
            step: "confirm".into(),
            choice: choice.into(),
            by: "op-1".into(),
            at: opened_at + time::Duration::seconds(60 + rng.next(120) as i64),
        });
    }
    Some(incident)
}

fn seconds(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn verdict(d: Duration) -> &'static str {
    if d < TARGET { "within" } else { "OVER" }
}

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = SledStore::open(dir.path())?;
    let library = playbooks::Library::bundled()?;
    let mut rng = Lcg(42);
    let started = Instant::now();
    let mut facts = Vec::new();
    for first in (0..INCIDENTS + PREVIOUS + HISTORY).step_by(BATCH as usize) {
        let mut incidents = Vec::new();
        for n in first..first + BATCH {
            let Some(incident) = simulated(n, &mut rng) else {
                continue;
            };
            let playbook = incident
                .playbook
                .as_deref()
                .and_then(|p| library.playbook(p));
            facts.push(IncidentFacts::of_run(
                &incident.view,
                &incident.run_events,
                playbook,
            ));
            incidents.push(StoredIncident::encode(&incident)?);
        }
        store.commit(&WriteBatch {
            incidents,
            ..WriteBatch::default()
        })?;
    }
    println!(
        "stored {} simulated incidents ({INCIDENTS} in November 2026, {PREVIOUS} in October, \
         {HISTORY} earlier) in {}",
        facts.len(),
        seconds(started.elapsed())
    );
    let month = Month::parse("2026-11")?;
    let offset = UtcOffset::from_hms(8, 0, 0)?;

    let started = Instant::now();
    let mut sum = 0i64;
    for f in &facts {
        sum += f.ack_secs().unwrap_or(0) + i64::from(f.false_alarm);
    }
    black_box(sum);
    let baseline = started.elapsed();

    let started = Instant::now();
    let report = MonthReport::build(&MonthInput {
        month,
        site: None,
        offset,
        incidents: &facts,
        on_test: &[],
        drills: &[],
    });
    let in_memory = started.elapsed();
    println!(
        "(a) report from {} incidents in memory (the month and the one before picked out of \
         them): {} ({} the 1 s target); plain iteration over them: {}",
        facts.len(),
        seconds(in_memory),
        verdict(in_memory),
        seconds(baseline)
    );
    println!(
        "    November: {} real, {} drill, {} on test, {} false alarms; P1 p50/p90/p99 {:?}/{:?}/{:?} s",
        report.totals.real,
        report.totals.drill,
        report.totals.on_test,
        report.totals.false_alarms,
        report.acknowledgement.first().and_then(|a| a.p50_secs),
        report.acknowledgement.first().and_then(|a| a.p90_secs),
        report.acknowledgement.first().and_then(|a| a.p99_secs),
    );

    let started = Instant::now();
    let read = stored::facts(&store, &library, month, offset)?;
    let report = MonthReport::build(&MonthInput {
        month,
        site: None,
        offset,
        incidents: &read,
        on_test: &[],
        drills: &[],
    });
    let from_store = started.elapsed();
    black_box(&report);

    let started = Instant::now();
    let all = store.incidents()?;
    let full_scan = started.elapsed();
    println!(
        "(b) two months ({} incidents) read from the store by the opening-time index + report: {} \
         ({} the 1 s target); baseline, reading all {} incidents of the store whole: {}",
        read.len(),
        seconds(from_store),
        verdict(from_store),
        all.len(),
        seconds(full_scan)
    );
    Ok(())
}
