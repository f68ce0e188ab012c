//! What an operator (or the clock) asks of a run, and the rules that decide whether it may.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Run, RunEvent};
use crate::error::{RunError, ValueProblem};
use crate::model::{Flow, InputKind, Step};

/// A request to a run. `actor` is the id of the operator asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunCommand {
    /// Begin at the first step. Deadlines count from `incident_started_at`, or from now.
    Start {
        actor: String,
        incident_started_at: Option<OffsetDateTime>,
    },
    /// Mark the current step done (it must not branch).
    CompleteStep { actor: String, step: String },
    /// Take one choice of the current, branching step.
    Choose {
        actor: String,
        step: String,
        choice: String,
    },
    /// Record (or correct) a value at the current step or at a step already passed.
    RecordInput {
        actor: String,
        step: String,
        input: String,
        value: String,
    },
    /// Pass over the current step, which must be skippable, giving a reason.
    SkipStep {
        actor: String,
        step: String,
        reason: String,
    },
    /// Take back the completion, choice or skip of the step done last, when it was a mistake:
    /// it becomes the current step again. Only while nothing was done at the step it led to.
    UndoStep { actor: String, step: String },
    /// Let the clock advance to `now`: reports each deadline newly passed.
    Tick,
}

impl Run {
    /// Decides what `command` at `now` makes happen, without changing the run: the events to
    /// apply, or why the command is refused.
    pub fn handle(
        &self,
        command: RunCommand,
        now: OffsetDateTime,
    ) -> Result<Vec<RunEvent>, RunError> {
        match command {
            RunCommand::Start {
                actor,
                incident_started_at,
            } => self.start(actor, incident_started_at.unwrap_or(now), now),
            RunCommand::CompleteStep { actor, step } => self.complete(actor, &step, now),
            RunCommand::Choose {
                actor,
                step,
                choice,
            } => self.choose(actor, &step, &choice, now),
            RunCommand::RecordInput {
                actor,
                step,
                input,
                value,
            } => self.record(actor, step, input, &value, now),
            RunCommand::SkipStep {
                actor,
                step,
                reason,
            } => self.skip(actor, &step, &reason, now),
            RunCommand::UndoStep { actor, step } => self.undo(actor, &step, now),
            RunCommand::Tick => Ok(self.tick(now)),
        }
    }

