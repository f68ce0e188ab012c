//! Tests in the core: the on-test state machine's events logged with who made them, kept in
//! the store and announced to every console; a warning also goes out as a notice.

use time::OffsetDateTime;

use super::State;
use super::batch::Pending;
use crate::incident::Refusal;
use crate::on_test::{TestCommand, TestEvent};
use crate::protocol::{Bilingual, ConsoleMessage, OnTestChange, OnTestRecord};

impl State {
    /// Whether an event of `device` from `source` comes from something on test at `now`.
    pub(super) fn is_on_test(&self, source: &str, device: &str, now: OffsetDateTime) -> bool {
        self.on_test.covers(source, device, now)
    }

    /// Checks a test command and applies what it changes.
    pub(super) fn test_command(
        &mut self,
        command: TestCommand,
        now: OffsetDateTime,
        pending: &mut Pending,
    ) -> Result<(), Refusal> {
        let sources = &self.config.sources;
        let events = self
            .on_test
            .handle(command, |s| sources.contains_key(s), now)?;
        self.apply_tests(events, now, pending);
        Ok(())
    }

    /// Warns ten minutes before each expiry and ends the tests that expired.
    pub(super) fn supervise_tests(&mut self, now: OffsetDateTime, pending: &mut Pending) {
        let events = self.on_test.tick(now);
        self.apply_tests(events, now, pending);
    }

    /// Applies the events, then logs and announces each with the tests as they now stand.
    fn apply_tests(&mut self, events: Vec<TestEvent>, now: OffsetDateTime, pending: &mut Pending) {
        for event in &events {
            self.on_test.apply(event);
        }
        for event in &events {
            self.test_changed(event, now, pending);
        }
    }

    fn test_changed(&mut self, event: &TestEvent, now: OffsetDateTime, pending: &mut Pending) {
        let (change, test, by) = event.record();
        match event {
            TestEvent::TestStarted { test } => {
                let minutes = (test.until - test.since).whole_minutes();
                let (source, device) = (&test.source, &test.device);
                tracing::info!(%source, ?device, by = %test.authorised_by, minutes, "put on test");
            }
            TestEvent::TestEnded { test, by } => {
                let (source, device) = (&test.source, &test.device);
                tracing::info!(%source, ?device, by = %by, "test ended");
            }
            TestEvent::TestWarned { test } => {
                let what = test.device.clone().unwrap_or_else(|| test.source.clone());
                let text = Bilingual {
                    zh: format!("{what} 的测试将于10分钟内结束，之后报警将正常通知"),
                    en: format!(
                        "The test of {what} ends within 10 minutes; its alarms will call out again"
                    ),
                };
                self.announce(ConsoleMessage::Notice { text }, pending);
            }
            TestEvent::TestExpired { test } => {
                tracing::info!(source = %test.source, "test expired");
            }
        }
        let record = OnTestRecord {
            seq: self.next_test_record,
            change,
            test: test.clone(),
            by: by.map(str::to_string),
            at: now,
        };
        self.next_test_record += 1;
        pending.on_test_log.push(record);
        if change != OnTestChange::Warned {
            let on_test = self.on_test.tests().to_vec();
            pending.on_test = Some(on_test.clone());
            self.announce(ConsoleMessage::OnTestChanged { on_test }, pending);
        }
    }
}
