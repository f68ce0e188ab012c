//! `console demo`: the real hub embedded in-process on a temporary data directory, simulated
//! devices feeding it a scripted minute over real WebSockets, and the console signed in as
//! the demo operator. The binary wires these to the terminal.

pub mod devices;
pub mod hub;
pub mod outside;
pub mod script;

/// The demo operator the console signs in as: Li Wei (`op-li`).
pub const OPERATOR_TOKEN: &str = "demo-operator-li-wei";
