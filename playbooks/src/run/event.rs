//! What happened in a playbook run, in the past tense, and how each event changes the run.
//! These events are what the incident log stores, as JSON.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Outcome, Recorded, Run};
use crate::model::NotifyAction;

/// One fact about a run. Operators are named by id in `by`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RunEvent {
    /// The run began at its first step. Deadlines count from `incident_started_at`.
    RunStarted {
        playbook: String,
        by: String,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        #[serde(with = "time::serde::rfc3339")]
        incident_started_at: OffsetDateTime,
    },
    /// A step without choices was done; the run moved on.
    StepCompleted {
        step: String,
        by: String,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// A branching step was done by taking one of its choices; the run moved on along it.
    ChoiceMade {
        step: String,
        choice: String,
        by: String,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// A value was recorded at a step (a later record of the same input replaces it).
    InputRecorded {
        step: String,
        input: String,
        value: String,
        /// The value it replaced, when it corrected one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous: Option<String>,
        by: String,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// A skippable step was passed over, with the operator's reason; the run moved on.
    StepSkipped {
        step: String,
        reason: String,
        by: String,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// The completion, choice or skip of the step done last was taken back: it is the current
    /// step again, and the step it had led to is no longer reached.
    StepReopened {
        step: String,
        by: String,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// A step's deadline passed before it was done. Reported once per step.
    StepOverdue {
        step: String,
        #[serde(with = "time::serde::rfc3339")]
        due_at: OffsetDateTime,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// The run reached a step that asks for a notification tree to be started or extended.
    NotificationRequested {
        step: String,
        tree: String,
        action: NotifyAction,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// The run reached an end.
    RunFinished {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
}

impl Run {
    /// Changes the run by one event. Never fails: an event naming a step this playbook does not
    /// have (a log written under an older version of it) changes nothing.
    pub fn apply(&mut self, event: &RunEvent) {
        match event {
            RunEvent::RunStarted {
                by,
                at,
                incident_started_at,
                ..
            } => {
                self.started = Some(super::Started {
                    by: by.clone(),
                    at: *at,
                    incident_started_at: *incident_started_at,
                });
                self.arrive(Some(0), *at);
            }
            RunEvent::StepCompleted { step, by, at } => {
                self.finish_step(
                    step,
                    Outcome::Done {
                        by: by.clone(),
                        at: *at,
                    },
                    None,
                );
            }
            RunEvent::ChoiceMade {
                step,
                choice,
                by,
                at,
            } => {
                let outcome = Outcome::Chosen {
                    choice: choice.clone(),
                    by: by.clone(),
                    at: *at,
                };
                self.finish_step(step, outcome, Some(choice));
            }
            RunEvent::StepSkipped {
                step,
                reason,
                by,
                at,
            } => {
                let outcome = Outcome::Skipped {
                    reason: reason.clone(),
                    by: by.clone(),
                    at: *at,
                };
                self.finish_step(step, outcome, None);
            }
            RunEvent::InputRecorded {
                step,
                input,
                value,
                by,
                at,
                ..
            } => {
                if let Some(progress) = self.progress_mut(step) {
                    let recorded = Recorded {
                        value: value.clone(),
                        by: by.clone(),
                        at: *at,
                    };
                    progress.inputs.insert(input.clone(), recorded);
                }
            }
            RunEvent::StepReopened { step, .. } => self.reopen(step),
            RunEvent::StepOverdue { step, .. } => {
                if let Some(progress) = self.progress_mut(step) {
                    progress.overdue_reported = true;
                }
            }
            RunEvent::NotificationRequested { .. } => {}
            RunEvent::RunFinished { at } => {
                self.current = None;
                self.finished_at = Some(*at);
            }
        }
    }

    /// Records how a step ended and, if it was the current one, moves to where it leads.
    fn finish_step(&mut self, step: &str, outcome: Outcome, choice: Option<&str>) {
        let Some(index) = self.playbook.step_index(step) else {
            return;
        };
        let at = outcome.at();
        if let Some(progress) = self.progress.get_mut(index) {
            progress.outcome = Some(outcome);
        }
        if self.current == Some(index) {
            let target = self.target(index, choice);
            self.arrive(target, at);
        }
    }

    /// Makes the step that ended last current again, leaving the step it led to unreached.
    fn reopen(&mut self, step: &str) {
        let Some(index) = self.playbook.step_index(step) else {
            return;
        };
        if !self.is_finished()
            && let Some(left) = self.current
        {
            self.visited.pop();
            if let Some(progress) = self.progress.get_mut(left) {
                progress.reached_at = None;
                progress.overdue_reported = false;
            }
        }
        if let Some(progress) = self.progress.get_mut(index) {
            progress.outcome = None;
        }
        self.finished_at = None;
        self.current = Some(index);
    }

    /// Makes `target` the current step (or none, at an end).
    fn arrive(&mut self, target: Option<usize>, at: OffsetDateTime) {
        self.current = target.filter(|i| *i < self.playbook.steps.len());
        if let Some(i) = self.current {
            self.visited.push(i);
            if let Some(progress) = self.progress.get_mut(i) {
                progress.reached_at = Some(at);
            }
        }
    }
}
