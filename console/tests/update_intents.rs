//! `update` given / when / then: the global intents, the board and the incident screen.

#![allow(clippy::expect_used)]

use alert_hub::protocol::{Bilingual, Command, EventKind, IncidentEvent, IncidentState};
use console::action::{Action, Effect, Intent, Screen};
use console::sample;
use console::state::{EditPurpose, Overlay, State};
use console::strings::{Lang, S};
use console::update::update;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

mod common;
use common::*;

// --- global intents ---------------------------------------------------------------------------

#[test]
fn quitting_needs_a_confirmation() {
    let mut state = live();
    key(&mut state, KeyCode::Char('q'));
    assert_eq!(state.overlay, Some(Overlay::ConfirmQuit));
    key(&mut state, KeyCode::Char('n'));
    assert_eq!(state.overlay, None);
    assert!(!state.quit);
    intent(&mut state, Intent::Quit);
    intent(&mut state, Intent::CancelQuit);
    assert_eq!(state.overlay, None);
    key(&mut state, KeyCode::Char('q'));
    let fx = key(&mut state, KeyCode::Char('y'));
    assert!(state.quit);
    assert_eq!(fx, [Effect::Quit]);
    let mut other = live();
    assert_eq!(intent(&mut other, Intent::ConfirmQuit), [Effect::Quit]);
}

#[test]
fn help_toggles_and_any_key_closes_it() {
    let mut state = live();
    key(&mut state, KeyCode::Char('?'));
    assert_eq!(state.overlay, Some(Overlay::Help));
    let fx = key(&mut state, KeyCode::Char('a'));
    assert_eq!(state.overlay, None);
    assert!(sent(&fx).is_empty(), "the key only closed the help");
    intent(&mut state, Intent::ToggleHelp);
    intent(&mut state, Intent::ToggleHelp);
    assert_eq!(state.overlay, None);
}

#[test]
fn the_language_toggles() {
    let mut state = live();
    intent(&mut state, Intent::ToggleLanguage);
    assert_eq!(state.lang, Lang::Zh);
}

#[test]
fn screens_are_shown_by_key_cycled_by_tab_and_left_by_esc() {
    let mut state = live();
    key(&mut state, KeyCode::F(4));
    assert_eq!(state.screen, Screen::OnTest);
    key(&mut state, KeyCode::F(3));
    assert_eq!(state.screen, Screen::HandOver);
    intent(&mut state, Intent::Show(Screen::Incident));
    assert_eq!(state.screen, Screen::HandOver, "no incident open yet");
    let order: Vec<Screen> = (0..6)
        .map(|_| {
            intent(&mut state, Intent::NextScreen);
            state.screen
        })
        .collect();
    assert_eq!(
        order,
        [
            Screen::OnTest,
            Screen::Drills,
            Screen::Reports,
            Screen::Board,
            Screen::History,
            Screen::HandOver
        ]
    );
    key(&mut state, KeyCode::Esc);
    assert_eq!(state.screen, Screen::Board);
    open_fire(&mut state);
    intent(&mut state, Intent::Show(Screen::Board));
    intent(&mut state, Intent::Show(Screen::Incident));
    assert_eq!(state.screen, Screen::Incident);
    intent(&mut state, Intent::Back);
    assert_eq!(state.screen, Screen::Board);
}

// --- the board ----------------------------------------------------------------------------------

#[test]
fn board_selection_moves_and_follows_its_incident() {
    let mut state = live();
    let at = |s: &State| console::screens::board::selected_index(s).unwrap();
    assert_eq!(
        state.board.selected.as_deref(),
        Some("INC-0107"),
        "most urgent first: the real P1 before the drill P1"
    );
    intent(&mut state, Intent::Down);
    assert_eq!(at(&state), 1);
    intent(&mut state, Intent::Last);
    assert_eq!(at(&state), 3);
    intent(&mut state, Intent::Down);
    assert_eq!(at(&state), 3, "stays on the last row");
    intent(&mut state, Intent::PageUp);
    assert_eq!(at(&state), 0);
    intent(&mut state, Intent::PageDown);
    assert_eq!(at(&state), 3);
    intent(&mut state, Intent::First);
    intent(&mut state, Intent::Down);
    intent(&mut state, Intent::Up);
    assert_eq!(at(&state), 0);
    intent(&mut state, Intent::Last);
    let chosen = state.board.selected.clone();
    let p2 = sample::incident("INC-0200", EventKind::AccessForced, "sunrise");
    update(
        &mut state,
        change(1204, p2, IncidentEvent::FlappingDetected { flap_count: 0 }),
    );
    assert_eq!(
        state.board.selected, chosen,
        "a lesser row above leaves the operator where they are"
    );
}

