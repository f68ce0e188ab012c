//! The monthly figures from incidents whose times are known.

use time::{Duration, OffsetDateTime, UtcOffset, macros::datetime};

use super::*;
use crate::protocol::{EventKind, OnTestChange, OnTestRecord, OnTestView, Priority};

const CST: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

fn nov(day: u8, hour: u8) -> OffsetDateTime {
    datetime!(2026-11-01 00:00 +08:00)
        + Duration::days(i64::from(day) - 1)
        + Duration::hours(i64::from(hour))
}

fn incident(
    id: &str,
    kind: EventKind,
    priority: Priority,
    opened_at: OffsetDateTime,
) -> IncidentFacts {
    IncidentFacts {
        id: id.into(),
        kind,
        priority,
        site: "gg".into(),
        source: "fp-gg".into(),
        device: Some(format!("dev-{id}")),
        opened_at,
        first_acknowledged_at: None,
        drill: None,
        on_test: false,
        flapping: false,
        flap_count: 0,
        false_alarm: false,
        confirmed_real: false,
        outside_called_at: None,
        on_site_at: None,
        comms_restored_at: None,
        outside_call_step: false,
        on_site_step: false,
        skipped_steps: Vec::new(),
        overdue_steps: Vec::new(),
        open: false,
    }
}

fn acked(mut i: IncidentFacts, secs: i64) -> IncidentFacts {
    i.first_acknowledged_at = Some(i.opened_at + Duration::seconds(secs));
    i
}

fn build(
    incidents: &[IncidentFacts],
    on_test: &[OnTestRecord],
    drills: &[DrillSummary],
) -> MonthReport {
    MonthReport::build(&MonthInput {
        month: Month::parse("2026-11").unwrap_or_else(|e| panic!("{e}")),
        site: None,
        offset: CST,
        incidents,
        on_test,
        drills,
    })
}

#[test]
fn a_month_is_read_as_yyyy_mm_and_anything_else_says_the_form() {
    let month = Month::parse("2026-11").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(month.to_string(), "2026-11");
    assert_eq!(month.previous().to_string(), "2026-10");
    assert_eq!(
        Month::parse("2026-01").map(|m| m.previous().to_string()),
        Ok("2025-12".into())
    );
    assert_eq!(month.start(CST), datetime!(2026-11-01 00:00 +08:00));
    assert_eq!(month.end(CST), datetime!(2026-12-01 00:00 +08:00));
    for bad in [
        "2026-13", "2026-1", "26-11", "2026/11", "november", "", "2026-00", "+026-11",
    ] {
        let error = Month::parse(bad)
            .err()
            .unwrap_or_else(|| panic!("{bad} was read"));
        assert!(
            error.to_string().contains("expected YYYY-MM, e.g. 2026-11"),
            "{error}"
        );
    }
}

#[test]
fn percentiles_are_nearest_rank() {
    let times: Vec<i64> = (1..=100).collect();
    assert_eq!(figures::percentile(&times, 50), Some(50));
    assert_eq!(figures::percentile(&times, 90), Some(90));
    assert_eq!(figures::percentile(&times, 99), Some(99));
    assert_eq!(figures::percentile(&[7], 99), Some(7));
    assert_eq!(figures::percentile(&[], 50), None);
}

#[test]
fn times_to_acknowledge_per_priority_use_the_first_acknowledgement() {
    // Ten P1 alarms acknowledged after 10, 20, ..., 100 s, and one never acknowledged.
    let mut incidents: Vec<IncidentFacts> = (1..=10)
        .map(|n| {
            acked(
                incident(
                    &format!("P1-{n}"),
                    EventKind::FireAlarm,
                    Priority::P1,
                    nov(3, 1),
                ),
                n * 10,
            )
        })
        .collect();
    incidents.push(incident(
        "P1-x",
        EventKind::FireAlarm,
        Priority::P1,
        nov(4, 1),
    ));
    incidents.push(acked(
        incident("P3-1", EventKind::ElevatorFault, Priority::P3, nov(5, 1)),
        600,
    ));
    let report = build(&incidents, &[], &[]);
    let p1 = &report.acknowledgement[0];
    assert_eq!(
        (p1.priority, p1.incidents, p1.acknowledged),
        (Priority::P1, 11, 10)
    );
    assert_eq!(
        (p1.p50_secs, p1.p90_secs, p1.p99_secs),
        (Some(50), Some(90), Some(100))
    );
    // 3 of 11 within 30 s, 6 of 11 within 60 s.
    assert_eq!(p1.within_30s_pct, Some(27.3));
    assert_eq!(p1.within_60s_pct, Some(54.5));
    let sla_p1 = &report.sla[0];
    assert_eq!((sla_p1.applies, sla_p1.met, sla_p1.missed), (11, 6, 5));
    let sla_p3 = &report.sla[2];
    assert_eq!(
        (sla_p3.applies, sla_p3.met, sla_p3.compliance_pct),
        (1, 1, Some(100.0))
    );
}

