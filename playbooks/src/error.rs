//! The errors of this crate: problems found while loading a library, and refused run commands.

use std::fmt;

/// The result of loading or validating a library.
pub type Result<T, E = LoadError> = std::result::Result<T, E>;

/// One thing wrong with a library file, located as precisely as the file allows.
///
/// Displays as `library/fire-alarm.toml:14: steps[2].next: step "call-119x" does not exist`;
/// the line and field are left out when they are not known (an unreadable file, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file as the caller named it, e.g. `library/fire-alarm.toml`.
    pub file: String,
    /// The 1-based line of the offending value.
    pub line: Option<usize>,
    /// The path of the offending field, e.g. `steps[2].next`.
    pub field: Option<String>,
    /// What is wrong, as a sentence fragment without a trailing full stop.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Everything wrong with a library, or with other files read with [`crate::SourceFile`] (drill
/// plans, scenarios), in file order; never empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    /// Every problem found, sorted by file and line.
    pub problems: Vec<Problem>,
}

impl LoadError {
    /// Sorts the problems by file and line so that they read like a compiler's output.
    pub fn new(mut problems: Vec<Problem>) -> LoadError {
        problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        problems.dedup();
        LoadError { problems }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// Why a value does not fit a step's input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueProblem {
    #[error("a value is required")]
    Missing,
    #[error("{value:?} is not a number")]
    NotANumber { value: String },
    #[error("{value:?} is not a time; write HH:MM or an RFC 3339 timestamp")]
    NotATime { value: String },
}

/// Why a command was refused by a playbook run; the run is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    #[error("the playbook run has not started")]
    NotStarted,
    #[error("the playbook run has already started")]
    AlreadyStarted,
    #[error("the playbook run has finished")]
    Finished,
    #[error("playbook {playbook:?} has no step {step:?}")]
    UnknownStep { playbook: String, step: String },
    #[error("step {step:?} is not the current step (the current step is {current:?})")]
    NotCurrent { step: String, current: String },
    #[error("step {step:?} branches: choose one of {choices}")]
    ChoiceRequired { step: String, choices: String },
    #[error("step {step:?} has no choices")]
    NoChoices { step: String },
    #[error("step {step:?} has no choice {choice:?} (its choices are {choices})")]
    UnknownChoice {
        step: String,
        choice: String,
        choices: String,
    },
    #[error("step {step:?} may not be skipped")]
    NotSkippable { step: String },
    #[error("skipping step {step:?} needs a reason")]
    ReasonRequired { step: String },
    #[error("step {step:?} has no input {input:?}")]
    UnknownInput { step: String, input: String },
    #[error("step {step:?} has not been reached, so nothing can be recorded for it yet")]
    NotReached { step: String },
    #[error("input {input:?} of step {step:?}: {problem}")]
    BadInput {
        step: String,
        input: String,
        problem: ValueProblem,
    },
    #[error("step {step:?} needs {inputs} recorded before it is done")]
    InputsMissing { step: String, inputs: String },
    #[error("an operator id is required")]
    ActorRequired,
    #[error("input {input:?} of step {step:?} already holds {value:?}")]
    Unchanged {
        step: String,
        input: String,
        value: String,
    },
    #[error(
        "only the step done last can be undone: step {step:?} is not it (the last is {last:?})"
    )]
    NotLastDone { step: String, last: String },
    #[error("step {step:?} cannot be undone: work was recorded at step {next:?}, which it led to")]
    WorkedOn { step: String, next: String },
}
