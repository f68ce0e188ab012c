//! Every bundled playbook walked to its end along every branch, each step done or skipped, by
//! routes generated from the playbook itself.

use super::*;

/// One way through a playbook: each step in order, with the choice taken there, if it branches.
type Route = Vec<(usize, Option<String>)>;

/// Every route from the first step to an end, one per combination of choices.
fn routes(playbook: &Playbook) -> Vec<Route> {
    fn extend(playbook: &Playbook, route: Route, at: usize, out: &mut Vec<Route>) {
        let step = &playbook.steps[at];
        let mut branches: Vec<(Option<String>, Option<&str>)> = Vec::new();
        match &step.flow {
            Flow::Next(id) => branches.push((None, Some(id))),
            Flow::End => branches.push((None, None)),
            Flow::Choices(choices) => branches.extend(
                choices
                    .iter()
                    .map(|c| (Some(c.id.clone()), c.next.as_deref())),
            ),
        }
        for (choice, next) in branches {
            let mut longer = route.clone();
            longer.push((at, choice));
            assert!(
                longer.len() <= playbook.steps.len(),
                "{}: a route longer than the playbook",
                playbook.id
            );
            match next {
                Some(id) => extend(playbook, longer, playbook.step_index(id).unwrap(), out),
                None => out.push(longer),
            }
        }
    }
    let mut out = Vec::new();
    extend(playbook, Vec::new(), 0, &mut out);
    out
}

fn sample(kind: InputKind) -> &'static str {
    match kind {
        InputKind::Number => "2",
        InputKind::Text => "recorded on the walk",
        InputKind::Time => "23:55",
    }
}

/// Walks `route` through a run, one minute per step, recording every input, and skipping the
/// skippable steps when `skip` is set. Returns the run and its log.
fn walk(playbook: &Playbook, route: &Route, skip: bool) -> (Run, Vec<RunEvent>) {
    let start = datetime!(2026-11-22 23:40 +08:00);
    let minute = |n: usize| start + Duration::minutes(n as i64);
    let actor = || "op-1".to_owned();
    let mut run = Run::new(playbook);
    let mut log = run
        .execute(
            RunCommand::Start {
                actor: actor(),
                incident_started_at: Some(start),
            },
            start,
        )
        .unwrap();
    for (n, (index, choice)) in route.iter().enumerate() {
        let step = &playbook.steps[*index];
        let now = minute(n + 1);
        assert_eq!(
            run.current_step().map(|s| &s.id),
            Some(&step.id),
            "{}",
            playbook.id
        );
        log.extend(run.execute(RunCommand::Tick, now).unwrap());
        let command = match choice {
            Some(choice) => RunCommand::Choose {
                actor: actor(),
                step: step.id.clone(),
                choice: choice.clone(),
            },
            None if skip && step.skippable => RunCommand::SkipStep {
                actor: actor(),
                step: step.id.clone(),
                reason: "not needed on this walk".into(),
            },
            None => {
                for input in &step.inputs {
                    let record = RunCommand::RecordInput {
                        actor: actor(),
                        step: step.id.clone(),
                        input: input.id.clone(),
                        value: sample(input.kind).into(),
                    };
                    log.extend(run.execute(record, now).unwrap());
                }
                RunCommand::CompleteStep {
                    actor: actor(),
                    step: step.id.clone(),
                }
            }
        };
        if choice.is_some() {
            for input in &step.inputs {
                let record = RunCommand::RecordInput {
                    actor: actor(),
                    step: step.id.clone(),
                    input: input.id.clone(),
                    value: sample(input.kind).into(),
                };
                log.extend(run.execute(record, now).unwrap());
            }
        }
        let events = run
            .execute(command, now)
            .unwrap_or_else(|error| panic!("{}: step {}: {error}", playbook.id, step.id));
        log.extend(events);
    }
    (run, log)
}

#[test]
fn every_bundled_playbook_can_be_walked_to_its_end_on_every_branch() {
    let library = bundled();
    let mut walked = 0;
    for playbook in library.playbooks() {
        let routes = routes(playbook);
        for route in &routes {
            for skip in [false, true] {
                let (run, log) = walk(playbook, route, skip);
                walked += 1;
                assert!(
                    run.is_finished(),
                    "{}: {route:?} did not finish",
                    playbook.id
                );
                assert!(matches!(log.last(), Some(RunEvent::RunFinished { .. })));
                let visited: Vec<usize> = run
                    .visited()
                    .map(|s| playbook.step_index(&s.id).unwrap())
                    .collect();
                let expected: Vec<usize> = route.iter().map(|(i, _)| *i).collect();
                assert_eq!(visited, expected, "{}", playbook.id);
                for (i, step) in playbook.steps.iter().enumerate() {
                    let status = run.status(&step.id).unwrap();
                    let taken = expected.contains(&i);
                    assert_eq!(
                        status == StepStatus::NotTaken,
                        !taken,
                        "{}.{}: {status:?}",
                        playbook.id,
                        step.id
                    );
                }
                let notified = log
                    .iter()
                    .filter(|e| matches!(e, RunEvent::NotificationRequested { .. }))
                    .count();
                assert!(notified >= 1, "{}: no notification requested", playbook.id);
                for event in &log {
                    if let RunEvent::StepOverdue { step, .. } = event {
                        assert!(playbook.step(step).unwrap().deadline.is_some());
                    }
                    let json = serde_json::to_string(event).unwrap();
                    assert_eq!(&serde_json::from_str::<RunEvent>(&json).unwrap(), event);
                }
                let overdue: Vec<&String> = log
                    .iter()
                    .filter_map(|e| match e {
                        RunEvent::StepOverdue { step, .. } => Some(step),
                        _ => None,
                    })
                    .collect();
                let mut unique = overdue.clone();
                unique.dedup();
                assert_eq!(
                    overdue.len(),
                    unique.len(),
                    "{}: a deadline reported twice",
                    playbook.id
                );
                assert_eq!(
                    Run::replay(playbook, &log),
                    run,
                    "{}: replay differs",
                    playbook.id
                );
            }
        }
    }
    assert!(walked >= 2 * library.playbooks().count());
}

#[test]
fn the_walk_generator_sees_every_choice() {
    let library = bundled();
    for playbook in library.playbooks() {
        let routes = routes(playbook);
        for step in &playbook.steps {
            for choice in step.choices() {
                assert!(
                    routes
                        .iter()
                        .any(|r| r.iter().any(|(_, c)| c.as_deref() == Some(&choice.id))),
                    "{}.{}.{} is never walked",
                    playbook.id,
                    step.id,
                    choice.id
                );
            }
        }
    }
}
