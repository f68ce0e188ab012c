//! The validated playbook, notification-tree and role types a library hands out.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Duration;

use crate::text::Text;

/// Where something was defined: the file as errors name it and the 1-based line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: usize,
}

/// A procedure for one kind of incident: an ordered list of steps, the first of which is where
/// a run begins. A playbook from a [`Library`](crate::Library) has passed every check in the
/// README (known roles and trees, targets that exist, every step reachable, no cycles).
#[derive(Debug, Clone, PartialEq)]
pub struct Playbook {
    pub id: String,
    pub title: Text,
    /// The event kinds that start this playbook, e.g. `fire.alarm`; playbooks that an operator
    /// starts by hand list a `manual.*` kind such as `manual.gas_leak`.
    pub triggers: Vec<String>,
    /// Never empty in a loaded library.
    pub steps: Vec<Step>,
    pub(crate) origin: Origin,
}

impl Playbook {
    /// The step with this id.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// The position of the step with this id in file order.
    pub fn step_index(&self, id: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.id == id)
    }

    /// True for a playbook an operator starts by hand (one of its triggers is `manual.*`).
    pub fn is_manual(&self) -> bool {
        self.triggers.iter().any(|t| is_manual_kind(t))
    }

    /// The ids of the notification trees the playbook starts or extends, in step order.
    pub fn trees(&self) -> impl Iterator<Item = &str> {
        self.steps
            .iter()
            .filter_map(|s| s.notify.as_ref())
            .map(|n| n.tree.as_str())
    }

    /// Where the playbook was defined.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }
}

/// One thing to do: what, who does it, by when, and where the run goes afterwards.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub id: String,
    pub instruction: Text,
    /// The id of the responsible role in the library's roles.
    pub role: String,
    /// How long after the incident started the step must be done by.
    pub deadline: Option<Duration>,
    pub flow: Flow,
    /// Values recorded at this step, e.g. the number of people trapped.
    pub inputs: Vec<Input>,
    /// The notification requested when the run reaches this step.
    pub notify: Option<Notify>,
    /// The roles the operator calls by phone at this step, in the order written: an outside
    /// party such as `fire_brigade` (reached at its number for the incident's site) or a role
    /// of people such as `duty_manager` (reached through the contacts holding it).
    pub calls: Vec<String>,
    /// A step that may be skipped, with a reason. Branching steps are never skippable.
    pub skippable: bool,
    /// The milestone of the response this step's completion marks, for the reports.
    pub milestone: Option<Milestone>,
}

/// A moment of the response that reports measure, marked by the step that reaches it; the
/// step's deadline is its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    /// The alarm was verified by the fastest means (real, or a false alarm).
    Confirmed,
    /// The outside service was called: 119, the lift company, the gas company.
    OutsideCalled,
    /// Help arrived on site: the fire service, the lift engineer.
    OnSite,
}

impl Step {
    /// The choices of a branching step; empty for any other step.
    pub fn choices(&self) -> &[Choice] {
        match &self.flow {
            Flow::Choices(choices) => choices,
            Flow::Next(_) | Flow::End => &[],
        }
    }

    /// The choice with this id.
    pub fn choice(&self, id: &str) -> Option<&Choice> {
        self.choices().iter().find(|c| c.id == id)
    }

    /// The input with this id.
    pub fn input(&self, id: &str) -> Option<&Input> {
        self.inputs.iter().find(|i| i.id == id)
    }
}

/// Where a run goes once a step is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flow {
    /// To the step with this id: the explicit `next`, or the following step in the file.
    Next(String),
    /// The run finishes (`end = true`, or the last step of the file).
    End,
    /// The operator chooses; each choice leads somewhere.
    Choices(Vec<Choice>),
}

/// One branch of a step, e.g. "real fire" or "false alarm".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub id: String,
    pub label: Text,
    /// The step this choice leads to, or `None` when it finishes the run.
    pub next: Option<String>,
}

/// A value the operator records at a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub id: String,
    pub label: Text,
    pub kind: InputKind,
    /// The step cannot be completed until this is recorded (skipping is still allowed).
    pub required: bool,
}

/// What an input holds; the engine refuses values of the wrong shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// A decimal number such as `3` or `2.5`.
    Number,
    /// Free text, not empty.
    Text,
    /// A clock time `HH:MM` (site local time) or an RFC 3339 timestamp.
    Time,
}

/// The notification a step asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notify {
    pub action: NotifyAction,
    /// The id of a notification tree of the library.
    pub tree: String,
}

