//! The drill runs' script: a site with a real and a drill contact, the `drills` binary run
//! against it, a scenario as the script reads it, and the operator who works the drill's
//! incidents at times it notes.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use alert_hub::protocol;
use serde_json::Value;
use system_tests::outside::{SmtpServer, WebhookReceiver};
use system_tests::{Console, HubProcess, PATIENCE, get_json, http, tokens};
use time::OffsetDateTime;

/// Scenario seconds per wall-clock second: the longest script (25 min) plays in 5 s.
pub const SPEED: &str = "300";

/// How far apart the script's measured actions are.
pub const BEAT: Duration = Duration::from_millis(1200);

/// The shipped scenario `id`'s file.
pub fn scenario_file(id: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../drills/scenarios/{id}.toml"))
}

/// The demo sites with a real and a drill security lead, each with a webhook and an e-mail.
pub struct Site {
    pub smtp: SmtpServer,
    pub hook: WebhookReceiver,
    pub hub: HubProcess,
    pub _dir: tempfile::TempDir,
}

impl Site {
    pub async fn start() -> Site {
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

    pub fn url(&self) -> String {
        format!("http://{}", self.hub.addr)
    }
}

/// `drills ARGS` against `site`'s hub with `token`.
pub fn drills(site: &Site, token: &str, args: &[&str]) -> Command {
    let mut command = Command::new(system_tests::binary("drills"));
    command
        .args(args)
        .args(["--hub", &site.url(), "--token", token]);
    command
}

/// `drills run` of scenario `id` as drill `drill`, with its output piped.
pub fn run(site: &Site, token: &str, scenario: &Path, drill: &str, extra: &[&str]) -> Child {
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
pub fn finish(child: Child) -> Output {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    rx.recv_timeout(PATIENCE * 2)
        .expect("drills run finishes in time")
        .expect("output")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// When drill `id` started, as the hub says, once it runs.
pub async fn started_at(hub: &HubProcess, id: &str) -> OffsetDateTime {
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
pub struct Script {
    pub playbook: String,
    pub reports: Vec<(f64, protocol::EventKind, Value)>,
    pub objectives: Vec<Value>,
}

impl Script {
    pub fn read(id: &str) -> Script {
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
pub fn secs(text: &str) -> f64 {
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
pub struct Operator<'a> {
    pub hub: &'a HubProcess,
    pub console: Console,
    pub drill: String,
    pub start: OffsetDateTime,
    pub library: playbooks::Library,
    pub next_beat: Instant,
}

impl Operator<'_> {
    pub fn now_secs(&self) -> f64 {
        (OffsetDateTime::now_utc() - self.start).as_seconds_f64()
    }

    pub async fn beat(&mut self) {
        tokio::time::sleep_until(self.next_beat.into()).await;
        self.next_beat = Instant::now().max(self.next_beat) + BEAT;
    }

    pub async fn ok(&mut self, command: protocol::Command) -> f64 {
        let reply = self.console.command(command.clone()).await;
        assert!(reply.ok, "{command:?}: {reply:?}");
        self.now_secs()
    }

    pub async fn incidents(&self) -> Vec<protocol::IncidentView> {
        let path = format!("/v1/incidents?drill={}", self.drill);
        serde_json::from_value(get_json(self.hub, &path).await).unwrap()
    }

    /// The drill incident running `playbook`, opened by hand from the script's report when the
    /// scenario has the operator open it (not before the prompt's time).
    pub async fn incident_for(
        &mut self,
        playbook: &str,
        script: &Script,
    ) -> protocol::IncidentView {
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
    pub async fn acknowledge(&mut self, incident: &protocol::IncidentView) -> Option<f64> {
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
    pub async fn work_to(&mut self, incident: &str, step: &str, choice: Option<&str>) -> f64 {
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
    pub async fn fill(&mut self, incident: &str, step: &str, input: &str) {
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

/// When the drill contact's first notice arrived, in seconds from the drill's start.
pub fn first_drill_notice(site: &Site, start: OffsetDateTime) -> Option<f64> {
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
pub fn assert_only_drill_contacts(site: &Site) {
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

pub async fn metrics(hub: &HubProcess) -> String {
    let (status, body) = http(hub.addr, "GET", "/metrics", Some(tokens::OPERATOR_LI), None).await;
    assert_eq!(status, 200);
    body
}
