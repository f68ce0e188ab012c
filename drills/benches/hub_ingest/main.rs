//! The ingest benchmark: the hub's durable ingest against two baselines on the same machine,
//! in one run. Baseline A is a plain WebSocket echo server (the transport alone), baseline B
//! is bare sled doing the hub's group commit (the store alone); then the hub itself, flat out
//! and at a fixed 2,000 events/s with a console on the feed. B and the hub flat out are
//! measured in turn, [`ROUNDS`] times, and the ratio is the median of the rounds' ratios: on a
//! shared machine a single pair can land on a busy moment. Each hub measurement starts a fresh
//! hub on a fresh data directory. Prints a table with PASS/MISS per target; a miss does not
//! fail the run.

mod echo;
mod hub;
mod sled_batch;

use std::time::{Duration, Instant};

use drills::load::{self, LoadPlan, LoadReport};
use drills::mix::{MixPlan, Profile};
use drills::stats::{Latency, ms};
use drills::watch::{ConsoleDelay, FeedLog, FeedWatch, console_delay};
use sled_batch::{Shape, SledFigures};

/// The hub measured here allocates as `alert-hub serve` does (see its `main.rs`).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Concurrent devices (and producers, for baseline B).
const CLIENTS: usize = 50;
/// Frames each client may have unanswered (writes outstanding, for baseline B).
const WINDOW: usize = 64;
/// How many times baseline B and the hub flat out are measured, in turn.
const ROUNDS: usize = 3;
/// How long each flat-out measurement runs, after a one-second warm-up.
const FLAT_OUT: Duration = Duration::from_secs(8);
/// The fixed total rate of the latency measurements.
const FIXED_RATE: f64 = 2_000.0;
/// How long each fixed-rate measurement runs, after a one-second warm-up at the same rate.
const FIXED: Duration = Duration::from_secs(10);
/// Devices simulated per client.
const DEVICES: usize = 120;

const MIN_RATE: f64 = 20_000.0;
const MIN_RATIO: f64 = 0.5;
const MAX_ACK_P99: Duration = Duration::from_millis(10);
const MAX_CONSOLE_P99: Duration = Duration::from_millis(50);

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("client-rt")
        .build()?;
    let started = Instant::now();
    let load_before = load_average();
    let step = |what: &str| eprintln!("hub_ingest: {what} ...");
    step("baseline A, WebSocket echo");
    let echo = runtime.block_on(baseline_echo())?;
    let mut rounds = Vec::with_capacity(ROUNDS);
    for n in 1..=ROUNDS {
        step(&format!(
            "round {n} of {ROUNDS}: baseline B (sled group commit), then the hub flat out"
        ));
        let sled = runtime.block_on(baseline_sled(None, Shape::Bare))?;
        let hub = runtime.block_on(hub_flat_out(Profile::Realistic))?;
        rounds.push(Round { sled, hub });
    }
    rounds.sort_by(|a, b| a.ratio().total_cmp(&b.ratio()));
    step("baseline B at 2,000 events/s, and with a durable id index");
    let sled_fixed = runtime.block_on(baseline_sled(Some(FIXED_RATE), Shape::Bare))?;
    let sled_indexed = runtime.block_on(baseline_sled(None, Shape::Indexed))?;
    step("hub flat out, heartbeats only");
    let heartbeats = runtime.block_on(hub_flat_out(Profile::Supervision))?;
    step("hub at 2,000 events/s with a console");
    let fixed = runtime.block_on(hub_fixed(Profile::Realistic))?;
    let incidents = runtime.block_on(hub_fixed(Profile::Incidents))?;
    let figures = Figures {
        echo,
        rounds,
        sled_fixed,
        sled_indexed,
        heartbeats,
        fixed,
        incidents,
    };
    figures.print();
    println!(
        "total run time {:.1} s; load average before {}, after {}",
        started.elapsed().as_secs_f64(),
        load_before,
        load_average()
    );
    Ok(())
}

/// The one-minute load average where the system reports one: other work on the machine
/// skews every figure here.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

fn mix(run_id: &str, profile: Profile) -> MixPlan {
    MixPlan {
        seed: 2026,
        run_id: run_id.into(),
        stream: 0,
        site: hub::SITE.into(),
        devices: DEVICES,
        profile,
        drill: None,
    }
}

fn plan(url: &str, run_id: &str, profile: Profile, rate: Option<f64>, time: Duration) -> LoadPlan {
    let tokens = (0..CLIENTS).map(hub::source_token).collect();
    let mut plan = LoadPlan::new(url, tokens, mix(run_id, profile));
    plan.rate = rate;
    plan.duration = time;
    plan.window = WINDOW;
    plan
}

