//! Post-incident reports of scripted incidents whose times are known: the incident engine runs
//! each script (device events, operators' commands, the clock), the log is kept as the hub
//! keeps it, and the report must show every milestone and pass / fail as the script dictates.
//! The Markdown of each is kept as a golden file.

use time::{Duration, OffsetDateTime, UtcOffset};

use super::incident::{IncidentReport, MilestoneKind, Verdict};
use super::render;
use crate::incident::tests::{Given, T0, ev, given};
use crate::incident::{Applied, IncidentCommand, OperatorRef};
use crate::protocol::{Actor, EventKind, LogEntry, Role};

/// An incident run from a script, its log kept as the hub keeps it.
struct Script {
    given: Given,
    log: Vec<LogEntry>,
    id: String,
}

fn at(minutes: i64, seconds: i64) -> OffsetDateTime {
    T0 + Duration::minutes(minutes) + Duration::seconds(seconds)
}

impl Script {
    fn keep(&mut self, applied: Vec<Applied>, actor: Actor, at: OffsetDateTime) {
        for a in applied {
            if self.id.is_empty() {
                self.id = a.view.id.clone();
            }
            self.log.push(LogEntry {
                seq: self.log.len() as u64 + 1,
                incident: a.view.id.clone(),
                at,
                actor: actor.clone(),
                event: a.event,
            });
        }
    }

    /// A device reports `kind` at `at`.
    fn device(mut self, kind: EventKind, device: &'static str, at: OffsetDateTime) -> Script {
        let applied = self
            .given
            .event(ev(kind, device, "7F east corridor").at(at));
        let actor = Actor::Device {
            source: "fp-b2".into(),
            device: device.into(),
        };
        self.keep(applied, actor, at);
        self
    }

    /// Operator `who` does `command` at `at`.
    fn op(mut self, who: &str, command: IncidentCommand, at: OffsetDateTime) -> Script {
        let id = self.id.clone();
        let operator = OperatorRef {
            id: who,
            role: Role::Operator,
        };
        let applied = self
            .given
            .book
            .command(&id, &command, operator, at)
            .unwrap_or_else(|r| panic!("{command:?} at {at}: {:?}", r.message));
        self.keep(applied, Actor::Operator { id: who.into() }, at);
        self
    }

    /// The clock reaches `at`: deadlines and escalations fall due.
    fn tick(mut self, at: OffsetDateTime) -> Script {
        let applied = self.given.book.tick(at);
        self.keep(applied, Actor::Hub, at);
        self
    }

    fn choose(self, who: &str, step: &str, choice: &str, at: OffsetDateTime) -> Script {
        self.op(
            who,
            IncidentCommand::Choose {
                step: step.into(),
                choice: choice.into(),
            },
            at,
        )
    }

    fn done(self, who: &str, step: &str, at: OffsetDateTime) -> Script {
        self.op(who, IncidentCommand::CompleteStep { step: step.into() }, at)
    }

    fn record(self, who: &str, step: &str, input: &str, value: &str, at: OffsetDateTime) -> Script {
        self.op(
            who,
            IncidentCommand::RecordInput {
                step: step.into(),
                input: input.into(),
                value: value.into(),
            },
            at,
        )
    }

    fn report(&self) -> IncidentReport {
        let incident = self.given.book.get(&self.id).expect("the incident");
        let view = incident.full_view();
        let library = playbooks::Library::bundled().expect("the bundled library");
        let playbook = view
            .playbook
            .as_ref()
            .and_then(|p| library.playbook(&p.id))
            .cloned();
        IncidentReport::build(&view, &self.log, playbook.as_ref(), None)
    }
}

fn script() -> Script {
    Script {
        given: given(),
        log: Vec::new(),
        id: String::new(),
    }
}

fn verdicts(report: &IncidentReport) -> Vec<(MilestoneKind, Verdict, Option<i64>)> {
    report
        .milestones
        .iter()
        .map(|m| (m.kind, m.verdict, m.after_secs))
        .collect()
}

