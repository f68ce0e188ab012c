//! Tests of the event mix: proportions, restores, unique ids, determinism, and that every
//! event is one the hub accepts.

use std::collections::{HashMap, HashSet};

use alert_hub::ingest::read_frame;
use time::macros::datetime;

use super::*;
use crate::layout::Role;

const AT: OffsetDateTime = datetime!(2026-11-22 23:40:00 +08:00);

fn plan(profile: Profile, stream: u32) -> MixPlan {
    MixPlan {
        seed: 42,
        run_id: "r1".into(),
        stream,
        site: "green-garden".into(),
        devices: 200,
        profile,
        drill: None,
    }
}

fn events(plan: &MixPlan, n: usize) -> Vec<DeviceEvent> {
    let mut mix = EventMix::new(plan);
    (0..n).map(|_| mix.next_event(AT)).collect()
}

/// The drawn (non-restore) kinds match the profile's weights within five standard deviations.
fn assert_proportions(profile: Profile) {
    let all = events(&plan(profile, 0), 200_000);
    let drawn: Vec<EventKind> = all
        .iter()
        .map(|e| e.kind)
        .filter(|k| !k.is_restore())
        .collect();
    let mut counts: HashMap<EventKind, usize> = HashMap::new();
    for kind in &drawn {
        *counts.entry(*kind).or_default() += 1;
    }
    let n = drawn.len() as f64;
    for &(kind, weight) in profile.weights() {
        let expected = f64::from(weight) / f64::from(WEIGHT_TOTAL);
        let observed = *counts.get(&kind).unwrap_or(&0) as f64 / n;
        let tolerance = 5.0 * (expected * (1.0 - expected) / n).sqrt() + 1e-4;
        assert!(
            (observed - expected).abs() <= tolerance,
            "{kind}: observed {observed:.5}, expected {expected:.5} ± {tolerance:.5}"
        );
    }
    let unexpected: Vec<_> = counts
        .keys()
        .filter(|k| !profile.weights().iter().any(|(w, _)| w == *k))
        .collect();
    assert!(
        unexpected.is_empty(),
        "drawn but not weighted: {unexpected:?}"
    );
}

#[test]
fn the_realistic_mix_has_the_designed_proportions() {
    assert_proportions(Profile::Realistic);
    let weights = Profile::Realistic.weights();
    let share = |k: EventKind| weights.iter().find(|(w, _)| *w == k).map_or(0, |(_, s)| *s);
    assert!(share(EventKind::Heartbeat) + share(EventKind::FireTrouble) > WEIGHT_TOTAL * 3 / 4);
    assert!(share(EventKind::FireAlarm) < WEIGHT_TOTAL / 100);
    assert!(share(EventKind::ElevatorEntrapment) < WEIGHT_TOTAL / 100);
}

#[test]
fn the_incident_mix_draws_only_kinds_that_open_or_join_an_incident() {
    assert_proportions(Profile::Incidents);
    for event in events(&plan(Profile::Incidents, 0), 5_000) {
        assert!(event.kind.priority().is_some(), "{}", event.kind);
    }
}

#[test]
fn the_supervision_mix_is_heartbeats_from_panels_controllers_and_lifts() {
    assert_proportions(Profile::Supervision);
    let mix = EventMix::new(&plan(Profile::Supervision, 0));
    let layout = mix.layout().clone();
    for event in events(&plan(Profile::Supervision, 0), 2_000) {
        assert_eq!(event.kind, EventKind::Heartbeat);
        let device = layout.devices.iter().find(|d| d.id == event.device);
        let role = device.map(|d| d.role).expect("a device of the layout");
        assert!(
            matches!(
                role,
                Role::FirePanel | Role::AccessController | Role::LiftCar
            ),
            "{role:?}"
        );
    }
}

#[test]
fn weights_add_up_to_the_total() {
    for profile in [Profile::Realistic, Profile::Incidents, Profile::Supervision] {
        let sum: u32 = profile.weights().iter().map(|(_, w)| w).sum();
        assert_eq!(sum, WEIGHT_TOTAL, "{profile:?}");
    }
}

#[test]
fn every_alarm_is_followed_by_its_restore_from_the_same_device() {
    let all = events(&plan(Profile::Realistic, 0), 50_000);
    let mut owed: HashMap<(EventKind, &str), i64> = HashMap::new();
    for event in &all {
        if event.kind.is_restore() {
            let debt = owed.entry((event.kind, &event.device)).or_default();
            assert!(
                *debt > 0,
                "{} from {} restores nothing",
                event.kind,
                event.device
            );
            *debt -= 1;
        } else if let Some((restore, _)) = restore_of(event.kind) {
            *owed.entry((restore, &event.device)).or_default() += 1;
        }
    }
    let within = (RESTORE_AFTER.1 * 2) as usize;
    let mut alarms = 0;
    for (i, event) in all.iter().enumerate().take(all.len() - within) {
        let Some((restore, 1000)) = restore_of(event.kind) else {
            continue;
        };
        alarms += 1;
        let later = all.get(i + 1..=i + within).unwrap_or(&[]);
        assert!(
            later
                .iter()
                .any(|e| e.kind == restore && e.device == event.device),
            "{} {} from {} has no {restore} within {within} events",
            event.id,
            event.kind,
            event.device
        );
    }
    assert!(alarms > 100, "only {alarms} alarms to check");
}

#[test]
fn ids_are_unique_within_a_run_across_streams() {
    let mut ids = HashSet::new();
    let mut devices = HashMap::new();
    for stream in 0..3 {
        for event in events(&plan(Profile::Realistic, stream), 20_000) {
            assert!(ids.insert(event.id.clone()), "{} repeated", event.id);
            let owner = devices.entry(event.device.clone()).or_insert(stream);
            assert_eq!(*owner, stream, "{} is in two streams", event.device);
        }
    }
    assert!(ids.iter().all(|id| id.starts_with("r1-")));
}

#[test]
fn the_same_plan_gives_the_same_events_and_another_seed_does_not() {
    let a = events(&plan(Profile::Realistic, 1), 2_000);
    let b = events(&plan(Profile::Realistic, 1), 2_000);
    assert_eq!(a, b);
    let mut other = plan(Profile::Realistic, 1);
    other.seed = 43;
    assert_ne!(a, events(&other, 2_000));
}

#[test]
fn every_event_is_one_the_hub_accepts() {
    for profile in [Profile::Realistic, Profile::Incidents, Profile::Supervision] {
        for event in events(&plan(profile, 4), 3_000) {
            let text = serde_json::to_string(&event).expect("encode");
            let read = read_frame(&text, |site| site == "green-garden");
            assert_eq!(read.as_ref(), Ok(&event), "{text}");
        }
    }
}

#[test]
fn events_carry_the_devices_location() {
    let mix = EventMix::new(&plan(Profile::Realistic, 0));
    let layout = mix.layout().clone();
    for event in events(&plan(Profile::Realistic, 0), 1_000) {
        let device = layout
            .devices
            .iter()
            .find(|d| d.id == event.device)
            .expect("a device of the layout");
        assert_eq!(event.building.as_deref(), Some(device.building.as_str()));
        assert_eq!(event.zone.as_deref(), Some(device.zone.as_str()));
        assert_eq!(event.site, "green-garden");
        assert_eq!(event.drill, None);
    }
}
