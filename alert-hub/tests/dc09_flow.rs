//! A DC-09 panel sending faster than the hub stores (its store's commits held back) is slowed:
//! the receiver stops reading its connection after a bounded number of frames in flight, and
//! no ACK leaves before the events are stored; once the store moves, every frame is acked in
//! order and stored once.
#![allow(clippy::expect_used)]

use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use alert_hub::config::HubConfig;
use alert_hub::dc09::{Dc09Sockets, FRAMES_IN_FLIGHT};
use alert_hub::error::StoreError;
use alert_hub::incident::Incident;
use alert_hub::protocol::dc09::{Reply, Route, Token, compose, read_reply};
use alert_hub::protocol::{
    AfterActionRecord, DrillRecord, DrillView, HandOverRecord, LogEntry, OnTestRecord, OnTestView,
    ReviewRecord, SiteCalendar, StoredEvent,
};
use alert_hub::server;
use alert_hub::store::{LoggedChange, Secret, SledStore, Store, WriteBatch};
use time::{OffsetDateTime, PrimitiveDateTime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A sled store whose commits wait while its gate is shut.
#[derive(Debug)]
struct GatedStore {
    inner: SledStore,
    open: Mutex<bool>,
    opened: Condvar,
}

impl GatedStore {
    fn set(&self, open: bool) {
        *self.open.lock().expect("gate") = open;
        self.opened.notify_all();
    }
}

impl Store for GatedStore {
    fn commit(&self, batch: &WriteBatch) -> Result<(), StoreError> {
        let mut open = self.open.lock().expect("gate");
        while !*open {
            open = self.opened.wait(open).expect("gate");
        }
        drop(open);
        self.inner.commit(batch)
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

const FRAMES: usize = 200;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panel_faster_than_the_store_is_slowed_and_acked_only_once_stored() {
    let data = tempfile::tempdir().expect("tempdir");
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-site.toml");
    let text = format!(
        "{}\n[dc09]\nlisten = \"127.0.0.1:0\"\n[[dc09.accounts]]\naccount = \"1234\"\nsource = \"fp-gg\"\n",
        std::fs::read_to_string(&demo).expect("demo config")
    );
    let config = HubConfig::parse(&text, &demo).expect("config");
    let settings = config.dc09.clone().expect("[dc09]");
    let store = Arc::new(GatedStore {
        inner: SledStore::open(data.path()).expect("store"),
        open: Mutex::new(true),
        opened: Condvar::new(),
    });
    let (_stop, shutdown) = tokio::sync::watch::channel(false);
    let (hub, _core) = server::start(config, store.clone(), shutdown).expect("hub starts");
    let sockets = Dc09Sockets::bind(&settings).await.expect("bind");
    let addr = sockets.local_addr().expect("addr");
    tokio::spawn(alert_hub::dc09::run(
        hub.clone(),
        Arc::new(settings),
        sockets,
    ));

    store.set(false);
    let now = OffsetDateTime::now_utc();
    let stamp = PrimitiveDateTime::new(now.date(), now.time());
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut frames = Vec::new();
    for n in 1..=FRAMES {
        let route = Route {
            seq: format!("{n:04}"),
            receiver: None,
            prefix: Some("0".into()),
            account: "1234".into(),
        };
        let data = "#1234|1110 01 003";
        frames
            .extend(compose(&Token::ContactId, &route, data, Some(stamp), None, b"").into_bytes());
    }
    stream.write_all(&frames).await.expect("frames sent");

    let received = || hub.metrics.received.load(Relaxed) as usize;
    until("the receiver has a window of frames in flight", || {
        received() >= FRAMES_IN_FLIGHT
    })
    .await;
    // Give a receiver that did not stop reading the time to run on.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        received() <= FRAMES_IN_FLIGHT + 2,
        "{} of {FRAMES} frames taken while nothing could be stored",
        received()
    );
    let mut byte = [0u8; 1];
    assert!(
        stream.try_read(&mut byte).is_err(),
        "nothing is answered before it is stored"
    );

    store.set(true);
    let mut answers = Vec::new();
    let mut buf = vec![0u8; 65536];
    let mut pending = Vec::new();
    while answers.len() < FRAMES {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
            .await
            .expect("answers in time")
            .expect("read");
        assert!(n > 0, "connection open");
        pending.extend_from_slice(&buf[..n]);
        while let Some(end) = pending.iter().position(|&b| b == b'\r') {
            let frame: Vec<u8> = pending.drain(..=end).collect();
            answers.push(read_reply(&frame).expect("an answer frame"));
        }
    }
    for (n, (reply, seq)) in answers.iter().enumerate() {
        assert_eq!(*reply, Reply::Ack);
        assert_eq!(*seq, format!("{:04}", n + 1), "answers in frame order");
    }
    let stored = store.inner.events_after(0, 10_000).expect("events");
    assert_eq!(stored.len(), FRAMES, "each frame stored once");
}
