//! A drill's after-action analysis and improvement plan on the wire and in the store (HSEEP):
//! per objective the strengths and areas for improvement a safety officer writes, and the
//! corrective actions tracked to completion, every change logged with who made it and when.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::Bilingual;

/// What went well and what should improve, for one objective of a drill.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveAnalysis {
    /// The objective's id, one of the drill's objectives.
    pub objective: String,
    #[serde(default)]
    pub strengths: Vec<String>,
    /// Areas for improvement.
    #[serde(default)]
    pub areas: Vec<String>,
}

/// Where a corrective action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Open,
    InProgress,
    Done,
}

impl ActionStatus {
    /// The status in Chinese and English.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            ActionStatus::Open => ("未开始", "open"),
            ActionStatus::InProgress => ("进行中", "in progress"),
            ActionStatus::Done => ("已完成", "done"),
        }
    }
}

/// One corrective action of the improvement plan: what is done about an objective or an issue,
/// by whom, between which dates, and how far it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImprovementAction {
    /// `A1`, `A2`, … in the order the actions were added to the drill's plan.
    pub id: String,
    /// The objective id or the issue it addresses.
    pub addresses: String,
    pub action: String,
    pub owner: String,
    #[serde(with = "super::iso_date")]
    pub start: Date,
    #[serde(with = "super::iso_date")]
    pub due: Date,
    pub status: ActionStatus,
    /// The day it was done, for a done action.
    #[serde(
        default,
        with = "super::iso_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub completed: Option<Date>,
}

impl ImprovementAction {
    /// Whether the action is not done and its due date has passed on `today`.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.status != ActionStatus::Done && self.due < today
    }
}

/// What happened to a drill's analysis or plan: the after-action log, in the past tense.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AfterActionEvent {
    /// The analysis of one objective was written, replacing what was written before.
    AnalysisWritten {
        analysis: ObjectiveAnalysis,
    },
    ActionAdded {
        action: ImprovementAction,
    },
    ActionStatusChanged {
        action: String,
        status: ActionStatus,
        #[serde(
            default,
            with = "super::iso_date::option",
            skip_serializing_if = "Option::is_none"
        )]
        completed: Option<Date>,
    },
    ActionRescheduled {
        action: String,
        #[serde(with = "super::iso_date")]
        due: Date,
    },
    ActionReassigned {
        action: String,
        owner: String,
    },
}

/// One change, who made it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterActionChange {
    pub by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    #[serde(flatten)]
    pub event: AfterActionEvent,
}

/// A drill's analysis and improvement plan as the hub keeps it: what stands now, and every
/// change that made it so.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterActionRecord {
    pub drill: String,
    /// One per objective analysed, in the order of the drill's objectives.
    pub analysis: Vec<ObjectiveAnalysis>,
    pub actions: Vec<ImprovementAction>,
    pub history: Vec<AfterActionChange>,
}

/// `POST /v1/drills/{id}/actions`: a corrective action to add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAction {
    pub addresses: String,
    pub action: String,
    pub owner: String,
    /// Today when left out.
    #[serde(
        default,
        with = "super::iso_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub start: Option<Date>,
    #[serde(with = "super::iso_date")]
    pub due: Date,
}

/// `POST /v1/drills/{id}/actions/{action}`: what changes; what is left out stays.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ActionStatus>,
    #[serde(
        default,
        with = "super::iso_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub due: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The day a done action was done; today when left out.
    #[serde(
        default,
        with = "super::iso_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub completed: Option<Date>,
}

/// A corrective action listed across drills (`GET /v1/drills/actions`), with its drill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedAction {
    pub drill: String,
    pub drill_name: Bilingual,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    #[serde(flatten)]
    pub action: ImprovementAction,
    pub overdue: bool,
}
