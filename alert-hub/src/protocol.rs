//! The wire types of the hub, shared by every client: device protocol v1 and the console feed.
//!
//! Device protocol v1 is an external contract (see DESIGN.md): field names, kind names and nack
//! codes here must never change. The console feed is ours and may grow by adding optional fields.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The largest device frame the hub accepts, in bytes; larger frames are refused with `too_large`.
pub const MAX_DEVICE_FRAME_BYTES: usize = 64 * 1024;

/// What a device reports. The wire name is the dotted form, e.g. `fire.alarm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EventKind {
    #[serde(rename = "fire.alarm")]
    FireAlarm,
    #[serde(rename = "fire.prealarm")]
    FirePrealarm,
    #[serde(rename = "fire.supervisory")]
    FireSupervisory,
    #[serde(rename = "fire.trouble")]
    FireTrouble,
    #[serde(rename = "fire.restore")]
    FireRestore,
    #[serde(rename = "access.forced")]
    AccessForced,
    #[serde(rename = "access.held_open")]
    AccessHeldOpen,
    #[serde(rename = "access.denied")]
    AccessDenied,
    #[serde(rename = "access.tamper")]
    AccessTamper,
    #[serde(rename = "access.duress")]
    AccessDuress,
    #[serde(rename = "access.restore")]
    AccessRestore,
    #[serde(rename = "elevator.entrapment")]
    ElevatorEntrapment,
    #[serde(rename = "elevator.released")]
    ElevatorReleased,
    #[serde(rename = "elevator.fault")]
    ElevatorFault,
    #[serde(rename = "elevator.restore")]
    ElevatorRestore,
    #[serde(rename = "heartbeat")]
    Heartbeat,
    /// Raised by the hub itself when a source stops reporting; never accepted from a device.
    #[serde(rename = "comms.lost")]
    CommsLost,
}

impl EventKind {
    /// Every kind a device may send, in the order DESIGN.md lists them.
    pub const DEVICE_KINDS: [EventKind; 16] = [
        EventKind::FireAlarm,
        EventKind::FirePrealarm,
        EventKind::FireSupervisory,
        EventKind::FireTrouble,
        EventKind::FireRestore,
        EventKind::AccessForced,
        EventKind::AccessHeldOpen,
        EventKind::AccessDenied,
        EventKind::AccessTamper,
        EventKind::AccessDuress,
        EventKind::AccessRestore,
        EventKind::ElevatorEntrapment,
        EventKind::ElevatorReleased,
        EventKind::ElevatorFault,
        EventKind::ElevatorRestore,
        EventKind::Heartbeat,
    ];

