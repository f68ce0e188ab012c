//! Reading one device frame: a valid [`DeviceEvent`], or the `nack` that says exactly what was
//! wrong with it. Pure: no sockets, no store.
//!
//! The frame is parsed straight into its known fields, each kept as whatever JSON value it
//! holds, so that every check below can say which field is wrong and how. Unknown fields are
//! ignored.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::protocol::{Detail, DeviceEvent, EventKind, MAX_DEVICE_FRAME_BYTES, Nack, NackCode};

/// The longest id, device, site or location text accepted, in bytes.
pub const MAX_TEXT_BYTES: usize = 256;

/// Reads a text frame; `site_allowed` says whether the sending source may report for a site
/// (its own site only).
pub fn read_frame(text: &str, site_allowed: impl Fn(&str) -> bool) -> Result<DeviceEvent, Nack> {
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
    if !text.trim_start().starts_with('{') {
        let message = match serde_json::from_str::<IgnoredAny>(text) {
            Ok(_) => "the frame must be one JSON object".to_string(),
            Err(e) => format!("the frame is not valid JSON: {e}"),
        };
        return Err(nack(None, NackCode::MalformedJson, message));
    }
    let frame: RawFrame = serde_json::from_str(text).map_err(|e| {
        nack(
            None,
            NackCode::MalformedJson,
            format!("the frame is not valid JSON: {e}"),
        )
    })?;
    frame.read(site_allowed)
}

fn nack(id: Option<String>, error: NackCode, message: String) -> Nack {
    Nack {
        nack: id,
        error,
        message,
    }
}

/// The value of one field, as far as reading a frame needs it.
enum Field<'a> {
    Null,
    Text(Cow<'a, str>),
    /// A number, as JSON writes it.
    Number(String),
    /// `true`, `false`, an array or an object.
    Other,
}

impl<'de: 'a, 'a> Deserialize<'de> for Field<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FieldVisitor(PhantomData))
    }
}

