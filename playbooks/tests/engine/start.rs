//! Starting a run, and what is refused before it starts.

use super::*;

#[test]
fn starting_begins_at_the_first_step_and_asks_for_its_tree() {
    let run = given(&[]);
    let events = run
        .handle(
            RunCommand::Start {
                actor: OPERATOR.into(),
                incident_started_at: Some(at(0)),
            },
            at(1),
        )
        .unwrap();
    assert_eq!(
        events,
        started_and(vec![RunEvent::NotificationRequested {
            step: "confirm".into(),
            tree: "fire-alarm".into(),
            action: NotifyAction::Start,
            at: at(1),
        }])
    );
    let run = given(&events);
    assert_eq!(current(&run), Some("confirm"));
    assert_eq!(run.incident_started_at(), Some(at(0)));
    assert_eq!(run.started(), Some((at(1), OPERATOR)));
}

#[test]
fn without_an_incident_start_deadlines_count_from_the_run_start() {
    let mut run = given(&[]);
    run.execute(
        RunCommand::Start {
            actor: OPERATOR.into(),
            incident_started_at: None,
        },
        at(2),
    )
    .unwrap();
    assert_eq!(run.incident_started_at(), Some(at(2)));
    assert_eq!(run.due_at(run.current_step().unwrap()), Some(at(5)));
}

#[test]
fn a_run_starts_once() {
    let run = given(&started());
    let refused = run.handle(
        RunCommand::Start {
            actor: OPERATOR.into(),
            incident_started_at: None,
        },
        at(2),
    );
    assert_eq!(refused, Err(RunError::AlreadyStarted));
}

#[test]
fn nothing_is_done_before_the_start() {
    let run = given(&[]);
    assert_eq!(
        run.handle(choose("confirm", "real"), at(1)),
        Err(RunError::NotStarted)
    );
    assert_eq!(
        run.handle(record("call", "called_at", "23:41"), at(1)),
        Err(RunError::NotStarted)
    );
    assert_eq!(run.handle(RunCommand::Tick, at(60)), Ok(vec![]));
}

#[test]
fn every_command_names_its_operator() {
    let run = given(&started());
    let refused = run.handle(
        RunCommand::Choose {
            actor: " ".into(),
            step: "confirm".into(),
            choice: "real".into(),
        },
        at(2),
    );
    assert_eq!(refused, Err(RunError::ActorRequired));
}
