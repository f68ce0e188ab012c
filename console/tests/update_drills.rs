//! `update` given / when / then on the drills screen and the status line's nearest due drill:
//! when the calendar is asked for, where the screen scrolls, what a failed fetch says, and how
//! the days left follow the console's clock.
#![allow(clippy::expect_used)]

use alert_hub::protocol::{CalendarStatus, ConsoleMessage};
use console::action::{Action, Effect, Intent, Screen};
use console::sample::{self, T0};
use console::state::{Level, State};
use console::strings::{DrillText, Lang};
use console::update::update;
use ratatui::crossterm::event::KeyCode;
use time::Duration;

mod common;
use common::*;

fn loaded(state: &mut State) -> Vec<Effect> {
    let calendar = Ok(sample::calendar());
    update(
        state,
        Action::CalendarLoaded {
            year: 2026,
            calendar,
        },
    )
}

fn status_line(state: &State, width: u16) -> String {
    let text = draw(state, width, 24);
    text.lines().last().expect("a status line").to_string()
}

#[test]
fn f5_opens_the_drills_screen_and_asks_for_this_years_calendar() {
    let mut state = live();
    let fx = key(&mut state, KeyCode::F(5));
    assert_eq!(state.screen, Screen::Drills);
    assert_eq!(fx, [Effect::FetchCalendar { year: 2026 }]);
    assert_eq!(
        intent(&mut state, Intent::Refresh),
        [Effect::FetchCalendar { year: 2026 }],
        "g asks again"
    );
}

#[test]
fn the_calendar_opens_at_its_first_overdue_or_due_entry_and_scrolls_within_it() {
    let mut state = live();
    intent(&mut state, Intent::Show(Screen::Drills));
    loaded(&mut state);
    let first_open = 4;
    assert_eq!(state.calendar.items[first_open].entry.site, "river-view");
    assert_eq!(
        state.calendar.scroll, first_open,
        "done and cancelled ones above"
    );
    intent(&mut state, Intent::Up);
    assert_eq!(state.calendar.scroll, first_open - 1);
    intent(&mut state, Intent::Last);
    intent(&mut state, Intent::Down);
    assert_eq!(state.calendar.scroll, state.calendar.items.len() - 1);
    loaded(&mut state);
    assert_eq!(
        state.calendar.scroll,
        state.calendar.items.len() - 1,
        "a fresh copy of the same year keeps the place"
    );
}

#[test]
fn a_failed_fetch_says_why_on_the_drills_screen_and_keeps_the_calendar_it_had() {
    let mut state = live();
    intent(&mut state, Intent::Show(Screen::Drills));
    loaded(&mut state);
    let failed = Err("the hub at 127.0.0.1:7400 did not answer in time".to_string());
    update(
        &mut state,
        Action::CalendarLoaded {
            year: 2026,
            calendar: failed,
        },
    );
    let message = state.message.as_ref().expect("a message");
    assert_eq!(message.level, Level::Warning);
    assert!(
        message
            .text
            .starts_with(DrillText::CalendarUnknown.get(Lang::En)),
        "{}",
        message.text
    );
    assert!(message.text.contains("did not answer in time"));
    assert_eq!(state.calendar.items.len(), sample::calendar().len());

    let mut board = live();
    update(
        &mut board,
        Action::CalendarLoaded {
            year: 2026,
            calendar: Err("refused".into()),
        },
    );
    assert!(
        board.message.is_none(),
        "a fetch made for the status line does not interrupt the board"
    );
}

#[test]
fn a_drill_that_ends_gets_the_calendar_fetched_again() {
    let mut state = live();
    let fx = update(
        &mut state,
        hub(ConsoleMessage::DrillsChanged { drills: Vec::new() }),
    );
    assert!(fx.contains(&Effect::FetchCalendar { year: 2026 }), "{fx:?}");
}

#[test]
fn the_status_line_names_the_most_overdue_drill_first_in_both_languages() {
    let mut state = live();
    assert!(
        !status_line(&state, 160).contains("drill"),
        "no calendar yet"
    );
    loaded(&mut state);
    let line = status_line(&state, 160);
    assert!(
        line.contains("Q4 gas leak drill OVERDUE by 22 days"),
        "{line}"
    );
    state.lang = Lang::Zh;
    let line = status_line(&state, 80);
    assert!(line.contains("Q4 燃气泄漏演练 已逾期 22 天"), "{line}");
}

#[test]
fn the_nearest_due_drill_counts_down_with_the_consoles_clock() {
    let mut state = live();
    let mut calendar = sample::calendar();
    calendar.retain(|i| i.entry.site == "green-garden");
    update(
        &mut state,
        Action::CalendarLoaded {
            year: 2026,
            calendar: Ok(calendar.clone()),
        },
    );
    assert!(
        status_line(&state, 80).contains("Q4 first-aid training due in 8 days"),
        "{}",
        status_line(&state, 80)
    );
    update(
        &mut state,
        Action::Tick {
            now: T0 + Duration::days(8),
        },
    );
    assert!(status_line(&state, 80).contains("Q4 first-aid training due today"));
    update(
        &mut state,
        Action::Tick {
            now: T0 + Duration::days(9),
        },
    );
    assert!(status_line(&state, 80).contains("Q4 first-aid training OVERDUE by 1 day"));

    for item in &mut calendar {
        item.status = CalendarStatus::Done {
            drill: "drill-x".into(),
        };
    }
    let done = Ok(calendar);
    update(
        &mut state,
        Action::CalendarLoaded {
            year: 2026,
            calendar: done,
        },
    );
    let line = status_line(&state, 80);
    assert!(!line.contains("Q4"), "every drill done: none named: {line}");
}

#[test]
fn overdue_corrective_actions_are_kept_most_overdue_first_and_a_failed_fetch_keeps_them() {
    let mut state = live();
    let day = |d| time::Date::from_calendar_date(2026, time::Month::October, d).expect("a date");
    let actions = vec![
        sample::corrective_action("A2", "later", day(20), true),
        sample::corrective_action("A1", "earlier", day(5), true),
        sample::corrective_action("A3", "not yet due", day(30), false),
    ];
    update(&mut state, Action::OverdueActionsLoaded(Ok(actions)));
    let ids: Vec<&str> = state
        .calendar
        .overdue_actions
        .iter()
        .map(|a| a.action.id.as_str())
        .collect();
    assert_eq!(ids, ["A1", "A2"]);
    update(
        &mut state,
        Action::OverdueActionsLoaded(Err("the hub did not answer".into())),
    );
    assert_eq!(state.calendar.overdue_actions.len(), 2);
}

#[test]
fn a_drill_due_before_the_hub_kept_its_calendar_is_not_named_overdue() {
    let mut state = live();
    let mut calendar = sample::calendar();
    let kept_from = time::macros::date!(2026 - 11 - 01);
    for item in &mut calendar {
        let open = matches!(item.status, CalendarStatus::Due { .. });
        if open && item.entry.due < kept_from {
            item.status = CalendarStatus::BeforeRecords { kept_from };
        }
    }
    update(
        &mut state,
        Action::CalendarLoaded {
            year: 2026,
            calendar: Ok(calendar),
        },
    );
    let line = status_line(&state, 160);
    assert!(!line.contains("OVERDUE"), "{line}");
    assert!(
        line.contains("due in 8 days"),
        "the next due drill instead: {line}"
    );
    intent(&mut state, Intent::Show(Screen::Drills));
    let screen = draw(&state, 160, 48);
    assert!(
        screen.contains("no record (before the hub kept it)"),
        "{screen}"
    );
}
