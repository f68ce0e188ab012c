//! Everything that can happen to the console ([`Action`]), what an operator's key means
//! ([`Intent`]), and what the console asks the outside world to do ([`Effect`]).

use std::time::Duration;

use alert_hub::protocol::{
    AwaitingSignOff, CalendarItem, ConsoleMessage, DrillView, IncidentView, ListedAction,
    OnTestView, Priority, Review, ReviewRecord,
};
use ratatui::crossterm::event::KeyEvent;
use time::OffsetDateTime;

use crate::link_trouble::LinkTrouble;
use crate::outgoing::Outgoing;
use crate::queries::HistoryFilter;
use crate::screens::reports::Pane;
use crate::sound::player::Output;

/// One thing that happened: a key, a timer tick, a message from the hub, the connection going
/// up or down, or the result of a background fetch. `update` handles each one.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The timer: the clock moved to `now`. Drives countdowns, the flash and the sound.
    Tick { now: OffsetDateTime },
    /// The terminal changed size.
    Resize { width: u16, height: u16 },
    /// A key was pressed; the key map turns it into an [`Intent`] for the current screen.
    Key(KeyEvent),
    /// An operator intent directly (what a key binding resolves to).
    Intent(Intent),
    /// The feed connection is open (before its first message arrives), to `hub` when the
    /// console was given several hubs (`None` with one).
    LinkUp {
        at: OffsetDateTime,
        hub: Option<String>,
    },
    /// The feed connection dropped or could not be opened; the next attempt comes in
    /// `retry_in`, or never (`None`) when retrying cannot help (a refused token).
    LinkDown {
        at: OffsetDateTime,
        attempt: u32,
        retry_in: Option<Duration>,
        reason: LinkTrouble,
        /// The hub the next attempt goes to, when it is another than the one just tried.
        next: Option<String>,
    },
    /// A message from the hub's console feed.
    Hub(Box<ConsoleMessage>),
    /// A command never reached the hub (the connection was down when it was to be sent).
    NotSent { request: String, reason: String },
    /// Past incidents arrived for the history screen, or could not be fetched.
    HistoryLoaded(Result<Vec<IncidentView>, String>),
    /// The incidents of this operator's shift arrived for the hand-over screen, or could not
    /// be fetched; `since` is the shift's start they were asked from.
    ShiftLoaded {
        since: OffsetDateTime,
        incidents: Result<Vec<IncidentView>, String>,
    },
    /// An incident as the hub has it and its full log arrived, or could not be fetched.
    LogLoaded {
        incident: String,
        loaded: Result<Box<crate::queries::IncidentRecord>, String>,
    },
    /// The running drills fetched after a replay (see [`Effect::FetchDrills`]).
    DrillsLoaded {
        version: u64,
        drills: Result<Vec<DrillView>, String>,
    },
    /// What is on test, fetched after a replay (see [`Effect::FetchOnTest`]).
    OnTestLoaded {
        version: u64,
        on_test: Result<Vec<OnTestView>, String>,
    },
    /// The incidents awaiting a manager's sign-off, or why they could not be fetched.
    ReviewsLoaded(Result<Vec<AwaitingSignOff>, String>),
    /// A report in Markdown for the reports screen's `pane`, or why it could not be fetched.
    ReportLoaded {
        pane: Pane,
        text: Result<String, String>,
    },
    /// The hub kept the review of `incident` (written, or `signed` off), or said why not.
    ReviewSaved {
        incident: String,
        signed: bool,
        result: Result<ReviewRecord, String>,
    },
    /// The corrective actions of ended drills that are overdue, or why they could not be fetched.
    OverdueActionsLoaded(Result<Vec<ListedAction>, String>),
    /// The drill calendar of `year` arrived, or could not be fetched.
    CalendarLoaded {
        year: i32,
        calendar: Result<Vec<CalendarItem>, String>,
    },
    /// What cues sound through: the player's check at start, or its failure later.
    AudioReady { output: Output },
    /// A cue the sound player failed to play: it sounds again, through the bell now.
    Unheard(Cue),
}

/// The console's screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Screen {
    #[default]
    Board,
    Incident,
    History,
    HandOver,
    OnTest,
    Reports,
    /// The year's drill calendar and the drills running.
    Drills,
}