async fn baseline_echo() -> anyhow::Result<LoadReport> {
    let server = echo::EchoServer::start()?;
    let url = format!("http://{}", server.addr);
    let warm = Duration::from_secs(1);
    load::run(plan(&url, "warm", Profile::Realistic, None, warm)).await?;
    let report = load::run(plan(&url, "echo", Profile::Realistic, None, FLAT_OUT)).await?;
    server.stop();
    Ok(report)
}

async fn baseline_sled(rate: Option<f64>, shape: Shape) -> anyhow::Result<SledFigures> {
    let dir = tempfile::tempdir()?;
    let time = if rate.is_some() { FIXED } else { FLAT_OUT };
    let mix = mix("sled", Profile::Realistic);
    sled_batch::run(dir.path(), CLIENTS, WINDOW, time, rate, shape, &mix).await
}

/// A fresh hub on a fresh data directory, stopped when the measurement is done.
async fn with_hub<T>(measure: impl AsyncFnOnce(&str) -> anyhow::Result<T>) -> anyhow::Result<T> {
    let dir = tempfile::tempdir()?;
    let running = hub::RunningHub::start(hub::config(CLIENTS)?, &dir.path().join("data"))?;
    let result = measure(&running.url()).await;
    tokio::task::spawn_blocking(move || running.stop()).await??;
    result
}

async fn hub_flat_out(profile: Profile) -> anyhow::Result<LoadReport> {
    with_hub(async |url| {
        let warm = Duration::from_secs(1);
        load::run(plan(url, "warm", profile, None, warm)).await?;
        Ok(load::run(plan(url, "flat-out", profile, None, FLAT_OUT)).await?)
    })
    .await
}

struct Fixed {
    report: LoadReport,
    feed: FeedLog,
    delay: ConsoleDelay,
}

async fn hub_fixed(profile: Profile) -> anyhow::Result<Fixed> {
    with_hub(async |url| {
        let warm = Duration::from_secs(1);
        load::run(plan(url, "warm", profile, Some(FIXED_RATE), warm)).await?;
        let watch = FeedWatch::connect(url, hub::OPERATOR_TOKEN).await?;
        let mut plan = plan(url, "fixed", profile, Some(FIXED_RATE), FIXED);
        plan.record_acks = true;
        let report = load::run(plan).await?;
        // The last changes are published just after the last acks.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let feed = watch.stop().await?;
        let delay = console_delay(&report.acks, &feed.first_seen);
        Ok(Fixed {
            report,
            feed,
            delay,
        })
    })
    .await
}

/// Baseline B and the hub flat out, measured one right after the other.
struct Round {
    sled: SledFigures,
    hub: LoadReport,
}

impl Round {
    fn ratio(&self) -> f64 {
        self.hub.acked_per_sec() / self.sled.per_sec().max(f64::EPSILON)
    }
}

struct Figures {
    echo: LoadReport,
    /// In order of their ratio: the middle one is the median.
    rounds: Vec<Round>,
    sled_fixed: SledFigures,
    sled_indexed: SledFigures,
    heartbeats: LoadReport,
    fixed: Fixed,
    incidents: Fixed,
}

fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "MISS" }
}

fn pair(l: &Latency) -> String {
    format!("{} / {}", ms(l.p50), ms(l.p99))
}

fn row(what: &str, value: &str, target: &str, result: &str) {
    println!("{what:<44} {value:>22}  {target:<24} {result}");
}

fn rule() {
    println!("{}", "-".repeat(100));
}

impl Figures {
    fn median(&self) -> &Round {
        &self.rounds[self.rounds.len() / 2]
    }

