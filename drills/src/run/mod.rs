//! Running a drill from its scenario (`drills run`): the scenario's script laid out as a
//! timeline of cues at their wall-clock offsets for a chosen speed, the events a device would
//! send, and the drill registration the hub is given. Pure; the hub is reached in [`play`].

mod play;

pub use play::{Ended, RunOptions, abort, end, play};

use std::time::Duration;

use alert_hub::protocol::{Bilingual, Detail, DeviceEvent, EventKind, Location, StartDrill};
use time::OffsetDateTime;

use crate::scenario::{OpenByHand, Scenario, ScriptedEvent};

/// The exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells expect.
pub const INTERRUPTED: u8 = 130;

/// One thing the runner does at its time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cue {
    /// Injects the scenario's event number `n` (from 1) as the drill's event of a device.
    Event { n: usize, event: ScriptedEvent },
    /// Tells the players something.
    Prompt { say: Bilingual },
    /// Prints a device event the tabletop talks through (nothing is sent).
    Narrate { event: ScriptedEvent },
    /// Opens the scenario's incident as a drill report (tabletop).
    Report { open: OpenByHand },
}

/// A cue and when it comes: `at_secs` on the scenario's clock, `offset` on the wall clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timed {
    pub at_secs: u32,
    pub offset: Duration,
    pub cue: Cue,
}

/// The scenario's cues in time order (prompts before events of the same second), each at its
/// scenario time divided by `speed`. A tabletop run sends nothing from devices: it narrates the
/// events and opens the scenario's incident (see [`tabletop_incident`]) as a drill report.
pub fn timeline(scenario: &Scenario, speed: f64, tabletop: bool) -> Vec<Timed> {
    let at = |secs: u32| Duration::from_secs_f64(f64::from(secs) / speed);
    let mut cues: Vec<(u32, u8, Cue)> = Vec::new();
    for prompt in &scenario.prompts {
        let say = prompt.say.clone();
        cues.push((prompt.at_secs, 0, Cue::Prompt { say }));
    }
    for (i, event) in scenario.events.iter().enumerate() {
        let cue = if tabletop {
            Cue::Narrate {
                event: event.clone(),
            }
        } else {
            Cue::Event {
                n: i + 1,
                event: event.clone(),
            }
        };
        cues.push((event.at_secs, 1, cue));
    }
    if tabletop && let Some((at_secs, open)) = tabletop_incident(scenario) {
        cues.push((at_secs, 2, Cue::Report { open }));
    }
    cues.sort_by_key(|(secs, order, _)| (*secs, *order));
    cues.into_iter()
        .map(|(at_secs, _, cue)| Timed {
            at_secs,
            offset: at(at_secs),
            cue,
        })
        .collect()
}

/// The incident a tabletop opens, and when: the most urgent of the scenario's events and
/// reports to open by hand (the earliest among equals), as a report of its kind and place.
pub fn tabletop_incident(scenario: &Scenario) -> Option<(u32, OpenByHand)> {
    let events = scenario.events.iter().map(|e| {
        let open = OpenByHand {
            kind: e.kind,
            building: e.building.clone(),
            floor: e.floor.clone(),
            zone: e.zone.clone(),
        };
        (e.at_secs, open)
    });
    let reports = scenario
        .prompts
        .iter()
        .filter_map(|p| p.open.clone().map(|open| (p.at_secs, open)));
    events
        .chain(reports)
        .filter_map(|(at, open)| open.kind.priority().map(|p| (p, at, open)))
        .min_by_key(|(priority, at, _)| (*priority, *at))
        .map(|(_, at, open)| (at, open))
}

/// What `POST /v1/drills` is given for `scenario` played as drill `id` at `site`.
pub fn registration(scenario: &Scenario, id: &str, site: &str) -> StartDrill {
    StartDrill {
        id: id.to_string(),
        name: scenario.name.clone(),
        site: Some(site.to_string()),
        scenario: Some(scenario.id.clone()),
        kind: Some(scenario.kind),
        exercise: Some(scenario.exercise),
        objectives: scenario.objectives.clone(),
        calendar_entry: None,
    }
}

/// A drill id for `scenario` at `site` started at `now`: `SCENARIO-SITE-YYYYMMDDTHHMMSS`.
pub fn drill_id(scenario: &Scenario, site: &str, now: OffsetDateTime) -> String {
    format!(
        "{}-{}-{:04}{:02}{:02}T{:02}{:02}{:02}",
        scenario.id,
        site,
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// The device event the scenario's event number `n` becomes: id `DRILL:NNN`, the drill's
/// site, marked as the drill's, seen by the device `at`.
pub fn device_event(
    drill: &str,
    site: &str,
    n: usize,
    event: &ScriptedEvent,
    at: OffsetDateTime,
) -> DeviceEvent {
    DeviceEvent {
        id: format!("{drill}:{n:03}"),
        kind: event.kind,
        device: event.device.clone(),
        site: site.to_string(),
        building: event.building.clone(),
        floor: event.floor.clone(),
        zone: event.zone.clone(),
        at,
        drill: Some(drill.to_string()),
        detail: Detail::default(),
    }
}

/// Where an incident opened by hand at `site` is.
pub fn location(site: &str, open: &OpenByHand) -> Location {
    Location {
        site: site.to_string(),
        building: open.building.clone(),
        floor: open.floor.clone(),
        zone: open.zone.clone(),
    }
}

/// The scenario clock as `mm:ss`.
pub fn clock(secs: u32) -> String {
    format!("{:02}:{:02}", secs / 60, secs % 60)
}

/// How an event reads in the runner's output: `fire.alarm smoke-B2-07F-03 (B2 / 7 / zone)`.
pub fn describe(kind: EventKind, device: &str, place: [Option<&str>; 3]) -> String {
    let place: Vec<&str> = place.into_iter().flatten().collect();
    if place.is_empty() {
        format!("{} {device}", kind.as_str())
    } else {
        format!("{} {device} ({})", kind.as_str(), place.join(" / "))
    }
}

#[cfg(test)]
mod tests;