fn golden(name: &str, report: &IncidentReport) {
    let offset = UtcOffset::from_hms(8, 0, 0).expect("a valid offset");
    let md = render::markdown(report, playbooks::Lang::En, offset);
    insta::assert_snapshot!(name, md);
}

fn lift(on_site_minutes: i64) -> Script {
    script()
        .device(EventKind::ElevatorEntrapment, "lift-B2-1", at(0, 0))
        .op("op-li", IncidentCommand::Acknowledge, at(0, 40))
        .record("op-li", "intercom", "trapped", "2", at(1, 30))
        .done("op-li", "intercom", at(1, 40))
        .done("op-li", "call-maintenance", at(3, 0))
        .done("op-li", "guard-to-car", at(9, 0))
        .choose("op-li", "water-first-aid", "all-well", at(12, 0))
        .tick(at(on_site_minutes, 0) - Duration::seconds(30))
        // Nothing was done for ten minutes while waiting for the engineer: the hub re-alerted.
        .op(
            "op-li",
            IncidentCommand::Acknowledge,
            at(on_site_minutes, 0) - Duration::seconds(20),
        )
        .record(
            "op-li",
            "maintenance-arrived",
            "arrived_at",
            &format!("00:{:02}", (40 + on_site_minutes) % 60),
            at(on_site_minutes, 0),
        )
        .done("op-li", "maintenance-arrived", at(on_site_minutes, 0))
}

#[test]
fn a_lift_rescue_on_site_in_25_minutes_passes() {
    let report = lift(25).report();
    let on_site = report.milestone(MilestoneKind::OnSite).expect("on site");
    assert_eq!(on_site.after_secs, Some(25 * 60));
    assert_eq!(on_site.target_secs, Some(30 * 60));
    assert_eq!(on_site.verdict, Verdict::Pass);
    assert_eq!(on_site.by.as_deref(), Some("op-li"));
    let acked = report
        .milestone(MilestoneKind::Acknowledged)
        .expect("acked");
    assert_eq!((acked.after_secs, acked.verdict), (Some(40), Verdict::Pass));
    let called = report
        .milestone(MilestoneKind::OutsideCalled)
        .expect("called");
    assert_eq!(called.after_secs, Some(180));
    assert_eq!(
        called.since_previous_secs,
        Some(80),
        "after the verification at 1:40"
    );
    golden("lift_rescue_25_minutes", &report);
}

#[test]
fn a_lift_rescue_on_site_in_40_minutes_fails_and_says_so() {
    let report = lift(40).report();
    let on_site = report.milestone(MilestoneKind::OnSite).expect("on site");
    assert_eq!(on_site.after_secs, Some(40 * 60));
    assert_eq!(on_site.verdict, Verdict::Fail);
    let late: Vec<&str> = report
        .checklist
        .iter()
        .filter(|s| s.late)
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(
        late,
        ["maintenance-arrived"],
        "the checklist marks the late step"
    );
    golden("lift_rescue_40_minutes", &report);
}

#[test]
fn a_real_fire_with_two_detectors_is_measured_against_119_at_once() {
    let report = script()
        .device(EventKind::FireAlarm, "smoke-B2-07F-03", at(0, 0))
        .op("op-li", IncidentCommand::Acknowledge, at(0, 35))
        .device(EventKind::FireAlarm, "smoke-B2-07F-04", at(0, 50))
        .choose("op-li", "confirm", "real", at(1, 20))
        .done("op-li", "linkage-auto", at(2, 0))
        .done("op-wang", "call-119", at(2, 50))
        .op(
            "op-li",
            IncidentCommand::AddNote {
                text: "smoke visible on camera 7F-03".into(),
            },
            at(3, 0),
        )
        .report();
    assert!(report.confirmed_by_two_detectors);
    assert_eq!(
        verdicts(&report)[..5],
        [
            (MilestoneKind::FirstEvent, Verdict::NoTarget, Some(0)),
            (MilestoneKind::Acknowledged, Verdict::Pass, Some(35)),
            (MilestoneKind::Confirmed, Verdict::Pass, Some(50)),
            (MilestoneKind::FirstCallOut, Verdict::NotReached, None),
            (MilestoneKind::OutsideCalled, Verdict::Pass, Some(170)),
        ],
        "the second detector verified it before the operator did"
    );
    let called = report.milestone(MilestoneKind::OutsideCalled).expect("119");
    assert_eq!(called.by.as_deref(), Some("op-wang"));
    assert_eq!(report.notes.len(), 1);
    golden("real_fire_two_detectors", &report);
}