#[test]
fn drill_and_on_test_incidents_are_never_in_the_real_figures() {
    let mut drill = acked(
        incident("D-1", EventKind::FireAlarm, Priority::P1, nov(2, 1)),
        500,
    );
    drill.drill = Some("DR-1".into());
    drill.false_alarm = true;
    let mut tested = acked(
        incident("T-1", EventKind::FireAlarm, Priority::P1, nov(2, 2)),
        900,
    );
    tested.on_test = true;
    let real = acked(
        incident("R-1", EventKind::FireAlarm, Priority::P1, nov(2, 3)),
        20,
    );
    let report = build(&[drill, tested, real], &[], &[]);
    assert_eq!(report.totals.real, 1);
    assert_eq!(report.totals.drill, 1);
    assert_eq!(report.totals.on_test, 1);
    assert_eq!(report.totals.false_alarms, 0);
    assert_eq!(
        report.by_kind,
        vec![Count {
            key: "fire.alarm".into(),
            count: 1
        }]
    );
    assert_eq!(report.acknowledgement[0].p99_secs, Some(20));
    assert!(report.nuisance_devices.is_empty());
}

#[test]
fn the_domain_targets_pass_and_fail_as_the_times_say() {
    let lift = |id: &str, minutes: i64| {
        let mut i = incident(id, EventKind::ElevatorEntrapment, Priority::P1, nov(10, 9));
        i.on_site_step = true;
        i.on_site_at = Some(i.opened_at + Duration::minutes(minutes));
        i
    };
    let fire = |id: &str, real: bool, false_alarm: bool, call_min: Option<i64>| {
        let mut i = incident(id, EventKind::FireAlarm, Priority::P1, nov(11, 9));
        i.outside_call_step = true;
        i.confirmed_real = real;
        i.false_alarm = false_alarm;
        i.outside_called_at = call_min.map(|m| i.opened_at + Duration::minutes(m));
        i
    };
    let mut fault = incident("F-1", EventKind::ElevatorFault, Priority::P2, nov(12, 9));
    fault.on_site_step = true;
    fault.on_site_at = Some(fault.opened_at + Duration::minutes(20));
    let report = build(
        &[
            lift("L-25", 25),
            lift("L-40", 40),
            fire("F-real-ok", true, false, Some(3)),
            fire("F-real-late", true, false, Some(9)),
            fire("F-real-never", true, false, None),
            fire("F-false", false, true, None),
            fault,
        ],
        &[],
        &[],
    );
    let line = |en: &str| {
        report
            .sla
            .iter()
            .find(|s| s.name.en == en)
            .unwrap_or_else(|| panic!("no {en}"))
    };
    let lift = line("lift rescue on site");
    assert_eq!(
        (lift.applies, lift.met, lift.missed, lift.target_secs),
        (2, 1, 1, 1800)
    );
    let fire = line("119 called for a real fire");
    assert_eq!((fire.applies, fire.met, fire.missed), (3, 1, 2));
    let fault = line("urgent fault on site");
    assert_eq!(
        (fault.applies, fault.met, fault.compliance_pct),
        (1, 0, Some(0.0))
    );
}

#[test]
fn nuisance_and_flapping_devices_are_ranked() {
    let mut incidents = Vec::new();
    for (n, device) in ["smoke-a", "smoke-a", "smoke-a", "smoke-b"]
        .iter()
        .enumerate()
    {
        let mut i = incident(
            &format!("N-{n}"),
            EventKind::FireAlarm,
            Priority::P1,
            nov(6, 1),
        );
        i.device = Some((*device).into());
        i.false_alarm = true;
        incidents.push(i);
    }
    let mut flap = incident("FL-1", EventKind::AccessHeldOpen, Priority::P3, nov(7, 1));
    flap.flapping = true;
    flap.flap_count = 7;
    incidents.push(flap);
    let report = build(&incidents, &[], &[]);
    assert_eq!(report.totals.false_alarms, 4);
    let top: Vec<(&str, u64)> = report
        .nuisance_devices
        .iter()
        .map(|d| (d.device.as_str(), d.count))
        .collect();
    assert_eq!(top, vec![("smoke-a", 3), ("smoke-b", 1)]);
    assert_eq!(report.flapping_devices[0].device, "dev-FL-1");
    assert_eq!(report.flapping_devices[0].count, 7);
}

