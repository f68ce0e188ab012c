//! Device protocol v1, an external contract kept exactly: event frames, event kinds and
//! their priorities, the ack and nack answers, and events as the hub stores them.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Detail, Location};

/// The largest device frame the hub accepts, in bytes; larger frames are refused with `too_large`.
pub const MAX_DEVICE_FRAME_BYTES: usize = 64 * 1024;

/// What a device reports. The wire name is the dotted form, e.g. `fire.alarm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EventKind {
    #[serde(rename = "fire.alarm")]
    FireAlarm,
    #[serde(rename = "fire.prealarm")]
    FirePrealarm,
    #[serde(rename = "fire.supervisory")]
    FireSupervisory,
    #[serde(rename = "fire.trouble")]
    FireTrouble,
    #[serde(rename = "fire.restore")]
    FireRestore,
    #[serde(rename = "access.forced")]
    AccessForced,
    #[serde(rename = "access.held_open")]
    AccessHeldOpen,
    #[serde(rename = "access.denied")]
    AccessDenied,
    #[serde(rename = "access.tamper")]
    AccessTamper,
    #[serde(rename = "access.duress")]
    AccessDuress,
    #[serde(rename = "access.restore")]
    AccessRestore,
    #[serde(rename = "elevator.entrapment")]
    ElevatorEntrapment,
    #[serde(rename = "elevator.released")]
    ElevatorReleased,
    #[serde(rename = "elevator.fault")]
    ElevatorFault,
    #[serde(rename = "elevator.restore")]
    ElevatorRestore,
    #[serde(rename = "heartbeat")]
    Heartbeat,
    /// Raised by the hub itself when a source stops reporting; never accepted from a device.
    #[serde(rename = "comms.lost")]
    CommsLost,
    /// Reported to the control room (by phone or in person) and opened by an operator; never
    /// accepted from a device.
    /// An alarm panel's code the hub does not map (an SIA DC-09 receiver stores it as it came,
    /// code and all, for a person to look at); never accepted from a device.
    #[serde(rename = "panel.unknown_code")]
    UnknownCode,
    #[serde(rename = "manual.gas_leak")]
    GasLeak,
    #[serde(rename = "manual.flood")]
    Flood,
    #[serde(rename = "manual.medical")]
    Medical,
    #[serde(rename = "manual.public_security")]
    PublicSecurity,
}

impl EventKind {
    /// Every kind a device may send, in the order DESIGN.md lists them.
    pub const DEVICE_KINDS: [EventKind; 16] = [
        EventKind::FireAlarm,
        EventKind::FirePrealarm,
        EventKind::FireSupervisory,
        EventKind::FireTrouble,
        EventKind::FireRestore,
        EventKind::AccessForced,
        EventKind::AccessHeldOpen,
        EventKind::AccessDenied,
        EventKind::AccessTamper,
        EventKind::AccessDuress,
        EventKind::AccessRestore,
        EventKind::ElevatorEntrapment,
        EventKind::ElevatorReleased,
        EventKind::ElevatorFault,
        EventKind::ElevatorRestore,
        EventKind::Heartbeat,
    ];

    /// The name a person reads, in Chinese and English, e.g. `("火警", "Fire alarm")`.
    pub fn names(self) -> (&'static str, &'static str) {
        use EventKind::*;
        match self {
            FireAlarm => ("火警", "Fire alarm"),
            FirePrealarm => ("火灾预警", "Pre-alarm"),
            FireSupervisory => ("消防监管", "Supervisory"),
            FireTrouble => ("消防故障", "Fire trouble"),
            FireRestore => ("消防恢复", "Fire restore"),
            AccessForced => ("门被强开", "Door forced"),
            AccessHeldOpen => ("门长时间未关", "Door held"),
            AccessDenied => ("刷卡被拒", "Denied"),
            AccessTamper => ("门禁防拆", "Tamper"),
            AccessDuress => ("胁迫报警", "Duress"),
            AccessRestore => ("门禁恢复", "Door restore"),
            ElevatorEntrapment => ("电梯困人", "Lift trapped"),
            ElevatorReleased => ("电梯解困", "Lift released"),
            ElevatorFault => ("电梯故障", "Lift fault"),
            ElevatorRestore => ("电梯恢复", "Lift restore"),
            Heartbeat => ("心跳", "Heartbeat"),
            CommsLost => ("通信中断", "Comms lost"),
            UnknownCode => ("未识别的报警代码", "Unknown panel code"),
            GasLeak => ("燃气泄漏", "Gas leak"),
            Flood => ("漏水水浸", "Flood"),
            Medical => ("急救", "Medical"),
            PublicSecurity => ("治安事件", "Public security"),
        }
    }

