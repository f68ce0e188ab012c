//! The NATS side of the journal: connecting to the cluster, making the stream, publishing one
//! batch's pieces and awaiting JetStream's acknowledgement of each, and reading the stream back.
//! Async code only; [`super::JournaledStore`] runs it on its own runtime.

use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::{self, message::PublishMessage, stream};
use futures_util::StreamExt;

use super::encoding::{Piece, Problem};

/// The stream that holds the journal.
pub const STREAM: &str = "ALERT_HUB_JOURNAL";
/// The subject batches are published on.
pub const SUBJECT: &str = "alert-hub.journal";
/// How long JetStream remembers a `Nats-Msg-Id`: longer than the writer retries one batch
/// (`core::writer::STORE_GIVE_UP`), so that no retry is stored twice.
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(120);
/// How long one publish waits for JetStream's acknowledgement before it is retried.
const ACK_TIMEOUT: Duration = Duration::from_secs(2);
/// How long the hub waits at start for the cluster to answer and to have its stream.
pub(super) const START_PATIENCE: Duration = Duration::from_secs(30);
/// How long reading the stream back waits for its next message.
const READ_PATIENCE: Duration = Duration::from_secs(30);
/// Room kept in each message for its headers, under the server's maximum payload.
const HEADER_ROOM: usize = 1024;

/// What reading the stream calls with each message: its sequence, its piece (`None` when its
/// headers are not the hub's) and its payload.
pub type EachMessage<'a> = dyn FnMut(u64, Option<Piece>, &[u8]) -> Result<(), Problem> + Send + 'a;

/// A connection to the cluster's JetStream.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub(super) js: jetstream::Context,
    /// The largest piece of a batch one message carries.
    pub(super) max_piece: usize,
}

/// The servers as the client takes them: `nats://HOST:PORT` each.
fn urls(servers: &[String]) -> Vec<String> {
    servers
        .iter()
        .map(|s| {
            if s.contains("://") {
                s.clone()
            } else {
                format!("nats://{s}")
            }
        })
        .collect()
}

