//! Frame time of the alarm board with 10,000 and 100,000 open incidents, drawn into a
//! `TestBackend`, plus the cost of applying one change (where the sorting happens).
//! Run with `cargo bench -p console`; prints milliseconds per frame (target: under 2 ms).

use std::time::{Duration, Instant};

use alert_hub::protocol::{Actor, Change, ConsoleMessage, IncidentEvent, IncidentState, LogEntry};
use console::action::{Action, Intent};
use console::sample::{self, T0};
use console::screens::render;
use console::state::State;
use console::strings::Lang;
use console::update::update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const TARGET_MS: f64 = 2.0;

fn board(n: usize) -> State {
    let mut state = State::new(Lang::Zh, console::config::DEFAULT_UTC_OFFSET, T0);
    update(&mut state, Action::LinkUp { at: T0, hub: None });
    let snapshot = ConsoleMessage::Snapshot {
        seq: 1,
        operator: sample::operator(),
        incidents: sample::many(n, T0),
        on_test: Vec::new(),
        drills: Vec::new(),
    };
    update(&mut state, Action::Hub(Box::new(snapshot)));
    update(
        &mut state,
        Action::Hub(Box::new(ConsoleMessage::Live { seq: 1 })),
    );
    state
}

/// Mean milliseconds per frame over enough frames to take about half a second.
fn frame_ms(state: &State, width: u16, height: u16) -> f64 {
    let mut terminal = match Terminal::new(TestBackend::new(width, height)) {
        Ok(t) => t,
        Err(e) => match e {},
    };
    let mut draw = || {
        let _ = terminal.draw(|frame| render(frame, state));
    };
    for _ in 0..20 {
        draw();
    }
    let mut frames = 0u32;
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(500) || frames < 50 {
        draw();
        frames += 1;
    }
    start.elapsed().as_secs_f64() * 1000.0 / f64::from(frames)
}

/// Mean milliseconds to apply one change that moves a row (acknowledging re-sorts it).
fn change_ms(state: &mut State) -> f64 {
    let ids: Vec<String> = state
        .incidents
        .in_board_order()
        .iter()
        .step_by(97)
        .take(200)
        .map(|k| k.id.clone())
        .collect();
    let start = Instant::now();
    for (n, id) in ids.iter().enumerate() {
        let Some(mut incident) = state.incidents.get(id).cloned() else {
            continue;
        };
        incident.state = match incident.state {
            IncidentState::New => IncidentState::Acknowledged,
            _ => IncidentState::InProgress,
        };
        let seq = state.feed.last_seq + 1;
        let change = ConsoleMessage::Change {
            seq,
            change: Box::new(Change {
                entry: LogEntry {
                    seq,
                    incident: id.clone(),
                    at: T0,
                    actor: Actor::Hub,
                    event: IncidentEvent::Acknowledged {
                        operator: format!("op-{n}"),
                    },
                },
                incident,
            }),
        };
        update(state, Action::Hub(Box::new(change)));
    }
    start.elapsed().as_secs_f64() * 1000.0 / ids.len().max(1) as f64
}

fn main() {
    println!("alarm board frame time (TestBackend; target < {TARGET_MS} ms)");
    let mut worst: f64 = 0.0;
    for n in [10_000, 100_000] {
        let built = Instant::now();
        let mut state = board(n);
        let build_ms = built.elapsed().as_secs_f64() * 1000.0;
        for (w, h) in [(80, 24), (160, 48)] {
            let top = frame_ms(&state, w, h);
            update(&mut state, Action::Intent(Intent::Last));
            let bottom = frame_ms(&state, w, h);
            update(&mut state, Action::Intent(Intent::First));
            worst = worst.max(top).max(bottom);
            println!(
                "  {n:>7} incidents {w:>3}x{h:<2}: {top:.3} ms/frame at the top, {bottom:.3} ms/frame at the end"
            );
        }
        update(&mut state, Action::Intent(Intent::CycleSiteFilter));
        let filtered = frame_ms(&state, 160, 48);
        worst = worst.max(filtered);
        println!("  {n:>7} incidents 160x48, one site shown: {filtered:.3} ms/frame");
        let per_change = change_ms(&mut state);
        println!(
            "  {n:>7} incidents: snapshot applied in {build_ms:.1} ms, one re-sorting change {per_change:.3} ms"
        );
    }
    let verdict = if worst < TARGET_MS { "within" } else { "OVER" };
    println!("worst frame {worst:.3} ms: {verdict} the {TARGET_MS} ms target");
}
