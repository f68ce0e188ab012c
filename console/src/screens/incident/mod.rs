//! The incident screen: one incident's playbook, notification tree and log, with one key per
//! command. Opened from the board (live) or from history (read-only).

pub mod call;
pub mod correct;
mod draw;

pub use draw::render;

use alert_hub::protocol::{Command, IncidentState, IncidentView, StepView};

use crate::action::{Effect, Intent, Screen};
use crate::outgoing::command;
use crate::state::{EditPurpose, Editor, Level, State};
use crate::strings::S;

/// Where the incident shown comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// An open incident, read from the incident store as it changes.
    Live,
    /// A past incident from the history list, shown read-only.
    History(Box<IncidentView>),
}

/// Whether the full log has been fetched from the hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogFetch {
    Loading,
    Loaded,
    Failed(String),
}

/// The incident on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    pub id: String,
    pub from: Screen,
    pub source: Source,
    /// How many log lines the view is scrolled up from the newest.
    pub log_scroll: usize,
    pub log_fetch: LogFetch,
}

/// The incident screen's state: which incident, if any, is open.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IncidentScreen {
    pub open: Option<Opened>,
}

impl IncidentScreen {
    /// True once an incident has been opened.
    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    /// True when the incident shown is a past one (no commands).
    pub fn is_read_only(&self) -> bool {
        matches!(
            self.open,
            Some(Opened {
                source: Source::History(_),
                ..
            })
        )
    }

    /// The screen Esc returns to.
    pub fn came_from(&self) -> Screen {
        self.open.as_ref().map_or(Screen::Board, |o| o.from)
    }
}

/// The incident shown, as it stands now (`None` when a live one has been closed).
pub fn shown(state: &State) -> Option<&IncidentView> {
    let open = state.incident.open.as_ref()?;
    match &open.source {
        Source::Live => state.incidents.get(&open.id),
        Source::History(view) => Some(view),
    }
}

/// Opens a live incident and asks the hub for its full log.
pub fn open_live(state: &mut State, id: &str, fx: &mut Vec<Effect>) {
    open(state, id, Source::Live, Screen::Board, fx);
}

/// Opens a past incident read-only and asks the hub for its full log.
pub fn open_history(state: &mut State, incident: IncidentView, fx: &mut Vec<Effect>) {
    let id = incident.id.clone();
    open(
        state,
        &id,
        Source::History(Box::new(incident)),
        Screen::History,
        fx,
    );
}

fn open(state: &mut State, id: &str, source: Source, from: Screen, fx: &mut Vec<Effect>) {
    state.incident.open = Some(Opened {
        id: id.to_string(),
        from,
        source,
        log_scroll: 0,
        log_fetch: LogFetch::Loading,
    });
    state.screen = Screen::Incident;
    fx.push(Effect::FetchLog(id.to_string()));
}

/// Takes the full log fetched from the hub (or notes why it could not be had).
/// Takes the incident and log fetched from the hub. A past incident opened from history is
/// shown as the hub has it, with its finished playbook and notifications (the history list
/// holds only the summary); a live one keeps following the feed.
pub fn log_loaded(
    state: &mut State,
    incident: &str,
    loaded: Result<Box<crate::queries::IncidentRecord>, String>,
) {
    let (fetch, full) = match loaded {
        Ok(record) => {
            let crate::queries::IncidentRecord {
                incident: view,
                log,
            } = *record;
            state.incidents.merge_log(incident, log);
            (LogFetch::Loaded, Some(view))
        }
        Err(reason) => (LogFetch::Failed(reason), None),
    };
    if let Some(open) = state.incident.open.as_mut().filter(|o| o.id == incident) {
        open.log_fetch = fetch;
        if let (Source::History(shown), Some(full)) = (&mut open.source, full) {
            **shown = full;
        }
    }
}

/// Sends an acknowledgement for an open incident (anything but a new one is already acked).
pub fn acknowledge(state: &mut State, id: &str, fx: &mut Vec<Effect>) {
    let Some(incident) = state.incidents.get(id) else {
        state.say(Level::Warning, S::IncidentGone.get(state.lang));
        return;
    };
    if incident.state != IncidentState::New {
        state.say(Level::Info, S::AlreadyAcknowledged.get(state.lang));
        return;
    }
    let request = state.next_request_id();
    let out = command(
        request,
        Command::Acknowledge {
            incident: id.to_string(),
        },
    );
    fx.extend(state.send(out));
}

/// The step to do next of the incident's playbook.
pub fn current_step(incident: &IncidentView) -> Option<&StepView> {
    let playbook = incident.playbook.as_ref()?;
    let current = playbook.current.as_deref()?;
    playbook.steps.iter().find(|s| s.id == current)
}

