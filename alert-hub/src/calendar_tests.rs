//! Given a calendar, when a command or a drill's end comes, then the edit, refusal or status.

use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

use super::*;
use crate::drill_plan::Plan;
use crate::protocol::{Bilingual, DrillView};

const NOW: OffsetDateTime = datetime!(2027-03-01 09:00 UTC);

fn given_default_calendar() -> SiteCalendar {
    let plan = Plan::default_plan().expect("default plan");
    generated("gg", 2027, plan.calendar(2027, &["gg".to_string()]), None)
}

fn lift_q2() -> &'static str {
    "2027-q2-lift-rescue-gg"
}

fn when(calendar: &mut SiteCalendar, command: CalendarCommand) -> Result<(), CalendarRefusal> {
    let edit = handle(calendar, command, "so", NOW)?;
    apply(calendar, edit);
    Ok(())
}

fn status(
    calendar: &SiteCalendar,
    records: &[DrillRecord],
    today: Date,
    id: &str,
) -> CalendarStatus {
    statuses(calendar, records, today)
        .into_iter()
        .find(|i| i.entry.id == id)
        .map(|i| i.status)
        .expect("entry")
}

fn ended(id: &str, entry: &str, outcome: DrillOutcome) -> DrillRecord {
    let mut drill = DrillView::new(
        id,
        Bilingual {
            zh: "演练".into(),
            en: "Drill".into(),
        },
        datetime!(2027-06-10 10:00 UTC),
    );
    drill.calendar_entry = Some(entry.into());
    DrillRecord {
        drill,
        ended_at: datetime!(2027-06-10 11:00 UTC),
        outcome,
        incidents: Vec::new(),
    }
}

#[test]
fn an_entry_is_due_with_days_left_then_overdue_once_its_day_passed() {
    let calendar = given_default_calendar();
    assert_eq!(
        status(&calendar, &[], date!(2027 - 06 - 18), lift_q2()),
        CalendarStatus::Due { days_left: 12 }
    );
    assert_eq!(
        status(&calendar, &[], date!(2027 - 06 - 30), lift_q2()),
        CalendarStatus::Due { days_left: 0 }
    );
    assert_eq!(
        status(&calendar, &[], date!(2027 - 07 - 03), lift_q2()),
        CalendarStatus::Overdue { days_late: 3 }
    );
}

#[test]
fn a_completed_drill_carrying_the_entry_makes_it_done_and_an_aborted_one_does_not() {
    let calendar = given_default_calendar();
    let completed = DrillOutcome::Completed {
        ended_by: "so".into(),
        confirmed_by: "admin".into(),
    };
    let aborted = DrillOutcome::Aborted {
        by: "so".into(),
        reason: "real alarm".into(),
    };
    let records = [ended("d0", lift_q2(), aborted)];
    assert_eq!(
        status(&calendar, &records, date!(2027 - 07 - 03), lift_q2()),
        CalendarStatus::Overdue { days_late: 3 }
    );
    let records = [
        ended("d0", lift_q2(), records[0].outcome.clone()),
        ended("d1", lift_q2(), completed),
    ];
    assert_eq!(
        status(&calendar, &records, date!(2027 - 07 - 03), lift_q2()),
        CalendarStatus::Done { drill: "d1".into() }
    );
}

#[test]
fn moving_an_entry_changes_its_due_date_and_logs_who_and_why() {
    let mut calendar = given_default_calendar();
    let command = CalendarCommand::Move {
        entry: lift_q2().into(),
        to: date!(2027 - 07 - 15),
        reason: "lift modernisation in June".into(),
    };
    when(&mut calendar, command).expect("moved");
    assert_eq!(
        status(&calendar, &[], date!(2027 - 07 - 03), lift_q2()),
        CalendarStatus::Due { days_left: 12 }
    );
    let edit = calendar.log.last().expect("logged");
    assert_eq!(edit.by, "so");
    assert_eq!(
        edit.change,
        CalendarChange::Moved {
            entry: lift_q2().into(),
            from: date!(2027 - 06 - 30),
            to: date!(2027 - 07 - 15),
            reason: "lift modernisation in June".into(),
        }
    );
    let dues: Vec<Date> = calendar.entries.iter().map(|e| e.due).collect();
    assert!(dues.windows(2).all(|w| w[0] <= w[1]), "kept in due order");
}