#[test]
fn a_new_unacknowledged_p1_on_top_takes_the_selection_from_a_lesser_incident() {
    let mut state = live();
    intent(&mut state, Intent::Last);
    assert_ne!(state.board.selected.as_deref(), Some("INC-0201"));
    let mut p1 = sample::incident("INC-0201", EventKind::FireAlarm, "sunrise");
    p1.opened_at -= time::Duration::hours(1);
    update(
        &mut state,
        change(1204, p1, IncidentEvent::FlappingDetected { flap_count: 0 }),
    );
    assert_eq!(
        state.board.selected.as_deref(),
        Some("INC-0201"),
        "the acknowledge key must take the new P1, not the row below it"
    );
}

#[test]
fn the_site_filter_cycles_through_the_sites_and_back_to_all() {
    let mut state = live();
    let mut seen = Vec::new();
    for _ in 0..4 {
        intent(&mut state, Intent::CycleSiteFilter);
        seen.push(state.incidents.site_filter().map(str::to_string));
    }
    assert_eq!(
        seen,
        [
            Some("east-lake".into()),
            Some("green-garden".into()),
            Some("river-view".into()),
            None
        ]
    );
}

#[test]
fn acknowledge_on_the_board_sends_for_the_selected_row_only_when_new() {
    let mut state = live();
    let fx = key(&mut state, KeyCode::Char('a'));
    assert_eq!(
        sent(&fx),
        [Command::Acknowledge {
            incident: "INC-0107".into()
        }]
    );
    state.board.selected = Some("INC-0099".into());
    let fx = intent(&mut state, Intent::Acknowledge);
    assert!(sent(&fx).is_empty());
    assert_eq!(
        state.message.as_ref().unwrap().text,
        S::AlreadyAcknowledged.get(Lang::En)
    );
}

#[test]
fn open_shows_the_incident_and_asks_for_its_full_log() {
    let mut state = live();
    let fx = key(&mut state, KeyCode::Enter);
    assert_eq!(state.screen, Screen::Incident);
    assert_eq!(fx, [Effect::FetchLog("INC-0107".into())]);
}

// --- the incident screen ------------------------------------------------------------------------

#[test]
fn each_incident_command_is_one_key() {
    let mut state = live();
    open_fire(&mut state);
    let fx = key(&mut state, KeyCode::Char('a'));
    assert_eq!(
        sent(&fx),
        [Command::Acknowledge {
            incident: "INC-0107".into()
        }]
    );
    let fx = key(&mut state, KeyCode::Char('c'));
    assert_eq!(
        sent(&fx),
        [Command::CompleteStep {
            incident: "INC-0107".into(),
            step: "confirm".into()
        }]
    );
    let fx = key(&mut state, KeyCode::Char('2'));
    assert_eq!(
        sent(&fx),
        [Command::Choose {
            incident: "INC-0107".into(),
            step: "confirm".into(),
            choice: "false".into()
        }]
    );
    let fx = key(&mut state, KeyCode::Char('e'));
    assert_eq!(
        sent(&fx),
        [Command::EscalateNow {
            incident: "INC-0107".into()
        }]
    );
    let requests: Vec<_> = state.pending.keys().cloned().collect();
    assert_eq!(requests.len(), 4, "each command has its own request id");
}

#[test]
fn choosing_a_missing_choice_says_so() {
    let mut state = live();
    open_fire(&mut state);
    let fx = intent(&mut state, Intent::Choose(5));
    assert!(sent(&fx).is_empty());
    assert_eq!(
        state.message.as_ref().unwrap().text,
        S::NoSuchChoice.get(Lang::En)
    );
}

