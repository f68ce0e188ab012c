//! Archiving a store end to end: what moves, what stays, that it reads back and verifies the
//! same, and that a crash between writing and removing neither loses nor doubles anything.

use std::path::Path;

use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::*;
use crate::audit::verify::{Entry, Mismatch};
use crate::incident::tests::{ev, given};
use crate::protocol::{Actor, Change, EventKind, IncidentEvent, LogEntry, StoredEvent};
use crate::store::sled_store::tests::reopen;
use crate::store::{DirVerifyError, LoggedChange, Store, StoredIncident, WriteBatch, records};

const NOW: OffsetDateTime = datetime!(2026-12-05 12:00 UTC);

fn old() -> OffsetDateTime {
    NOW - Duration::days(401)
}

fn recent() -> OffsetDateTime {
    NOW - Duration::days(10)
}

/// What the test store holds: the ids of a long-closed incident, an old open one and a recent
/// one, and every log entry of the closed one.
struct Given {
    closed: String,
    open_old: String,
    recent: String,
    closed_log: Vec<LogEntry>,
}

fn stored(seq: u64, kind: EventKind, zone: &str, at: OffsetDateTime) -> StoredEvent {
    let mut event = crate::store::heartbeat(seq, "fp-b2", &format!("fp-b2:{seq}"));
    event.received_at = at;
    event.event.at = at;
    event.event.kind = kind;
    event.event.zone = Some(zone.into());
    event
}

fn logged(
    seq: u64,
    at: OffsetDateTime,
    event: IncidentEvent,
    view: &crate::protocol::IncidentView,
) -> LoggedChange {
    let change = Change {
        entry: LogEntry {
            seq,
            incident: view.id.clone(),
            at,
            actor: Actor::Hub,
            event,
        },
        incident: view.clone(),
    };
    LoggedChange {
        seq,
        incident: view.id.clone(),
        json: crate::core::feed_json(&change).expect("encode").into(),
    }
}

/// Events 1-3 received 401 days ago (1 opens an incident closed an hour later, 2 an incident
/// still open, 3 joins none), events 4-5 ten days ago (4 opens an incident).
fn fill(store: &SledStore) -> Given {
    let mut g = given();
    let mut log: Vec<LoggedChange> = Vec::new();
    let apply = |log: &mut Vec<LoggedChange>, applied: Vec<crate::incident::Applied>, at| {
        for a in applied {
            let seq = log.len() as u64 + 1;
            log.push(logged(seq, at, a.event, &a.view));
        }
    };
    let opened = |log: &[LoggedChange], from: usize| log[from].incident.clone();
    apply(
        &mut log,
        g.event(ev(EventKind::FireTrouble, "panel-1", "A").at(old())),
        old(),
    );
    let closed = opened(&log, 0);
    let from = log.len();
    apply(
        &mut log,
        g.event(ev(EventKind::FireTrouble, "panel-1", "B").at(old())),
        old(),
    );
    let open_old = opened(&log, from);
    let mut incident = g.book.get(&closed).expect("opened").clone();
    incident.view.state = crate::protocol::IncidentState::Closed;
    let close = IncidentEvent::Closed {
        operator: "op-li".into(),
        confirmed_by: None,
    };
    let seq = log.len() as u64 + 1;
    log.push(logged(
        seq,
        old() + Duration::hours(1),
        close,
        &incident.view,
    ));
    g.event(ev(EventKind::Heartbeat, "panel-1", "A").at(old()));
    let from = log.len();
    apply(
        &mut log,
        g.event(ev(EventKind::FireTrouble, "panel-2", "C").at(recent())),
        recent(),
    );
    let recent_id = opened(&log, from);
    let events = [
        stored(1, EventKind::FireTrouble, "A", old()),
        stored(2, EventKind::FireTrouble, "B", old()),
        stored(3, EventKind::Heartbeat, "A", old()),
        stored(4, EventKind::FireTrouble, "C", recent()),
        stored(5, EventKind::Heartbeat, "C", recent()),
    ];
    let mut incidents: Vec<StoredIncident> = [&open_old, &recent_id]
        .iter()
        .map(|id| StoredIncident::encode(g.book.get(id).expect("open")).expect("encode"))
        .collect();
    incidents.push(StoredIncident::encode(&incident).expect("encode"));
    // Two commits, so that packs hold records of both ages.
    let (first, second) = log.split_at(log.len() - 1);
    store
        .commit(&WriteBatch {
            events: records(&events[..4]),
            log: first.to_vec(),
            incidents,
            ..WriteBatch::default()
        })
        .expect("commit");
    store
        .commit(&WriteBatch {
            events: records(&events[4..]),
            log: second.to_vec(),
            ..WriteBatch::default()
        })
        .expect("commit");
    let closed_log = store.incident_log(&closed).expect("log");
    assert!(closed_log.len() >= 2, "opened and closed at least");
    Given {
        closed,
        open_old,
        recent: recent_id,
        closed_log,
    }
}

