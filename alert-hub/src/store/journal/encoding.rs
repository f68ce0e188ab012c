//! A write batch as one journal message: JSON, with the records the core already encoded (events,
//! feed changes, incidents) carried as they are rather than encoded again; split into chunks
//! when it is larger than what the server takes in one message.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::core::Horizon;
use crate::protocol::{
    AfterActionRecord, DrillRecord, DrillView, HandOverRecord, OnTestRecord, OnTestView,
    ReviewRecord, SiteCalendar,
};
use crate::store::{EventRecord, LoggedChange, Secret, StoredIncident, WriteBatch, meta};

/// A batch as it is written to the journal.
#[derive(Serialize)]
struct Outgoing<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    events: Vec<(u64, &'a RawValue)>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    seen_ids: &'a [(u64, u64)],
    #[serde(skip_serializing_if = "Option::is_none")]
    dedup_horizon: Option<&'a Horizon>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    log: Vec<(u64, &'a str, &'a RawValue)>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    incidents: Vec<(&'a str, &'a RawValue)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_incident_number: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    drills: Option<&'a [DrillView]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    on_test: Option<&'a [OnTestView]>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    secrets: Vec<(&'static str, String)>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    handovers: &'a [HandOverRecord],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    on_test_log: &'a [OnTestRecord],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    reviews: &'a [ReviewRecord],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    drill_records: &'a [DrillRecord],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    calendars: &'a [SiteCalendar],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    after_actions: &'a [AfterActionRecord],
}

/// A batch as it is read back from the journal.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Incoming<'a> {
    #[serde(default, borrow)]
    events: Vec<(u64, &'a RawValue)>,
    #[serde(default)]
    seen_ids: Vec<(u64, u64)>,
    #[serde(default)]
    dedup_horizon: Option<Horizon>,
    #[serde(default, borrow)]
    log: Vec<(u64, String, &'a RawValue)>,
    #[serde(default, borrow)]
    incidents: Vec<(String, &'a RawValue)>,
    #[serde(default)]
    last_incident_number: Option<u64>,
    #[serde(default)]
    drills: Option<Vec<DrillView>>,
    #[serde(default)]
    on_test: Option<Vec<OnTestView>>,
    #[serde(default)]
    secrets: Vec<(String, String)>,
    #[serde(default)]
    handovers: Vec<HandOverRecord>,
    #[serde(default)]
    on_test_log: Vec<OnTestRecord>,
    #[serde(default)]
    reviews: Vec<ReviewRecord>,
    #[serde(default)]
    drill_records: Vec<DrillRecord>,
    #[serde(default)]
    calendars: Vec<SiteCalendar>,
    #[serde(default)]
    after_actions: Vec<AfterActionRecord>,
}

/// Why a batch could not be written to or read from the journal.
pub(super) type Problem = String;

/// A stored record's JSON as a raw JSON value; `what` names it in the error.
fn raw<'a>(json: &'a [u8], what: &str) -> Result<&'a RawValue, Problem> {
    serde_json::from_slice(json).map_err(|e| format!("{what} is not JSON: {e}"))
}

/// The journal message of a batch.
pub(super) fn encode(batch: &WriteBatch) -> Result<Vec<u8>, Problem> {
    let events = batch
        .events
        .iter()
        .map(|e| Ok((e.seq, raw(&e.json, "an event")?)))
        .collect::<Result<_, Problem>>()?;
    let log = batch
        .log
        .iter()
        .map(|c| {
            let json = raw(c.json.as_bytes(), "a feed change")?;
            Ok((c.seq, c.incident.as_str(), json))
        })
        .collect::<Result<_, Problem>>()?;
    let incidents = batch
        .incidents
        .iter()
        .map(|i| Ok((i.id.as_str(), raw(&i.json, "an incident")?)))
        .collect::<Result<_, Problem>>()?;
    let outgoing = Outgoing {
        events,
        seen_ids: &batch.seen_ids,
        dedup_horizon: batch.dedup_horizon.as_ref(),
        log,
        incidents,
        last_incident_number: batch.last_incident_number,
        drills: batch.drills.as_deref(),
        on_test: batch.on_test.as_deref(),
        secrets: batch
            .secrets
            .iter()
            .map(|(secret, bytes)| (secret.name(), meta::to_hex(bytes)))
            .collect(),
        handovers: &batch.handovers,
        on_test_log: &batch.on_test_log,
        reviews: &batch.reviews,
        drill_records: &batch.drill_records,
        calendars: &batch.calendars,
        after_actions: &batch.after_actions,
    };
    serde_json::to_vec(&outgoing).map_err(|e| format!("cannot encode a batch: {e}"))
}

