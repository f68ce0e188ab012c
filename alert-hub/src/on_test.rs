//! Sources and devices on test (maintenance of a fire system) as a state machine: put on test
//! by a safety officer or an admin for at most eight hours with a reason; their events are
//! stored and shown, marked on test, but call nobody. The clock warns ten minutes before a test
//! expires and ends it at its expiry. Commands and the clock yield past-tense [`TestEvent`]s;
//! applying an event only changes state.

use std::collections::HashSet;

use time::{Duration, OffsetDateTime};

use crate::incident::Refusal;
use crate::protocol::{OnTestChange, OnTestView, RefusalCode};

/// The longest a test may last, in minutes.
pub const MAX_TEST_MINUTES: u32 = 8 * 60;

/// How long before its expiry the consoles are warned.
pub const WARN_BEFORE: Duration = Duration::minutes(10);

/// What a safety officer or an admin asks of the tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestCommand {
    /// Puts a source, or one device of it, on test for `minutes`, replacing a test of the same.
    Start {
        source: String,
        device: Option<String>,
        minutes: u32,
        reason: String,
        by: String,
    },
    /// Ends a test before its expiry.
    End {
        source: String,
        device: Option<String>,
        by: String,
    },
}

/// What happened to a test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestEvent {
    /// Started by `test.authorised_by`.
    TestStarted {
        test: OnTestView,
    },
    TestEnded {
        test: OnTestView,
        by: String,
    },
    /// The consoles were warned that the test ends within [`WARN_BEFORE`].
    TestWarned {
        test: OnTestView,
    },
    TestExpired {
        test: OnTestView,
    },
}

impl TestEvent {
    /// The change as the on-test log records it, with the test and who made it.
    pub fn record(&self) -> (OnTestChange, &OnTestView, Option<&str>) {
        match self {
            TestEvent::TestStarted { test } => {
                (OnTestChange::Started, test, Some(&test.authorised_by))
            }
            TestEvent::TestEnded { test, by } => (OnTestChange::Ended, test, Some(by)),
            TestEvent::TestWarned { test } => (OnTestChange::Warned, test, None),
            TestEvent::TestExpired { test } => (OnTestChange::Expired, test, None),
        }
    }
}

/// What is on test now, and which tests the consoles were warned about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnTest {
    tests: Vec<OnTestView>,
    warned: HashSet<(String, Option<String>)>,
}

fn same(test: &OnTestView, source: &str, device: Option<&str>) -> bool {
    test.source == source && test.device.as_deref() == device
}

impl OnTest {
    /// The tests as stored.
    pub fn new(tests: Vec<OnTestView>) -> Self {
        OnTest {
            tests,
            warned: HashSet::new(),
        }
    }

    pub fn tests(&self) -> &[OnTestView] {
        &self.tests
    }

    /// Whether an event of `device` from `source` comes from something on test at `now`.
    pub fn covers(&self, source: &str, device: &str, now: OffsetDateTime) -> bool {
        self.tests.iter().any(|t| {
            t.source == source && t.device.as_deref().is_none_or(|d| d == device) && now < t.until
        })
    }

    /// Checks a command at `now`; `is_source` says which sources the hub has.
    pub fn handle(
        &self,
        command: TestCommand,
        is_source: impl Fn(&str) -> bool,
        now: OffsetDateTime,
    ) -> Result<Vec<TestEvent>, Refusal> {
        match command {
            TestCommand::Start {
                source,
                device,
                minutes,
                reason,
                by,
            } => {
                if !is_source(&source) {
                    return Err(Refusal::new(
                        RefusalCode::BadCommand,
                        format!("本系统没有信号源“{source}”。"),
                        format!("There is no source \"{source}\" on this hub."),
                    ));
                }
                if !(1..=MAX_TEST_MINUTES).contains(&minutes) {
                    return Err(Refusal::new(
                        RefusalCode::BadCommand,
                        format!("测试时长为 1 到 {MAX_TEST_MINUTES} 分钟，不能是 {minutes} 分钟。"),
                        format!(
                            "A test lasts from 1 to {MAX_TEST_MINUTES} minutes, not {minutes}."
                        ),
                    ));
                }
                let reason = reason.trim();
                if reason.is_empty() {
                    return Err(Refusal::new(
                        RefusalCode::BadCommand,
                        "请说明测试原因（例如维保工单号）。",
                        "Say why the source goes on test (e.g. the maintenance work order).",
                    ));
                }
                let test = OnTestView {
                    source,
                    device: device
                        .map(|d| d.trim().to_string())
                        .filter(|d| !d.is_empty()),
                    authorised_by: by,
                    reason: reason.to_string(),
                    since: now,
                    until: now + Duration::minutes(i64::from(minutes)),
                };
                Ok(vec![TestEvent::TestStarted { test }])
            }
            TestCommand::End { source, device, by } => {
                let device = device.as_deref();
                let Some(test) = self.tests.iter().find(|t| same(t, &source, device)) else {
                    let what = device.map_or(source.clone(), |d| format!("{source} / {d}"));
                    return Err(Refusal::new(
                        RefusalCode::InvalidState,
                        format!("{what} 不在测试中。"),
                        format!("{what} is not on test."),
                    ));
                };
                Ok(vec![TestEvent::TestEnded {
                    test: test.clone(),
                    by,
                }])
            }
        }
    }

    /// What the clock makes happen by `now`: a warning for each test in its last ten minutes
    /// (once), then the end of each test that expired.
    pub fn tick(&self, now: OffsetDateTime) -> Vec<TestEvent> {
        let warn = self
            .tests
            .iter()
            .filter(|t| now >= t.until - WARN_BEFORE && now < t.until)
            .filter(|t| !self.warned.contains(&(t.source.clone(), t.device.clone())))
            .map(|t| TestEvent::TestWarned { test: t.clone() });
        let expired = self
            .tests
            .iter()
            .filter(|t| now >= t.until)
            .map(|t| TestEvent::TestExpired { test: t.clone() });
        warn.chain(expired).collect()
    }

    /// Changes state by one event. Cannot fail.
    pub fn apply(&mut self, event: &TestEvent) {
        let (_, test, _) = event.record();
        let key = (test.source.clone(), test.device.clone());
        let device = test.device.as_deref();
        match event {
            TestEvent::TestStarted { test } => {
                self.tests.retain(|t| !same(t, &test.source, device));
                self.warned.remove(&key);
                self.tests.push(test.clone());
            }
            TestEvent::TestWarned { .. } => {
                self.warned.insert(key);
            }
            TestEvent::TestEnded { test, .. } | TestEvent::TestExpired { test } => {
                self.tests.retain(|t| !same(t, &test.source, device));
                self.warned.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests;
