//! `update` given / when / then: the records an operator reads and signs: the history screen
//! and the shift hand-over.

use alert_hub::protocol::{
    Bilingual, Command, ConsoleMessage, HandOverRecord, HandOverStatus, OverdueStep, RefusalCode,
    Reply,
};
use alert_hub::protocol::{EventKind, IncidentState};
use console::action::{Action, Effect, Intent, Screen};
use console::queries::IncidentRecord;
use console::sample::{self, T0};
use console::screens::handover::ShiftFetch;
use console::state::{EditPurpose, Level};
use console::strings::{Lang, S};
use console::update::update;
use ratatui::crossterm::event::KeyCode;
use time::Duration;

mod common;
use common::*;

// --- history --------------------------------------------------------------------------------------

#[test]
fn history_is_searched_as_typed_and_opens_read_only() {
    let mut state = live();
    intent(&mut state, Intent::Show(Screen::History));
    update(&mut state, Action::HistoryLoaded(Ok(sample::many(50, T0))));
    key(&mut state, KeyCode::Char('/'));
    for c in "east-lake".chars() {
        key(&mut state, KeyCode::Char(c));
    }
    assert_eq!(state.history.matches.len(), 10, "filtered while typing");
    key(&mut state, KeyCode::Enter);
    intent(&mut state, Intent::Down);
    intent(&mut state, Intent::Last);
    intent(&mut state, Intent::PageUp);
    intent(&mut state, Intent::PageDown);
    intent(&mut state, Intent::First);
    let fx = intent(&mut state, Intent::Open);
    assert_eq!(state.screen, Screen::Incident);
    assert!(state.read_only());
    assert!(matches!(&fx[..], [Effect::FetchLog(_)]));
    for c in ['a', 'c', 'n', 'r', 'e'] {
        let fx = key(&mut state, KeyCode::Char(c));
        assert!(
            sent(&fx).is_empty() && state.editor.is_none(),
            "{c} on a read-only incident"
        );
    }
    intent(&mut state, Intent::Acknowledge);
    assert!(state.pending.is_empty());
    key(&mut state, KeyCode::Esc);
    assert_eq!(state.screen, Screen::History);
    key(&mut state, KeyCode::Char('/'));
    key(&mut state, KeyCode::Esc);
    assert_eq!(state.history.matches.len(), 50, "Esc clears the search");
}

#[test]
fn a_past_incident_opens_with_its_finished_playbook_as_the_hub_has_it() {
    let mut state = live();
    intent(&mut state, Intent::Show(Screen::History));
    let summary = sample::incident("INC-0042", EventKind::FireAlarm, "green-garden");
    assert!(
        summary.playbook.is_none(),
        "the history list holds summaries"
    );
    update(&mut state, Action::HistoryLoaded(Ok(vec![summary.clone()])));
    let fx = intent(&mut state, Intent::Open);
    assert!(matches!(&fx[..], [Effect::FetchLog(id)] if id == "INC-0042"));
    assert!(!draw(&state, 100, 30).contains("Playbook: Fire alarm"));
    let mut full = sample::with_playbook(summary);
    full.state = IncidentState::Closed;
    update(
        &mut state,
        Action::LogLoaded {
            incident: "INC-0042".into(),
            loaded: Ok(Box::new(IncidentRecord {
                incident: full,
                log: vec![sample::note_entry(7, "INC-0042", "cause: dust from works")],
            })),
        },
    );
    let shown = draw(&state, 100, 30);
    assert!(shown.contains("Playbook: Fire alarm"), "{shown}");
    assert!(shown.contains("Send a guard to the scene"), "{shown}");
    assert!(shown.contains("cause: dust from works"), "{shown}");
}

#[test]
fn a_new_history_search_replaces_the_last_one() {
    let mut state = live();
    intent(&mut state, Intent::Show(Screen::History));
    update(&mut state, Action::HistoryLoaded(Ok(sample::many(50, T0))));
    key(&mut state, KeyCode::Char('/'));
    typed(&mut state, "east-lake");
    assert_eq!(state.history.query, "east-lake");
    key(&mut state, KeyCode::Char('/'));
    typed(&mut state, "river-view");
    assert_eq!(state.history.query, "river-view", "not east-lakeriver-view");
    assert!(!state.history.matches.is_empty());
}

