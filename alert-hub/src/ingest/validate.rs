//! Reading one device frame: a valid [`DeviceEvent`], or the `nack` that says exactly what was
//! wrong with it. Pure: no sockets, no store.

use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::protocol::{DeviceEvent, EventKind, MAX_DEVICE_FRAME_BYTES, Nack, NackCode};

/// The longest id, device, site or location text accepted, in bytes.
pub const MAX_TEXT_BYTES: usize = 256;

/// Reads a text frame; `site_known` says whether a site id is configured on this hub.
pub fn read_frame(text: &str, site_known: impl Fn(&str) -> bool) -> Result<DeviceEvent, Nack> {
    if text.len() > MAX_DEVICE_FRAME_BYTES {
        return Err(nack(
            None,
            NackCode::TooLarge,
            format!(
                "the frame has {} bytes; the limit is {} bytes (64 KiB): send one event per frame \
                 and keep \"detail\" small",
                text.len(),
                MAX_DEVICE_FRAME_BYTES
            ),
        ));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        nack(
            None,
            NackCode::MalformedJson,
            format!("the frame is not valid JSON: {e}"),
        )
    })?;
    let Value::Object(map) = value else {
        return Err(nack(
            None,
            NackCode::MalformedJson,
            "the frame must be one JSON object".into(),
        ));
    };
    let id = match map.get("id") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::String(_)) => {
            return Err(nack(
                None,
                NackCode::MissingField,
                "field \"id\" is empty".into(),
            ));
        }
        Some(_) => {
            return Err(nack(
                None,
                NackCode::MalformedJson,
                "field \"id\" must be a string".into(),
            ));
        }
        None => {
            return Err(nack(
                None,
                NackCode::MissingField,
                "field \"id\" is missing".into(),
            ));
        }
    };
    Frame { id, map }.read(site_known)
}

fn nack(id: Option<String>, error: NackCode, message: String) -> Nack {
    Nack {
        nack: id,
        error,
        message,
    }
}

struct Frame {
    id: String,
    map: Map<String, Value>,
}

impl Frame {
    fn fail(&self, error: NackCode, message: String) -> Nack {
        nack(Some(self.id.clone()), error, message)
    }

    fn required(&self, field: &str) -> Result<String, Nack> {
        match self.optional(field)? {
            Some(s) if !s.is_empty() => Ok(s),
            Some(_) => Err(self.fail(
                NackCode::MissingField,
                format!("field \"{field}\" is empty"),
            )),
            None => Err(self.fail(
                NackCode::MissingField,
                format!("field \"{field}\" is missing"),
            )),
        }
    }

