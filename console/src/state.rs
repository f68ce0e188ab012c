//! The console's whole state: what the hub told us, where the operator is, and the link.
//!
//! Everything here can be rebuilt from the hub (a snapshot replaces it) except where the
//! operator is looking and what they are typing.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use alert_hub::protocol::{CallOutcome, Callee, DrillView, OnTestView, OperatorInfo};
use time::{OffsetDateTime, UtcOffset};

use crate::action::Screen;
use crate::incidents::IncidentStore;
use crate::keys::Keymap;
use crate::link_trouble::LinkTrouble;
use crate::outgoing::Outgoing;
use crate::screens::{board, drills, handover, history, incident, on_test, reports};
use crate::sound::Annunciator;
use crate::sound::player::Output;
use crate::strings::Lang;

/// How long a command may wait for the hub's reply before the operator is told to check.
pub const REPLY_TIMEOUT: time::Duration = time::Duration::seconds(10);

/// How long an informational message stays on the message bar.
pub const INFO_LIFETIME: time::Duration = time::Duration::seconds(8);

/// The state of the connection to the hub's console feed.
#[derive(Debug, Clone, PartialEq)]
pub enum Link {
    /// The first connection is being made.
    Connecting { since: OffsetDateTime },
    /// Connected; messages flow. `hub` names the hub when the console was given several.
    Connected {
        since: OffsetDateTime,
        hub: Option<String>,
    },
    /// The connection dropped at `since` and the console is trying again in `retry_in`, or
    /// has stopped trying (`None`) because only a person can mend `reason`.
    Reconnecting {
        since: OffsetDateTime,
        attempt: u32,
        retry_in: Option<Duration>,
        reason: LinkTrouble,
        /// The hub the console is moving to, when it is another than the one that failed.
        next: Option<String>,
    },
}

/// How much to trust the message bar's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warning,
    Error,
}

/// A message for the operator on the message bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub level: Level,
    pub text: String,
    pub at: OffsetDateTime,
}

/// A popup over the current screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    Help,
    ConfirmQuit,
    /// Ending the test held in [`on_test::OnTestState::ending`] early awaits a `y`.
    ConfirmEndTest,
    /// Closing the incident held in [`State::closing`] awaits a `y`.
    ConfirmClose,
    /// The phone call held in [`State::call`] awaits whom, then what came of it.
    LogCall,
    /// Signing off the review held in [`reports::ReportsState::signing`] awaits a `y`.
    ConfirmSignOff,
}

/// What the text being typed is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditPurpose {
    Note {
        incident: String,
    },
    SkipReason {
        incident: String,
        step: String,
    },
    Input {
        incident: String,
        step: String,
        input: String,
    },
    ResolveSummary {
        incident: String,
    },
    /// Which recorded value of the incident to correct, by number.
    PickValue {
        incident: String,
    },
    HistorySearch,
    IncomingId,
    /// The outgoing operator's note for the incoming one.
    HandOverNote,
    /// The incoming operator's note on confirming hand-over `seq`.
    ConfirmHandOver {
        seq: u64,
    },
    /// `SOURCE [DEVICE] MINUTES REASON…` to put on test.
    PutOnTest,
    /// `KIND SITE [BUILDING/FLOOR/ZONE]: NOTE` to open an incident for a report.
    Report,
    /// A manager's review of an incident: its root cause, a contributing factor, or a
    /// corrective action as `ACTION / OWNER / YYYY-MM-DD`.
    RootCause {
        incident: String,
    },
    Factor {
        incident: String,
    },
    CorrectiveAction {
        incident: String,
    },
    /// An optional note on a phone call, which is then logged.
    CallNote {
        incident: String,
        callee: Callee,
        /// Whom, by name, for the prompt.
        name: String,
        outcome: CallOutcome,
    },
}

/// A line being typed; Enter submits it, Esc drops it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editor {
    pub purpose: EditPurpose,
    pub text: String,
}

/// A command sent and not yet answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub outgoing: Outgoing,
    pub sent_at: OffsetDateTime,
}

/// Where the feed stands: the last sequence number applied and whether the picture is whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Feed {
    /// The `seq` of the last snapshot or change applied; reconnects resume after it.
    pub last_seq: u64,
    /// A snapshot has been applied and no resync has been announced since.
    pub have_snapshot: bool,
    /// The hub said `live` on this connection at exactly `last_seq`: everything it had was
    /// applied. Cleared when the link drops, a resync is announced or a change is missed.
    pub live: bool,
    /// A change was missed; the console is reconnecting to get it.
    pub gap: bool,
    /// This connection began with a snapshot (else with a replay, which carries no drill list).
    pub snapshot_on_link: bool,
}

impl Feed {
    /// Where the next connection resumes: after `last_seq` while there is a picture to
    /// continue, else `None` (the hub then sends a whole snapshot).
    pub fn resume_after(&self) -> Option<u64> {
        self.have_snapshot.then_some(self.last_seq)
    }
}

/// The annunciator's name for the hub's failing store, beside the incident ids it sounds for.
pub const STORE_ALARM: &str = "hub:store-failing";

