//! Incident classes: which event kinds correlate into one incident, and where.

use serde::{Deserialize, Serialize};

use crate::protocol::{EventKind, IncidentView, Priority};

/// A class of incident. Events of one class, site and spot join one open incident; classes
/// follow the signal classes of NFPA 72 (alarm, supervisory, trouble) so that a trouble never
/// hides an alarm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// `fire.alarm` and `fire.prealarm` of one zone.
    FireAlarm,
    FireSupervisory,
    FireTrouble,
    /// A duress code: a person under threat.
    Duress,
    /// `access.forced` and `access.held_open` of one door (zone).
    Door,
    Tamper,
    /// People trapped in one lift car.
    Entrapment,
    ElevatorFault,
    /// A source that stopped reporting.
    CommsLost,
    /// A panel code the hub does not map, of one zone or device.
    UnknownCode,
    /// A report opened by an operator: never joined by another event.
    Reported,
}

impl Class {
    /// The class a device event opens or joins; `None` for kinds that open nothing
    /// (restores, releases, denied access, heartbeats).
    pub fn of(kind: EventKind) -> Option<Class> {
        use EventKind::*;
        Some(match kind {
            FireAlarm | FirePrealarm => Class::FireAlarm,
            FireSupervisory => Class::FireSupervisory,
            FireTrouble => Class::FireTrouble,
            AccessDuress => Class::Duress,
            AccessForced | AccessHeldOpen => Class::Door,
            AccessTamper => Class::Tamper,
            ElevatorEntrapment => Class::Entrapment,
            ElevatorFault => Class::ElevatorFault,
            CommsLost => Class::CommsLost,
            UnknownCode => Class::UnknownCode,
            GasLeak | Flood | Medical | PublicSecurity => Class::Reported,
            FireRestore | AccessDenied | AccessRestore | ElevatorReleased | ElevatorRestore
            | Heartbeat => return None,
        })
    }

    /// The classes a restore or release kind clears.
    pub fn cleared_by(kind: EventKind) -> &'static [Class] {
        match kind {
            EventKind::FireRestore => {
                &[Class::FireAlarm, Class::FireSupervisory, Class::FireTrouble]
            }
            EventKind::AccessRestore => &[Class::Door, Class::Tamper],
            EventKind::ElevatorReleased => &[Class::Entrapment],
            EventKind::ElevatorRestore => &[Class::ElevatorFault],
            _ => &[],
        }
    }

    /// The priority an event of `kind` gives an incident of this class.
    pub fn priority_of(self, kind: EventKind) -> Priority {
        kind.priority().unwrap_or(Priority::P4)
    }

    /// Lift incidents correlate per car and supervision per source, whatever zone is named.
    fn by_device(self) -> bool {
        matches!(
            self,
            Class::Entrapment | Class::ElevatorFault | Class::CommsLost
        )
    }
}

/// Where events correlate: a zone, or a device when the class is per device or no zone is named.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Spot(pub String);

impl Spot {
    /// The spot of an event of `class` from `device` in `zone` of `building` (zone names
    /// repeat across buildings: "7F east corridor" is in every tower).
    pub fn of(class: Class, device: &str, building: Option<&str>, zone: Option<&str>) -> Spot {
        match zone {
            Some(z) if !class.by_device() => Spot(format!("zone:{}/{z}", building.unwrap_or(""))),
            _ => Spot(format!("device:{device}")),
        }
    }

    /// The spot of an incident as it was opened.
    pub fn of_view(class: Class, view: &IncidentView) -> Spot {
        let device = view
            .devices
            .first()
            .map(String::as_str)
            .unwrap_or(&view.source);
        Spot::of(
            class,
            device,
            view.location.building.as_deref(),
            view.location.zone.as_deref(),
        )
    }
}
