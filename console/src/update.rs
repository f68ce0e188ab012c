//! The one place actions change the state: `update(&mut State, Action) -> Vec<Effect>`.
//! Pure: no clock, no sockets, no terminal; the runtime carries out the returned effects.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::action::{Action, Cue, Effect, Intent, Screen};
use crate::outgoing::Outgoing;
use crate::screens::{
    alarm_strip, board, closing, drills, handover, history, incident, on_test, report, reports,
};
use crate::state::{EditPurpose, INFO_LIFETIME, Level, Link, Overlay, REPLY_TIMEOUT, State};
use crate::strings::{S, intent_help};
use crate::text;

/// The feed connection opened. On another hub than the last one the picture on screen is
/// that hub's no longer: nothing of it is trusted until the new hub's snapshot replaces it.
fn link_up(state: &mut State, at: time::OffsetDateTime, hub: Option<String>) {
    let moved = hub.is_some() && state.hub.is_some() && state.hub != hub;
    if moved && let Some(name) = &hub {
        state.feed.have_snapshot = false;
        let text = format!("{} {name}", S::MovedTo.get(state.lang));
        state.say(Level::Warning, text);
    }
    state.hub.clone_from(&hub);
    state.link = Link::Connected { since: at, hub };
    state.feed.live = false;
    state.feed.snapshot_on_link = false;
}

/// Applies one action and returns what the runtime must do because of it.
pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    let mut fx = Vec::new();
    match action {
        Action::Tick { now } => tick(state, now, &mut fx),
        Action::Resize { width, height } => state.size = (width, height),
        Action::Key(key) => key_pressed(state, key, &mut fx),
        Action::Intent(intent) => apply_intent(state, intent, &mut fx),
        Action::LinkUp { at, hub } => link_up(state, at, hub),
        Action::LinkDown {
            at,
            attempt,
            retry_in,
            reason,
            next,
        } => {
            let since = match &state.link {
                Link::Reconnecting { since, .. } => *since,
                Link::Connecting { since } if state.feed.last_seq == 0 => *since,
                _ => at,
            };
            state.feed.live = false;
            // The first failed attempt (after being up, or at start) and a final refusal sound:
            // alarms may be arriving that this console cannot show.
            if attempt == 1 || retry_in.is_none() {
                fx.push(Effect::Sound(Cue::LinkLost));
            }
            state.link = Link::Reconnecting {
                since,
                attempt,
                retry_in,
                reason,
                next,
            };
        }
        Action::Hub(message) => crate::feed::apply(state, *message, &mut fx),
        Action::NotSent { request, reason } => {
            state.pending.remove(&request);
            if state.handover.sent.as_deref() == Some(request.as_str()) {
                state.handover.sent = None;
            }
            let text = format!("{}: {reason}", S::NotSent.get(state.lang));
            state.say(Level::Error, text);
        }
        Action::HistoryLoaded(result) => history::loaded(state, result),
        Action::ShiftLoaded { since, incidents } => handover::shift_loaded(state, since, incidents),
        Action::LogLoaded { incident, loaded } => incident::log_loaded(state, &incident, loaded),
        Action::DrillsLoaded { version, drills } => {
            crate::feed::drills_loaded(state, version, drills)
        }
        Action::OnTestLoaded { version, on_test } => {
            crate::feed::on_test_loaded(state, version, on_test)
        }
        Action::ReviewsLoaded(result) => reports::reviews_loaded(state, result),
        Action::ReportLoaded { pane, text } => reports::report_loaded(state, pane, text),
        Action::ReviewSaved {
            incident,
            signed,
            result,
        } => reports::review_saved(state, incident, signed, result, &mut fx),
        Action::CalendarLoaded { year, calendar } => drills::loaded(state, year, calendar),
        Action::OverdueActionsLoaded(result) => drills::actions_loaded(state, result),
        Action::AudioReady { output } => state.audio = Some(output),
        Action::Unheard(cue) => fx.push(Effect::Sound(cue)),
    }
    annunciate(state, &mut fx);
    fx
}

fn tick(state: &mut State, now: time::OffsetDateTime, fx: &mut Vec<Effect>) {
    state.now = now;
    if let Some(m) = &state.message {
        if m.level == Level::Info && now - m.at > INFO_LIFETIME {
            state.message = None;
        }
    }
    let overdue: Vec<String> = state
        .pending
        .iter()
        .filter(|(_, p)| now - p.sent_at > REPLY_TIMEOUT)
        .map(|(id, _)| id.clone())
        .collect();
    for id in overdue {
        if let Some(p) = state.pending.remove(&id) {
            let text = format!(
                "{}: {}",
                S::NoAnswer.get(state.lang),
                describe(state, &p.outgoing)
            );
            state.say(Level::Warning, text);
        }
    }
    let _ = fx;
}