    /// The wire name, e.g. `fire.alarm`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::FireAlarm => "fire.alarm",
            EventKind::FirePrealarm => "fire.prealarm",
            EventKind::FireSupervisory => "fire.supervisory",
            EventKind::FireTrouble => "fire.trouble",
            EventKind::FireRestore => "fire.restore",
            EventKind::AccessForced => "access.forced",
            EventKind::AccessHeldOpen => "access.held_open",
            EventKind::AccessDenied => "access.denied",
            EventKind::AccessTamper => "access.tamper",
            EventKind::AccessDuress => "access.duress",
            EventKind::AccessRestore => "access.restore",
            EventKind::ElevatorEntrapment => "elevator.entrapment",
            EventKind::ElevatorReleased => "elevator.released",
            EventKind::ElevatorFault => "elevator.fault",
            EventKind::ElevatorRestore => "elevator.restore",
            EventKind::Heartbeat => "heartbeat",
            EventKind::CommsLost => "comms.lost",
        }
    }

    /// The kind a device may send under this wire name; `comms.lost` is the hub's own and is
    /// not accepted from a device.
    pub fn from_device(name: &str) -> Option<EventKind> {
        Self::DEVICE_KINDS.into_iter().find(|k| k.as_str() == name)
    }

    /// The priority of an incident this kind raises, or `None` for kinds that raise no incident
    /// by themselves (restores, releases, denied access, heartbeats).
    pub fn priority(self) -> Option<Priority> {
        use EventKind::*;
        match self {
            FireAlarm | AccessDuress | ElevatorEntrapment => Some(Priority::P1),
            AccessForced | FirePrealarm => Some(Priority::P2),
            FireSupervisory | AccessHeldOpen | AccessTamper => Some(Priority::P3),
            FireTrouble | CommsLost | ElevatorFault => Some(Priority::P4),
            FireRestore | AccessDenied | AccessRestore | ElevatorReleased | ElevatorRestore
            | Heartbeat => None,
        }
    }

    /// The family the kind belongs to: fire, access, elevator or the hub's own supervision.
    pub fn family(self) -> Family {
        use EventKind::*;
        match self {
            FireAlarm | FirePrealarm | FireSupervisory | FireTrouble | FireRestore => Family::Fire,
            AccessForced | AccessHeldOpen | AccessDenied | AccessTamper | AccessDuress
            | AccessRestore => Family::Access,
            ElevatorEntrapment | ElevatorReleased | ElevatorFault | ElevatorRestore => {
                Family::Elevator
            }
            Heartbeat | CommsLost => Family::Supervision,
        }
    }

    /// True for the kinds that report a condition has cleared (`*.restore`, `elevator.released`).
    pub fn is_restore(self) -> bool {
        matches!(
            self,
            EventKind::FireRestore
                | EventKind::AccessRestore
                | EventKind::ElevatorReleased
                | EventKind::ElevatorRestore
        )
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The family of an event kind, the first part of its wire name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    Fire,
    Access,
    Elevator,
    Supervision,
}

/// How many devices an incident lists by name; a storm of hundreds is counted, not listed, so
/// each change stays small.
pub const LISTED_DEVICES: usize = 16;

/// Incident priority; `P1` is the most urgent and always sorts first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Priority {
    P1 = 1,
    P2 = 2,
    P3 = 3,
    P4 = 4,
}

impl std::fmt::Display for Priority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "P{}", *self as u8)
    }
}

/// One event frame from a device, as DESIGN.md's device protocol v1 defines it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceEvent {
    /// Unique per source; the source itself comes from the connection's token.
    pub id: String,
    pub kind: EventKind,
    pub device: String,
    pub site: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// When the device saw it (the device's clock).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// `None` for a real event, or the id of the running drill it belongs to.
    pub drill: Option<String>,
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub detail: serde_json::Value,
}

/// The hub's answer to one device frame. Exactly one is sent per frame, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DeviceReply {
    Ack(Ack),
    Nack(Nack),
}

/// The event is durably stored (or was already, when `duplicate` is true).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ack {
    pub ack: String,
    pub seq: u64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub duplicate: bool,
}

/// The frame was refused; nothing was stored and the connection stays open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Nack {
    /// The frame's id when one could be read, else `null`.
    pub nack: Option<String>,
    pub error: NackCode,
    /// A sentence a person installing or debugging the device can act on.
    pub message: String,
}

/// Why a device frame was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NackCode {
    MalformedJson,
    MissingField,
    UnknownKind,
    BadTimestamp,
    UnknownSite,
    DrillNotRunning,
    TooLarge,
    RateLimited,
}

impl NackCode {
    /// Every code, for metrics that list each one even at zero.
    pub const ALL: [NackCode; 8] = [
        NackCode::MalformedJson,
        NackCode::MissingField,
        NackCode::UnknownKind,
        NackCode::BadTimestamp,
        NackCode::UnknownSite,
        NackCode::DrillNotRunning,
        NackCode::TooLarge,
        NackCode::RateLimited,
    ];

    /// The wire name, e.g. `malformed_json`.
    pub fn as_str(self) -> &'static str {
        match self {
            NackCode::MalformedJson => "malformed_json",
            NackCode::MissingField => "missing_field",
            NackCode::UnknownKind => "unknown_kind",
            NackCode::BadTimestamp => "bad_timestamp",
            NackCode::UnknownSite => "unknown_site",
            NackCode::DrillNotRunning => "drill_not_running",
            NackCode::TooLarge => "too_large",
            NackCode::RateLimited => "rate_limited",
        }
    }
}

