//! A manager's review of an incident on the wire and in the store: the root cause, what
//! contributed, the corrective actions with their owners and due dates, and the sign-off.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// What a manager writes after an incident.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub root_cause: String,
    /// What made it worse or slower, one per line.
    #[serde(default)]
    pub factors: Vec<String>,
    #[serde(default)]
    pub actions: Vec<CorrectiveAction>,
}

/// A change to make so that it does not happen again, and who makes it by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectiveAction {
    pub action: String,
    pub owner: String,
    /// `YYYY-MM-DD`.
    #[serde(with = "super::iso_date")]
    pub due: Date,
    #[serde(default)]
    pub done: bool,
}

/// Who changed a review, how, and when: the review's own log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewChange {
    pub by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub change: ReviewChangeKind,
}

/// What was done to a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewChangeKind {
    Written,
    SignedOff,
}

/// A review as the hub keeps it: the latest text and every change, the sign-off last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRecord {
    pub incident: String,
    pub review: Review,
    pub history: Vec<ReviewChange>,
}

impl ReviewRecord {
    /// The sign-off, when the review has one.
    pub fn signed_off(&self) -> Option<&ReviewChange> {
        self.history
            .iter()
            .find(|c| c.change == ReviewChangeKind::SignedOff)
    }
}

/// An incident a manager has still to sign off (`GET /v1/reviews/awaiting`): real, resolved or
/// closed, and its review, when one is written, not yet signed off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AwaitingSignOff {
    pub incident: super::IncidentView,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<ReviewRecord>,
}
