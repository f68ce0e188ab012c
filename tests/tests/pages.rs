//! The page layout every report uses, opened in headless Chromium: it loads, its timeline is an
//! SVG with every mark and target, and the screenshot is kept (under the build's temporary
//! directory) for a person to look at.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use alert_hub::pages::html::{Cell, Tone};
use alert_hub::pages::{Mark, MarkKind, Page, Target, Timeline};
use system_tests::chromium;
use time::macros::datetime;
use time::{Duration, UtcOffset};

#[test]
fn a_report_page_with_its_timeline_loads_in_chromium() {
    let t0 = datetime!(2026-11-22 23:40 +08:00);
    let at = |s: i64| t0 + Duration::seconds(s);
    let mark = |s, kind, label: &str| Mark {
        at: at(s),
        kind,
        label: label.into(),
    };
    let timeline = Timeline {
        start: t0,
        marks: vec![
            mark(0, MarkKind::Device, "fire.alarm smoke-B2-07F-03"),
            mark(0, MarkKind::Milestone, "first event"),
            mark(35, MarkKind::Operator, "acknowledged by op-li"),
            mark(35, MarkKind::Milestone, "acknowledged"),
            mark(40, MarkKind::Notification, "duty-guard: console"),
            mark(60, MarkKind::Device, "fire.alarm smoke-B2-07F-04"),
            mark(100, MarkKind::Operator, "chose Real fire"),
            mark(100, MarkKind::Milestone, "confirmed"),
            mark(170, MarkKind::Operator, "step done 3 “Call 119 and say”"),
            mark(170, MarkKind::Milestone, "119 called"),
        ],
        targets: vec![
            Target {
                label: "acknowledged ≤ 60 s".into(),
                due: at(60),
                met_at: Some(at(35)),
            },
            Target {
                label: "119 called ≤ 2 min".into(),
                due: at(120),
                met_at: Some(at(170)),
            },
        ],
        lanes: [
            "设备 Devices",
            "值班员 Operators",
            "通知 Notifications",
            "里程碑 Milestones",
        ]
        .map(String::from),
        offset: UtcOffset::from_hms(8, 0, 0).unwrap(),
    };
    let mut page = Page::new("INC-000001 火警 Fire alarm — 事后报告 Post-incident report");
    page.banner("真实事件 REAL INCIDENT", false)
        .facts([(
            "地点 Where",
            "green-garden / B2 / 7F east corridor".to_string(),
        )])
        .heading("timeline", "时间线 Timeline")
        .svg(&timeline.svg())
        .heading("milestones", "里程碑 Milestones")
        .table(
            &["milestone", "at", "target", "result"],
            &[
                vec![
                    "acknowledged".into(),
                    "+0:35".into(),
                    "60 s".into(),
                    Cell::toned("pass", Tone::Good),
                ],
                vec![
                    "119 called".into(),
                    "+2:50".into(),
                    "2 min".into(),
                    Cell::toned("FAIL", Tone::Bad),
                ],
            ],
            "",
        );
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("pages");
    std::fs::create_dir_all(&dir).unwrap();
    let html = dir.join("layout.html");
    std::fs::write(&html, page.finish()).unwrap();
    let opened = chromium::open(&html, &dir.join("layout.png"), 1200, 900);
    assert_eq!(opened.size, (1200, 900), "a real screenshot");
    assert!(opened.dom.contains("<svg"), "the timeline loaded");
    assert_eq!(opened.dom.matches("class=\"mark ").count(), 10);
    assert_eq!(opened.dom.matches("class=\"target met\"").count(), 1);
    assert_eq!(opened.dom.matches("class=\"target missed\"").count(), 1);
    assert!(opened.dom.contains("真实事件 REAL INCIDENT"));
}