#[test]
fn refresh_fetches_history_again() {
    let mut state = live();
    intent(&mut state, Intent::Show(Screen::History));
    update(&mut state, Action::HistoryLoaded(Ok(Vec::new())));
    assert!(
        intent(&mut state, Intent::Show(Screen::History)).is_empty(),
        "fetched once"
    );
    let fx = intent(&mut state, Intent::Refresh);
    assert!(matches!(fx[..], [Effect::FetchHistory(_)]), "{fx:?}");
    intent(&mut state, Intent::Search);
    assert_eq!(
        state.editor.as_ref().unwrap().purpose,
        EditPurpose::HistorySearch
    );
}

// --- hand-over -------------------------------------------------------------------------------------

#[test]
fn a_hand_over_names_another_operator_and_is_sent_with_its_note_and_what_is_open() {
    let mut state = live();
    state.now = T0 + Duration::minutes(4);
    intent(&mut state, Intent::Show(Screen::HandOver));
    intent(&mut state, Intent::SignHandOver);
    assert_eq!(
        state.message.as_ref().unwrap().text,
        S::HandOverNeedsIncoming.get(Lang::En)
    );
    intent(&mut state, Intent::EditIncoming);
    typed(&mut state, "op-zhang");
    intent(&mut state, Intent::SignHandOver);
    assert_eq!(
        state.message.as_ref().unwrap().text,
        S::HandOverSameOperator.get(Lang::En),
        "op-zhang is the operator signed in here"
    );
    key(&mut state, KeyCode::Char('i'));
    for _ in 0..8 {
        key(&mut state, KeyCode::Backspace);
    }
    typed(&mut state, "op-li");
    key(&mut state, KeyCode::Char('n'));
    typed(&mut state, "lift B2 still out of service");
    let fx = key(&mut state, KeyCode::Char('s'));
    let [Effect::Send(out)] = &fx[..] else {
        panic!("{fx:?}");
    };
    let Command::HandOver {
        incoming,
        note,
        at,
        open_incidents,
        overdue_steps,
    } = out.command()
    else {
        panic!("a hand-over: {out:?}");
    };
    assert_eq!(incoming, "op-li");
    assert_eq!(note, "lift B2 still out of service");
    assert_eq!(*at, state.now);
    assert_eq!(
        open_incidents,
        &["INC-0107", "INC-0099", "INC-0108", "INC-0090"],
        "in board order: every active real incident before the drill"
    );
    assert_eq!(
        overdue_steps,
        &[OverdueStep {
            incident: "INC-0107".into(),
            step: "confirm".into()
        }]
    );
    let request = out.request().to_string();
    assert_eq!(state.handover.sent.as_deref(), Some(request.as_str()));
    update(&mut state, hub(ConsoleMessage::Reply(ok(request))));
    assert_eq!(state.handover.sent, None);
    assert!(matches!(
        state.handover.result,
        Some(console::screens::handover::HandOverResult::Recorded(_))
    ));
}

fn ok(request: String) -> Reply {
    Reply {
        request,
        ok: true,
        error: None,
        message: None,
    }
}

/// A hand-over from op-li to `incoming`, awaiting confirmation.
fn awaiting(seq: u64, incoming: &str) -> HandOverRecord {
    HandOverRecord {
        seq,
        outgoing: "op-li".into(),
        incoming: incoming.into(),
        at: T0,
        note: "lift B2 still out of service".into(),
        open_incidents: vec!["INC-0107".into()],
        overdue_steps: vec![],
        status: HandOverStatus::Awaiting,
    }
}

#[test]
fn a_hand_over_to_this_operator_is_announced_and_confirmed_with_their_note() {
    let mut state = live();
    update(
        &mut state,
        hub(ConsoleMessage::HandOvers {
            handovers: vec![awaiting(1, "op-wang")],
        }),
    );
    assert_ne!(
        state.message.as_ref().map(|m| m.level),
        Some(Level::Warning),
        "a hand-over to someone else is not announced"
    );
    update(
        &mut state,
        hub(ConsoleMessage::HandOvers {
            handovers: vec![awaiting(1, "op-wang"), awaiting(2, "op-zhang")],
        }),
    );
    let said = state.message.as_ref().unwrap();
    assert_eq!(said.level, Level::Warning);
    assert!(
        said.text.contains("op-li hands the shift over to you"),
        "{}",
        said.text
    );

    intent(&mut state, Intent::Show(Screen::HandOver));
    key(&mut state, KeyCode::Char('c'));
    assert_eq!(
        state.editor.as_ref().unwrap().purpose,
        EditPurpose::ConfirmHandOver { seq: 2 }
    );
    let fx = typed(&mut state, "checked B2 myself");
    assert_eq!(
        sent(&fx),
        vec![Command::ConfirmHandOver {
            seq: 2,
            note: "checked B2 myself".into()
        }]
    );
    let Effect::Send(out) = &fx[0] else { panic!() };
    update(
        &mut state,
        hub(ConsoleMessage::Reply(ok(out.request().into()))),
    );
    assert_eq!(
        state.message.as_ref().unwrap().text,
        S::HandOverConfirmed.get(Lang::En)
    );
}

