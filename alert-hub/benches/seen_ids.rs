//! What remembering every sent event id costs at start: stores the id keys of five million
//! events (as group commits of 2,000 do), then times loading them into the in-memory index and
//! the memory the process grew by. Prints figures; no targets.

use std::time::Instant;

use alert_hub::core::SeenIds;
use alert_hub::store::{SledStore, Store, WriteBatch};

/// Memory is measured with the allocator `alert-hub serve` uses (see its `main.rs`).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const EVENTS: u64 = 5_000_000;
const BATCH: u64 = 2_000;

/// The process's resident memory in KiB, where the system reports it.
fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = SledStore::open(dir.path())?;
    let salt = [7; 32];
    let keys = SeenIds::new(salt);
    let started = Instant::now();
    for first in (1..=EVENTS).step_by(BATCH as usize) {
        let seen_ids = (first..first + BATCH)
            .map(|seq| (keys.key("gw-001", &format!("gw-001:{seq:09}")), seq))
            .collect();
        store.commit(&WriteBatch {
            seen_ids,
            ..WriteBatch::default()
        })?;
    }
    println!(
        "stored the id keys of {EVENTS} events in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let before = resident_kib();
    let started = Instant::now();
    let seen = SeenIds::load(&store, salt)?;
    let took = started.elapsed();
    let grew = resident_kib()
        .zip(before)
        .map(|(after, before)| after.saturating_sub(before));
    println!(
        "loaded {} ids in {:.2} s ({:.0} ns each)",
        seen.ids(),
        took.as_secs_f64(),
        took.as_nanos() as f64 / seen.ids().max(1) as f64
    );
    match grew {
        Some(kib) => println!(
            "resident memory grew by {:.0} MiB ({:.0} bytes per id, sled's read cache included)",
            kib as f64 / 1024.0,
            kib as f64 * 1024.0 / seen.ids().max(1) as f64
        ),
        None => println!("resident memory: not reported on this system"),
    }
    Ok(())
}
