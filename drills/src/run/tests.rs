//! The drill timeline: cues in order at their wall-clock offsets, tabletop runs that send
//! nothing, and the events and registration the hub is given.

use std::path::Path;
use std::time::Duration;

use time::macros::datetime;

use super::*;

fn shipped(id: &str) -> Scenario {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let library = playbooks::Library::bundled().expect("bundled library");
    crate::scenario::load_dir(&dir, &library)
        .expect("shipped scenarios")
        .into_iter()
        .find(|s| s.id == id)
        .expect("scenario")
}

#[test]
fn cues_come_in_scenario_order_at_their_time_divided_by_the_speed() {
    let fire = shipped("fire-evacuation");
    let cues = timeline(&fire, 100.0, false);
    let secs: Vec<u32> = cues.iter().map(|c| c.at_secs).collect();
    assert_eq!(secs, [0, 0, 20, 60, 90, 120, 720, 1500, 1500]);
    assert!(
        matches!(cues[0].cue, Cue::Prompt { .. }),
        "the briefing first"
    );
    assert!(matches!(cues[1].cue, Cue::Event { n: 1, .. }));
    assert_eq!(cues[2].offset, Duration::from_millis(200));
    assert_eq!(cues[8].offset, Duration::from_secs(15));
    let events = cues
        .iter()
        .filter(|c| matches!(c.cue, Cue::Event { .. }))
        .count();
    assert_eq!(events, fire.events.len());
}

#[test]
fn a_tabletop_sends_no_device_event_and_opens_the_most_urgent_incident() {
    let fire = shipped("fire-evacuation");
    let cues = timeline(&fire, 1.0, true);
    assert!(!cues.iter().any(|c| matches!(c.cue, Cue::Event { .. })));
    let reports: Vec<&Timed> = cues
        .iter()
        .filter(|c| matches!(c.cue, Cue::Report { .. }))
        .collect();
    assert_eq!(reports.len(), 1);
    assert_eq!(
        reports[0].at_secs, 20,
        "the first fire alarm, not the pre-alarm"
    );
    let Cue::Report { open } = &reports[0].cue else {
        unreachable!()
    };
    assert_eq!(open.kind, EventKind::FireAlarm);
    assert_eq!(open.zone.as_deref(), Some("7F east corridor"));
    let gas = shipped("gas-leak");
    let (at, open) = tabletop_incident(&gas).expect("gas report");
    assert_eq!((at, open.kind), (0, EventKind::GasLeak));
}

#[test]
fn every_shipped_scenario_has_an_incident_for_a_tabletop() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let library = playbooks::Library::bundled().expect("bundled library");
    for scenario in crate::scenario::load_dir(&dir, &library).expect("scenarios") {
        assert!(tabletop_incident(&scenario).is_some(), "{}", scenario.id);
    }
}

#[test]
fn the_events_are_the_drills_at_the_site_with_ids_numbered_in_the_drill() {
    let lift = shipped("lift-rescue");
    let at = datetime!(2026-05-12 02:00 UTC);
    let event = device_event("q2-lift", "green-garden", 7, &lift.events[0], at);
    assert_eq!(event.id, "q2-lift:007");
    assert_eq!(event.drill.as_deref(), Some("q2-lift"));
    assert_eq!(event.site, "green-garden");
    assert_eq!(event.kind, lift.events[0].kind);
    assert_eq!(event.at, at);
    let json = serde_json::to_string(&event).expect("json");
    let back = alert_hub::ingest::read_frame(&json, |s| s == "green-garden").expect("valid");
    assert_eq!(back, event, "what the runner sends is a valid device frame");
}

#[test]
fn the_registration_carries_the_scenario_and_a_readable_id() {
    let lift = shipped("lift-rescue");
    let start = registration(&lift, "q2", "green-garden");
    assert_eq!(start.scenario.as_deref(), Some("lift-rescue"));
    assert_eq!(start.kind, Some(lift.kind));
    assert_eq!(start.exercise, Some(lift.exercise));
    assert_eq!(start.objectives, lift.objectives);
    let id = drill_id(&lift, "green-garden", datetime!(2026-05-12 02:03:04 UTC));
    assert_eq!(id, "lift-rescue-green-garden-20260512T020304");
    assert_eq!(clock(1500), "25:00");
}
