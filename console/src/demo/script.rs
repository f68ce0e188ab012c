//! The demo's scripted minute at two sites, as a pure schedule: which source sends which
//! event how long after the start, and when the safety officer starts a drill. No sockets and
//! no clock: the start time is passed in, so the schedule is tested as data.

use std::time::Duration;

use alert_hub::protocol::{Bilingual, DeviceEvent, EventKind};
use serde_json::json;
use time::OffsetDateTime;

/// One source of the demo site configuration (`alert-hub/examples/demo-site.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    pub id: &'static str,
    pub token: &'static str,
    pub site: &'static str,
    /// Its configured heartbeat interval.
    pub heartbeat_secs: u64,
}

const fn source(id: &'static str, token: &'static str, site: &'static str, hb: u64) -> Source {
    Source {
        id,
        token,
        site,
        heartbeat_secs: hb,
    }
}

const GG: &str = "green-garden";
const RP: &str = "riverside-plaza";

/// Every source of the demo configuration, with its public demo token.
pub const SOURCES: [Source; 8] = [
    source("fp-gg", "demo-fire-panel-green-garden", GG, 60),
    source("ac-gg", "demo-access-green-garden", GG, 60),
    source("lift-gg-1", "demo-lift-1-green-garden", GG, 300),
    source("lift-gg-2", "demo-lift-2-green-garden", GG, 300),
    source("fp-rp", "demo-fire-panel-riverside", RP, 60),
    source("ac-rp", "demo-access-riverside-plaza", RP, 60),
    source("lift-rp-1", "demo-lift-1-riverside-plaza", RP, 300),
    source("lift-rp-2", "demo-lift-2-riverside-plaza", RP, 300),
];

/// The safety officer's token, who may start drills.
pub const SAFETY_OFFICER_TOKEN: &str = "demo-safety-officer-zhao";

/// The id of the drill the demo starts.
pub const DRILL_ID: &str = "demo-lift-rescue";

/// After the script, every source sends a heartbeat this often (well inside every interval).
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(30);

/// What happens at one moment of the demo.
#[derive(Debug, Clone, PartialEq)]
pub enum Happening {
    /// A source sends this event over its device connection.
    Event(Box<DeviceEvent>),
    /// The holder of the token starts a drill over the HTTP API (`POST /v1/drills`).
    DrillStarts { id: String, name: Bilingual },
}

/// One entry of the schedule: `after` the start, `token` does `what`.
#[derive(Debug, Clone, PartialEq)]
pub struct Scheduled {
    pub after: Duration,
    pub token: &'static str,
    pub what: Happening,
}