    fn print(&self) {
        let median = self.median();
        let rate = median.hub.acked_per_sec();
        let ratio = median.ratio();
        let p99 = format!("p99 < {}", ms(MAX_ACK_P99));
        println!();
        println!(
            "hub_ingest: {CLIENTS} concurrent clients on loopback, window {WINDOW} frames each, \
             {} cores; a fresh hub for each hub measurement",
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );
        rule();
        row("measure", "value", "target", "result");
        rule();
        let echo_rate = format!("{:.0}/s", self.echo.answered_per_sec());
        row("A  ws echo (axum): messages/s", &echo_rate, "", "");
        row(
            "A  ws echo: round trip p50 / p99",
            &pair(&self.echo.latency),
            "",
            "",
        );
        let sled_rate = format!("{:.0}/s", median.sled.per_sec());
        row("B  sled group commit: events/s", &sled_rate, "", "");
        row(
            "B  sled @ 2,000/s: commit p50 / p99",
            &pair(&self.sled_fixed.latency),
            "",
            "",
        );
        row(
            "hub flat out: acked events/s",
            &format!("{rate:.0}/s"),
            &format!(">= {MIN_RATE:.0}/s"),
            verdict(rate >= MIN_RATE),
        );
        row(
            &format!("hub / baseline B (median of {ROUNDS} rounds)"),
            &format!("{:.0} %", ratio * 100.0),
            &format!(">= {:.0} %", MIN_RATIO * 100.0),
            verdict(ratio >= MIN_RATIO),
        );
        row(
            "hub flat out: ack p50 / p99",
            &pair(&median.hub.latency),
            "",
            "",
        );
        let fixed = &self.fixed.report.latency;
        row(
            "hub @ 2,000/s: ack p50 / p99",
            &pair(fixed),
            &p99,
            verdict(fixed.p99 < MAX_ACK_P99),
        );
        let delay = &self.incidents.delay;
        row(
            "hub @ 2,000/s incident mix: ack -> console",
            &pair(&delay.latency),
            &format!("p99 < {}", ms(MAX_CONSOLE_P99)),
            verdict(delay.latency.p99 < MAX_CONSOLE_P99 && delay.matched > 0),
        );
        rule();
        println!("diagnostics (no targets):");
        let indexed = format!("{:.0}/s", self.sled_indexed.per_sec());
        row(
            "B  + a durable id index per event: events/s",
            &indexed,
            "",
            "",
        );
        let hb = self.heartbeats.acked_per_sec();
        row(
            "hub flat out, heartbeats only: events/s",
            &format!("{hb:.0}/s"),
            "",
            "",
        );
        let inc = &self.incidents.report.latency;
        row(
            "hub @ 2,000/s, incident mix: ack p50 / p99",
            &pair(inc),
            "",
            "",
        );
        rule();
        self.details();
    }

    fn details(&self) {
        println!("details:");
        counts("echo", &self.echo);
        println!("  rounds, lowest ratio first:");
        for round in &self.rounds {
            println!(
                "  {:<16} B {:.0}/s  hub {:.0}/s  ratio {:.0} %",
                "",
                round.sled.per_sec(),
                round.hub.acked_per_sec(),
                round.ratio() * 100.0
            );
        }
        for (name, sled) in [
            ("sled", &self.median().sled),
            ("sled @2,000/s", &self.sled_fixed),
            ("sled indexed", &self.sled_indexed),
        ] {
            println!(
                "  {name:<16} stored {:>7} in {} flushes (avg {:.0} per flush) over {:.2} s",
                sled.stored,
                sled.batches,
                sled.stored as f64 / sled.batches.max(1) as f64,
                sled.elapsed.as_secs_f64()
            );
        }
        counts("hub flat out", &self.median().hub);
        counts("hub heartbeats", &self.heartbeats);
        for (name, run) in [
            ("hub @2,000/s", &self.fixed),
            ("hub incidents", &self.incidents),
        ] {
            counts(name, &run.report);
            let feed = &run.feed;
            println!(
                "  {:<16} ack max {}, sends late p99 {}; console: {} changes, avg {:.0} bytes, \
                 largest incident {} devices, resyncs {}, matched {} of {} acks ({} seen first), \
                 delay max {}",
                "",
                ms(run.report.latency.max),
                ms(run.report.send_lag.p99),
                feed.changes,
                feed.change_bytes as f64 / feed.changes.max(1) as f64,
                feed.largest_incident,
                feed.resyncs,
                run.delay.matched,
                run.delay.matched + run.delay.unmatched,
                run.delay.console_first,
                ms(run.delay.latency.max)
            );
        }
    }
}

fn counts(name: &str, r: &LoadReport) {
    let nacks: Vec<String> = r
        .nacked
        .iter()
        .map(|(code, n)| format!(" {}={n}", code.as_str()))
        .collect();
    println!(
        "  {name:<16} sent {:>7}  answered {:>7}  acked {:>7}  dup {}  nacked {}{}  \
         unanswered {}  failures {}",
        r.sent,
        r.answered(),
        r.acked,
        r.duplicates,
        r.nacked_total(),
        nacks.concat(),
        r.unanswered,
        r.failures.len()
    );
}