/// What an operator means by a key, whatever key it is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Intent {
    /// Asks to quit; a second confirmation quits.
    Quit,
    ConfirmQuit,
    CancelQuit,
    ToggleHelp,
    ToggleLanguage,
    /// Mutes the alarm sound for at most a minute, or unmutes.
    ToggleMute,
    Show(Screen),
    NextScreen,
    Back,
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
    /// Opens the selected incident.
    Open,
    CycleSiteFilter,
    Acknowledge,
    CompleteStep,
    /// Takes choice number `n` (0-based) of the current step.
    Choose(u8),
    /// Starts typing the value of the current step's next input.
    EnterInput,
    /// Starts typing the reason to skip the current step.
    Skip,
    /// Takes back the step done last (a mistake).
    UndoStep,
    /// Corrects a value recorded on the checklist.
    CorrectValue,
    /// Starts typing a note.
    Note,
    EscalateNow,
    /// Asks whom the operator called by phone and what came of it, then logs the call.
    LogCall,
    /// Starts typing an optional summary, then resolves.
    Resolve,
    /// Opens the newest unacknowledged P1, wherever the operator is.
    JumpToAlarm,
    /// Starts typing a report to open an incident by hand.
    Report,
    /// Asks to close the selected or shown incident (it must be resolved); `y` confirms.
    Close,
    ConfirmClose,
    CancelClose,
    /// Starts typing the history search.
    Search,
    /// Asks the hub for past incidents again.
    Refresh,
    EditHandOverNote,
    EditIncoming,
    /// Signs the hand-over (both ids entered) and sends it.
    SignHandOver,
    /// Confirms, with a note, the hand-over awaiting this operator.
    ConfirmHandOver,
    /// Starts typing what to put on test: source, optional device, minutes and reason.
    PutOnTest,
    /// Asks to end the selected test early; a second confirmation sends it.
    EndTest,
    ConfirmEndTest,
    CancelEndTest,
    /// The reports screen's pane reads this month's report, or one month earlier or later.
    ShowMonth,
    EarlierMonth,
    LaterMonth,
    /// Starts typing the selected incident's root cause, a contributing factor or an action.
    WriteRootCause,
    AddFactor,
    AddAction,
    /// Asks to sign off the selected incident's review; `y` confirms.
    SignOff,
    ConfirmSignOff,
    CancelSignOff,
}

/// A sound to make now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cue {
    /// One cycle of the repeating alarm pattern of this priority.
    Alarm(Priority),
    /// A single chime for a new incident of this priority.
    Chime(Priority),
    /// The link to the hub was lost: alarms may be arriving that this console cannot show.
    LinkLost,
}

/// What `update` asks the runtime to do; `update` itself never does input or output.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send a command to the hub.
    Send(Outgoing),
    /// Drop the feed connection and reconnect from the last sequence number held.
    Reconnect,
    /// Make a sound (or ring the bell when no sound player works).
    Sound(Cue),
    /// Stop any sound now (muted).
    Silence,
    /// Fetch past incidents for the history screen.
    FetchHistory(HistoryFilter),
    /// Fetch the incidents of this operator's shift, opened since `since`, for the hand-over.
    FetchShift { since: OffsetDateTime },
    /// Fetch an incident's full log from the hub.
    FetchLog(String),
    /// Fetch the running drills (a replay does not carry them); `version` is the state's
    /// `drills_version` when asked, so an answer overtaken by the feed is dropped.
    FetchDrills { version: u64 },
    /// Fetch what is on test (a replay does not carry it either); `version` is the state's
    /// `on_test_version` when asked.
    FetchOnTest { version: u64 },
    /// Fetch the incidents awaiting a manager's sign-off.
    FetchReviews,
    /// Fetch the Markdown report at `path` for the reports screen's `pane`.
    FetchReport { pane: Pane, path: String },
    /// Write the review of `incident` as `review` (the whole of it).
    WriteReview { incident: String, review: Review },
    /// Sign off the review of `incident`.
    SignOff { incident: String },
    /// Fetch the drill calendar of `year` for the drills screen and the status line, and the
    /// overdue corrective actions of past drills.
    FetchCalendar { year: i32 },
    /// Leave the console.
    Quit,
}