#[test]
fn a_false_alarm_calls_no_119_and_is_not_failed_for_it() {
    let report = script()
        .device(EventKind::FireAlarm, "smoke-B2-07F-03", at(0, 0))
        .op("op-li", IncidentCommand::Acknowledge, at(1, 30))
        .choose("op-li", "confirm", "false", at(2, 40))
        .done("op-li", "reset", at(8, 0))
        .record(
            "op-li",
            "record-cause",
            "cause",
            "dust from building work",
            at(9, 0),
        )
        .done("op-li", "record-cause", at(9, 10))
        .op(
            "op-li",
            IncidentCommand::Resolve {
                summary: Some("false alarm: dust".into()),
            },
            at(10, 0),
        )
        .report();
    let verdict = |kind| report.milestone(kind).map(|m| m.verdict);
    assert_eq!(
        verdict(MilestoneKind::Acknowledged),
        Some(Verdict::Fail),
        "1:30 is past the minute a P1 is to be acknowledged in"
    );
    assert_eq!(verdict(MilestoneKind::Confirmed), Some(Verdict::Pass));
    assert_eq!(
        verdict(MilestoneKind::OutsideCalled),
        Some(Verdict::NotReached),
        "a false alarm does not call 119"
    );
    assert_eq!(verdict(MilestoneKind::Resolved), Some(Verdict::NoTarget));
    golden("false_alarm", &report);
}

#[test]
fn a_step_taken_back_reaches_its_milestone_when_done_again() {
    let report = script()
        .device(EventKind::FireAlarm, "smoke-B2-07F-03", at(0, 0))
        .op("op-li", IncidentCommand::Acknowledge, at(0, 20))
        .choose("op-li", "confirm", "false", at(0, 40))
        .op(
            "op-li",
            IncidentCommand::UndoStep {
                step: "confirm".into(),
            },
            at(1, 0),
        )
        .choose("op-li", "confirm", "real", at(2, 30))
        .report();
    let confirmed = report
        .milestone(MilestoneKind::Confirmed)
        .expect("verified");
    assert_eq!(confirmed.after_secs, Some(150));
}

#[test]
fn the_html_report_draws_every_log_entry_and_the_targets() {
    let report = lift(40).report();
    let offset = UtcOffset::from_hms(8, 0, 0).expect("a valid offset");
    let html = render::html(&report, playbooks::Lang::Zh, offset);
    assert_eq!(
        html.matches("<g class=\"mark ").count(),
        report.timeline.len() + report.milestones.iter().filter(|m| m.at.is_some()).count()
    );
    assert!(
        html.contains("class=\"target missed\""),
        "on site after 30 min"
    );
    assert!(html.contains("救援到场"));
}

#[test]
fn two_trees_escalating_at_once_number_their_attempts_apart() {
    let script = lift(40);
    let numbers: Vec<u64> = script
        .log
        .iter()
        .filter_map(|e| match &e.event {
            crate::protocol::IncidentEvent::NotificationAttempted { attempt, .. } => Some(*attempt),
            _ => None,
        })
        .collect();
    let mut unique = numbers.clone();
    unique.dedup();
    assert_eq!(numbers, unique, "each attempt its own number: {numbers:?}");
    assert_eq!(numbers, (0..numbers.len() as u64).collect::<Vec<_>>());
}
