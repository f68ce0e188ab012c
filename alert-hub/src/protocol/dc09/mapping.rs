//! What a Contact ID or SIA DCS event means in device protocol v1: the event kind it is
//! stored as. The table is in `docs/protocol.md`; codes it does not list are kept as
//! [`EventKind::UnknownCode`], never dropped.

use crate::protocol::EventKind;

/// One event read from a frame's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signal {
    /// The event code: three digits for Contact ID (`110`), two letters for SIA DCS (`FA`).
    pub code: String,
    /// Contact ID qualifier 3: the condition has cleared.
    pub restore: bool,
    /// The Contact ID qualifier (1 new, 3 restore, 6 still present).
    pub qualifier: Option<u8>,
    /// The Contact ID group (partition) or the SIA area (`ri`).
    pub group: Option<String>,
    /// The zone or user number.
    pub number: Option<String>,
    /// The SIA user (`id`) given before the code.
    pub user: Option<String>,
    /// The event as the panel wrote it, e.g. `1110 01 003`.
    pub text: String,
}

/// What a signal means before the panel's kind is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// This kind whatever the panel.
    Kind(EventKind),
    /// A trouble (or its restore): `fire.trouble` from a fire panel, `elevator.fault` from a
    /// lift unit.
    Trouble { restore: bool },
    /// A code this receiver does not map: stored as [`EventKind::UnknownCode`].
    Unknown,
}

/// Which kinds troubles become for the panel an account belongs to; `None` where the panel
/// kind has no trouble kind (troubles are then unknown codes, for a person to look at).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TroubleKinds {
    pub trouble: Option<EventKind>,
    pub restore: Option<EventKind>,
}

impl Meaning {
    /// The event kind this meaning is stored as for a panel with `troubles`.
    pub fn kind(self, troubles: TroubleKinds) -> EventKind {
        match self {
            Meaning::Kind(kind) => kind,
            Meaning::Trouble { restore: false } => {
                troubles.trouble.unwrap_or(EventKind::UnknownCode)
            }
            Meaning::Trouble { restore: true } => {
                troubles.restore.unwrap_or(EventKind::UnknownCode)
            }
            Meaning::Unknown => EventKind::UnknownCode,
        }
    }
}

/// The meaning of a Contact ID event (qualifier and code).
pub fn contact_id_meaning(signal: &Signal) -> Meaning {
    use EventKind::*;
    let Ok(code) = signal.code.parse::<u16>() else {
        return Meaning::Unknown;
    };
    let restore = signal.restore;
    let pick =
        |alarm: EventKind, cleared: EventKind| Meaning::Kind(if restore { cleared } else { alarm });
    match code {
        110..=119 => pick(FireAlarm, FireRestore),
        120..=123 => pick(AccessDuress, AccessRestore),
        137 => pick(AccessTamper, AccessRestore),
        130..=139 => pick(AccessForced, AccessRestore),
        300..=399 => Meaning::Trouble { restore },
        423 => pick(AccessForced, AccessRestore),
        426 => pick(AccessHeldOpen, AccessRestore),
        602 => Meaning::Kind(Heartbeat),
        _ => Meaning::Unknown,
    }
}

/// The meaning of a SIA DCS event code.
pub fn sia_meaning(signal: &Signal) -> Meaning {
    use EventKind::*;
    let kind = match signal.code.as_str() {
        "FA" => FireAlarm,
        "FH" | "FR" | "FV" => FireRestore,
        "FS" => FireSupervisory,
        "FT" | "YX" | "AT" | "YT" => return Meaning::Trouble { restore: false },
        "FJ" | "AR" | "YR" => return Meaning::Trouble { restore: true },
        "HA" | "PA" => AccessDuress,
        "HH" | "PH" => AccessRestore,
        "BA" | "DF" => AccessForced,
        "BH" | "BR" | "TR" | "DR" => AccessRestore,
        "TA" => AccessTamper,
        "DN" => AccessHeldOpen,
        "DD" => AccessDenied,
        "RP" | "RX" => Heartbeat,
        _ => return Meaning::Unknown,
    };
    Meaning::Kind(kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::dc09::{parse_contact_id, parse_sia};
    use EventKind::*;

    const FIRE_PANEL: TroubleKinds = TroubleKinds {
        trouble: Some(FireTrouble),
        restore: Some(FireRestore),
    };
    const NO_TROUBLES: TroubleKinds = TroubleKinds {
        trouble: None,
        restore: None,
    };

    fn cid(code: &str) -> EventKind {
        let signal = parse_contact_id(code).expect("reads");
        contact_id_meaning(&signal).kind(FIRE_PANEL)
    }

    fn sia(data: &str) -> EventKind {
        let signal = parse_sia(data).expect("reads").remove(0);
        sia_meaning(&signal).kind(FIRE_PANEL)
    }

    #[test]
    fn contact_id_codes_as_the_issue_lists_them() {
        let table = [
            ("1110 01 003", FireAlarm),
            ("1118 01 003", FireAlarm),
            ("6110 01 003", FireAlarm),
            ("3110 01 003", FireRestore),
            ("1121 01 007", AccessDuress),
            ("3121 01 007", AccessRestore),
            ("1120 01 000", AccessDuress),
            ("1122 01 000", AccessDuress),
            ("1123 01 000", AccessDuress),
            ("1130 01 004", AccessForced),
            ("1134 01 004", AccessForced),
            ("1137 01 004", AccessTamper),
            ("3137 01 004", AccessRestore),
            ("1301 01 000", FireTrouble),
            ("1373 01 000", FireTrouble),
            ("3301 01 000", FireRestore),
            ("1423 01 002", AccessForced),
            ("1426 01 002", AccessHeldOpen),
            ("1602 00 000", Heartbeat),
            ("1628 01 000", UnknownCode),
            ("1100 01 000", UnknownCode),
            ("1151 01 000", UnknownCode),
        ];
        for (code, kind) in table {
            assert_eq!(cid(code), kind, "{code}");
        }
    }

    #[test]
    fn sia_codes_as_the_issue_lists_them() {
        let table = [
            ("NFA003", FireAlarm),
            ("NFH003", FireRestore),
            ("NFR003", FireRestore),
            ("NFT003", FireTrouble),
            ("NFJ003", FireRestore),
            ("NFS003", FireSupervisory),
            ("NHA002", AccessDuress),
            ("NPA002", AccessDuress),
            ("NBA004", AccessForced),
            ("NBR004", AccessRestore),
            ("NTA004", AccessTamper),
            ("NYX", FireTrouble),
            ("NRP", Heartbeat),
            ("NZZ001", UnknownCode),
            ("NCL001", UnknownCode),
        ];
        for (data, kind) in table {
            assert_eq!(sia(data), kind, "{data}");
        }
    }

    #[test]
    fn troubles_follow_the_panel_kind() {
        let trouble = parse_contact_id("1301 01 000").expect("reads");
        let lift = TroubleKinds {
            trouble: Some(ElevatorFault),
            restore: Some(ElevatorRestore),
        };
        assert_eq!(contact_id_meaning(&trouble).kind(lift), ElevatorFault);
        assert_eq!(contact_id_meaning(&trouble).kind(NO_TROUBLES), UnknownCode);
    }
}