    /// The wire name, e.g. `fire.alarm`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::FireAlarm => "fire.alarm",
            EventKind::FirePrealarm => "fire.prealarm",
            EventKind::FireSupervisory => "fire.supervisory",
            EventKind::FireTrouble => "fire.trouble",
            EventKind::FireRestore => "fire.restore",
            EventKind::AccessForced => "access.forced",
            EventKind::AccessHeldOpen => "access.held_open",
            EventKind::AccessDenied => "access.denied",
            EventKind::AccessTamper => "access.tamper",
            EventKind::AccessDuress => "access.duress",
            EventKind::AccessRestore => "access.restore",
            EventKind::ElevatorEntrapment => "elevator.entrapment",
            EventKind::ElevatorReleased => "elevator.released",
            EventKind::ElevatorFault => "elevator.fault",
            EventKind::ElevatorRestore => "elevator.restore",
            EventKind::Heartbeat => "heartbeat",
            EventKind::CommsLost => "comms.lost",
            EventKind::UnknownCode => "panel.unknown_code",
            EventKind::GasLeak => "manual.gas_leak",
            EventKind::Flood => "manual.flood",
            EventKind::Medical => "manual.medical",
            EventKind::PublicSecurity => "manual.public_security",
        }
    }

    /// The kinds an operator opens by hand for a report that reached the control room.
    pub const REPORTED_KINDS: [EventKind; 4] = [
        EventKind::GasLeak,
        EventKind::Flood,
        EventKind::Medical,
        EventKind::PublicSecurity,
    ];

    /// The kind a device may send under this wire name; `comms.lost` is the hub's own and is
    /// not accepted from a device.
    pub fn from_device(name: &str) -> Option<EventKind> {
        Self::DEVICE_KINDS.into_iter().find(|k| k.as_str() == name)
    }

    /// The priority of an incident this kind raises, or `None` for kinds that raise no incident
    /// by themselves (restores, releases, denied access, heartbeats).
    pub fn priority(self) -> Option<Priority> {
        use EventKind::*;
        match self {
            FireAlarm | AccessDuress | ElevatorEntrapment | GasLeak | Medical => Some(Priority::P1),
            AccessForced | FirePrealarm | Flood | PublicSecurity => Some(Priority::P2),
            FireSupervisory | AccessHeldOpen | AccessTamper | UnknownCode => Some(Priority::P3),
            FireTrouble | CommsLost | ElevatorFault => Some(Priority::P4),
            FireRestore | AccessDenied | AccessRestore | ElevatorReleased | ElevatorRestore
            | Heartbeat => None,
        }
    }

    /// The family the kind belongs to: fire, access, elevator or the hub's own supervision.
    pub fn family(self) -> Family {
        use EventKind::*;
        match self {
            FireAlarm | FirePrealarm | FireSupervisory | FireTrouble | FireRestore => Family::Fire,
            AccessForced | AccessHeldOpen | AccessDenied | AccessTamper | AccessDuress
            | AccessRestore => Family::Access,
            ElevatorEntrapment | ElevatorReleased | ElevatorFault | ElevatorRestore => {
                Family::Elevator
            }
            Heartbeat | CommsLost | UnknownCode => Family::Supervision,
            GasLeak | Flood | Medical | PublicSecurity => Family::Reported,
        }
    }

    /// True for the kinds that report a condition has cleared (`*.restore`, `elevator.released`).
    pub fn is_restore(self) -> bool {
        matches!(
            self,
            EventKind::FireRestore
                | EventKind::AccessRestore
                | EventKind::ElevatorReleased
                | EventKind::ElevatorRestore
        )
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The family of an event kind, the first part of its wire name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    Fire,
    Access,
    Elevator,
    Supervision,
    /// Reported to the control room and opened by an operator.
    Reported,
}

/// Incident priority; `P1` is the most urgent and always sorts first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Priority {
    P1 = 1,
    P2 = 2,
    P3 = 3,
    P4 = 4,
}

