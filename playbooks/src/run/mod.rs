//! A run of one playbook for one incident: its state and the questions a console asks of it.
//! Commands are checked in [`command`], events applied in [`event`]; nothing here does I/O or
//! reads a clock.

mod command;
mod event;

use std::collections::BTreeMap;

use time::OffsetDateTime;

use crate::model::{Flow, Playbook, Step};

pub use command::RunCommand;
pub use event::RunEvent;

/// The state of a playbook run, built only by applying [`RunEvent`]s to [`Run::new`].
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    playbook: Playbook,
    started: Option<Started>,
    current: Option<usize>,
    finished_at: Option<OffsetDateTime>,
    /// Parallel to the playbook's steps.
    progress: Vec<StepProgress>,
    /// The steps reached, in the order they were reached.
    visited: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
struct Started {
    by: String,
    at: OffsetDateTime,
    incident_started_at: OffsetDateTime,
}

/// What has happened to one step of a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepProgress {
    /// When the run reached the step; `None` while it has not.
    pub reached_at: Option<OffsetDateTime>,
    /// How the step ended; `None` while it is pending or current.
    pub outcome: Option<Outcome>,
    /// The values recorded at the step, by input id.
    pub inputs: BTreeMap<String, Recorded>,
    /// A `StepOverdue` has been reported for the step.
    pub overdue_reported: bool,
}

/// How a step ended, by whom and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done {
        by: String,
        at: OffsetDateTime,
    },
    Chosen {
        choice: String,
        by: String,
        at: OffsetDateTime,
    },
    Skipped {
        reason: String,
        by: String,
        at: OffsetDateTime,
    },
}

impl Outcome {
    /// The operator who ended the step.
    pub fn by(&self) -> &str {
        match self {
            Outcome::Done { by, .. } | Outcome::Chosen { by, .. } | Outcome::Skipped { by, .. } => {
                by
            }
        }
    }

    /// When the step ended.
    pub fn at(&self) -> OffsetDateTime {
        match self {
            Outcome::Done { at, .. } | Outcome::Chosen { at, .. } | Outcome::Skipped { at, .. } => {
                *at
            }
        }
    }
}

/// A value recorded at a step, by whom and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub value: String,
    pub by: String,
    pub at: OffsetDateTime,
}

/// Where a step of a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepStatus {
    /// Still ahead: the run may reach it.
    Pending,
    /// The step to do now.
    Current,
    Done,
    Skipped,
    /// Behind a choice that went another way, or left over when the run finished.
    NotTaken,
}

impl Run {
    /// A run of `playbook` that has not started; send [`RunCommand::Start`] to begin.
    pub fn new(playbook: &Playbook) -> Run {
        Run {
            playbook: playbook.clone(),
            started: None,
            current: None,
            finished_at: None,
            progress: vec![StepProgress::default(); playbook.steps.len()],
            visited: Vec::new(),
        }
    }

