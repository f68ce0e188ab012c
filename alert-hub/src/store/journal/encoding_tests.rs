use super::*;
use crate::store::{heartbeat, records};

fn batch() -> WriteBatch {
    let change = r#"{"type":"change","change":{"entry":{"seq":7,"incident":"INC-1"}}}"#;
    WriteBatch {
        events: records(&[heartbeat(1, "fp", "a"), heartbeat(2, "fp", "b")]),
        seen_ids: vec![(11, 1), (12, 2)],
        dedup_horizon: Some(Horizon {
            through: 0,
            latest_at: 5,
        }),
        log: vec![LoggedChange {
            seq: 7,
            incident: "INC-1".into(),
            json: change.into(),
        }],
        last_incident_number: Some(1),
        secrets: vec![(Secret::IdSalt, [7; 32])],
        drills: Some(Vec::new()),
        ..WriteBatch::default()
    }
}

fn piece(batch: &str, index: usize, count: usize) -> Piece {
    Piece {
        batch: batch.into(),
        index,
        count,
    }
}

#[test]
fn a_batch_comes_back_from_its_message_as_it_was_written() {
    let written = batch();
    let message = encode(&written).expect("encode");
    let back = decode(&message).expect("decode");
    assert_eq!(back.events, written.events);
    assert_eq!(back.seen_ids, written.seen_ids);
    assert_eq!(back.dedup_horizon, written.dedup_horizon);
    assert_eq!(back.log, written.log);
    assert_eq!(back.last_incident_number, Some(1));
    assert_eq!(back.secrets, written.secrets);
    assert_eq!(back.drills, Some(Vec::new()));
    assert!(back.on_test.is_none() && back.incidents.is_empty());
    // The records the core encoded travel as they are, not as strings of escaped JSON.
    let text = String::from_utf8(message).expect("utf-8");
    assert!(text.contains(r#"[1,{"seq":1,"#), "{text}");
    assert!(
        decode(&encode(&WriteBatch::default()).expect("empty"))
            .expect("decode")
            .is_empty()
    );
}

#[test]
fn a_message_that_is_not_a_batch_is_refused_with_what_is_wrong() {
    let err = decode(b"{\"events\":[[1,{}]],\"colour\":1}").expect_err("unknown field");
    assert!(err.contains("unknown field `colour`"), "{err}");
    let err = decode(br#"{"secrets":[["root_password","00"]]}"#).expect_err("secret");
    assert!(err.contains("unknown secret root_password"), "{err}");
    let record = EventRecord {
        seq: 1,
        json: b"not json".to_vec(),
    };
    let err = encode(&WriteBatch {
        events: vec![record],
        ..WriteBatch::default()
    })
    .expect_err("not json");
    assert!(err.contains("an event is not JSON"), "{err}");
}

#[test]
fn a_large_message_is_cut_into_pieces_the_server_takes_and_put_back_together() {
    let message: Vec<u8> = (0..2500u32).map(|i| (i % 251) as u8).collect();
    let pieces = chunks(&message, 1000);
    assert_eq!(
        pieces.iter().map(|p| p.len()).collect::<Vec<_>>(),
        [1000, 1000, 500]
    );
    let mut assembler = Assembler::default();
    assert_eq!(assembler.push(piece("h-1", 1, 3), pieces[0]), None);
    assert_eq!(assembler.push(piece("h-1", 2, 3), pieces[1]), None);
    assert_eq!(assembler.push(piece("h-1", 3, 3), pieces[2]), Some(message));
    assert_eq!(chunks(b"", 1000), [b""]);
}

#[test]
fn a_batch_cut_short_by_a_dead_hub_is_skipped_and_the_next_applied_whole() {
    let mut assembler = Assembler::default();
    // Pieces 1 and 2 of 3, then the hub died: the next batch starts over.
    assert_eq!(assembler.push(piece("h-1", 1, 3), b"a"), None);
    assert_eq!(assembler.push(piece("h-1", 2, 3), b"b"), None);
    assert_eq!(
        assembler.push(piece("k-3", 1, 1), b"c"),
        Some(b"c".to_vec())
    );
    // A stray later piece, with no start, is never applied.
    assert_eq!(assembler.push(piece("h-1", 3, 3), b"z"), None);
    assert_eq!(assembler.push(piece("k-4", 2, 2), b"y"), None);
    // A piece out of order breaks its batch.
    assert_eq!(assembler.push(piece("k-5", 1, 3), b"1"), None);
    assert_eq!(assembler.push(piece("k-5", 3, 3), b"3"), None);
    assert_eq!(assembler.push(piece("k-6", 1, 2), b"x"), None);
    assert_eq!(
        assembler.push(piece("k-6", 2, 2), b"y"),
        Some(b"xy".to_vec())
    );
}

#[test]
fn only_the_headers_the_hub_writes_name_a_piece() {
    assert_eq!(
        Piece::parse(Some("h-1"), Some("2/3")),
        Some(piece("h-1", 2, 3))
    );
    assert_eq!(piece("h-1", 2, 3).chunk_header(), "2/3");
    assert_eq!(Piece::parse(Some("h-1"), Some("0/3")), None);
    assert_eq!(Piece::parse(Some("h-1"), Some("4/3")), None);
    assert_eq!(Piece::parse(Some("h-1"), Some("x")), None);
    assert_eq!(Piece::parse(None, Some("1/1")), None);
    assert_eq!(Piece::parse(Some("h-1"), None), None);
}
