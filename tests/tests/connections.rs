//! Connections the hub must outlast (issue 15): a flood of idle and half-sent sockets under a
//! low open-file limit must not lock out a device, a console or the health check, and a
//! request whose headers never complete is closed.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use alert_hub::connections::HEADER_TIMEOUT;
use alert_hub::protocol::{ConsoleMessage, DeviceReply};
use system_tests::{Console, Device, HubProcess, event, http, tokens};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinSet;

/// The hub's open-file limit in the flood test, far below the idle sockets thrown at it.
const FILE_LIMIT: u64 = 512;

/// Idle sockets in the flood; the issue saw 1,100 lock a 1,024-file hub out.
const IDLE: usize = 2_000;

/// What a client that never finishes its request sends.
const HALF_REQUEST: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: hub\r\n";

/// Opens `count` loopback connections, every other one sending half a request, a few hundred
/// at a time; the sockets stay open until dropped.
async fn flood(addr: SocketAddr, count: usize) -> Vec<TcpStream> {
    let mut sockets = Vec::with_capacity(count);
    for batch in 0..count.div_ceil(200) {
        let mut opening = JoinSet::new();
        for i in batch * 200..count.min((batch + 1) * 200) {
            opening.spawn(async move {
                let mut tcp =
                    tokio::time::timeout(Duration::from_secs(10), TcpStream::connect(addr))
                        .await
                        .expect("connects in time")
                        .expect("connects");
                if i % 2 == 1 {
                    // The hub may already have shed this one: a failed write is fine.
                    let _ = tcp.write_all(HALF_REQUEST).await;
                }
                tcp
            });
        }
        while let Some(tcp) = opening.join_next().await {
            sockets.push(tcp.expect("opening task"));
        }
    }
    sockets
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_idle_connections_do_not_lock_out_a_device_a_console_or_the_health_check() {
    alert_hub::limits::raise_file_limit().expect("this test holds 2,000 sockets itself");
    let dir = tempfile::tempdir().unwrap();
    let hub = HubProcess::start_with_file_limit(dir.path(), FILE_LIMIT);
    let idle = flood(hub.addr, IDLE).await;
    assert_eq!(idle.len(), IDLE);

    let started = Instant::now();
    let within = Duration::from_secs(5);
    let ack = tokio::time::timeout(within, async {
        let mut device = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
        let frame = event("fp:flood-1", "fire.alarm", "smoke-1", "7F east");
        device.send(&frame).await
    })
    .await
    .expect("a device gets in and is answered within 5 s of the flood");
    assert!(matches!(ack, DeviceReply::Ack(_)), "{ack:?}");
    let snapshot = tokio::time::timeout(within, async {
        let mut console = Console::connect(&hub, tokens::OPERATOR_LI, None).await;
        console.next().await
    })
    .await
    .expect("a console gets in within 5 s");
    assert!(matches!(snapshot, ConsoleMessage::Snapshot { .. }));
    let (status, _) = tokio::time::timeout(within, http(hub.addr, "GET", "/healthz", None, None))
        .await
        .expect("/healthz answers within 5 s");
    assert_eq!(status, 200);
    assert!(started.elapsed() < 3 * within);
    drop(idle);
}

/// Reads until the hub closes the connection; a reset counts as closed.
async fn closed(mut tcp: TcpStream) {
    let mut buf = [0u8; 1024];
    while let Ok(n) = tcp.read(&mut buf).await {
        if n == 0 {
            return;
        }
    }
}

#[tokio::test]
async fn silent_and_half_sent_requests_are_closed_after_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(dir.path());
    let silent = TcpStream::connect(hub.addr).await.unwrap();
    let mut half = TcpStream::connect(hub.addr).await.unwrap();
    half.write_all(HALF_REQUEST).await.unwrap();
    let started = Instant::now();
    let margin = Duration::from_secs(5);
    tokio::time::timeout(HEADER_TIMEOUT + margin, async {
        tokio::join!(closed(silent), closed(half));
    })
    .await
    .expect("both closed within the header timeout and a margin");
    assert!(
        started.elapsed() >= HEADER_TIMEOUT - Duration::from_secs(1),
        "closed by the timeout, not before: {:?}",
        started.elapsed()
    );
}
