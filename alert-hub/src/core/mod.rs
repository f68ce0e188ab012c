//! The hub's core: one thread that owns the incident book and turns each group of waiting
//! requests into one batch (group commit); a writer thread stores each batch, and only after
//! its flush does a publisher thread answer and publish it (see `writer`). The core assembles
//! the next batch while the writer flushes the last one.
//!
//! Nothing is acknowledged before it is on disk, and nothing reaches a console that is not in
//! the store, so a console resyncing from the store by sequence number sees the same history.

mod after_actions;
mod batch;
mod calendars;
mod clock;
mod commands;
mod deliveries;
mod drills;
mod feed_message;
mod ingest;
mod left_filter;
mod on_test;
mod reviews;
mod seal;
mod seen_ids;
mod supervision;
mod writer;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64};

use time::OffsetDateTime;
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::config::HubConfig;
use crate::drill::{DrillCommand, DrillEvent, DrillRefusal, Drills};
use crate::error::{Error, StoreError};
use crate::health::StoreHealth;
use crate::incident::IncidentBook;
use crate::metrics::Metrics;
use crate::notify::ack_link::{AckLinks, new_secret};
use crate::notify::dispatch::{Delivery, Outcome};
use crate::on_test::OnTest;
use crate::protocol::{
    ConsoleRequest, DeviceEvent, DeviceReply, DrillView, IncidentView, Nack, OperatorInfo, Reply,
};
use crate::store::{Secret, Store, WriteBatch};

use batch::{InFlight, Pending};
pub use feed_message::feed_json;
pub use seen_ids::{Horizon, SeenIds, WINDOW as SEEN_IDS_WINDOW};
pub use supervision::{SILENT_INTERVALS, SourceRef, Supervision};
pub use writer::STORE_GIVE_UP;
use writer::{Publisher, Writer};

/// How many requests one group commit takes at most.
pub const MAX_BATCH: usize = 4096;

/// How many feed items a console may fall behind before it is resynced.
pub const FEED_CAPACITY: usize = 8192;

/// One message on the console feed, serialized once for every console.
#[derive(Debug)]
pub struct FeedItem {
    /// The change's sequence number; 0 for an unnumbered message (drills, on-test lists).
    pub seq: u64,
    /// The `ConsoleMessage::Change` as JSON text.
    pub json: Arc<str>,
}

/// Everything open as a batch leaves it, and the last feed sequence number it includes.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub seq: u64,
    pub incidents: Vec<IncidentView>,
    pub drills: Vec<DrillView>,
    pub on_test: Vec<crate::protocol::OnTestView>,
    /// The hand-overs the consoles are shown.
    pub handovers: Vec<crate::protocol::HandOverRecord>,
}

/// What a console gets on connecting: a snapshot, and a receiver for every change after it,
/// taken right after the snapshot's batch was published.
#[derive(Debug)]
pub struct Subscription {
    pub snapshot: Snapshot,
    pub changes: broadcast::Receiver<Arc<FeedItem>>,
}