/// A device event as the hub stored it: with the source it came from and its global sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    pub seq: u64,
    pub source: String,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    #[serde(flatten)]
    pub event: DeviceEvent,
}

/// An operator's role; each role may do what the roles before it may, with the exceptions
/// listed in the hub's permission table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Operator,
    SafetyOfficer,
    Manager,
    Admin,
}

/// Who an operator is, as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorInfo {
    pub id: String,
    pub name: String,
    pub role: Role,
}

/// The lifecycle of an incident: `new → acknowledged → in_progress → resolved → closed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentState {
    New,
    Acknowledged,
    InProgress,
    Resolved,
    Closed,
}

impl IncidentState {
    /// Open means anything before closed: it still belongs on the alarm board.
    pub fn is_open(self) -> bool {
        self != IncidentState::Closed
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Where something happened, as precisely as the device said.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Location {
    pub site: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.site)?;
        if let Some(b) = &self.building {
            write!(f, " / {b}")?;
        }
        if let Some(fl) = &self.floor {
            write!(f, " / {fl}F")?;
        }
        if let Some(z) = &self.zone {
            write!(f, " / {z}")?;
        }
        Ok(())
    }
}

/// An incident as the console shows it: everything the alarm board and incident screen need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentView {
    pub id: String,
    /// The most urgent kind seen so far; it decides the priority.
    pub kind: EventKind,
    pub priority: Priority,
    pub state: IncidentState,
    pub location: Location,
    #[serde(with = "time::serde::rfc3339")]
    pub opened_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_event_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub acknowledged_at: Option<OffsetDateTime>,
    /// The operator who acknowledged it and owns it now.
    pub owner: Option<String>,
    /// How many device events joined it.
    pub event_count: u64,
    /// The first distinct devices that reported into it (at most [`LISTED_DEVICES`]), first
    /// reporter first; `device_count` counts them all.
    pub devices: Vec<String>,
    #[serde(default)]
    pub device_count: u64,
    /// A second independent detector in the same zone reported fire (GB 50116).
    pub confirmed_by_two_detectors: bool,
    /// The device keeps alarming and restoring; `flap_count` counts the restores.
    pub flapping: bool,
    pub flap_count: u32,
    /// A restore or release has been received since the last alarm.
    pub restored: bool,
    /// The source or device was on test when the incident opened.
    pub on_test: bool,
    /// The running drill this incident belongs to; `None` for a real incident.
    pub drill: Option<String>,
    /// The operator who asked to close a P1 that needs a second operator's confirmation.
    pub close_requested_by: Option<String>,
    /// The source (panel, controller, unit or gateway) that reported first.
    #[serde(default)]
    pub source: String,
    /// The playbook run of this incident, once one has started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playbook: Option<PlaybookView>,
    /// The notification tree of this incident: who was called, how, and what came of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifications: Option<NotificationsView>,
}

impl IncidentView {
    /// A new, unacknowledged incident of `kind` opened at `at` by one event of `device` from
    /// `source`; its priority is the kind's.
    pub fn opened(
        id: String,
        kind: EventKind,
        location: Location,
        at: OffsetDateTime,
        device: &str,
        source: &str,
    ) -> IncidentView {
        IncidentView {
            id,
            kind,
            priority: kind.priority().unwrap_or(Priority::P4),
            state: IncidentState::New,
            location,
            opened_at: at,
            last_event_at: at,
            acknowledged_at: None,
            owner: None,
            event_count: 1,
            devices: vec![device.to_string()],
            device_count: 1,
            confirmed_by_two_detectors: false,
            flapping: false,
            flap_count: 0,
            restored: false,
            on_test: false,
            drill: None,
            close_requested_by: None,
            source: source.to_string(),
            playbook: None,
            notifications: None,
        }
    }

    /// True until an operator acknowledges: an unacknowledged P1 keeps sounding.
    pub fn is_unacknowledged(&self) -> bool {
        self.state == IncidentState::New
    }