/// Sounds the alarm cycle when one is due.
pub(crate) fn annunciate(state: &mut State, fx: &mut Vec<Effect>) {
    let now = state.now;
    if let Some(cue) = state.annunciator.poll(&state.alarming(), now) {
        fx.push(Effect::Sound(cue));
    }
}

/// A short description of a command for the message bar, e.g. `acknowledge INC-0107`.
pub fn describe(state: &State, outgoing: &Outgoing) -> String {
    use alert_hub::protocol::Command::*;
    let lang = state.lang;
    let command = outgoing.command();
    let intent = match command {
        Acknowledge { .. } => Intent::Acknowledge,
        AddNote { .. } => Intent::Note,
        Resolve { .. } => Intent::Resolve,
        Close { .. } => Intent::Close,
        CompleteStep { .. } => Intent::CompleteStep,
        Choose { .. } => Intent::Choose(0),
        RecordInput { .. } => Intent::EnterInput,
        SkipStep { .. } => Intent::Skip,
        UndoStep { .. } => Intent::UndoStep,
        EscalateNow { .. } => Intent::EscalateNow,
        LogCall { .. } => Intent::LogCall,
        HandOver { .. } | ConfirmHandOver { .. } => return S::HandOver.get(lang).to_string(),
        OpenIncident { kind, location, .. } => {
            return format!(
                "{} {} {}",
                intent_help(Intent::Report, lang),
                crate::strings::kind_name(*kind, lang),
                location.site
            );
        }
        PutOnTest { source, device, .. } | EndTest { source, device } => {
            let intent = match command {
                PutOnTest { .. } => Intent::PutOnTest,
                _ => Intent::EndTest,
            };
            let device = device
                .as_ref()
                .map(|d| format!(" / {d}"))
                .unwrap_or_default();
            return format!("{} {source}{device}", intent_help(intent, lang));
        }
    };
    format!(
        "{} {}",
        intent_help(intent, lang),
        command.incident().unwrap_or_default()
    )
}

fn key_pressed(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    if key.kind == KeyEventKind::Release {
        return;
    }
    if state.editor.is_some() {
        edit(state, key, fx);
        return;
    }
    match state.overlay {
        Some(Overlay::Help) => state.overlay = None,
        Some(Overlay::ConfirmQuit) => {
            let intent = match key.code {
                KeyCode::Char('y' | 'Y') => Intent::ConfirmQuit,
                _ => Intent::CancelQuit,
            };
            apply_intent(state, intent, fx);
        }
        Some(Overlay::ConfirmEndTest) => {
            let intent = match key.code {
                KeyCode::Char('y' | 'Y') => Intent::ConfirmEndTest,
                _ => Intent::CancelEndTest,
            };
            apply_intent(state, intent, fx);
        }
        Some(Overlay::LogCall) => match key.code {
            KeyCode::Char(c) if c.is_ascii_digit() => {
                incident::call::digit(state, c.to_digit(10).map(|d| d as usize));
            }
            _ => incident::call::cancel(state),
        },
        Some(Overlay::ConfirmSignOff) => {
            let intent = match key.code {
                KeyCode::Char('y' | 'Y') => Intent::ConfirmSignOff,
                _ => Intent::CancelSignOff,
            };
            apply_intent(state, intent, fx);
        }
        Some(Overlay::ConfirmClose) => {
            let intent = match key.code {
                KeyCode::Char('y' | 'Y') => Intent::ConfirmClose,
                _ => Intent::CancelClose,
            };
            apply_intent(state, intent, fx);
        }
        None => {
            let read_only = state.read_only();
            if let Some(intent) = state.keymap.resolve(state.screen, read_only, &key) {
                apply_intent(state, intent, fx);
            }
        }
    }
}

