//! What the audit tree costs: hashing and appending the leaves of a million stored events (the
//! work each commit adds), then on a store of 200,000 events the time `alert-hub verify` takes
//! and how long a backup holds commits back, and restoring it. Prints figures; no targets (the
//! ingest bench, `cargo bench -p drills --bench hub_ingest`, shows the effect on ingest).

use std::time::Instant;

use alert_hub::audit::event_leaf;
use alert_hub::audit::merkle::Frontier;
use alert_hub::protocol::{Detail, DeviceEvent, EventKind, StoredEvent};
use alert_hub::store::{EventRecord, SledStore, Store, WriteBatch};

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const HASHED: u64 = 1_000_000;
const STORED: u64 = 200_000;
const BATCH: u64 = 2_000;

/// A stored fire-panel trouble event as the hub keeps it.
fn event(seq: u64) -> StoredEvent {
    let at = time::OffsetDateTime::UNIX_EPOCH + time::Duration::seconds(1_795_000_000);
    StoredEvent {
        seq,
        source: "fp-b2".into(),
        received_at: at,
        event: DeviceEvent {
            id: format!("fp-b2:{seq:09}"),
            kind: EventKind::FireTrouble,
            device: "smoke-B2-07F-03".into(),
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

fn main() -> anyhow::Result<()> {
    let records: Vec<EventRecord> = (1..=1000)
        .map(|seq| EventRecord::encode(&event(seq)))
        .collect::<Result<_, _>>()?;
    let bytes = records.iter().map(|r| r.json.len()).sum::<usize>() / records.len();
    let started = Instant::now();
    let mut frontier = Frontier::new();
    for n in 0..HASHED {
        frontier.append(event_leaf(&records[(n % 1000) as usize].json));
    }
    let root = frontier.root();
    let took = started.elapsed().as_secs_f64();
    println!(
        "leaf hash + append of {HASHED} events of {bytes} bytes: {:.2} s, {:.0} leaves/s, \
         {:.2} µs a leaf (root {:02x}{:02x}…)",
        took,
        HASHED as f64 / took,
        took * 1e6 / HASHED as f64,
        root[0],
        root[1]
    );

    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let store = SledStore::open(&data)?;
    let started = Instant::now();
    for first in (1..=STORED).step_by(BATCH as usize) {
        let events = (first..first + BATCH)
            .map(|seq| EventRecord::encode(&event(seq)))
            .collect::<Result<_, _>>()?;
        store.commit(&WriteBatch {
            events,
            ..WriteBatch::default()
        })?;
    }
    println!(
        "stored {STORED} events in commits of {BATCH}: {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let backup = dir.path().join("store.backup");
    let started = Instant::now();
    let mut out = std::io::BufWriter::new(std::fs::File::create(&backup)?);
    let counts = store.backup(&mut out)?;
    drop(out);
    let held = started.elapsed().as_secs_f64();
    println!(
        "backup of {} records, {:.1} MiB: {:.2} s with commits held back ({:.0} MiB/s)",
        counts.records,
        counts.bytes as f64 / 1048576.0,
        held,
        counts.bytes as f64 / 1048576.0 / held
    );
    drop(store);
    std::thread::sleep(std::time::Duration::from_millis(500));
    let started = Instant::now();
    let found = alert_hub::store::verify_dir(&data, None, &data.join("audit.key"))?;
    let took = started.elapsed().as_secs_f64();
    println!(
        "verify of {} entries: {:.2} s, {:.0} entries/s",
        found.verified.entries,
        took,
        found.verified.entries as f64 / took
    );
    let restored = dir.path().join("restored");
    let started = Instant::now();
    alert_hub::store::backup::restore(&backup, &restored)?;
    println!(
        "restore (digest pass, then write): {:.2} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
