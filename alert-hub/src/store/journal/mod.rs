//! The replicated journal in front of the sled store (`--store nats://...`): every batch the
//! core commits is first published to a NATS JetStream stream with three replicas and
//! acknowledged by it, then committed to the local sled store together with the stream sequence
//! it landed at. A hub started on an empty data directory rebuilds everything from the stream.
//!
//! Each batch is one message (or several pieces when larger than the server takes), with
//! `Nats-Msg-Id` = hub id, the stream position the batch starts at, a digest of the batch and the
//! piece's number: a retry after a lost acknowledgement is stored once, and a different batch
//! never passes for an earlier one. Every piece also says the stream sequence it must follow,
//! so a batch is never journaled after one this hub has not applied.
//!
//! One hub at a time is active: it holds the lease in the cluster's key-value bucket
//! ([`leader`], decided by [`lease`]) and acks only while it does. The others stand by,
//! applying the stream as it grows, and take the lease when it is free.

mod cluster;
mod encoding;
mod leader;
pub mod lease;
mod standby;

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

pub use cluster::{DUPLICATE_WINDOW, STREAM, SUBJECT};
pub use leader::BUCKET;
pub use lease::Holder;

use super::{SledStore, Store, WriteBatch};
use crate::error::StoreError;
use cluster::Cluster;
use encoding::{Assembler, Piece, Problem};
use leader::Leadership;
use lease::{Lease, Timing};

/// The longest one commit waits for the cluster before it fails (and the writer retries it).
const COMMIT_PATIENCE: Duration = Duration::from_secs(10);
/// How often a standby applies what the stream gained and looks at the lease.
const FOLLOW_EVERY: Duration = Duration::from_millis(250);

/// The sled store with the replicated journal in front of it.
#[derive(Debug)]
pub struct JournaledStore {
    local: SledStore,
    cluster: Cluster,
    /// Runs the NATS client.
    runtime: Background,
    /// The servers, as given, for errors.
    servers: String,
    /// This hub's id in the messages it publishes.
    hub: String,
    journal: Mutex<Position>,
    /// This hub's lease, and its timing.
    lease: Mutex<(Timing, Lease)>,
    /// The lease's bucket, once this hub has joined the election.
    leadership: Mutex<Option<Leadership>>,
}

/// Where the journal stands for this hub.
#[derive(Debug, Default)]
struct Position {
    /// The stream's last sequence as this hub knows it: every message up to it is applied.
    last: u64,
    /// A batch journaled (its digest, and the sequence of its last piece) whose local commit
    /// then failed: its retry is committed locally without being journaled again.
    unapplied: Option<(String, u64)>,
}

impl JournaledStore {
    /// Opens the sled store in `dir`, connects to the cluster at `servers` (making the stream
    /// when it has none), and applies every stream message after the last one the store applied.
    /// The store commits nothing until [`JournaledStore::wait_for_lease`] has made this hub the
    /// active one; `lease` is how long the lease lasts unless its bucket says otherwise.
    pub fn open(
        dir: &Path,
        cache_bytes: u64,
        servers: &[String],
        lease: Duration,
    ) -> Result<JournaledStore, StoreError> {
        let local = SledStore::open_with_cache(dir, cache_bytes)?;
        let servers_text = servers.join(",");
        let fail = |message: Problem| StoreError::Journal {
            cluster: servers_text.clone(),
            message,
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("hub-journal")
            .enable_all()
            .build()
            .map_err(|source| StoreError::System {
                what: "cannot start the journal's runtime",
                source,
            })?;
        let runtime = Background(Some(runtime));
        let owned = servers.to_vec();
        let connect = async move { Cluster::connect(&owned).await };
        let cluster = on_unbounded(runtime.0.as_ref(), connect).map_err(fail)?;
        let hub = crate::notify::ack_link::new_secret()
            .map(|bytes| hex(&bytes[..4]))
            .map_err(|source| StoreError::System {
                what: "no random source",
                source,
            })?;
        let store = JournaledStore {
            local,
            cluster,
            runtime,
            servers: servers_text,
            hub,
            journal: Mutex::new(Position::default()),
            lease: Mutex::new((Timing::new(lease), Lease::standby())),
            leadership: Mutex::new(None),
        };
        let last = store.replay()?;
        store.position().last = last;
        Ok(store)
    }

    fn position(&self) -> std::sync::MutexGuard<'_, Position> {
        self.journal.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lease(&self) -> std::sync::MutexGuard<'_, (Timing, Lease)> {
        self.lease.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// This hub's id, as the lease and the journal's message ids name it.
    pub fn hub(&self) -> &str {
        &self.hub
    }

    /// Whether this hub holds the lease now, and so may ack.
    pub fn holds_lease(&self) -> bool {
        let (timing, lease) = &*self.lease();
        lease.holds(*timing, Instant::now())
    }

    fn fail(&self, message: Problem) -> StoreError {
        StoreError::Journal {
            cluster: self.servers.clone(),
            message,
        }
    }

    /// Runs `work` on the journal's runtime and waits for it, from any thread.
    fn run<T: Send + 'static>(
        &self,
        work: impl Future<Output = Result<T, Problem>> + Send + 'static,
    ) -> Result<T, StoreError> {
        let runtime = self
            .runtime
            .0
            .as_ref()
            .ok_or_else(|| self.fail("the journal is closed".into()))?;
        on(runtime, work, Some(COMMIT_PATIENCE)).map_err(|m| self.fail(m))
    }