fn edit(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(editor) = state.editor.as_mut() else {
        return;
    };
    let control = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => {
            let purpose = editor.purpose.clone();
            state.editor = None;
            if purpose == EditPurpose::HistorySearch {
                history::set_query(state, String::new());
            }
            return;
        }
        KeyCode::Enter => {
            if let Some(editor) = state.editor.take() {
                submit(state, editor.purpose, editor.text.trim().to_string(), fx);
            }
            return;
        }
        KeyCode::Backspace => {
            editor.text.pop();
        }
        KeyCode::Char('u') if control => editor.text.clear(),
        KeyCode::Char('c') if control => {
            state.editor = None;
            return;
        }
        KeyCode::Char(c) if !control => editor.text.push(c),
        _ => return,
    }
    if editor.purpose == EditPurpose::HistorySearch {
        let query = editor.text.clone();
        history::set_query(state, query);
    }
}

fn submit(state: &mut State, purpose: EditPurpose, text: String, fx: &mut Vec<Effect>) {
    match purpose {
        EditPurpose::HistorySearch => history::search(state, text, fx),
        EditPurpose::IncomingId
        | EditPurpose::HandOverNote
        | EditPurpose::ConfirmHandOver { .. } => handover::submit(state, purpose, text, fx),
        EditPurpose::PutOnTest => on_test::submit(state, &text, fx),
        EditPurpose::Report => report::submit(state, &text, fx),
        EditPurpose::RootCause { .. }
        | EditPurpose::Factor { .. }
        | EditPurpose::CorrectiveAction { .. } => reports::submit(state, purpose, text, fx),
        purpose => incident::submit(state, purpose, text, fx),
    }
}

/// Carries out an operator intent (what a key resolved to).
pub fn apply_intent(state: &mut State, intent: Intent, fx: &mut Vec<Effect>) {
    match intent {
        Intent::Quit => state.overlay = Some(Overlay::ConfirmQuit),
        Intent::ConfirmQuit => {
            state.overlay = None;
            state.quit = true;
            fx.push(Effect::Quit);
        }
        Intent::CancelQuit => state.overlay = None,
        Intent::ConfirmClose => closing::confirm(state, fx),
        Intent::JumpToAlarm => alarm_strip::jump(state, fx),
        Intent::Report => report::start(state),
        Intent::CancelClose => closing::cancel(state),
        Intent::ToggleHelp => {
            state.overlay = match state.overlay {
                Some(Overlay::Help) => None,
                _ => Some(Overlay::Help),
            }
        }
        Intent::ToggleLanguage => {
            state.lang = state.lang.toggled();
            if state.screen == Screen::Reports {
                reports::fetch_pane(state, fx);
            }
        }
        Intent::ToggleMute => toggle_mute(state, fx),
        Intent::Show(screen) => show(state, screen, fx),
        Intent::NextScreen => {
            let next = match state.screen {
                Screen::Board | Screen::Incident => Screen::History,
                Screen::History => Screen::HandOver,
                Screen::HandOver => Screen::OnTest,
                Screen::OnTest => Screen::Drills,
                Screen::Drills => Screen::Reports,
                Screen::Reports => Screen::Board,
            };
            show(state, next, fx);
        }
        Intent::Back => {
            let back = match state.screen {
                Screen::Incident => state.incident.came_from(),
                _ => Screen::Board,
            };
            state.screen = back;
        }
        other => match state.screen {
            Screen::Board => board::handle(state, other, fx),
            Screen::Incident => incident::handle(state, other, fx),
            Screen::History => history::handle(state, other, fx),
            Screen::HandOver => handover::handle(state, other, fx),
            Screen::OnTest => on_test::handle(state, other, fx),
            Screen::Reports => reports::handle(state, other, fx),
            Screen::Drills => drills::handle(state, other, fx),
        },
    }
}

fn show(state: &mut State, screen: Screen, fx: &mut Vec<Effect>) {
    if screen == Screen::Incident && !state.incident.is_open() {
        return;
    }
    match screen {
        Screen::History => history::entered(state, fx),
        Screen::HandOver => handover::entered(state, fx),
        Screen::Reports => reports::entered(state, fx),
        _ => {}
    }
    if screen == Screen::Drills {
        drills::entered(state, fx);
    }
    state.screen = screen;
}

fn toggle_mute(state: &mut State, fx: &mut Vec<Effect>) {
    if state.annunciator.muted_until(state.now).is_some() {
        state.annunciator.unmute();
        return;
    }
    state.annunciator.mute(&state.alarming(), state.now);
    fx.push(Effect::Silence);
    let until = state.now + crate::sound::MUTE_LIMIT;
    let text = format!(
        "{} → {}",
        S::Muted.get(state.lang),
        text::clock(until, state.offset)
    );
    state.say(Level::Info, text);
}
