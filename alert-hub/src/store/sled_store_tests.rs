//! The sled store's own tests: commits read back, packs replay, small records keep their keys.

use super::*;
use crate::store::{heartbeat, records};

/// Reopens in the same process: sled's flusher thread may hold the file lock for a moment
/// after the first handle is dropped.
pub(in crate::store) fn reopen(dir: &Path) -> SledStore {
    for _ in 0..100 {
        match SledStore::open(dir) {
            Ok(store) => return store,
            Err(StoreError::Locked { .. }) => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => panic!("reopen: {e}"),
        }
    }
    panic!("the store stayed locked");
}

#[test]
fn committed_events_survive_reopening_with_their_id_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let store = SledStore::open(dir.path()).expect("open");
        let batch = WriteBatch {
            events: records(
                &(1..=300)
                    .map(|n| heartbeat(n, "fp", &format!("e{n}")))
                    .collect::<Vec<_>>(),
            ),
            seen_ids: (1..=300).map(|n| (n * 1_000_003, n)).collect(),
            ..WriteBatch::default()
        };
        store.commit(&batch).expect("commit");
        let batch = WriteBatch {
            events: records(&[heartbeat(301, "fp", "e301")]),
            seen_ids: vec![(u64::MAX, 301)],
            ..WriteBatch::default()
        };
        store.commit(&batch).expect("commit");
    }
    let store = reopen(dir.path());
    assert_eq!(store.last_event_seq().expect("seq"), 301);
    let event = store.event(42).expect("read").expect("stored");
    assert_eq!((event.seq, event.event.id.as_str()), (42, "e42"));
    assert!(store.event(302).expect("read").is_none());
    let mut pairs = Vec::new();
    store
        .seen_ids(&mut |key, seq| pairs.push((key, seq)))
        .expect("seen ids");
    let mut expected: Vec<(u64, u64)> = (1..=300).map(|n| (n * 1_000_003, n)).collect();
    expected.push((u64::MAX, 301));
    assert_eq!(pairs, expected);
    assert!(store.event(0).expect("read").is_none());
    let everything = store.events_after(0, 1000).expect("all");
    assert_eq!(
        everything.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=301).collect::<Vec<_>>()
    );
    let page = store.events_after(255, 10).expect("page");
    assert_eq!(
        page.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (256..=265).collect::<Vec<_>>()
    );
}

/// `n` changes of two incidents, as the core logs them.
fn changes(n: u64) -> Vec<LoggedChange> {
    use crate::incident::tests::{ev, given};
    use crate::protocol::EventKind;
    let mut g = given();
    let mut changes = Vec::new();
    for i in 0.. {
        if changes.len() as u64 >= n {
            break;
        }
        let zone = if i % 2 == 0 { "7F east" } else { "7F west" };
        for applied in g.event(ev(EventKind::FireTrouble, "panel-7", zone)) {
            let seq = changes.len() as u64 + 1;
            let change = Change {
                entry: LogEntry {
                    seq,
                    incident: applied.view.id.clone(),
                    at: time::OffsetDateTime::UNIX_EPOCH,
                    actor: crate::protocol::Actor::Hub,
                    event: applied.event,
                },
                incident: applied.view,
            };
            let json = crate::core::feed_json(&change).expect("encode");
            changes.push(LoggedChange {
                seq,
                incident: change.entry.incident,
                json: json.into(),
            });
        }
    }
    changes.truncate(n as usize);
    changes
}

#[test]
fn packed_changes_replay_from_any_seq_and_each_incident_keeps_its_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SledStore::open(dir.path()).expect("open");
    let log = changes(80);
    assert_eq!(log.len(), 80);
    let (first, second) = log.split_at(50);
    for part in [first, second] {
        let batch = WriteBatch {
            log: part.to_vec(),
            ..WriteBatch::default()
        };
        store.commit(&batch).expect("commit");
    }
    assert_eq!(store.last_log_seq().expect("last"), 80);
    let page = store.changes_after(37, 20).expect("page");
    assert_eq!(
        page.iter().map(|c| c.seq).collect::<Vec<_>>(),
        (38..=57).collect::<Vec<_>>()
    );
    assert_eq!(page[0], log[37], "the replayed message is the one stored");
    assert!(store.changes_after(80, 10).expect("none").is_empty());

    let east = &log[0].incident;
    let entries = store.incident_log(east).expect("log");
    let expected: Vec<u64> = log
        .iter()
        .filter(|c| &c.incident == east)
        .map(|c| c.seq)
        .collect();
    assert_eq!(entries.iter().map(|e| e.seq).collect::<Vec<_>>(), expected);
    assert!(entries.iter().all(|e| &e.incident == east));

    // A store written before entries were grouped has one empty-valued key per entry.
    let prefix = key(b'x', &[east.as_bytes(), &[0]]);
    for r in store.db.scan_prefix(&prefix) {
        let (k, _) = r.expect("index");
        store.db.remove(k).expect("remove");
    }
    for seq in &expected {
        let old = key(b'x', &[east.as_bytes(), &[0], &seq.to_be_bytes()]);
        store.db.insert(old, &[]).expect("insert");
    }
    let entries = store.incident_log(east).expect("log");
    assert_eq!(entries.iter().map(|e| e.seq).collect::<Vec<_>>(), expected);
}

#[test]
fn small_records_read_back_typed_from_the_keys_older_stores_wrote() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SledStore::open(dir.path()).expect("open");
    assert_eq!(store.last_incident_number().expect("number"), 0);
    assert!(store.drills().expect("drills").is_empty());
    assert!(store.secret(Secret::IdSalt).expect("salt").is_none());
    // As the hub wrote them when they were untyped JSON values under their names.
    let hex = "ab".repeat(32);
    let drills =
        r#"[{"id":"q1","name":{"zh":"演练","en":"Drill"},"started_at":"2026-11-22T10:00:00Z"}]"#;
    for (name, json) in [
        ("incident_number", "42".to_string()),
        ("drills", drills.to_string()),
        ("on_test", "[]".to_string()),
        ("ack_secret", format!("\"{hex}\"")),
    ] {
        store
            .db
            .insert(meta_key(name), json.as_bytes())
            .expect("insert");
    }
    assert_eq!(store.last_incident_number().expect("number"), 42);
    let running = store.drills().expect("drills");
    assert_eq!(running.len(), 1);
    assert_eq!(running[0].id, "q1");
    assert!(store.on_test().expect("on test").is_empty());
    assert_eq!(
        store.secret(Secret::AckLinks).expect("secret"),
        Some([0xab; 32])
    );

    let batch = WriteBatch {
        last_incident_number: Some(43),
        drills: Some(Vec::new()),
        secrets: vec![(Secret::IdSalt, [7; 32])],
        ..WriteBatch::default()
    };
    store.commit(&batch).expect("commit");
    assert_eq!(store.last_incident_number().expect("number"), 43);
    assert!(store.drills().expect("drills").is_empty());
    assert_eq!(store.secret(Secret::IdSalt).expect("salt"), Some([7; 32]));
    let raw = store
        .db
        .get(meta_key("id_salt"))
        .expect("get")
        .expect("kept");
    assert_eq!(&raw[..], format!("\"{}\"", "07".repeat(32)).as_bytes());
}
