//! The chaos run (issue 10, item 6): cycles of the real hub on one data directory, devices
//! streaming events with ids and recording every acknowledgement, a `kill -9` at a random
//! moment, and a restart. At the end every stored event is read back through the HTTP API and
//! compared with what was acknowledged: acknowledged events lost and events stored twice (both
//! must be 0), and the restart times.
//!
//! After each restart every device first sends again the events it had not seen acknowledged
//! (some of them were stored before the kill), so a duplicate across a crash is tried each cycle.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use alert_hub::protocol::DeviceReply;
use futures_util::{SinkExt, StreamExt};
use hub_client::HubAddress;
use tokio_tungstenite::tungstenite::Message;

use crate::{Device, HubProcess, demo_without_contacts, get_json};

/// What a chaos run does.
#[derive(Debug, Clone)]
pub struct Options {
    /// How many start → stream → `kill -9` cycles.
    pub cycles: usize,
    /// How many devices stream at once, each with its own source token.
    pub devices: usize,
    /// Frames a device may have sent without their answer.
    pub window: usize,
    /// The kill comes at a random moment between these two, after the devices connect.
    pub kill_after: (Duration, Duration),
    /// Seeds the random kill moments, so that a run can be repeated.
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            cycles: 3,
            devices: 4,
            window: 32,
            kill_after: (Duration::from_millis(100), Duration::from_millis(1_200)),
            seed: 1,
        }
    }
}

/// What a chaos run found.
#[derive(Debug, Default)]
pub struct Report {
    pub cycles: usize,
    /// Distinct event ids acknowledged as stored.
    pub acked: usize,
    /// Distinct event ids read back from the hub.
    pub stored: usize,
    /// Acknowledged ids missing from the store, or stored under another sequence number.
    pub lost: Vec<String>,
    /// Ids stored more than once.
    pub duplicates: Vec<String>,
    /// Ids acknowledged twice with different sequence numbers.
    pub renumbered: Vec<String>,
    /// Refusals (`nack`) of frames that were valid.
    pub nacks: usize,
    /// Acknowledgements of frames sent again after a restart, as duplicates.
    pub duplicate_acks: usize,
    /// Events acknowledged in each cycle before its kill.
    pub acked_per_cycle: Vec<usize>,
    /// From starting the process to its listening, after each kill (including the last).
    pub restarts: Vec<Duration>,
}

impl Report {
    /// Whether the run kept every acknowledged event exactly once.
    pub fn passed(&self) -> bool {
        self.lost.is_empty()
            && self.duplicates.is_empty()
            && self.renumbered.is_empty()
            && self.nacks == 0
    }

    /// The restart time below which `percent` of the restarts came.
    pub fn restart_percentile(&self, percent: usize) -> Duration {
        let mut sorted = self.restarts.clone();
        sorted.sort();
        let Some(last) = sorted.len().checked_sub(1) else {
            return Duration::ZERO;
        };
        sorted[(last * percent).div_ceil(100)]
    }

    /// The figures, one per line.
    pub fn summary(&self) -> String {
        format!(
            "chaos: {} cycles of start → stream → kill -9\n  \
             acked events {} (per cycle min {} max {}), stored {}, acked again as duplicates after a \
             restart {}\n  \
             acked events lost {} (target 0), stored twice {} (target 0), renumbered {} (target \
             0), nacks {} (target 0)\n  \
             restart times: p50 {:.0} ms, max {:.0} ms over {} restarts",
            self.cycles,
            self.acked,
            self.acked_per_cycle.iter().min().unwrap_or(&0),
            self.acked_per_cycle.iter().max().unwrap_or(&0),
            self.stored,
            self.duplicate_acks,
            self.lost.len(),
            self.duplicates.len(),
            self.renumbered.len(),
            self.nacks,
            self.restart_percentile(50).as_secs_f64() * 1e3,
            self.restart_percentile(100).as_secs_f64() * 1e3,
            self.restarts.len(),
        )
    }
}

/// The token of chaos device `d`.
fn token(d: usize) -> String {
    format!("chaos-panel-{d:03}-token")
}

/// Writes a configuration with `devices` fire panels at one site, none rate limited in
/// practice, and the demo operators.
fn config(dir: &Path, devices: usize) -> PathBuf {
    let demo = demo_without_contacts();
    let operators = demo.find("[[operators]]").map_or("", |at| &demo[at..]);
    let mut text = String::from("[[sites]]\nid = \"green-garden\"\nname = \"Green Garden\"\n\n");
    for d in 0..devices {
        text.push_str(&format!(
            "[[sources]]\nid = \"chaos-{d:03}\"\nsite = \"green-garden\"\nkind = \"fire_panel\"\n\
             token = \"{}\"\nmax_events_per_sec = 1000000\nburst = 1000000\n\n",
            token(d)
        ));
    }
    text.push_str(operators);
    let path = dir.join("chaos.toml");
    std::fs::write(&path, text).expect("write the chaos configuration");
    path
}

/// The frame of device `d`'s `n`th event.
fn frame(d: usize, n: u64) -> String {
    let kinds = ["heartbeat", "fire.trouble", "access.denied", "fire.alarm"];
    crate::event(
        &format!("chaos-{d:03}:{n:09}"),
        kinds[(n % 4) as usize],
        &format!("dev-{}", n % 40),
        &format!("zone-{}", n % 7),
    )
    .to_string()
}