/// A request to the core.
#[derive(Debug)]
pub enum Request {
    /// A validated device event from `source`. With `over_rate`, the source is over its rate
    /// limit: the event is answered as a duplicate when it is one, else with this nack, and
    /// never stored.
    Ingest {
        source: Arc<str>,
        event: DeviceEvent,
        over_rate: Option<Nack>,
        /// A drill's event injected over HTTP: stored and routed as any other, but never heard
        /// as `source` speaking (supervision must not think a silent source is alive).
        injected: bool,
        reply: oneshot::Sender<DeviceReply>,
    },
    /// A console command.
    Command {
        operator: OperatorInfo,
        request: ConsoleRequest,
        reply: oneshot::Sender<Reply>,
    },
    Subscribe {
        reply: oneshot::Sender<Subscription>,
    },
    /// Starts or ends a drill; the reply has what happened or why not.
    Drill {
        command: DrillCommand,
        reply: oneshot::Sender<Result<Vec<DrillEvent>, DrillRefusal>>,
    },
    /// A manager writes or signs off the review of an incident; the reply is the review as it
    /// stands after, or why not.
    Review {
        incident: String,
        command: crate::review::ReviewCommand,
        by: String,
        reply: oneshot::Sender<Result<crate::protocol::ReviewRecord, crate::incident::Refusal>>,
    },
    /// A safety officer or an admin edits a site's drill calendar of a year; the reply is the
    /// calendar as it stands after, or why not.
    Calendar {
        site: String,
        year: i32,
        command: crate::calendar::CalendarCommand,
        by: String,
        reply: oneshot::Sender<
            Result<crate::protocol::SiteCalendar, crate::calendar::CalendarRefusal>,
        >,
    },
    /// A safety officer or an admin writes a drill's after-action analysis or changes its
    /// improvement plan; the reply is the record as it stands after, or why not.
    AfterAction {
        drill: String,
        command: crate::after_action::AfterActionCommand,
        by: String,
        reply: oneshot::Sender<
            Result<crate::protocol::AfterActionRecord, crate::after_action::AfterActionRefusal>,
        >,
    },
    /// The clock moved on: supervise heartbeats, deadlines and escalations.
    Tick,
    /// What came of an outside notification attempt.
    Delivered(Outcome),
    /// A contact followed an acknowledgement link; the reply says whether the link is valid.
    AckByLink {
        incident: String,
        contact: String,
        token: String,
        reply: oneshot::Sender<bool>,
    },
    /// The writer waits for the next batch (sent by the writer only): what the core gathered
    /// is sealed now.
    WriterWaits,
}

/// The handle other tasks use to reach the core.
#[derive(Debug, Clone)]
pub struct CoreHandle {
    tx: mpsc::Sender<Request>,
}

impl CoreHandle {
    /// Sends a request, waiting while the core's queue is full (backpressure).
    pub async fn send(&self, request: Request) -> Result<(), Error> {
        self.tx.send(request).await.map_err(|_| Error::CoreStopped)
    }

    /// A handle that does not keep the core running (for tasks the core itself feeds).
    pub fn downgrade(&self) -> WeakCoreHandle {
        WeakCoreHandle {
            tx: self.tx.downgrade(),
        }
    }

    /// Subscribes to the console feed.
    pub async fn subscribe(&self) -> Result<Subscription, Error> {
        let (reply, rx) = oneshot::channel();
        self.send(Request::Subscribe { reply }).await?;
        rx.await.map_err(|_| Error::CoreStopped)
    }
}

/// A handle to the core that lets it stop when every strong handle is gone.
#[derive(Debug, Clone)]
pub struct WeakCoreHandle {
    tx: mpsc::WeakSender<Request>,
}

impl WeakCoreHandle {
    /// The core's handle while it still runs.
    pub fn upgrade(&self) -> Option<CoreHandle> {
        self.tx.upgrade().map(|tx| CoreHandle { tx })
    }
}

/// The running core: its handle, and the thread to join on shutdown.
#[derive(Debug)]
pub struct Core {
    pub handle: CoreHandle,
    pub thread: std::thread::JoinHandle<Result<(), StoreError>>,
}

struct State {
    store: Arc<dyn Store>,
    config: Arc<HubConfig>,
    /// Where sealed batches go to be stored, answered and published.
    writer: std::sync::mpsc::SyncSender<writer::Sealed>,
    /// Set while the writer waits for a batch.
    writer_waiting: Arc<AtomicBool>,
    /// The last event sequence number the writer has stored.
    durable: Arc<AtomicU64>,
    in_flight: batch::InFlight,
    links: AckLinks,
    metrics: Arc<Metrics>,
    book: IncidentBook,
    /// Which event ids each source already sent.
    seen: SeenIds,
    supervision: Supervision,
    drills: Drills,
    next_event_seq: u64,
    next_log_seq: u64,
    handovers: crate::handover::HandOvers,
    /// What is on test now, and which tests the consoles were warned about.
    on_test: OnTest,
    next_test_record: u64,
    /// Every operator's role, for checking shift hand-overs.
    operators: std::collections::HashMap<String, crate::protocol::Role>,
}

