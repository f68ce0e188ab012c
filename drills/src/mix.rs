//! The event mix: which events a simulated source sends, in what proportions, from which
//! devices, with restores following alarms. Pure and deterministic: the same plan and the same
//! timestamps give the same events, so runs can be repeated and the mix unit-tested.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use alert_hub::protocol::{DeviceEvent, EventKind};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::layout::{Layout, Role};
use crate::rng::Rng;

/// Which events a mix draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    /// What a quiet night on a real site looks like: mostly heartbeats and fire troubles, some
    /// access events, rare fire alarms and lift entrapments, restores following alarms.
    Realistic,
    /// Only kinds that open or join an incident, so every event changes the console feed.
    Incidents,
    /// Only heartbeats: supervision traffic that is stored but changes no incident.
    Supervision,
}

/// How often each kind is drawn, in parts per 100,000 (restores come on top, see [`restore_of`]).
const REALISTIC: [(EventKind, u32); 11] = [
    (EventKind::Heartbeat, 55_680),
    (EventKind::FireTrouble, 22_000),
    (EventKind::AccessDenied, 12_000),
    (EventKind::AccessHeldOpen, 5_000),
    (EventKind::AccessForced, 1_500),
    (EventKind::FireSupervisory, 1_200),
    (EventKind::ElevatorFault, 1_200),
    (EventKind::AccessTamper, 500),
    (EventKind::FirePrealarm, 400),
    (EventKind::FireAlarm, 300),
    (EventKind::ElevatorEntrapment, 220),
];

const INCIDENTS: [(EventKind, u32); 9] = [
    (EventKind::FireTrouble, 55_000),
    (EventKind::AccessHeldOpen, 18_000),
    (EventKind::AccessForced, 8_000),
    (EventKind::FireSupervisory, 7_000),
    (EventKind::ElevatorFault, 5_000),
    (EventKind::AccessTamper, 3_000),
    (EventKind::FirePrealarm, 2_000),
    (EventKind::FireAlarm, 1_500),
    (EventKind::ElevatorEntrapment, 500),
];

const SUPERVISION: [(EventKind, u32); 1] = [(EventKind::Heartbeat, 100_000)];

/// The total of every profile's weights.
pub const WEIGHT_TOTAL: u32 = 100_000;

impl Profile {
    /// The kinds this profile draws and their weights out of [`WEIGHT_TOTAL`].
    pub fn weights(self) -> &'static [(EventKind, u32)] {
        match self {
            Profile::Realistic => &REALISTIC,
            Profile::Incidents => &INCIDENTS,
            Profile::Supervision => &SUPERVISION,
        }
    }

    /// Whether alarms are followed by their restores.
    pub fn restores(self) -> bool {
        self == Profile::Realistic
    }
}

/// The restore that follows `kind` and how likely it is, per mille; `None` for kinds that
/// are not followed by one (heartbeats, denied access, duress, restores themselves).
pub fn restore_of(kind: EventKind) -> Option<(EventKind, u64)> {
    use EventKind::*;
    Some(match kind {
        FireAlarm | FirePrealarm | FireSupervisory => (FireRestore, 1000),
        FireTrouble => (FireRestore, 700),
        AccessForced | AccessHeldOpen | AccessTamper => (AccessRestore, 1000),
        ElevatorEntrapment => (ElevatorReleased, 1000),
        ElevatorFault => (ElevatorRestore, 1000),
        _ => return None,
    })
}

/// The roles that report `kind`.
fn reporters(kind: EventKind) -> &'static [Role] {
    use EventKind::*;
    match kind {
        Heartbeat => &[Role::FirePanel, Role::AccessController, Role::LiftCar],
        FireTrouble | FireRestore => &[
            Role::SmokeDetector,
            Role::HeatDetector,
            Role::CallPoint,
            Role::FlowSwitch,
            Role::FirePanel,
        ],
        FireAlarm => &[Role::SmokeDetector, Role::HeatDetector, Role::CallPoint],
        FirePrealarm => &[Role::SmokeDetector, Role::HeatDetector],
        FireSupervisory => &[Role::FlowSwitch],
        ElevatorEntrapment | ElevatorReleased | ElevatorFault | ElevatorRestore => &[Role::LiftCar],
        AccessForced | AccessHeldOpen | AccessDenied | AccessTamper | AccessDuress
        | AccessRestore => &[Role::DoorReader],
        // Raised by the hub, opened by an operator, or only from a DC-09 panel: no simulated
        // device reports them.
        CommsLost | UnknownCode | GasLeak | Flood | Medical | PublicSecurity => &[],
    }
}

/// A restore follows its alarm after this many further events of the same stream.
const RESTORE_AFTER: (u64, u64) = (5, 300);

/// Everything that fixes a mix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MixPlan {
    pub seed: u64,
    /// Prefixes every event id, so that ids are unique per run.
    pub run_id: String,
    /// Which stream (connection) of the run this is; streams get disjoint buildings and ids.
    pub stream: u32,
    pub site: String,
    /// About how many devices this stream simulates.
    pub devices: usize,
    pub profile: Profile,
    /// `None` for real events, or the running drill the events belong to.
    pub drill: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct DueRestore {
    due: u64,
    kind: EventKind,
    device: usize,
}

/// A deterministic generator of device events for one stream.
#[derive(Debug, Clone)]
pub struct EventMix {
    rng: Rng,
    layout: Layout,
    prefix: String,
    site: String,
    drill: Option<String>,
    profile: Profile,
    /// Cumulative weights and the devices that may report each kind.
    table: Vec<(u32, EventKind, Vec<usize>)>,
    restores: BinaryHeap<Reverse<DueRestore>>,
    count: u64,
}

