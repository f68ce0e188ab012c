//! `update` given / when / then on the on-test screen: the selection, putting a source or
//! device on test from the prompt, and ending the selected test early.

use alert_hub::protocol::{Bilingual, Command, ConsoleMessage, OnTestView, RefusalCode, Reply};
use console::action::{Action, Intent, Screen};
use console::sample::T0;
use console::state::{EditPurpose, Level, Overlay, State};
use console::strings::{Lang, S};
use console::update::update;
use ratatui::crossterm::event::KeyCode;
use time::Duration;

mod common;
use common::*;

fn on_test_screen() -> State {
    let mut state = live();
    intent(&mut state, Intent::Show(Screen::OnTest));
    state
}

fn entry(source: &str, device: Option<&str>, minutes: i64) -> OnTestView {
    OnTestView {
        source: source.into(),
        device: device.map(Into::into),
        authorised_by: "so-zhao".into(),
        reason: "maintenance".into(),
        since: T0,
        until: T0 + Duration::minutes(minutes),
    }
}

#[test]
fn the_on_test_list_is_sorted_by_expiry_and_the_selection_moves() {
    let mut state = on_test_screen();
    assert_eq!(state.on_test[0].source, "fp-river-view", "expires first");
    key(&mut state, KeyCode::Down);
    key(&mut state, KeyCode::Down);
    assert_eq!(state.on_test_screen.selected, 1, "stops at the last");
    key(&mut state, KeyCode::Up);
    assert_eq!(state.on_test_screen.selected, 0);
    intent(&mut state, Intent::PageDown);
    assert_eq!(state.on_test_screen.selected, 1);
    intent(&mut state, Intent::PageUp);
    intent(&mut state, Intent::Last);
    intent(&mut state, Intent::First);
    assert_eq!(state.on_test_screen.selected, 0);
}

#[test]
fn the_selection_follows_its_test_when_the_list_changes() {
    let mut state = on_test_screen();
    intent(&mut state, Intent::Last);
    assert_eq!(state.on_test[1].source, "acs-north-gate");
    let on_test = vec![
        entry("acs-north-gate", None, 120),
        entry("lift-gg-2", None, 5),
        entry("fp-river-view", Some("flow-switch-B1"), 7),
    ];
    update(&mut state, hub(ConsoleMessage::OnTestChanged { on_test }));
    assert_eq!(state.on_test_screen.selected, 2);
    assert_eq!(state.on_test[2].source, "acs-north-gate");
    let on_test = vec![entry("lift-gg-2", None, 5)];
    update(&mut state, hub(ConsoleMessage::OnTestChanged { on_test }));
    assert_eq!(state.on_test_screen.selected, 0, "gone: kept in range");
}

#[test]
fn n_opens_the_prompt_and_a_good_line_puts_a_device_on_test() {
    let mut state = on_test_screen();
    key(&mut state, KeyCode::Char('n'));
    assert_eq!(
        state.editor.as_ref().map(|e| &e.purpose),
        Some(&EditPurpose::PutOnTest)
    );
    let fx = typed(
        &mut state,
        "fp-river-view flow-switch-B2 45 sprinkler pump test",
    );
    assert_eq!(state.editor, None);
    assert_eq!(
        sent(&fx),
        [Command::PutOnTest {
            source: "fp-river-view".into(),
            device: Some("flow-switch-B2".into()),
            minutes: 45,
            reason: "sprinkler pump test".into(),
        }]
    );
    assert_eq!(state.pending.len(), 1, "the reply will be matched");
}

#[test]
fn a_bad_line_sends_nothing_and_says_what_is_wrong() {
    let mut state = on_test_screen();
    for (line, problem) in [
        ("acs-north-gate 600 firmware", S::OnTestMinutesRange),
        ("acs-north-gate 30", S::OnTestNoReason),
        ("acs-north-gate door-3 firmware", S::OnTestNoMinutes),
    ] {
        key(&mut state, KeyCode::Char('n'));
        let fx = typed(&mut state, line);
        assert!(sent(&fx).is_empty(), "{line}");
        let message = state.message.as_ref().unwrap();
        assert_eq!(message.level, Level::Warning);
        assert_eq!(message.text, problem.get(state.lang), "{line}");
    }
    assert!(state.pending.is_empty());
}