impl std::fmt::Display for Priority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "P{}", *self as u8)
    }
}

/// One event frame from a device, as DESIGN.md's device protocol v1 defines it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceEvent {
    /// Unique per source; the source itself comes from the connection's token.
    pub id: String,
    pub kind: EventKind,
    pub device: String,
    pub site: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// When the device saw it (the device's clock).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// `None` for a real event, or the id of the running drill it belongs to.
    pub drill: Option<String>,
    #[serde(default, skip_serializing_if = "Detail::is_null")]
    pub detail: Detail,
}

impl DeviceEvent {
    /// Where the event happened, as precisely as the device said.
    pub fn location(&self) -> Location {
        Location {
            site: self.site.clone(),
            building: self.building.clone(),
            floor: self.floor.clone(),
            zone: self.zone.clone(),
        }
    }
}

/// The hub's answer to one device frame. Exactly one is sent per frame, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DeviceReply {
    Ack(Ack),
    Nack(Nack),
}

/// The event is durably stored (or was already, when `duplicate` is true).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ack {
    pub ack: String,
    pub seq: u64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub duplicate: bool,
}

/// The frame was refused; nothing was stored and the connection stays open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Nack {
    /// The frame's id when one could be read, else `null`.
    pub nack: Option<String>,
    pub error: NackCode,
    /// A sentence a person installing or debugging the device can act on.
    pub message: String,
}

/// Why a device frame was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NackCode {
    MalformedJson,
    MissingField,
    UnknownKind,
    BadTimestamp,
    UnknownSite,
    DrillNotRunning,
    TooLarge,
    RateLimited,
    /// The hub cannot store events now (its store is failing); nothing was stored: resend
    /// later. A device that does not know the code still sees a nack and resends.
    StoreUnavailable,
}

impl NackCode {
    /// Every code, for metrics that list each one even at zero.
    pub const ALL: [NackCode; 9] = [
        NackCode::MalformedJson,
        NackCode::MissingField,
        NackCode::UnknownKind,
        NackCode::BadTimestamp,
        NackCode::UnknownSite,
        NackCode::DrillNotRunning,
        NackCode::TooLarge,
        NackCode::RateLimited,
        NackCode::StoreUnavailable,
    ];

    /// The wire name, e.g. `malformed_json`.
    pub fn as_str(self) -> &'static str {
        match self {
            NackCode::MalformedJson => "malformed_json",
            NackCode::MissingField => "missing_field",
            NackCode::UnknownKind => "unknown_kind",
            NackCode::BadTimestamp => "bad_timestamp",
            NackCode::UnknownSite => "unknown_site",
            NackCode::DrillNotRunning => "drill_not_running",
            NackCode::TooLarge => "too_large",
            NackCode::RateLimited => "rate_limited",
            NackCode::StoreUnavailable => "store_unavailable",
        }
    }
}

/// A device event as the hub stored it: with the source it came from and its global sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "StoredEventFields")]
pub struct StoredEvent {
    pub seq: u64,
    pub source: String,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    #[serde(flatten)]
    pub event: DeviceEvent,
}

/// A stored event's fields read one by one: reading through `flatten` would pass `detail`
/// through serde's buffer, which keeps no raw text and turns long numbers into floats.
#[derive(Deserialize)]
struct StoredEventFields {
    seq: u64,
    source: String,
    #[serde(with = "time::serde::rfc3339")]
    received_at: OffsetDateTime,
    id: String,
    kind: EventKind,
    device: String,
    site: String,
    #[serde(default)]
    building: Option<String>,
    #[serde(default)]
    floor: Option<String>,
    #[serde(default)]
    zone: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
    #[serde(default)]
    drill: Option<String>,
    #[serde(default)]
    detail: Detail,
}

impl From<StoredEventFields> for StoredEvent {
    fn from(f: StoredEventFields) -> StoredEvent {
        StoredEvent {
            seq: f.seq,
            source: f.source,
            received_at: f.received_at,
            event: DeviceEvent {
                id: f.id,
                kind: f.kind,
                device: f.device,
                site: f.site,
                building: f.building,
                floor: f.floor,
                zone: f.zone,
                at: f.at,
                drill: f.drill,
                detail: f.detail,
            },
        }
    }
}
