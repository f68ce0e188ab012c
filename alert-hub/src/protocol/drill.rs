//! Drill planning on the wire: the kinds of drill and of exercise, the objectives a drill is
//! scored on and what each measures, and the entries of a site's drill calendar.

use serde::{Deserialize, Serialize};
use time::Date;

use super::Bilingual;

/// What a drill exercises: one line of the annual drill plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DrillKind {
    /// Fire alarm, confirmation and evacuation (Q1; key fire-safety units twice a year).
    FireEvacuation,
    /// Rescue of people trapped in a lift (every 6 months, TSG T5002).
    LiftRescue,
    /// Flood or burst pipe and the emergency repair (Q3).
    Flood,
    /// A fight, theft, intruder or disturbance (Q4).
    PublicSecurity,
    /// A gas leak, scheduled specially.
    GasLeak,
    /// First aid for a medical emergency (monthly training).
    FirstAid,
    /// The full-site combined drill at year end.
    Combined,
}

impl DrillKind {
    /// Every kind, in the order of the annual plan.
    pub const ALL: [DrillKind; 7] = [
        DrillKind::FireEvacuation,
        DrillKind::LiftRescue,
        DrillKind::Flood,
        DrillKind::PublicSecurity,
        DrillKind::GasLeak,
        DrillKind::FirstAid,
        DrillKind::Combined,
    ];

    /// The name in files and on the wire, e.g. `lift_rescue`.
    pub fn as_str(self) -> &'static str {
        match self {
            DrillKind::FireEvacuation => "fire_evacuation",
            DrillKind::LiftRescue => "lift_rescue",
            DrillKind::Flood => "flood",
            DrillKind::PublicSecurity => "public_security",
            DrillKind::GasLeak => "gas_leak",
            DrillKind::FirstAid => "first_aid",
            DrillKind::Combined => "combined",
        }
    }

    /// The kind named `name` as files write it, e.g. `lift_rescue`.
    pub fn from_name(name: &str) -> Option<DrillKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The name a person reads, in Chinese and English, e.g. `("电梯困人救援", "Lift rescue")`.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            DrillKind::FireEvacuation => ("消防疏散", "Fire evacuation"),
            DrillKind::LiftRescue => ("电梯困人救援", "Lift rescue"),
            DrillKind::Flood => ("水浸抢修", "Flood and emergency repair"),
            DrillKind::PublicSecurity => ("治安事件", "Public-security incident"),
            DrillKind::GasLeak => ("燃气泄漏", "Gas leak"),
            DrillKind::FirstAid => ("急救", "First aid"),
            DrillKind::Combined => ("综合演练", "Full-site combined"),
        }
    }
}

/// How a drill is played, from talking it through to moving people and equipment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExerciseType {
    /// The team talks the scenario through around a table; nobody moves.
    Tabletop,
    /// The control room and the responders play their parts in real time; the field work is
    /// done where it is safe and simulated where it is not.
    Functional,
    /// Everyone, residents included, does everything for real except calling outside services.
    FullScale,
}

impl ExerciseType {
    /// Every type, from the lightest to the fullest.
    pub const ALL: [ExerciseType; 3] = [
        ExerciseType::Tabletop,
        ExerciseType::Functional,
        ExerciseType::FullScale,
    ];

    /// The name in files and on the wire, e.g. `full_scale`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExerciseType::Tabletop => "tabletop",
            ExerciseType::Functional => "functional",
            ExerciseType::FullScale => "full_scale",
        }
    }

    /// The type named `name` as files write it, e.g. `full_scale`.
    pub fn from_name(name: &str) -> Option<ExerciseType> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// The name a person reads, in Chinese and English, e.g. `("桌面演练", "Tabletop")`.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            ExerciseType::Tabletop => ("桌面演练", "Tabletop"),
            ExerciseType::Functional => ("功能演练", "Functional"),
            ExerciseType::FullScale => ("全面演练", "Full-scale"),
        }
    }
}

/// One thing a drill is scored on: a response that should happen within `target_secs` of the
/// drill's start. The hub times it from the drill's incident logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objective {
    /// Unique within its scenario, e.g. `acknowledge`.
    pub id: String,
    pub name: Bilingual,
    /// The target, in seconds from the drill's start.
    pub target_secs: u32,
    pub measure: Measure,
}

