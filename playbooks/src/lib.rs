//! Playbooks and notification trees: their formats, validation, the engine and the bundled library.
//!
//! A [`Library`] holds checked [`Playbook`]s, [`NotificationTree`]s and [`Roles`]; a [`Run`] walks
//! one playbook for one incident as a pure state machine: [`Run::handle`] turns a [`RunCommand`]
//! into [`RunEvent`]s and [`Run::apply`] folds them in. See the crate's README for the file format.

mod bundled;
mod check;
pub mod checklist;
pub mod duration;
mod error;
mod library;
mod load;
mod model;
mod raw;
mod run;
mod source;
mod text;

// The kit the library's files are read with, for the workspace's other TOML formats (drill
// plans, drill scenarios): errors that name the file, line and field.
pub use check::Findings;
pub use error::{LoadError, Problem, Result, RunError, ValueProblem};
pub use library::Library;
pub use load::{ROLES_FILE, TREES_FILE};
pub use model::{
    Channel, Choice, Contact, Flow, INCIDENT_KINDS, Input, InputKind, Level, Milestone,
    NotificationTree, Notify, NotifyAction, Origin, Playbook, Recipient, Role, Roles, Step,
    is_manual_kind,
};
pub use raw::RawText;
pub use run::{Outcome, Recorded, Run, RunCommand, RunEvent, StepProgress, StepStatus};
pub use source::SourceFile;
pub use text::{Lang, Text, first_words};