/// The whole console state that `update` changes and the screens draw.
#[derive(Debug)]
pub struct State {
    pub lang: Lang,
    /// The offset every time is shown in.
    pub offset: UtcOffset,
    /// The time of the last tick; countdowns and ages are measured against it.
    pub now: OffsetDateTime,
    /// The terminal size, for paging.
    pub size: (u16, u16),
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    pub editor: Option<Editor>,
    pub link: Link,
    /// The hub of the last connection, when the console was given several.
    pub hub: Option<String>,
    pub feed: Feed,
    pub operator: Option<OperatorInfo>,
    pub incidents: IncidentStore,
    pub on_test: Vec<OnTestView>,
    /// Bumped whenever `on_test` is replaced, so a slower fetch cannot undo a newer list.
    pub on_test_version: u64,
    pub drills: Vec<DrillView>,
    /// Bumped whenever `drills` is replaced, so a slower fetch cannot undo a newer list.
    pub drills_version: u64,
    pub board: board::BoardState,
    pub incident: incident::IncidentScreen,
    pub history: history::HistoryState,
    pub handover: handover::HandOverState,
    pub on_test_screen: on_test::OnTestState,
    pub reports: reports::ReportsState,
    /// The year's drill calendar for the drills screen and the status line.
    pub calendar: drills::CalendarState,
    /// The incident whose close awaits confirmation.
    pub closing: Option<String>,
    /// The phone call being logged, while its prompt is open.
    pub call: Option<incident::call::CallPrompt>,
    pub annunciator: Annunciator,
    /// The hub said it cannot store events: shown at the top of every screen and sounded as
    /// an unacknowledged P1 until the hub says it stores again (or a new `live` shows it does).
    pub store_failing: bool,
    /// What cues sound through; `None` until the sound player's check at start is done.
    pub audio: Option<Output>,
    pub pending: BTreeMap<String, Pending>,
    pub message: Option<Message>,
    pub keymap: Keymap,
    pub quit: bool,
    session: String,
    next_request: u64,
}

impl State {
    /// A console that has not heard from the hub yet.
    pub fn new(lang: Lang, offset: UtcOffset, now: OffsetDateTime) -> State {
        State {
            lang,
            offset,
            now,
            size: (80, 24),
            screen: Screen::Board,
            overlay: None,
            editor: None,
            link: Link::Connecting { since: now },
            hub: None,
            feed: Feed::default(),
            operator: None,
            incidents: IncidentStore::default(),
            on_test: Vec::new(),
            on_test_version: 0,
            drills: Vec::new(),
            drills_version: 0,
            board: board::BoardState::default(),
            incident: incident::IncidentScreen::default(),
            history: history::HistoryState::default(),
            handover: handover::HandOverState::default(),
            on_test_screen: on_test::OnTestState::default(),
            reports: reports::ReportsState::default(),
            calendar: drills::CalendarState::default(),
            closing: None,
            call: None,
            annunciator: Annunciator::default(),
            store_failing: false,
            audio: None,
            pending: BTreeMap::new(),
            message: None,
            keymap: Keymap::default(),
            quit: false,
            session: format!("{:x}", now.unix_timestamp()),
            next_request: 0,
        }
    }

    /// True when the picture on screen is the hub's current one: connected, with a snapshot
    /// applied, the hub's `live` marker received on this connection, and no gap since.
    /// Anything else is drawn as stale.
    pub fn is_live(&self) -> bool {
        let feed = &self.feed;
        matches!(self.link, Link::Connected { .. }) && feed.have_snapshot && feed.live && !feed.gap
    }

    /// What sounds as an unacknowledged P1: every unacknowledged P1 incident, and the hub's
    /// failing store (under [`STORE_ALARM`]).
    pub fn alarming(&self) -> BTreeSet<String> {
        let mut all = self.incidents.unacknowledged_p1().clone();
        if self.store_failing {
            all.insert(STORE_ALARM.to_string());
        }
        all
    }

    /// A request id unique to this console run.
    /// The id of the operator signed in on this console, once the hub has said who it is.
    pub fn operator_id(&self) -> Option<&str> {
        self.operator.as_ref().map(|o| o.id.as_str())
    }

    pub fn next_request_id(&mut self) -> String {
        self.next_request += 1;
        format!("{}-{}", self.session, self.next_request)
    }

    /// Puts a message on the message bar.
    pub fn say(&mut self, level: Level, text: impl Into<String>) {
        self.message = Some(Message {
            level,
            text: text.into(),
            at: self.now,
        });
    }

    /// Records a command as sent and returns the effect that sends it, or refuses it (with a
    /// message) while the console is not connected.
    pub fn send(&mut self, outgoing: Outgoing) -> Option<crate::action::Effect> {
        if !matches!(self.link, Link::Connected { .. }) {
            self.say(Level::Error, crate::strings::S::NotConnected.get(self.lang));
            return None;
        }
        self.pending.insert(
            outgoing.request().to_string(),
            Pending {
                outgoing: outgoing.clone(),
                sent_at: self.now,
            },
        );
        Some(crate::action::Effect::Send(outgoing))
    }

    /// Whether the incident screen shows a read-only (historical) incident.
    pub fn read_only(&self) -> bool {
        self.screen == Screen::Incident && self.incident.is_read_only()
    }

    /// The drills to announce: those the hub says are running, plus any drill an open incident
    /// belongs to (so a drill incident is never shown without its banner).
    pub fn running_drills(&self) -> Vec<(String, Option<&DrillView>)> {
        let mut drills: Vec<(String, Option<&DrillView>)> = self
            .drills
            .iter()
            .map(|d| (d.id.clone(), Some(d)))
            .collect();
        for id in self.incidents.drill_ids() {
            if !drills.iter().any(|(d, _)| d == id) {
                drills.push((id.to_string(), None));
            }
        }
        drills
    }
}
