//! A group commit written as one sled batch: events and change messages in packs, the id keys,
//! the per-incident log index, incidents and their opening-time index, the other records, the
//! audit leaves; applied atomically, then flushed. The replicated journal's batches also carry
//! the stream sequence they landed at.

use std::collections::HashMap;

use super::{SledStore, calendar_key, key, meta_key, seq_key};
use crate::error::StoreError;
use crate::store::{WriteBatch, encode, meta, opened, pack};

impl SledStore {
    /// Commits a batch of the replicated journal together with the stream sequence of its
    /// last message, atomically: after a crash the store has both or neither. Without `flush`
    /// it is durable only after the next flush (a replay flushes once, at its end).
    pub(in crate::store) fn commit_journaled(
        &self,
        batch: &WriteBatch,
        stream_seq: u64,
        flush: bool,
    ) -> Result<(), StoreError> {
        self.write(batch, Some(stream_seq), flush)
    }

    /// Makes everything applied so far durable.
    pub(in crate::store) fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }

    /// The stream sequence of the last journal message applied, 0 when none.
    pub(in crate::store) fn journal_seq(&self) -> Result<u64, StoreError> {
        Ok(self.meta::<u64>(meta::JOURNAL_SEQ)?.unwrap_or(0))
    }

    pub(super) fn write(
        &self,
        batch: &WriteBatch,
        journal_seq: Option<u64>,
        flush: bool,
    ) -> Result<(), StoreError> {
        let _writing = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        let mut b = sled::Batch::default();
        if let Some(seq) = journal_seq {
            b.insert(meta_key(meta::JOURNAL_SEQ), encode(&seq, "a record")?);
        }
        let events = pack::pack(batch.events.iter().map(|e| (e.seq, e.json.as_slice())));
        for (last, events) in events {
            b.insert(seq_key(b'e', last), events);
        }
        if let Some(&(_, first)) = batch.seen_ids.first() {
            let mut pairs = Vec::with_capacity(batch.seen_ids.len() * 16);
            for (key, seq) in &batch.seen_ids {
                pairs.extend_from_slice(&key.to_be_bytes());
                pairs.extend_from_slice(&seq.to_be_bytes());
            }
            b.insert(seq_key(b'k', first), pairs);
        }
        let changes = pack::pack(batch.log.iter().map(|c| (c.seq, c.json.as_bytes())));
        for (last, changes) in changes {
            b.insert(seq_key(b'c', last), changes);
        }
        let mut per_incident: HashMap<&str, (u64, Vec<u8>)> = HashMap::new();
        for change in &batch.log {
            let (last, seqs) = per_incident.entry(&change.incident).or_default();
            *last = change.seq;
            seqs.extend_from_slice(&change.seq.to_be_bytes());
        }
        for (incident, (last, seqs)) in per_incident {
            let index = key(b'x', &[incident.as_bytes(), &[0], &last.to_be_bytes()]);
            b.insert(index, seqs);
        }
        for incident in &batch.incidents {
            b.insert(
                key(b'n', &[incident.id.as_bytes()]),
                incident.json.as_slice(),
            );
            b.insert(opened::key(incident.opened_at, &incident.id), &[]);
        }
        for record in &batch.on_test_log {
            b.insert(seq_key(b't', record.seq), encode(record, "a record")?);
        }
        for handover in &batch.handovers {
            b.insert(seq_key(b'h', handover.seq), encode(handover, "a record")?);
        }
        for record in &batch.drill_records {
            let k = key(b'd', &[record.drill.id.as_bytes()]);
            b.insert(k, encode(record, "a record")?);
        }
        for calendar in &batch.calendars {
            b.insert(
                calendar_key(&calendar.site, calendar.year),
                encode(calendar, "a record")?,
            );
        }
        for review in &batch.reviews {
            let k = key(b'v', &[review.incident.as_bytes()]);
            b.insert(k, encode(review, "a record")?);
        }
        for plan in &batch.after_actions {
            let k = key(b'p', &[plan.drill.as_bytes()]);
            b.insert(k, encode(plan, "a record")?);
        }
        if let Some(number) = batch.last_incident_number {
            b.insert(
                meta_key(meta::INCIDENT_NUMBER),
                encode(&number, "a record")?,
            );
        }
        if let Some(horizon) = &batch.dedup_horizon {
            b.insert(meta_key(meta::DEDUP_HORIZON), encode(horizon, "a record")?);
        }
        if let Some(drills) = &batch.drills {
            b.insert(meta_key(meta::DRILLS), encode(drills, "a record")?);
        }
        if let Some(on_test) = &batch.on_test {
            b.insert(meta_key(meta::ON_TEST), encode(on_test, "a record")?);
        }
        for (secret, bytes) in &batch.secrets {
            let hex = meta::to_hex(bytes);
            b.insert(meta_key(secret.name()), encode(&hex, "a record")?);
        }
        let audited = self.audit.append(batch, &mut b);
        self.db.apply_batch(b)?;
        if flush {
            self.db.flush()?;
        }
        if let Some(frontier) = audited {
            self.audit.committed(frontier);
        }
        Ok(())
    }
}
