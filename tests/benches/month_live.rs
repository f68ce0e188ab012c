//! The monthly report over live data: the real hub (release build) takes a stream of incident
//! events from `drills simulate` while two scripted consoles acknowledge, resolve and close
//! every incident as it comes (two people close a P1), then the month's report is asked for
//! over HTTP and timed against reading every incident of the hub in the same run. Prints the
//! figures next to the 1 s target; asserts nothing. (The 100,000-incident figure is
//! `cargo bench -p alert-hub --bench month_report`, built straight into a store.)
//!
//! `cargo bench -p system-tests --bench month_live` (set `MONTH_LIVE_SECS` to stream longer).
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::HashMap;
use std::process::Command as Process;
use std::time::{Duration, Instant};

use alert_hub::protocol::{Command, ConsoleMessage, IncidentState, IncidentView, Priority};
use system_tests::{Console, HubProcess, binary, fast_panel_config, http, tokens};

const RATE: u32 = 1_500;
const TARGET: Duration = Duration::from_secs(1);

/// What the scripted consoles did last to each incident, so each state is acted on once.
#[derive(Default)]
struct Script {
    done: HashMap<String, (IncidentState, bool)>,
    acknowledged: u64,
    closed: u64,
}

impl Script {
    /// The commands for `incident` as it now stands: for op-li, then for op-wang.
    fn next(&mut self, incident: &IncidentView) -> (Option<Command>, Option<Command>) {
        let id = incident.id.clone();
        let key = (incident.state, incident.close_requested_by.is_some());
        if self.done.get(&id) == Some(&key) {
            return (None, None);
        }
        self.done.insert(id.clone(), key);
        match key {
            (IncidentState::New, _) => {
                self.acknowledged += 1;
                (Some(Command::Acknowledge { incident: id }), None)
            }
            (IncidentState::Acknowledged | IncidentState::InProgress, _) => (
                Some(Command::Resolve {
                    incident: id,
                    summary: Some("simulated: checked on camera, nothing found".into()),
                }),
                None,
            ),
            (IncidentState::Resolved, false) => {
                if incident.priority != Priority::P1 {
                    self.closed += 1;
                }
                (Some(Command::Close { incident: id }), None)
            }
            (IncidentState::Resolved, true) if incident.priority == Priority::P1 => {
                self.closed += 1;
                (None, Some(Command::Close { incident: id }))
            }
            _ => (None, None),
        }
    }
}

fn main() {
    let secs: u64 = std::env::var("MONTH_LIVE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let files = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let config = fast_panel_config(files.path(), RATE * 2);
    let hub = HubProcess::start_with(&config, data.path());
    let url = format!("http://{}", hub.addr);

    let simulate = Process::new(binary("drills"))
        .args(["simulate", "--hub", &url, "--token", tokens::FIRE_PANEL_GG])
        .args(["--rate", &RATE.to_string(), "--duration", &secs.to_string()])
        .args(["--mix", "incidents", "--devices", "400", "--seed", "11"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("drills simulate starts");

    let (script, worked) = runtime.block_on(async {
        let mut li = Console::connect(&hub, tokens::OPERATOR_LI, None).await;
        let mut wang = Console::connect(&hub, tokens::OPERATOR_WANG, None).await;
        let mut script = Script::default();
        let started = Instant::now();
        let quiet = Duration::from_secs(3);
        loop {
            let Some(message) = li.try_next(quiet).await else {
                if started.elapsed() > Duration::from_secs(secs) {
                    break;
                }
                continue;
            };
            let incidents: Vec<IncidentView> = match message {
                ConsoleMessage::Change { change, .. } => vec![change.incident],
                ConsoleMessage::Snapshot { incidents, .. } => incidents,
                _ => continue,
            };
            for incident in incidents.iter().filter(|i| i.drill.is_none()) {
                let (by_li, by_wang) = script.next(incident);
                if let Some(command) = by_li {
                    li.send(command).await;
                }
                if let Some(command) = by_wang {
                    wang.send(command).await;
                }
            }
            while wang.try_next(Duration::ZERO).await.is_some() {}
        }
        (script, started.elapsed())
    });
    let output = simulate.wait_with_output().expect("drills simulate ends");
    let said = String::from_utf8_lossy(&output.stdout);

    let month = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .format(time::macros::format_description!("[year]-[month]"))
        .unwrap();
    let timed = |path: String| {
        let mut best = Duration::MAX;
        let mut body = String::new();
        for _ in 0..3 {
            let started = Instant::now();
            let (status, text) =
                runtime.block_on(http(hub.addr, "GET", &path, Some(tokens::MANAGER), None));
            best = best.min(started.elapsed());
            assert_eq!(status, 200, "{path}: {text}");
            body = text;
        }
        (best, body)
    };
    let (report, json) = timed(format!("/v1/reports/month?month={month}&format=json"));
    let (all, list) = timed("/v1/incidents?state=all".to_string());
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let listed = serde_json::from_str::<Vec<serde_json::Value>>(&list)
        .map(|l| l.len())
        .unwrap_or(0);

    println!("drills simulate for {secs} s at {RATE}/s, --mix incidents:");
    for line in said.lines().filter(|l| !l.trim().is_empty()) {
        println!("    {line}");
    }
    println!(
        "scripted consoles over {:.1} s: {} incidents acknowledged, {} closed",
        worked.as_secs_f64(),
        script.acknowledged,
        script.closed
    );
    println!(
        "month {month} over HTTP: {:.3} s (target {:.0} s, {}); {} real incidents in the report",
        report.as_secs_f64(),
        TARGET.as_secs_f64(),
        if report <= TARGET { "within" } else { "OVER" },
        json["totals"]["real"]
    );
    println!(
        "baseline, every incident over GET /v1/incidents?state=all ({listed}): {:.3} s",
        all.as_secs_f64()
    );
    for a in json["acknowledgement"].as_array().into_iter().flatten() {
        println!(
            "    {}: {} incidents, {} acknowledged, p50/p90/p99 {}/{}/{} s",
            a["priority"],
            a["incidents"],
            a["acknowledged"],
            a["p50_secs"],
            a["p90_secs"],
            a["p99_secs"]
        );
    }
}
