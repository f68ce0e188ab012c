//! What an operator asks of one incident, who is asking, and why a command was refused.

use crate::protocol::{Bilingual, CallOutcome, Callee, Command, RefusalCode, Role};

/// What an operator asks of one incident: its state, its playbook run or its notification
/// trees. Every command is checked in [`super::Incident::handle`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncidentCommand {
    Acknowledge,
    AddNote {
        text: String,
    },
    Resolve {
        summary: Option<String>,
    },
    Close,
    CompleteStep {
        step: String,
    },
    Choose {
        step: String,
        choice: String,
    },
    RecordInput {
        step: String,
        input: String,
        value: String,
    },
    SkipStep {
        step: String,
        reason: String,
    },
    UndoStep {
        step: String,
    },
    /// Calls the next level of the incident's notification trees now.
    EscalateNow,
    /// Records a phone call the operator made: whom, and what came of it.
    LogCall {
        callee: Callee,
        outcome: CallOutcome,
        note: Option<String>,
    },
}

impl IncidentCommand {
    /// The incident a console command names and what it asks of it; `None` for the commands
    /// that are not about one incident (hand-over, tests).
    pub fn of(command: &Command) -> Option<(&str, IncidentCommand)> {
        let incident = command.incident()?;
        let command = match command.clone() {
            Command::Acknowledge { .. } => IncidentCommand::Acknowledge,
            Command::AddNote { text, .. } => IncidentCommand::AddNote { text },
            Command::Resolve { summary, .. } => IncidentCommand::Resolve { summary },
            Command::Close { .. } => IncidentCommand::Close,
            Command::CompleteStep { step, .. } => IncidentCommand::CompleteStep { step },
            Command::Choose { step, choice, .. } => IncidentCommand::Choose { step, choice },
            Command::RecordInput {
                step, input, value, ..
            } => IncidentCommand::RecordInput { step, input, value },
            Command::SkipStep { step, reason, .. } => IncidentCommand::SkipStep { step, reason },
            Command::UndoStep { step, .. } => IncidentCommand::UndoStep { step },
            Command::EscalateNow { .. } => IncidentCommand::EscalateNow,
            Command::LogCall {
                callee,
                outcome,
                note,
                ..
            } => IncidentCommand::LogCall {
                callee,
                outcome,
                note,
            },
            Command::HandOver { .. }
            | Command::ConfirmHandOver { .. }
            | Command::PutOnTest { .. }
            | Command::EndTest { .. }
            | Command::OpenIncident { .. } => {
                return None;
            }
        };
        Some((incident, command))
    }
}

/// Who is asking.
#[derive(Debug, Clone, Copy)]
pub struct OperatorRef<'a> {
    pub id: &'a str,
    pub role: Role,
}

/// Why a command was refused, in words an operator can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: RefusalCode,
    /// The sentence, in Chinese and English: the console shows the operator's language.
    pub message: Bilingual,
}

impl Refusal {
    /// A refusal with its sentence in Chinese (`zh`) and English (`en`).
    pub fn new(code: RefusalCode, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Refusal {
            code,
            message: Bilingual {
                zh: zh.into(),
                en: en.into(),
            },
        }
    }
}
