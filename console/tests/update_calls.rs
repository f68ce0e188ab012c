//! `update` given / when / then: logging a phone call from the incident screen, from the key
//! to the `log_call` command, and what a drill may not offer.
#![allow(clippy::expect_used)]

use alert_hub::protocol::{
    Bilingual, CallOutcome, CallView, Callee, Command, IncidentEvent, IncidentView, PhoneEntry,
};
use console::action::Screen;
use console::sample;
use console::screens::incident::call;
use console::state::{EditPurpose, Level, Overlay, State};
use console::strings::{Lang, S};
use console::update::update;
use ratatui::crossterm::event::KeyCode;

mod common;
use common::*;

/// The sample fire with its call to 119 as the current step, open on the incident screen.
fn calling_119() -> State {
    let mut state = live();
    let fire = state.incidents.get("INC-0107").cloned().expect("the fire");
    update(&mut state, change(1204, sample::at_call_119(fire), note()));
    open_fire(&mut state);
    state
}

fn note() -> IncidentEvent {
    IncidentEvent::NoteAdded {
        operator: "op-zhang".into(),
        text: "real fire".into(),
    }
}

fn log_call(callee: Callee, outcome: CallOutcome, note: Option<&str>) -> Command {
    Command::LogCall {
        incident: "INC-0107".into(),
        callee,
        outcome,
        note: note.map(str::to_string),
    }
}

#[test]
fn t_asks_whom_then_what_came_of_it_then_a_note_and_sends_the_call() {
    let mut state = calling_119();
    key(&mut state, KeyCode::Char('t'));
    assert_eq!(state.overlay, Some(Overlay::LogCall));
    let prompt = state.call.clone().expect("the prompt");
    let whom: Vec<&Callee> = prompt.choices.iter().map(|c| &c.callee).collect();
    assert_eq!(
        whom,
        [
            &Callee::Party("fire_brigade".into()),
            &Callee::Contact("site-manager".into())
        ],
        "the current step's party, then the level being called"
    );
    assert_eq!(prompt.choices[0].phone.as_deref(), Some("119"));
    key(&mut state, KeyCode::Char('1'));
    let fx = key(&mut state, KeyCode::Char('2'));
    assert!(sent(&fx).is_empty(), "the note comes first");
    assert_eq!(state.overlay, None);
    assert!(matches!(
        state.editor.as_ref().map(|e| &e.purpose),
        Some(EditPurpose::CallNote {
            outcome: CallOutcome::NoAnswer,
            ..
        })
    ));
    let fx = typed(&mut state, "rang 10 times");
    assert_eq!(
        sent(&fx),
        [log_call(
            Callee::Party("fire_brigade".into()),
            CallOutcome::NoAnswer,
            Some("rang 10 times")
        )]
    );
    assert_eq!(state.call, None);
}

#[test]
fn an_empty_note_sends_the_call_without_one() {
    let mut state = calling_119();
    key(&mut state, KeyCode::Char('t'));
    key(&mut state, KeyCode::Char('2'));
    key(&mut state, KeyCode::Char('1'));
    let fx = key(&mut state, KeyCode::Enter);
    assert_eq!(
        sent(&fx),
        [log_call(
            Callee::Contact("site-manager".into()),
            CallOutcome::Answered,
            None
        )]
    );
}

#[test]
fn the_prompt_says_when_an_answer_stops_the_call_out() {
    let mut state = calling_119();
    key(&mut state, KeyCode::Char('t'));
    let prompt = state.call.clone().expect("the prompt");
    assert!(
        !prompt.choices[0].acknowledges,
        "the fire brigade is no contact of the call-out"
    );
    assert!(
        prompt.choices[1].acknowledges,
        "level 1 has been called and is still escalating"
    );
}

#[test]
fn esc_or_another_key_cancels_and_a_digit_out_of_range_does_nothing() {
    let mut state = calling_119();
    key(&mut state, KeyCode::Char('t'));
    key(&mut state, KeyCode::Char('7'));
    assert_eq!(
        state.overlay,
        Some(Overlay::LogCall),
        "only two to choose from"
    );
    assert_eq!(state.call.as_ref().and_then(|c| c.picked), None);
    let fx = key(&mut state, KeyCode::Esc);
    assert_eq!((state.overlay, state.call.clone()), (None, None));
    assert!(sent(&fx).is_empty());
    assert_eq!(
        state.screen,
        Screen::Incident,
        "Esc left the prompt, not the screen"
    );
    key(&mut state, KeyCode::Char('t'));
    key(&mut state, KeyCode::Char('1'));
    key(&mut state, KeyCode::Char('x'));
    assert_eq!((state.overlay, state.call.clone()), (None, None));
    assert_eq!(state.editor, None);
}

