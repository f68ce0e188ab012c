//! The past-tense events an incident log is made of, who caused each, and the log entry that
//! is also one message of the console feed.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::incident::{bilingual_or_text, is_zero};
use super::{Bilingual, CallOutcome, Callee, EventKind, IncidentView, Priority};

/// Who caused an entry in an incident log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Actor {
    /// A device, through the source it is wired to.
    Device { source: String, device: String },
    /// An operator, by id.
    Operator { id: String },
    /// The hub itself (supervision, timers).
    Hub,
}

/// What happened to an incident, in the past tense. The incident log is exactly these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum IncidentEvent {
    /// The incident as it opened; `event_seq` is the device event that opened it, if any.
    Opened {
        view: Box<IncidentView>,
        event_seq: Option<u64>,
    },
    /// A device event joined the incident. In a storm, further events of the same kind that
    /// follow it in one batch are folded into this entry: `more` counts them and
    /// `last_event_seq` is the last one (each is in the event log).
    EventJoined {
        event_seq: u64,
        event_id: String,
        kind: EventKind,
        device: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        zone: Option<String>,
        #[serde(default, skip_serializing_if = "is_zero")]
        more: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_event_seq: Option<u64>,
    },
    PriorityRaised {
        kind: EventKind,
        from: Priority,
        to: Priority,
    },
    ConfirmedByTwoDetectors {
        devices: Vec<String>,
    },
    FlappingDetected {
        flap_count: u32,
    },
    RestoreReceived {
        kind: EventKind,
        device: String,
    },
    CommsRestored {
        source: String,
    },
    /// A resolved incident got a new alarm, or an incident got a more urgent one: it needs
    /// acknowledging again.
    Reopened {
        kind: EventKind,
    },
    Acknowledged {
        operator: String,
    },
    NoteAdded {
        operator: String,
        text: String,
    },
    Resolved {
        operator: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        summary: Option<String>,
    },
    CloseRequested {
        operator: String,
    },
    Closed {
        operator: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confirmed_by: Option<String>,
    },
    /// Something happened in the incident's playbook run (started, step done, overdue, ...).
    Playbook {
        run: playbooks::RunEvent,
    },
    /// A notification tree called one of its levels (`repeat` counts calls of the last level
    /// after the first); the next level follows at `next_at` unless someone acknowledges.
    NotificationLevelCalled {
        tree: String,
        level: u32,
        repeat: u32,
        #[serde(default, with = "time::serde::rfc3339::option")]
        next_at: Option<OffsetDateTime>,
    },
    /// One contact is being reached over one channel.
    NotificationAttempted {
        attempt: u64,
        tree: String,
        level: u32,
        contact: String,
        channel: String,
    },
    NotificationDelivered {
        attempt: u64,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "bilingual_or_text::option"
        )]
        detail: Option<Bilingual>,
    },
    NotificationFailed {
        attempt: u64,
        #[serde(deserialize_with = "bilingual_or_text::one")]
        error: Bilingual,
    },
    /// Someone acknowledged: the trees stop escalating.
    NotificationsAcknowledged {
        by: String,
    },
    /// A tree called its last level as often as it may; nobody acknowledged.
    NotificationsExhausted {
        tree: String,
    },
    /// An acknowledged P1 had no step done for `minutes`: it needs acknowledging again and the
    /// trees call their next level.
    StallReAlerted {
        minutes: u64,
    },
    /// An operator called someone by phone: a notification attempt on the `phone` channel,
    /// with the number dialled and what came of it. `tree` and `level` name the level of a
    /// running tree that calls them, if one does; `acknowledged` says that the answer counted
    /// as their acknowledgement of the call-out (a `notifications_acknowledged` follows).
    CalledByPhone {
        attempt: u64,
        operator: String,
        callee: Callee,
        /// Whom they called, by name.
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        number: Option<String>,
        outcome: CallOutcome,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tree: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        level: Option<u32>,
        #[serde(default, skip_serializing_if = "is_false")]
        acknowledged: bool,
    },
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One entry of an incident's log, also one message of the console feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    /// The feed sequence number: global, gap-free, increasing by one per entry.
    pub seq: u64,
    pub incident: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor: Actor,
    #[serde(flatten)]
    pub event: IncidentEvent,
}
