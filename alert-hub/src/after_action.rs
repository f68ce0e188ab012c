//! A drill's after-action analysis and improvement plan as a state machine: a safety officer's
//! or an admin's commands are checked against the drill's objectives and the plan so far and
//! yield past-tense [`AfterActionEvent`]s; applying an event only changes the record. Pure: the
//! core passes in the drill, the record, the person and the time.

use time::{Date, OffsetDateTime};

use crate::ingest::MAX_TEXT_BYTES;
use crate::protocol::{
    ActionStatus, ActionUpdate, AfterActionChange, AfterActionEvent, AfterActionRecord,
    ImprovementAction, NewAction, Objective, ObjectiveAnalysis,
};

/// The longest text of a strength, an area, an action or an issue, in bytes.
pub const MAX_ENTRY_BYTES: usize = 2000;

/// What a safety officer or an admin asks of a drill's after-action plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterActionCommand {
    /// Writes (or rewrites) the analysis of one objective.
    WriteAnalysis(ObjectiveAnalysis),
    AddAction(NewAction),
    /// Changes the status, due date or owner of action `action`.
    UpdateAction {
        action: String,
        update: ActionUpdate,
    },
}

/// Why an after-action command was refused, as a sentence saying what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AfterActionRefusal {
    #[error("no drill \"{0}\" has ended: a drill's analysis and plan are written once it ends")]
    UnknownDrill(String),
    #[error("drill \"{0}\" is still running: end it, then write its analysis and plan")]
    StillRunning(String),
    #[error("drill \"{drill}\" has no objective \"{objective}\"; its objectives: {known}")]
    UnknownObjective {
        drill: String,
        objective: String,
        known: String,
    },
    #[error("drill \"{drill}\" has no action \"{action}\"; its actions: {known}")]
    UnknownAction {
        drill: String,
        action: String,
        known: String,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("the hub cannot read its store just now: nothing was saved; try again shortly")]
    Unavailable,
}

/// Checks `command` against the drill's `objectives` and its `record` so far; `today` is the
/// date at the site. The events that follow, or why not.
pub fn handle(
    record: &AfterActionRecord,
    objectives: &[Objective],
    command: AfterActionCommand,
    today: Date,
) -> Result<Vec<AfterActionEvent>, AfterActionRefusal> {
    match command {
        AfterActionCommand::WriteAnalysis(analysis) => write_analysis(record, objectives, analysis),
        AfterActionCommand::AddAction(new) => add_action(record, new, today),
        AfterActionCommand::UpdateAction { action, update } => {
            update_action(record, &action, update, today)
        }
    }
}

fn write_analysis(
    record: &AfterActionRecord,
    objectives: &[Objective],
    analysis: ObjectiveAnalysis,
) -> Result<Vec<AfterActionEvent>, AfterActionRefusal> {
    if !objectives.iter().any(|o| o.id == analysis.objective) {
        let known: Vec<&str> = objectives.iter().map(|o| o.id.as_str()).collect();
        return Err(AfterActionRefusal::UnknownObjective {
            drill: record.drill.clone(),
            objective: analysis.objective,
            known: if known.is_empty() {
                "none (the drill set no objectives)".into()
            } else {
                known.join(", ")
            },
        });
    }
    let strengths = entries(analysis.strengths, "a strength")?;
    let areas = entries(analysis.areas, "an area for improvement")?;
    if strengths.is_empty() && areas.is_empty() {
        return Err(invalid(format!(
            "the analysis of objective \"{}\" needs at least one strength or area for improvement",
            analysis.objective
        )));
    }
    Ok(vec![AfterActionEvent::AnalysisWritten {
        analysis: ObjectiveAnalysis {
            objective: analysis.objective,
            strengths,
            areas,
        },
    }])
}

/// The texts trimmed, blank ones dropped; one too long is refused.
fn entries(texts: Vec<String>, what: &str) -> Result<Vec<String>, AfterActionRefusal> {
    let mut out = Vec::with_capacity(texts.len());
    for text in texts {
        let text = text.trim();
        if text.len() > MAX_ENTRY_BYTES {
            return Err(invalid(format!(
                "{what} is longer than {MAX_ENTRY_BYTES} bytes"
            )));
        }
        if !text.is_empty() {
            out.push(text.to_string());
        }
    }
    Ok(out)
}

/// A required text, trimmed: `field` of an action must be there and not too long.
fn required(text: &str, field: &str, limit: usize) -> Result<String, AfterActionRefusal> {
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid(format!("a corrective action needs {field}")));
    }
    if text.len() > limit {
        return Err(invalid(format!("{field} is longer than {limit} bytes")));
    }
    Ok(text.to_string())
}

