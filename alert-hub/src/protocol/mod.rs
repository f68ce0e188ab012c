//! The wire types of the hub, shared by every client: device protocol v1, the console feed,
//! drill planning, drills' after-action plans, and the audit tree and backups.
//!
//! Device protocol v1 is an external contract (see DESIGN.md): field names, kind names and nack
//! codes here must never change. The console feed is ours and may grow by adding optional fields.

mod after_action;
mod audit;
mod calendar;
mod console;
pub mod dc09;
pub mod describe;
mod detail;
mod device;
mod drill;
mod incident;
mod incident_log;
mod notifications;
mod review;

pub use after_action::*;
pub use audit::*;
pub use calendar::*;
pub use console::*;
pub use detail::Detail;
pub use device::*;
pub use drill::*;
pub use incident::*;
pub use incident_log::*;
pub use notifications::*;
pub use review::*;

/// A site the hub serves, as `GET /v1/sites` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SiteInfo {
    pub id: String,
    pub name: String,
}

// A calendar date on the wire, `YYYY-MM-DD` (without it `time` writes a year and day-of-year
// pair), for drill calendars and corrective actions.
time::serde::format_description!(pub iso_date, Date, "[year]-[month]-[day]");

#[cfg(test)]
mod tests;
