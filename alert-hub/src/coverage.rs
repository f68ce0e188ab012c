//! The year's drill coverage: per quarter and site, which planned entries were done, by which
//! drill, in which shift and by whom, and the share of sites and of shifts drilled. Pure:
//! calendars, drill records and the shifts in, figures out.

use crate::calendar::{cancelled, done_by};
use time::UtcOffset;

use crate::protocol::{
    Coverage, CoveredEntry, DrillOutcome, DrillRecord, QuarterCoverage, SiteCalendar,
};
use crate::shifts::Shifts;

/// The people who held a drill (who started it, asked to end it and confirmed the end), sorted.
pub fn people_of(record: &DrillRecord) -> String {
    let mut people = vec![record.drill.started_by.clone()];
    match &record.outcome {
        DrillOutcome::Completed {
            ended_by,
            confirmed_by,
        } => {
            people.push(ended_by.clone());
            people.push(confirmed_by.clone());
        }
        DrillOutcome::Aborted { by, .. } => people.push(by.clone()),
    }
    people.retain(|p| !p.is_empty());
    people.sort();
    people.dedup();
    people.join(" + ")
}

/// The coverage of `year` over `sites` (the hub's), from their calendars and the drills that
/// ended, each counted for the shift it started in (in the clock of `offset`). A site without a
/// calendar counts as not drilled.
pub fn coverage(
    year: i32,
    sites: &[String],
    calendars: &[SiteCalendar],
    records: &[DrillRecord],
    shifts: &Shifts,
    offset: UtcOffset,
) -> Coverage {
    let mut quarters = Vec::new();
    let mut sites_drilled = 0;
    let mut drilled_shifts: Vec<String> = Vec::new();
    for site in sites {
        let calendar = calendars.iter().find(|c| c.site == *site && c.year == year);
        let mut drilled = false;
        for quarter in 1..=4u8 {
            let mut planned = 0;
            let mut done = Vec::new();
            let entries = calendar.map(|c| c.entries.as_slice()).unwrap_or_default();
            for entry in entries
                .iter()
                .filter(|e| u8::from(e.due.month()).div_ceil(3) == quarter)
            {
                if let Some(record) = done_by(&entry.id, records) {
                    planned += 1;
                    let shift = shifts.name_of(record.drill.started_at, offset);
                    if !drilled_shifts.contains(&shift) {
                        drilled_shifts.push(shift.clone());
                    }
                    done.push(CoveredEntry {
                        entry: entry.id.clone(),
                        plan_entry: entry.plan_entry.clone(),
                        drill: record.drill.id.clone(),
                        shift,
                        people: people_of(record),
                    });
                } else if calendar.is_some_and(|c| cancelled(c, &entry.id).is_none()) {
                    planned += 1;
                }
            }
            drilled |= !done.is_empty();
            quarters.push(QuarterCoverage {
                quarter,
                site: site.clone(),
                planned,
                done,
            });
        }
        if drilled {
            sites_drilled += 1;
        }
    }
    let all = shifts.names();
    drilled_shifts.sort_by_key(|s| all.iter().position(|a| a == s));
    Coverage {
        year,
        quarters,
        sites_drilled,
        sites: u32::try_from(sites.len()).unwrap_or(u32::MAX),
        shifts_drilled: drilled_shifts,
        shifts: all,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{CalendarCommand, apply, generated, handle};
    use crate::protocol::{Bilingual, CalendarEntry, DrillKind, DrillView, ExerciseType};
    use time::macros::{date, datetime};

    fn entry(id: &str, site: &str, due: time::Date) -> CalendarEntry {
        CalendarEntry {
            id: id.into(),
            site: site.into(),
            plan_entry: "lift-rescue".into(),
            name: Bilingual {
                zh: "电梯困人救援演练".into(),
                en: "Lift rescue drill".into(),
            },
            kind: DrillKind::LiftRescue,
            exercise: ExerciseType::Functional,
            due,
            scenario: None,
        }
    }

    fn completed(id: &str, entry: &str, by: &str, confirmed: &str) -> DrillRecord {
        let mut drill = DrillView::new(
            id,
            Bilingual {
                zh: "演练".into(),
                en: "Drill".into(),
            },
            datetime!(2027-06-10 10:00 UTC),
        );
        drill.started_by = by.into();
        drill.calendar_entry = Some(entry.into());
        DrillRecord {
            drill,
            ended_at: datetime!(2027-06-10 11:00 UTC),
            outcome: DrillOutcome::Completed {
                ended_by: by.into(),
                confirmed_by: confirmed.into(),
            },
            incidents: Vec::new(),
        }
    }

    #[test]
    fn a_done_entry_is_counted_in_its_quarter_with_its_drill_and_shift() {
        // Given two sites with a Q2 and a Q3 entry each, and one completed drill at gg.
        let sites = vec!["gg".to_string(), "lh".to_string()];
        let calendars: Vec<_> = sites
            .iter()
            .map(|s| {
                generated(
                    s,
                    2027,
                    vec![
                        entry(&format!("q2-{s}"), s, date!(2027 - 06 - 30)),
                        entry(&format!("q3-{s}"), s, date!(2027 - 09 - 30)),
                    ],
                    None,
                )
            })
            .collect();
        let records = vec![completed("d1", "q2-gg", "so", "admin")];
        // When the coverage is computed.
        let c = coverage(
            2027,
            &sites,
            &calendars,
            &records,
            &Shifts::default(),
            time::macros::offset!(+8),
        );
        // Then Q2 at gg has the entry done by d1 (started 18:00 in Beijing) in the evening
        // shift, by the two people, and one shift of three has drilled.
        let q2 = c.quarters.iter().find(|q| q.site == "gg" && q.quarter == 2);
        let q2 = q2.expect("q2 gg");
        assert_eq!(q2.planned, 1);
        assert_eq!(q2.done.len(), 1);
        assert_eq!(q2.done[0].drill, "d1");
        assert_eq!(q2.done[0].shift, "16:00–00:00");
        assert_eq!(q2.done[0].people, "admin + so");
        assert_eq!((c.sites_drilled, c.sites), (1, 2));
        assert_eq!(c.shifts_drilled, ["16:00–00:00"]);
        assert_eq!(c.shifts.len(), 3);
        let q2_lh = c.quarters.iter().find(|q| q.site == "lh" && q.quarter == 2);
        assert!(q2_lh.expect("q2 lh").done.is_empty());
        assert_eq!(c.quarters.len(), 8);
    }

    #[test]
    fn an_aborted_drill_covers_nothing_and_a_cancelled_entry_is_not_planned() {
        // Given a calendar whose Q3 entry is cancelled and an aborted Q2 drill.
        let sites = vec!["gg".to_string()];
        let mut calendar = generated(
            "gg",
            2027,
            vec![
                entry("q2", "gg", date!(2027 - 06 - 30)),
                entry("q3", "gg", date!(2027 - 09 - 30)),
            ],
            None,
        );
        let cancel = CalendarCommand::Cancel {
            entry: "q3".into(),
            reason: "site closed for works".into(),
        };
        let edit = handle(&calendar, cancel, "so", datetime!(2027-01-05 9:00 UTC));
        apply(&mut calendar, edit.expect("cancel"));
        let mut aborted = completed("d1", "q2", "so", "admin");
        aborted.outcome = DrillOutcome::Aborted {
            by: "so".into(),
            reason: "real alarm".into(),
        };
        // When the coverage is computed.
        let shifts = Shifts::default();
        let c = coverage(
            2027,
            &sites,
            &[calendar],
            &[aborted],
            &shifts,
            UtcOffset::UTC,
        );
        // Then nothing is done, Q2 is planned and Q3 is not.
        assert!(c.quarters.iter().all(|q| q.done.is_empty()));
        assert_eq!(c.quarters[1].planned, 1);
        assert_eq!(c.quarters[2].planned, 0);
        assert_eq!(c.sites_drilled, 0);
    }
}