    /// Where the incident stands on the alarm board; see [`BoardKey`].
    pub fn board_key(&self) -> BoardKey {
        BoardKey {
            priority: self.priority,
            drill: self.drill.is_some(),
            acknowledged: !self.is_unacknowledged(),
            opened_at: self.opened_at,
            id: self.id.clone(),
        }
    }

    /// The order of the alarm board, by [`BoardKey`].
    pub fn board_order(a: &IncidentView, b: &IncidentView) -> std::cmp::Ordering {
        a.board_key().cmp(&b.board_key())
    }
}

/// The alarm board's sort key; the field order is the sort order: higher priority first;
/// within a priority real before drill (a big drill never pushes a real alarm down), then
/// unacknowledged before acknowledged, then oldest first; the id breaks ties.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BoardKey {
    pub priority: Priority,
    pub drill: bool,
    pub acknowledged: bool,
    pub opened_at: OffsetDateTime,
    pub id: String,
}

/// Text in both languages the console speaks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bilingual {
    pub zh: String,
    pub en: String,
}

/// A playbook run as the incident screen shows it: the checklist and where the operator is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaybookView {
    pub id: String,
    pub title: Bilingual,
    pub steps: Vec<StepView>,
    /// The step to do next, or `None` when the run has finished.
    pub current: Option<String>,
}

/// One step of a running playbook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepView {
    pub id: String,
    pub instruction: Bilingual,
    /// The role responsible for the step, e.g. `operator`, `security_guard`.
    pub role: String,
    /// When the step is due (incident start plus the step's deadline).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub due_at: Option<OffsetDateTime>,
    pub status: StepStatus,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<ChoiceView>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<InputView>,
    /// A step that may be skipped (with a reason).
    pub skippable: bool,
    /// Who completed, chose or skipped it, and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_by: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub done_at: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
}

/// Where a step stands. `Overdue` is a pending step whose deadline has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Pending,
    Current,
    Overdue,
    Done,
    Skipped,
    /// On a branch that a choice did not take.
    NotTaken,
}

/// One choice of a branching step (e.g. real fire / false alarm).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceView {
    pub id: String,
    pub label: Bilingual,
}

/// One value a step records (e.g. number of people trapped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputView {
    pub id: String,
    pub label: Bilingual,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

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
    /// `console`, `webhook` or `email`.
    pub channel: String,
    pub status: AttemptStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
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

/// A source or device put on test (maintenance): its events are stored and shown, marked on
/// test, but start no notification tree until it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnTestView {
    pub source: String,
    /// One device of the source, or `None` for the whole source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    pub authorised_by: String,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
}

/// A drill that is running now; its events and incidents are marked with its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillView {
    pub id: String,
    pub name: Bilingual,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
}

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
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    NotificationFailed {
        attempt: u64,
        error: String,
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

/// A change on the console feed: the log entry and the incident as it stands after it.
/// `incident.playbook` is present only on playbook changes and `incident.notifications` only on
/// notification changes (both always in snapshots): absent means unchanged, so a storm of
/// joined events does not resend them each time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub entry: LogEntry,
    pub incident: IncidentView,
}

/// What the hub sends a console.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConsoleMessage {
    /// Everything open now; `seq` is the last change it includes.
    Snapshot {
        seq: u64,
        operator: OperatorInfo,
        incidents: Vec<IncidentView>,
        #[serde(default)]
        on_test: Vec<OnTestView>,
        #[serde(default)]
        drills: Vec<DrillView>,
    },
    /// One change, numbered `seq` (= `change.entry.seq`).
    Change { seq: u64, change: Box<Change> },
    /// The answer to one command.
    Reply(Reply),
    /// The console fell behind; a fresh snapshot follows.
    Resync { reason: String },
    /// The console is up to date as of `seq`: everything after comes live.
    Live { seq: u64 },
    /// The sources and devices on test now (the whole list).
    OnTestChanged { on_test: Vec<OnTestView> },
    /// The drills running now (the whole list).
    DrillsChanged { drills: Vec<DrillView> },
    /// Something the operators should read now (e.g. a test about to expire).
    Notice { text: Bilingual },
}