/// The batch a journal message carries.
pub(super) fn decode(message: &[u8]) -> Result<WriteBatch, Problem> {
    let incoming: Incoming<'_> =
        serde_json::from_slice(message).map_err(|e| format!("not a batch: {e}"))?;
    let mut incidents = Vec::with_capacity(incoming.incidents.len());
    for (id, json) in incoming.incidents {
        let json = json.get().as_bytes().to_vec();
        let opened_at =
            crate::store::opened::opened_at(&json).map_err(|e| format!("incident {id}: {e}"))?;
        incidents.push(StoredIncident {
            id,
            opened_at,
            json,
        });
    }
    let secrets = incoming
        .secrets
        .iter()
        .map(|(name, hex)| {
            let secret = Secret::from_name(name).ok_or_else(|| format!("unknown secret {name}"))?;
            let bytes = meta::from_hex(hex).ok_or_else(|| format!("secret {name} is not hex"))?;
            Ok((secret, bytes))
        })
        .collect::<Result<_, Problem>>()?;
    Ok(WriteBatch {
        events: incoming
            .events
            .into_iter()
            .map(|(seq, json)| EventRecord {
                seq,
                json: json.get().as_bytes().to_vec(),
            })
            .collect(),
        seen_ids: incoming.seen_ids,
        dedup_horizon: incoming.dedup_horizon,
        log: incoming
            .log
            .into_iter()
            .map(|(seq, incident, json)| LoggedChange {
                seq,
                incident,
                json: json.get().into(),
            })
            .collect(),
        incidents,
        last_incident_number: incoming.last_incident_number,
        drills: incoming.drills,
        on_test: incoming.on_test,
        secrets,
        handovers: incoming.handovers,
        on_test_log: incoming.on_test_log,
        reviews: incoming.reviews,
        drill_records: incoming.drill_records,
        calendars: incoming.calendars,
        after_actions: incoming.after_actions,
    })
}

/// A message split into pieces of at most `max` bytes (at least one piece, even when empty).
pub(super) fn chunks(message: &[u8], max: usize) -> Vec<&[u8]> {
    if message.is_empty() {
        return vec![message];
    }
    message.chunks(max.max(1)).collect()
}

/// Which piece of which batch a journal message holds: its `Hub-Batch` and `Hub-Chunk`
/// (`INDEX/COUNT`, from 1) headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Piece {
    pub batch: String,
    pub index: usize,
    pub count: usize,
}

impl Piece {
    /// The `Hub-Chunk` header's value.
    pub fn chunk_header(&self) -> String {
        format!("{}/{}", self.index, self.count)
    }

    /// The piece named by the headers' values; `None` when they are not what the hub writes.
    pub fn parse(batch: Option<&str>, chunk: Option<&str>) -> Option<Piece> {
        let (index, count) = chunk?.split_once('/')?;
        let (index, count) = (index.parse().ok()?, count.parse().ok()?);
        let batch = batch?.to_string();
        (1..=count).contains(&index).then_some(Piece {
            batch,
            index,
            count,
        })
    }
}

/// Puts pieces read in stream order back together into whole batches. A batch whose pieces
/// stop short (a hub that died half-way through publishing it, and so never acknowledged
/// anything of it) is skipped, never applied in part.
#[derive(Debug, Default)]
pub(super) struct Assembler {
    current: Option<(Piece, Vec<u8>)>,
}

impl Assembler {
    /// Takes the next message of the stream; returns a whole batch's message once its last
    /// piece is in.
    pub fn push(&mut self, piece: Piece, payload: &[u8]) -> Option<Vec<u8>> {
        let continues = matches!(&self.current, Some((last, _))
            if last.batch == piece.batch && last.count == piece.count && last.index + 1 == piece.index);
        if !continues {
            self.current = None;
            if piece.index != 1 {
                return None;
            }
        }
        let mut bytes = self.current.take().map(|(_, b)| b).unwrap_or_default();
        bytes.extend_from_slice(payload);
        if piece.index == piece.count {
            return Some(bytes);
        }
        self.current = Some((piece, bytes));
        None
    }
}

#[cfg(test)]
#[path = "encoding_tests.rs"]
mod tests;
