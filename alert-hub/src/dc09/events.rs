//! A DC-09 frame's events as device protocol v1 events of the account's source: kind by the
//! mapping table, zone or user to `detail` and through the account's zone table to device and
//! place, and an id that is the same whenever the panel sends the frame again.

use serde_json::json;
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::config::{Dc09Account, Source, SourceKind, ZonePlace};
use crate::protocol::dc09::{
    Content, Frame, Meaning, Signal, Token, TroubleKinds, contact_id_meaning, parse_contact_id,
    parse_sia, sia_meaning,
};
use crate::protocol::{DeviceEvent, EventKind};

/// The kinds troubles become for a source of `kind`.
pub fn trouble_kinds(kind: SourceKind) -> TroubleKinds {
    match kind {
        SourceKind::FirePanel | SourceKind::Gateway => TroubleKinds {
            trouble: Some(EventKind::FireTrouble),
            restore: Some(EventKind::FireRestore),
        },
        SourceKind::ElevatorUnit => TroubleKinds {
            trouble: Some(EventKind::ElevatorFault),
            restore: Some(EventKind::ElevatorRestore),
        },
        SourceKind::AccessController => TroubleKinds {
            trouble: None,
            restore: None,
        },
    }
}

/// The id of a frame's `n`th event: account, sequence and timestamp (the receiving second
/// when the frame has none: then a re-sent frame is stored again rather than risk taking a
/// new alarm for an old one).
pub fn event_id(
    frame: &Frame,
    timestamp: Option<PrimitiveDateTime>,
    now: OffsetDateTime,
    n: usize,
) -> String {
    let when = match timestamp {
        Some(t) => format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        None => format!("r{}", now.unix_timestamp()),
    };
    let mut id = format!("dc09:{}:{}:{when}", frame.route.account, frame.route.seq);
    if n > 0 {
        id.push_str(&format!("/{n}"));
    }
    id
}

/// What a frame's data carries, read by its token; `Err` says why it cannot be read, or
/// that the token is not supported.
pub fn signals(frame: &Frame, content: &Content) -> Result<Vec<(Signal, Meaning)>, String> {
    match &frame.token {
        Token::ContactId => {
            let s = parse_contact_id(&content.data)?;
            let meaning = contact_id_meaning(&s);
            Ok(vec![(s, meaning)])
        }
        Token::SiaDcs => Ok(parse_sia(&content.data)?
            .into_iter()
            .map(|s| {
                let meaning = sia_meaning(&s);
                (s, meaning)
            })
            .collect()),
        Token::Null => Ok(Vec::new()),
        Token::Other(name) => Err(format!("messages of type \"{name}\" are not supported")),
    }
}

/// Contact ID codes whose number is a user, not a zone: duress and openings and closings.
fn number_is_user(frame: &Frame, signal: &Signal) -> bool {
    let opening_or_closing =
        signal.code.starts_with('4') && !matches!(signal.code.as_str(), "423" | "426");
    frame.token == Token::ContactId && (signal.code == "121" || opening_or_closing)
}

/// The place of zone or user `number` in the account's table, as written there or with the
/// leading zeros Contact ID writes (`3` is `003`).
fn zone_place<'a>(account: &'a Dc09Account, number: &str) -> Option<&'a ZonePlace> {
    account
        .zones
        .get(number)
        .or_else(|| account.zones.get(&format!("{number:0>3}")))
}

/// The events of a frame from `account`, stored as `source`'s: one per signal, or one
/// heartbeat for a `NULL` supervision frame.
pub fn device_events(
    frame: &Frame,
    content: &Content,
    signals: &[(Signal, Meaning)],
    account: &Dc09Account,
    source: &Source,
    now: OffsetDateTime,
) -> Vec<DeviceEvent> {
    let at = content.timestamp.map_or(now, |t| t.assume_utc());
    let panel = format!("dc09-{}", frame.route.account);
    if signals.is_empty() {
        let detail = json!({
            "dc09": { "account": frame.route.account, "seq": frame.route.seq, "message": "NULL" }
        });
        return vec![DeviceEvent {
            id: event_id(frame, content.timestamp, now, 0),
            kind: EventKind::Heartbeat,
            device: panel,
            site: source.site.clone(),
            building: None,
            floor: None,
            zone: None,
            at,
            drill: None,
            detail: detail.into(),
        }];
    }
    let troubles = trouble_kinds(source.kind);
    signals
        .iter()
        .enumerate()
        .map(|(n, (signal, meaning))| {
            let kind = meaning.kind(troubles);
            let number = signal
                .number
                .clone()
                .filter(|z| z.bytes().any(|b| b != b'0'));
            let place = number
                .as_deref()
                .or(signal.user.as_deref())
                .and_then(|z| zone_place(account, z));
            let mut dc09 = json!({
                "account": frame.route.account,
                "seq": frame.route.seq,
                "message": frame.token.as_str(),
                "code": signal.code,
                "event": signal.text,
            });
            let fields = [
                ("qualifier", signal.qualifier.map(|q| q.to_string())),
                ("group", signal.group.clone()),
                (
                    if number_is_user(frame, signal) {
                        "user"
                    } else {
                        "zone"
                    },
                    signal.number.clone(),
                ),
                ("user", signal.user.clone()),
            ];
            for (name, value) in fields {
                if let (Some(value), Some(map)) = (value, dc09.as_object_mut()) {
                    map.insert(name.into(), value.into());
                }
            }
            if kind == EventKind::UnknownCode
                && let Some(map) = dc09.as_object_mut()
            {
                map.insert("unknown".into(), true.into());
            }
            let device = match (place, &number) {
                (Some(p), _) => p.device.clone(),
                (None, Some(z)) => format!("{panel}-{z}"),
                (None, None) => panel.clone(),
            };
            DeviceEvent {
                id: event_id(frame, content.timestamp, now, n),
                kind,
                device,
                site: source.site.clone(),
                building: place.and_then(|p| p.building.clone()),
                floor: place.and_then(|p| p.floor.clone()),
                zone: place.and_then(|p| p.zone.clone()),
                at,
                drill: None,
                detail: json!({ "dc09": dc09 }).into(),
            }
        })
        .collect()
}
