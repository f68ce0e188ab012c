//! Shared givens for the `update` tests: a console live on the sample scene, key presses,
//! typed text and feed changes.
#![allow(dead_code)]

use alert_hub::protocol::{
    Actor, Change, Command, ConsoleMessage, IncidentEvent, IncidentState, IncidentView, LogEntry,
};
use console::action::{Action, Effect, Intent, Screen};
use console::config::DEFAULT_UTC_OFFSET;
use console::sample::{self, T0};
use console::state::State;
use console::strings::Lang;
use console::update::update;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub fn connected() -> State {
    let mut state = State::new(Lang::En, DEFAULT_UTC_OFFSET, T0);
    update(&mut state, Action::LinkUp { at: T0, hub: None });
    state
}

/// A live console showing the sample scene: the snapshot, the hub's `live` marker, then the
/// scene's changes.
pub fn live() -> State {
    let mut state = connected();
    update(&mut state, Action::Hub(Box::new(sample::scene())));
    let seq = state.feed.last_seq;
    update(&mut state, hub(ConsoleMessage::Live { seq }));
    for change in sample::scene_changes() {
        update(&mut state, Action::Hub(Box::new(change)));
    }
    assert!(state.is_live());
    state
}

/// A message from the hub.
pub fn hub(message: ConsoleMessage) -> Action {
    Action::Hub(Box::new(message))
}

pub fn intent(state: &mut State, intent: Intent) -> Vec<Effect> {
    update(state, Action::Intent(intent))
}

pub fn key(state: &mut State, code: KeyCode) -> Vec<Effect> {
    update(state, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub fn typed(state: &mut State, text: &str) -> Vec<Effect> {
    for c in text.chars() {
        key(state, KeyCode::Char(c));
    }
    key(state, KeyCode::Enter)
}

pub fn sent(effects: &[Effect]) -> Vec<Command> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(out) => Some(out.command().clone()),
            _ => None,
        })
        .collect()
}

pub fn change(seq: u64, incident: IncidentView, event: IncidentEvent) -> Action {
    Action::Hub(Box::new(ConsoleMessage::Change {
        seq,
        change: Box::new(Change {
            entry: LogEntry {
                seq,
                incident: incident.id.clone(),
                at: T0,
                actor: Actor::Hub,
                event,
            },
            incident,
        }),
    }))
}

pub fn acked(mut incident: IncidentView) -> IncidentView {
    incident.state = IncidentState::Acknowledged;
    incident.owner = Some("op-zhang".into());
    incident
}

pub fn open_fire(state: &mut State) {
    state.board.selected = Some("INC-0107".into());
    intent(state, Intent::Open);
    assert_eq!(state.screen, Screen::Incident);
}

/// Acknowledges the sample scene's two P1s (the fire and the drill entrapment) as feed changes
/// 1204 and 1205, so nothing sounds.
pub fn acknowledge_scene_p1s(state: &mut State) {
    for (seq, id) in [(1204, "INC-0107"), (1205, "INC-0108")] {
        let Some(incident) = state.incidents.get(id).cloned() else {
            panic!("{id} is in the sample scene");
        };
        let ack = IncidentEvent::Acknowledged {
            operator: "op-li".into(),
        };
        update(state, change(seq, acked(incident), ack));
    }
}

/// The screen as text, drawn at `width` × `height`.
/// The cells `state` draws into a `width`×`height` terminal, with their colours.
pub fn buffer(state: &State, width: u16, height: u16) -> ratatui::buffer::Buffer {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height))
        .expect("a test terminal");
    terminal
        .draw(|frame| console::screens::render(frame, state))
        .expect("drawn");
    terminal.backend().buffer().clone()
}

pub fn draw(state: &State, width: u16, height: u16) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height))
        .expect("a test terminal");
    terminal
        .draw(|frame| console::screens::render(frame, state))
        .expect("drawn");
    terminal.backend().to_string()
}
