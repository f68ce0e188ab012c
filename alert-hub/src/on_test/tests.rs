//! Given / when / then tests of the on-test state machine: no sockets, no clock.

use time::macros::datetime;

use super::*;

const T0: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);

fn given(events: &[TestEvent]) -> OnTest {
    let mut on_test = OnTest::default();
    for event in events {
        on_test.apply(event);
    }
    on_test
}

fn when(on_test: &OnTest, command: TestCommand) -> Result<Vec<TestEvent>, Refusal> {
    on_test.handle(command, |s| ["fp", "ac"].contains(&s), T0)
}

fn test(source: &str, minutes: i64) -> OnTestView {
    OnTestView {
        source: source.into(),
        device: None,
        authorised_by: "so-zhao".into(),
        reason: "detector replacement, work order 4711".into(),
        since: T0,
        until: T0 + Duration::minutes(minutes),
    }
}

fn start(source: &str, minutes: u32, reason: &str) -> TestCommand {
    TestCommand::Start {
        source: source.into(),
        device: None,
        minutes,
        reason: reason.into(),
        by: "so-zhao".into(),
    }
}

fn started(source: &str, minutes: i64) -> TestEvent {
    TestEvent::TestStarted {
        test: test(source, minutes),
    }
}

fn refused(result: Result<Vec<TestEvent>, Refusal>) -> RefusalCode {
    result.expect_err("refused").code
}

#[test]
fn a_known_source_goes_on_test_for_its_minutes_with_a_reason() {
    let events = when(
        &given(&[]),
        start("fp", 60, " detector replacement, work order 4711 "),
    );
    assert_eq!(events, Ok(vec![started("fp", 60)]));
    let on_test = given(&[started("fp", 60)]);
    assert!(on_test.covers("fp", "smoke-1", T0 + Duration::minutes(59)));
    assert!(!on_test.covers("fp", "smoke-1", T0 + Duration::minutes(60)));
    assert!(!on_test.covers("ac", "door-1", T0));
}

#[test]
fn an_unknown_source_a_bad_length_or_no_reason_is_refused() {
    let none = given(&[]);
    assert_eq!(
        refused(when(&none, start("xx", 60, "wo 1"))),
        RefusalCode::BadCommand
    );
    assert_eq!(
        refused(when(&none, start("fp", 0, "wo 1"))),
        RefusalCode::BadCommand
    );
    let too_long = start("fp", MAX_TEST_MINUTES + 1, "wo 1");
    assert_eq!(refused(when(&none, too_long)), RefusalCode::BadCommand);
    assert_eq!(
        refused(when(&none, start("fp", 60, "  "))),
        RefusalCode::BadCommand
    );
}

#[test]
fn a_test_ends_by_whoever_ends_it_and_only_when_it_runs() {
    let end = TestCommand::End {
        source: "fp".into(),
        device: None,
        by: "admin-wu".into(),
    };
    let ended = TestEvent::TestEnded {
        test: test("fp", 60),
        by: "admin-wu".into(),
    };
    assert_eq!(
        when(&given(&[started("fp", 60)]), end.clone()),
        Ok(vec![ended.clone()])
    );
    assert!(given(&[started("fp", 60), ended]).tests().is_empty());
    assert_eq!(refused(when(&given(&[]), end)), RefusalCode::InvalidState);
}

#[test]
fn a_test_is_warned_once_in_its_last_ten_minutes_and_expires_at_its_end() {
    let history = [started("fp", 60), started("ac", 120)];
    let on_test = given(&history);
    assert!(on_test.tick(T0 + Duration::minutes(49)).is_empty());
    let warned = TestEvent::TestWarned {
        test: test("fp", 60),
    };
    assert_eq!(
        on_test.tick(T0 + Duration::minutes(50)),
        vec![warned.clone()]
    );
    let on_test = given(&[started("fp", 60), started("ac", 120), warned]);
    assert!(
        on_test.tick(T0 + Duration::minutes(55)).is_empty(),
        "warned once"
    );
    let expired = TestEvent::TestExpired {
        test: test("fp", 60),
    };
    assert_eq!(on_test.tick(T0 + Duration::minutes(60)), vec![expired]);
}

#[test]
fn putting_the_same_source_on_test_again_replaces_its_test_and_its_warning() {
    let warned = TestEvent::TestWarned {
        test: test("fp", 60),
    };
    let on_test = given(&[started("fp", 60), warned, started("fp", 120)]);
    assert_eq!(on_test.tests(), [test("fp", 120)]);
    assert_eq!(
        on_test.tick(T0 + Duration::minutes(110)),
        vec![TestEvent::TestWarned {
            test: test("fp", 120)
        }]
    );
}