fn verify(dir: &Path) -> Result<crate::store::DirVerified, DirVerifyError> {
    loop {
        match crate::store::verify_dir(dir, None, &dir.join("audit.key")) {
            Err(DirVerifyError::Store(StoreError::Locked { .. })) => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

fn live_seqs(store: &SledStore, prefix: u8) -> Vec<u64> {
    let mut seqs = Vec::new();
    for r in store.db.scan_prefix([prefix]) {
        let (k, v) = r.expect("read");
        seqs.extend(
            pack_records(prefix, &k, &v)
                .expect("pack")
                .iter()
                .map(|(s, _)| *s),
        );
    }
    seqs
}

#[test]
fn old_events_and_long_closed_incidents_move_to_the_archive_and_read_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SledStore::open(dir.path()).expect("open");
    let g = fill(&store);
    let before_event = store.event(1).expect("read").expect("stored");
    let before_incident = store.incident(&g.closed).expect("read").expect("stored");
    let root = store.audit_tree().expect("tree");
    let month = Month::parse(&select::month_of(old()).to_string()).expect("month");

    let done = store.archive(NOW, 400).expect("archive");
    assert_eq!((done.events, done.incidents), (2, 1), "{done}");
    assert_eq!(done.log_entries, g.closed_log.len() as u64);
    assert!(done.bytes_freed > 0);
    let mut names = done.files.clone();
    names.sort();
    let expected: Vec<String> = [Kind::Events, Kind::Incidents, Kind::Log]
        .into_iter()
        .map(|k| files::file_name(k, month))
        .collect();
    assert_eq!(names, expected);

    assert_eq!(
        live_seqs(&store, b'e'),
        vec![2, 4, 5],
        "the open incident's event stays"
    );
    let closed_seqs: Vec<u64> = g.closed_log.iter().map(|e| e.seq).collect();
    assert!(
        live_seqs(&store, b'c')
            .iter()
            .all(|s| !closed_seqs.contains(s))
    );
    assert!(
        !store
            .db
            .contains_key(key(b'n', &[g.closed.as_bytes()]))
            .expect("read")
    );
    for id in [&g.open_old, &g.recent] {
        assert!(
            store
                .db
                .contains_key(key(b'n', &[id.as_bytes()]))
                .expect("read"),
            "{id}"
        );
    }
    assert_eq!(store.last_event_seq().expect("last"), 5);

    // Read back from the archive as before.
    assert_eq!(store.event(1).expect("read"), Some(before_event));
    assert_eq!(
        store.incident(&g.closed).expect("read"),
        Some(before_incident)
    );
    assert_eq!(store.incident_log(&g.closed).expect("log"), g.closed_log);
    let mut opened = Vec::new();
    store
        .each_incident_opened(old() - Duration::days(1), NOW, &mut |json| {
            opened.push(opened::opened_at(json).expect("time"));
            Ok(())
        })
        .expect("opened");
    assert_eq!(
        opened,
        vec![old(), old(), recent()],
        "oldest first, archived and live"
    );
    assert_eq!(store.audit_tree().expect("tree"), root);

    // Nothing more to move: a second run writes and removes nothing.
    let again = store.archive(NOW, 400).expect("again");
    assert_eq!(again, Archived::default());
    drop(store);
    let verified = verify(dir.path()).expect("verifies with the archive");
    assert_eq!(verified.verified.root, root.1);
}

#[test]
fn a_crash_between_writing_and_removing_is_finished_without_writing_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let store = SledStore::open(dir.path()).expect("open");
        fill(&store);
        let plan = plan(&store, select::cutoff(NOW, 400)).expect("plan");
        assert_eq!(write_files(&store, &plan).expect("write").len(), 3);
        // A half-written file of a later run, as a crash leaves it.
        std::fs::write(
            dir.path().join(DIR).join("events-2025-11.jsonl.gz.tmp"),
            b"\x1f",
        )
        .expect("tmp");
    }
    // Both copies present: verify reads each record once.
    verify(dir.path()).expect("verifies with records in both places");
    let store = reopen(dir.path());
    let archive = dir.path().join(DIR);
    let modified = |name: &str| {
        std::fs::metadata(archive.join(name))
            .and_then(|m| m.modified())
            .expect("file")
    };
    let month = select::month_of(old());
    let events_file = files::file_name(Kind::Events, month);
    let written_at = modified(&events_file);
    let done = store.archive(NOW, 400).expect("archive");
    assert_eq!((done.events, done.incidents), (2, 1));
    assert!(done.files.is_empty(), "nothing written again: {done}");
    assert_eq!(modified(&events_file), written_at);
    let held: Vec<u64> = files::records(&archive.join(&events_file))
        .expect("open")
        .map(|r| r.expect("line").0)
        .collect();
    assert_eq!(held, vec![1, 3], "each once");
    assert_eq!(live_seqs(&store, b'e'), vec![2, 4, 5]);
    assert_eq!(
        files::all_names(&archive).expect("names").len(),
        3,
        "no .tmp left"
    );
    drop(store);
    verify(dir.path()).expect("verifies");
}

