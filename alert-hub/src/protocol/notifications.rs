//! An incident's call-out as consoles see it: the notification attempts, whom each level of a
//! running tree and each playbook step calls and at what numbers (resolved by the hub for the
//! incident's site, drill contacts for a drill), and the phone calls operators logged.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::Bilingual;

/// The notification tree of an incident.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NotificationsView {
    /// The trees running, comma-separated.
    pub tree: String,
    /// The level being called now (0-based).
    pub level: u32,
    pub attempts: Vec<AttemptView>,
    /// When the next level is called if nobody acknowledges; `None` once acknowledged or done.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub next_escalation_at: Option<OffsetDateTime>,
    /// Who acknowledged the call, which stops the escalation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_by: Option<String>,
    /// Every level of the trees running, with whom it calls and their numbers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<LevelView>,
}

/// One attempt to reach one contact over one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptView {
    /// The attempt's number within the incident.
    #[serde(default)]
    pub attempt: u64,
    #[serde(default)]
    pub tree: String,
    pub level: u32,
    pub contact: String,
    /// `console`, `webhook` or `email`; `phone` for a call an operator logged.
    pub channel: String,
    pub status: AttemptStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// What came of it, in both languages: who to call, what the server said, why it failed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::incident::bilingual_or_text::option"
    )]
    pub detail: Option<Bilingual>,
    /// For a phone call an operator made (channel `phone`): who called, whom, the number and
    /// what came of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<PhoneCall>,
}

/// What came of a notification attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptStatus {
    Sending,
    Delivered,
    Failed,
    Acknowledged,
}

/// Whom an operator calls: a contact of the hub's list by id, or an outside party of the
/// incident's site by its role (the hub knows the site's number). On the wire
/// `{"contact": "zhou-qiang"}` or `{"party": "fire_brigade"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Callee {
    Contact(String),
    Party(String),
}

impl Callee {
    /// The contact id or the party's role.
    pub fn id(&self) -> &str {
        match self {
            Callee::Contact(id) | Callee::Party(id) => id,
        }
    }
}

/// One number to dial for a party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneEntry {
    /// Whom a `log_call` names for this entry.
    pub callee: Callee,
    /// The contact's name, or the site's name for its outside party; `None` for an outside
    /// party known only by its role (the fire brigade at 119).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `None` when the hub has no number for them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// A party a step or a tree level calls, with whom to dial for it at the incident's site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallView {
    /// The role called, e.g. `fire_brigade` or `duty_manager`.
    pub role: String,
    /// The role's name, e.g. "Fire brigade (119)".
    pub name: Bilingual,
    /// A real outside party (external in the playbook library). In a drill, its `numbers` are
    /// the drill contacts who play it, never the party itself.
    #[serde(default)]
    pub outside: bool,
    /// Whom to dial, in order: for an outside party the site's own (or the library's number),
    /// then any contact holding the role there; for a role of people the contacts holding it
    /// at the site. A drill lists drill contacts only. Empty when nobody answers for it.
    #[serde(default)]
    pub numbers: Vec<PhoneEntry>,
}

/// One level of a notification tree running for the incident: whom it calls, and their numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelView {
    pub tree: String,
    /// 0-based, as attempts count levels.
    pub level: u32,
    pub calls: Vec<CallView>,
}

/// What came of a phone call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    Answered,
    NoAnswer,
    Busy,
    WrongNumber,
}

impl CallOutcome {
    /// Every outcome, in the order a console offers them.
    pub const ALL: [CallOutcome; 4] = [
        CallOutcome::Answered,
        CallOutcome::NoAnswer,
        CallOutcome::Busy,
        CallOutcome::WrongNumber,
    ];

    /// The outcome's name a person reads, in Chinese and English.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            CallOutcome::Answered => ("已接通", "answered"),
            CallOutcome::NoAnswer => ("无人接听", "no answer"),
            CallOutcome::Busy => ("占线", "busy"),
            CallOutcome::WrongNumber => ("号码错误", "wrong number"),
        }
    }
}

/// A phone call an operator logged, as its notification attempt carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneCall {
    /// The operator who called.
    pub operator: String,
    /// Whom they called, by name.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    pub outcome: CallOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}
