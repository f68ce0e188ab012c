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

/// Calls `each` with the stored JSON of every incident opened in `from..to`, oldest first.
pub(super) fn each(
    db: &sled::Db,
    from: OffsetDateTime,
    to: OffsetDateTime,
    each: &mut dyn FnMut(&[u8]) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    for k in db.range(key(from, "")..key(to, "")).keys() {
        let k = k?;
        let mut incident = vec![b'n'];
        incident.extend_from_slice(k.get(9..).unwrap_or_default());
        if let Some(json) = db.get(incident)? {
            each(&json)?;
        }
    }
    Ok(())
}

/// The opening time of a stored incident, from its JSON.
pub(super) fn opened_at(json: &[u8]) -> Result<OffsetDateTime, StoreError> {
    let opened: Opened = serde_json::from_slice(json).map_err(|source| StoreError::Corrupt {
        key: "an incident".into(),
        source,
    })?;
    Ok(opened.view.opened_at)
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
    use crate::incident::Incident;
    use crate::protocol::{EventKind, IncidentEvent, IncidentView, Location};
    use crate::store::{SledStore, Store, StoredIncident, WriteBatch};
    use time::macros::datetime;

    fn incident(id: &str, opened_at: OffsetDateTime) -> StoredIncident {
        let view = IncidentView::opened(
            id.into(),
            EventKind::FireAlarm,
            Location::default(),
            opened_at,
            "smoke-1",
            "fp-1",
        );
        let incident = Incident::from_opened(&IncidentEvent::Opened {
            view: Box::new(view),
            event_seq: None,
        })
        .unwrap_or_else(|| panic!("a fire alarm opens an incident"));
        StoredIncident::encode(&incident).unwrap_or_else(|e| panic!("{e}"))
    }

    fn opened_in(store: &SledStore, from: OffsetDateTime, to: OffsetDateTime) -> Vec<String> {
        let mut ids = Vec::new();
        store
            .each_incident_opened(from, to, &mut |json| {
                let opened: Opened = serde_json::from_slice(json).unwrap_or_else(|e| panic!("{e}"));
                ids.push(opened.view.id);
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
        ids
    }

    #[test]
    fn a_month_is_a_range_and_an_older_store_gets_its_index_on_open() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let incidents = vec![
            incident("INC-3", datetime!(2026-12-01 00:00 +08:00)),
            incident("INC-1", datetime!(2026-10-31 23:59:59 +08:00)),
            incident("INC-2", datetime!(2026-11-15 08:00 +08:00)),
        ];
        let (from, to) = (
            datetime!(2026-11-01 00:00 +08:00),
            datetime!(2026-12-01 00:00 +08:00),
        );
        {
            let store = SledStore::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
            store
                .commit(&WriteBatch {
                    incidents: incidents.clone(),
                    ..WriteBatch::default()
                })
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(opened_in(&store, from, to), ["INC-2"]);
        }
        // A store written before the index: the incidents alone, and no `opened_index` record.
        let older = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        {
            let db = sled::open(older.path()).unwrap_or_else(|e| panic!("{e}"));
            for i in &incidents {
                let mut k = vec![b'n'];
                k.extend_from_slice(i.id.as_bytes());
                db.insert(k, i.json.as_slice())
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            db.flush().unwrap_or_else(|e| panic!("{e}"));
        }
        let store = crate::store::sled_store::tests::reopen(older.path());
        assert_eq!(opened_in(&store, from, to), ["INC-2"]);
        let all = opened_in(
            &store,
            datetime!(2026-01-01 00:00 UTC),
            datetime!(2027-01-01 00:00 UTC),
        );
        assert_eq!(all, ["INC-1", "INC-2", "INC-3"], "oldest first");
    }

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
