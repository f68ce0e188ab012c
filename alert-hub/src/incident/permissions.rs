//! The permission table: which roles may do what, for console commands and the API's drill
//! actions alike.

use crate::protocol::{Command, RefusalCode, Role};

use super::Refusal;

/// Everything a role may or may not be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Acknowledge,
    AddNote,
    Resolve,
    Close,
    CompleteStep,
    Choose,
    RecordInput,
    SkipStep,
    EscalateNow,
    HandOver,
    PutOnTest,
    EndTest,
    StartDrill,
    EndDrill,
}

/// Who may do an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anyone,
    /// Operators, safety officers and admins: everyone but managers.
    OnDuty,
    SafetyOfficerOrAdmin,
}

impl Action {
    /// The action a console command asks for.
    pub fn of(command: &Command) -> Action {
        match command {
            Command::Acknowledge { .. } => Action::Acknowledge,
            Command::AddNote { .. } => Action::AddNote,
            Command::Resolve { .. } => Action::Resolve,
            Command::Close { .. } => Action::Close,
            Command::CompleteStep { .. } => Action::CompleteStep,
            Command::Choose { .. } => Action::Choose,
            Command::RecordInput { .. } => Action::RecordInput,
            Command::SkipStep { .. } => Action::SkipStep,
            Command::EscalateNow { .. } => Action::EscalateNow,
            Command::HandOver { .. } => Action::HandOver,
            Command::PutOnTest { .. } => Action::PutOnTest,
            Command::EndTest { .. } => Action::EndTest,
        }
    }

    /// The table. Operators, safety officers and admins run incidents. Managers review them:
    /// they may add notes and close a resolved incident after reviewing its report, but they
    /// do not acknowledge, run playbook steps, escalate or resolve from outside the control
    /// room. Tests and drills are a safety officer's or an admin's.
    fn who_may(self) -> Who {
        match self {
            Action::AddNote | Action::Close => Who::Anyone,
            Action::Acknowledge
            | Action::Resolve
            | Action::CompleteStep
            | Action::Choose
            | Action::RecordInput
            | Action::SkipStep
            | Action::EscalateNow
            | Action::HandOver => Who::OnDuty,
            Action::PutOnTest | Action::EndTest | Action::StartDrill | Action::EndDrill => {
                Who::SafetyOfficerOrAdmin
            }
        }
    }

    fn name(self) -> &'static str {
        match self {
            Action::Acknowledge => "acknowledge an incident",
            Action::AddNote => "add a note",
            Action::Resolve => "resolve an incident",
            Action::Close => "close an incident",
            Action::CompleteStep => "complete a playbook step",
            Action::Choose => "choose a playbook branch",
            Action::RecordInput => "record a playbook input",
            Action::SkipStep => "skip a playbook step",
            Action::EscalateNow => "escalate a notification tree",
            Action::HandOver => "sign a shift hand-over",
            Action::PutOnTest => "put a source on test",
            Action::EndTest => "end a test",
            Action::StartDrill => "start a drill",
            Action::EndDrill => "end a drill",
        }
    }
}

/// Whether `role` may do `action`.
pub fn permitted(role: Role, action: Action) -> bool {
    match action.who_may() {
        Who::Anyone => true,
        Who::OnDuty => role != Role::Manager,
        Who::SafetyOfficerOrAdmin => matches!(role, Role::SafetyOfficer | Role::Admin),
    }
}

/// Whether `role` may do `action`; a refusal says which role may.
pub fn check_permission(role: Role, action: Action) -> Result<(), Refusal> {
    if permitted(role, action) {
        return Ok(());
    }
    let who = match action.who_may() {
        Who::SafetyOfficerOrAdmin => "a safety officer or an admin",
        Who::Anyone | Who::OnDuty => "an operator on duty",
    };
    Err(Refusal::new(
        RefusalCode::NotPermitted,
        format!(
            "A {} may not {}; {who} must.",
            role_name(role),
            action.name()
        ),
    ))
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Operator => "operator",
        Role::SafetyOfficer => "safety officer",
        Role::Manager => "manager",
        Role::Admin => "admin",
    }
}
