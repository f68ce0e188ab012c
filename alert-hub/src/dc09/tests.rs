//! What the receiver decides for each kind of frame, and the events it stores: given a
//! configuration and a frame, when it is received at a time, then this outcome.

use std::path::Path;

use time::OffsetDateTime;
use time::macros::datetime;

use super::*;
use crate::config::HubConfig;
use crate::protocol::EventKind;
use crate::protocol::dc09::{self, Key, Route, Token, compose, enclose};

const KEY: &str = "000102030405060708090A0B0C0D0E0F";
const NOW: OffsetDateTime = datetime!(2026-12-05 12:40:00 UTC);

fn config() -> HubConfig {
    let text = format!(
        "[[sites]]\nid = \"gg\"\nname = \"Green Garden\"\n\n\
         [[sources]]\nid = \"fp-b2\"\nsite = \"gg\"\nkind = \"fire_panel\"\ntoken = \"0123456789abcdef\"\n\n\
         [[sources]]\nid = \"ac-b2\"\nsite = \"gg\"\nkind = \"access_controller\"\ntoken = \"0123456789abcdeg\"\n\n\
         [dc09]\nlisten = \"127.0.0.1:0\"\nmax_skew_secs = 40\n\n\
         [[dc09.accounts]]\naccount = \"1234\"\nsource = \"fp-b2\"\n\
         [dc09.accounts.zones]\n\
         \"003\" = {{ device = \"smoke-B2-07F-03\", building = \"B2\", floor = \"7\", zone = \"7F east corridor\" }}\n\n\
         [[dc09.accounts]]\naccount = \"5678\"\nsource = \"ac-b2\"\nkey = \"{KEY}\"\n"
    );
    HubConfig::parse(&text, Path::new("site.toml")).expect("valid")
}

fn route(seq: &str, account: &str) -> Route {
    Route {
        seq: seq.into(),
        receiver: None,
        prefix: Some("0".into()),
        account: account.into(),
    }
}

fn frame(token: Token, account: &str, data: &str, key: Option<&Key>) -> String {
    let at = datetime!(2026-12-05 12:39:50);
    compose(&token, &route("0007", account), data, Some(at), key, b"p")
}

fn outcome(text: &str) -> Outcome {
    let config = config();
    let settings = config.dc09.clone().expect("[dc09]");
    receive(text.as_bytes(), &settings, &config.sources, NOW)
}

fn stored(text: &str) -> (String, Vec<crate::protocol::DeviceEvent>) {
    match outcome(text) {
        Outcome::Store { source, events, .. } => (source, events),
        other => panic!("expected events to store, got {other:?}"),
    }
}

