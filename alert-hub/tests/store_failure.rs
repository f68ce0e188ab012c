//! A hub whose store refuses writes (a full disk) under load: `/healthz` fails, devices get
//! `store_unavailable`, consoles are told, nothing unstored is acked, and once space returns
//! events are stored and acked again without a restart (issue 15, item 1). And a hub whose
//! store is slow (a busy disk, a cluster far away): what arrives during one write waits for
//! that write and its own, not for a queue of writes.
#![allow(clippy::expect_used)]

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::Ordering::SeqCst;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::time::Duration;

use alert_hub::config::HubConfig;
use alert_hub::core::Subscription;
use alert_hub::error::StoreError;
use alert_hub::hub::Hub;
use alert_hub::incident::Incident;
use alert_hub::ingest::{RateLimiter, serve_device};
use alert_hub::protocol::{
    AfterActionRecord, DeviceReply, DrillRecord, DrillView, HandOverRecord, LogEntry, OnTestRecord,
    OnTestView, ReviewRecord, SiteCalendar, StoredEvent,
};
use alert_hub::server;
use alert_hub::store::{LoggedChange, Secret, SledStore, Store, WriteBatch};
use axum::body::Body;
use axum::extract::ws::Message;
use axum::http::{Request, StatusCode};
use futures_util::{sink, stream};
use tokio::sync::mpsc;
use tower::ServiceExt;

/// A sled store whose commits fail while `full` is set, as on a full disk, and take `slow_ms`
/// each, as on a slow one; it keeps the event ids of each commit that had events.
#[derive(Debug)]
struct TroubledStore {
    inner: SledStore,
    full: AtomicBool,
    slow_ms: AtomicU64,
    commits: Mutex<Vec<Vec<String>>>,
}

impl TroubledStore {
    fn open(data: &std::path::Path) -> TroubledStore {
        TroubledStore {
            inner: SledStore::open(data).expect("store"),
            full: AtomicBool::new(false),
            slow_ms: AtomicU64::new(0),
            commits: Mutex::default(),
        }
    }
}

impl Store for TroubledStore {
    fn commit(&self, batch: &WriteBatch) -> Result<(), StoreError> {
        std::thread::sleep(Duration::from_millis(self.slow_ms.load(SeqCst)));
        if self.full.load(SeqCst) {
            return Err(StoreError::System {
                what: "cannot write the store",
                source: std::io::Error::from(std::io::ErrorKind::StorageFull),
            });
        }
        self.inner.commit(batch)?;
        if !batch.events.is_empty() {
            let ids = batch.events.iter().map(|e| {
                let event: StoredEvent = serde_json::from_slice(&e.json).expect("an event");
                event.event.id
            });
            let ids = ids.collect();
            self.commits.lock().expect("commits").push(ids);
        }
        Ok(())
    }
    fn event(&self, seq: u64) -> Result<Option<StoredEvent>, StoreError> {
        self.inner.event(seq)
    }
    fn seen_ids(&self, each: &mut dyn FnMut(u64, u64)) -> Result<(), StoreError> {
        self.inner.seen_ids(each)
    }
    fn dedup_horizon(&self) -> Result<Option<alert_hub::core::Horizon>, StoreError> {
        self.inner.dedup_horizon()
    }
    fn events_after(&self, after: u64, limit: usize) -> Result<Vec<StoredEvent>, StoreError> {
        self.inner.events_after(after, limit)
    }
    fn changes_after(&self, after: u64, limit: usize) -> Result<Vec<LoggedChange>, StoreError> {
        self.inner.changes_after(after, limit)
    }
    fn last_event_seq(&self) -> Result<u64, StoreError> {
        self.inner.last_event_seq()
    }
    fn last_log_seq(&self) -> Result<u64, StoreError> {
        self.inner.last_log_seq()
    }
    fn incident(&self, id: &str) -> Result<Option<Incident>, StoreError> {
        self.inner.incident(id)
    }
    fn incidents(&self) -> Result<Vec<Incident>, StoreError> {
        self.inner.incidents()
    }
    fn incident_log(&self, id: &str) -> Result<Vec<LogEntry>, StoreError> {
        self.inner.incident_log(id)
    }
    fn last_incident_number(&self) -> Result<u64, StoreError> {
        self.inner.last_incident_number()
    }
    fn drills(&self) -> Result<Vec<DrillView>, StoreError> {
        self.inner.drills()
    }
    fn on_test(&self) -> Result<Vec<OnTestView>, StoreError> {
        self.inner.on_test()
    }
    fn secret(&self, secret: Secret) -> Result<Option<[u8; 32]>, StoreError> {
        self.inner.secret(secret)
    }
    fn handovers(&self) -> Result<Vec<HandOverRecord>, StoreError> {
        self.inner.handovers()
    }
    fn on_test_log(&self) -> Result<Vec<OnTestRecord>, StoreError> {
        self.inner.on_test_log()
    }
    fn review(&self, id: &str) -> Result<Option<ReviewRecord>, StoreError> {
        self.inner.review(id)
    }
    fn drill_records(&self) -> Result<Vec<DrillRecord>, StoreError> {
        self.inner.drill_records()
    }
    fn calendar(&self, site: &str, year: i32) -> Result<Option<SiteCalendar>, StoreError> {
        self.inner.calendar(site, year)
    }
    fn calendars(&self, year: i32) -> Result<Vec<SiteCalendar>, StoreError> {
        self.inner.calendars(year)
    }
    fn after_action(&self, id: &str) -> Result<Option<AfterActionRecord>, StoreError> {
        self.inner.after_action(id)
    }
    fn after_actions(&self) -> Result<Vec<AfterActionRecord>, StoreError> {
        self.inner.after_actions()
    }
}