fn add_action(
    record: &AfterActionRecord,
    new: NewAction,
    today: Date,
) -> Result<Vec<AfterActionEvent>, AfterActionRefusal> {
    let addresses = required(
        &new.addresses,
        "the objective or issue it addresses",
        MAX_ENTRY_BYTES,
    )?;
    let action = required(&new.action, "what is to be done", MAX_ENTRY_BYTES)?;
    let owner = required(&new.owner, "an owner", MAX_TEXT_BYTES)?;
    let start = new.start.unwrap_or(today);
    due_after_start(new.due, start)?;
    Ok(vec![AfterActionEvent::ActionAdded {
        action: ImprovementAction {
            id: format!("A{}", record.actions.len() + 1),
            addresses,
            action,
            owner,
            start,
            due: new.due,
            status: ActionStatus::Open,
            completed: None,
        },
    }])
}

fn due_after_start(due: Date, start: Date) -> Result<(), AfterActionRefusal> {
    if due < start {
        return Err(invalid(format!(
            "the due date {due} is before the start date {start}"
        )));
    }
    Ok(())
}

fn update_action(
    record: &AfterActionRecord,
    id: &str,
    update: ActionUpdate,
    today: Date,
) -> Result<Vec<AfterActionEvent>, AfterActionRefusal> {
    let Some(current) = record.actions.iter().find(|a| a.id == id) else {
        let known: Vec<&str> = record.actions.iter().map(|a| a.id.as_str()).collect();
        return Err(AfterActionRefusal::UnknownAction {
            drill: record.drill.clone(),
            action: id.to_string(),
            known: if known.is_empty() {
                "none yet".into()
            } else {
                known.join(", ")
            },
        });
    };
    let status = update.status.unwrap_or(current.status);
    if update.completed.is_some() && status != ActionStatus::Done {
        return Err(invalid(format!(
            "a completion date is for a done action; {id} would be {}",
            status.names().1
        )));
    }
    let mut events = Vec::new();
    if let Some(owner) = update.owner {
        let owner = required(&owner, "an owner", MAX_TEXT_BYTES)?;
        if owner != current.owner {
            events.push(AfterActionEvent::ActionReassigned {
                action: id.to_string(),
                owner,
            });
        }
    }
    if let Some(due) = update.due {
        due_after_start(due, current.start)?;
        if due != current.due {
            events.push(AfterActionEvent::ActionRescheduled {
                action: id.to_string(),
                due,
            });
        }
    }
    let completed = match status {
        ActionStatus::Done => Some(update.completed.or(current.completed).unwrap_or(today)),
        ActionStatus::Open | ActionStatus::InProgress => None,
    };
    if let Some(day) = completed
        && day < current.start
    {
        return Err(invalid(format!(
            "{id} cannot be done on {day}, before it started on {}",
            current.start
        )));
    }
    if status != current.status || completed != current.completed {
        events.push(AfterActionEvent::ActionStatusChanged {
            action: id.to_string(),
            status,
            completed,
        });
    }
    if events.is_empty() {
        return Err(invalid(format!(
            "nothing to change: give {id} a new status, due date or owner"
        )));
    }
    Ok(events)
}

fn invalid(sentence: String) -> AfterActionRefusal {
    AfterActionRefusal::Invalid(sentence)
}

impl AfterActionRecord {
    /// The record of drill `drill` before anything was written.
    pub fn new(drill: &str) -> AfterActionRecord {
        AfterActionRecord {
            drill: drill.to_string(),
            ..AfterActionRecord::default()
        }
    }

    /// Applies `event`, made by `by` at `at`, and logs it; `objectives` keeps the analysis in
    /// the drill's order. Cannot fail: an event names only what [`handle`] found.
    pub fn apply(
        &mut self,
        event: AfterActionEvent,
        by: &str,
        at: OffsetDateTime,
        objectives: &[Objective],
    ) {
        match &event {
            AfterActionEvent::AnalysisWritten { analysis } => {
                self.analysis.retain(|a| a.objective != analysis.objective);
                self.analysis.push(analysis.clone());
                let rank = |a: &ObjectiveAnalysis| {
                    objectives
                        .iter()
                        .position(|o| o.id == a.objective)
                        .unwrap_or(usize::MAX)
                };
                self.analysis.sort_by_key(rank);
            }
            AfterActionEvent::ActionAdded { action } => self.actions.push(action.clone()),
            AfterActionEvent::ActionStatusChanged {
                action,
                status,
                completed,
            } => {
                if let Some(a) = self.action_mut(action) {
                    a.status = *status;
                    a.completed = *completed;
                }
            }
            AfterActionEvent::ActionRescheduled { action, due } => {
                if let Some(a) = self.action_mut(action) {
                    a.due = *due;
                }
            }
            AfterActionEvent::ActionReassigned { action, owner } => {
                if let Some(a) = self.action_mut(action) {
                    a.owner = owner.clone();
                }
            }
        }
        self.history.push(AfterActionChange {
            by: by.to_string(),
            at,
            event,
        });
    }

    fn action_mut(&mut self, id: &str) -> Option<&mut ImprovementAction> {
        self.actions.iter_mut().find(|a| a.id == id)
    }

    /// The analysis of objective `id`, when one was written.
    pub fn analysis_of(&self, id: &str) -> Option<&ObjectiveAnalysis> {
        self.analysis.iter().find(|a| a.objective == id)
    }
}

#[cfg(test)]
mod tests;
