//! Incidents as consoles see them: the view, its playbook checklist and call-out, and
//! operators. The past-tense events an incident log is made of are in `incident_log`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{CallView, EventKind, NotificationsView, Priority};

/// How many devices an incident lists by name; a storm of hundreds is counted, not listed, so
/// each change stays small.
pub const LISTED_DEVICES: usize = 16;

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

impl Role {
    /// The role's name a person reads, in Chinese and English, e.g. `("值班员", "operator")`.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Role::Operator => ("值班员", "operator"),
            Role::SafetyOfficer => ("安全主管", "safety officer"),
            Role::Manager => ("项目经理", "manager"),
            Role::Admin => ("管理员", "admin"),
        }
    }
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

pub(super) fn is_zero(n: &u64) -> bool {
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
    /// The first acknowledgement ever, kept when the incident is reopened or re-alerted and
    /// acknowledged again: what the time to acknowledge is measured by.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub first_acknowledged_at: Option<OffsetDateTime>,
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
    /// The panel's own words for a code the hub does not map (`ADM-CID 1628 01 015`): what a
    /// person looks up in the panel's manual for an unknown-code incident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panel_code: Option<String>,
    /// The playbook run of this incident, once one has started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playbook: Option<PlaybookView>,
    /// The notification tree of this incident: who was called, how, and what came of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifications: Option<NotificationsView>,
}

impl IncidentView {
    /// The view without its two large parts, the checklist and the call-out: what a change
    /// that alters neither (a storm of joined events) carries.
    pub fn summary(&self) -> IncidentView {
        IncidentView {
            id: self.id.clone(),
            kind: self.kind,
            priority: self.priority,
            state: self.state,
            location: self.location.clone(),
            opened_at: self.opened_at,
            last_event_at: self.last_event_at,
            acknowledged_at: self.acknowledged_at,
            first_acknowledged_at: self.first_acknowledged_at,
            owner: self.owner.clone(),
            event_count: self.event_count,
            devices: self.devices.clone(),
            device_count: self.device_count,
            confirmed_by_two_detectors: self.confirmed_by_two_detectors,
            flapping: self.flapping,
            flap_count: self.flap_count,
            restored: self.restored,
            on_test: self.on_test,
            drill: self.drill.clone(),
            close_requested_by: self.close_requested_by.clone(),
            source: self.source.clone(),
            panel_code: self.panel_code.clone(),
            playbook: None,
            notifications: None,
        }
    }

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
            first_acknowledged_at: None,
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
            panel_code: None,
            playbook: None,
            notifications: None,
        }
    }

    /// True until an operator acknowledges: an unacknowledged P1 keeps sounding.
    pub fn is_unacknowledged(&self) -> bool {
        self.state == IncidentState::New
    }

    /// An unacknowledged incident that is not a test: it sounds, counts and escalates. A signal
    /// from a source or device on test never does.
    pub fn is_alarming(&self) -> bool {
        self.is_unacknowledged() && !self.on_test
    }

    /// Which part of the board the incident belongs to; see [`Standing`].
    pub fn standing(&self) -> Standing {
        if self.on_test {
            Standing::OnTest
        } else if self.state == IncidentState::Resolved {
            Standing::Resolved
        } else {
            Standing::Active
        }
    }

    /// Where the incident stands on the alarm board; see [`BoardKey`].
    pub fn board_key(&self) -> BoardKey {
        BoardKey {
            standing: self.standing(),
            drill: self.drill.is_some(),
            priority: self.priority,
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

/// The parts of the alarm board, in board order: every active incident of any priority comes
/// before every resolved one (awaiting its close), and signals from sources or devices on test
/// come last, in their own list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Standing {
    Active,
    Resolved,
    OnTest,
}

/// The alarm board's sort key; the field order is the sort order: active before resolved
/// before on test; then every real incident before every drill incident, whatever their
/// priorities (a real P3 stands above a drill P1: a drill never hides a real alarm); then
/// higher priority first, then unacknowledged before acknowledged, then oldest first; the id
/// breaks ties.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BoardKey {
    pub standing: Standing,
    pub drill: bool,
    pub priority: Priority,
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

/// Reads a [`Bilingual`], or a plain string as logs written before a field was bilingual kept
/// it (the same text in both languages), so nothing already stored becomes unreadable.
pub(super) mod bilingual_or_text {
    use serde::{Deserialize, Deserializer};

    use super::Bilingual;

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Both(Bilingual),
        Text(String),
    }

    impl From<Either> for Bilingual {
        fn from(either: Either) -> Bilingual {
            match either {
                Either::Both(both) => both,
                Either::Text(text) => Bilingual {
                    zh: text.clone(),
                    en: text,
                },
            }
        }
    }

    pub fn one<'de, D: Deserializer<'de>>(d: D) -> Result<Bilingual, D::Error> {
        Either::deserialize(d).map(Bilingual::from)
    }

    pub fn option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Bilingual>, D::Error> {
        Option::<Either>::deserialize(d).map(|e| e.map(Bilingual::from))
    }
}

/// A playbook run as the incident screen shows it: the checklist and where the operator is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaybookView {
    pub id: String,
    pub title: Bilingual,
    pub steps: Vec<StepView>,
    /// The step to do next, or `None` when the run has finished.
    pub current: Option<String>,
    /// The step done last, which `undo_step` can take back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_done: Option<String>,
}

impl PlaybookView {
    /// Whether the first step is neither done nor skipped (for a fire alarm: never even
    /// confirmed). Resolving the incident then takes a reason.
    pub fn first_step_open(&self) -> bool {
        self.steps.first().is_some_and(|s| {
            matches!(
                s.status,
                StepStatus::Pending | StepStatus::Current | StepStatus::Overdue
            )
        })
    }
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
    /// Whom the step has the operator call by phone, with their numbers at the incident's site.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<CallView>,
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

/// A drill that is running now; its events and incidents are marked with its id. A drill run
/// from a scenario says which, where, and what it is scored on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillView {
    pub id: String,
    pub name: Bilingual,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// The safety officer or admin who started it.
    #[serde(default)]
    pub started_by: String,
    /// The site it is held at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// The scenario it plays (its file stem), e.g. `lift-rescue`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<super::DrillKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exercise: Option<super::ExerciseType>,
    /// What it is scored on, measured from `started_at`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objectives: Vec<super::Objective>,
    /// The entry of the drill calendar it carries out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar_entry: Option<String>,
    /// Who asked to end it: a second person confirms (two-person rule, as closing a P1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_requested_by: Option<String>,
}

impl DrillView {
    /// A drill with nothing but its id, name and start, as `POST /v1/drills` made them before
    /// scenarios.
    pub fn new(id: impl Into<String>, name: Bilingual, started_at: OffsetDateTime) -> DrillView {
        DrillView {
            id: id.into(),
            name,
            started_at,
            started_by: String::new(),
            site: None,
            scenario: None,
            kind: None,
            exercise: None,
            objectives: Vec::new(),
            calendar_entry: None,
            end_requested_by: None,
        }
    }
}
