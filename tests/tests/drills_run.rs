//! `drills run` end to end: for every shipped scenario, the real hub, the real `drills run`
//! binary at a high speed and a scripted console that acknowledges and works the playbook at
//! times it notes; two people end the drill, and the score measures what the script did to the
//! second. Drill notices reach the drill contact only (a real SMTP server and a webhook receiver
//! on loopback). A real fire alarm during a drill stands first on the board and counts as real
//! only. An operator's token, an unknown site and a broken scenario are refused before any
//! event is sent; Ctrl-C aborts the drill and its record says so.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use alert_hub::protocol::{self, ConsoleMessage};
use serde_json::{Value, json};
use system_tests::outside::{SmtpServer, WebhookReceiver};
use system_tests::{Console, Device, HubProcess, PATIENCE, event, get_json, http, tokens};
use time::OffsetDateTime;

/// Scenario seconds per wall-clock second: the longest script (25 min) plays in 5 s.
const SPEED: &str = "300";

/// How far apart the script's measured actions are.
const BEAT: Duration = Duration::from_millis(1200);

/// The shipped scenario `id`'s file.
fn scenario_file(id: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../drills/scenarios/{id}.toml"))
}

/// The demo sites with a real and a drill security lead, each with a webhook and an e-mail.
struct Site {
    smtp: SmtpServer,
    hook: WebhookReceiver,
    hub: HubProcess,
    _dir: tempfile::TempDir,
}

impl Site {
    async fn start() -> Site {
        let dir = tempfile::tempdir().unwrap();
        let smtp = SmtpServer::start();
        let hook = WebhookReceiver::start().await;
        let contact = |id: &str, drill: bool| {
            format!(
                "[[contacts]]\nid = \"{id}\"\nname = \"Contact {id}\"\nrole = \"security_lead\"\n\
                 email = \"{id}@example.com\"\nwebhook = \"{}\"\ndrill = {drill}\n\n",
                hook.url()
            )
        };
        let text = format!(
            "{}\n[notify]\nstall_minutes = 60\npublic_url = \"http://hub.example:7400\"\n\n\
             [notify.smtp]\nhost = \"127.0.0.1\"\nport = {}\nfrom = \"hub@example.com\"\n\n{}{}",
            system_tests::demo_without_contacts(),
            smtp.port,
            contact("lead", false),
            contact("drill-lead", true),
        );
        let config = dir.path().join("site.toml");
        std::fs::write(&config, text).unwrap();
        let hub = HubProcess::start_with(&config, &dir.path().join("data"));
        Site {
            smtp,
            hook,
            hub,
            _dir: dir,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.hub.addr)
    }
}

/// `drills ARGS` against `site`'s hub with `token`.
fn drills(site: &Site, token: &str, args: &[&str]) -> Command {
    let mut command = Command::new(system_tests::binary("drills"));
    command
        .args(args)
        .args(["--hub", &site.url(), "--token", token]);
    command
}

