//! An incident's playbook run: starting it, turning operator commands into run events, and the
//! checklist view the console shows. The run itself is the `playbooks` engine, rebuilt from the
//! run events the incident keeps.

use playbooks::{
    Library, Outcome, Playbook, Run, RunCommand, RunError, RunEvent, StepStatus as RunStatus,
    ValueProblem,
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
            IncidentCommand::UndoStep { step } => RunCommand::UndoStep { actor, step },
            _ => {
                return Err(Refusal::new(
                    RefusalCode::BadCommand,
                    "这个命令不是预案步骤。",
                    "This command is not a playbook step.",
                ));
            }
        };
        let events = run
            .handle(command, now)
            .map_err(|e| refusal(e, run.playbook()))?;
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

/// A playbook run's refusal in both languages, naming steps, inputs and choices as the
/// operator sees them (number and words of a step, labels), never by their ids.
fn refusal(error: RunError, playbook: &Playbook) -> Refusal {
    let step = |id: &str| StepName::of(playbook, id);
    let input = |step_id: &str, id: &str| {
        playbook
            .step(step_id)
            .and_then(|s| s.input(id))
            .map_or_else(|| text(id), |i| i.label.clone())
    };
    let choices = |step_id: &str| {
        let labels: Vec<&playbooks::Text> = playbook
            .step(step_id)
            .map(|s| s.choices().iter().map(|c| &c.label).collect())
            .unwrap_or_default();
        playbooks::Text {
            zh: labels
                .iter()
                .map(|l| format!("“{}”", l.zh))
                .collect::<Vec<_>>()
                .join("、"),
            en: labels
                .iter()
                .map(|l| format!("“{}”", l.en))
                .collect::<Vec<_>>()
                .join(", "),
        }
    };
    let inputs = |step_id: &str| {
        let missing: Vec<playbooks::Text> = playbook
            .step(step_id)
            .map(|s| {
                s.inputs
                    .iter()
                    .filter(|i| i.required)
                    .map(|i| i.label.clone())
                    .collect()
            })
            .unwrap_or_default();
        playbooks::Text {
            zh: missing
                .iter()
                .map(|l| format!("“{}”", l.zh))
                .collect::<Vec<_>>()
                .join("、"),
            en: missing
                .iter()
                .map(|l| format!("“{}”", l.en))
                .collect::<Vec<_>>()
                .join(", "),
        }
    };
    let (zh, en) = match &error {
        RunError::NotStarted => (
            "预案尚未开始。".into(),
            "The playbook has not started.".into(),
        ),
        RunError::AlreadyStarted => (
            "预案已经开始。".into(),
            "The playbook has already started.".into(),
        ),
        RunError::Finished => ("预案已经完成。".into(), "The playbook has finished.".into()),
        RunError::UnknownStep { step, .. } => (
            format!("预案“{}”没有步骤 {step}。", playbook.title.zh),
            format!("The playbook \"{}\" has no step {step}.", playbook.title.en),
        ),
        RunError::NotCurrent { step: s, current } => {
            let (s, c) = (step(s), step(current));
            (
                format!("{} 不是当前步骤；当前步骤是 {}。", s.zh, c.zh),
                format!("{} is not the step to do now; that is {}.", s.en, c.en),
            )
        }
        RunError::ChoiceRequired { step: s, .. } => {
            let (s, c) = (step(s), choices(s));
            (
                format!("{} 须选择：{}。", s.zh, c.zh),
                format!("{} is done by choosing one of {}.", s.en, c.en),
            )
        }
        RunError::NoChoices { step: s } => {
            let s = step(s);
            (
                format!("{} 没有可选项。", s.zh),
                format!("{} has no choices.", s.en),
            )
        }
        RunError::UnknownChoice {
            step: s, choice, ..
        } => {
            let (name, c) = (step(s), choices(s));
            (
                format!("{} 没有选项 {choice}；可选：{}。", name.zh, c.zh),
                format!(
                    "{} has no choice {choice}; its choices are {}.",
                    name.en, c.en
                ),
            )
        }
        RunError::NotSkippable { step: s } => {
            let s = step(s);
            (
                format!("{} 不能跳过。", s.zh),
                format!("{} may not be skipped.", s.en),
            )
        }
        RunError::ReasonRequired { step: s } => {
            let s = step(s);
            (
                format!("跳过{} 须说明原因。", s.zh),
                format!("Skipping {} needs a reason.", s.en),
            )
        }
        RunError::UnknownInput { step: s, input: i } => {
            let s = step(s);
            (
                format!("{} 没有填写项 {i}。", s.zh),
                format!("{} has nothing to record called {i}.", s.en),
            )
        }
        RunError::NotReached { step: s } => {
            let s = step(s);
            (
                format!("尚未到达{}，还不能为它记录数值。", s.zh),
                format!(
                    "{} has not been reached, so nothing can be recorded for it yet.",
                    s.en
                ),
            )
        }
        RunError::BadInput {
            step: s,
            input: i,
            problem,
        } => {
            let label = input(s, i);
            let (zh, en) = match problem {
                ValueProblem::Missing => {
                    ("须填写数值".to_string(), "a value is needed".to_string())
                }
                ValueProblem::NotANumber { value } => (
                    format!("“{value}”不是数字"),
                    format!("\"{value}\" is not a number"),
                ),
                ValueProblem::NotATime { value } => (
                    format!("“{value}”不是时间；请写成 HH:MM"),
                    format!("\"{value}\" is not a time; write it as HH:MM"),
                ),
            };
            (
                format!("“{}”：{zh}。", label.zh),
                format!("\"{}\": {en}.", label.en),
            )
        }
        RunError::InputsMissing { step: s, .. } => {
            let (name, missing) = (step(s), inputs(s));
            (
                format!("{} 完成前须先记录 {}。", name.zh, missing.zh),
                format!(
                    "{} needs {} recorded before it is done.",
                    name.en, missing.en
                ),
            )
        }
        RunError::ActorRequired => (
            "须有值班员编号。".into(),
            "An operator id is required.".into(),
        ),
        RunError::Unchanged {
            step: s,
            input: i,
            value,
        } => {
            let label = input(s, i);
            (
                format!("“{}”已经是 {value}。", label.zh),
                format!("\"{}\" already holds {value}.", label.en),
            )
        }
        RunError::NotLastDone { step: s, last } => {
            let s = step(s);
            if last == "none" {
                (
                    format!("{} 没有可撤销的完成记录。", s.zh),
                    format!("{} has nothing done to undo.", s.en),
                )
            } else {
                let l = step(last);
                (
                    format!("只能撤销最后完成的步骤（{}），不能撤销{}。", l.zh, s.zh),
                    format!(
                        "Only the step done last ({}) can be undone, not {}.",
                        l.en, s.en
                    ),
                )
            }
        }
        RunError::WorkedOn { step: s, next } => {
            let (s, n) = (step(s), step(next));
            (
                format!("{} 已有记录，不能再撤销{}。", n.zh, s.zh),
                format!(
                    "{} cannot be undone: values were recorded at {}, which it led to.",
                    s.en, n.en
                ),
            )
        }
    };
    Refusal::new(RefusalCode::InvalidState, zh, en)
}

/// A step as an operator knows it: its number on the checklist and the start of its words,
/// e.g. `step 3 “Call 119 and say”`.
struct StepName {
    zh: String,
    en: String,
}

impl StepName {
    fn of(playbook: &Playbook, id: &str) -> StepName {
        let Some((index, step)) = playbook.steps.iter().enumerate().find(|(_, s)| s.id == id)
        else {
            return StepName {
                zh: format!("步骤 {id}"),
                en: format!("step {id}"),
            };
        };
        let n = index + 1;
        StepName {
            zh: format!(
                "第 {n} 步“{}”",
                playbooks::first_words(&step.instruction.zh)
            ),
            en: format!(
                "step {n} “{}”",
                playbooks::first_words(&step.instruction.en)
            ),
        }
    }
}

fn text(id: &str) -> playbooks::Text {
    playbooks::Text {
        zh: id.to_string(),
        en: id.to_string(),
    }
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
        last_done: run.last_ended().map(|s| s.id.clone()),
    }
}
