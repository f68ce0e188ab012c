//! The replicated journal's cost: the real hub takes a device streaming 2,000 events a second,
//! once on the sled store alone and once with `--store nats://...` on a three-node JetStream
//! cluster on loopback (R3, every write fsynced before it is acknowledged), in the same run.
//! For each it prints the acknowledged events a second and the ack latency (frame sent to ack
//! read) at p50, p99 and the worst, next to the 20 ms p99 target; then how many events a second
//! each takes when the device sends as fast as it can. Then, with a standby hub following the
//! journal, it kills the active hub (`kill -9`) right after a second of streaming, a few times
//! over, and prints the fail-over time: from the death to the first ack from the other hub,
//! next to the 5 s target. Asserts nothing.
//!
//! `cargo bench -p system-tests --bench cluster` (set `CLUSTER_BENCH_SECS` to stream longer).
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use alert_hub::protocol::DeviceReply;
use futures_util::{SinkExt, StreamExt};
use system_tests::nats::NatsCluster;
use system_tests::{Device, HubProcess, event, fast_panel_config, tokens};
use tokio_tungstenite::tungstenite::Message;

const RATE: u64 = 2_000;
const TARGET_P99: Duration = Duration::from_millis(20);
const FLOOD: usize = 20_000;
const TARGET_FAIL_OVER: Duration = Duration::from_secs(5);
const FAIL_OVERS: usize = 3;

fn frame(run: &str, n: u64) -> String {
    let kinds = ["heartbeat", "fire.trouble", "access.denied", "fire.alarm"];
    event(
        &format!("{run}:{n:07}"),
        kinds[(n % 4) as usize],
        &format!("dev-{}", n % 40),
        &format!("zone-{}", n % 7),
    )
    .to_string()
}

/// What one run measured.
struct Figures {
    acked: usize,
    per_sec: f64,
    latencies: Vec<Duration>,
}

/// Streams `total` frames at `rate` a second (as fast as possible with `None`) and times each
/// ack from the moment its frame was sent.
async fn run(hub: &HubProcess, name: &str, total: u64, rate: Option<u64>) -> Figures {
    let device = Device::connect(hub, tokens::FIRE_PANEL_GG).await;
    let (mut sink, mut replies) = device.ws.split();
    let (sent_tx, mut sent_rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    let name = name.to_string();
    let started = Instant::now();
    let sender = tokio::spawn(async move {
        for n in 0..total {
            if let Some(rate) = rate {
                let due = started + Duration::from_micros(n * 1_000_000 / rate);
                tokio::time::sleep_until(due.into()).await;
            }
            let _ = sent_tx.send(Instant::now());
            sink.send(Message::text(frame(&name, n)))
                .await
                .expect("send");
        }
        sink
    });
    let mut latencies = Vec::with_capacity(total as usize);
    let mut acked = 0;
    for _ in 0..total {
        let Some(Ok(Message::Text(text))) = replies.next().await else {
            panic!("the hub closed the connection");
        };
        let sent = sent_rx.recv().await.expect("sent time");
        latencies.push(sent.elapsed());
        if let Ok(DeviceReply::Ack(_)) = serde_json::from_str::<DeviceReply>(&text) {
            acked += 1;
        }
    }
    let elapsed = started.elapsed();
    drop(sender.await);
    latencies.sort();
    Figures {
        acked,
        per_sec: acked as f64 / elapsed.as_secs_f64(),
        latencies,
    }
}

fn at(latencies: &[Duration], fraction: f64) -> Duration {
    let i = ((latencies.len() as f64 * fraction) as usize).min(latencies.len().saturating_sub(1));
    latencies.get(i).copied().unwrap_or_default()
}

fn print(store: &str, paced: &Figures, flood: &Figures) {
    let p99 = at(&paced.latencies, 0.99);
    println!(
        "{store:<28} {:>6} acked  {:>7.0}/s  p50 {:>6.2} ms  p99 {:>6.2} ms ({})  max {:>7.2} ms  \
         | flood: {:>7.0}/s",
        paced.acked,
        paced.per_sec,
        at(&paced.latencies, 0.50).as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        if p99 < TARGET_P99 {
            "under 20 ms"
        } else {
            "OVER 20 ms"
        },
        paced
            .latencies
            .last()
            .copied()
            .unwrap_or_default()
            .as_secs_f64()
            * 1e3,
        flood.per_sec,
    );
}

/// Kills `active` with SIGKILL and times from its death to the first ack `standby` gives a
/// device that connects to it as soon as it answers.
async fn fail_over(active: &mut HubProcess, standby: &HubProcess, name: &str) -> Duration {
    active.kill9();
    let died = Instant::now();
    let mut device =
        Device::connect_when_active(standby, tokens::FIRE_PANEL_GG, Duration::from_secs(60)).await;
    device.send_text(frame(name, 0)).await;
    let DeviceReply::Ack(_) = device.reply().await else {
        panic!("the new active hub refused the event");
    };
    died.elapsed()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let secs: u64 = std::env::var("CLUSTER_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let dir = tempfile::tempdir().unwrap();
    let config = fast_panel_config(dir.path(), 1_000_000);
    let total = RATE * secs;
    println!("{total} events at {RATE}/s per store, then {FLOOD} as fast as the device can send");

    let sled = HubProcess::start_with(&config, &dir.path().join("sled"));
    let paced = run(&sled, "sled", total, Some(RATE)).await;
    let flood = run(&sled, "sled-flood", FLOOD as u64, None).await;
    print("sled alone", &paced, &flood);
    drop(sled);

    let cluster = NatsCluster::start();
    let store = vec!["--store".to_string(), cluster.store_url()];
    let mut active = HubProcess::start_with_args(&config, &dir.path().join("nats"), &store);
    let paced = run(&active, "nats", total, Some(RATE)).await;
    let flood = run(&active, "nats-flood", FLOOD as u64, None).await;
    print("sled + NATS journal (R3)", &paced, &flood);

    for round in 1..=FAIL_OVERS {
        let data = dir.path().join(format!("standby-{round}"));
        let standby = HubProcess::start_with_args(&config, &data, &store);
        run(&active, &format!("before-{round}"), RATE, Some(RATE)).await;
        let took = fail_over(&mut active, &standby, &format!("after-{round}")).await;
        println!(
            "fail-over {round}: {:>6.0} ms from the active hub's death to the first ack from the \
             standby ({})",
            took.as_secs_f64() * 1e3,
            if took < TARGET_FAIL_OVER {
                "under 5 s"
            } else {
                "OVER 5 s"
            }
        );
        active = standby;
    }
}