/// What the hub looks for in the logs of the drill's incidents; the time measured is from the
/// drill's start to the first log entry that matches.
///
/// On the wire an object tagged by `type`: `{"type": "acknowledged"}`,
/// `{"type": "step_done", "playbook": "elevator-entrapment", "step": "call-maintenance"}`,
/// `{"type": "choice_made", "playbook": "fire-alarm", "step": "confirm", "choice": "real"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Measure {
    /// A drill incident is acknowledged by an operator.
    Acknowledged,
    /// A step of a playbook is done in a drill incident: completed, or at a branching step
    /// answered by any choice. A skipped step is not done.
    StepDone { playbook: String, step: String },
    /// This choice is made at a branching step of a playbook in a drill incident.
    ChoiceMade {
        playbook: String,
        step: String,
        choice: String,
    },
    /// A drill incident is resolved.
    Resolved,
    /// A notification is delivered to a drill contact.
    Notified,
}

impl Measure {
    /// The name of the measure as the `type` tag writes it, e.g. `step_done`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Measure::Acknowledged => "acknowledged",
            Measure::StepDone { .. } => "step_done",
            Measure::ChoiceMade { .. } => "choice_made",
            Measure::Resolved => "resolved",
            Measure::Notified => "notified",
        }
    }

    /// The playbook the measure looks into, for the measures of one step.
    pub fn playbook(&self) -> Option<&str> {
        match self {
            Measure::StepDone { playbook, .. } | Measure::ChoiceMade { playbook, .. } => {
                Some(playbook)
            }
            Measure::Acknowledged | Measure::Resolved | Measure::Notified => None,
        }
    }
}

/// One drill planned for one site on a site's drill calendar, as generated from the plan.
/// The hub adds its status (due, overdue, done and the drill that did it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarEntry {
    /// Stable across regenerations of the same plan and year, e.g.
    /// `2027-q2-lift-rescue-green-garden`.
    pub id: String,
    pub site: String,
    /// The id of the plan entry this was generated from, e.g. `lift-rescue`.
    pub plan_entry: String,
    pub name: Bilingual,
    pub kind: DrillKind,
    pub exercise: ExerciseType,
    /// The day by which the drill should have been held, written `2027-06-30`.
    #[serde(with = "super::iso_date")]
    pub due: Date,
    /// The scenario to run, by file stem in the scenarios directory (`lift-rescue` for
    /// `lift-rescue.toml`); `None` for a drill held without a script.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
}

/// How a drill ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum DrillOutcome {
    /// Played to its end: asked to end by one person, confirmed by another.
    Completed {
        ended_by: String,
        confirmed_by: String,
    },
    /// Stopped before its end (a real alarm, a runner stopped with Ctrl-C), with the reason.
    Aborted { by: String, reason: String },
}

/// A drill that has ended, as the hub keeps it: the drill, how and when it ended, and the
/// incidents it raised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillRecord {
    pub drill: super::DrillView,
    #[serde(with = "time::serde::rfc3339")]
    pub ended_at: time::OffsetDateTime,
    #[serde(flatten)]
    pub outcome: DrillOutcome,
    /// The drill's incidents, by id.
    #[serde(default)]
    pub incidents: Vec<String>,
}
/// What `POST /v1/drills` takes: a drill's id and name, and for a drill played from a
/// scenario, where, which, and what it is scored on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartDrill {
    pub id: String,
    pub name: Bilingual,
    pub site: Option<String>,
    pub scenario: Option<String>,
    pub kind: Option<DrillKind>,
    pub exercise: Option<ExerciseType>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objectives: Vec<Objective>,
    pub calendar_entry: Option<String>,
}

/// Where a drill's end stands after `POST /v1/drills/{id}/end` or `/abort`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum DrillEnding {
    /// The first person asked; a second, different one confirms.
    EndRequested { by: String },
    /// The drill ended, as `outcome` says.
    Ended {
        #[serde(flatten)]
        outcome: DrillOutcome,
    },
}
