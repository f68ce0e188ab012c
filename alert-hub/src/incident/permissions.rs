//! The permission table: which roles may send which console commands.

use crate::protocol::{Command, RefusalCode, Role};

use super::Refusal;

/// Whether `role` may send `command`; a refusal says which role may.
///
/// Operators, safety officers and admins run incidents. Managers review them: they may add
/// notes and close a resolved incident after reviewing its report, but they do not
/// acknowledge, run playbook steps, escalate or resolve from outside the control room.
pub fn check_permission(role: Role, command: &Command) -> Result<(), Refusal> {
    if matches!(command, Command::PutOnTest { .. } | Command::EndTest { .. }) {
        return match role {
            Role::SafetyOfficer | Role::Admin => Ok(()),
            _ => Err(Refusal::new(
                RefusalCode::NotPermitted,
                format!(
                    "A {} may not {}; a safety officer or an admin must.",
                    role_name(role),
                    action_name(command)
                ),
            )),
        };
    }
    let allowed = match command {
        Command::AddNote { .. } | Command::Close { .. } => true,
        Command::Acknowledge { .. }
        | Command::Resolve { .. }
        | Command::CompleteStep { .. }
        | Command::Choose { .. }
        | Command::RecordInput { .. }
        | Command::SkipStep { .. }
        | Command::EscalateNow { .. }
        | Command::HandOver { .. } => role != Role::Manager,
        Command::PutOnTest { .. } | Command::EndTest { .. } => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(Refusal::new(
            RefusalCode::NotPermitted,
            format!(
                "A {} may not {}; an operator on duty must.",
                role_name(role),
                action_name(command)
            ),
        ))
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Operator => "operator",
        Role::SafetyOfficer => "safety officer",
        Role::Manager => "manager",
        Role::Admin => "admin",
    }
}

fn action_name(command: &Command) -> &'static str {
    match command {
        Command::Acknowledge { .. } => "acknowledge an incident",
        Command::AddNote { .. } => "add a note",
        Command::Resolve { .. } => "resolve an incident",
        Command::Close { .. } => "close an incident",
        Command::CompleteStep { .. } => "complete a playbook step",
        Command::Choose { .. } => "choose a playbook branch",
        Command::RecordInput { .. } => "record a playbook input",
        Command::SkipStep { .. } => "skip a playbook step",
        Command::EscalateNow { .. } => "escalate a notification tree",
        Command::HandOver { .. } => "sign a shift hand-over",
        Command::PutOnTest { .. } => "put a source on test",
        Command::EndTest { .. } => "end a test",
    }
}