    /// An optional text field; numbers are read as text (`"floor": 7`).
    fn optional(&self, field: &str) -> Result<Option<String>, Nack> {
        let text = match self.map.get(field) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) if field != "id" => n.to_string(),
            Some(_) => {
                let m = format!("field \"{field}\" must be a string");
                return Err(self.fail(NackCode::MalformedJson, m));
            }
        };
        if text.len() > MAX_TEXT_BYTES {
            let m = format!("field \"{field}\" is longer than {MAX_TEXT_BYTES} bytes");
            return Err(self.fail(NackCode::MalformedJson, m));
        }
        Ok(Some(text))
    }

    fn read(self, site_known: impl Fn(&str) -> bool) -> Result<DeviceEvent, Nack> {
        if self.id.len() > MAX_TEXT_BYTES {
            let m = format!("field \"id\" is longer than {MAX_TEXT_BYTES} bytes");
            return Err(self.fail(NackCode::MalformedJson, m));
        }
        let kind_name = self.required("kind")?;
        let kind = EventKind::from_device(&kind_name).ok_or_else(|| {
            let known: Vec<&str> = EventKind::DEVICE_KINDS.iter().map(|k| k.as_str()).collect();
            let m = format!("kind \"{kind_name}\" is not one of: {}", known.join(", "));
            self.fail(NackCode::UnknownKind, m)
        })?;
        let device = self.required("device")?;
        let site = self.required("site")?;
        let at_text = self.required("at")?;
        let at = OffsetDateTime::parse(&at_text, &Rfc3339).map_err(|_| {
            let m = format!(
                "\"at\" is \"{at_text}\", not an RFC 3339 timestamp such as \
                 2026-11-22T23:40:00+08:00"
            );
            self.fail(NackCode::BadTimestamp, m)
        })?;
        let building = self.optional("building")?;
        let floor = self.optional("floor")?;
        let zone = self.optional("zone")?;
        let drill = match self.map.get("drill") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(_) => {
                let m = "field \"drill\" must be null or a drill id".to_string();
                return Err(self.fail(NackCode::MalformedJson, m));
            }
        };
        let detail = match self.map.get("detail") {
            None | Some(Value::Null) => Value::Null,
            Some(v @ Value::Object(_)) => v.clone(),
            Some(_) => {
                let m = "field \"detail\" must be a JSON object".to_string();
                return Err(self.fail(NackCode::MalformedJson, m));
            }
        };
        if !site_known(&site) {
            let m = format!(
                "site \"{site}\" is not configured on this hub: check the device's site id"
            );
            return Err(self.fail(NackCode::UnknownSite, m));
        }
        Ok(DeviceEvent {
            id: self.id,
            kind,
            device,
            site,
            building,
            floor,
            zone,
            at,
            drill,
            detail,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<DeviceEvent, Nack> {
        read_frame(text, |s| s == "green-garden")
    }

    fn code(text: &str) -> (Option<String>, NackCode, String) {
        let n = read(text).expect_err("refused");
        (n.nack, n.error, n.message)
    }

    const GOOD: &str = r#"{"id":"e1","kind":"fire.alarm","device":"smoke-1","site":"green-garden",
        "building":"B2","floor":7,"zone":"7F east","at":"2026-11-22T23:40:00+08:00","drill":null,"detail":{}}"#;

    #[test]
    fn a_good_frame_is_read_whole() {
        let e = read(GOOD).expect("valid");
        assert_eq!(e.kind, EventKind::FireAlarm);
        assert_eq!(
            e.floor.as_deref(),
            Some("7"),
            "a numeric floor is read as text"
        );
    }

    #[test]
    fn each_problem_gets_its_code_and_names_the_field() {
        let (id, c, m) = code("{not json");
        assert_eq!((id, c), (None, NackCode::MalformedJson));
        assert!(m.contains("not valid JSON"), "{m}");
        assert_eq!(code("[1]").1, NackCode::MalformedJson);
        let (id, c, m) = code(r#"{"kind":"fire.alarm"}"#);
        assert_eq!((id, c), (None, NackCode::MissingField));
        assert!(m.contains("\"id\""), "{m}");
        let (id, c, m) = code(&GOOD.replace(r#""device":"smoke-1","#, ""));
        assert_eq!((id.as_deref(), c), (Some("e1"), NackCode::MissingField));
        assert!(m.contains("\"device\""), "{m}");
        let (_, c, m) = code(&GOOD.replace("fire.alarm", "fire.smoke"));
        assert_eq!(c, NackCode::UnknownKind);
        assert!(
            m.contains("fire.smoke") && m.contains("elevator.entrapment"),
            "{m}"
        );
        let (_, c, m) = code(&GOOD.replace("2026-11-22T23:40:00+08:00", "22/11/2026 23:40"));
        assert_eq!(c, NackCode::BadTimestamp);
        assert!(m.contains("22/11/2026 23:40"), "{m}");
        let (_, c, m) = code(&GOOD.replace("green-garden", "blue-garden"));
        assert_eq!(c, NackCode::UnknownSite);
        assert!(m.contains("blue-garden"), "{m}");
        assert_eq!(
            code(&GOOD.replace("\"drill\":null", "\"drill\":5")).1,
            NackCode::MalformedJson
        );
    }

    #[test]
    fn the_hubs_own_kind_is_not_accepted_from_a_device() {
        assert_eq!(
            code(&GOOD.replace("fire.alarm", "comms.lost")).1,
            NackCode::UnknownKind
        );
    }

    #[test]
    fn a_frame_over_64_kib_is_too_large() {
        let big = GOOD.replace("{}", &format!("{{\"pad\":\"{}\"}}", "x".repeat(70_000)));
        let (id, c, _) = code(&big);
        assert_eq!((id, c), (None, NackCode::TooLarge));
        let just_under = GOOD.replace("{}", &format!("{{\"pad\":\"{}\"}}", "x".repeat(60_000)));
        assert!(read(&just_under).is_ok());
    }
}
