//! Taking back a mistaken step, and correcting a recorded value: both logged, neither erasing
//! what was done before.

use super::*;

#[test]
fn a_mistaken_choice_is_undone_and_the_step_is_current_again() {
    let run = given(&started_and(vec![chosen("confirm", "false", 2)]));
    assert_eq!(current(&run), Some("reset"));
    let events = run.handle(undo("confirm"), at(3)).unwrap();
    assert_eq!(
        events,
        vec![RunEvent::StepReopened {
            step: "confirm".into(),
            by: OPERATOR.into(),
            at: at(3),
        }]
    );
    let run = given(&started_and(
        [vec![chosen("confirm", "false", 2)], events].concat(),
    ));
    assert_eq!(current(&run), Some("confirm"));
    assert_eq!(run.status("confirm"), Some(StepStatus::Current));
    assert_eq!(run.status("reset"), Some(StepStatus::Pending));
    assert_eq!(
        run.progress("reset").unwrap().reached_at,
        None,
        "the step it had led to is no longer reached"
    );
    let events = run.handle(choose("confirm", "real"), at(4)).unwrap();
    assert_eq!(events[0], chosen("confirm", "real", 4));
}

#[test]
fn only_the_step_done_last_can_be_undone() {
    let run = given(&started_and(
        [vec![chosen("confirm", "real", 2)], completed_call()].concat(),
    ));
    assert_eq!(current(&run), Some("evacuate"));
    assert_eq!(
        run.handle(undo("confirm"), at(5)),
        Err(RunError::NotLastDone {
            step: "confirm".into(),
            last: "call".into()
        })
    );
    assert_eq!(
        run.handle(undo("evacuate"), at(5)),
        Err(RunError::NotLastDone {
            step: "evacuate".into(),
            last: "call".into()
        }),
        "the current step is not done"
    );
    assert!(run.handle(undo("call"), at(5)).is_ok());
    let fresh = given(&started());
    assert_eq!(
        fresh.handle(undo("confirm"), at(2)),
        Err(RunError::NotLastDone {
            step: "confirm".into(),
            last: "none".into()
        })
    );
}

#[test]
fn a_step_is_not_undone_once_work_was_recorded_at_the_next() {
    let run = given(&started_and(vec![
        chosen("confirm", "real", 2),
        recorded("call", "called_at", "23:43", 3),
    ]));
    assert_eq!(
        run.handle(undo("confirm"), at(4)),
        Err(RunError::WorkedOn {
            step: "confirm".into(),
            next: "call".into()
        })
    );
}

#[test]
fn undoing_the_last_step_of_a_finished_run_reopens_it() {
    let events = started_and(vec![
        chosen("confirm", "false", 2),
        completed("reset", 3),
        recorded("record", "cause", "dust", 4),
        completed("record", 4),
        RunEvent::RunFinished { at: at(4) },
    ]);
    let run = given(&events);
    assert!(run.is_finished());
    let undone = run.handle(undo("record"), at(6)).unwrap();
    let run = given(&[events, undone].concat());
    assert!(!run.is_finished());
    assert_eq!(current(&run), Some("record"));
    assert_eq!(
        run.input("record", "cause"),
        Some("dust"),
        "values are kept"
    );
}

#[test]
fn a_corrected_value_keeps_the_value_it_replaced() {
    let run = given(&started_and(
        [vec![chosen("confirm", "real", 2)], completed_call()].concat(),
    ));
    let events = run
        .handle(record("call", "called_at", "23:42"), at(9))
        .unwrap();
    assert_eq!(
        events,
        vec![RunEvent::InputRecorded {
            step: "call".into(),
            input: "called_at".into(),
            value: "23:42".into(),
            previous: Some("23:43".into()),
            by: OPERATOR.into(),
            at: at(9),
        }]
    );
    assert_eq!(
        run.handle(record("call", "called_at", "23:43"), at(9)),
        Err(RunError::Unchanged {
            step: "call".into(),
            input: "called_at".into(),
            value: "23:43".into()
        }),
        "recording the same value again is not a correction"
    );
}
