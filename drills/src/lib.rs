//! Drills: calendar, scenarios, the scenario runner and device simulator, scoring and after-action reports.
//!
//! Today it holds the device simulator's event mix ([`mix`]) over simulated sites ([`layout`]).

pub mod layout;
pub mod mix;
pub mod rng;
