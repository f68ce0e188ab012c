//! Frames read and written whole: the published vector, encrypted frames, answers, and the
//! frames that must be refused.

use time::macros::datetime;

use super::*;

const PUBLIC: &str = "\nB0AC0027\"ADM-CID\"0001L0#7099[#7099|1628 01 000]\r";
const KEY128: &str = "000102030405060708090A0B0C0D0E0F";

fn route(seq: &str, account: &str) -> Route {
    Route {
        seq: seq.into(),
        receiver: Some("1".into()),
        prefix: Some("0".into()),
        account: account.into(),
    }
}

#[test]
fn the_published_vector_reads_whole() {
    assert_eq!(enclose("\"ADM-CID\"0001L0#7099[#7099|1628 01 000]"), PUBLIC);
    let frame = parse_frame(PUBLIC.as_bytes()).expect("reads");
    assert_eq!(frame.token, Token::ContactId);
    assert!(!frame.encrypted);
    assert_eq!(frame.route.seq, "0001");
    assert_eq!(frame.route.receiver, None);
    assert_eq!(frame.route.prefix.as_deref(), Some("0"));
    assert_eq!(frame.route.account, "7099");
    let content = frame.open(None).expect("opens");
    assert_eq!(content.data, "#7099|1628 01 000");
    assert_eq!(content.timestamp, None);
}

#[test]
fn a_frame_with_receiver_extended_data_and_timestamp() {
    let message =
        "\"SIA-DCS\"0042R1A2L3#123ABC[#123ABC|Nri1/FA003][X114E04][Y22N31]_23:59:01,12-31-2026";
    let frame = parse_frame(enclose(message).as_bytes()).expect("reads");
    assert_eq!(frame.token, Token::SiaDcs);
    assert_eq!(frame.route.receiver.as_deref(), Some("1A2"));
    assert_eq!(frame.route.account, "123ABC");
    let content = frame.open(None).expect("opens");
    assert_eq!(content.extended, ["X114E04", "Y22N31"]);
    assert_eq!(content.timestamp, Some(datetime!(2026-12-31 23:59:01)));
}

#[test]
fn a_fixed_encrypted_frame_decrypts() {
    // AES-128-CBC, zero IV, of "PPPPPPPPP|#1234|1110 01 003]_12:00:00,12-05-2026", made
    // with an independent AES implementation.
    let cipher = "22471E739E277F7113F059A13EA6E7CD8097201954330FD868E73C66C144808F\
                  38E7C39433BC327367732032D13BD061";
    let frame = enclose(&format!("\"*ADM-CID\"0007L0#1234[{cipher}"));
    let frame = parse_frame(frame.as_bytes()).expect("reads");
    assert!(frame.encrypted);
    assert_eq!(frame.token, Token::ContactId);
    let key = Key::from_hex(KEY128).expect("key");
    let content = frame.open(Some(&key)).expect("decrypts");
    assert_eq!(content.data, "#1234|1110 01 003");
    assert_eq!(content.timestamp, Some(datetime!(2026-12-05 12:00:00)));
    assert_eq!(frame.open(None), Err(FrameError::NoKey));
}

#[test]
fn an_encrypted_frame_round_trips_and_a_wrong_key_is_refused() {
    let key = Key::from_hex(&"5A".repeat(32)).expect("key");
    let at = datetime!(2026-12-05 12:40:00);
    let sent = compose(
        &Token::SiaDcs,
        &route("0003", "1234"),
        "#1234|Nri1/FA003",
        Some(at),
        Some(&key),
        b"pad",
    );
    let frame = parse_frame(sent.as_bytes()).expect("reads");
    let content = frame.open(Some(&key)).expect("decrypts");
    assert_eq!(content.data, "#1234|Nri1/FA003");
    assert_eq!(content.timestamp, Some(at));
    let wrong = Key::from_hex(&"A5".repeat(32)).expect("key");
    let refused = frame.open(Some(&wrong)).expect_err("wrong key");
    assert!(refused.is_undecryptable(), "{refused}");
}

#[test]
fn an_encrypted_frame_without_a_timestamp_is_refused() {
    let key = Key::from_hex(KEY128).expect("key");
    let sent = compose(
        &Token::Null,
        &route("0001", "1234"),
        "",
        None,
        Some(&key),
        b"",
    );
    let frame = parse_frame(sent.as_bytes()).expect("reads");
    let e = frame.open(Some(&key)).expect_err("no timestamp");
    assert!(e.to_string().contains("timestamp"), "{e}");
    assert!(e.is_undecryptable());
}

