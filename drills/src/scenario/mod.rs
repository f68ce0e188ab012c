//! Drill scenarios: the TOML scripts of `drills/scenarios/` that say what devices send and when,
//! what the people playing are told, the playbook the drill expects and the objectives it is
//! scored on. Checked against a playbook library, with errors that name the file, line and
//! field; reading a directory is the only I/O here.
//!
//! ```toml
//! id = "lift-rescue"                  # the file's stem: a plan names a scenario by its file
//! name = { zh = "电梯困人救援演练", en = "Lift entrapment rescue drill" }
//! summary = { zh = "…", en = "…" }    # the story, for the players and the after-action report
//! kind = "lift_rescue"                # a DrillKind
//! exercise = "functional"             # tabletop | functional | full_scale
//! playbook = "elevator-entrapment"    # the playbook the drill expects to run
//!
//! [[events]]                          # sent by the runner as drill events of a device
//! at = "0s"                           # from the drill's start, at most 30m
//! kind = "elevator.entrapment"        # a kind a device may send
//! device = "lift-B1-2"
//! building = "B1"                     # building, floor and zone are optional
//!
//! [[prompts]]                         # shown to the players at their time
//! at = "0s"
//! say = { zh = "…", en = "…" }
//! open = "manual.gas_leak"            # optional: the incident an operator opens by hand
//!
//! [[objectives]]
//! id = "maintenance-called"
//! name = { zh = "…", en = "…" }
//! target = "3m"                       # from the drill's start
//! measure = { type = "step_done", step = "call-maintenance" }   # playbook: the expected one
//! ```

mod check;
mod objectives;
mod raw;

use std::collections::BTreeSet;
use std::path::Path;

use alert_hub::protocol::{Bilingual, DrillKind, EventKind, ExerciseType, Family, Objective};
use playbooks::{Library, LoadError, SourceFile};

/// The latest moment a scripted event or prompt may come, in seconds from the drill's start.
pub const MAX_SCRIPT_SECS: u32 = 30 * 60;

/// The longest objective target, in seconds from the drill's start.
pub const MAX_TARGET_SECS: u32 = 2 * 60 * 60;

/// A checked drill scenario. Everything it names exists in the library it was checked against:
/// the expected playbook is one its events or prompts start, and every objective's step and
/// choice is in its playbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// The file's stem, e.g. `lift-rescue`.
    pub id: String,
    pub name: Bilingual,
    /// The story of the drill, for the players and the after-action report.
    pub summary: Bilingual,
    pub kind: DrillKind,
    pub exercise: ExerciseType,
    /// The id of the playbook the drill expects the control room to run.
    pub playbook: String,
    /// In time order.
    pub events: Vec<ScriptedEvent>,
    /// In time order.
    pub prompts: Vec<Prompt>,
    /// Never empty; ids unique.
    pub objectives: Vec<Objective>,
}

/// An event the runner sends as a device would, marked as a drill event, at its time. The site,
/// event id and drill id are the runner's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptedEvent {
    /// Seconds from the drill's start.
    pub at_secs: u32,
    /// A kind a device may send ([`EventKind::DEVICE_KINDS`]).
    pub kind: EventKind,
    pub device: String,
    pub building: Option<String>,
    pub floor: Option<String>,
    pub zone: Option<String>,
}

/// Something the runner tells the people playing at its time: the drill controller's cue (a
/// phoned-in report to act out) or a reminder to the operators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// Seconds from the drill's start.
    pub at_secs: u32,
    pub say: Bilingual,
    /// The incident the operator is expected to open by hand after this prompt, for reports no
    /// device sends (a gas smell, a flood, a medical emergency, a fight).
    pub open: Option<OpenByHand>,
}

/// An incident an operator opens by hand, as a drill incident, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenByHand {
    /// A kind an operator may open that starts a playbook, e.g. `manual.gas_leak`.
    pub kind: EventKind,
    pub building: Option<String>,
    pub floor: Option<String>,
    pub zone: Option<String>,
}

impl Scenario {
    /// Reads and checks one scenario against `library`; `file_name` names it in errors and its
    /// stem must be the scenario's id. Every problem is reported.
    pub fn parse(text: &str, file_name: &str, library: &Library) -> Result<Scenario, LoadError> {
        check::scenario(&SourceFile::new(file_name, text), library)
    }

    /// The device families whose sources the runner needs on the drill's site, e.g. a fire
    /// panel for `fire.*` events.
    pub fn families(&self) -> BTreeSet<Family> {
        self.events.iter().map(|e| e.kind.family()).collect()
    }
}

/// Reads and checks every `*.toml` scenario of `dir` against `library`, in file-name order.
/// Reports every problem of every file.
pub fn load_dir(dir: &Path, library: &Library) -> Result<Vec<Scenario>, LoadError> {
    let files = SourceFile::read_dir(dir)?;
    let mut scenarios = Vec::new();
    let mut problems = Vec::new();
    for file in &files {
        match check::scenario(file, library) {
            Ok(scenario) => scenarios.push(scenario),
            Err(error) => problems.extend(error.problems),
        }
    }
    if problems.is_empty() {
        Ok(scenarios)
    } else {
        Err(LoadError::new(problems))
    }
}

#[cfg(test)]
mod tests;
