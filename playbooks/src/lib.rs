//! Playbooks and notification trees: their formats, validation, the engine and the bundled library.
//!
//! A [`Library`] holds checked [`Playbook`]s, [`NotificationTree`]s and [`Roles`].

mod bundled;
mod check;
pub mod duration;
mod error;
mod library;
mod load;
mod model;
mod raw;
mod source;
mod text;

pub use error::{LoadError, Problem, Result};
pub use library::Library;
pub use load::{ROLES_FILE, TREES_FILE};
pub use model::{
    Channel, Choice, Contact, Flow, INCIDENT_KINDS, Input, InputKind, Level, NotificationTree,
    Notify, NotifyAction, Origin, Playbook, Recipient, Role, Roles, Step, is_manual_kind,
};
pub use text::{Lang, Text};