    /// Applies every stream message after the last one the local store applied; returns the
    /// stream's last sequence.
    fn replay(&self) -> Result<u64, StoreError> {
        let applied = self.local.journal_seq()?;
        if applied == 0 && self.has_unjournaled_data()? {
            return Err(self.fail(
                "the data directory holds a store written without the cluster; start a \
                 clustered hub on an empty data directory (moving an existing store into the \
                 cluster is not supported yet); nothing was changed"
                    .into(),
            ));
        }
        let cluster = self.cluster.clone();
        let last = on_unbounded(self.runtime.0.as_ref(), async move {
            cluster.last_seq_patiently().await
        })
        .map_err(|m| self.fail(m))?;
        if applied > last {
            return Err(self.fail(format!(
                "the data directory has applied message {applied} of stream {STREAM}, which \
                 ends at {last}: the directory belongs to another cluster; nothing was changed"
            )));
        }
        let (cluster, local) = (self.cluster.clone(), self.local.clone());
        let batches = on_unbounded(self.runtime.0.as_ref(), async move {
            // A stream that does not answer (a new leader being elected) is asked again from
            // where the last attempt stopped, for a while.
            let (cluster, local) = (&cluster, &local);
            let started = tokio::time::Instant::now();
            cluster::patiently(started, "the journal's stream to answer", || async move {
                let from = local
                    .journal_seq()
                    .map_err(|e| format!("cannot read the store: {e}"))?
                    + 1;
                apply(cluster, local, from, last).await
            })
            .await
        })
        .map_err(|m| self.fail(m))?;
        let seq = last;
        tracing::info!(
            stream = STREAM,
            from = applied + 1,
            through = seq,
            batches,
            "applied the replicated journal"
        );
        Ok(seq)
    }

    /// Spawns `work` on the journal's runtime.
    fn spawn<T: Send + 'static>(
        &self,
        work: impl Future<Output = T> + Send + 'static,
    ) -> Result<tokio::task::JoinHandle<T>, StoreError> {
        let runtime = self
            .runtime
            .0
            .as_ref()
            .ok_or_else(|| self.fail("the journal is closed".into()))?;
        Ok(runtime.spawn(work))
    }

    /// Whether the local store holds anything that did not come through the journal.
    fn has_unjournaled_data(&self) -> Result<bool, StoreError> {
        Ok(self.local.last_event_seq()? > 0
            || self.local.last_log_seq()? > 0
            || self.local.secret(super::Secret::IdSalt)?.is_some()
            || self.local.secret(super::Secret::AckLinks)?.is_some())
    }

    /// An error unless this hub holds the lease now.
    fn check_lease(&self) -> Result<(), StoreError> {
        if self.holds_lease() {
            return Ok(());
        }
        let why = match &self.lease().1 {
            Lease::Lost { why } => format!("this hub lost its lease as the active hub ({why})"),
            _ => "this hub is a standby: it does not hold the lease".into(),
        };
        Err(StoreError::NotActive {
            cluster: self.servers.clone(),
            message: format!("{why}; nothing more is acknowledged"),
        })
    }

    /// Publishes a batch's `message` to the stream, each piece awaited for its acknowledgement; returns the
    /// sequence of its last piece.
    fn journal(&self, message: &[u8], after: u64, digest: &str) -> Result<u64, StoreError> {
        let position = after + 1;
        let id = format!("{}-{position}-{digest}", self.hub);
        let pieces = encoding::chunks(message, self.cluster.max_piece);
        let count = pieces.len();
        let mut last = after;
        for (i, bytes) in pieces.into_iter().enumerate() {
            let piece = Piece {
                batch: id.clone(),
                index: i + 1,
                count,
            };
            let msg_id = format!("{id}-{}", i + 1);
            let (cluster, bytes) = (self.cluster.clone(), bytes.to_vec());
            let expected = last;
            let seq =
                self.run(async move { cluster.publish(&piece, &msg_id, expected, &bytes).await })?;
            if seq != expected + 1 {
                return Err(self.fail(format!(
                    "piece {} of batch {id} landed at {seq}, not right after {expected}",
                    i + 1
                )));
            }
            last = seq;
        }
        Ok(last)
    }
}