#[test]
fn x_ends_the_selected_test_after_a_y() {
    let mut state = on_test_screen();
    key(&mut state, KeyCode::Char('x'));
    assert_eq!(state.overlay, Some(Overlay::ConfirmEndTest));
    let fx = key(&mut state, KeyCode::Char('y'));
    assert_eq!(state.overlay, None);
    assert_eq!(
        sent(&fx),
        [Command::EndTest {
            source: "fp-river-view".into(),
            device: Some("flow-switch-B1".into()),
        }]
    );

    key(&mut state, KeyCode::Down);
    key(&mut state, KeyCode::Char('x'));
    let fx = key(&mut state, KeyCode::Char('y'));
    assert_eq!(
        sent(&fx),
        [Command::EndTest {
            source: "acs-north-gate".into(),
            device: None,
        }]
    );
}

#[test]
fn any_other_key_keeps_the_test_running() {
    let mut state = on_test_screen();
    key(&mut state, KeyCode::Char('x'));
    let fx = key(&mut state, KeyCode::Char('n'));
    assert!(sent(&fx).is_empty());
    assert_eq!(state.overlay, None);
    assert_eq!(state.on_test_screen.ending, None);
    assert_eq!(state.editor, None, "the n answered the question");
}

#[test]
fn the_test_confirmed_is_the_one_asked_about_even_if_the_list_moved() {
    let mut state = on_test_screen();
    key(&mut state, KeyCode::Char('x'));
    let on_test = vec![
        entry("lift-gg-2", None, 1),
        entry("acs-north-gate", None, 9),
    ];
    update(&mut state, hub(ConsoleMessage::OnTestChanged { on_test }));
    let fx = key(&mut state, KeyCode::Char('y'));
    assert_eq!(
        sent(&fx),
        [Command::EndTest {
            source: "fp-river-view".into(),
            device: Some("flow-switch-B1".into()),
        }]
    );
}

#[test]
fn ending_with_nothing_on_test_says_so() {
    let mut state = on_test_screen();
    update(
        &mut state,
        hub(ConsoleMessage::OnTestChanged { on_test: vec![] }),
    );
    let fx = key(&mut state, KeyCode::Char('x'));
    assert!(sent(&fx).is_empty());
    assert_eq!(state.overlay, None);
    assert_eq!(
        state.message.as_ref().unwrap().text,
        S::NoTestSelected.get(state.lang)
    );
}

#[test]
fn the_hubs_refusal_is_shown_with_the_test_named_in_the_operators_language() {
    for (lang, named, why) in [
        (
            Lang::En,
            "end test early fp-river-view / flow-switch-B1",
            "only a safety officer or admin may end a test",
        ),
        (
            Lang::Zh,
            "fp-river-view / flow-switch-B1",
            "只有安全主管或管理员可以结束测试",
        ),
    ] {
        let mut state = on_test_screen();
        state.lang = lang;
        key(&mut state, KeyCode::Char('x'));
        key(&mut state, KeyCode::Char('y'));
        let request = state.pending.keys().next().unwrap().clone();
        let reply = Reply {
            request,
            ok: false,
            error: Some(RefusalCode::NotPermitted),
            message: Some(Bilingual {
                zh: "只有安全主管或管理员可以结束测试".into(),
                en: "only a safety officer or admin may end a test".into(),
            }),
        };
        update(
            &mut state,
            Action::Hub(Box::new(ConsoleMessage::Reply(reply))),
        );
        let message = state.message.as_ref().unwrap();
        assert_eq!(message.level, Level::Error);
        assert!(message.text.contains(named), "{lang:?}: {}", message.text);
        assert!(message.text.contains(why), "{lang:?}: {}", message.text);
    }
}
