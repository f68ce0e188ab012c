//! What the screens mark beside their snapshots: the drill band's colour, flashing alarm
//! rows, the sound line, CJK alignment, overdue steps, wrapped failure reasons and prompts.

use console::action::{Action, Intent};
use console::sample::T0;
use console::screens::DRILL;
use console::sound::player::{BellReason, Output};
use console::state::State;
use console::strings::Lang;
use console::update::update;
use ratatui::style::Color;
use time::Duration;

mod common;
use common::{buffer, draw, intent, live, open_fire};

#[test]
fn the_bell_is_on_the_status_line_and_its_reason_in_the_help() {
    let mut state = live();
    let bell = Output::Bell(BellReason::PlayerFailed);
    update(&mut state, Action::AudioReady { output: bell });
    intent(&mut state, Intent::ToggleHelp);
    for (lang, short, full) in [
        (
            Lang::En,
            "sound: bell only",
            "sound: terminal bell (aplay failed)",
        ),
        (Lang::Zh, "声音：仅终端铃声", "声音：终端铃声（aplay 出错）"),
    ] {
        state.lang = lang;
        let text = draw(&state, 160, 48);
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[47].contains(short),
            "{lang:?} status line: {}",
            lines[47]
        );
        assert!(text.contains(full), "{lang:?} help: {text}");
    }
    update(
        &mut state,
        Action::AudioReady {
            output: Output::Aplay,
        },
    );
    state.lang = Lang::En;
    let text = draw(&state, 160, 48);
    assert!(!text.contains("bell"), "{text}");
    assert!(text.contains("sound: aplay"), "{text}");
}

#[test]
fn the_drill_band_is_magenta_and_used_for_nothing_else() {
    let state = live();
    let buf = buffer(&state, 160, 48);
    let magenta_rows: Vec<u16> = (0..48)
        .filter(|y| (0..160).any(|x| buf[(x, *y)].bg == Color::Magenta))
        .collect();
    // The banner (row 0) and the drill incident's row on the board, nothing else.
    let drill_row = (0..48).find(|y| {
        (0..160)
            .map(|x| buf[(x, *y)].symbol())
            .collect::<String>()
            .contains("INC-0108")
    });
    assert_eq!(DRILL.bg, Some(Color::Magenta));
    assert_eq!(magenta_rows.len(), 2, "{magenta_rows:?}");
    assert_eq!(magenta_rows[0], 0);
    assert_eq!(Some(magenta_rows[1]), drill_row, "the drill incident's row");
}

#[test]
fn unacknowledged_p1_rows_flash_on_the_timer() {
    let mut state = live();
    let row_bg = |state: &State| {
        let buf = buffer(state, 80, 24);
        let y = (0..24)
            .find(|y| {
                let line: String = (0..80).map(|x| buf[(x, *y)].symbol()).collect();
                line.contains("Fire alarm")
            })
            .unwrap();
        buf[(20, y)].bg
    };
    state.lang = Lang::En;
    let on = row_bg(&state);
    update(
        &mut state,
        Action::Tick {
            now: T0 + Duration::milliseconds(500),
        },
    );
    let off = row_bg(&state);
    update(
        &mut state,
        Action::Tick {
            now: T0 + Duration::milliseconds(1000),
        },
    );
    assert_eq!(on, Color::Red);
    assert_ne!(off, Color::Red);
    assert_eq!(row_bg(&state), Color::Red);
}

#[test]
fn cjk_rows_stay_aligned() {
    let mut state = live();
    state.lang = Lang::Zh;
    let text = draw(&state, 80, 24);
    assert!(text.contains("演练"));
    let widths: Vec<usize> = text
        .lines()
        .filter_map(|l| l.split('"').nth(1))
        .map(unicode_width::UnicodeWidthStr::width)
        .collect();
    assert!(widths.iter().all(|w| *w == 80), "{widths:?}");
}

#[test]
fn a_board_row_with_a_step_past_its_deadline_says_overdue() {
    let mut state = live();
    state.lang = Lang::En;
    let before = draw(&state, 160, 48);
    let fire_row = |text: &str| {
        text.lines()
            .find(|l| l.contains("INC-0107"))
            .map(str::to_string)
            .unwrap_or_default()
    };
    assert!(
        !fire_row(&before).contains("OVERDUE"),
        "{}",
        fire_row(&before)
    );
    update(
        &mut state,
        Action::Tick {
            now: T0 + Duration::minutes(4),
        },
    );
    let after = draw(&state, 160, 48);
    assert!(fire_row(&after).contains("OVERDUE"), "{}", fire_row(&after));
}

#[test]
fn a_long_failure_reason_wraps_in_the_notification_panel_instead_of_being_cut() {
    let mut state = live();
    state.lang = Lang::En;
    let mut fire = state.incidents.get("INC-0107").cloned().unwrap();
    let reason = "webhook http://10.0.0.5:8080/notify: connection refused after 3 attempts";
    if let Some(tree) = fire.notifications.as_mut() {
        let failed = tree
            .attempts
            .iter_mut()
            .find(|a| a.detail.is_some())
            .expect("a failed attempt in the sample");
        failed.detail = Some(alert_hub::protocol::Bilingual {
            zh: "网络回调 http://10.0.0.5:8080/notify：连接被拒绝（共尝试 3 次）".into(),
            en: reason.into(),
        });
    }
    state.incidents.upsert(fire);
    intent(&mut state, Intent::Open);
    let text = draw(&state, 80, 24);
    assert!(text.contains("connection refused after 3"), "{text}");
    assert!(text.contains("attempts"), "{text}");
    state.lang = Lang::Zh;
    let text = draw(&state, 80, 24);
    assert!(
        text.contains("连接被拒绝") && !text.contains("connection refused"),
        "the reason in the operator's language: {text}"
    );
}

#[test]
fn the_value_prompt_names_the_input_by_its_label() {
    let mut state = live();
    state.lang = Lang::En;
    open_fire(&mut state);
    state.editor = Some(console::state::Editor {
        purpose: console::state::EditPurpose::Input {
            incident: "INC-0107".into(),
            step: "evacuate".into(),
            input: "people".into(),
        },
        text: String::new(),
    });
    let text = draw(&state, 80, 24);
    assert!(text.contains("Value: People evacuated"), "{text}");
}