/// `drills run` of scenario `id` as drill `drill`, with its output piped.
fn run(site: &Site, token: &str, scenario: &Path, drill: &str, extra: &[&str]) -> Child {
    let path = scenario.to_str().unwrap();
    let mut args = vec!["run", path, "--site", "green-garden", "--id", drill];
    args.extend_from_slice(extra);
    drills(site, token, &args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("drills run starts")
}

/// Waits for the child and returns its output, failing after `PATIENCE`.
fn finish(child: Child) -> Output {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    rx.recv_timeout(PATIENCE * 2)
        .expect("drills run finishes in time")
        .expect("output")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// When drill `id` started, as the hub says, once it runs.
async fn started_at(hub: &HubProcess, id: &str) -> OffsetDateTime {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let drills: Vec<protocol::DrillView> =
            serde_json::from_value(get_json(hub, "/v1/drills").await).unwrap();
        if let Some(drill) = drills.into_iter().find(|d| d.id == id) {
            return drill.started_at;
        }
        assert!(Instant::now() < deadline, "drill {id} never started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A scenario as the script reads it: its expected playbook, when it has prompts open a
/// report by hand, and its objectives.
struct Script {
    playbook: String,
    reports: Vec<(f64, protocol::EventKind, Value)>,
    objectives: Vec<Value>,
}

impl Script {
    fn read(id: &str) -> Script {
        let value: toml::Value =
            toml::from_str(&std::fs::read_to_string(scenario_file(id)).unwrap())
                .expect("scenario TOML");
        let json = serde_json::to_value(value).unwrap();
        let reports = json["prompts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p.get("open").is_some())
            .map(|p| {
                let kind = serde_json::from_value(p["open"].clone()).unwrap();
                (secs(p["at"].as_str().unwrap()), kind, p.clone())
            })
            .collect();
        Script {
            playbook: json["playbook"].as_str().unwrap().to_string(),
            reports,
            objectives: json["objectives"].as_array().unwrap().clone(),
        }
    }
}

/// `1m30s`, `20s`, `3m` as seconds.
fn secs(text: &str) -> f64 {
    let (mut total, mut number) = (0.0, String::new());
    for c in text.chars() {
        match c {
            'h' | 'm' | 's' => {
                let n: f64 = number.parse().unwrap();
                total += n * match c {
                    'h' => 3600.0,
                    'm' => 60.0,
                    _ => 1.0,
                };
                number.clear();
            }
            _ => number.push(c),
        }
    }
    total
}

/// The scripted console: one operator working the drill's incidents, noting when each measured
/// action was taken (seconds from the drill's start, by the clock of the reply).
struct Operator<'a> {
    hub: &'a HubProcess,
    console: Console,
    drill: String,
    start: OffsetDateTime,
    library: playbooks::Library,
    next_beat: Instant,
}

impl Operator<'_> {
    fn now_secs(&self) -> f64 {
        (OffsetDateTime::now_utc() - self.start).as_seconds_f64()
    }

    async fn beat(&mut self) {
        tokio::time::sleep_until(self.next_beat.into()).await;
        self.next_beat = Instant::now().max(self.next_beat) + BEAT;
    }

    async fn ok(&mut self, command: protocol::Command) -> f64 {
        let reply = self.console.command(command.clone()).await;
        assert!(reply.ok, "{command:?}: {reply:?}");
        self.now_secs()
    }

    async fn incidents(&self) -> Vec<protocol::IncidentView> {
        let path = format!("/v1/incidents?drill={}", self.drill);
        serde_json::from_value(get_json(self.hub, &path).await).unwrap()
    }

    /// The drill incident running `playbook`, opened by hand from the script's report when the
    /// scenario has the operator open it (not before the prompt's time).
    async fn incident_for(&mut self, playbook: &str, script: &Script) -> protocol::IncidentView {
        let deadline = Instant::now() + PATIENCE;
        let mut reported = false;
        loop {
            for listed in self.incidents().await {
                let whole = get_json(self.hub, &format!("/v1/incidents/{}", listed.id)).await;
                let incident: protocol::IncidentView =
                    serde_json::from_value(whole["incident"].clone()).unwrap();
                if incident.playbook.as_ref().is_some_and(|p| p.id == playbook) {
                    return incident;
                }
            }
            let report = script.reports.iter().find(|(_, kind, _)| {
                self.library.for_kind(kind.as_str()).map(|p| p.id.as_str()) == Some(playbook)
            });
            if let (Some((at, kind, prompt)), false) = (report, reported) {
                let due = at / 300.0;
                while self.now_secs() < due {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                let open = protocol::Command::OpenIncident {
                    kind: *kind,
                    location: protocol::Location {
                        site: "green-garden".into(),
                        building: prompt["building"].as_str().map(str::to_string),
                        floor: prompt["floor"].as_str().map(str::to_string),
                        zone: prompt["zone"].as_str().map(str::to_string),
                    },
                    note: "drill: the drill controller's call, as scripted".into(),
                    drill: Some(self.drill.clone()),
                };
                self.ok(open).await;
                reported = true;
            }
            assert!(
                Instant::now() < deadline,
                "no drill incident runs {playbook}: {:?}",
                self.incidents().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Acknowledges `incident` if nobody has; returns when, if this did.
    async fn acknowledge(&mut self, incident: &protocol::IncidentView) -> Option<f64> {
        if incident.state != protocol::IncidentState::New {
            return None;
        }
        let id = incident.id.clone();
        Some(
            self.ok(protocol::Command::Acknowledge { incident: id })
                .await,
        )
    }

    /// Works `incident`'s playbook up to `step` and does it (with `choice` when given), at a
    /// beat; returns when it was done.
    async fn work_to(&mut self, incident: &str, step: &str, choice: Option<&str>) -> f64 {
        loop {
            let whole = get_json(self.hub, &format!("/v1/incidents/{incident}")).await;
            let run: protocol::PlaybookView =
                serde_json::from_value(whole["incident"]["playbook"].clone()).unwrap();
            let current = run.current.clone().expect("the playbook has not finished");
            let view = run.steps.iter().find(|s| s.id == current).unwrap().clone();
            for input in view.inputs.iter().filter(|i| i.value.is_none()) {
                self.fill(incident, &current, &input.id).await;
            }
            let target = current == step;
            if target {
                self.beat().await;
            }
            let first = view.choices.first().map(|c| c.id.clone());
            let command = match (target.then_some(choice).flatten(), first) {
                (Some(choice), _) => protocol::Command::Choose {
                    incident: incident.into(),
                    step: current.clone(),
                    choice: choice.into(),
                },
                (None, Some(first)) => protocol::Command::Choose {
                    incident: incident.into(),
                    step: current.clone(),
                    choice: first,
                },
                (None, None) => protocol::Command::CompleteStep {
                    incident: incident.into(),
                    step: current.clone(),
                },
            };
            let at = self.ok(command).await;
            if target {
                return at;
            }
        }
    }

    /// Records an input with a value its type takes (a clock time, a number or text).
    async fn fill(&mut self, incident: &str, step: &str, input: &str) {
        for value in ["12:00", "1"] {
            let reply = self
                .console
                .command(protocol::Command::RecordInput {
                    incident: incident.into(),
                    step: step.into(),
                    input: input.into(),
                    value: value.into(),
                })
                .await;
            if reply.ok {
                return;
            }
        }
        panic!("no value fits input {input} of step {step}");
    }
}

/// Plays shipped scenario `id` end to end and checks the score against the script.
async fn play(id: &str) {
    let site = Site::start().await;
    let drill = format!("e2e-{id}");
    let script = Script::read(id);
    let console = Console::connect(&site.hub, tokens::OPERATOR_LI, None).await;
    let runner = run(
        &site,
        tokens::SAFETY_OFFICER,
        &scenario_file(id),
        &drill,
        &["--speed", SPEED],
    );
    let start = started_at(&site.hub, &drill).await;
    let mut li = Operator {
        hub: &site.hub,
        console,
        drill: drill.clone(),
        start,
        library: playbooks::Library::bundled().unwrap(),
        next_beat: Instant::now() + BEAT,
    };
    // The last objective that is the operator's to meet is left undone: it rates U.
    let undone = script
        .objectives
        .iter()
        .rposition(|o| o["measure"]["type"] != "notified")
        .unwrap();
    let mut done: HashMap<String, f64> = HashMap::new();
    for (n, objective) in script.objectives.iter().enumerate() {
        let measure = &objective["measure"];
        let kind = measure["type"].as_str().unwrap();
        if n == undone || kind == "notified" {
            continue;
        }
        let playbook = measure["playbook"].as_str().unwrap_or(&script.playbook);
        let incident = li.incident_for(playbook, &script).await;
        let acked = if kind == "acknowledged" {
            li.beat().await;
            li.acknowledge(&incident).await
        } else {
            li.acknowledge(&incident).await;
            None
        };
        let at = match kind {
            "acknowledged" => acked.expect("the script acknowledged first"),
            "step_done" | "choice_made" => {
                let step = measure["step"].as_str().unwrap();
                li.work_to(&incident.id, step, measure["choice"].as_str())
                    .await
            }
            "resolved" => {
                li.beat().await;
                li.ok(protocol::Command::Resolve {
                    incident: incident.id.clone(),
                    summary: None,
                })
                .await
            }
            other => panic!("a measure the script does not know: {other}"),
        };
        done.insert(objective["id"].as_str().unwrap().to_string(), at);
    }

    let ran = finish(runner);
    let out = text(&ran.stdout);
    assert!(ran.status.success(), "{out}\n{}", text(&ran.stderr));
    assert!(out.contains(&format!("drills end {drill}")), "{out}");
    let confirmed = drills(&site, tokens::ADMIN, &["end", &drill])
        .output()
        .unwrap();
    let said = text(&confirmed.stdout);
    assert!(
        confirmed.status.success(),
        "{said}{}",
        text(&confirmed.stderr)
    );
    assert!(said.contains(&format!("drill {drill} ended")), "{said}");

    let report = get_json(&site.hub, &format!("/v1/drills/{drill}/report?format=json")).await;
    assert_eq!(report["record"]["outcome"], "completed", "{report}");
    let first_notice = first_drill_notice(&site, start);
    for (n, result) in report["score"]["objectives"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let objective = &result["objective"];
        let id = objective["id"].as_str().unwrap();
        let target = objective["target_secs"].as_i64().unwrap();
        let measured = result["measured_secs"].as_i64();
        let expected = match done.get(id) {
            Some(at) => Some(*at),
            None if objective["measure"]["type"] == "notified" => first_notice,
            None => None,
        };
        match (measured, expected) {
            (Some(m), Some(at)) => {
                assert!(
                    (m as f64 - at).abs() <= 1.0,
                    "{id}: measured {m} s, the script did it at {at:.2} s"
                );
                assert!(m <= target);
                assert_eq!(result["rating"], "P", "{id}");
            }
            (None, None) => {
                assert_eq!(n, undone, "{id} was left undone");
                assert_eq!(result["rating"], "U", "{id}");
            }
            other => panic!("{id}: measured and scripted differ: {other:?}\n{report}"),
        }
    }
    let deductions = report["score"]["deductions"].as_array().unwrap();
    let lost: u64 = deductions
        .iter()
        .map(|d| d["points"].as_u64().unwrap())
        .sum();
    assert_eq!(report["score"]["score"].as_u64().unwrap(), 100 - lost);
    assert!(
        deductions.iter().any(|d| d["points"] == 25),
        "the undone objective costs 25 points: {deductions:?}"
    );
    assert_only_drill_contacts(&site);
    let metrics = metrics(&site.hub).await;
    for p in 1..=4 {
        assert!(
            metrics.contains(&format!("hub_open_incidents{{priority=\"P{p}\"}} 0")),
            "no real incident is counted: {metrics}"
        );
    }
}

/// When the drill contact's first notice arrived, in seconds from the drill's start.
fn first_drill_notice(site: &Site, start: OffsetDateTime) -> Option<f64> {
    let (now, wall) = (Instant::now(), OffsetDateTime::now_utc());
    site.hook
        .received()
        .iter()
        .filter(|(_, body)| body["contact_id"] == "drill-lead")
        .map(|(at, _)| {
            let ago = now.duration_since(*at).as_secs_f64();
            (wall - start).as_seconds_f64() - ago
        })
        .reduce(f64::min)
}

/// Every notice went to the drill contact; the real one received nothing.
fn assert_only_drill_contacts(site: &Site) {
    let hooks = site.hook.received();
    assert!(!hooks.is_empty(), "the drill contact was alerted");
    for (_, body) in &hooks {
        assert_eq!(body["contact_id"], "drill-lead", "{body}");
        assert_eq!(body["drill"], true, "{body}");
    }
    for mail in site.smtp.decoded() {
        assert_eq!(mail.to, "drill-lead@example.com", "{}", mail.subject);
    }
}

async fn metrics(hub: &HubProcess) -> String {
    let (status, body) = http(hub.addr, "GET", "/metrics", Some(tokens::OPERATOR_LI), None).await;
    assert_eq!(status, 200);
    body
}

macro_rules! every_shipped_scenario {
    ($($test:ident => $id:literal),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                play($id).await;
            }
        )*

        #[test]
        fn every_shipped_scenario_is_played() {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../drills/scenarios");
            let mut shipped: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .filter_map(|e| {
                    let path = e.unwrap().path();
                    (path.extension()? == "toml")
                        .then(|| path.file_stem().unwrap().to_string_lossy().into_owned())
                })
                .collect();
            shipped.sort();
            let mut played = vec![$($id),*];
            played.sort();
            assert_eq!(shipped, played);
        }
    };
}

every_shipped_scenario! {
    combined_drill_is_scored_as_scripted => "combined",
    fire_evacuation_is_scored_as_scripted => "fire-evacuation",
    first_aid_is_scored_as_scripted => "first-aid",
    flood_is_scored_as_scripted => "flood",
    gas_leak_is_scored_as_scripted => "gas-leak",
    lift_rescue_is_scored_as_scripted => "lift-rescue",
    public_security_is_scored_as_scripted => "public-security",
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_fire_alarm_during_a_drill_stands_first_and_counts_as_real_only() {
    let site = Site::start().await;
    let drill = "e2e-real-during-drill";
    let runner = run(
        &site,
        tokens::SAFETY_OFFICER,
        &scenario_file("fire-evacuation"),
        drill,
        &["--speed", "100"],
    );
    started_at(&site.hub, drill).await;
    let deadline = Instant::now() + PATIENCE;
    let path = format!("/v1/incidents?drill={drill}");
    while get_json(&site.hub, &path)
        .await
        .as_array()
        .unwrap()
        .is_empty()
    {
        assert!(Instant::now() < deadline, "the drill fire never opened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut panel = Device::connect(&site.hub, tokens::FIRE_PANEL_GG).await;
    let real = event("real-1", "fire.alarm", "smoke-B2-12F-01", "12F lobby");
    assert!(matches!(
        panel.send(&real).await,
        protocol::DeviceReply::Ack(_)
    ));

    let mut board = Console::connect(&site.hub, tokens::OPERATOR_WANG, None).await;
    let ConsoleMessage::Snapshot { incidents, .. } = board.next().await else {
        panic!("a console starts with a snapshot");
    };
    let mut incidents = incidents;
    incidents.sort_by(protocol::IncidentView::board_order);
    assert!(incidents.len() >= 2, "{incidents:?}");
    assert_eq!(incidents[0].drill, None, "the real alarm is first");
    assert_eq!(incidents[0].location.zone.as_deref(), Some("12F lobby"));
    assert!(
        incidents[1..]
            .iter()
            .all(|i| i.drill.as_deref() == Some(drill))
    );
    let real_id = incidents[0].id.clone();

    let metrics = metrics(&site.hub).await;
    assert!(
        metrics.contains("hub_open_incidents{priority=\"P1\"} 1"),
        "{metrics}"
    );
    assert!(!metrics.contains("hub_open_drill_incidents 0"), "{metrics}");
    let real_only = get_json(&site.hub, "/v1/incidents?drill=none").await;
    assert_eq!(real_only.as_array().unwrap().len(), 1);
    assert_eq!(real_only[0]["id"], real_id.as_str());
    let drill_only = get_json(&site.hub, &path).await;
    assert!(
        drill_only
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["drill"] == drill)
    );

    let ran = finish(runner);
    assert!(ran.status.success(), "{}", text(&ran.stderr));
    let ended = drills(&site, tokens::ADMIN, &["end", drill])
        .output()
        .unwrap();
    assert!(ended.status.success(), "{}", text(&ended.stderr));
    let report = get_json(&site.hub, &format!("/v1/drills/{drill}/report?format=json")).await;
    let theirs = report["record"]["incidents"].as_array().unwrap();
    assert!(!theirs.is_empty());
    assert!(
        !theirs.contains(&json!(real_id)),
        "the real alarm is not the drill's"
    );
    assert!(
        report["score"]["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["incident"] != real_id.as_str()),
        "nothing of the real alarm is in the drill's score"
    );
    let deadline = Instant::now() + PATIENCE;
    while !site
        .hook
        .received()
        .iter()
        .any(|(_, b)| b["contact_id"] == "lead")
    {
        assert!(Instant::now() < deadline, "the real lead was never called");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for (_, body) in site.hook.received() {
        let real_contact = body["contact_id"] == "lead";
        assert_eq!(body["drill"], !real_contact, "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_an_unknown_site_and_a_broken_scenario_are_refused_before_any_event() {
    let site = Site::start().await;
    let lift = scenario_file("lift-rescue");
    let by_operator = finish(run(&site, tokens::OPERATOR_LI, &lift, "e2e-op", &[]));
    assert!(!by_operator.status.success());
    let said = text(&by_operator.stderr);
    assert!(
        said.contains("only a safety officer or an admin may start or end drills"),
        "{said}"
    );
    let mut child = drills(
        &site,
        tokens::SAFETY_OFFICER,
        &[
            "run",
            lift.to_str().unwrap(),
            "--site",
            "nowhere",
            "--id",
            "e2e-site",
        ],
    );
    let nowhere = child.output().unwrap();
    assert!(!nowhere.status.success());
    let said = text(&nowhere.stderr);
    assert!(said.contains("no site \"nowhere\""), "{said}");
    assert!(said.contains("nothing was sent"), "{said}");

    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("lift-rescue.toml");
    let good = std::fs::read_to_string(&lift).unwrap();
    std::fs::write(
        &broken,
        good.replace(
            "kind = \"elevator.entrapment\"",
            "kind = \"elevator.stuck\"",
        ),
    )
    .unwrap();
    let refused = finish(run(
        &site,
        tokens::SAFETY_OFFICER,
        &broken,
        "e2e-broken",
        &[],
    ));
    assert!(!refused.status.success());
    let said = text(&refused.stderr);
    let line = good
        .lines()
        .position(|l| l == "kind = \"elevator.entrapment\"")
        .unwrap()
        + 1;
    assert!(said.contains(&format!("lift-rescue.toml:{line}")), "{said}");

    let events = get_json(&site.hub, "/v1/events").await;
    assert_eq!(events.as_array().map(Vec::len), Some(0), "{events}");
    let drills = get_json(&site.hub, "/v1/drills").await;
    assert_eq!(drills, json!([]));
    let records = get_json(&site.hub, "/v1/drills/records").await;
    assert_eq!(records, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_aborts_the_drill_and_its_record_says_aborted() {
    let site = Site::start().await;
    let drill = "e2e-ctrl-c";
    let mut child = run(
        &site,
        tokens::SAFETY_OFFICER,
        &scenario_file("lift-rescue"),
        drill,
        &[],
    );
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let _ = tx.send(line.unwrap());
        }
    });
    loop {
        let line = rx.recv_timeout(PATIENCE).expect("the drill starts");
        if line.starts_with(&format!("drill {drill} started")) {
            break;
        }
    }
    // The first events are sent at 0 s; the next comes at 30 s on the scenario's clock.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let out = finish(child);
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    let record = get_json(&site.hub, &format!("/v1/drills/{drill}/record")).await;
    assert_eq!(record["outcome"], "aborted", "{record}");
    assert_eq!(record["by"], "so-zhao");
    let reason = record["reason"].as_str().unwrap();
    assert!(reason.contains("Ctrl-C"), "{reason}");
    assert_eq!(get_json(&site.hub, "/v1/drills").await, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tabletop_sends_no_device_event_and_opens_the_scenarios_incident_as_a_drill_report() {
    let site = Site::start().await;
    let drill = "e2e-tabletop";
    let ran = finish(run(
        &site,
        tokens::SAFETY_OFFICER,
        &scenario_file("gas-leak"),
        drill,
        &["--speed", SPEED, "--tabletop"],
    ));
    let out = text(&ran.stdout);
    assert!(ran.status.success(), "{out}{}", text(&ran.stderr));
    assert!(
        out.contains("[00:00]"),
        "the scenario's clock is printed: {out}"
    );
    let incidents = get_json(&site.hub, &format!("/v1/incidents?drill={drill}")).await;
    let incidents = incidents.as_array().unwrap();
    assert_eq!(incidents.len(), 1, "{incidents:?}");
    assert_eq!(incidents[0]["kind"], "manual.gas_leak");
    assert_eq!(incidents[0]["drill"], drill);
    let events = get_json(&site.hub, "/v1/events").await;
    assert_eq!(
        events.as_array().map(Vec::len),
        Some(0),
        "nothing from devices"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_drill_events_are_deduplicated_and_refused_unless_the_drill_runs() {
    let site = Site::start().await;
    let frame = |id: &str| {
        let mut e = event(id, "fire.alarm", "smoke-1", "7F east corridor");
        e["drill"] = json!(null);
        e.to_string()
    };
    let post = |token: &'static str, path: String, body: String| {
        let addr = site.hub.addr;
        async move { http(addr, "POST", &path, Some(token), Some(&body)).await }
    };
    let path = |id: &str| format!("/v1/drills/{id}/events");
    let (status, body) = post(tokens::SAFETY_OFFICER, path("none"), frame("e1")).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("\"drill_not_running\""), "{body}");
    system_tests::start_drill(&site.hub, "q1", "演练", "Drill").await;
    let (status, body) = post(tokens::OPERATOR_LI, path("q1"), frame("e1")).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = post(tokens::SAFETY_OFFICER, path("q1"), frame("e1")).await;
    assert_eq!(status, 201, "{body}");
    let first: Value = serde_json::from_str(&body).unwrap();
    let (status, body) = post(tokens::SAFETY_OFFICER, path("q1"), frame("e1")).await;
    assert_eq!(status, 200, "{body}");
    let again: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["seq"], first["seq"], "stored once");
    let mut elsewhere = event("e2", "fire.alarm", "smoke-1", "lobby");
    elsewhere["site"] = json!("no-such-site");
    let (status, body) = post(tokens::SAFETY_OFFICER, path("q1"), elsewhere.to_string()).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("\"unknown_site\""), "{body}");
    let mut li = Console::connect(&site.hub, tokens::OPERATOR_LI, None).await;
    let report = |drill: &str| protocol::Command::OpenIncident {
        kind: protocol::EventKind::GasLeak,
        location: protocol::Location {
            site: "green-garden".into(),
            building: None,
            floor: None,
            zone: Some("B2 kitchen".into()),
        },
        note: "smells gas".into(),
        drill: Some(drill.into()),
    };
    let refused = li.command(report("not-running")).await;
    assert_eq!(refused.error, Some(protocol::RefusalCode::DrillNotRunning));
    assert!(
        li.command(report("q1")).await.ok,
        "a report of the running drill"
    );
    let incidents = get_json(&site.hub, "/v1/incidents?drill=q1").await;
    let kinds: Vec<&str> = incidents
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 2, "{incidents}");
    assert!(kinds.contains(&"fire.alarm") && kinds.contains(&"manual.gas_leak"));
    assert_eq!(
        get_json(&site.hub, "/v1/incidents?drill=none").await,
        json!([])
    );
    let stored = get_json(&site.hub, "/v1/events").await;
    assert_eq!(stored.as_array().unwrap().len(), 1);
    assert_eq!(stored[0]["drill"], "q1");
    assert_eq!(
        stored[0]["source"], "drill/q1",
        "no configured source spoke"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_injected_drill_event_never_counts_as_a_silent_source_speaking() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("site.toml");
    std::fs::write(
        &config,
        format!(
            "[[sites]]\nid = \"green-garden\"\nname = \"G\"\n\
             [[sources]]\nid = \"lift-1\"\nsite = \"green-garden\"\nkind = \"elevator_unit\"\n\
             token = \"lift-token-0123456\"\nheartbeat_secs = 1\n\
             [[operators]]\nid = \"op-li\"\nname = \"Li\"\nrole = \"operator\"\ntoken = \"{}\"\n\
             [[operators]]\nid = \"so-zhao\"\nname = \"Zhao\"\nrole = \"safety_officer\"\ntoken = \"{}\"\n",
            tokens::OPERATOR_LI,
            tokens::SAFETY_OFFICER
        ),
    )
    .unwrap();
    let hub = HubProcess::start_with(&config, &dir.path().join("data"));
    system_tests::start_drill(&hub, "q2", "演练", "Drill").await;
    let deadline = Instant::now() + PATIENCE;
    let lost = loop {
        let real = get_json(&hub, "/v1/incidents?drill=none").await;
        if let Some(lost) = real.as_array().unwrap().first() {
            break lost.clone();
        }
        assert!(Instant::now() < deadline, "comms.lost never raised");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(lost["kind"], "comms.lost");
    for n in 0..3 {
        let mut beat = event(&format!("hb{n}"), "heartbeat", "lift-1", "car 1");
        beat["detail"] = json!({});
        let (status, body) = http(
            hub.addr,
            "POST",
            "/v1/drills/q2/events",
            Some(tokens::SAFETY_OFFICER),
            Some(&beat.to_string()),
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
    let real = get_json(&hub, "/v1/incidents?drill=none").await;
    assert_eq!(real.as_array().unwrap().len(), 1);
    assert_eq!(real[0]["id"], lost["id"]);
    assert_eq!(real[0]["restored"], false, "the lift is still silent");
}