/// The hub's answer to a console command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// The `request` id the console sent.
    pub request: String,
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<RefusalCode>,
    /// For a refusal, a sentence the operator can read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Why the hub refused a console command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalCode {
    /// The command could not be read.
    BadCommand,
    /// The operator's role may not do this.
    NotPermitted,
    /// No such incident.
    UnknownIncident,
    /// The incident's state does not allow it (e.g. resolving a closed incident).
    InvalidState,
    /// A second, different operator must confirm.
    NeedsSecondOperator,
    /// The hub could not store the result; nothing changed.
    Unavailable,
}

/// What a console sends: one command, with a request id it picks to match the reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsoleRequest {
    pub request: String,
    #[serde(flatten)]
    pub command: Command,
}

/// An operator's command on an incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Command {
    Acknowledge {
        incident: String,
    },
    AddNote {
        incident: String,
        text: String,
    },
    Resolve {
        incident: String,
        #[serde(default)]
        summary: Option<String>,
    },
    /// Closes the incident; a P1 needs a second operator to send `close` again to confirm.
    Close {
        incident: String,
    },
    CompleteStep {
        incident: String,
        step: String,
    },
    Choose {
        incident: String,
        step: String,
        choice: String,
    },
    RecordInput {
        incident: String,
        step: String,
        input: String,
        value: String,
    },
    SkipStep {
        incident: String,
        step: String,
        reason: String,
    },
    /// Calls the next level of the notification tree now.
    EscalateNow {
        incident: String,
    },
    /// Puts a source (or one of its devices) on test for `minutes` (at most 480): its events
    /// are stored and shown, marked on test, but call nobody. Safety officers and admins only.
    PutOnTest {
        source: String,
        #[serde(default)]
        device: Option<String>,
        minutes: u32,
        reason: String,
    },
    /// Ends a test before its expiry.
    EndTest {
        source: String,
        #[serde(default)]
        device: Option<String>,
    },
    /// A shift hand-over, signed by the outgoing and the incoming operator.
    HandOver {
        outgoing: String,
        incoming: String,
        /// When the console signed it.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        /// The incidents open at hand-over, as the console saw them.
        #[serde(default)]
        open_incidents: Vec<String>,
        /// The steps overdue at hand-over, as the console saw them.
        #[serde(default)]
        overdue_steps: Vec<OverdueStep>,
    },
}

/// A playbook step overdue at a shift hand-over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueStep {
    pub incident: String,
    pub step: String,
}

/// One change of what is on test, as the hub keeps it: who did it, when and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnTestRecord {
    pub seq: u64,
    pub change: OnTestChange,
    pub test: OnTestView,
    /// The operator who started or ended it; `None` when it expired by itself.
    pub by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// What happened to a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnTestChange {
    Started,
    Ended,
    /// Ten minutes before the expiry, the consoles were warned.
    Warned,
    Expired,
}

/// A signed shift hand-over as the hub keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandOverRecord {
    pub seq: u64,
    pub outgoing: String,
    pub incoming: String,
    /// The operator whose console sent it.
    pub signed_on: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The incidents open at hand-over, as the hub had them.
    pub open_incidents: Vec<String>,
    pub overdue_steps: Vec<OverdueStep>,
}