/// Whether a step starts a notification tree or adds one to the tree already running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyAction {
    /// Start calling this tree from its first level.
    Start,
    /// Call this tree as well as the one already running (start it if none is).
    Extend,
}

/// Who is called, level by level, until someone acknowledges.
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationTree {
    pub id: String,
    pub title: Text,
    /// Never empty in a loaded library.
    pub levels: Vec<Level>,
    /// How many more times the last level is called, each after its delay, when nobody has
    /// acknowledged.
    pub repeat_last: u32,
    pub(crate) origin: Origin,
}

impl NotificationTree {
    /// Where the tree was defined.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The same tree with every outside party removed (external roles, and contacts whose role
    /// is external or unknown), and levels left empty dropped: the tree a drill may use. A drill
    /// never calls the fire brigade or any real outside number.
    pub fn for_drill(&self, roles: &Roles, contacts: &[Contact]) -> NotificationTree {
        let internal = |recipient: &Recipient| match recipient {
            Recipient::Role(role) => !roles.is_external(role),
            Recipient::Contact(id) => contacts
                .iter()
                .find(|c| c.id == *id)
                .is_some_and(|c| !roles.is_external(&c.role)),
        };
        let levels = self
            .levels
            .iter()
            .filter_map(|level| {
                let mut kept = level.clone();
                let keep: Vec<bool> = level.recipients.iter().map(internal).collect();
                let mut flags = keep.iter();
                kept.recipients
                    .retain(|_| flags.next().copied().unwrap_or(false));
                let mut flags = keep.iter();
                kept.places
                    .retain(|_| flags.next().copied().unwrap_or(false));
                (!kept.recipients.is_empty()).then_some(kept)
            })
            .collect();
        NotificationTree {
            levels,
            ..self.clone()
        }
    }
}

/// One level of a notification tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    /// Never empty in a loaded library.
    pub recipients: Vec<Recipient>,
    /// Never empty in a loaded library.
    pub channels: Vec<Channel>,
    /// How long to wait for an acknowledgement before calling the next level (or repeating the
    /// last one).
    pub escalate_after: Duration,
    /// The line and field of each recipient, for errors found after loading.
    pub(crate) places: Vec<(usize, String)>,
}

/// Someone a level calls: everyone holding a role, or one contact of the caller's list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Recipient {
    Role(String),
    Contact(String),
}

/// How a notification reaches someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The control-room console itself.
    Console,
    /// An HTTP webhook.
    Webhook,
    /// E-mail over SMTP.
    Email,
}

impl Channel {
    /// The name the files use.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Console => "console",
            Channel::Webhook => "webhook",
            Channel::Email => "email",
        }
    }
}

/// A responsibility such as `operator` or `fire_brigade`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub id: String,
    pub name: Text,
    /// A real outside party (fire brigade, police, ambulance, maintenance or gas company) that a
    /// drill must never reach.
    pub external: bool,
    /// The number to call, for outside services (e.g. `119`).
    pub phone: Option<String>,
}

/// The roles of a library, by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roles(pub(crate) BTreeMap<String, Role>);

impl Roles {
    /// The role with this id.
    pub fn get(&self, id: &str) -> Option<&Role> {
        self.0.get(id)
    }

    /// True for an external role, and for an unknown one: when in doubt, a drill does not call.
    pub fn is_external(&self, id: &str) -> bool {
        self.get(id).is_none_or(|r| r.external)
    }

    /// Every role, ordered by id.
    pub fn iter(&self) -> impl Iterator<Item = &Role> {
        self.0.values()
    }
}

/// A person the caller can notify, as the caller knows them: an id the trees may name, and
/// the role the person holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: String,
    pub role: String,
}

impl Contact {
    /// A contact with this id holding this role.
    pub fn new(id: impl Into<String>, role: impl Into<String>) -> Contact {
        Contact {
            id: id.into(),
            role: role.into(),
        }
    }
}

/// The event kinds a device or the hub raises incidents for, and so may trigger a playbook.
pub const INCIDENT_KINDS: [&str; 11] = [
    "fire.alarm",
    "fire.prealarm",
    "fire.supervisory",
    "fire.trouble",
    "access.forced",
    "access.held_open",
    "access.tamper",
    "access.duress",
    "elevator.entrapment",
    "elevator.fault",
    "comms.lost",
];

/// True for `manual.<name>`, the kinds of incidents an operator opens by hand.
pub fn is_manual_kind(kind: &str) -> bool {
    kind.strip_prefix("manual.").is_some_and(|name| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    })
}
