//! The load generator: many simulated sources, each on its own connection, sending the event
//! mix paced at a total rate with a bounded window of unanswered frames (pipelined; answers
//! are matched to frames in order), and the report of what came back.
//!
//! The pacing and socket work lives in [`connection`]; this module plans the run, starts the
//! connections together and merges what each measured.
//!
//! Given several hubs (`a,b`: an active hub and its standbys), each source connects to the
//! first that takes it and moves to the next when its connection is lost, sending again what
//! got no answer.

mod connection;

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

use alert_hub::protocol::NackCode;

use crate::error::{Error, Result};
use crate::mix::{EventMix, MixPlan};
use crate::stats::{Latency, ms};
use hub_client::{DEVICES_PATH, HubAddresses, Socket};

use connection::{Outcome, Pace, Stream};

/// What to run: who connects, how fast, for how long, and which events.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    /// The hub's address as `alert-hub` prints it (`http://127.0.0.1:7400`), or `ws://…`; or
    /// several, comma-separated, in the order to try them.
    pub hub: String,
    /// A CA file trusted besides the system's roots, for a `https://` / `wss://` hub.
    pub ca_file: Option<std::path::PathBuf>,
    /// One connection per token; connection `n` sends stream `n` of the mix.
    pub tokens: Vec<String>,
    /// Total events a second across all connections; `None` sends as fast as the window allows.
    pub rate: Option<f64>,
    /// How long to send for.
    pub duration: Duration,
    /// The most frames one connection may have unanswered; sending pauses at this many.
    pub window: usize,
    /// How long to wait for outstanding answers once sending has stopped.
    pub drain: Duration,
    /// The mix; its `stream` is replaced by each connection's number.
    pub mix: MixPlan,
    /// Keep every new ack's sequence number and arrival time in [`LoadReport::acks`].
    pub record_acks: bool,
}

/// The default window of unanswered frames per connection.
pub const DEFAULT_WINDOW: usize = 64;

impl LoadPlan {
    /// A plan sending `mix` from one connection per token, unpaced for ten seconds, with the
    /// default window; set the public fields to change the rest.
    pub fn new(hub: impl Into<String>, tokens: Vec<String>, mix: MixPlan) -> LoadPlan {
        LoadPlan {
            hub: hub.into(),
            ca_file: None,
            tokens,
            rate: None,
            duration: Duration::from_secs(10),
            window: DEFAULT_WINDOW,
            drain: Duration::from_secs(10),
            mix,
            record_acks: false,
        }
    }

    fn check(&self) -> Result<()> {
        if self.tokens.is_empty() {
            return Err(Error::Plan("give at least one source token".into()));
        }
        if self.window == 0 {
            return Err(Error::Plan(
                "the window must allow at least one frame".into(),
            ));
        }
        if self.duration.is_zero() {
            return Err(Error::Plan("the duration must be longer than zero".into()));
        }
        if let Some(rate) = self.rate
            && !(rate.is_finite() && rate > 0.0)
        {
            return Err(Error::Plan(format!(
                "the rate {rate} is not a positive number"
            )));
        }
        Ok(())
    }
}

/// The hub's acknowledgement of one new event, as the device received it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AckRecord {
    /// The event's sequence number in the hub's store.
    pub seq: u64,
    /// When the device read the ack.
    pub at: Instant,
}

/// What a run sent and what came back.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    pub connections: usize,
    pub sent: u64,
    /// Frames sent again on a new connection because the old one ended before their answer.
    pub resent: u64,
    /// New events the hub stored and acknowledged.
    pub acked: u64,
    /// Acks for ids the source had already sent (stored once, acknowledged again).
    pub duplicates: u64,
    pub nacked: BTreeMap<NackCode, u64>,
    /// Answers that were not a device reply at all.
    pub unreadable: u64,
    /// Answers that named another id than the frame they answered, in order.
    pub out_of_order: u64,
    /// Frames sent that got no answer before the connection ended or the drain ran out.
    pub unanswered: u64,
    /// From the first send to the last answer.
    pub elapsed: Duration,
    /// From sending a frame to reading its answer, over every answer.
    pub latency: Latency,
    /// How late each paced send was against its schedule (zero when unpaced).
    pub send_lag: Latency,
    /// Every new ack, when the plan asked for them.
    pub acks: Vec<AckRecord>,
    /// Moves of a source to another connection after one was lost: the hub reached and why.
    pub moves: Vec<String>,
    /// Connections that failed during the run, and why.
    pub failures: Vec<String>,
}

impl LoadReport {
    /// Frames that got an answer of any kind.
    pub fn answered(&self) -> u64 {
        self.acked + self.duplicates + self.nacked_total() + self.unreadable
    }

    pub fn nacked_total(&self) -> u64 {
        self.nacked.values().sum()
    }

    /// New events acknowledged per second over [`LoadReport::elapsed`].
    pub fn acked_per_sec(&self) -> f64 {
        per_sec(self.acked, self.elapsed)
    }

    /// Answers of any kind per second over [`LoadReport::elapsed`].
    pub fn answered_per_sec(&self) -> f64 {
        per_sec(self.answered(), self.elapsed)
    }
}