impl EventMix {
    /// The mix of one stream. Stream `n` simulates buildings after those of streams `0..n`.
    pub fn new(plan: &MixPlan) -> EventMix {
        let stream_seed = plan
            .seed
            .wrapping_add(u64::from(plan.stream).wrapping_mul(0xA076_1D64_78BD_642F));
        let mut rng = Rng::new(stream_seed);
        let buildings = plan
            .devices
            .div_ceil(crate::layout::DEVICES_PER_BUILDING)
            .max(1);
        let first = plan.stream as usize * buildings + 1;
        let first = u32::try_from(first).unwrap_or(u32::MAX);
        let layout = Layout::generate(&plan.site, first, plan.devices, &mut rng);
        let mut cumulative = 0;
        let table = plan
            .profile
            .weights()
            .iter()
            .map(|&(kind, weight)| {
                cumulative += weight;
                (cumulative, kind, layout.with_roles(reporters(kind)))
            })
            .collect();
        EventMix {
            rng,
            layout,
            prefix: format!("{}-{:02}", plan.run_id, plan.stream),
            site: plan.site.clone(),
            drill: plan.drill.clone(),
            profile: plan.profile,
            table,
            restores: BinaryHeap::new(),
            count: 0,
        }
    }

    /// The devices this stream simulates.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// How many events have been generated.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Restores still owed for alarms already sent.
    pub fn pending_restores(&self) -> usize {
        self.restores.len()
    }

    /// The next event, stamped `at`: a restore that has come due, or a newly drawn event.
    pub fn next_event(&mut self, at: OffsetDateTime) -> DeviceEvent {
        let due = self
            .restores
            .peek()
            .is_some_and(|Reverse(r)| r.due <= self.count);
        let (kind, device) = match self.restores.pop() {
            Some(Reverse(r)) if due => (r.kind, r.device),
            Some(r) => {
                self.restores.push(r);
                self.draw()
            }
            None => self.draw(),
        };
        if self.profile.restores()
            && let Some((restore, per_mille)) = restore_of(kind)
            && self.rng.chance(per_mille)
        {
            let later = self.rng.between(RESTORE_AFTER.0, RESTORE_AFTER.1);
            self.restores.push(Reverse(DueRestore {
                due: self.count + later,
                kind: restore,
                device,
            }));
        }
        let event = self.event(kind, device, at);
        self.count += 1;
        event
    }

    /// Draws a kind by weight and a device that reports it.
    fn draw(&mut self) -> (EventKind, usize) {
        let n = self.rng.below(u64::from(WEIGHT_TOTAL)) as u32;
        let row = self
            .table
            .iter()
            .find(|(upto, _, _)| n < *upto)
            .or(self.table.last());
        let Some((_, kind, devices)) = row else {
            return (EventKind::Heartbeat, 0);
        };
        let device = self.rng.pick(devices).copied().unwrap_or(0);
        (*kind, device)
    }

    fn event(&mut self, kind: EventKind, device: usize, at: OffsetDateTime) -> DeviceEvent {
        let detail = self.detail(kind, device);
        let d = self.layout.devices.get(device);
        DeviceEvent {
            id: format!("{}:{:07}", self.prefix, self.count),
            kind,
            device: d.map_or_else(|| "gateway".to_string(), |d| d.id.clone()),
            site: self.site.clone(),
            building: d.map(|d| d.building.clone()),
            floor: d.map(|d| d.floor.clone()),
            zone: d.map(|d| d.zone.clone()),
            at,
            drill: self.drill.clone(),
            detail: detail.into(),
        }
    }

    /// What a real unit adds to its report of `kind`.
    fn detail(&mut self, kind: EventKind, device: usize) -> Value {
        use EventKind::*;
        let role = self.layout.devices.get(device).map(|d| d.role);
        let rng = &mut self.rng;
        let pick = |rng: &mut Rng, items: &[&'static str]| rng.pick(items).copied().unwrap_or("");
        match kind {
            FireTrouble => json!({ "fault": pick(rng, &[
                "detector dirty", "loop open circuit", "earth fault",
                "standby battery low", "mains power lost", "detector removed",
            ]) }),
            FireAlarm | FirePrealarm => json!({ "signal": match role {
                Some(Role::HeatDetector) => "heat",
                Some(Role::CallPoint) => "manual call point",
                _ => "smoke",
            } }),
            FireSupervisory => json!({ "signal": pick(rng, &[
                "valve closed", "water flow", "low pressure",
            ]) }),
            AccessDenied => json!({
                "card": format!("{:08X}", rng.next_u64() & 0xFFFF_FFFF),
                "reason": pick(rng, &["card expired", "unknown card", "outside schedule"]),
            }),
            AccessHeldOpen => json!({ "open_seconds": rng.between(30, 600) }),
            AccessTamper => json!({ "part": pick(rng, &["reader cover", "controller box"]) }),
            ElevatorEntrapment => json!({
                "stopped_at_floor": rng.between(1, 30),
                "between_floors": rng.chance(600),
            }),
            ElevatorFault => json!({ "fault": pick(rng, &[
                "door lock fault", "overspeed governor", "power failure", "levelling error",
            ]) }),
            _ => Value::Null,
        }
    }
}

#[cfg(test)]
#[path = "mix_tests.rs"]
mod tests;
