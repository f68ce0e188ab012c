//! The index of incidents by opening time: `o` + opening time (8 bytes, ordered) + incident id
//! → nothing. Written with every incident the store keeps, so a month's incidents are a range
//! scan; a store written before the index existed gets it rebuilt once, on open.

use time::OffsetDateTime;

use super::meta;
use crate::error::StoreError;

const PREFIX: u8 = b'o';

/// The opening time as 8 bytes that sort as the times do: nanoseconds since 1970, the sign bit
/// flipped (the range of an `i64` runs from 1677 to 2262).
fn time_bytes(at: OffsetDateTime) -> [u8; 8] {
    let nanos = at
        .unix_timestamp_nanos()
        .clamp(i128::from(i64::MIN), i128::from(i64::MAX));
    ((nanos as i64 as u64) ^ (1 << 63)).to_be_bytes()
}

/// The index key of an incident opened at `at`.
pub(super) fn key(at: OffsetDateTime, id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(9 + id.len());
    k.push(PREFIX);
    k.extend_from_slice(&time_bytes(at));
    k.extend_from_slice(id.as_bytes());
    k
}

/// The incident ids opened in `from..to`, oldest first.
pub(super) fn ids(
    db: &sled::Db,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<Vec<Vec<u8>>, StoreError> {
    let (start, end) = (key(from, ""), key(to, ""));
    db.range(start..end)
        .keys()
        .map(|k| Ok(k?.get(9..).map(<[u8]>::to_vec).unwrap_or_default()))
        .collect()
}

/// Only the opening time of a stored incident.
#[derive(serde::Deserialize)]
struct Opened {
    view: OpenedView,
}

#[derive(serde::Deserialize)]
struct OpenedView {
    id: String,
    #[serde(with = "time::serde::rfc3339")]
    opened_at: OffsetDateTime,
}

/// Writes the index of every stored incident, once: a store that has the index says so in
/// its `opened_index` record.
pub(super) fn rebuild_if_missing(db: &sled::Db) -> Result<(), StoreError> {
    let done = super::sled_store::meta_key(meta::OPENED_INDEX);
    if db.contains_key(&done)? {
        return Ok(());
    }
    let mut batch = sled::Batch::default();
    for record in db.scan_prefix([b'n']) {
        let (k, v) = record?;
        let opened: Opened = serde_json::from_slice(&v).map_err(|source| StoreError::Corrupt {
            key: String::from_utf8_lossy(&k).into_owned(),
            source,
        })?;
        batch.insert(key(opened.view.opened_at, &opened.view.id), &[]);
    }
    batch.insert(done, b"true".as_slice());
    db.apply_batch(batch)?;
    db.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn keys_sort_as_the_opening_times_do() {
        let times = [
            datetime!(1969-12-31 23:59:59 UTC),
            datetime!(2026-10-31 23:59:59.999 +08:00),
            datetime!(2026-11-01 00:00 +08:00),
            datetime!(2026-11-30 12:00 UTC),
        ];
        let keys: Vec<Vec<u8>> = times.iter().map(|t| key(*t, "INC-9")).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
    }
}
