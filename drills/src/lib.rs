//! Drills and the device simulator: the drill calendar as `drills plan` shows and edits it
//! ([`calendar`]); drill scenarios and their checks ([`scenario`]); the after-action report and
//! improvement plan from the command line ([`after_action`]); a
//! deterministic event mix ([`mix`]) over simulated sites ([`layout`]), the paced, pipelined load
//! generator that sends it to a hub ([`load`]), and a console-feed watcher ([`watch`]) that times
//! when changes reach an operator.

pub mod after_action;
pub mod calendar;
pub mod error;
pub mod layout;
pub mod load;
pub mod mix;
pub mod rng;
pub mod run;
pub mod scenario;
pub mod stats;
pub mod watch;

pub use error::{Error, Result};