/// Applies the stream's messages `from` through `through` to `local`; returns how many batches
/// they held. A batch whose pieces do not all lie in the range is left for the next call.
async fn apply(
    cluster: &Cluster,
    local: &SledStore,
    from: u64,
    through: u64,
) -> Result<u64, Problem> {
    let mut assembler = Assembler::default();
    let mut batches = 0u64;
    cluster
        .read(from, through, &mut |seq, piece, payload| {
            let Some(piece) = piece else {
                tracing::warn!(seq, "a journal message without its batch headers");
                return Ok(());
            };
            if let Some(message) = assembler.push(piece, payload) {
                let batch =
                    encoding::decode(&message).map_err(|e| format!("message {seq}: {e}"))?;
                local
                    .commit_journaled(&batch, seq, false)
                    .map_err(|e| format!("message {seq}: {e}"))?;
                batches += 1;
            }
            Ok(())
        })
        .await?;
    local
        .flush()
        .map_err(|e| format!("cannot flush the store: {e}"))?;
    Ok(batches)
}

/// A runtime that may be dropped anywhere, an async context included: it is shut down without
/// waiting for its tasks.
#[derive(Debug)]
struct Background(Option<tokio::runtime::Runtime>);

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// Lower-case hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs `work` on `runtime` and waits for it (up to `patience`) on this thread, which may be a
/// thread of another runtime: the work never runs there.
fn on<T: Send + 'static>(
    runtime: &tokio::runtime::Runtime,
    work: impl Future<Output = Result<T, Problem>> + Send + 'static,
    patience: Option<Duration>,
) -> Result<T, Problem> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    runtime.spawn(async move {
        let result = match patience {
            Some(p) => tokio::time::timeout(p, work)
                .await
                .unwrap_or_else(|_| Err(format!("no answer in {} s", p.as_secs()))),
            None => work.await,
        };
        let _ = tx.send(result);
    });
    rx.recv()
        .unwrap_or_else(|_| Err("the journal's runtime stopped".into()))
}

/// [`on`] without a time limit, for the replay at start, which takes as long as the stream is.
fn on_unbounded<T: Send + 'static>(
    runtime: Option<&tokio::runtime::Runtime>,
    work: impl Future<Output = Result<T, Problem>> + Send + 'static,
) -> Result<T, Problem> {
    match runtime {
        Some(runtime) => on(runtime, work, None),
        None => Err("the journal is closed".into()),
    }
}

impl Store for JournaledStore {
    /// Journals the batch (awaiting JetStream's acknowledgement), then commits it locally; an
    /// unreachable cluster fails the commit, so nothing of the batch is acknowledged.
    /// Refused unless this hub holds the lease, before journaling and again after JetStream
    /// acknowledged: a hub that lost the lease acks nothing.
    fn commit(&self, batch: &WriteBatch) -> Result<(), StoreError> {
        let mut position = self.position();
        self.check_lease()?;
        let message = encoding::encode(batch).map_err(|m| self.fail(m))?;
        let digest = hex(&Sha256::digest(&message)[..8]);
        let seq = match &position.unapplied {
            Some((journaled, seq)) if *journaled == digest => *seq,
            Some((_, seq)) => {
                return Err(self.fail(format!(
                    "the batch journaled at {seq} is not in the local store yet, and another \
                     batch cannot follow it; restart the hub to apply it from the journal"
                )));
            }
            None => self.journal(&message, position.last, &digest)?,
        };
        self.check_lease()?;
        position.last = seq;
        position.unapplied = Some((digest, seq));
        self.local.commit_journaled(batch, seq, true)?;
        position.unapplied = None;
        Ok(())
    }