/// What one device knows across cycles: the acknowledged ids with their sequence numbers.
#[derive(Debug, Default)]
struct DeviceLog {
    acked: HashMap<u64, u64>,
    /// The first of its events not yet acknowledged: the next cycle starts sending there.
    next: u64,
    nacks: usize,
    duplicate_acks: usize,
    renumbered: Vec<String>,
}

/// One device's stream until the hub goes away: frames from `log.next` on, at most `window`
/// unanswered, each answer recorded.
async fn stream(hub: HubAddress, d: usize, window: usize, mut log: DeviceLog) -> DeviceLog {
    let Ok(ws) = hub
        .websocket(hub_client::DEVICES_PATH, Some(&token(d)))
        .await
    else {
        return log;
    };
    let mut device = Device { ws };
    let mut sent = log.next;
    let mut answered = log.next;
    loop {
        while sent - answered < window as u64 {
            if device.ws.send(Message::text(frame(d, sent))).await.is_err() {
                return log;
            }
            sent += 1;
        }
        let Some(Ok(message)) = device.ws.next().await else {
            return log;
        };
        let Message::Text(text) = message else {
            continue;
        };
        let Ok(reply) = serde_json::from_str::<DeviceReply>(&text) else {
            return log;
        };
        answered += 1;
        match reply {
            DeviceReply::Ack(ack) => {
                let Some(n) = ack
                    .ack
                    .rsplit(':')
                    .next()
                    .and_then(|n| n.parse::<u64>().ok())
                else {
                    continue;
                };
                log.duplicate_acks += usize::from(ack.duplicate);
                if let Some(seq) = log.acked.insert(n, ack.seq)
                    && seq != ack.seq
                {
                    log.renumbered.push(ack.ack.clone());
                }
                while log.acked.contains_key(&log.next) {
                    log.next += 1;
                }
            }
            DeviceReply::Nack(_) => log.nacks += 1,
        }
    }
}

/// Every stored event of the chaos devices, read page by page: id → every sequence number it
/// is stored under.
async fn stored(hub: &HubProcess) -> HashMap<String, Vec<u64>> {
    let mut all: HashMap<String, Vec<u64>> = HashMap::new();
    let mut after = 0;
    loop {
        let page = get_json(hub, &format!("/v1/events?after={after}&limit=5000")).await;
        let Some(page) = page.as_array().filter(|p| !p.is_empty()) else {
            break;
        };
        for event in page {
            let seq = event["seq"].as_u64().expect("seq");
            after = after.max(seq);
            let id = event["id"].as_str().expect("id");
            if id.starts_with("chaos-") {
                all.entry(id.to_string()).or_default().push(seq);
            }
        }
    }
    all
}

/// A small deterministic generator for the kill moments (xorshift64*).
struct Rng(u64);

impl Rng {
    fn between(&mut self, low: Duration, high: Duration) -> Duration {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let r = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d);
        let span = high.saturating_sub(low).as_micros().max(1) as u64;
        low + Duration::from_micros(r % span)
    }
}

/// Runs the cycles in `dir` (the configuration and the hub's data go there), telling
/// `progress` about each cycle.
pub async fn run(dir: &Path, options: &Options, mut progress: impl FnMut(&str)) -> Report {
    let config = config(dir, options.devices);
    let data = dir.join("data");
    let mut rng = Rng(options.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut logs: Vec<DeviceLog> = (0..options.devices).map(|_| DeviceLog::default()).collect();
    let mut report = Report {
        cycles: options.cycles,
        ..Report::default()
    };
    let mut hub = HubProcess::start_with(&config, &data);
    for cycle in 1..=options.cycles {
        let before: usize = logs.iter().map(|l| l.acked.len()).sum();
        let streams: Vec<_> = std::mem::take(&mut logs)
            .into_iter()
            .enumerate()
            .map(|(d, log)| stream(hub.address(), d, options.window, log))
            .collect();
        let kill_at = rng.between(options.kill_after.0, options.kill_after.1);
        let all = futures_util::future::join_all(streams);
        tokio::pin!(all);
        tokio::select! {
            done = &mut all => logs = done,
            () = tokio::time::sleep(kill_at) => {
                hub.kill9();
                logs = all.await;
            }
        }
        let after: usize = logs.iter().map(|l| l.acked.len()).sum();
        report.acked_per_cycle.push(after - before);
        let started = Instant::now();
        hub.restart();
        let took = started.elapsed();
        report.restarts.push(took);
        progress(&format!(
            "cycle {cycle}/{}: killed after {} ms, {} events acked, restarted in {} ms",
            options.cycles,
            kill_at.as_millis(),
            after - before,
            took.as_millis()
        ));
    }

    let stored = stored(&hub).await;
    report.stored = stored.len();
    for (d, log) in logs.iter().enumerate() {
        report.acked += log.acked.len();
        report.nacks += log.nacks;
        report.duplicate_acks += log.duplicate_acks;
        report.renumbered.extend(log.renumbered.iter().cloned());
        for (n, seq) in &log.acked {
            let id = format!("chaos-{d:03}:{n:09}");
            if stored.get(&id).is_none_or(|seqs| seqs != &[*seq]) {
                report.lost.push(id);
            }
        }
    }
    report.duplicates = stored
        .into_iter()
        .filter(|(_, seqs)| seqs.len() > 1)
        .map(|(id, _)| id)
        .collect();
    report.lost.sort();
    report.duplicates.sort();
    report
}
