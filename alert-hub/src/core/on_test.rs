//! Sources and devices on test (maintenance of a fire system): put on test by a safety officer
//! or an admin for at most eight hours with a reason; their events are stored and shown, marked
//! on test, but call nobody. The consoles are warned ten minutes before a test expires, and it
//! ends by itself at its expiry. Every change is kept with who made it.

use std::collections::HashSet;

use time::{Duration, OffsetDateTime};

use super::State;
use super::batch::Pending;
use crate::incident::Refusal;
use crate::protocol::{
    Bilingual, ConsoleMessage, OnTestChange, OnTestRecord, OnTestView, OperatorInfo, RefusalCode,
};

/// The longest a test may last, in minutes.
pub const MAX_TEST_MINUTES: u32 = 8 * 60;

/// How long before its expiry the consoles are warned.
pub const WARN_BEFORE: Duration = Duration::minutes(10);

/// What a safety officer asks to put on test.
#[derive(Debug, Clone, Copy)]
pub struct TestRequest<'a> {
    pub source: &'a str,
    pub device: Option<&'a str>,
    pub minutes: u32,
    pub reason: &'a str,
}

/// The tests to warn about now (in their last ten minutes, not yet warned) and the tests that
/// have expired by `now`.
pub fn due(
    tests: &[OnTestView],
    warned: &HashSet<(String, Option<String>)>,
    now: OffsetDateTime,
) -> (Vec<OnTestView>, Vec<OnTestView>) {
    let warn = tests
        .iter()
        .filter(|t| now >= t.until - WARN_BEFORE && now < t.until)
        .filter(|t| !warned.contains(&(t.source.clone(), t.device.clone())))
        .cloned()
        .collect();
    let expired = tests.iter().filter(|t| now >= t.until).cloned().collect();
    (warn, expired)
}

fn same(test: &OnTestView, source: &str, device: Option<&str>) -> bool {
    test.source == source && test.device.as_deref() == device
}

impl State {
    /// Whether an event of `device` from `source` comes from something on test at `now`.
    pub(super) fn is_on_test(&self, source: &str, device: &str, now: OffsetDateTime) -> bool {
        self.on_test.iter().any(|t| {
            t.source == source && t.device.as_deref().is_none_or(|d| d == device) && now < t.until
        })
    }

    pub(super) fn put_on_test(
        &mut self,
        operator: &OperatorInfo,
        request: TestRequest<'_>,
        now: OffsetDateTime,
        pending: &mut Pending,
    ) -> Result<(), Refusal> {
        let TestRequest {
            source,
            device,
            minutes,
            reason,
        } = request;
        if !self.config.sources.contains_key(source) {
            let m = format!("There is no source \"{source}\" on this hub.");
            return Err(Refusal::new(RefusalCode::BadCommand, m));
        }
        if !(1..=MAX_TEST_MINUTES).contains(&minutes) {
            let m = format!("A test lasts from 1 to {MAX_TEST_MINUTES} minutes, not {minutes}.");
            return Err(Refusal::new(RefusalCode::BadCommand, m));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            let m = "Say why the source goes on test (e.g. the maintenance work order).";
            return Err(Refusal::new(RefusalCode::BadCommand, m));
        }
        let device = device.map(str::trim).filter(|d| !d.is_empty());
        let test = OnTestView {
            source: source.to_string(),
            device: device.map(str::to_string),
            authorised_by: operator.id.clone(),
            reason: reason.to_string(),
            since: now,
            until: now + Duration::minutes(i64::from(minutes)),
        };
        self.on_test.retain(|t| !same(t, source, device));
        self.warned
            .retain(|(s, d)| !(s == source && d.as_deref() == device));
        self.on_test.push(test.clone());
        tracing::info!(source, ?device, by = %operator.id, minutes, "put on test");
        self.test_changed(
            OnTestChange::Started,
            test,
            Some(&operator.id),
            now,
            pending,
        );
        Ok(())
    }

    pub(super) fn end_test(
        &mut self,
        operator: &OperatorInfo,
        source: &str,
        device: Option<&str>,
        now: OffsetDateTime,
        pending: &mut Pending,
    ) -> Result<(), Refusal> {
        let Some(at) = self.on_test.iter().position(|t| same(t, source, device)) else {
            let what = device.map_or(source.to_string(), |d| format!("{source} / {d}"));
            return Err(Refusal::new(
                RefusalCode::InvalidState,
                format!("{what} is not on test."),
            ));
        };
        let test = self.on_test.remove(at);
        tracing::info!(source, ?device, by = %operator.id, "test ended");
        self.test_changed(OnTestChange::Ended, test, Some(&operator.id), now, pending);
        Ok(())
    }

    /// Warns ten minutes before each expiry and ends the tests that expired.
    pub(super) fn supervise_tests(&mut self, now: OffsetDateTime, pending: &mut Pending) {
        let (warn, expired) = due(&self.on_test, &self.warned, now);
        for test in warn {
            self.warned
                .insert((test.source.clone(), test.device.clone()));
            let what = test.device.clone().unwrap_or_else(|| test.source.clone());
            let text = Bilingual {
                zh: format!("{what} 的测试将于10分钟内结束，之后报警将正常通知"),
                en: format!(
                    "The test of {what} ends within 10 minutes; its alarms will call out again"
                ),
            };
            self.announce(ConsoleMessage::Notice { text }, pending);
            self.test_changed(OnTestChange::Warned, test, None, now, pending);
        }
        self.on_test.retain(|t| now < t.until);
        for test in expired {
            tracing::info!(source = %test.source, "test expired");
            self.warned
                .remove(&(test.source.clone(), test.device.clone()));
            self.test_changed(OnTestChange::Expired, test, None, now, pending);
        }
    }

    fn test_changed(
        &mut self,
        change: OnTestChange,
        test: OnTestView,
        by: Option<&str>,
        now: OffsetDateTime,
        pending: &mut Pending,
    ) {
        let record = OnTestRecord {
            seq: self.next_test_record,
            change,
            test,
            by: by.map(str::to_string),
            at: now,
        };
        self.next_test_record += 1;
        pending.on_test_log.push(record);
        if change != OnTestChange::Warned {
            pending.on_test = Some(self.on_test.clone());
            let list = ConsoleMessage::OnTestChanged {
                on_test: self.on_test.clone(),
            };
            self.announce(list, pending);
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const T0: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);

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

    #[test]
    fn a_test_is_warned_once_in_its_last_ten_minutes_and_expires_at_its_end() {
        let tests = [test("fp", 60), test("ac", 120)];
        let mut warned = HashSet::new();
        let (warn, expired) = due(&tests, &warned, T0 + Duration::minutes(49));
        assert!(warn.is_empty() && expired.is_empty());
        let (warn, expired) = due(&tests, &warned, T0 + Duration::minutes(50));
        assert_eq!(
            warn.iter().map(|t| t.source.as_str()).collect::<Vec<_>>(),
            ["fp"]
        );
        assert!(expired.is_empty());
        warned.insert(("fp".to_string(), None));
        let (warn, _) = due(&tests, &warned, T0 + Duration::minutes(55));
        assert!(warn.is_empty(), "warned once");
        let (_, expired) = due(&tests, &warned, T0 + Duration::minutes(60));
        assert_eq!(
            expired
                .iter()
                .map(|t| t.source.as_str())
                .collect::<Vec<_>>(),
            ["fp"]
        );
    }
}