#[test]
fn a_wrong_crc_or_length_is_refused_unanswered() {
    let bad_crc = PUBLIC.replace("B0AC", "B0AD");
    let e = parse_frame(bad_crc.as_bytes()).expect_err("crc");
    assert_eq!(
        e,
        FrameError::WrongCrc {
            declared: 0xB0AD,
            computed: 0xB0AC
        }
    );
    assert!(e.is_unanswered());
    let bad_len = PUBLIC.replace("0027", "0028");
    let e = parse_frame(bad_len.as_bytes()).expect_err("length");
    assert_eq!(
        e,
        FrameError::WrongLength {
            declared: 0x28,
            actual: 0x27
        }
    );
    assert!(e.is_unanswered());
    for garbage in ["", "\n", "hello\r", "\nZZZZ0027\r", "\nB0AC1027x\r"] {
        let e = parse_frame(garbage.as_bytes()).expect_err(garbage);
        assert!(e.is_unanswered(), "{garbage:?}: {e}");
    }
}

#[test]
fn header_errors_name_the_byte() {
    let cases = [
        ("\"ADM-CID\"01L0#7099[]", 18, "sequence"),
        ("\"ADM-CID\"0001L0#70[]", 25, "account"),
        ("\"ADM-CID\"0001RL0#7099[]", 23, "receiver"),
        ("\"ADM-CID\"0001L0#7099]", 29, "["),
        ("ADM-CID\"0001L0#7099[]", 9, "ID token"),
    ];
    for (message, offset, word) in cases {
        let e = parse_frame(enclose(message).as_bytes()).expect_err(message);
        match &e {
            FrameError::Header { offset: at, what } => {
                assert_eq!(*at, offset, "{message}: {e}");
                assert!(what.contains(word), "{message}: {e}");
            }
            other => panic!("{message}: {other}"),
        }
        assert!(!e.is_unanswered());
    }
}

#[test]
fn bad_timestamps_and_trailers_are_content_errors() {
    for message in [
        "\"NULL\"0001L0#1234[]_25:00:00,12-05-2026",
        "\"NULL\"0001L0#1234[]junk",
        "\"NULL\"0001L0#1234[",
    ] {
        let frame = parse_frame(enclose(message).as_bytes()).expect("header reads");
        let e = frame.open(None).expect_err(message);
        assert!(matches!(e, FrameError::Content { .. }), "{message}: {e}");
    }
}

#[test]
fn bad_hex_in_the_encrypted_part_names_its_byte() {
    let frame = enclose("\"*NULL\"0001L0#1234[00112233445566778899AABBCCDDEEGG");
    let frame = parse_frame(frame.as_bytes()).expect("reads");
    let key = Key::from_hex(KEY128).expect("key");
    // The cipher text starts at byte 28; G is its 31st character.
    assert_eq!(
        frame.open(Some(&key)),
        Err(FrameError::BadHex { offset: 28 + 30 })
    );
}

#[test]
fn answers_echo_the_route_and_read_back() {
    let now = datetime!(2026-12-05 12:41:07);
    let r = route("0042", "1234");
    let ack_text = ack(&r, None, now, b"");
    assert_eq!(ack_text, enclose("\"ACK\"0042R1L0#1234[]"));
    assert_eq!(
        read_reply(ack_text.as_bytes()),
        Ok((Reply::Ack, "0042".into()))
    );
    let nak_text = nak(now);
    assert_eq!(nak_text, enclose("\"NAK\"0000R0L0A0[]_12:41:07,12-05-2026"));
    assert_eq!(
        read_reply(nak_text.as_bytes()),
        Ok((Reply::Nak, "0000".into()))
    );
    assert_eq!(duh(Some(&r)), enclose("\"DUH\"0042R1L0#1234[]"));
    assert_eq!(duh(None), enclose("\"DUH\"0000R0L0A0[]"));
}

#[test]
fn an_encrypted_ack_carries_the_receiver_time() {
    let key = Key::from_hex(KEY128).expect("key");
    let now = datetime!(2026-12-05 12:41:07);
    let text = ack(&route("0042", "1234"), Some(&key), now, b"xy");
    assert_eq!(read_reply(text.as_bytes()), Ok((Reply::Ack, "0042".into())));
    let message = envelope(text.as_bytes()).expect("frame");
    assert!(message.starts_with("\"*ACK\"0042R1L0#1234["), "{message}");
    let frame = parse_frame(text.as_bytes()).expect("reads");
    let content = frame.open(Some(&key)).expect("decrypts");
    assert_eq!(content.data, "");
    assert_eq!(content.timestamp, Some(now));
}