#[test]
fn comms_lost_and_on_test_hours_are_clipped_to_the_month() {
    // Lost from 31 Oct 22:00 to 1 Nov 02:00, and from 30 Nov 20:00 on (4 h to the month's end).
    let mut a = incident(
        "C-1",
        EventKind::CommsLost,
        Priority::P2,
        nov(1, 0) - Duration::hours(2),
    );
    a.comms_restored_at = Some(nov(1, 2));
    let b = incident("C-2", EventKind::CommsLost, Priority::P2, nov(30, 20));
    // C-1 opened in October: it belongs to October's report; C-2 runs to the month's end.
    let report = build(&[a, b.clone()], &[], &[]);
    assert_eq!(report.comms_lost.len(), 1);
    assert_eq!(
        (report.comms_lost[0].periods, report.comms_lost[0].hours),
        (1, 4.0)
    );
    let test = OnTestView {
        source: "fp-gg".into(),
        device: None,
        authorised_by: "mgr".into(),
        reason: "maintenance".into(),
        since: nov(8, 9),
        until: nov(8, 17),
    };
    let record = |seq, change, at, test: &OnTestView| OnTestRecord {
        seq,
        change,
        test: test.clone(),
        by: Some("op".into()),
        at,
    };
    let next_day = OnTestView {
        since: nov(9, 9),
        until: nov(9, 17),
        ..test.clone()
    };
    let log = [
        record(1, OnTestChange::Started, nov(8, 9), &test),
        record(
            2,
            OnTestChange::Ended,
            nov(8, 12) + Duration::minutes(30),
            &test,
        ),
        record(3, OnTestChange::Started, nov(9, 9), &next_day),
    ];
    let report = build(&[b], &log, &[]);
    assert_eq!(report.on_test.len(), 1);
    // 3.5 h, then a test never ended: counted to its planned end, 8 h.
    assert_eq!(
        (report.on_test[0].times, report.on_test[0].hours),
        (2, 11.5)
    );
}

#[test]
fn steps_drills_and_trends() {
    let mut a = acked(
        incident("S-1", EventKind::FireAlarm, Priority::P1, nov(3, 1)),
        40,
    );
    a.skipped_steps = vec!["fire-alarm/evacuate".into()];
    a.overdue_steps = vec!["fire-alarm/call-119".into(), "fire-alarm/evacuate".into()];
    let before = acked(
        incident(
            "O-1",
            EventKind::FireAlarm,
            Priority::P1,
            nov(1, 0) - Duration::days(3),
        ),
        100,
    );
    let before2 = acked(
        incident(
            "O-2",
            EventKind::FireAlarm,
            Priority::P1,
            nov(1, 0) - Duration::days(4),
        ),
        100,
    );
    let drill = |id: &str, completed, score, ended_at| DrillSummary {
        id: id.into(),
        name: crate::protocol::Bilingual {
            zh: "火警演练".into(),
            en: "fire drill".into(),
        },
        site: Some("gg".into()),
        scenario: Some("fire-evacuation".into()),
        ended_at,
        completed,
        score,
    };
    let drills = [
        drill("DR-1", true, Some(90), nov(15, 10)),
        drill("DR-2", false, Some(60), nov(20, 10)),
        drill("DR-0", true, Some(10), nov(1, 0) - Duration::days(1)),
    ];
    let report = build(&[a, before, before2], &[], &drills);
    assert_eq!(report.steps[0].step, "fire-alarm/evacuate");
    assert_eq!((report.steps[0].skipped, report.steps[0].overdue), (1, 1));
    assert_eq!(
        (
            report.drills.held,
            report.drills.completed,
            report.drills.aborted
        ),
        (2, 1, 1)
    );
    assert_eq!(report.drills.mean_score, Some(75.0));
    let real = &report.trends[0];
    assert_eq!(
        (real.this_month, real.previous_month, real.change),
        (Some(1.0), Some(2.0), Some(-1.0))
    );
    let median = &report.trends[3];
    assert_eq!(
        (median.this_month, median.previous_month, median.change),
        (Some(40.0), Some(100.0), Some(-60.0))
    );
}

#[test]
fn a_site_keeps_only_its_own_incidents() {
    let a = incident("A", EventKind::FireAlarm, Priority::P1, nov(3, 1));
    let mut b = incident("B", EventKind::FireAlarm, Priority::P1, nov(3, 1));
    b.site = "hx".into();
    let report = MonthReport::build(&MonthInput {
        month: Month::parse("2026-11").unwrap_or_else(|e| panic!("{e}")),
        site: Some("hx"),
        offset: CST,
        incidents: &[a, b],
        on_test: &[],
        drills: &[],
    });
    assert_eq!(
        report.by_site,
        vec![Count {
            key: "hx".into(),
            count: 1
        }]
    );
}

#[test]
fn every_format_shows_the_tables_and_the_csv_is_quoted() {
    let mut a = acked(
        incident("A", EventKind::FireAlarm, Priority::P1, nov(3, 1)),
        20,
    );
    a.device = Some("smoke, \"7F\"".into());
    a.false_alarm = true;
    let report = build(&[a], &[], &[]);
    let html = render::html(&report, playbooks::Lang::En);
    assert!(html.contains("<svg class=\"chart bars\""));
    assert!(html.contains("<svg class=\"chart distribution\""));
    assert!(!html.contains("<script"));
    let md = render::markdown(&report, playbooks::Lang::Zh);
    assert!(md.starts_with("# 月度报告 2026-11"));
    let csv = render::csv(&report, playbooks::Lang::En);
    assert!(csv.starts_with("table,key,figure,value\r\n"));
    assert!(
        csv.contains("nuisance_devices,\"smoke, \"\"7F\"\"\",Site,gg\r\n"),
        "{csv}"
    );
    let json: serde_json::Value = serde_json::from_str(&render::json(&report)).unwrap_or_default();
    assert_eq!(json["totals"]["real"], 1);
}
