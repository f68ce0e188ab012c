//! An incident's playbook run: starting it, turning operator commands into run events, and the
//! checklist view the console shows. The run itself is the `playbooks` engine, rebuilt from the
//! run events the incident keeps.

use playbooks::{
    Library, Outcome, Run, RunCommand, RunError, RunEvent, StepStatus as RunStatus, ValueProblem,
};
use time::OffsetDateTime;

use super::{Incident, IncidentCommand, Refusal, Setup};
use crate::protocol::{
    Bilingual, CallView, ChoiceView, IncidentEvent, IncidentState, InputView, PlaybookView,
    RefusalCode, StepStatus, StepView,
};

/// The actor the hub uses for what it starts by itself.
pub const HUB_ACTOR: &str = "hub";

impl Incident {
    /// The run of this incident's playbook, rebuilt from its events.
    pub fn run(&self, library: &Library) -> Option<Run> {
        let playbook = library.playbook(self.playbook.as_deref()?)?;
        Some(Run::replay(playbook, &self.run_events))
    }

    /// Starts the playbook for the incident's kind when it has none, or a different one (a
    /// pre-alarm that became an alarm gets the alarm's playbook).
    pub fn start_playbook(&self, library: &Library, now: OffsetDateTime) -> Vec<IncidentEvent> {
        let Some(playbook) = library.for_kind(self.view.kind.as_str()) else {
            return Vec::new();
        };
        if self.playbook.as_deref() == Some(playbook.id.as_str()) {
            return Vec::new();
        }
        let start = RunCommand::Start {
            actor: HUB_ACTOR.to_string(),
            incident_started_at: Some(self.view.opened_at),
        };
        match Run::new(playbook).handle(start, now) {
            Ok(events) => events
                .into_iter()
                .map(|run| IncidentEvent::Playbook { run })
                .collect(),
            Err(e) => {
                tracing::error!(playbook = %playbook.id, error = %e, "cannot start playbook");
                Vec::new()
            }
        }
    }

    /// Checks an operator's command on the playbook run (a step done, a choice, an input, a
    /// skip): the incident must have a run and be acknowledged.
    pub(super) fn work_step(
        &self,
        setup: &Setup,
        command: &IncidentCommand,
        actor: String,
        now: OffsetDateTime,
    ) -> Result<Vec<IncidentEvent>, Refusal> {
        let id = &self.view.id;
        let Some(run) = self.run(&setup.library) else {
            return Err(Refusal::new(
                RefusalCode::InvalidState,
                format!("{id} 没有处置预案。"),
                format!("{id} has no playbook."),
            ));
        };
        if self.view.state == IncidentState::New {
            return Err(Refusal::new(
                RefusalCode::InvalidState,
                format!("{id} 尚未确认：请先确认，再执行步骤。"),
                format!("{id} is not acknowledged yet: acknowledge it before working its steps."),
            ));
        }
        let command = match command.clone() {
            IncidentCommand::CompleteStep { step } => RunCommand::CompleteStep { actor, step },
            IncidentCommand::Choose { step, choice } => RunCommand::Choose {
                actor,
                step,
                choice,
            },
            IncidentCommand::RecordInput { step, input, value } => RunCommand::RecordInput {
                actor,
                step,
                input,
                value,
            },
            IncidentCommand::SkipStep { step, reason } => RunCommand::SkipStep {
                actor,
                step,
                reason,
            },
            _ => {
                return Err(Refusal::new(
                    RefusalCode::BadCommand,
                    "这个命令不是预案步骤。",
                    "This command is not a playbook step.",
                ));
            }
        };
        let events = run.handle(command, now).map_err(refusal)?;
        Ok(events
            .into_iter()
            .map(|run| IncidentEvent::Playbook { run })
            .collect())
    }