    fn event(&self, seq: u64) -> Result<Option<crate::protocol::StoredEvent>, StoreError> {
        self.local.event(seq)
    }
    fn seen_ids(&self, each: &mut dyn FnMut(u64, u64)) -> Result<(), StoreError> {
        self.local.seen_ids(each)
    }
    fn dedup_horizon(&self) -> Result<Option<crate::core::Horizon>, StoreError> {
        self.local.dedup_horizon()
    }
    fn events_after(
        &self,
        after: u64,
        limit: usize,
    ) -> Result<Vec<crate::protocol::StoredEvent>, StoreError> {
        self.local.events_after(after, limit)
    }
    fn changes_after(
        &self,
        after: u64,
        limit: usize,
    ) -> Result<Vec<super::LoggedChange>, StoreError> {
        self.local.changes_after(after, limit)
    }
    fn last_event_seq(&self) -> Result<u64, StoreError> {
        self.local.last_event_seq()
    }
    fn last_log_seq(&self) -> Result<u64, StoreError> {
        self.local.last_log_seq()
    }
    fn incident(&self, id: &str) -> Result<Option<crate::incident::Incident>, StoreError> {
        self.local.incident(id)
    }
    fn incidents(&self) -> Result<Vec<crate::incident::Incident>, StoreError> {
        self.local.incidents()
    }
    fn incident_log(&self, id: &str) -> Result<Vec<crate::protocol::LogEntry>, StoreError> {
        self.local.incident_log(id)
    }
    fn last_incident_number(&self) -> Result<u64, StoreError> {
        self.local.last_incident_number()
    }
    fn drills(&self) -> Result<Vec<crate::protocol::DrillView>, StoreError> {
        self.local.drills()
    }
    fn on_test(&self) -> Result<Vec<crate::protocol::OnTestView>, StoreError> {
        self.local.on_test()
    }
    fn secret(&self, secret: super::Secret) -> Result<Option<[u8; 32]>, StoreError> {
        self.local.secret(secret)
    }
    fn handovers(&self) -> Result<Vec<crate::protocol::HandOverRecord>, StoreError> {
        self.local.handovers()
    }
    fn on_test_log(&self) -> Result<Vec<crate::protocol::OnTestRecord>, StoreError> {
        self.local.on_test_log()
    }
    fn review(&self, id: &str) -> Result<Option<crate::protocol::ReviewRecord>, StoreError> {
        self.local.review(id)
    }
    fn drill_records(&self) -> Result<Vec<crate::protocol::DrillRecord>, StoreError> {
        self.local.drill_records()
    }
    fn each_incident_opened(
        &self,
        from: time::OffsetDateTime,
        to: time::OffsetDateTime,
        each: &mut dyn FnMut(&[u8]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.local.each_incident_opened(from, to, each)
    }
    fn calendar(
        &self,
        site: &str,
        year: i32,
    ) -> Result<Option<crate::protocol::SiteCalendar>, StoreError> {
        self.local.calendar(site, year)
    }
    fn calendars(&self, year: i32) -> Result<Vec<crate::protocol::SiteCalendar>, StoreError> {
        self.local.calendars(year)
    }
    fn after_action(
        &self,
        id: &str,
    ) -> Result<Option<crate::protocol::AfterActionRecord>, StoreError> {
        self.local.after_action(id)
    }
    fn after_actions(&self) -> Result<Vec<crate::protocol::AfterActionRecord>, StoreError> {
        self.local.after_actions()
    }
    fn audit_tree(&self) -> Result<(u64, crate::audit::merkle::Hash), StoreError> {
        self.local.audit_tree()
    }
    fn checkpoint(&self) -> Result<Option<String>, StoreError> {
        self.local.checkpoint()
    }
    fn audit_leaves(
        &self,
        entry: crate::audit::verify::Entry,
        size: u64,
    ) -> Result<Option<(u64, Vec<crate::audit::merkle::Hash>)>, StoreError> {
        self.local.audit_leaves(entry, size)
    }
    /// Kept locally: a checkpoint is this hub's signature over its own tree.
    fn keep_checkpoint(&self, note: &str) -> Result<(), StoreError> {
        self.local.keep_checkpoint(note)
    }
    /// Archives locally only: the journal keeps every batch.
    fn archive(
        &self,
        now: time::OffsetDateTime,
        days: u64,
    ) -> Result<super::archive::Archived, StoreError> {
        self.local.archive(now, days)
    }
    fn backup(&self, out: &mut dyn std::io::Write) -> Result<super::backup::Counts, StoreError> {
        self.local.backup(out)
    }
}