struct FieldVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for FieldVisitor<'a> {
    type Value = Field<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Field<'a>, E> {
        Ok(Field::Text(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Field<'a>, E> {
        Ok(Field::Text(Cow::Owned(v.to_string())))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Field<'a>, E> {
        Ok(Field::Number(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Field<'a>, E> {
        Ok(Field::Number(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Field<'a>, E> {
        let number =
            serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string());
        Ok(Field::Number(number))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Field<'a>, E> {
        Ok(Field::Null)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Field<'a>, E> {
        Ok(Field::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Field<'a>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Field::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Field<'a>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Field::Other)
    }
}

/// The fields of a frame the protocol defines; `None` where the frame leaves one out.
#[derive(serde::Deserialize)]
struct RawFrame<'a> {
    #[serde(borrow)]
    id: Option<Field<'a>>,
    #[serde(borrow)]
    kind: Option<Field<'a>>,
    #[serde(borrow)]
    device: Option<Field<'a>>,
    #[serde(borrow)]
    site: Option<Field<'a>>,
    #[serde(borrow)]
    building: Option<Field<'a>>,
    #[serde(borrow)]
    floor: Option<Field<'a>>,
    #[serde(borrow)]
    zone: Option<Field<'a>>,
    #[serde(borrow)]
    at: Option<Field<'a>>,
    #[serde(borrow)]
    drill: Option<Field<'a>>,
    /// Kept whole, byte for byte: it is stored as the device sent it.
    #[serde(borrow)]
    detail: Option<&'a RawValue>,
}

impl RawFrame<'_> {
    fn read(self, site_allowed: impl Fn(&str) -> bool) -> Result<DeviceEvent, Nack> {
        let id = match self.id {
            Some(Field::Text(s)) if !s.is_empty() => s.into_owned(),
            Some(Field::Text(_)) => {
                return Err(nack(
                    None,
                    NackCode::MissingField,
                    "field \"id\" is empty".into(),
                ));
            }
            Some(Field::Null) | None => {
                return Err(nack(
                    None,
                    NackCode::MissingField,
                    "field \"id\" is missing".into(),
                ));
            }
            Some(_) => {
                return Err(nack(
                    None,
                    NackCode::MalformedJson,
                    "field \"id\" must be a string".into(),
                ));
            }
        };
        let fail = |error: NackCode, message: String| nack(Some(id.clone()), error, message);
        if id.len() > MAX_TEXT_BYTES {
            let m = format!("field \"id\" is longer than {MAX_TEXT_BYTES} bytes");
            return Err(fail(NackCode::MalformedJson, m));
        }
        let optional = |name: &str, field: Option<Field>| -> Result<Option<String>, Nack> {
            let text = match field {
                None | Some(Field::Null) => return Ok(None),
                Some(Field::Text(s)) => s.into_owned(),
                Some(Field::Number(n)) => n,
                Some(Field::Other) => {
                    let m = format!("field \"{name}\" must be a string");
                    return Err(fail(NackCode::MalformedJson, m));
                }
            };
            if text.len() > MAX_TEXT_BYTES {
                let m = format!("field \"{name}\" is longer than {MAX_TEXT_BYTES} bytes");
                return Err(fail(NackCode::MalformedJson, m));
            }
            Ok(Some(text))
        };
        let required = |name: &str, field: Option<Field>| -> Result<String, Nack> {
            match optional(name, field)? {
                Some(s) if !s.is_empty() => Ok(s),
                Some(_) => Err(fail(
                    NackCode::MissingField,
                    format!("field \"{name}\" is empty"),
                )),
                None => Err(fail(
                    NackCode::MissingField,
                    format!("field \"{name}\" is missing"),
                )),
            }
        };
        let kind_name = required("kind", self.kind)?;
        let kind = EventKind::from_device(&kind_name).ok_or_else(|| {
            let known: Vec<&str> = EventKind::DEVICE_KINDS.iter().map(|k| k.as_str()).collect();
            let m = format!("kind \"{kind_name}\" is not one of: {}", known.join(", "));
            fail(NackCode::UnknownKind, m)
        })?;
        let device = required("device", self.device)?;
        let site = required("site", self.site)?;
        let at_text = required("at", self.at)?;
        let at = OffsetDateTime::parse(&at_text, &Rfc3339).map_err(|_| {
            let m = format!(
                "\"at\" is \"{at_text}\", not an RFC 3339 timestamp such as \
                 2026-11-22T23:40:00+08:00"
            );
            fail(NackCode::BadTimestamp, m)
        })?;
        let building = optional("building", self.building)?;
        let floor = optional("floor", self.floor)?;
        let zone = optional("zone", self.zone)?;
        let drill = match self.drill {
            None | Some(Field::Null) => None,
            Some(Field::Text(s)) if !s.is_empty() => Some(s.into_owned()),
            Some(_) => {
                let m = "field \"drill\" must be null or a drill id".to_string();
                return Err(fail(NackCode::MalformedJson, m));
            }
        };
        let detail = match self.detail.map(Detail::from_raw) {
            None => Detail::null(),
            Some(d) if d.is_null() || d.is_object() => d,
            Some(_) => {
                let m = "field \"detail\" must be a JSON object".to_string();
                return Err(fail(NackCode::MalformedJson, m));
            }
        };
        if !site_allowed(&site) {
            let m = format!(
                "site \"{site}\" is not this source's site: a source reports for the site \
                 it is configured for only; check the device's site id"
            );
            return Err(fail(NackCode::UnknownSite, m));
        }
        Ok(DeviceEvent {
            id,
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
    fn escapes_numbers_unknown_fields_and_nested_detail_read_as_sent() {
        let frame = GOOD
            .replace(r#""zone":"7F east""#, r#""zone":"7F \"east\" \u5ea7""#)
            .replace(
                r#""floor":7"#,
                r#""floor":-1.5,"vendor":{"x":[1,{"y":null}]}"#,
            )
            .replace(r#""detail":{}"#, r#""detail":{"loop":3,"points":[1,2]}"#);
        let e = read(&frame).expect("valid");
        assert_eq!(e.zone.as_deref(), Some("7F \"east\" 座"));
        assert_eq!(e.floor.as_deref(), Some("-1.5"));
        assert_eq!(e.detail.as_json(), r#"{"loop":3,"points":[1,2]}"#);
    }

    #[test]
    fn detail_is_kept_byte_for_byte_with_every_digit() {
        let detail = r#"{"n":12345678901234567890123, "tiny":1e-400,"r":0.10,"s":"\u5ea7"}"#;
        let e =
            read(&GOOD.replace(r#""detail":{}"#, &format!(r#""detail":{detail}"#))).expect("valid");
        assert_eq!(e.detail.as_json(), detail);
        let stored = serde_json::to_string(&e).expect("encode");
        assert!(
            stored.contains(&format!(r#""detail":{detail}"#)),
            "{stored}"
        );
        let back: DeviceEvent = serde_json::from_str(&stored).expect("decode");
        assert_eq!(back.detail.as_json(), detail);
        let none = read(&GOOD.replace(r#","detail":{}"#, "")).expect("valid");
        assert!(none.detail.is_null());
        assert!(
            !serde_json::to_string(&none)
                .expect("encode")
                .contains("detail")
        );
    }

    #[test]
    fn a_field_of_the_wrong_shape_is_named() {
        let (id, c, m) = code(&GOOD.replace(r#""building":"B2""#, r#""building":true"#));
        assert_eq!((id.as_deref(), c), (Some("e1"), NackCode::MalformedJson));
        assert!(m.contains("\"building\" must be a string"), "{m}");
        let (_, c, m) = code(&GOOD.replace(r#""detail":{}"#, r#""detail":[1]"#));
        assert_eq!(c, NackCode::MalformedJson);
        assert!(m.contains("\"detail\" must be a JSON object"), "{m}");
        let (id, c, m) = code(&GOOD.replace(r#""id":"e1""#, r#""id":7"#));
        assert_eq!((id, c), (None, NackCode::MalformedJson));
        assert!(m.contains("\"id\" must be a string"), "{m}");
        let (_, c, m) = code("nul");
        assert_eq!(c, NackCode::MalformedJson);
        assert!(m.contains("not valid JSON"), "{m}");
        let (_, c, m) = code(r#"  "just text""#);
        assert_eq!(c, NackCode::MalformedJson);
        assert!(m.contains("one JSON object"), "{m}");
    }

    #[test]
    fn the_hubs_own_kind_is_not_accepted_from_a_device() {
        assert_eq!(
            code(&GOOD.replace("fire.alarm", "comms.lost")).1,
            NackCode::UnknownKind
        );
        assert_eq!(
            code(&GOOD.replace("fire.alarm", "panel.unknown_code")).1,
            NackCode::UnknownKind,
            "only the DC-09 receiver stores unknown panel codes"
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
