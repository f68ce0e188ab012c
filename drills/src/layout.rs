//! Simulated sites: buildings, floors, zones and the devices in them, laid out
//! deterministically from a seed so that a run can be repeated exactly.

use crate::rng::Rng;

/// What a simulated device is; it decides which event kinds the device reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// A building's fire-alarm control panel; it sends heartbeats and panel troubles.
    FirePanel,
    /// A building's access-control controller; it sends heartbeats.
    AccessController,
    SmokeDetector,
    /// Heat detectors guard the basement garage and plant rooms.
    HeatDetector,
    /// A manual call point (break glass).
    CallPoint,
    /// A sprinkler flow switch or valve monitor: supervisory signals.
    FlowSwitch,
    DoorReader,
    /// A lift car's remote-alarm unit (EN 81-28); it sends heartbeats too.
    LiftCar,
}

impl Role {
    /// Every role, in a fixed order.
    pub const ALL: [Role; 8] = [
        Role::FirePanel,
        Role::AccessController,
        Role::SmokeDetector,
        Role::HeatDetector,
        Role::CallPoint,
        Role::FlowSwitch,
        Role::DoorReader,
        Role::LiftCar,
    ];

    fn prefix(self) -> &'static str {
        match self {
            Role::FirePanel => "fp",
            Role::AccessController => "ac",
            Role::SmokeDetector => "smoke",
            Role::HeatDetector => "heat",
            Role::CallPoint => "mcp",
            Role::FlowSwitch => "flow",
            Role::DoorReader => "door",
            Role::LiftCar => "lift",
        }
    }
}

/// One simulated device and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// Unique within the site, e.g. `smoke-B2-07F-03`.
    pub id: String,
    pub role: Role,
    pub building: String,
    pub floor: String,
    pub zone: String,
}

/// The devices of one simulated source (a gateway serving one or more buildings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub site: String,
    pub buildings: Vec<String>,
    pub devices: Vec<Device>,
}

/// About this many devices share one building before another building is added.
pub const DEVICES_PER_BUILDING: usize = 80;

/// Every building has a panel, a controller, two lift cars and one device of each other role.
const FIXED_PER_BUILDING: [Role; 9] = [
    Role::FirePanel,
    Role::AccessController,
    Role::LiftCar,
    Role::LiftCar,
    Role::SmokeDetector,
    Role::HeatDetector,
    Role::CallPoint,
    Role::FlowSwitch,
    Role::DoorReader,
];

/// How the devices beyond the fixed ones are spread over roles, in parts per hundred.
const FILL: [(Role, u64); 5] = [
    (Role::SmokeDetector, 62),
    (Role::HeatDetector, 8),
    (Role::CallPoint, 10),
    (Role::FlowSwitch, 5),
    (Role::DoorReader, 15),
];

const CORRIDORS: [&str; 5] = [
    "east corridor",
    "west corridor",
    "lift lobby",
    "stairwell",
    "electrical room",
];
const BASEMENT: [&str; 3] = ["garage north", "garage south", "pump room"];
const DOORS: [(&str, &str); 4] = [
    ("1", "1F lobby main door"),
    ("1", "1F side door"),
    ("1", "1F property office"),
    ("B1", "B1 garage lift lobby door"),
];

impl Layout {
    /// Lays out about `devices` devices over buildings numbered from `first_building`
    /// (`B<n>`), one building per [`DEVICES_PER_BUILDING`]. Each building always gets its
    /// fixed equipment, so a layout may hold a few more devices than asked for.
    pub fn generate(site: &str, first_building: u32, devices: usize, rng: &mut Rng) -> Layout {
        let count = devices.div_ceil(DEVICES_PER_BUILDING).max(1);
        let mut layout = Layout {
            site: site.to_string(),
            buildings: Vec::with_capacity(count),
            devices: Vec::with_capacity(devices),
        };
        for n in 0..count {
            let name = format!("B{}", first_building as usize + n);
            let share = devices / count + usize::from(n < devices % count);
            layout.add_building(&name, share, rng);
            layout.buildings.push(name);
        }
        layout
    }

    fn add_building(&mut self, building: &str, share: usize, rng: &mut Rng) {
        let floors = rng.between(6, 32);
        let mut builder = BuildingBuilder {
            building,
            floors,
            devices: Vec::new(),
        };
        for role in FIXED_PER_BUILDING {
            builder.add(role, rng);
        }
        for _ in FIXED_PER_BUILDING.len()..share {
            builder.add(fill_role(rng), rng);
        }
        self.devices.extend(builder.devices);
    }