/// A drill incident whose current step calls the lift company, as the hub sends it: the drill
/// control's contact in place of the company; and a party entry no hub would send in a drill.
fn drill_calling_the_lift_company(numbers: Vec<PhoneEntry>) -> IncidentView {
    let mut drill = sample::with_playbook(sample::incident(
        "INC-0108",
        alert_hub::protocol::EventKind::ElevatorEntrapment,
        "east-lake",
    ));
    drill.drill = Some(sample::DRILL_ID.into());
    drill.notifications = None;
    let playbook = drill.playbook.as_mut().expect("playbook");
    let current = playbook.current.clone().expect("a current step");
    let step = playbook
        .steps
        .iter_mut()
        .find(|s| s.id == current)
        .expect("the step");
    step.calls = vec![CallView {
        role: "elevator_maintenance".into(),
        name: Bilingual {
            zh: "电梯维保单位".into(),
            en: "Elevator maintenance company".into(),
        },
        outside: true,
        numbers,
    }];
    drill
}

fn open_drill(state: &mut State, drill: IncidentView) {
    update(state, change(1204, drill, note()));
    state.board.selected = Some("INC-0108".into());
    intent(state, console::action::Intent::Open);
}

#[test]
fn a_drill_never_offers_a_real_outside_party() {
    let mut state = live();
    let stand_in = PhoneEntry {
        callee: Callee::Contact("drill-zhao".into()),
        name: Some("Zhao Min 赵敏".into()),
        phone: Some("139 0000 0003".into()),
    };
    let company = PhoneEntry {
        callee: Callee::Party("elevator_maintenance".into()),
        name: Some("Otis".into()),
        phone: Some("400-820-0000".into()),
    };
    let drill = drill_calling_the_lift_company(vec![company.clone(), stand_in]);
    let view = &drill.playbook.as_ref().expect("playbook").steps;
    let line = view
        .iter()
        .flat_map(|s| s.calls.iter())
        .map(|c| call::party_text(c, true, Lang::En))
        .next()
        .expect("a call");
    assert!(line.contains("DRILL stand-in"), "{line}");
    open_drill(&mut state, drill);
    key(&mut state, KeyCode::Char('t'));
    let whom: Vec<Callee> = state
        .call
        .as_ref()
        .expect("the prompt")
        .choices
        .iter()
        .map(|c| c.callee.clone())
        .collect();
    assert_eq!(whom, [Callee::Contact("drill-zhao".into())]);
    assert_eq!(
        state.call.as_ref().map(|c| c.choices[0].party.as_str()),
        Some("Elevator maintenance company (DRILL stand-in)")
    );

    let mut state = live();
    open_drill(&mut state, drill_calling_the_lift_company(vec![company]));
    let fx = key(&mut state, KeyCode::Char('t'));
    assert!(sent(&fx).is_empty());
    assert_eq!(state.overlay, None);
    let message = state.message.clone().expect("a message");
    assert_eq!(
        (message.level, message.text.as_str()),
        (Level::Info, S::NobodyToCall.get(Lang::En))
    );
}

#[test]
fn an_incident_whose_step_and_levels_call_nobody_says_so() {
    let mut state = live();
    let mut fire = state.incidents.get("INC-0107").cloned().expect("the fire");
    fire.notifications = Some(alert_hub::protocol::NotificationsView::default());
    update(&mut state, change(1204, fire, note()));
    open_fire(&mut state);
    key(&mut state, KeyCode::Char('t'));
    assert_eq!(state.overlay, None);
    assert_eq!(
        state.message.as_ref().map(|m| m.text.as_str()),
        Some(S::NobodyToCall.get(Lang::En))
    );
}

#[test]
fn with_two_trees_running_each_level_says_whose_it_is() {
    let state = live();
    let mut fire = state.incidents.get("INC-0107").cloned().expect("the fire");
    let line_texts = |incident: &IncidentView| -> Vec<String> {
        call::level_lines(&state, incident, true)
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    };
    assert_eq!(
        line_texts(&fire)[0],
        "·L0 Security guard: Zhang Hao 张浩 138 0000 0005"
    );
    let notifications = fire.notifications.as_mut().expect("the call-out");
    let mut confirmed = notifications.levels[1].clone();
    confirmed.tree = "fire-confirmed".into();
    confirmed.level = 0;
    notifications.levels.push(confirmed);
    let lines = line_texts(&fire);
    assert_eq!(
        lines.first().map(String::as_str),
        Some("·fire-alarm L0 Security guard: Zhang Hao 张浩 138 0000 0005")
    );
    assert_eq!(
        lines.last().map(String::as_str),
        Some("·fire-confirmed L0 Duty manager: Wang Gang 王刚 139 0000 0002")
    );
}