/// Loads the book from the store and starts the core thread. The core stops when every handle
/// is dropped, or with an error when the store fails (so nothing is acked that is not stored).
pub fn start(
    store: Arc<dyn Store>,
    config: Arc<HubConfig>,
    metrics: Arc<Metrics>,
    health: Arc<StoreHealth>,
    queue: usize,
    deliveries: mpsc::UnboundedSender<Delivery>,
) -> Result<Core, StoreError> {
    let now = OffsetDateTime::now_utc();
    let last_number = store.last_incident_number()?;
    let drills = Drills::new(store.drills()?);
    calendars::make_missing(
        store.as_ref(),
        &config,
        now.to_offset(config.utc_offset).date(),
    )?;
    let links = AckLinks::new(
        stored_secret(store.as_ref(), Secret::AckLinks)?,
        config.notify.public_url.clone(),
    );
    let next_event_seq = store.last_event_seq()? + 1;
    let durable = Arc::new(AtomicU64::new(next_event_seq - 1));
    let feed = broadcast::channel(FEED_CAPACITY).0;
    let (tx, rx) = mpsc::channel(queue);
    let writer_waiting = Arc::new(AtomicBool::new(true));
    let writer = Writer {
        store: store.clone(),
        metrics: metrics.clone(),
        durable: durable.clone(),
        health,
        feed: feed.clone(),
        give_up_after: STORE_GIVE_UP,
        waiting: writer_waiting.clone(),
        core: tx.downgrade(),
    }
    .start(Publisher { feed, deliveries })?;
    let state = State {
        writer: writer.tx,
        writer_waiting,
        durable,
        in_flight: InFlight::default(),
        links,
        book: IncidentBook::new(
            Arc::new(crate::incident::Setup::of(&config)),
            store.incidents()?,
            last_number,
        ),
        seen: SeenIds::load_window(
            store.as_ref(),
            stored_secret(store.as_ref(), Secret::IdSalt)?,
            config.ids_in_memory,
        )?,
        supervision: Supervision::new(config.sources.values(), now),
        next_event_seq,
        next_log_seq: store.last_log_seq()? + 1,
        handovers: crate::handover::HandOvers::new(store.handovers()?),
        on_test: OnTest::new(store.on_test()?),
        next_test_record: store.on_test_log()?.last().map_or(0, |r| r.seq) + 1,
        operators: config
            .operators
            .values()
            .map(|o| (o.id.clone(), o.role))
            .collect(),
        drills,
        store,
        config,
        metrics,
    };
    state.update_gauges();
    let thread = std::thread::Builder::new()
        .name("hub-core".into())
        .spawn(move || state.run(rx, writer.thread))
        .map_err(|source| StoreError::System {
            what: "cannot start the core thread",
            source,
        })?;
    Ok(Core {
        handle: CoreHandle { tx },
        thread,
    })
}

/// A secret of the hub's (for acknowledgement links, for id keys): made once, kept in the store.
fn stored_secret(store: &dyn Store, which: Secret) -> Result<[u8; 32], StoreError> {
    if let Some(secret) = store.secret(which)? {
        return Ok(secret);
    }
    let secret = new_secret().map_err(|source| StoreError::System {
        what: "no random source",
        source,
    })?;
    store.commit(&WriteBatch {
        secrets: vec![(which, secret)],
        ..Default::default()
    })?;
    Ok(secret)
}

impl State {
    /// Runs until every handle is gone or the writer stops, then waits for the writer to
    /// store what it was given. The writer's error, if it had one, is the one that counts.
    fn run(
        self,
        rx: mpsc::Receiver<Request>,
        writer: std::thread::JoinHandle<Result<(), StoreError>>,
    ) -> Result<(), StoreError> {
        let result = self.take_batches(rx);
        let written = writer.join().map_err(|_| StoreError::WriterPanicked)?;
        written.and(result)
    }

