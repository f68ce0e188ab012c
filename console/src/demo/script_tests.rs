//! The demo script checked as data against the demo configuration and the hub's own frame
//! validation: no sockets, no clock.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use alert_hub::config::{DEMO_CONFIG, HubConfig, Principal};
use alert_hub::protocol::{DeviceEvent, EventKind};

use super::*;
use crate::sample::T0;

fn config() -> HubConfig {
    HubConfig::parse(DEMO_CONFIG, Path::new("demo-site.toml")).unwrap()
}

fn events(entries: &[Scheduled]) -> Vec<(&'static str, &DeviceEvent, Duration)> {
    entries
        .iter()
        .filter_map(|e| match &e.what {
            Happening::Event(event) => Some((e.token, event.as_ref(), e.after)),
            Happening::DrillStarts { .. } => None,
        })
        .collect()
}

fn is(kind: EventKind) -> impl Fn(&&(&str, &DeviceEvent, Duration)) -> bool {
    move |(_, e, _)| e.kind == kind
}

#[test]
fn the_source_table_is_the_demo_configuration() {
    let config = config();
    assert_eq!(config.sources.len(), SOURCES.len());
    for source in SOURCES {
        let Some(Principal::Source(id)) = config.principal(source.token) else {
            panic!("{} is not a source token", source.token);
        };
        let configured = &config.sources[id];
        assert_eq!(id, source.id);
        assert_eq!(configured.site, source.site);
        assert_eq!(configured.heartbeat_secs, source.heartbeat_secs);
    }
    let officer = config.principal(SAFETY_OFFICER_TOKEN);
    assert_eq!(officer, Some(&Principal::Operator("so-zhao".into())));
}

#[test]
fn every_frame_passes_the_hubs_validation_from_its_own_sources_site() {
    let config = config();
    let script = schedule(T0);
    for (token, event, _) in events(&script) {
        let text = serde_json::to_string(event).unwrap();
        let read = alert_hub::ingest::read_frame(&text, |site| config.site(site).is_some());
        assert_eq!(read.as_ref(), Ok(event), "{text}");
        let Some(Principal::Source(id)) = config.principal(token) else {
            panic!("{token}");
        };
        assert_eq!(config.sources[id].site, event.site, "{}", event.id);
    }
}

#[test]
fn the_script_runs_in_time_order_within_its_minute_and_ids_are_unique_per_source() {
    let script = schedule(T0);
    assert!(script.windows(2).all(|w| w[0].after <= w[1].after));
    assert!(script.iter().all(|e| e.after <= SCRIPT_LENGTH));
    let mut seen = HashSet::new();
    for (token, event, after) in events(&script) {
        assert!(seen.insert((token, event.id.clone())), "{} twice", event.id);
        assert_eq!(event.at, T0 + after, "{}", event.id);
    }
    for round in 1..=3 {
        for (token, event, _) in events(&heartbeat_round(T0, round)) {
            assert!(seen.insert((token, event.id.clone())), "{} twice", event.id);
        }
    }
}

#[test]
fn every_source_heartbeats_well_inside_its_interval() {
    let mut script = schedule(T0);
    script.extend(heartbeat_round(T0, 1));
    script.extend(heartbeat_round(T0, 2));
    let mut last: HashMap<&str, Duration> = HashMap::new();
    for (token, event, after) in events(&script)
        .into_iter()
        .filter(|e| is(EventKind::Heartbeat)(&e))
    {
        let source = SOURCES.iter().find(|s| s.token == token).unwrap();
        let since = after - last.get(token).copied().unwrap_or_default();
        assert!(
            since <= HEARTBEAT_EVERY && HEARTBEAT_EVERY.as_secs() <= source.heartbeat_secs,
            "{} went {since:?} without a heartbeat",
            event.id
        );
        last.insert(token, after);
    }
    assert_eq!(last.len(), SOURCES.len(), "every source heartbeats");
}

#[test]
fn the_drill_starts_before_its_events_and_only_they_carry_it() {
    let script = schedule(T0);
    let started = script
        .iter()
        .find_map(|e| match &e.what {
            Happening::DrillStarts { id, .. } if id == DRILL_ID => Some(e.after),
            _ => None,
        })
        .expect("the demo starts a drill");
    let drill_events: Vec<_> = events(&script)
        .into_iter()
        .filter(|(_, e, _)| e.drill.is_some())
        .collect();
    assert_eq!(drill_events.len(), 1);
    let (_, event, after) = drill_events[0];
    assert_eq!(event.drill.as_deref(), Some(DRILL_ID));
    assert_eq!(event.kind, EventKind::ElevatorEntrapment);
    assert!(after > started);
}

#[test]
fn the_mix_has_every_kind_of_trouble_and_a_fire_confirmed_by_two_detectors() {
    use EventKind::*;
    let script = schedule(T0);
    let all = events(&script);
    let real = |kind| {
        all.iter()
            .filter(is(kind))
            .filter(|(_, e, _)| e.drill.is_none())
            .count()
    };
    for kind in [
        FireTrouble,
        FireSupervisory,
        AccessHeldOpen,
        AccessForced,
        ElevatorEntrapment,
        FirePrealarm,
    ] {
        assert_eq!(real(kind), 1, "{kind}");
    }
    let early: Vec<_> = all
        .iter()
        .filter(|(_, e, after)| after.as_secs() <= 10 && e.kind != Heartbeat)
        .map(|(_, e, _)| e.kind)
        .collect();
    assert_eq!(early, [FireTrouble, FireSupervisory], "troubles come early");

    let prealarm = all.iter().find(is(FirePrealarm)).unwrap();
    let alarms: Vec<_> = all.iter().filter(is(FireAlarm)).collect();
    assert_eq!(alarms.len(), 2);
    assert_eq!(
        alarms[0].1.device, prealarm.1.device,
        "the pre-alarm escalates"
    );
    assert!(alarms[0].2 > prealarm.2);
    assert_ne!(alarms[1].1.device, alarms[0].1.device, "a second detector");
    for (_, alarm, _) in &alarms {
        assert_eq!(
            (&alarm.site, &alarm.zone),
            (&prealarm.1.site, &prealarm.1.zone),
            "same zone"
        );
    }
}