impl Command {
    /// The incident the command is about; `None` for a shift hand-over.
    pub fn incident(&self) -> Option<&str> {
        match self {
            Command::Acknowledge { incident }
            | Command::AddNote { incident, .. }
            | Command::Resolve { incident, .. }
            | Command::Close { incident }
            | Command::CompleteStep { incident, .. }
            | Command::Choose { incident, .. }
            | Command::RecordInput { incident, .. }
            | Command::SkipStep { incident, .. }
            | Command::EscalateNow { incident } => Some(incident),
            Command::HandOver { .. } | Command::PutOnTest { .. } | Command::EndTest { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_event_reads_the_design_example() {
        let text = r#"{
          "id": "fp-b2:000123", "kind": "fire.alarm", "device": "smoke-B2-07F-03",
          "site": "green-garden", "building": "B2", "floor": "7", "zone": "7F east corridor",
          "at": "2026-11-22T23:40:00+08:00", "drill": null, "detail": {}
        }"#;
        let event: DeviceEvent = serde_json::from_str(text).expect("example parses");
        assert_eq!(event.kind, EventKind::FireAlarm);
        assert_eq!(event.zone.as_deref(), Some("7F east corridor"));
        assert_eq!(event.drill, None);
    }

    #[test]
    fn ack_and_nack_have_the_exact_wire_shape() {
        let ack = DeviceReply::Ack(Ack {
            ack: "a".into(),
            seq: 7,
            duplicate: false,
        });
        assert_eq!(
            serde_json::to_string(&ack).expect("ser"),
            r#"{"ack":"a","seq":7}"#
        );
        let dup = DeviceReply::Ack(Ack {
            ack: "a".into(),
            seq: 7,
            duplicate: true,
        });
        assert_eq!(
            serde_json::to_string(&dup).expect("ser"),
            r#"{"ack":"a","seq":7,"duplicate":true}"#
        );
        let nack = DeviceReply::Nack(Nack {
            nack: None,
            error: NackCode::MalformedJson,
            message: "m".into(),
        });
        assert_eq!(
            serde_json::to_string(&nack).expect("ser"),
            r#"{"nack":null,"error":"malformed_json","message":"m"}"#
        );
    }

    #[test]
    fn every_device_kind_round_trips_by_wire_name() {
        for kind in EventKind::DEVICE_KINDS {
            assert_eq!(EventKind::from_device(kind.as_str()), Some(kind));
            let json = serde_json::to_string(&kind).expect("ser");
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(EventKind::from_device("comms.lost"), None);
    }

    #[test]
    fn priorities_follow_the_design_table() {
        use EventKind::*;
        for (kind, p) in [
            (FireAlarm, Priority::P1),
            (AccessDuress, Priority::P1),
            (ElevatorEntrapment, Priority::P1),
            (AccessForced, Priority::P2),
            (FirePrealarm, Priority::P2),
            (FireSupervisory, Priority::P3),
            (AccessHeldOpen, Priority::P3),
            (AccessTamper, Priority::P3),
            (FireTrouble, Priority::P4),
            (CommsLost, Priority::P4),
            (ElevatorFault, Priority::P4),
        ] {
            assert_eq!(kind.priority(), Some(p), "{kind}");
        }
    }

    #[test]
    fn every_log_entry_round_trips_through_json() {
        use time::macros::datetime;
        let at = datetime!(2026-11-22 15:40 UTC);
        let location = Location {
            site: "gg".into(),
            ..Location::default()
        };
        let view = IncidentView::opened(
            "INC-000001".into(),
            EventKind::FireAlarm,
            location,
            at,
            "smoke-1",
            "fp",
        );
        let events = [
            IncidentEvent::Opened {
                view: Box::new(view.clone()),
                event_seq: Some(1),
            },
            IncidentEvent::Acknowledged {
                operator: "op-li".into(),
            },
            IncidentEvent::Closed {
                operator: "op-li".into(),
                confirmed_by: Some("op-wang".into()),
            },
        ];
        for event in events {
            let entry = LogEntry {
                seq: 3,
                incident: view.id.clone(),
                at,
                actor: Actor::Hub,
                event,
            };
            let message = ConsoleMessage::Change {
                seq: 3,
                change: Box::new(Change {
                    entry,
                    incident: view.clone(),
                }),
            };
            let json = serde_json::to_string(&message).expect("ser");
            let back: ConsoleMessage = serde_json::from_str(&json).expect(&json);
            assert_eq!(back, message);
        }
    }

    #[test]
    fn console_command_wire_shape() {
        let req: ConsoleRequest =
            serde_json::from_str(r#"{"request":"r1","action":"acknowledge","incident":"INC-1"}"#)
                .expect("parses");
        assert_eq!(
            req.command,
            Command::Acknowledge {
                incident: "INC-1".into()
            }
        );
    }
}
