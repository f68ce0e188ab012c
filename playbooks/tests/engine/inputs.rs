//! Recording values at steps.

use super::*;

#[test]
fn a_required_input_must_be_recorded_first() {
    let run = given(&started_and(vec![chosen("confirm", "real", 2)]));
    assert_eq!(
        run.handle(complete("call"), at(3)),
        Err(RunError::InputsMissing {
            step: "call".into(),
            inputs: r#""called_at""#.into()
        })
    );
    let run = given(&started_and(vec![
        chosen("confirm", "real", 2),
        recorded("call", "called_at", "23:43", 3),
    ]));
    assert_eq!(
        run.handle(complete("call"), at(3)),
        Ok(vec![completed("call", 3)])
    );
}

#[test]
fn inputs_are_checked_against_their_kind() {
    let run = given(&started_and(
        [vec![chosen("confirm", "real", 2)], completed_call()].concat(),
    ));
    let bad = |input: &str, value: &str| {
        run.handle(
            record(
                if input == "missing" {
                    "evacuate"
                } else {
                    "call"
                },
                input,
                value,
            ),
            at(4),
        )
    };
    assert!(matches!(
        bad("missing", "two"),
        Err(RunError::BadInput { .. })
    ));
    assert!(matches!(
        bad("missing", "NaN"),
        Err(RunError::BadInput { .. })
    ));
    assert!(matches!(
        bad("called_at", "25:00"),
        Err(RunError::BadInput { .. })
    ));
    assert!(matches!(
        bad("called_at", "soon"),
        Err(RunError::BadInput { .. })
    ));
    assert!(matches!(
        bad("called_at", " "),
        Err(RunError::BadInput { .. })
    ));
    assert_eq!(
        bad("missing", " 2 "),
        Ok(vec![recorded("evacuate", "missing", "2", 4)])
    );
    assert!(matches!(
        bad("called_at", "23:44"),
        Ok(events) if events[0] == RunEvent::InputRecorded {
            step: "call".into(),
            input: "called_at".into(),
            value: "23:44".into(),
            previous: Some("23:43".into()),
            by: OPERATOR.into(),
            at: at(4),
        }
    ));
    assert!(bad("called_at", "2026-11-22T23:43:00+08:00").is_ok());
    assert_eq!(
        run.handle(record("call", "nothing", "1"), at(4)),
        Err(RunError::UnknownInput {
            step: "call".into(),
            input: "nothing".into()
        })
    );
}

#[test]
fn nothing_is_recorded_for_a_step_not_yet_reached() {
    let run = given(&started());
    assert_eq!(
        run.handle(record("evacuate", "missing", "1"), at(2)),
        Err(RunError::NotReached {
            step: "evacuate".into()
        })
    );
}

#[test]
fn a_later_record_corrects_an_earlier_one() {
    let run = given(&started_and(
        [
            vec![chosen("confirm", "real", 2)],
            completed_call(),
            vec![recorded("call", "called_at", "23:42", 9)],
        ]
        .concat(),
    ));
    assert_eq!(run.input("call", "called_at"), Some("23:42"));
}
