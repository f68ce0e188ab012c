//! The CAP message of scripted incidents: what a reader of the alert relies on.

use time::UtcOffset;

use super::*;
use crate::incident::tests::{T0, ev, given};

fn settings() -> CapSettings<'static> {
    CapSettings {
        sender: "cr.example.com",
        offset: time::macros::offset!(+8),
        site_name: Some("Green <Garden> & Co"),
    }
}

fn fire(drill: Option<&'static str>) -> IncidentView {
    let mut g = given();
    let e = ev(EventKind::FireAlarm, "smoke-1", "7F east");
    let e = match drill {
        Some(d) => e.drill(d),
        None => e,
    };
    g.event(e).remove(0).view
}

#[test]
fn times_are_written_in_the_site_offset_never_as_z() {
    assert_eq!(
        cap_time(T0, time::macros::offset!(+8)),
        "2026-11-22T23:40:00+08:00"
    );
    assert_eq!(cap_time(T0, UtcOffset::UTC), "2026-11-22T15:40:00+00:00");
    let india = UtcOffset::from_hms(-5, -30, 0).expect("offset");
    assert_eq!(cap_time(T0, india), "2026-11-22T10:10:00-05:30");
    let fraction = T0 + time::Duration::milliseconds(250);
    assert_eq!(
        cap_time(fraction, time::macros::offset!(+8)),
        "2026-11-22T23:40:00+08:00"
    );
}

#[test]
fn a_real_fire_is_actual_with_both_languages_and_escaped_text() {
    let view = fire(None);
    let xml = alert(&view, &settings());
    assert!(xml.contains("<status>Actual</status>"), "{xml}");
    assert!(!xml.contains("<note>"), "{xml}");
    assert!(xml.contains(&format!(
        "<identifier>cr.example.com.incident.{}</identifier>",
        view.id
    )));
    assert!(
        xml.contains("<sent>2026-11-22T23:40:00+08:00</sent>"),
        "{xml}"
    );
    assert!(xml.contains("<scope>Private</scope>"));
    assert!(
        xml.contains("<language>zh-CN</language>") && xml.contains("<language>en-US</language>")
    );
    assert!(xml.contains("<category>Fire</category>"));
    assert!(xml.contains("<event>火警</event>") && xml.contains("<event>Fire alarm</event>"));
    assert!(xml.contains("<urgency>Immediate</urgency>"));
    assert!(xml.contains("<severity>Extreme</severity>"), "{xml}");
    assert!(
        xml.contains("Green &lt;Garden&gt; &amp; Co, building B2, floor 7, zone 7F east"),
        "{xml}"
    );
    assert_eq!(
        alert(&view, &settings()),
        xml,
        "the same incident gives the same message"
    );
}

#[test]
fn a_drill_incident_is_an_exercise_with_its_drill_in_the_note() {
    let xml = alert(&fire(Some("q1-evac")), &settings());
    assert!(xml.contains("<status>Exercise</status>"), "{xml}");
    assert!(xml.contains("<note>Drill q1-evac: an exercise"), "{xml}");
    assert!(xml.contains("[DRILL] Fire alarm"), "{xml}");
}

#[test]
fn categories_severities_and_certainty_follow_kind_priority_and_confirmation() {
    assert_eq!(category(EventKind::AccessForced), "Security");
    assert_eq!(category(EventKind::ElevatorEntrapment), "Safety");
    assert_eq!(category(EventKind::ElevatorFault), "Infra");
    assert_eq!(severity(Priority::P4), "Minor");
    assert_eq!(urgency(IncidentState::Closed), "Past");
    let mut view = fire(None);
    assert_eq!(certainty(&view), "Likely");
    view.confirmed_by_two_detectors = true;
    assert_eq!(certainty(&view), "Observed");
    assert_eq!(identifier("a b", "x,y"), "a_b.incident.x_y");
}