#[test]
fn confirming_with_no_hand_over_to_this_operator_says_so_and_sends_nothing() {
    let mut state = live();
    update(
        &mut state,
        hub(ConsoleMessage::HandOvers {
            handovers: vec![awaiting(1, "op-wang")],
        }),
    );
    intent(&mut state, Intent::Show(Screen::HandOver));
    let fx = key(&mut state, KeyCode::Char('c'));
    assert!(sent(&fx).is_empty());
    assert_eq!(state.editor, None);
    assert_eq!(
        state.message.as_ref().unwrap().text,
        S::NothingToConfirm.get(Lang::En)
    );
}

#[test]
fn a_refused_hand_over_shows_why() {
    let mut state = live();
    state.handover.incoming = "op-li".into();
    intent(&mut state, Intent::Show(Screen::HandOver));
    let fx = intent(&mut state, Intent::SignHandOver);
    let Effect::Send(out) = &fx[0] else { panic!() };
    let reply = Reply {
        request: out.request().into(),
        ok: false,
        error: Some(RefusalCode::BadCommand),
        message: Some(Bilingual {
            zh: "“op-li”不是本控制室的值班员。".into(),
            en: "\"op-li\" is not an operator of this control room.".into(),
        }),
    };
    update(
        &mut state,
        Action::Hub(Box::new(ConsoleMessage::Reply(reply))),
    );
    assert_eq!(
        state.handover.result,
        Some(console::screens::handover::HandOverResult::Refused(
            "\"op-li\" is not an operator of this control room.".into()
        ))
    );
    assert_eq!(state.message.as_ref().unwrap().level, Level::Error);
}

#[test]
fn the_hand_over_screen_shows_this_operators_own_shift_from_when_they_took_it_over() {
    let mut state = live();
    let me = state.operator_id().unwrap_or_default().to_string();
    let took_over = T0 - Duration::hours(7);
    let mut record = awaiting(4, &me);
    record.status = HandOverStatus::Confirmed {
        at: took_over,
        note: String::new(),
    };
    update(
        &mut state,
        hub(ConsoleMessage::HandOvers {
            handovers: vec![record],
        }),
    );
    let fx = intent(&mut state, Intent::Show(Screen::HandOver));
    assert_eq!(fx, vec![Effect::FetchShift { since: took_over }]);

    let mut before = sample::incident("INC-0001", EventKind::FireAlarm, "green-garden");
    before.opened_at = took_over - Duration::minutes(5);
    let mut mine = sample::incident("INC-0002", EventKind::FireAlarm, "green-garden");
    mine.opened_at = took_over + Duration::hours(1);
    mine.acknowledged_at = Some(mine.opened_at + Duration::seconds(21));
    mine.state = IncidentState::Closed;
    update(
        &mut state,
        Action::ShiftLoaded {
            since: took_over,
            incidents: Ok(vec![before, mine]),
        },
    );
    let ShiftFetch::Loaded(summary) = &state.handover.shift else {
        panic!("no shift summary: {:?}", state.handover.shift);
    };
    assert_eq!(
        summary.real_total(),
        1,
        "the incident before the shift is not counted"
    );
    assert_eq!(summary.closed, 1);
    assert_eq!(summary.ack_median, Some(Duration::seconds(21)));

    intent(&mut state, Intent::Show(Screen::Board));
    let again = intent(&mut state, Intent::Show(Screen::HandOver));
    assert_eq!(
        again,
        vec![Effect::FetchShift { since: took_over }],
        "shown again, the figures are fetched again"
    );
}

#[test]
fn a_shift_that_cannot_be_fetched_says_why() {
    let mut state = live();
    intent(&mut state, Intent::Show(Screen::HandOver));
    update(
        &mut state,
        Action::ShiftLoaded {
            since: T0,
            incidents: Err("the hub did not answer".into()),
        },
    );
    assert_eq!(
        state.handover.shift,
        ShiftFetch::Failed("the hub did not answer".into())
    );
}
