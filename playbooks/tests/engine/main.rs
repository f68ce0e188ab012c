//! The playbook run as a state machine, in given / when / then form: given the events so far,
//! when a command arrives at a time, then these events (or this refusal).

// Helpers outside `#[test]` functions unwrap too; clippy.toml allows that only inside them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod deadlines;
mod inputs;
mod log;
mod start;
mod steps;
mod undo;

pub use playbooks::{
    Library, NotifyAction, Playbook, Run, RunCommand, RunError, RunEvent, StepStatus,
};
pub use time::macros::datetime;
pub use time::{Duration, OffsetDateTime};

pub const PLAYBOOK: &str = r#"
id = "test-run"
title = { zh = "测试", en = "Test run" }
triggers = ["manual.test_run"]

[[steps]]
id = "confirm"
instruction = { zh = "确认", en = "Confirm" }
role = "operator"
deadline = "3m"
notify = { start = "fire-alarm" }
choices = [
  { id = "real", label = { zh = "真", en = "Real" }, next = "call" },
  { id = "false", label = { zh = "误报", en = "False" }, next = "reset" },
]

[[steps]]
id = "call"
instruction = { zh = "报警", en = "Call" }
role = "operator"
deadline = "5m"
notify = { extend = "fire-confirmed" }
inputs = [ { id = "called_at", label = { zh = "时间", en = "Time" }, type = "time", required = true } ]

[[steps]]
id = "evacuate"
instruction = { zh = "疏散", en = "Evacuate" }
role = "security_lead"
deadline = "20m"
skippable = true
inputs = [ { id = "missing", label = { zh = "人数", en = "Missing" }, type = "number" } ]
end = true

[[steps]]
id = "reset"
instruction = { zh = "复位", en = "Reset" }
role = "operator"
deadline = "10m"

[[steps]]
id = "record"
instruction = { zh = "记录", en = "Record" }
role = "operator"
inputs = [ { id = "cause", label = { zh = "原因", en = "Cause" }, type = "text", required = true } ]
"#;

pub const OPERATOR: &str = "op-7";

pub fn playbook() -> Playbook {
    let library = Library::bundled()
        .unwrap()
        .with_files([("test/test-run.toml", PLAYBOOK)])
        .unwrap();
    library.playbook("test-run").unwrap().clone()
}

/// Minutes after the incident started.
pub fn at(minutes: i64) -> OffsetDateTime {
    datetime!(2026-11-22 23:40 +08:00) + Duration::minutes(minutes)
}

pub fn given(events: &[RunEvent]) -> Run {
    Run::replay(&playbook(), events)
}

/// The run started by the operator a minute after the incident began.
pub fn started() -> Vec<RunEvent> {
    vec![RunEvent::RunStarted {
        playbook: "test-run".into(),
        by: OPERATOR.into(),
        at: at(1),
        incident_started_at: at(0),
    }]
}

pub fn started_and(more: Vec<RunEvent>) -> Vec<RunEvent> {
    let mut events = started();
    events.extend(more);
    events
}

pub fn chosen(step: &str, choice: &str, minutes: i64) -> RunEvent {
    RunEvent::ChoiceMade {
        step: step.into(),
        choice: choice.into(),
        by: OPERATOR.into(),
        at: at(minutes),
    }
}

pub fn completed(step: &str, minutes: i64) -> RunEvent {
    RunEvent::StepCompleted {
        step: step.into(),
        by: OPERATOR.into(),
        at: at(minutes),
    }
}

pub fn recorded(step: &str, input: &str, value: &str, minutes: i64) -> RunEvent {
    RunEvent::InputRecorded {
        step: step.into(),
        input: input.into(),
        value: value.into(),
        previous: None,
        by: OPERATOR.into(),
        at: at(minutes),
    }
}

pub fn complete(step: &str) -> RunCommand {
    RunCommand::CompleteStep {
        actor: OPERATOR.into(),
        step: step.into(),
    }
}

pub fn choose(step: &str, choice: &str) -> RunCommand {
    RunCommand::Choose {
        actor: OPERATOR.into(),
        step: step.into(),
        choice: choice.into(),
    }
}

pub fn record(step: &str, input: &str, value: &str) -> RunCommand {
    RunCommand::RecordInput {
        actor: OPERATOR.into(),
        step: step.into(),
        input: input.into(),
        value: value.into(),
    }
}

pub fn undo(step: &str) -> RunCommand {
    RunCommand::UndoStep {
        actor: OPERATOR.into(),
        step: step.into(),
    }
}

pub fn skip(step: &str, reason: &str) -> RunCommand {
    RunCommand::SkipStep {
        actor: OPERATOR.into(),
        step: step.into(),
        reason: reason.into(),
    }
}

pub fn current(run: &Run) -> Option<&str> {
    run.current_step().map(|s| s.id.as_str())
}

pub fn completed_call() -> Vec<RunEvent> {
    vec![
        recorded("call", "called_at", "23:43", 3),
        completed("call", 3),
    ]
}