    fn start(
        &self,
        actor: String,
        incident_started_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Vec<RunEvent>, RunError> {
        if self.is_started() {
            return Err(RunError::AlreadyStarted);
        }
        let by = operator(actor)?;
        let mut events = vec![RunEvent::RunStarted {
            playbook: self.playbook.id.clone(),
            by,
            at: now,
            incident_started_at,
        }];
        events.extend(self.arrival(self.playbook.steps.first(), now));
        Ok(events)
    }

    fn complete(
        &self,
        actor: String,
        step: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<RunEvent>, RunError> {
        let by = operator(actor)?;
        let current = self.current_for(step)?;
        let next = match &current.flow {
            Flow::Choices(choices) => {
                return Err(RunError::ChoiceRequired {
                    step: step.to_owned(),
                    choices: list(choices.iter().map(|c| c.id.as_str())),
                });
            }
            Flow::Next(id) => self.playbook.step(id),
            Flow::End => None,
        };
        self.check_inputs(current)?;
        let mut events = vec![RunEvent::StepCompleted {
            step: step.to_owned(),
            by,
            at: now,
        }];
        events.extend(self.arrival(next, now));
        Ok(events)
    }

    fn choose(
        &self,
        actor: String,
        step: &str,
        choice: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<RunEvent>, RunError> {
        let by = operator(actor)?;
        let current = self.current_for(step)?;
        if current.choices().is_empty() {
            return Err(RunError::NoChoices {
                step: step.to_owned(),
            });
        }
        let Some(taken) = current.choice(choice) else {
            return Err(RunError::UnknownChoice {
                step: step.to_owned(),
                choice: choice.to_owned(),
                choices: list(current.choices().iter().map(|c| c.id.as_str())),
            });
        };
        self.check_inputs(current)?;
        let next = taken.next.as_deref().and_then(|id| self.playbook.step(id));
        let mut events = vec![RunEvent::ChoiceMade {
            step: step.to_owned(),
            choice: choice.to_owned(),
            by,
            at: now,
        }];
        events.extend(self.arrival(next, now));
        Ok(events)
    }

    fn skip(
        &self,
        actor: String,
        step: &str,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<RunEvent>, RunError> {
        let by = operator(actor)?;
        let current = self.current_for(step)?;
        if !current.skippable || !current.choices().is_empty() {
            return Err(RunError::NotSkippable {
                step: step.to_owned(),
            });
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(RunError::ReasonRequired {
                step: step.to_owned(),
            });
        }
        let next = match &current.flow {
            Flow::Next(id) => self.playbook.step(id),
            Flow::End | Flow::Choices(_) => None,
        };
        let mut events = vec![RunEvent::StepSkipped {
            step: step.to_owned(),
            reason: reason.to_owned(),
            by,
            at: now,
        }];
        events.extend(self.arrival(next, now));
        Ok(events)
    }

    fn record(
        &self,
        actor: String,
        step: String,
        input: String,
        value: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<RunEvent>, RunError> {
        let by = operator(actor)?;
        if !self.is_started() {
            return Err(RunError::NotStarted);
        }
        let target = self.step_named(&step)?;
        let Some(wanted) = target.input(&input) else {
            return Err(RunError::UnknownInput { step, input });
        };
        if self.progress(&step).is_none_or(|p| p.reached_at.is_none()) {
            return Err(RunError::NotReached { step });
        }
        let value = match check_value(wanted.kind, value) {
            Ok(value) => value,
            Err(problem) => {
                return Err(RunError::BadInput {
                    step,
                    input,
                    problem,
                });
            }
        };
        let previous = self.input(&step, &input).map(str::to_owned);
        if previous.as_deref() == Some(value.as_str()) {
            return Err(RunError::Unchanged { step, input, value });
        }
        Ok(vec![RunEvent::InputRecorded {
            step,
            input,
            value,
            previous,
            by,
            at: now,
        }])
    }

    fn undo(
        &self,
        actor: String,
        step: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<RunEvent>, RunError> {
        let by = operator(actor)?;
        if !self.is_started() {
            return Err(RunError::NotStarted);
        }
        let named = self.step_named(step)?;
        let last = self.last_ended();
        if last.map(|s| s.id.as_str()) != Some(named.id.as_str()) {
            return Err(RunError::NotLastDone {
                step: step.to_owned(),
                last: last.map_or_else(|| "none".to_owned(), |s| s.id.clone()),
            });
        }
        if let Some(current) = self.current_step()
            && self
                .progress(&current.id)
                .is_some_and(|p| !p.inputs.is_empty())
        {
            return Err(RunError::WorkedOn {
                step: step.to_owned(),
                next: current.id.clone(),
            });
        }
        Ok(vec![RunEvent::StepReopened {
            step: step.to_owned(),
            by,
            at: now,
        }])
    }

    /// A `StepOverdue` for each step still to do whose deadline has passed and that has not been
    /// reported yet.
    fn tick(&self, now: OffsetDateTime) -> Vec<RunEvent> {
        if !self.is_started() || self.is_finished() {
            return Vec::new();
        }
        self.overdue_steps(now)
            .into_iter()
            .filter(|step| self.progress(&step.id).is_some_and(|p| !p.overdue_reported))
            .filter_map(|step| {
                Some(RunEvent::StepOverdue {
                    step: step.id.clone(),
                    due_at: self.due_at(step)?,
                    at: now,
                })
            })
            .collect()
    }

    /// What reaching `next` makes happen: its notification, or the end of the run.
    fn arrival(&self, next: Option<&Step>, now: OffsetDateTime) -> Vec<RunEvent> {
        match next {
            None => vec![RunEvent::RunFinished { at: now }],
            Some(step) => step
                .notify
                .iter()
                .map(|notify| RunEvent::NotificationRequested {
                    step: step.id.clone(),
                    tree: notify.tree.clone(),
                    action: notify.action,
                    at: now,
                })
                .collect(),
        }
    }

    fn step_named(&self, step: &str) -> Result<&Step, RunError> {
        self.playbook
            .step(step)
            .ok_or_else(|| RunError::UnknownStep {
                playbook: self.playbook.id.clone(),
                step: step.to_owned(),
            })
    }

    /// The step named by a command that acts on the current step, if it is the current one.
    fn current_for(&self, step: &str) -> Result<&Step, RunError> {
        if !self.is_started() {
            return Err(RunError::NotStarted);
        }
        if self.is_finished() {
            return Err(RunError::Finished);
        }
        let named = self.step_named(step)?;
        match self.current_step() {
            Some(current) if current.id == named.id => Ok(named),
            current => Err(RunError::NotCurrent {
                step: step.to_owned(),
                current: current.map_or_else(|| "none".to_owned(), |c| c.id.clone()),
            }),
        }
    }

    /// Refuses to finish a step while a required input is missing.
    fn check_inputs(&self, step: &Step) -> Result<(), RunError> {
        let missing: Vec<&str> = step
            .inputs
            .iter()
            .filter(|i| i.required && self.input(&step.id, &i.id).is_none())
            .map(|i| i.id.as_str())
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(RunError::InputsMissing {
                step: step.id.clone(),
                inputs: list(missing.into_iter()),
            })
        }
    }
}

fn operator(actor: String) -> Result<String, RunError> {
    if actor.trim().is_empty() {
        Err(RunError::ActorRequired)
    } else {
        Ok(actor)
    }
}

fn list<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    ids.map(|id| format!("{id:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The value as stored, or why it does not fit the input's kind.
fn check_value(kind: InputKind, value: &str) -> Result<String, ValueProblem> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ValueProblem::Missing);
    }
    match kind {
        InputKind::Text => Ok(value.to_owned()),
        InputKind::Number => match value.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(value.to_owned()),
            _ => Err(ValueProblem::NotANumber {
                value: value.to_owned(),
            }),
        },
        InputKind::Time => {
            if is_clock_time(value) || OffsetDateTime::parse(value, &Rfc3339).is_ok() {
                Ok(value.to_owned())
            } else {
                Err(ValueProblem::NotATime {
                    value: value.to_owned(),
                })
            }
        }
    }
}

/// `HH:MM` on a 24-hour clock.
fn is_clock_time(value: &str) -> bool {
    let Some((h, m)) = value.split_once(':') else {
        return false;
    };
    let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    two_digits(h)
        && two_digits(m)
        && h.parse::<u8>().is_ok_and(|h| h < 24)
        && m.parse::<u8>().is_ok_and(|m| m < 60)
}
