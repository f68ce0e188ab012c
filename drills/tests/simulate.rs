//! The device simulator against the real hub binary on loopback: every event acked, resent ids
//! acked as duplicates, rate limits counted as nacks, refused tokens, the console feed timing,
//! and the `drills simulate` command itself.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::time::Duration;

use alert_hub::protocol::NackCode;
use drills::Error;
use drills::load::{self, LoadPlan};
use drills::mix::{MixPlan, Profile};
use drills::watch::{FeedWatch, console_delay};
use support::{Hub, OPERATOR, SITE, config, source_token};

fn mix(run_id: &str, profile: Profile) -> MixPlan {
    MixPlan {
        seed: 7,
        run_id: run_id.into(),
        stream: 0,
        site: SITE.into(),
        devices: 120,
        profile,
        drill: None,
    }
}

fn plan(hub: &Hub, sources: usize, rate: f64, secs: f64, mix: MixPlan) -> LoadPlan {
    let tokens = (0..sources).map(source_token).collect();
    let mut plan = LoadPlan::new(hub.url(), tokens, mix);
    plan.rate = Some(rate);
    plan.duration = Duration::from_secs_f64(secs);
    plan
}

#[tokio::test]
async fn a_paced_realistic_run_is_acked_in_full() {
    let hub = Hub::start(&config(3, 100_000, 100_000));
    let report = load::run(plan(&hub, 3, 300.0, 2.0, mix("full", Profile::Realistic)))
        .await
        .expect("run");
    assert_eq!(report.connections, 3);
    assert!((590..=610).contains(&report.sent), "{report}");
    assert_eq!(report.acked, report.sent, "{report}");
    assert_eq!(report.duplicates + report.nacked_total(), 0, "{report}");
    assert_eq!(
        report.unanswered + report.unreadable + report.out_of_order,
        0
    );
    assert!(report.failures.is_empty(), "{report}");
    assert_eq!(report.latency.count as u64, report.sent);
    assert!(report.latency.p50 > Duration::ZERO);
    assert!(report.latency.max >= report.latency.p99);
    assert_eq!(report.send_lag.count as u64, report.sent);
    assert!(report.elapsed >= Duration::from_millis(1900), "{report}");
}

#[tokio::test]
async fn resending_a_run_gets_duplicate_acks_and_stores_nothing_twice() {
    let hub = Hub::start(&config(2, 100_000, 100_000));
    let mut first = plan(&hub, 2, 200.0, 1.0, mix("again", Profile::Realistic));
    first.record_acks = true;
    let first = load::run(first).await.expect("first run");
    assert_eq!(first.acked, first.sent, "{first}");
    // The same seed and run id send the same ids again; a shorter run sends a prefix of them.
    let second = load::run(plan(&hub, 2, 200.0, 0.5, mix("again", Profile::Realistic)))
        .await
        .expect("second run");
    assert!(second.sent > 0);
    assert_eq!(second.duplicates, second.sent, "{second}");
    assert_eq!(second.acked, 0, "{second}");
    let seqs: std::collections::HashSet<u64> = first.acks.iter().map(|a| a.seq).collect();
    assert_eq!(
        seqs.len() as u64,
        first.acked,
        "each new event has its own sequence number"
    );
}

#[tokio::test]
async fn a_source_over_its_rate_limit_is_reported_as_rate_limited_nacks() {
    let hub = Hub::start(&config(1, 20, 0));
    let report = load::run(plan(&hub, 1, 200.0, 1.0, mix("limit", Profile::Realistic)))
        .await
        .expect("run");
    let limited = report
        .nacked
        .get(&NackCode::RateLimited)
        .copied()
        .unwrap_or(0);
    assert!(limited > 100, "{report}");
    assert!(report.acked >= 20, "{report}");
    assert_eq!(report.acked + limited, report.sent, "{report}");
    assert!(
        report.to_string().contains("nacked rate_limited"),
        "{report}"
    );
}