    /// The run rebuilt from its log.
    pub fn replay<'e>(playbook: &Playbook, events: impl IntoIterator<Item = &'e RunEvent>) -> Run {
        let mut run = Run::new(playbook);
        for event in events {
            run.apply(event);
        }
        run
    }

    /// Checks `command` and, if it is allowed, applies its events and returns them.
    pub fn execute(
        &mut self,
        command: RunCommand,
        now: OffsetDateTime,
    ) -> Result<Vec<RunEvent>, crate::RunError> {
        let events = self.handle(command, now)?;
        for event in &events {
            self.apply(event);
        }
        Ok(events)
    }

    /// The playbook being run.
    pub fn playbook(&self) -> &Playbook {
        &self.playbook
    }

    /// True once the run has started.
    pub fn is_started(&self) -> bool {
        self.started.is_some()
    }

    /// True once the run has reached an end.
    pub fn is_finished(&self) -> bool {
        self.finished_at.is_some()
    }

    /// When the run started, and who started it.
    pub fn started(&self) -> Option<(OffsetDateTime, &str)> {
        self.started.as_ref().map(|s| (s.at, s.by.as_str()))
    }

    /// When the incident started: the moment deadlines count from.
    pub fn incident_started_at(&self) -> Option<OffsetDateTime> {
        self.started.as_ref().map(|s| s.incident_started_at)
    }

    /// When the run finished.
    pub fn finished_at(&self) -> Option<OffsetDateTime> {
        self.finished_at
    }

    /// The step to do now; `None` before the start and after the end.
    pub fn current_step(&self) -> Option<&Step> {
        self.current.and_then(|i| self.playbook.steps.get(i))
    }

    /// What has happened to the step with this id.
    pub fn progress(&self, step: &str) -> Option<&StepProgress> {
        self.playbook
            .step_index(step)
            .and_then(|i| self.progress.get(i))
    }

    /// The value recorded for an input of a step.
    pub fn input(&self, step: &str, input: &str) -> Option<&str> {
        self.progress(step)?
            .inputs
            .get(input)
            .map(|r| r.value.as_str())
    }

    /// The steps reached so far, in the order they were reached.
    pub fn visited(&self) -> impl Iterator<Item = &Step> {
        self.visited
            .iter()
            .filter_map(|i| self.playbook.steps.get(*i))
    }

    /// When the step is due: incident start plus its deadline. `None` without a deadline or
    /// before the run starts.
    pub fn due_at(&self, step: &Step) -> Option<OffsetDateTime> {
        Some(self.incident_started_at()? + step.deadline?)
    }

    /// Where the step with this id stands.
    pub fn status(&self, step: &str) -> Option<StepStatus> {
        let index = self.playbook.step_index(step)?;
        Some(self.status_at(index, &self.ahead()))
    }

    fn status_at(&self, index: usize, ahead: &[bool]) -> StepStatus {
        match self.progress.get(index).and_then(|p| p.outcome.as_ref()) {
            Some(Outcome::Skipped { .. }) => StepStatus::Skipped,
            Some(_) => StepStatus::Done,
            None if self.current == Some(index) => StepStatus::Current,
            None if ahead.get(index).copied().unwrap_or(false) => StepStatus::Pending,
            None => StepStatus::NotTaken,
        }
    }

    /// The steps still to do: the current step and every step the run may still reach, in file
    /// order. Steps behind a choice not yet made are included; empty once finished.
    pub fn remaining(&self) -> Vec<&Step> {
        let ahead = self.ahead();
        self.playbook
            .steps
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                matches!(
                    self.status_at(*i, &ahead),
                    StepStatus::Current | StepStatus::Pending
                )
            })
            .map(|(_, step)| step)
            .collect()
    }

    /// The steps whose deadline has passed at `now` while they are still to do (current, or
    /// pending and still reachable), in file order.
    pub fn overdue_steps(&self, now: OffsetDateTime) -> Vec<&Step> {
        self.remaining()
            .into_iter()
            .filter(|step| self.due_at(step).is_some_and(|due| now > due))
            .collect()
    }

    /// The step that ended last: the one before the current step (or the last one, once the
    /// run has finished). `None` before any step ended.
    pub fn last_ended(&self) -> Option<&Step> {
        let behind = if self.is_finished() { 1 } else { 2 };
        let index = self.visited.len().checked_sub(behind)?;
        let step = *self.visited.get(index)?;
        self.progress
            .get(step)
            .and_then(|p| p.outcome.as_ref())
            .and_then(|_| self.playbook.steps.get(step))
    }

    /// Which steps the run may still reach from the current one (the current one included).
    fn ahead(&self) -> Vec<bool> {
        let mut ahead = vec![false; self.playbook.steps.len()];
        let mut todo: Vec<usize> = self.current.into_iter().collect();
        if !self.is_started() && !self.playbook.steps.is_empty() {
            todo.push(0);
        }
        while let Some(i) = todo.pop() {
            match ahead.get_mut(i) {
                Some(seen) if !*seen => *seen = true,
                _ => continue,
            }
            let Some(step) = self.playbook.steps.get(i) else {
                continue;
            };
            match &step.flow {
                Flow::Next(id) => todo.extend(self.playbook.step_index(id)),
                Flow::End => {}
                Flow::Choices(choices) => todo.extend(choices.iter().filter_map(|c| {
                    c.next
                        .as_deref()
                        .and_then(|id| self.playbook.step_index(id))
                })),
            }
        }
        ahead
    }

    /// Where step `index` leads: along `choice` for a branching step, else its flow.
    fn target(&self, index: usize, choice: Option<&str>) -> Option<usize> {
        let step = self.playbook.steps.get(index)?;
        let next = match (&step.flow, choice) {
            (Flow::Next(id), _) => Some(id.as_str()),
            (Flow::End, _) => None,
            (Flow::Choices(_), Some(choice)) => step.choice(choice)?.next.as_deref(),
            (Flow::Choices(_), None) => None,
        };
        next.and_then(|id| self.playbook.step_index(id))
    }

    fn progress_mut(&mut self, step: &str) -> Option<&mut StepProgress> {
        let index = self.playbook.step_index(step)?;
        self.progress.get_mut(index)
    }
}