    /// Gathers requests into one batch for as long as the writer is busy with the last one, and
    /// seals it for the writer the moment the writer waits (or the batch is full): a request
    /// waits for at most the batch being stored and its own, however slow the store.
    fn take_batches(mut self, mut rx: mpsc::Receiver<Request>) -> Result<(), StoreError> {
        let mut pending = Pending::default();
        loop {
            while !self.ready_to_seal(&pending) {
                match rx.try_recv() {
                    Ok(next) => self.handle(next, &mut pending),
                    Err(_) => break,
                }
            }
            if self.ready_to_seal(&pending) {
                self.seal(std::mem::take(&mut pending))?;
                continue;
            }
            match rx.blocking_recv() {
                Some(next) => self.handle(next, &mut pending),
                None => break,
            }
        }
        if pending.requests > 0 {
            self.seal(pending)?;
        }
        Ok(())
    }

    fn handle(&mut self, request: Request, pending: &mut Pending) {
        if let Request::WriterWaits = request {
            return;
        }
        let now = OffsetDateTime::now_utc();
        pending.requests += 1;
        match request {
            Request::WriterWaits => {} // taken above: not a request of the batch
            Request::Ingest {
                source,
                event,
                over_rate,
                injected,
                reply,
            } => {
                let from = ingest::Origin { source, injected };
                self.ingest(from, event, over_rate, reply, now, pending)
            }
            Request::Command {
                operator,
                request,
                reply,
            } => self.command(&operator, request, reply, now, pending),
            Request::Subscribe { reply } => pending.subscribers.push(reply),
            Request::Drill { command, reply } => {
                let result = self.drill(command, now, pending);
                pending.after_commit(move || drop(reply.send(result)));
            }
            Request::Review {
                incident,
                command,
                by,
                reply,
            } => {
                let result = self.review(&incident, command, &by, now, pending);
                pending.after_commit(move || drop(reply.send(result)));
            }
            Request::Calendar {
                site,
                year,
                command,
                by,
                reply,
            } => {
                let result = self.calendar(&site, year, command, &by, now, pending);
                pending.after_commit(move || drop(reply.send(result)));
            }
            Request::AfterAction {
                drill,
                command,
                by,
                reply,
            } => {
                let result = self.after_action(&drill, command, &by, now, pending);
                pending.after_commit(move || drop(reply.send(result)));
            }
            Request::Tick => self.supervise(now, pending),
            Request::Delivered(outcome) => self.delivered(outcome, now, pending),
            Request::AckByLink {
                incident,
                contact,
                token,
                reply,
            } => {
                let valid = self.links.verify(&incident, &contact, &token);
                if valid {
                    let by = format!("{contact} (link)");
                    let applied = self.book.acknowledge_notifications(&incident, &by, now);
                    self.record(applied, &crate::protocol::Actor::Hub, now, pending);
                }
                pending.after_commit(move || {
                    let _ = reply.send(valid);
                });
            }
        }
    }

    /// Whether the batch gathered is sealed now: it has something, and the writer waits for it
    /// (even while more requests wait: the writer is never idle while the core holds a batch)
    /// or it is full.
    fn ready_to_seal(&self, pending: &Pending) -> bool {
        pending.requests > 0
            && (pending.requests >= MAX_BATCH
                || self
                    .writer_waiting
                    .load(std::sync::atomic::Ordering::Acquire))
    }

    fn update_gauges(&self) {
        let mut counts = [0u64; 4];
        let mut drill = 0u64;
        for incident in self.book.iter() {
            if incident.view.drill.is_some() {
                drill += 1;
            } else if let Some(c) = counts.get_mut(incident.view.priority as usize - 1) {
                *c += 1;
            }
        }
        for (gauge, count) in self.metrics.open_incidents.iter().zip(counts) {
            gauge.store(count, std::sync::atomic::Ordering::Relaxed);
        }
        self.metrics
            .open_drill_incidents
            .store(drill, std::sync::atomic::Ordering::Relaxed);
    }
}