/// Where an event happened: building, floor and zone.
type Place = (&'static str, &'static str, &'static str);

/// An event to script: its kind and device, and optionally where, detail and drill.
struct Ev {
    kind: EventKind,
    device: String,
    place: Option<Place>,
    detail: serde_json::Value,
    drill: Option<&'static str>,
}

fn ev(kind: EventKind, device: &str) -> Ev {
    Ev {
        kind,
        device: device.to_string(),
        place: None,
        detail: serde_json::Value::Null,
        drill: None,
    }
}

impl Ev {
    fn at(self, place: Place) -> Ev {
        Ev {
            place: Some(place),
            ..self
        }
    }

    fn detail(self, detail: serde_json::Value) -> Ev {
        Ev { detail, ..self }
    }

    fn drill(self, id: &'static str) -> Ev {
        Ev {
            drill: Some(id),
            ..self
        }
    }
}

/// The schedule being written, numbering each source's events so ids are unique per source.
struct Script {
    start: OffsetDateTime,
    entries: Vec<Scheduled>,
    counts: [u32; SOURCES.len()],
}

impl Script {
    fn new(start: OffsetDateTime) -> Script {
        Script {
            start,
            entries: Vec::new(),
            counts: [0; SOURCES.len()],
        }
    }

    fn event(&mut self, secs: u64, source: usize, e: Ev) {
        let src = SOURCES[source];
        let id = if e.kind == EventKind::Heartbeat {
            format!("{}:hb-{secs:06}", src.id)
        } else {
            self.counts[source] += 1;
            format!("{}:{:06}", src.id, self.counts[source])
        };
        let after = Duration::from_secs(secs);
        let event = DeviceEvent {
            id,
            kind: e.kind,
            device: e.device,
            site: src.site.to_string(),
            building: e.place.map(|p| p.0.to_string()),
            floor: e.place.map(|p| p.1.to_string()),
            zone: e.place.map(|p| p.2.to_string()),
            at: self.start + after,
            drill: e.drill.map(str::to_string),
            detail: e.detail.into(),
        };
        self.entries.push(Scheduled {
            after,
            token: src.token,
            what: Happening::Event(Box::new(event)),
        });
    }

    /// One heartbeat from every source, `secs` after the start.
    fn heartbeats(&mut self, secs: u64) {
        for (n, src) in SOURCES.iter().enumerate() {
            self.event(
                secs,
                n,
                ev(EventKind::Heartbeat, &format!("{}-main", src.id)),
            );
        }
    }
}

const FP_GG: usize = 0;
const AC_GG: usize = 1;
const LIFT_GG_1: usize = 2;
const FP_RP: usize = 4;
const AC_RP: usize = 5;
const LIFT_RP_1: usize = 6;

/// How long the script runs; the heartbeats of [`heartbeat_round`] follow it.
pub const SCRIPT_LENGTH: Duration = Duration::from_secs(60);

/// The scripted first minute, in time order: a fire trouble and a supervisory early, a door
/// held open and a forced door, a lift rescue drill, a real lift entrapment, and a fire
/// pre-alarm that becomes an alarm confirmed by a second detector in the same zone. Every
/// source heartbeats at the start and every [`HEARTBEAT_EVERY`].
pub fn schedule(start: OffsetDateTime) -> Vec<Scheduled> {
    use EventKind::*;
    let mut s = Script::new(start);
    s.heartbeats(0);
    let pump_room = ("T1", "B1", "B1 pump room");
    let trouble = json!({ "text": "loop 2 open circuit" });
    s.event(
        3,
        FP_RP,
        ev(FireTrouble, "loop-card-2").at(pump_room).detail(trouble),
    );
    let valve_room = ("B2", "B1", "B1 sprinkler valve room");
    let valve = json!({ "text": "sprinkler control valve closed" });
    s.event(
        6,
        FP_GG,
        ev(FireSupervisory, "valve-B1-02")
            .at(valve_room)
            .detail(valve),
    );
    let lobby = ("B2", "1", "B2 lobby door");
    s.event(12, AC_GG, ev(AccessHeldOpen, "door-B2-lobby").at(lobby));
    let car_park = ("T1", "B2", "car park north door");
    s.event(18, AC_RP, ev(AccessForced, "door-P2-north").at(car_park));
    s.entries.push(Scheduled {
        after: Duration::from_secs(24),
        token: SAFETY_OFFICER_TOKEN,
        what: Happening::DrillStarts {
            id: DRILL_ID.to_string(),
            name: Bilingual {
                zh: "电梯困人救援演练（演示）".into(),
                en: "Lift entrapment rescue drill (demo)".into(),
            },
        },
    });
    let drill_car = ("T1", "12", "T1 lift 1 car");
    let stuck = json!({ "stopped_at_floor": "12", "people": 2 });
    let drill = ev(ElevatorEntrapment, "lift-T1-1")
        .at(drill_car)
        .detail(stuck);
    s.event(27, LIFT_RP_1, drill.drill(DRILL_ID));
    s.heartbeats(30);
    let real_car = ("B3", "5", "B3 lift 1 car");
    let stuck = json!({ "stopped_at_floor": "5" });
    s.event(
        33,
        LIFT_GG_1,
        ev(ElevatorEntrapment, "lift-B3-1")
            .at(real_car)
            .detail(stuck),
    );
    let corridor = ("B2", "7", "7F east corridor");
    s.event(38, FP_GG, ev(FirePrealarm, "smoke-B2-07F-03").at(corridor));
    s.event(46, FP_GG, ev(FireAlarm, "smoke-B2-07F-03").at(corridor));
    s.event(52, FP_GG, ev(FireAlarm, "smoke-B2-07F-05").at(corridor));
    s.event(56, AC_GG, ev(AccessRestore, "door-B2-lobby").at(lobby));
    s.heartbeats(SCRIPT_LENGTH.as_secs());
    let mut entries = s.entries;
    entries.sort_by_key(|e| e.after);
    entries
}

/// Round `round` (1, 2, …) of the heartbeats that follow the script: one from every source,
/// [`HEARTBEAT_EVERY`] apart.
pub fn heartbeat_round(start: OffsetDateTime, round: u32) -> Vec<Scheduled> {
    let mut s = Script::new(start);
    s.heartbeats(SCRIPT_LENGTH.as_secs() + u64::from(round) * HEARTBEAT_EVERY.as_secs());
    s.entries
}

#[cfg(test)]
#[path = "script_tests.rs"]
mod tests;