fn frame(id: &str) -> Result<Message, axum::Error> {
    let json = serde_json::json!({
        "id": id, "kind": "fire.alarm", "device": "smoke-B2-07F-03", "site": "green-garden",
        "zone": "7F east corridor", "at": "2026-11-22T23:40:00+08:00", "drill": null
    });
    Ok(Message::Text(json.to_string().into()))
}

async fn health(hub: &Arc<Hub>, path: &str) -> StatusCode {
    let request = Request::get(path).body(Body::empty()).expect("request");
    server::app(hub.clone())
        .oneshot(request)
        .await
        .expect("an answer")
        .status()
}

/// Waits until `ready` holds, for at most ten seconds.
async fn until(what: &str, ready: impl Fn() -> bool) {
    for _ in 0..1000 {
        if ready() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting until {what}");
}

/// The next answer a device gets, as `ack ID`, `dup ID` or `nack CODE ID`.
async fn answer(answers: &mut mpsc::UnboundedReceiver<Message>) -> String {
    let message = tokio::time::timeout(Duration::from_secs(10), answers.recv())
        .await
        .expect("an answer in time")
        .expect("the connection is open");
    let Message::Text(text) = message else {
        panic!("expected an answer, got {message:?}");
    };
    match serde_json::from_str::<DeviceReply>(&text).expect("a device reply") {
        DeviceReply::Ack(a) if a.duplicate => format!("dup {}", a.ack),
        DeviceReply::Ack(a) => format!("ack {}", a.ack),
        DeviceReply::Nack(n) => format!("nack {} {}", n.error.as_str(), n.nack.unwrap_or_default()),
    }
}

/// The next store-health message on the console feed, skipping incident changes; none of
/// them may be of an event not yet stored.
async fn store_health(console: &mut Subscription) -> String {
    loop {
        let item = tokio::time::timeout(Duration::from_secs(10), console.changes.recv())
            .await
            .expect("the console is told in time")
            .expect("the feed is open");
        if item.json.contains("store_health") {
            return item.json.to_string();
        }
    }
}

/// A hub on the demo configuration and `store`, with its stop switch.
fn hub(store: Arc<TroubledStore>) -> (Arc<Hub>, tokio::sync::watch::Sender<bool>) {
    let config = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-site.toml");
    let config = HubConfig::load(&config).expect("demo config");
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let (hub, _core) = server::start(config, store, shutdown).expect("hub starts");
    (hub, stop)
}

/// A fire panel's connection to `hub`: where the test sends its frames one at a time, where
/// its answers come, and the connection's task.
type Panel = (
    mpsc::UnboundedSender<Result<Message, axum::Error>>,
    mpsc::UnboundedReceiver<Message>,
    tokio::task::JoinHandle<()>,
);

fn panel(hub: &Arc<Hub>) -> Panel {
    let (frames_tx, mut frames_rx) = mpsc::unbounded_channel();
    let frames = stream::poll_fn(move |cx| frames_rx.poll_recv(cx));
    let (sent, answers) = mpsc::unbounded_channel();
    let socket = sink::unfold(sent, |sent, message: Message| async move {
        sent.send(message).map_err(|_| "closed")?;
        Ok::<_, &str>(sent)
    });
    let device = tokio::spawn(serve_device(
        hub.clone(),
        Arc::new(RateLimiter::default()),
        Arc::new(hub.config.sources["fp-gg"].clone()),
        Box::pin(frames),
        Box::pin(socket),
        hub.shutdown.clone(),
        Arc::default(),
    ));
    (frames_tx, answers, device)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_store_refuses_events_tells_everyone_and_recovers_when_space_returns() {
    let data = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(TroubledStore::open(data.path()));
    let (hub, _stop) = hub(store.clone());
    let mut console = hub.core.subscribe().await.expect("a console subscribes");
    let (frames_tx, mut answers, device) = panel(&hub);

    frames_tx.send(frame("before")).expect("send");
    assert_eq!(answer(&mut answers).await, "ack before");
    assert_eq!(health(&hub, "/healthz").await, StatusCode::OK);

    store.full.store(true, SeqCst);
    frames_tx.send(frame("caught")).expect("send");
    until("the hub sees the store failing", || hub.health.failing()).await;
    assert_eq!(
        health(&hub, "/healthz").await,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        health(&hub, "/readyz").await,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        store_health(&mut console).await,
        r#"{"type":"store_health","storing":false}"#
    );

    // Under load while the store is full: every new event is refused, none is acked.
    for n in 0..50 {
        frames_tx.send(frame(&format!("full{n}"))).expect("send");
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        answers.is_empty(),
        "nothing is answered before the held event"
    );

    store.full.store(false, SeqCst);
    assert_eq!(
        answer(&mut answers).await,
        "ack caught",
        "stored once space returned"
    );
    for n in 0..50 {
        assert_eq!(
            answer(&mut answers).await,
            format!("nack store_unavailable full{n}")
        );
    }
    assert_eq!(
        store_health(&mut console).await,
        r#"{"type":"store_health","storing":true}"#
    );
    assert_eq!(health(&hub, "/healthz").await, StatusCode::OK);

    frames_tx.send(frame("after")).expect("send");
    assert_eq!(answer(&mut answers).await, "ack after");
    drop(frames_tx);
    device.await.expect("the connection ends");

    let stored = hub.store.events_after(0, 100).expect("read the store");
    let ids: Vec<&str> = stored.iter().map(|e| e.event.id.as_str()).collect();
    assert_eq!(
        ids,
        ["before", "caught", "after"],
        "every ack is stored, no nack is"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_arrives_while_a_slow_store_writes_is_stored_in_the_next_write_not_a_queue_of_them() {
    let data = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(TroubledStore::open(data.path()));
    let (hub, _stop) = hub(store.clone());
    let (frames_tx, mut answers, device) = panel(&hub);
    store.slow_ms.store(400, SeqCst);

    frames_tx.send(frame("first")).expect("send");
    tokio::time::sleep(Duration::from_millis(50)).await;
    // Eight alarms, one every 10 ms, all while the first is being written.
    let then: Vec<String> = (1..=8).map(|n| format!("then{n}")).collect();
    for id in &then {
        frames_tx.send(frame(id)).expect("send");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(answer(&mut answers).await, "ack first");
    for id in &then {
        assert_eq!(answer(&mut answers).await, format!("ack {id}"));
    }
    drop(frames_tx);
    device.await.expect("the connection ends");

    let commits = store.commits.lock().expect("commits").clone();
    assert_eq!(
        commits,
        [vec!["first".to_string()], then],
        "the eight that came during the first write are stored together in the next"
    );
}
