//! A site's drill calendar on the wire: the entries as stored with every edit (who, when,
//! why), each entry's status as the hub derives it, and the year's coverage by quarter.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::CalendarEntry;

/// One site's calendar of one year as the hub keeps it: generated from the plan when the hub
/// first starts in the year, then edited. Statuses are never stored; see [`CalendarItem`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteCalendar {
    pub site: String,
    pub year: i32,
    /// By due date; a moved entry carries its new date.
    pub entries: Vec<CalendarEntry>,
    /// Every edit, oldest first.
    #[serde(default)]
    pub log: Vec<CalendarEdit>,
    /// The day the hub began keeping this calendar (it made it from the plan); entries due
    /// before then have no record either way. `None` for a calendar kept from the year's start.
    #[serde(
        default,
        with = "super::iso_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub kept_from: Option<Date>,
}

/// One edit of a calendar: what changed, who changed it, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarEdit {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub by: String,
    #[serde(flatten)]
    pub change: CalendarChange,
}

/// What an edit changed. On the wire tagged by `change`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum CalendarChange {
    /// An entry not in the plan was added, with the reason.
    Added {
        entry: Box<CalendarEntry>,
        reason: String,
    },
    /// An entry's due date moved, with the reason.
    Moved {
        entry: String,
        #[serde(with = "super::iso_date")]
        from: Date,
        #[serde(with = "super::iso_date")]
        to: Date,
        reason: String,
    },
    /// An entry was cancelled, with the reason.
    Cancelled { entry: String, reason: String },
}

impl CalendarChange {
    /// The id of the entry the change is about.
    pub fn entry(&self) -> &str {
        match self {
            CalendarChange::Added { entry, .. } => &entry.id,
            CalendarChange::Moved { entry, .. } | CalendarChange::Cancelled { entry, .. } => entry,
        }
    }
}

/// Where a calendar entry stands, derived from the drills that ended and the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CalendarStatus {
    /// A drill that carried this entry ended completed.
    Done {
        drill: String,
    },
    Cancelled {
        reason: String,
    },
    /// The due date passed `days_late` days ago and no drill did it.
    Overdue {
        days_late: i64,
    },
    /// Due in `days_left` days (0 on the day).
    Due {
        days_left: i64,
    },
    /// Due before the hub kept this calendar (it was installed later in the year), and no
    /// drill recorded here did it: nobody can say from this hub whether it was held.
    BeforeRecords {
        #[serde(with = "super::iso_date")]
        kept_from: Date,
    },
}

/// A calendar entry with its status, as `GET /v1/drills/calendar` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarItem {
    #[serde(flatten)]
    pub entry: CalendarEntry,
    #[serde(flatten)]
    pub status: CalendarStatus,
}

/// A year of drills across sites and quarters, as `GET /v1/drills/coverage` gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    pub year: i32,
    pub quarters: Vec<QuarterCoverage>,
    /// Sites that completed at least one planned drill this year, out of all sites.
    pub sites_drilled: u32,
    pub sites: u32,
    /// The shifts that held at least one completed planned drill this year, by the configured
    /// shift a drill started in, out of all of them (`shifts`).
    pub shifts_drilled: Vec<String>,
    pub shifts: Vec<String>,
}

/// One quarter of one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarterCoverage {
    pub quarter: u8,
    pub site: String,
    /// The entries due in the quarter that are not cancelled.
    pub planned: u32,
    pub done: Vec<CoveredEntry>,
}

/// A planned entry done, by which drill and which shift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoveredEntry {
    pub entry: String,
    pub plan_entry: String,
    pub drill: String,
    /// The shift the drill started in, named by its hours (`08:00–16:00`).
    pub shift: String,
    /// Who started and ended it (`admin + so-zhao`).
    pub people: String,
}