#[test]
fn a_changed_byte_in_an_archive_file_is_named_by_verify() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let store = SledStore::open(dir.path()).expect("open");
        fill(&store);
        store.archive(NOW, 400).expect("archive");
    }
    let path = dir
        .path()
        .join(DIR)
        .join(files::file_name(Kind::Events, select::month_of(old())));
    let mut lines: Vec<Vec<u8>> = files::Lines::open(&path)
        .expect("open")
        .map(|l| l.expect("line").bytes)
        .collect();
    let text = String::from_utf8(lines[1].clone()).expect("text");
    lines[1] = text.replacen("panel", "pAnel", 1).into_bytes();
    files::write(&path, lines.into_iter().map(Ok)).expect("write");
    let err = verify(dir.path()).expect_err("changed");
    assert!(
        matches!(
            err,
            DirVerifyError::Archived {
                mismatch: Mismatch::Changed(Entry::Event(3)),
                line: 2,
                ..
            }
        ),
        "{err}"
    );
    let text = err.to_string();
    assert!(text.starts_with("event seq 3 does not match"), "{text}");
    assert!(text.ends_with("events-2025-10.jsonl.gz, line 2)"), "{text}");
}

#[test]
fn a_backup_carries_the_archive_and_restores_verifiable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let file = dir.path().join("hub.backup");
    let root = {
        let store = SledStore::open(&data).expect("open");
        let g = fill(&store);
        store.archive(NOW, 400).expect("archive");
        let counts = crate::store::backup::write_to(&store, &file).expect("backup");
        assert_eq!(
            counts.files, 3,
            "the three archive files (no key made here)"
        );
        let _ = g;
        store.audit_tree().expect("tree").1
    };
    let restored = dir.path().join("restored");
    crate::store::backup::restore(&file, &restored).expect("restore");
    assert_eq!(
        files::all_names(&restored.join(DIR)).expect("names"),
        files::all_names(&data.join(DIR)).expect("names")
    );
    assert_eq!(verify(&restored).expect("verifies").verified.root, root);
}

#[test]
fn numbering_goes_on_after_the_newest_records_are_archived() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SledStore::open(dir.path()).expect("open");
    fill(&store);
    let last_log = store.last_log_seq().expect("last");
    // Two years on: every event but the open incidents' goes, the newest (5) among them.
    let done = store
        .archive(NOW + Duration::days(800), 400)
        .expect("archive");
    assert_eq!(done.events, 3, "{done}");
    assert_eq!(live_seqs(&store, b'e'), vec![2, 4]);
    assert_eq!(store.last_event_seq().expect("last"), 5);
    assert_eq!(store.last_log_seq().expect("last"), last_log);
    drop(store);
    let store = reopen(dir.path());
    assert_eq!(
        store.last_event_seq().expect("last"),
        5,
        "kept across a restart"
    );
    assert!(
        store.event(5).expect("read").is_some(),
        "read from the archive"
    );
}

#[test]
fn a_large_backlog_leaves_in_several_batches_and_still_verifies() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let store = SledStore::open(dir.path()).expect("open");
        // Commits of 1,000: packs straddle the batches' boundaries.
        for first in (1..=20_000).step_by(1000) {
            let events: Vec<StoredEvent> = (first..first + 1000)
                .map(|seq| stored(seq, EventKind::Heartbeat, "A", old()))
                .collect();
            store
                .commit(&WriteBatch {
                    events: records(&events),
                    ..WriteBatch::default()
                })
                .expect("commit");
        }
        let recent: Vec<StoredEvent> = (20_001..=20_005)
            .map(|seq| stored(seq, EventKind::Heartbeat, "A", recent()))
            .collect();
        store
            .commit(&WriteBatch {
                events: records(&recent),
                ..WriteBatch::default()
            })
            .expect("commit");
        let done = store.archive(NOW, 400).expect("archive");
        assert_eq!(done.events, 20_000);
        assert_eq!(
            live_seqs(&store, b'e'),
            (20_001..=20_005).collect::<Vec<_>>()
        );
        let event = store.event(12_345).expect("read").expect("archived");
        assert_eq!(event.event.id, "fp-b2:12345");
    }
    let verified = verify(dir.path()).expect("verifies");
    assert_eq!(verified.verified.entries, 20_005);
}
