//! Completing, choosing and skipping steps, and reaching an end.

use super::*;

#[test]
fn a_choice_takes_its_branch_and_leaves_the_other() {
    let run = given(&started());
    let events = run.handle(choose("confirm", "real"), at(2)).unwrap();
    assert_eq!(
        events,
        vec![
            chosen("confirm", "real", 2),
            RunEvent::NotificationRequested {
                step: "call".into(),
                tree: "fire-confirmed".into(),
                action: NotifyAction::Extend,
                at: at(2),
            },
        ]
    );
    let run = given(&started_and(events));
    assert_eq!(current(&run), Some("call"));
    assert_eq!(run.status("confirm"), Some(StepStatus::Done));
    assert_eq!(run.status("evacuate"), Some(StepStatus::Pending));
    assert_eq!(run.status("reset"), Some(StepStatus::NotTaken));
    assert_eq!(run.status("record"), Some(StepStatus::NotTaken));
    let left: Vec<&str> = run.remaining().iter().map(|s| s.id.as_str()).collect();
    assert_eq!(left, ["call", "evacuate"]);
}

#[test]
fn before_a_choice_both_branches_remain() {
    let run = given(&started());
    let left: Vec<&str> = run.remaining().iter().map(|s| s.id.as_str()).collect();
    assert_eq!(left, ["confirm", "call", "evacuate", "reset", "record"]);
}

#[test]
fn only_the_current_step_can_be_completed() {
    let run = given(&started());
    assert_eq!(
        run.handle(complete("reset"), at(2)),
        Err(RunError::NotCurrent {
            step: "reset".into(),
            current: "confirm".into()
        })
    );
}

#[test]
fn a_branching_step_is_done_by_choosing() {
    let run = given(&started());
    assert_eq!(
        run.handle(complete("confirm"), at(2)),
        Err(RunError::ChoiceRequired {
            step: "confirm".into(),
            choices: r#""real", "false""#.into()
        })
    );
}

#[test]
fn a_step_without_choices_refuses_a_choice() {
    let run = given(&started_and(vec![chosen("confirm", "false", 2)]));
    assert_eq!(
        run.handle(choose("reset", "real"), at(3)),
        Err(RunError::NoChoices {
            step: "reset".into()
        })
    );
}

#[test]
fn an_unknown_choice_is_refused() {
    let run = given(&started());
    assert_eq!(
        run.handle(choose("confirm", "maybe"), at(2)),
        Err(RunError::UnknownChoice {
            step: "confirm".into(),
            choice: "maybe".into(),
            choices: r#""real", "false""#.into(),
        })
    );
}

#[test]
fn an_unknown_step_is_refused() {
    let run = given(&started());
    assert_eq!(
        run.handle(complete("call-119x"), at(2)),
        Err(RunError::UnknownStep {
            playbook: "test-run".into(),
            step: "call-119x".into()
        })
    );
}

#[test]
fn a_skip_needs_a_skippable_step_and_a_reason() {
    let run = given(&started_and(vec![chosen("confirm", "real", 2)]));
    assert_eq!(
        run.handle(skip("call", "no phone"), at(3)),
        Err(RunError::NotSkippable {
            step: "call".into()
        })
    );
    let run = given(&started_and(
        [vec![chosen("confirm", "real", 2)], completed_call()].concat(),
    ));
    assert_eq!(
        run.handle(skip("evacuate", "  "), at(4)),
        Err(RunError::ReasonRequired {
            step: "evacuate".into()
        })
    );
    let events = run
        .handle(skip("evacuate", " fire out before spreading "), at(4))
        .unwrap();
    assert_eq!(
        events,
        vec![
            RunEvent::StepSkipped {
                step: "evacuate".into(),
                reason: "fire out before spreading".into(),
                by: OPERATOR.into(),
                at: at(4),
            },
            RunEvent::RunFinished { at: at(4) },
        ]
    );
    let run = given(&started_and(
        [vec![chosen("confirm", "real", 2)], completed_call(), events].concat(),
    ));
    assert_eq!(run.status("evacuate"), Some(StepStatus::Skipped));
    assert!(run.is_finished());
}

#[test]
fn reaching_an_end_finishes_the_run() {
    let run = given(&started_and(vec![
        chosen("confirm", "false", 2),
        completed("reset", 3),
        recorded("record", "cause", "steam", 4),
    ]));
    let events = run.handle(complete("record"), at(5)).unwrap();
    assert_eq!(
        events,
        vec![completed("record", 5), RunEvent::RunFinished { at: at(5) }]
    );
    let run = given(&started_and(
        vec![
            chosen("confirm", "false", 2),
            completed("reset", 3),
            recorded("record", "cause", "steam", 4),
        ]
        .into_iter()
        .chain(events)
        .collect(),
    ));
    assert!(run.is_finished());
    assert_eq!(run.finished_at(), Some(at(5)));
    assert_eq!(run.current_step(), None);
    assert!(run.remaining().is_empty());
    assert_eq!(run.status("call"), Some(StepStatus::NotTaken));
    let visited: Vec<&str> = run.visited().map(|s| s.id.as_str()).collect();
    assert_eq!(visited, ["confirm", "reset", "record"]);
}

#[test]
fn a_finished_run_refuses_steps_but_takes_late_records() {
    let history = started_and(vec![
        chosen("confirm", "false", 2),
        completed("reset", 3),
        recorded("record", "cause", "steam", 4),
        completed("record", 5),
        RunEvent::RunFinished { at: at(5) },
    ]);
    let run = given(&history);
    assert_eq!(
        run.handle(complete("record"), at(6)),
        Err(RunError::Finished)
    );
    assert_eq!(
        run.handle(record("record", "cause", "steam from the kitchen"), at(30)),
        Ok(vec![RunEvent::InputRecorded {
            step: "record".into(),
            input: "cause".into(),
            value: "steam from the kitchen".into(),
            previous: Some("steam".into()),
            by: OPERATOR.into(),
            at: at(30),
        }])
    );
    assert_eq!(run.handle(RunCommand::Tick, at(60)), Ok(vec![]));
}