#[tokio::test]
async fn an_unknown_token_is_refused_before_anything_is_sent() {
    let hub = Hub::start(&config(1, 1000, 1000));
    let mut plan = plan(&hub, 1, 10.0, 1.0, mix("refused", Profile::Realistic));
    plan.tokens.push("not-a-token-of-this-hub".into());
    match load::run(plan).await {
        Err(Error::Hub(hub_client::Error::Refused { status: 401, .. })) => {}
        other => panic!("expected a 401 refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn sources_given_two_hubs_move_to_the_second_when_the_first_is_killed_and_resend() {
    let sources = 2;
    let mut first = Hub::start(&config(sources, 100_000, 100_000));
    let second = Hub::start(&config(sources, 100_000, 100_000));
    let tokens = (0..sources).map(source_token).collect();
    let mut plan = LoadPlan::new(
        format!("{},{}", first.url(), second.url()),
        tokens,
        mix("move", Profile::Realistic),
    );
    plan.rate = Some(400.0);
    plan.duration = Duration::from_secs(3);
    let run = tokio::spawn(load::run(plan));
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut first = tokio::task::spawn_blocking(move || {
        first.kill9();
        first
    })
    .await
    .expect("kill");
    let report = run.await.expect("run task").expect("run");
    assert!(report.failures.is_empty(), "{report}");
    assert_eq!(report.moves.len(), sources, "{report}");
    let went_on = format!("went on at {}", second.url());
    assert!(
        report.moves.iter().all(|m| m.contains(&went_on)),
        "{report}"
    );
    assert!((1150..=1210).contains(&report.sent), "{report}");
    assert_eq!(report.unanswered, 0, "every event answered: {report}");
    assert_eq!(
        report.acked + report.duplicates,
        report.sent,
        "every event stored by one hub or the other: {report}"
    );
    // Between them the two hubs stored every event sent: the first what it stored before it
    // died, the second what was resent to it and the rest.
    let first = tokio::task::spawn_blocking(move || {
        first.restart();
        first
    })
    .await
    .expect("restart");
    let mut stored = std::collections::HashSet::new();
    for hub in [&first, &second] {
        let address = hub_client::HubAddress::parse(&hub.url()).unwrap();
        let events: Vec<alert_hub::protocol::StoredEvent> = address
            .get_json("/v1/events?limit=10000", OPERATOR)
            .await
            .expect("events");
        stored.extend(events.into_iter().map(|e| (e.source, e.event.id)));
    }
    assert_eq!(stored.len() as u64, report.sent, "{report}");
    println!("{report}");
}

#[tokio::test]
async fn the_console_sees_every_incident_event_after_its_ack() {
    let hub = Hub::start(&config(2, 100_000, 100_000));
    let watch = FeedWatch::connect(&hub.url(), OPERATOR)
        .await
        .expect("console");
    let mut plan = plan(&hub, 2, 200.0, 1.0, mix("feed", Profile::Incidents));
    plan.record_acks = true;
    let report = load::run(plan).await.expect("run");
    assert_eq!(report.acked, report.sent, "{report}");
    // Changes are published right after acks; give the last ones ample time to arrive.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let log = watch.stop().await.expect("feed log");
    assert_eq!(log.resyncs, 0);
    assert!(log.changes >= report.acked, "{} changes", log.changes);
    let delay = console_delay(&report.acks, &log.first_seen);
    // A storm's events of one kind fold into one log entry naming its first and last event.
    assert_eq!(
        delay.matched as u64 + log.folded_unnamed,
        report.acked,
        "{delay:?}"
    );
    assert_eq!(delay.unmatched as u64, log.folded_unnamed);
    assert!(delay.latency.max < Duration::from_secs(2), "{delay:?}");
}

/// Runs `drills simulate` against `hub` for one second at `rate`, with `more` arguments.
fn simulate(hub: &Hub, rate: &str, more: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_drills"))
        .args([
            "simulate",
            "--hub",
            &hub.url(),
            "--rate",
            rate,
            "--duration",
            "1",
        ])
        .args(more)
        .output()
        .expect("drills runs")
}

#[test]
fn the_simulate_command_prints_its_report() {
    let hub = Hub::start(&config(2, 100_000, 100_000));
    let (token0, token1) = (source_token(0), source_token(1));
    let output = simulate(
        &hub,
        "100",
        &[
            "--token",
            &token0,
            "--token",
            &token1,
            "--site",
            SITE,
            "--devices",
            "40",
            "--seed",
            "3",
        ],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("run sim00000003 (seed 3): 2 source(s)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("sent 100  acked 100  duplicates 0  nacked 0"),
        "{stdout}"
    );
    assert!(stdout.contains("ack latency p50"), "{stdout}");
}

#[test]
fn the_simulate_command_explains_a_refused_token() {
    let hub = Hub::start(&config(1, 1000, 1000));
    let output = simulate(&hub, "10", &["--token", "wrong-token-for-this-hub"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("HTTP 401") && stderr.contains("token"),
        "{stderr}"
    );
}
