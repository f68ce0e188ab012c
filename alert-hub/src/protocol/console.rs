//! The console feed's messages and the operators' commands, and the records the hub keeps of
//! shift hand-overs and tests.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{
    Bilingual, CallOutcome, Callee, DrillView, EventKind, IncidentView, Location, LogEntry,
    OnTestView, OperatorInfo,
};

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
    /// The latest shift hand-overs, oldest first (the whole list, awaiting ones included).
    HandOvers { handovers: Vec<HandOverRecord> },
    /// Something the operators should read now (e.g. a test about to expire).
    Notice { text: Bilingual },
    /// Whether the hub can store events: `false` while its store is failing (events are
    /// refused, nothing new is acknowledged), `true` again once it has recovered.
    StoreHealth { storing: bool },
}

/// The hub's answer to a console command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// The `request` id the console sent.
    pub request: String,
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<RefusalCode>,
    /// For a refusal, a sentence the operator can read, in Chinese and English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Bilingual>,
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
    /// A drill report names a drill that is not running at that site.
    DrillNotRunning,
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
    /// Takes back the completion, choice or skip of the step done last (a mistake): it is the
    /// current step again. Logged; refused once work was recorded at the step it led to.
    UndoStep {
        incident: String,
        step: String,
    },
    /// Calls the next level of the notification tree now.
    EscalateNow {
        incident: String,
    },
    /// Logs a phone call the operator made about the incident: whom, and what came of it. The
    /// hub records the number it has for them at the incident's site.
    LogCall {
        incident: String,
        callee: Callee,
        outcome: CallOutcome,
        #[serde(default)]
        note: Option<String>,
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
    /// Opens an incident for a report that reached the control room (a phoned-in gas smell,
    /// a flood, a medical emergency, a public-security incident, or an alarm no device sent)
    /// at `site` and the place given, with the operator's note; its playbook starts at once.
    OpenIncident {
        kind: EventKind,
        /// `site`, and optionally `building`, `floor` and `zone`, as fields of the command.
        #[serde(flatten)]
        location: Location,
        note: String,
        /// The running drill at `site` the report belongs to (a drill report, with the DRILL
        /// band and the drill's contacts only); `None` for a real report. Refused with
        /// `drill_not_running` unless that drill runs at that site.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        drill: Option<String>,
    },
    /// A shift hand-over, signed by the outgoing operator (the one sending it) for `incoming`,
    /// who confirms it from their own sign-in with [`Command::ConfirmHandOver`]. A new one
    /// withdraws the outgoing operator's earlier hand-over still awaiting confirmation.
    HandOver {
        incoming: String,
        /// What the outgoing operator wants the incoming one to know.
        #[serde(default)]
        note: String,
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
    /// The incoming operator takes the shift: confirms hand-over `seq`, which names them.
    ConfirmHandOver {
        seq: u64,
        /// What the incoming operator adds (e.g. "checked the lift at B2 myself").
        #[serde(default)]
        note: String,
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

/// A shift hand-over as the hub keeps it: signed by the outgoing operator, then confirmed by
/// the incoming one with their own sign-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandOverRecord {
    pub seq: u64,
    pub outgoing: String,
    pub incoming: String,
    /// When the outgoing operator signed it.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The outgoing operator's note.
    #[serde(default)]
    pub note: String,
    /// The incidents open at hand-over, as the hub had them.
    pub open_incidents: Vec<String>,
    pub overdue_steps: Vec<OverdueStep>,
    #[serde(default)]
    pub status: HandOverStatus,
}

/// Where a hand-over stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum HandOverStatus {
    /// Signed by the outgoing operator; the incoming one has not confirmed.
    Awaiting,
    /// The incoming operator confirmed it from their own sign-in.
    Confirmed {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        #[serde(default)]
        note: String,
    },
    /// The outgoing operator signed a newer hand-over before this one was confirmed.
    Withdrawn {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// Kept from before hand-overs were confirmed by the incoming operator: both ids were
    /// signed on one console.
    #[default]
    SignedOnOneConsole,
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
            | Command::UndoStep { incident, .. }
            | Command::EscalateNow { incident }
            | Command::LogCall { incident, .. } => Some(incident),
            Command::HandOver { .. }
            | Command::ConfirmHandOver { .. }
            | Command::PutOnTest { .. }
            | Command::EndTest { .. }
            | Command::OpenIncident { .. } => None,
        }
    }
}
