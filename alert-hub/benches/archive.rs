//! What archiving costs and saves: a store of 200,000 events received over 26 months, of which
//! the older half is archived while another thread keeps committing (as the core does). Prints
//! the archiving's rate, the longest a commit waited meanwhile, the archive's size against the
//! records it took, the data directory before and after (and after as many new events as were
//! archived), `verify` over archive and store, and a lookup of an archived event. Prints
//! figures; no targets. The events are alike, so they compress better than real ones.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use alert_hub::protocol::{Detail, DeviceEvent, EventKind, StoredEvent};
use alert_hub::store::{EventRecord, SledStore, Store, WriteBatch};
use time::OffsetDateTime;

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const STORED: u64 = 200_000;
const BATCH: u64 = 2_000;
const DAYS: i64 = 26 * 30;

fn event(seq: u64, now: OffsetDateTime) -> StoredEvent {
    // Spread evenly from DAYS ago to now.
    let age = time::Duration::seconds(DAYS * 86_400 * (STORED - seq) as i64 / STORED as i64);
    let at = now - age;
    StoredEvent {
        seq,
        source: "fp-b2".into(),
        received_at: at,
        event: DeviceEvent {
            id: format!("fp-b2:{seq:09}"),
            kind: EventKind::FireTrouble,
            device: format!("smoke-B2-07F-{:02}", seq % 40),
            site: "green-garden".into(),
            building: Some("B2".into()),
            floor: Some("7".into()),
            zone: Some("7F east corridor".into()),
            at,
            drill: None,
            detail: Detail::null(),
        },
    }
}

fn size_of(dir: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() {
            size_of(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Reopens in the same process once sled's flusher has let go of the lock.
fn reopen(dir: &Path) -> anyhow::Result<SledStore> {
    for _ in 0..200 {
        match SledStore::open(dir) {
            Err(alert_hub::error::StoreError::Locked { .. }) => {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return Ok(other?),
        }
    }
    anyhow::bail!("the store stayed locked")
}

fn main() -> anyhow::Result<()> {
    let now = OffsetDateTime::now_utc();
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let store = Arc::new(SledStore::open(&data)?);
    for first in (1..=STORED).step_by(BATCH as usize) {
        let events = (first..first + BATCH)
            .map(|seq| EventRecord::encode(&event(seq, now)))
            .collect::<Result<_, _>>()?;
        store.commit(&WriteBatch {
            events,
            ..WriteBatch::default()
        })?;
    }
    drop(store);
    let store = Arc::new(reopen(&data)?);
    let before = size_of(&data)?;
    println!(
        "{STORED} events over {DAYS} days: data directory {:.1} MiB ({:.0} bytes an event)",
        mib(before),
        before as f64 / STORED as f64
    );

    // Another thread commits an event every millisecond meanwhile, as the core would.
    let stop = Arc::new(AtomicBool::new(false));
    let committer = {
        let (store, stop) = (store.clone(), stop.clone());
        std::thread::spawn(move || -> anyhow::Result<(u64, Duration)> {
            let (mut seq, mut longest) = (STORED, Duration::ZERO);
            while !stop.load(Ordering::Relaxed) {
                seq += 1;
                let started = Instant::now();
                store.commit(&WriteBatch {
                    events: vec![EventRecord::encode(&event(seq, now))?],
                    ..WriteBatch::default()
                })?;
                longest = longest.max(started.elapsed());
                std::thread::sleep(Duration::from_millis(1));
            }
            Ok((seq - STORED, longest))
        })
    };
    let started = Instant::now();
    let done = store.archive(now, 400)?;
    let took = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let (commits, longest) = committer
        .join()
        .map_err(|_| anyhow::anyhow!("the committing thread panicked"))??;
    let archive = size_of(&data.join("archive"))?;
    println!(
        "archived {} events into {} files in {took:.2} s ({:.0} events/s); {commits} commits \
         meanwhile, the longest waited {:.1} ms",
        done.events,
        done.files.len(),
        done.events as f64 / took,
        longest.as_secs_f64() * 1e3
    );
    println!(
        "records freed {:.1} MiB, archive {:.1} MiB ({:.1}x smaller, {:.0} bytes an event)",
        mib(done.bytes_freed),
        mib(archive),
        done.bytes_freed as f64 / archive.max(1) as f64,
        archive as f64 / done.events.max(1) as f64
    );
    let seq = done.events / 2;
    let started = Instant::now();
    let found = store.event(seq)?;
    println!(
        "an archived event read back (seq {seq}, found: {}): {:.1} ms",
        found.is_some(),
        started.elapsed().as_secs_f64() * 1e3
    );
    drop(store);
    let store = reopen(&data)?;
    let after_reopen = size_of(&data)?;
    println!(
        "data directory after, reopened: {:.1} MiB, of which the archive {:.1} MiB",
        mib(after_reopen),
        mib(archive)
    );
    // As many new events as were archived: does sled reuse the space they left?
    let next = store.last_event_seq()? + 1;
    for first in (next..next + done.events).step_by(BATCH as usize) {
        let events = (first..(first + BATCH).min(next + done.events))
            .map(|seq| EventRecord::encode(&event(seq, now)))
            .collect::<Result<_, _>>()?;
        store.commit(&WriteBatch {
            events,
            ..WriteBatch::default()
        })?;
    }
    drop(store);
    let store = reopen(&data)?;
    let refilled = size_of(&data)?;
    println!(
        "after {} new events, as many as were archived: {:.1} MiB ({:+.1} MiB; as many took about {:.1} \
         MiB before archiving made room)",
        done.events,
        mib(refilled),
        mib(refilled) - mib(after_reopen),
        mib(before) * done.events as f64 / STORED as f64
    );
    drop(store);
    std::thread::sleep(Duration::from_millis(600));
    let started = Instant::now();
    let verified = alert_hub::store::verify_dir(&data, None, &data.join("audit.key"))?;
    let took = started.elapsed().as_secs_f64();
    println!(
        "verify over archive and store: {} entries in {took:.2} s ({:.0} entries/s)",
        verified.verified.entries,
        verified.verified.entries as f64 / took
    );
    Ok(())
}