fn per_sec(count: u64, elapsed: Duration) -> f64 {
    if elapsed.is_zero() {
        0.0
    } else {
        count as f64 / elapsed.as_secs_f64()
    }
}

/// Runs `plan`: connects every source first (failing if any is refused), then sends from all
/// of them together for the planned duration, waits for the outstanding answers, and closes.
pub async fn run(plan: LoadPlan) -> Result<LoadReport> {
    plan.check()?;
    let mut hubs = HubAddresses::parse(&plan.hub)?;
    if let Some(ca_file) = &plan.ca_file {
        hubs = hubs.with_ca_file(ca_file)?;
    }
    let sockets = futures_util::future::try_join_all(
        plan.tokens
            .iter()
            .map(|token| first_answering(&hubs, token)),
    )
    .await?;
    let connections = sockets.len();
    let start = Instant::now() + Duration::from_millis(20);
    let deadline = start + plan.duration;
    let interval = plan
        .rate
        .map(|rate| Duration::from_secs_f64(connections as f64 / rate));
    let mut tasks = Vec::with_capacity(connections);
    for (n, ((hub, socket), token)) in sockets.into_iter().zip(&plan.tokens).enumerate() {
        let mix = MixPlan {
            stream: u32::try_from(n).unwrap_or(u32::MAX),
            ..plan.mix.clone()
        };
        // Connections start staggered across one interval so the total stream is even.
        let pace = interval.map(|every| Pace {
            first: start + every.mul_f64(n as f64 / connections as f64),
            every,
        });
        let stream = Stream {
            hubs: hubs.clone(),
            token: token.clone(),
            socket,
            hub,
            mix: EventMix::new(&mix),
            pace,
            start,
            deadline,
            window: plan.window,
            drain: plan.drain,
            record_acks: plan.record_acks,
        };
        tasks.push(tokio::spawn(stream.run()));
    }
    let mut outcomes = Vec::with_capacity(connections);
    for task in tasks {
        match task.await {
            Ok(outcome) => outcomes.push(outcome),
            Err(e) => outcomes.push(Outcome::failed(format!("a connection task stopped: {e}"))),
        }
    }
    Ok(merge(connections, start, outcomes))
}

/// The first of `hubs` that takes a connection with `token` (a standby refuses it), and its
/// index; the last refusal when none does. A refused token is not tried elsewhere.
async fn first_answering(hubs: &HubAddresses, token: &str) -> Result<(usize, Socket)> {
    let mut last = None;
    for (index, hub) in hubs.iter().enumerate() {
        match hub.websocket(DEVICES_PATH, Some(token)).await {
            Ok(socket) => return Ok((index, socket)),
            Err(e) if e.is_token_refused() => return Err(e.into()),
            Err(e) => last = Some(e),
        }
    }
    Err(last.map_or_else(|| Error::Plan("no hub address given".into()), Error::from))
}

