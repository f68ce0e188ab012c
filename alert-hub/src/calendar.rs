//! A site's drill calendar for a year as a state machine: generated from the plan, then edited
//! by a safety officer or an admin (add an entry the plan lacks, move one to a new date, cancel
//! one), every edit with its reason. Commands are checked against the calendar and yield
//! past-tense [`CalendarEdit`]s; applying one only changes the calendar. Each entry's status is
//! derived from the drills that ended and the day, never stored. Pure: time is passed in.

use time::{Date, OffsetDateTime};

use crate::protocol::{
    CalendarChange, CalendarEdit, CalendarEntry, CalendarItem, CalendarStatus, DrillOutcome,
    DrillRecord, SiteCalendar,
};

/// What a safety officer or an admin asks of a calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarCommand {
    Add {
        entry: CalendarEntry,
        reason: String,
    },
    Move {
        entry: String,
        to: Date,
        reason: String,
    },
    Cancel {
        entry: String,
        reason: String,
    },
}

/// Why a calendar command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarRefusal {
    #[error("there is no entry \"{entry}\" on the {year} drill calendar of {site}")]
    UnknownEntry {
        entry: String,
        site: String,
        year: i32,
    },
    #[error("the {year} drill calendar of {site} already has an entry \"{entry}\"")]
    Duplicate {
        entry: String,
        site: String,
        year: i32,
    },
    #[error("{0} needs a reason: say why, it is kept with the calendar")]
    ReasonRequired(&'static str),
    #[error("{date} is not in {year}: an entry of the {year} calendar is due within the year")]
    WrongYear { date: Date, year: i32 },
    #[error("entry \"{entry}\" is for site {given}, not {site}")]
    WrongSite {
        entry: String,
        given: String,
        site: String,
    },
    #[error("entry \"{0}\" is cancelled")]
    Cancelled(String),
    #[error(
        "the hub cannot read its store just now: the calendar was not changed; try again shortly"
    )]
    Unavailable,
    #[error("an entry id is letters, digits and - _ . only, not \"{0}\"")]
    BadId(String),
}

/// A new calendar, as the plan made it, kept from `kept_from` when the hub begins keeping it
/// part-way through its year (`None` when it is only read, not kept).
pub fn generated(
    site: &str,
    year: i32,
    entries: Vec<CalendarEntry>,
    kept_from: Option<Date>,
) -> SiteCalendar {
    SiteCalendar {
        site: site.to_owned(),
        year,
        entries,
        log: Vec::new(),
        kept_from: kept_from.filter(|d| d.year() == year && d.ordinal() > 1),
    }
}

/// The reason an entry was cancelled, if it was.
pub fn cancelled<'a>(calendar: &'a SiteCalendar, entry: &str) -> Option<&'a str> {
    calendar
        .log
        .iter()
        .rev()
        .find_map(|edit| match &edit.change {
            CalendarChange::Cancelled { entry: e, reason } if e == entry => Some(reason.as_str()),
            _ => None,
        })
}