    /// The deadlines that passed by `now`, each reported once.
    pub fn overdue(&self, library: &Library, now: OffsetDateTime) -> Vec<IncidentEvent> {
        if self.next_deadline.is_none_or(|due| now <= due) {
            return Vec::new();
        }
        let Some(run) = self.run(library) else {
            return Vec::new();
        };
        run.handle(RunCommand::Tick, now)
            .map(|events| {
                events
                    .into_iter()
                    .map(|run| IncidentEvent::Playbook { run })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Refreshes what is derived from the run and the setup: the checklist view (with whom
    /// each step calls and their numbers) and the next deadline.
    pub fn refresh_playbook(&mut self, setup: &Setup) {
        let Some(run) = self.run(&setup.library) else {
            self.checklist = None;
            self.next_deadline = None;
            return;
        };
        self.next_deadline = run
            .remaining()
            .into_iter()
            .filter(|s| !run.progress(&s.id).is_some_and(|p| p.overdue_reported))
            .filter_map(|s| run.due_at(s))
            .min();
        self.checklist = Some(view(&run, |role| self.call_view(setup, role)));
    }
}

/// Where an applied run event leaves the run's bookkeeping on the incident.
pub(super) fn apply_run_event(incident: &mut Incident, event: &RunEvent) {
    if let RunEvent::RunStarted { playbook, .. } = event {
        incident.playbook = Some(playbook.clone());
        incident.run_events.clear();
    }
    incident.run_events.push(event.clone());
    let operator_progress = matches!(
        event,
        RunEvent::StepCompleted { .. } | RunEvent::ChoiceMade { .. } | RunEvent::StepSkipped { .. }
    );
    if operator_progress && incident.view.state == IncidentState::Acknowledged {
        incident.view.state = IncidentState::InProgress;
    }
}

/// A playbook run's refusal in both languages (the English is the engine's own sentence).
fn refusal(error: RunError) -> Refusal {
    let zh = match &error {
        RunError::NotStarted => "预案尚未开始。".to_string(),
        RunError::AlreadyStarted => "预案已经开始。".to_string(),
        RunError::Finished => "预案已经完成。".to_string(),
        RunError::UnknownStep { playbook, step } => format!("预案 {playbook} 没有步骤 {step}。"),
        RunError::NotCurrent { step, current } => {
            format!("步骤 {step} 不是当前步骤（当前步骤是 {current}）。")
        }
        RunError::ChoiceRequired { step, choices } => {
            format!("步骤 {step} 需要选择：{choices} 之一。")
        }
        RunError::NoChoices { step } => format!("步骤 {step} 没有可选项。"),
        RunError::UnknownChoice {
            step,
            choice,
            choices,
        } => format!("步骤 {step} 没有选项 {choice}（可选：{choices}）。"),
        RunError::NotSkippable { step } => format!("步骤 {step} 不能跳过。"),
        RunError::ReasonRequired { step } => format!("跳过步骤 {step} 须说明原因。"),
        RunError::UnknownInput { step, input } => format!("步骤 {step} 没有填写项 {input}。"),
        RunError::NotReached { step } => format!("尚未到达步骤 {step}，还不能为它记录数值。"),
        RunError::BadInput {
            step,
            input,
            problem,
        } => {
            let problem = match problem {
                ValueProblem::Missing => "须填写数值".to_string(),
                ValueProblem::NotANumber { value } => format!("“{value}”不是数字"),
                ValueProblem::NotATime { value } => {
                    format!("“{value}”不是时间；请写成 HH:MM 或 RFC 3339 时间")
                }
            };
            format!("步骤 {step} 的 {input}：{problem}。")
        }
        RunError::InputsMissing { step, inputs } => {
            format!("步骤 {step} 完成前须先记录 {inputs}。")
        }
        RunError::ActorRequired => "须有值班员编号。".to_string(),
    };
    Refusal::new(RefusalCode::InvalidState, zh, error.to_string())
}

fn bilingual(text: &playbooks::Text) -> Bilingual {
    Bilingual {
        zh: text.zh.clone(),
        en: text.en.clone(),
    }
}

/// The checklist view of a run; `calls` says whom a role a step calls means, with numbers.
pub fn view(run: &Run, calls: impl Fn(&str) -> CallView) -> PlaybookView {
    let playbook = run.playbook();
    let steps = playbook
        .steps
        .iter()
        .map(|step| {
            let progress = run.progress(&step.id);
            let outcome = progress.and_then(|p| p.outcome.as_ref());
            let overdue = progress.is_some_and(|p| p.overdue_reported);
            let status = match run.status(&step.id) {
                Some(RunStatus::Done) => StepStatus::Done,
                Some(RunStatus::Skipped) => StepStatus::Skipped,
                Some(RunStatus::NotTaken) => StepStatus::NotTaken,
                Some(RunStatus::Current | RunStatus::Pending) if overdue => StepStatus::Overdue,
                Some(RunStatus::Current) => StepStatus::Current,
                Some(RunStatus::Pending) | None => StepStatus::Pending,
            };
            StepView {
                id: step.id.clone(),
                instruction: bilingual(&step.instruction),
                role: step.role.clone(),
                due_at: run.due_at(step),
                status,
                choices: step
                    .choices()
                    .iter()
                    .map(|c| ChoiceView {
                        id: c.id.clone(),
                        label: bilingual(&c.label),
                    })
                    .collect(),
                inputs: step
                    .inputs
                    .iter()
                    .map(|i| InputView {
                        id: i.id.clone(),
                        label: bilingual(&i.label),
                        value: run.input(&step.id, &i.id).map(str::to_string),
                    })
                    .collect(),
                skippable: step.skippable,
                calls: step.calls.iter().map(|role| calls(role)).collect(),
                done_by: outcome.map(|o| o.by().to_string()),
                done_at: outcome.map(Outcome::at),
                chosen: match outcome {
                    Some(Outcome::Chosen { choice, .. }) => Some(choice.clone()),
                    _ => None,
                },
                skip_reason: match outcome {
                    Some(Outcome::Skipped { reason, .. }) => Some(reason.clone()),
                    _ => None,
                },
            }
        })
        .collect();
    PlaybookView {
        id: playbook.id.clone(),
        title: bilingual(&playbook.title),
        steps,
        current: run.current_step().map(|s| s.id.clone()),
    }
}