#[test]
fn a_move_out_of_the_year_or_without_a_reason_is_refused() {
    let calendar = given_default_calendar();
    let out = CalendarCommand::Move {
        entry: lift_q2().into(),
        to: date!(2028 - 01 - 15),
        reason: "later".into(),
    };
    assert_eq!(
        handle(&calendar, out, "so", NOW),
        Err(CalendarRefusal::WrongYear {
            date: date!(2028 - 01 - 15),
            year: 2027
        })
    );
    let bare = CalendarCommand::Move {
        entry: lift_q2().into(),
        to: date!(2027 - 07 - 15),
        reason: "  ".into(),
    };
    assert_eq!(
        handle(&calendar, bare, "so", NOW),
        Err(CalendarRefusal::ReasonRequired("moving a drill"))
    );
}

#[test]
fn a_cancelled_entry_shows_its_reason_and_cannot_be_cancelled_or_moved_again() {
    let mut calendar = given_default_calendar();
    let cancel = CalendarCommand::Cancel {
        entry: lift_q2().into(),
        reason: "lift replaced".into(),
    };
    when(&mut calendar, cancel.clone()).expect("cancelled");
    assert_eq!(
        status(&calendar, &[], date!(2027 - 08 - 01), lift_q2()),
        CalendarStatus::Cancelled {
            reason: "lift replaced".into()
        }
    );
    assert_eq!(
        when(&mut calendar, cancel),
        Err(CalendarRefusal::Cancelled(lift_q2().into()))
    );
}

#[test]
fn an_added_entry_joins_the_calendar_once_and_only_for_its_site() {
    let mut calendar = given_default_calendar();
    let mut extra = calendar.entries[0].clone();
    extra.id = "2027-extra-night-fire-gg".into();
    extra.due = date!(2027 - 11 - 20);
    let add = CalendarCommand::Add {
        entry: extra.clone(),
        reason: "night shift never drilled".into(),
    };
    when(&mut calendar, add.clone()).expect("added");
    assert_eq!(
        status(&calendar, &[], date!(2027 - 11 - 10), &extra.id),
        CalendarStatus::Due { days_left: 10 }
    );
    assert!(matches!(
        when(&mut calendar, add),
        Err(CalendarRefusal::Duplicate { .. })
    ));
    let mut elsewhere = extra;
    elsewhere.id = "other".into();
    elsewhere.site = "lh".into();
    let add = CalendarCommand::Add {
        entry: elsewhere,
        reason: "x".into(),
    };
    assert!(matches!(
        when(&mut calendar, add),
        Err(CalendarRefusal::WrongSite { .. })
    ));
}

#[test]
fn an_unknown_entry_is_refused_naming_the_calendar() {
    let calendar = given_default_calendar();
    let cancel = CalendarCommand::Cancel {
        entry: "nope".into(),
        reason: "x".into(),
    };
    let refusal = handle(&calendar, cancel, "so", NOW).expect_err("refused");
    assert_eq!(
        refusal.to_string(),
        "there is no entry \"nope\" on the 2027 drill calendar of gg"
    );
}

#[test]
fn a_hub_installed_mid_year_does_not_call_what_fell_due_before_it_overdue() {
    // Given a calendar the hub began keeping on 1 August (installed then).
    let plan = Plan::default_plan().expect("default plan");
    let entries = plan.calendar(2027, &["gg".to_string()]);
    let kept_from = date!(2027 - 08 - 01);
    let calendar = generated("gg", 2027, entries, Some(kept_from));
    let day = date!(2027 - 12 - 01);
    // Then the Q2 lift drill, due 30 June, has no record either way rather than being overdue,
    assert_eq!(
        status(&calendar, &[], day, lift_q2()),
        CalendarStatus::BeforeRecords { kept_from }
    );
    // unless a drill recorded here did it,
    let completed = DrillOutcome::Completed {
        ended_by: "so".into(),
        confirmed_by: "admin".into(),
    };
    let done = ended("d1", lift_q2(), completed);
    assert!(matches!(
        status(&calendar, &[done], day, lift_q2()),
        CalendarStatus::Done { .. }
    ));
    // and what falls due after 1 August is overdue or due as ever.
    let later = statuses(&calendar, &[], day)
        .into_iter()
        .filter(|i| i.entry.due >= kept_from)
        .map(|i| i.status)
        .collect::<Vec<_>>();
    assert!(!later.is_empty());
    assert!(later.iter().all(|s| matches!(
        s,
        CalendarStatus::Overdue { .. } | CalendarStatus::Due { .. }
    )));
    // A calendar made on 1 January is kept from the year's start.
    let january = generated("gg", 2027, Vec::new(), Some(date!(2027 - 01 - 01)));
    assert_eq!(january.kept_from, None);
}