fn merge(connections: usize, start: Instant, outcomes: Vec<Outcome>) -> LoadReport {
    let mut report = LoadReport {
        connections,
        ..LoadReport::default()
    };
    let mut latencies = Vec::new();
    let mut lags = Vec::new();
    let mut last = start;
    for o in outcomes {
        report.sent += o.sent;
        report.resent += o.resent;
        report.moves.extend(o.moves);
        report.acked += o.acked;
        report.duplicates += o.duplicates;
        for (code, n) in o.nacked {
            *report.nacked.entry(code).or_default() += n;
        }
        report.unreadable += o.unreadable;
        report.out_of_order += o.out_of_order;
        report.unanswered += o.sent.saturating_sub(o.answered);
        report.acks.extend(o.acks);
        report.failures.extend(o.failure);
        latencies.extend(o.latencies);
        lags.extend(o.lags);
        last = last.max(o.last_answer.unwrap_or(start));
    }
    report.elapsed = last.saturating_duration_since(start);
    report.latency = Latency::of(&mut latencies);
    report.send_lag = Latency::of(&mut lags);
    report.acks.sort_unstable_by_key(|a| a.seq);
    report
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "connections {}  sent {}  acked {}  duplicates {}  nacked {}  unanswered {}",
            self.connections,
            self.sent,
            self.acked,
            self.duplicates,
            self.nacked_total(),
            self.unanswered
        )?;
        for (code, n) in &self.nacked {
            writeln!(f, "  nacked {}: {n}", code.as_str())?;
        }
        if self.unreadable + self.out_of_order > 0 {
            writeln!(
                f,
                "  unreadable answers {}  answers out of order {}",
                self.unreadable, self.out_of_order
            )?;
        }
        writeln!(
            f,
            "throughput {:.0} acked events/s over {:.2} s",
            self.acked_per_sec(),
            self.elapsed.as_secs_f64()
        )?;
        writeln!(f, "ack latency {}", self.latency)?;
        if self.send_lag.count > 0 {
            writeln!(
                f,
                "pacing: sends ran late by p99 {} (max {})",
                ms(self.send_lag.p99),
                ms(self.send_lag.max)
            )?;
        }
        if self.resent > 0 {
            writeln!(f, "resent after a lost connection: {}", self.resent)?;
        }
        for moved in &self.moves {
            writeln!(f, "moved: {moved}")?;
        }
        for failure in &self.failures {
            writeln!(f, "failed: {failure}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mix::Profile;

    fn mix() -> MixPlan {
        MixPlan {
            seed: 1,
            run_id: "t".into(),
            stream: 0,
            site: "gg".into(),
            devices: 10,
            profile: Profile::Realistic,
            drill: None,
        }
    }

    #[test]
    fn unusable_plans_are_refused_before_connecting() {
        let plan = LoadPlan::new("127.0.0.1:9", Vec::new(), mix());
        assert!(matches!(plan.check(), Err(Error::Plan(_))));
        let mut plan = LoadPlan::new("127.0.0.1:9", vec!["t".into()], mix());
        plan.rate = Some(0.0);
        assert!(plan.check().is_err());
        plan.rate = Some(f64::NAN);
        assert!(plan.check().is_err());
        plan.rate = Some(100.0);
        plan.window = 0;
        assert!(plan.check().is_err());
        plan.window = 1;
        assert!(plan.check().is_ok());
    }

    /// A hub on loopback that takes one connection, reads `frames` frames without answering
    /// them and drops the connection; the ids it read come back.
    async fn dying_hub(
        listener: tokio::net::TcpListener,
        frames: usize,
    ) -> tokio::task::JoinHandle<Vec<String>> {
        use futures_util::StreamExt;
        tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
            let mut ids = Vec::new();
            while ids.len() < frames {
                if let Some(Ok(message)) = ws.next().await
                    && let Ok(text) = message.into_text()
                {
                    let event: serde_json::Value = serde_json::from_str(text.as_str()).unwrap();
                    ids.push(event["id"].as_str().unwrap().to_string());
                }
            }
            ids
        })
    }

    /// A hub on loopback that acks every frame of one connection; the ids it acked come back.
    async fn acking_hub(listener: tokio::net::TcpListener) -> tokio::task::JoinHandle<Vec<String>> {
        use futures_util::{SinkExt, StreamExt};
        use tokio_tungstenite::tungstenite::Message;
        tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
            let mut ids = Vec::new();
            while let Some(Ok(message)) = ws.next().await {
                let Message::Text(text) = message else {
                    continue;
                };
                let event: serde_json::Value = serde_json::from_str(text.as_str()).unwrap();
                let id = event["id"].as_str().unwrap().to_string();
                let ack = serde_json::json!({"ack": id, "seq": ids.len() + 1});
                ids.push(id);
                ws.send(Message::text(ack.to_string())).await.unwrap();
            }
            ids
        })
    }

    #[tokio::test]
    async fn a_lost_connection_moves_to_the_next_hub_and_sends_again_what_got_no_answer() {
        let first = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let second = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let hubs = format!(
            "{},{}",
            first.local_addr().unwrap(),
            second.local_addr().unwrap()
        );
        let unanswered = dying_hub(first, 5).await;
        let acked = acking_hub(second).await;
        let mut plan = LoadPlan::new(hubs, vec!["t".into()], mix());
        plan.window = 5;
        plan.duration = Duration::from_millis(300);
        let report = run(plan).await.unwrap();
        let lost = unanswered.await.unwrap();
        assert_eq!(report.resent, 5, "{report}");
        assert_eq!(report.moves.len(), 1, "{report}");
        assert!(report.failures.is_empty(), "{report}");
        assert_eq!(report.unanswered, 0, "{report}");
        assert_eq!(report.acked, report.sent, "{report}");
        assert!(report.sent > 5, "{report}");
        let acked = acked.await.unwrap();
        assert_eq!(
            acked[..5],
            lost[..],
            "the unanswered frames first, with their own ids"
        );
        assert_eq!(acked.len() as u64, report.sent);
    }

    #[test]
    fn outcomes_merge_into_one_report() {
        let start = Instant::now();
        let one = |sent, answered, acked, code: Option<NackCode>, ms_: u64| Outcome {
            sent,
            answered,
            acked,
            nacked: code.map(|c| (c, answered - acked)).into_iter().collect(),
            latencies: vec![Duration::from_millis(ms_); answered as usize],
            last_answer: Some(start + Duration::from_secs(2)),
            ..Outcome::default()
        };
        let report = merge(
            2,
            start,
            vec![
                one(10, 10, 10, None, 1),
                one(10, 8, 6, Some(NackCode::RateLimited), 3),
            ],
        );
        assert_eq!(report.sent, 20);
        assert_eq!(report.acked, 16);
        assert_eq!(report.nacked.get(&NackCode::RateLimited), Some(&2));
        assert_eq!(report.unanswered, 2);
        assert_eq!(report.answered(), 18);
        assert_eq!(report.elapsed, Duration::from_secs(2));
        assert_eq!(report.acked_per_sec(), 8.0);
        assert_eq!(report.latency.max, Duration::from_millis(3));
        let text = report.to_string();
        assert!(text.contains("nacked rate_limited: 2"), "{text}");
    }
}