    /// The indices of the devices that have one of `roles`.
    pub fn with_roles(&self, roles: &[Role]) -> Vec<usize> {
        (0..self.devices.len())
            .filter(|&i| self.devices.get(i).is_some_and(|d| roles.contains(&d.role)))
            .collect()
    }
}

fn fill_role(rng: &mut Rng) -> Role {
    let mut n = rng.below(100);
    for (role, share) in FILL {
        if n < share {
            return role;
        }
        n -= share;
    }
    Role::SmokeDetector
}

struct BuildingBuilder<'a> {
    building: &'a str,
    floors: u64,
    devices: Vec<Device>,
}

impl BuildingBuilder<'_> {
    fn add(&mut self, role: Role, rng: &mut Rng) {
        let b = self.building;
        let (floor, zone) = match role {
            Role::FirePanel => ("1".to_string(), format!("{b} fire control room")),
            Role::AccessController => ("1".to_string(), format!("{b} security room")),
            Role::LiftCar => ("1".to_string(), String::new()),
            Role::HeatDetector => {
                let place = rng.pick(&BASEMENT).copied().unwrap_or("garage north");
                ("B1".to_string(), format!("B1 {place}"))
            }
            Role::DoorReader => {
                let (floor, zone) = rng.pick(&DOORS).copied().unwrap_or(DOORS[0]);
                (floor.to_string(), zone.to_string())
            }
            Role::FlowSwitch => {
                let floor = rng.between(1, self.floors);
                (floor.to_string(), format!("{floor}F sprinkler zone"))
            }
            Role::SmokeDetector | Role::CallPoint => {
                let floor = rng.between(1, self.floors);
                let place = rng.pick(&CORRIDORS).copied().unwrap_or("lift lobby");
                (floor.to_string(), format!("{floor}F {place}"))
            }
        };
        let same = |d: &&Device| d.role == role && d.floor == floor;
        let number = self.devices.iter().filter(same).count() + 1;
        let id = match role {
            Role::FirePanel | Role::AccessController => format!("{}-{b}", role.prefix()),
            Role::LiftCar => format!("lift-{b}-L{number}"),
            _ => format!("{}-{b}-{}-{number:02}", role.prefix(), floor_tag(&floor)),
        };
        let zone = if role == Role::LiftCar {
            format!("{b} lift car {number}")
        } else {
            zone
        };
        self.devices.push(Device {
            id,
            role,
            building: b.to_string(),
            floor,
            zone,
        });
    }
}

/// `07F` for floor 7, `B1` for the basement.
fn floor_tag(floor: &str) -> String {
    match floor.parse::<u32>() {
        Ok(n) => format!("{n:02}F"),
        Err(_) => floor.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_building_has_its_fixed_equipment_and_ids_are_unique() {
        let layout = Layout::generate("green-garden", 3, 200, &mut Rng::new(5));
        assert_eq!(layout.buildings, ["B3", "B4", "B5"]);
        assert_eq!(layout.devices.len(), 200);
        for building in &layout.buildings {
            for role in Role::ALL {
                assert!(
                    layout
                        .devices
                        .iter()
                        .any(|d| &d.building == building && d.role == role),
                    "{building} has no {role:?}"
                );
            }
        }
        let ids: HashSet<&str> = layout.devices.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids.len(), layout.devices.len());
    }

    #[test]
    fn device_ids_read_like_site_labels() {
        let layout = Layout::generate("gg", 2, 80, &mut Rng::new(1));
        let ids: Vec<&str> = layout.devices.iter().map(|d| d.id.as_str()).collect();
        assert!(ids.contains(&"fp-B2"));
        assert!(ids.contains(&"lift-B2-L2"));
        let smoke = layout
            .devices
            .iter()
            .find(|d| d.role == Role::SmokeDetector)
            .expect("a smoke detector");
        let tag = format!(
            "{:02}F",
            smoke.floor.parse::<u32>().expect("a floor number")
        );
        assert!(
            smoke.id.starts_with(&format!("smoke-B2-{tag}-")),
            "{smoke:?}"
        );
        assert!(
            smoke.zone.starts_with(&format!("{}F ", smoke.floor)),
            "{smoke:?}"
        );
    }

    #[test]
    fn a_tiny_device_count_still_gets_one_whole_building() {
        let layout = Layout::generate("gg", 1, 1, &mut Rng::new(1));
        assert_eq!(layout.devices.len(), FIXED_PER_BUILDING.len());
    }
}