/// Runs `attempt` until it succeeds, again every 500 ms until [`START_PATIENCE`] has passed
/// since `started`, logging each failure as waiting for `what`; then its last error. For a hub
/// starting while the cluster starts, or elects new leaders after a node's loss (it answers
/// nothing for a few seconds then).
pub(super) async fn patiently<T, F: Future<Output = Result<T, Problem>>>(
    started: tokio::time::Instant,
    what: &str,
    mut attempt: impl FnMut() -> F,
) -> Result<T, Problem> {
    loop {
        match attempt().await {
            Ok(done) => return Ok(done),
            Err(e) if started.elapsed() >= START_PATIENCE => return Err(e),
            Err(e) => {
                tracing::info!(error = %e, "waiting for {what}");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
}

impl Cluster {
    /// Connects to any of `servers`, and makes the journal's stream (three replicas, on disk)
    /// when the cluster has none; waits a while for a cluster that is still starting.
    pub async fn connect(servers: &[String]) -> Result<Cluster, Problem> {
        let addrs: Vec<async_nats::ServerAddr> = urls(servers)
            .iter()
            .map(|u| u.parse().map_err(|e| format!("{u}: {e}")))
            .collect::<Result<_, Problem>>()?;
        let started = tokio::time::Instant::now();
        let client = patiently(started, "the NATS cluster", || async {
            async_nats::ConnectOptions::new()
                .connection_timeout(Duration::from_secs(2))
                .max_reconnects(None)
                .connect(addrs.clone())
                .await
                .map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| format!("cannot connect in 30 s: {e}"))?;
        let max_payload = client.server_info().max_payload;
        let js = jetstream::ContextBuilder::new()
            .timeout(ACK_TIMEOUT)
            .build(client);
        let config = stream::Config {
            name: STREAM.into(),
            subjects: vec![SUBJECT.into()],
            num_replicas: 3,
            storage: stream::StorageType::File,
            duplicate_window: DUPLICATE_WINDOW,
            ..Default::default()
        };
        patiently(started, "the NATS cluster's JetStream", || async {
            js.get_or_create_stream(config.clone())
                .await
                .map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| format!("cannot make or find stream {STREAM}: {e}"))?;
        Ok(Cluster {
            js,
            max_piece: max_payload.saturating_sub(HEADER_ROOM).max(HEADER_ROOM),
        })
    }

    /// The stream's last sequence number, 0 when it is empty.
    pub async fn last_seq(&self) -> Result<u64, Problem> {
        let mut stream = self
            .js
            .get_stream(STREAM)
            .await
            .map_err(|e| format!("cannot find stream {STREAM}: {e}"))?;
        let info = stream
            .info()
            .await
            .map_err(|e| format!("cannot read stream {STREAM}: {e}"))?;
        Ok(info.state.last_sequence)
    }

    /// [`Cluster::last_seq`], asked again for a while when the cluster does not answer (a
    /// stream electing a new leader after a node's loss answers nothing for a few seconds).
    pub async fn last_seq_patiently(&self) -> Result<u64, Problem> {
        let started = tokio::time::Instant::now();
        patiently(started, "the journal's stream to answer", || {
            self.last_seq()
        })
        .await
    }

    /// Publishes `piece` with id `msg_id`, expecting it to land right after `after`, and
    /// returns the sequence JetStream stored it at once it has acknowledged it (replicated
    /// and, with `sync_interval: always`, on disk). A retry of a piece already stored gets the
    /// first one's sequence back.
    pub async fn publish(
        &self,
        piece: &Piece,
        msg_id: &str,
        after: u64,
        payload: &[u8],
    ) -> Result<u64, Problem> {
        let mut headers = HeaderMap::new();
        headers.insert("Hub-Batch", piece.batch.as_str());
        headers.insert("Hub-Chunk", piece.chunk_header().as_str());
        let publish = PublishMessage::build()
            .payload(payload.to_vec().into())
            .headers(headers)
            .message_id(msg_id)
            .expected_last_sequence(after);
        let ack = self
            .js
            .send_publish(SUBJECT, publish)
            .await
            .map_err(|e| format!("cannot publish: {e}"))?
            .await;
        match ack {
            Ok(ack) => Ok(ack.sequence),
            Err(e) if e.kind() == jetstream::context::PublishErrorKind::WrongLastSequence => {
                // Stored by an attempt whose acknowledgement was lost, and now past the point
                // the retry expected: it is ours only if its id is.
                self.stored_with_id(after + 1, msg_id).await
            }
            Err(e) => Err(format!("no acknowledgement: {e}")),
        }
    }

    /// `seq` when the message stored there has id `msg_id`; an error otherwise.
    async fn stored_with_id(&self, seq: u64, msg_id: &str) -> Result<u64, Problem> {
        let stream = self
            .js
            .get_stream_no_info(STREAM)
            .await
            .map_err(|e| format!("cannot find stream {STREAM}: {e}"))?;
        let stored = stream
            .get_raw_message(seq)
            .await
            .map_err(|e| format!("cannot read message {seq}: {e}"))?;
        let id = stored.headers.get("Nats-Msg-Id").map(|v| v.as_str());
        if id == Some(msg_id) {
            Ok(seq)
        } else {
            Err(format!(
                "message {seq} of stream {STREAM} was written by another writer (id {}); \
                 another hub may be writing to this cluster's journal",
                id.unwrap_or("none")
            ))
        }
    }

    /// Calls `each` with every message of the stream from `from` through `through`, in order:
    /// its sequence, its piece, and its payload.
    pub async fn read(
        &self,
        from: u64,
        through: u64,
        each: &mut EachMessage<'_>,
    ) -> Result<(), Problem> {
        if from > through {
            return Ok(());
        }
        let stream = self
            .js
            .get_stream_no_info(STREAM)
            .await
            .map_err(|e| format!("cannot find stream {STREAM}: {e}"))?;
        let consumer = stream
            .create_consumer(jetstream::consumer::pull::OrderedConfig {
                deliver_policy: jetstream::consumer::DeliverPolicy::ByStartSequence {
                    start_sequence: from,
                },
                ..Default::default()
            })
            .await
            .map_err(|e| format!("cannot read stream {STREAM}: {e}"))?;
        let mut messages = consumer
            .messages()
            .await
            .map_err(|e| format!("cannot read stream {STREAM}: {e}"))?;
        loop {
            let next = tokio::time::timeout(READ_PATIENCE, messages.next())
                .await
                .map_err(|_| format!("stream {STREAM} stopped short of message {through}"))?;
            let Some(message) = next else {
                return Err(format!("stream {STREAM} ended short of message {through}"));
            };
            let message = message.map_err(|e| format!("cannot read stream {STREAM}: {e}"))?;
            let seq = message
                .info()
                .map_err(|e| format!("a message without its metadata: {e}"))?
                .stream_sequence;
            let header = |name: &str| {
                message
                    .headers
                    .as_ref()
                    .and_then(|h| h.get(name))
                    .map(|v| v.as_str().to_string())
            };
            let piece = Piece::parse(
                header("Hub-Batch").as_deref(),
                header("Hub-Chunk").as_deref(),
            );
            each(seq, piece, &message.payload)?;
            if seq >= through {
                break;
            }
        }
        Ok(())
    }
}