#[test]
fn a_fire_alarm_in_a_mapped_zone_is_its_device_and_place() {
    let (source, events) = stored(&frame(Token::ContactId, "1234", "#1234|1110 01 003", None));
    assert_eq!(source, "fp-b2");
    let [event] = events.as_slice() else {
        panic!("one event: {events:?}")
    };
    assert_eq!(event.kind, EventKind::FireAlarm);
    assert_eq!(event.device, "smoke-B2-07F-03");
    assert_eq!(event.site, "gg");
    assert_eq!(event.building.as_deref(), Some("B2"));
    assert_eq!(event.floor.as_deref(), Some("7"));
    assert_eq!(event.zone.as_deref(), Some("7F east corridor"));
    assert_eq!(event.at, datetime!(2026-12-05 12:39:50 UTC));
    assert_eq!(event.id, "dc09:1234:0007:20261205T123950");
    let detail = event.detail.as_json();
    assert!(detail.contains(r#""code":"110""#), "{detail}");
    assert!(detail.contains(r#""zone":"003""#), "{detail}");
    assert!(detail.contains(r#""qualifier":"1""#), "{detail}");
}

#[test]
fn the_same_frame_again_has_the_same_id_and_a_new_sequence_a_new_one() {
    let first = stored(&frame(Token::ContactId, "1234", "#1234|1110 01 003", None)).1;
    let again = stored(&frame(Token::ContactId, "1234", "#1234|1110 01 003", None)).1;
    assert_eq!(first[0].id, again[0].id);
    let other = compose(
        &Token::ContactId,
        &route("0008", "1234"),
        "#1234|1110 01 003",
        Some(datetime!(2026-12-05 12:39:50)),
        None,
        b"",
    );
    assert_ne!(stored(&other).1[0].id, first[0].id);
}

#[test]
fn an_unmapped_zone_and_an_unknown_code_are_kept() {
    let (_, events) = stored(&frame(Token::ContactId, "1234", "#1234|1628 01 015", None));
    assert_eq!(events[0].kind, EventKind::UnknownCode);
    assert_eq!(events[0].device, "dc09-1234-015");
    assert_eq!(events[0].zone, None);
    assert!(events[0].detail.as_json().contains(r#""unknown":true"#));
    assert_eq!(
        dc09::unknown_code_of(&events[0].detail).as_deref(),
        Some("ADM-CID 1628 01 015"),
        "what a person looks up in the panel's manual"
    );
    let (_, fire) = stored(&frame(Token::ContactId, "1234", "#1234|1110 01 003", None));
    assert_eq!(dc09::unknown_code_of(&fire[0].detail), None);
}

#[test]
fn a_null_frame_is_a_heartbeat_of_the_panel() {
    let (_, events) = stored(&frame(Token::Null, "1234", "", None));
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, EventKind::Heartbeat);
    assert_eq!(events[0].device, "dc09-1234");
}

#[test]
fn sia_events_of_one_frame_each_get_an_id() {
    let (_, events) = stored(&frame(
        Token::SiaDcs,
        "1234",
        "#1234|Nri1/FA003/BA004",
        None,
    ));
    let kinds: Vec<_> = events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EventKind::FireAlarm, EventKind::AccessForced]);
    assert_eq!(events[0].device, "smoke-B2-07F-03");
    assert_eq!(events[1].id, format!("{}/1", events[0].id));
}

#[test]
fn an_encrypted_account_takes_only_encrypted_frames() {
    let key = Key::from_hex(KEY).expect("key");
    let (source, events) = stored(&frame(
        Token::ContactId,
        "5678",
        "#5678|1121 01 002",
        Some(&key),
    ));
    assert_eq!(source, "ac-b2");
    assert_eq!(events[0].kind, EventKind::AccessDuress);
    assert!(events[0].detail.as_json().contains(r#""user":"002""#));
    let clear = frame(Token::ContactId, "5678", "#5678|1121 01 002", None);
    assert!(matches!(outcome(&clear), Outcome::Duh(Some(_), _)));
}

#[test]
fn troubles_of_an_access_controller_are_unknown_codes_for_a_person() {
    let key = Key::from_hex(KEY).expect("key");
    let (_, events) = stored(&frame(
        Token::ContactId,
        "5678",
        "#5678|1301 01 000",
        Some(&key),
    ));
    assert_eq!(events[0].kind, EventKind::UnknownCode);
}

#[test]
fn a_wrong_key_or_a_time_outside_the_window_is_nak() {
    let wrong = Key::from_hex(&"77".repeat(16)).expect("key");
    let sealed = frame(Token::ContactId, "5678", "#5678|1121 01 002", Some(&wrong));
    assert!(matches!(outcome(&sealed), Outcome::Nak(_)));
    let late = compose(
        &Token::ContactId,
        &route("0009", "1234"),
        "#1234|1110 01 003",
        Some(datetime!(2026-12-05 12:39:19)),
        None,
        b"",
    );
    match outcome(&late) {
        Outcome::Nak(why) => assert!(why.contains("41 s"), "{why}"),
        other => panic!("{other:?}"),
    }
    let edge = late.replace("12:39:19", "12:39:20");
    assert!(matches!(
        outcome(&enclose(&edge[9..edge.len() - 1])),
        Outcome::Store { .. }
    ));
}

#[test]
fn unknown_accounts_tokens_and_data_are_duh() {
    assert!(matches!(
        outcome(&frame(Token::ContactId, "9999", "#9999|1110 01 003", None)),
        Outcome::Duh(Some(_), _)
    ));
    assert!(matches!(
        outcome(&frame(Token::Other("SIA-CID".into()), "1234", "x", None)),
        Outcome::Duh(Some(_), _)
    ));
    assert!(matches!(
        outcome(&frame(Token::ContactId, "1234", "#1234|11", None)),
        Outcome::Duh(Some(_), _)
    ));
}

#[test]
fn a_wrong_crc_or_garbage_is_unanswered() {
    let good = frame(Token::ContactId, "1234", "#1234|1110 01 003", None);
    let bad = good.replacen("1110", "1111", 1);
    assert!(matches!(outcome(&bad), Outcome::Unanswered(_)));
    assert!(matches!(outcome("\nhello\r"), Outcome::Unanswered(_)));
}
