//! Deadlines counted from the incident start, reported once by the clock.

use super::*;

#[test]
fn a_tick_reports_each_passed_deadline_once() {
    let run = given(&started());
    assert_eq!(
        run.handle(RunCommand::Tick, at(3)),
        Ok(vec![]),
        "due at 3m is not yet overdue at 3m"
    );
    let events = run.handle(RunCommand::Tick, at(6)).unwrap();
    let overdue = |step: &str, due: i64| RunEvent::StepOverdue {
        step: step.into(),
        due_at: at(due),
        at: at(6),
    };
    assert_eq!(events, vec![overdue("confirm", 3), overdue("call", 5)]);
    let run = given(&started_and(events));
    assert_eq!(run.handle(RunCommand::Tick, at(7)), Ok(vec![]));
    let overdue_now: Vec<&str> = run
        .overdue_steps(at(7))
        .iter()
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(overdue_now, ["confirm", "call"]);
}

#[test]
fn deadlines_behind_a_choice_not_taken_never_fall_due() {
    let run = given(&started_and(vec![chosen("confirm", "false", 2)]));
    let events = run.handle(RunCommand::Tick, at(30)).unwrap();
    assert_eq!(
        events,
        vec![RunEvent::StepOverdue {
            step: "reset".into(),
            due_at: at(10),
            at: at(30)
        }]
    );
}

#[test]
fn a_step_done_in_time_is_never_overdue() {
    let run = given(&started_and(vec![
        chosen("confirm", "real", 2),
        recorded("call", "called_at", "23:43", 3),
        completed("call", 4),
    ]));
    let events = run.handle(RunCommand::Tick, at(21)).unwrap();
    assert_eq!(
        events,
        vec![RunEvent::StepOverdue {
            step: "evacuate".into(),
            due_at: at(20),
            at: at(21)
        }]
    );
}