#[test]
fn a_note_is_typed_then_sent_and_an_empty_one_is_not() {
    let mut state = live();
    open_fire(&mut state);
    key(&mut state, KeyCode::Char('n'));
    assert!(matches!(
        state.editor.as_ref().unwrap().purpose,
        EditPurpose::Note { .. }
    ));
    let fx = typed(&mut state, "guard on 7F");
    assert_eq!(
        sent(&fx),
        [Command::AddNote {
            incident: "INC-0107".into(),
            text: "guard on 7F".into()
        }]
    );
    assert!(state.editor.is_none());
    intent(&mut state, Intent::Note);
    let fx = typed(&mut state, "   ");
    assert!(sent(&fx).is_empty());
    assert_eq!(
        state.message.as_ref().unwrap().text,
        S::TextRequired.get(Lang::En)
    );
}

#[test]
fn the_editor_backspaces_clears_and_cancels() {
    let mut state = live();
    open_fire(&mut state);
    intent(&mut state, Intent::Note);
    for c in "abc".chars() {
        key(&mut state, KeyCode::Char(c));
    }
    key(&mut state, KeyCode::Backspace);
    assert_eq!(state.editor.as_ref().unwrap().text, "ab");
    update(
        &mut state,
        Action::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    assert_eq!(state.editor.as_ref().unwrap().text, "");
    key(&mut state, KeyCode::Char('q'));
    assert_eq!(state.overlay, None, "typed keys are text, not commands");
    let fx = key(&mut state, KeyCode::Esc);
    assert!(state.editor.is_none() && fx.is_empty());
}

#[test]
fn skipping_needs_a_skippable_step_and_a_reason() {
    let mut state = live();
    open_fire(&mut state);
    intent(&mut state, Intent::Skip);
    assert!(state.editor.is_none());
    assert_eq!(
        state.message.as_ref().unwrap().text,
        S::NotSkippable.get(Lang::En)
    );
    let mut fire = state.incidents.get("INC-0107").cloned().unwrap();
    fire.playbook.as_mut().unwrap().current = Some("call-119".into());
    update(
        &mut state,
        change(
            1204,
            fire,
            IncidentEvent::FlappingDetected { flap_count: 0 },
        ),
    );
    key(&mut state, KeyCode::Char('s'));
    let fx = typed(&mut state, "false alarm confirmed");
    assert_eq!(
        sent(&fx),
        [Command::SkipStep {
            incident: "INC-0107".into(),
            step: "call-119".into(),
            reason: "false alarm confirmed".into()
        }]
    );
}

#[test]
fn an_input_is_typed_for_the_current_step() {
    let mut state = live();
    open_fire(&mut state);
    intent(&mut state, Intent::EnterInput);
    assert_eq!(
        state.message.as_ref().unwrap().text,
        S::NoInputs.get(Lang::En)
    );
    let mut fire = state.incidents.get("INC-0107").cloned().unwrap();
    fire.playbook.as_mut().unwrap().current = Some("evacuate".into());
    update(
        &mut state,
        change(
            1204,
            fire,
            IncidentEvent::FlappingDetected { flap_count: 0 },
        ),
    );
    key(&mut state, KeyCode::Char('i'));
    let fx = typed(&mut state, "120");
    assert_eq!(
        sent(&fx),
        [Command::RecordInput {
            incident: "INC-0107".into(),
            step: "evacuate".into(),
            input: "people".into(),
            value: "120".into()
        }]
    );
}

#[test]
fn resolve_takes_an_optional_summary() {
    let mut state = live();
    open_fire(&mut state);
    key(&mut state, KeyCode::Char('r'));
    let fx = typed(&mut state, "");
    assert_eq!(
        sent(&fx),
        [Command::Resolve {
            incident: "INC-0107".into(),
            summary: None
        }]
    );
    intent(&mut state, Intent::Resolve);
    let fx = typed(&mut state, "false alarm, dust");
    assert_eq!(
        sent(&fx),
        [Command::Resolve {
            incident: "INC-0107".into(),
            summary: Some("false alarm, dust".into())
        }]
    );
}

#[test]
fn without_a_current_step_step_commands_say_so() {
    let mut state = live();
    state.board.selected = Some("INC-0099".into());
    intent(&mut state, Intent::Open);
    let fx = intent(&mut state, Intent::CompleteStep);
    assert!(sent(&fx).is_empty());
    assert_eq!(
        state.message.as_ref().unwrap().text,
        S::NoCurrentStep.get(Lang::En)
    );
}

#[test]
fn commands_on_a_closed_incident_say_it_is_gone() {
    let mut state = live();
    open_fire(&mut state);
    let mut fire = state.incidents.get("INC-0107").cloned().unwrap();
    fire.state = IncidentState::Closed;
    update(
        &mut state,
        change(
            1204,
            fire,
            IncidentEvent::Closed {
                operator: "a".into(),
                confirmed_by: None,
            },
        ),
    );
    let fx = intent(&mut state, Intent::EscalateNow);
    assert!(sent(&fx).is_empty());
    assert_eq!(
        state.message.as_ref().unwrap().text,
        S::IncidentGone.get(Lang::En)
    );
}

#[test]
fn the_log_scrolls_within_bounds() {
    let mut state = live();
    open_fire(&mut state);
    let scroll = |s: &State| s.incident.open.as_ref().unwrap().log_scroll;
    intent(&mut state, Intent::Up);
    intent(&mut state, Intent::PageUp);
    assert_eq!(scroll(&state), 11);
    intent(&mut state, Intent::Down);
    intent(&mut state, Intent::PageDown);
    assert_eq!(scroll(&state), 0);
    intent(&mut state, Intent::First);
    assert!(scroll(&state) > 1000);
    intent(&mut state, Intent::Last);
    assert_eq!(scroll(&state), 0);
}

#[test]
fn u_undoes_the_step_done_last_and_says_when_there_is_none() {
    let mut state = live();
    open_fire(&mut state);
    let fx = key(&mut state, KeyCode::Char('u'));
    assert_eq!(
        sent(&fx),
        [Command::UndoStep {
            incident: "INC-0107".into(),
            step: "guard".into()
        }]
    );
    let mut fire = state.incidents.get("INC-0107").cloned().unwrap();
    fire.playbook.as_mut().unwrap().last_done = None;
    update(
        &mut state,
        change(
            1204,
            fire,
            IncidentEvent::FlappingDetected { flap_count: 0 },
        ),
    );
    let fx = key(&mut state, KeyCode::Char('u'));
    assert!(sent(&fx).is_empty());
    assert_eq!(
        state.message.as_ref().unwrap().text,
        S::NothingToUndo.get(Lang::En)
    );
}

/// The fire incident with values recorded at two steps.
fn with_values(state: &mut State, values: &[(&str, &str)]) {
    let mut fire = state.incidents.get("INC-0107").cloned().expect("the fire");
    let steps = &mut fire.playbook.as_mut().expect("its playbook").steps;
    for (step, value) in values {
        let step = steps.iter_mut().find(|s| s.id == *step).expect("the step");
        step.inputs = vec![alert_hub::protocol::InputView {
            id: format!("{}-count", step.id),
            label: Bilingual {
                zh: format!("{}人数", step.id),
                en: format!("People at {}", step.id),
            },
            value: Some((*value).into()),
        }];
    }
    update(
        state,
        change(
            1204,
            fire,
            IncidentEvent::FlappingDetected { flap_count: 0 },
        ),
    );
}

#[test]
fn v_corrects_a_recorded_value_starting_from_what_it_holds() {
    let mut state = live();
    open_fire(&mut state);
    key(&mut state, KeyCode::Char('v'));
    assert_eq!(
        state.message.as_ref().unwrap().text,
        S::NothingRecorded.get(Lang::En)
    );
    with_values(&mut state, &[("guard", "2"), ("evacuate", "120")]);
    key(&mut state, KeyCode::Char('v'));
    let shown = draw(&state, 100, 30);
    assert!(
        shown.contains("1 People at guard = 2 · 2 People at evacuate = 120"),
        "the values are listed by number:\n{shown}"
    );
    typed(&mut state, "9");
    assert_eq!(
        state.message.as_ref().unwrap().text,
        S::NoSuchValue.get(Lang::En)
    );
    key(&mut state, KeyCode::Char('v'));
    typed(&mut state, "2");
    assert_eq!(
        state.editor.as_ref().unwrap().text,
        "120",
        "the editor starts from the value recorded"
    );
    key(&mut state, KeyCode::Backspace);
    let fx = typed(&mut state, "2");
    assert_eq!(
        sent(&fx),
        [Command::RecordInput {
            incident: "INC-0107".into(),
            step: "evacuate".into(),
            input: "evacuate-count".into(),
            value: "122".into()
        }]
    );
}