/// Handles the incident screen's own intents: the commands and scrolling the log.
pub fn handle(state: &mut State, intent: Intent, fx: &mut Vec<Effect>) {
    if let Some(open) = state.incident.open.as_mut() {
        let scroll = &mut open.log_scroll;
        match intent {
            Intent::Up => *scroll += 1,
            Intent::Down => *scroll = scroll.saturating_sub(1),
            Intent::PageUp => *scroll += 10,
            Intent::PageDown => *scroll = scroll.saturating_sub(10),
            Intent::First => *scroll = usize::MAX / 2,
            Intent::Last => *scroll = 0,
            _ => {}
        }
    }
    if state.incident.is_read_only() {
        return;
    }
    let Some(incident) = shown(state).cloned() else {
        if is_command(intent) {
            state.say(Level::Warning, S::IncidentGone.get(state.lang));
        }
        return;
    };
    let id = incident.id.clone();
    let step = current_step(&incident).cloned();
    let lang = state.lang;
    let cmd = match intent {
        Intent::Acknowledge => return acknowledge(state, &id, fx),
        Intent::EscalateNow => Command::EscalateNow { incident: id },
        Intent::Note => return edit(state, EditPurpose::Note { incident: id }),
        Intent::Resolve => return edit(state, EditPurpose::ResolveSummary { incident: id }),
        Intent::Close => return super::closing::ask(state, &id),
        Intent::UndoStep => match correct::undo(state, &incident) {
            Some(cmd) => cmd,
            None => return,
        },
        Intent::CorrectValue => return correct::start(state, &incident),
        Intent::LogCall => return call::start(state),
        Intent::CompleteStep | Intent::Choose(_) | Intent::EnterInput | Intent::Skip => {
            let Some(step) = step else {
                return state.say(Level::Info, S::NoCurrentStep.get(lang));
            };
            match step_command(state, intent, id, step) {
                Some(cmd) => cmd,
                None => return,
            }
        }
        _ => return,
    };
    let request = state.next_request_id();
    fx.extend(state.send(command(request, cmd)));
}

fn step_command(state: &mut State, intent: Intent, id: String, step: StepView) -> Option<Command> {
    let lang = state.lang;
    match intent {
        Intent::CompleteStep => Some(Command::CompleteStep {
            incident: id,
            step: step.id,
        }),
        Intent::Choose(n) => match step.choices.get(usize::from(n)) {
            Some(choice) => Some(Command::Choose {
                incident: id,
                step: step.id,
                choice: choice.id.clone(),
            }),
            None => {
                state.say(Level::Info, S::NoSuchChoice.get(lang));
                None
            }
        },
        Intent::EnterInput => {
            let input = step
                .inputs
                .iter()
                .find(|i| i.value.is_none())
                .or(step.inputs.first());
            match input {
                Some(input) => edit(
                    state,
                    EditPurpose::Input {
                        incident: id,
                        step: step.id.clone(),
                        input: input.id.clone(),
                    },
                ),
                None => state.say(Level::Info, S::NoInputs.get(lang)),
            }
            None
        }
        Intent::Skip => {
            if step.skippable {
                edit(
                    state,
                    EditPurpose::SkipReason {
                        incident: id,
                        step: step.id,
                    },
                );
            } else {
                state.say(Level::Info, S::NotSkippable.get(lang));
            }
            None
        }
        _ => None,
    }
}

fn is_command(intent: Intent) -> bool {
    matches!(
        intent,
        Intent::Acknowledge
            | Intent::CompleteStep
            | Intent::Choose(_)
            | Intent::EnterInput
            | Intent::Skip
            | Intent::UndoStep
            | Intent::CorrectValue
            | Intent::Note
            | Intent::EscalateNow
            | Intent::LogCall
            | Intent::Resolve
            | Intent::Close
    )
}

fn edit(state: &mut State, purpose: EditPurpose) {
    state.editor = Some(Editor {
        purpose,
        text: String::new(),
    });
}

/// Whether resolving `incident` takes a reason: its playbook's first step is still open.
pub fn reason_needed(state: &State, incident: &str) -> bool {
    state
        .incidents
        .get(incident)
        .and_then(|i| i.playbook.as_ref())
        .is_some_and(|p| p.first_step_open())
}

/// Sends what was typed for a note, a skip reason, an input value, a resolution summary or the
/// note on a phone call (which may be empty).
pub fn submit(state: &mut State, purpose: EditPurpose, text: String, fx: &mut Vec<Effect>) {
    let required = match &purpose {
        EditPurpose::ResolveSummary { incident } => reason_needed(state, incident),
        EditPurpose::PickValue { incident } => return correct::picked(state, incident, &text),
        EditPurpose::CallNote { .. } => false,
        _ => true,
    };
    if required && text.is_empty() {
        state.say(Level::Warning, S::TextRequired.get(state.lang));
        return;
    }
    let cmd = match purpose {
        EditPurpose::Note { incident } => Command::AddNote { incident, text },
        EditPurpose::SkipReason { incident, step } => Command::SkipStep {
            incident,
            step,
            reason: text,
        },
        EditPurpose::Input {
            incident,
            step,
            input,
        } => Command::RecordInput {
            incident,
            step,
            input,
            value: text,
        },
        EditPurpose::ResolveSummary { incident } => Command::Resolve {
            incident,
            summary: (!text.is_empty()).then_some(text),
        },
        EditPurpose::CallNote {
            incident,
            callee,
            outcome,
            ..
        } => Command::LogCall {
            incident,
            callee,
            outcome,
            note: (!text.is_empty()).then_some(text),
        },
        EditPurpose::HistorySearch
        | EditPurpose::PickValue { .. }
        | EditPurpose::IncomingId
        | EditPurpose::HandOverNote
        | EditPurpose::ConfirmHandOver { .. }
        | EditPurpose::PutOnTest
        | EditPurpose::Report
        | EditPurpose::RootCause { .. }
        | EditPurpose::Factor { .. }
        | EditPurpose::CorrectiveAction { .. } => return,
    };
    let request = state.next_request_id();
    fx.extend(state.send(command(request, cmd)));
}