/// Checks `command` by `by` at `now` against `calendar`; the edit it makes, or why not.
pub fn handle(
    calendar: &SiteCalendar,
    command: CalendarCommand,
    by: &str,
    now: OffsetDateTime,
) -> Result<CalendarEdit, CalendarRefusal> {
    let find =
        |id: &str| -> Result<&CalendarEntry, CalendarRefusal> {
            calendar.entries.iter().find(|e| e.id == id).ok_or_else(|| {
                CalendarRefusal::UnknownEntry {
                    entry: id.to_owned(),
                    site: calendar.site.clone(),
                    year: calendar.year,
                }
            })
        };
    let in_year = |date: Date| {
        if date.year() == calendar.year {
            Ok(())
        } else {
            Err(CalendarRefusal::WrongYear {
                date,
                year: calendar.year,
            })
        }
    };
    let change = match command {
        CalendarCommand::Add { entry, reason } => {
            require(&reason, "adding a drill")?;
            let id_ok = !entry.id.is_empty()
                && entry.id.len() <= 128
                && entry
                    .id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
            if !id_ok {
                return Err(CalendarRefusal::BadId(entry.id));
            }
            if entry.site != calendar.site {
                return Err(CalendarRefusal::WrongSite {
                    entry: entry.id,
                    given: entry.site,
                    site: calendar.site.clone(),
                });
            }
            if find(&entry.id).is_ok() {
                return Err(CalendarRefusal::Duplicate {
                    entry: entry.id,
                    site: calendar.site.clone(),
                    year: calendar.year,
                });
            }
            in_year(entry.due)?;
            CalendarChange::Added {
                entry: Box::new(entry),
                reason,
            }
        }
        CalendarCommand::Move { entry, to, reason } => {
            require(&reason, "moving a drill")?;
            let from = find(&entry)?.due;
            if cancelled(calendar, &entry).is_some() {
                return Err(CalendarRefusal::Cancelled(entry));
            }
            in_year(to)?;
            CalendarChange::Moved {
                entry,
                from,
                to,
                reason,
            }
        }
        CalendarCommand::Cancel { entry, reason } => {
            require(&reason, "cancelling a drill")?;
            find(&entry)?;
            if cancelled(calendar, &entry).is_some() {
                return Err(CalendarRefusal::Cancelled(entry));
            }
            CalendarChange::Cancelled { entry, reason }
        }
    };
    Ok(CalendarEdit {
        at: now,
        by: by.to_owned(),
        change,
    })
}

fn require(reason: &str, what: &'static str) -> Result<(), CalendarRefusal> {
    if reason.trim().is_empty() {
        Err(CalendarRefusal::ReasonRequired(what))
    } else {
        Ok(())
    }
}

/// Applies an edit: the calendar as it stands after. Entries stay in due-date order.
pub fn apply(calendar: &mut SiteCalendar, edit: CalendarEdit) {
    match &edit.change {
        CalendarChange::Added { entry, .. } => calendar.entries.push((**entry).clone()),
        CalendarChange::Moved { entry, to, .. } => {
            if let Some(e) = calendar.entries.iter_mut().find(|e| e.id == *entry) {
                e.due = *to;
            }
        }
        CalendarChange::Cancelled { .. } => {}
    }
    calendar.entries.sort_by_key(|e| e.due);
    calendar.log.push(edit);
}

/// The drill that completed `entry`, if one did: the first to end completed carrying it.
pub fn done_by<'a>(entry: &str, records: &'a [DrillRecord]) -> Option<&'a DrillRecord> {
    records
        .iter()
        .filter(|r| r.drill.calendar_entry.as_deref() == Some(entry))
        .filter(|r| matches!(r.outcome, DrillOutcome::Completed { .. }))
        .min_by_key(|r| r.ended_at)
}

/// Every entry of `calendar` with its status on `today`: done, cancelled, due before the hub
/// kept the calendar, overdue or due.
pub fn statuses(
    calendar: &SiteCalendar,
    records: &[DrillRecord],
    today: Date,
) -> Vec<CalendarItem> {
    calendar
        .entries
        .iter()
        .map(|entry| {
            let status = if let Some(record) = done_by(&entry.id, records) {
                CalendarStatus::Done {
                    drill: record.drill.id.clone(),
                }
            } else if let Some(reason) = cancelled(calendar, &entry.id) {
                CalendarStatus::Cancelled {
                    reason: reason.to_owned(),
                }
            } else if let Some(kept_from) = calendar.kept_from.filter(|k| entry.due < *k) {
                CalendarStatus::BeforeRecords { kept_from }
            } else {
                let days = (entry.due - today).whole_days();
                if days < 0 {
                    CalendarStatus::Overdue { days_late: -days }
                } else {
                    CalendarStatus::Due { days_left: days }
                }
            };
            CalendarItem {
                entry: entry.clone(),
                status,
            }
        })
        .collect()
}

#[cfg(test)]
#[path = "calendar_tests.rs"]
mod tests;
