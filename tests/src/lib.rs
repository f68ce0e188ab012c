//! The end-to-end harness: starts the real binaries on port 0 with a temporary data directory,
//! and talks to them as a device, a console and an HTTP client would, over real sockets.
#![allow(clippy::expect_used, clippy::unwrap_used)]

pub mod chaos;
pub mod chromium;
pub mod console_screen;
pub mod nats;
pub mod tmux;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use alert_hub::protocol::{ConsoleMessage, ConsoleRequest, DeviceReply};
use futures_util::{SinkExt, StreamExt};
use hub_client::{CONSOLE_PATH, DEVICES_PATH, HubAddress, Socket};
use tokio_tungstenite::tungstenite::Message;

/// Demo tokens from `alert-hub/examples/demo-site.toml`.
pub mod tokens {
    pub const FIRE_PANEL_GG: &str = "demo-fire-panel-green-garden";
    pub const ACCESS_GG: &str = "demo-access-green-garden";
    pub const LIFT_GG_1: &str = "demo-lift-1-green-garden";
    pub const FIRE_PANEL_RP: &str = "demo-fire-panel-riverside";
    pub const OPERATOR_LI: &str = "demo-operator-li-wei";
    pub const OPERATOR_WANG: &str = "demo-operator-wang-fang";
    pub const SAFETY_OFFICER: &str = "demo-safety-officer-zhao";
    pub const MANAGER: &str = "demo-manager-chen-jie";
    pub const ADMIN: &str = "demo-admin-token-0001";
}

/// How long any single wait in a test may take before it fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// The workspace's `target/<profile>` directory, where cargo put the binaries: above the
/// running test's `deps`, or where the running binary (such as `chaos`) is.
fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe.parent().expect("target/<profile>/...");
    if dir.file_name().and_then(|n| n.to_str()) == Some("deps") {
        dir.parent()
            .expect("target/<profile>/deps/..")
            .to_path_buf()
    } else {
        dir.to_path_buf()
    }
}

static BUILD: Once = Once::new();

/// The path of a workspace binary. The workspace's binaries are built once per test process
/// (a no-op when they are fresh), so a test never runs a stale binary.
pub fn binary(name: &str) -> PathBuf {
    BUILD.call_once(|| {
        let mut cargo = Command::new(env!("CARGO"));
        cargo.args(["build", "--quiet", "--workspace", "--bins"]);
        cargo.current_dir(env!("CARGO_MANIFEST_DIR"));
        // Cargo gives a test the variables of its package; build scripts that watch them
        // (ring's does) would see them changed and rebuild half the workspace every time.
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy();
            if name.starts_with("CARGO_PKG_")
                || name.starts_with("CARGO_MANIFEST_")
                || [
                    "CARGO_CRATE_NAME",
                    "CARGO_PRIMARY_PACKAGE",
                    "CARGO_TARGET_TMPDIR",
                ]
                .contains(&name.as_ref())
                || name == "OUT_DIR"
            {
                cargo.env_remove(name.as_ref());
            }
        }
        if bin_dir().file_name().and_then(|n| n.to_str()) == Some("release") {
            cargo.arg("--release");
        }
        let status = cargo.status().expect("cargo build runs");
        assert!(status.success(), "building the workspace binaries failed");
    });
    let path = bin_dir().join(name);
    assert!(
        path.exists(),
        "{} is missing: run cargo build --workspace",
        path.display()
    );
    path
}

/// The demo site configuration as shipped (`alert-hub/examples/demo-site.toml`).
pub fn demo_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../alert-hub/examples/demo-site.toml")
}

static DEMO_CONFIG: Once = Once::new();

/// The demo configuration the tests run the hub on: its sites, sources and operators, without
/// its contacts, whose pager and mailbox only `console demo` runs (deliveries to nobody would
/// add changes at unforeseeable moments). Written once into the build directory.
pub fn demo_config() -> PathBuf {
    let path = bin_dir().join("system-tests-demo-site.toml");
    DEMO_CONFIG.call_once(|| {
        let partial = path.with_extension(format!("toml.{}", std::process::id()));
        std::fs::write(&partial, demo_without_contacts()).expect("write the demo config");
        std::fs::rename(&partial, &path).expect("move the demo config into place");
    });
    path
}

/// The demo configuration's sites, sources and operators without its contacts and `[notify]`
/// (which come last in the file): for tests that name their own contacts and channels.
pub fn demo_without_contacts() -> String {
    let demo = std::fs::read_to_string(demo_file()).expect("demo config");
    let end = demo.find("\n[[contacts]]").unwrap_or(demo.len());
    assert!(
        !demo[..end].lines().any(|l| l.starts_with("[notify")),
        "the demo configuration keeps its contacts and [notify] last"
    );
    demo[..end].to_string()
}

/// Writes a one-site configuration into `dir` whose fire panel (token
/// [`tokens::FIRE_PANEL_GG`]) may send `rate` events a second, with the demo operators; for
/// tests that stream far faster than any real panel.
pub fn fast_panel_config(dir: &Path, rate: u32) -> PathBuf {
    let path = dir.join("fast-panel.toml");
    let demo = demo_without_contacts();
    let operators = demo.find("[[operators]]").map_or("", |at| &demo[at..]);
    let text = format!(
        "[[sites]]\nid = \"green-garden\"\nname = \"Green Garden\"\n\n\
         [[sources]]\nid = \"fp-gg\"\nsite = \"green-garden\"\nkind = \"fire_panel\"\n\
         token = \"{}\"\nmax_events_per_sec = {rate}\nburst = {rate}\n\n{operators}",
        tokens::FIRE_PANEL_GG
    );
    std::fs::write(&path, text).expect("write config");
    path
}

/// A running `alert-hub serve` process.
pub struct HubProcess {
    child: Child,
    pub addr: SocketAddr,
    /// `https` when the hub serves TLS, `http` otherwise, as it printed at start.
    pub scheme: String,
    pub config: PathBuf,
    pub data: PathBuf,
    /// What the hub logged, when started by [`HubProcess::start_logged`].
    log: Option<Arc<Mutex<Vec<String>>>>,
    /// The arguments given after the usual ones, kept for a restart.
    args: Vec<String>,
}

impl HubProcess {
    /// Starts the hub on the demo configuration with data in `data`.
    pub fn start(data: &Path) -> HubProcess {
        HubProcess::start_with(&demo_config(), data)
    }

    /// Starts the hub on `config` and `data`, listening on a free loopback port.
    pub fn start_with(config: &Path, data: &Path) -> HubProcess {
        HubProcess::spawn(Command::new(binary("alert-hub")), config, data, false)
    }

    /// Like [`HubProcess::start_with`], with more arguments to `serve` (such as
    /// `--store nats://...`), given again at each restart.
    pub fn start_with_args(config: &Path, data: &Path, args: &[String]) -> HubProcess {
        let mut command = Command::new(binary("alert-hub"));
        HubProcess::spawn_with(&mut command, config, data, false, args)
    }

    /// Like [`HubProcess::start_with`], keeping what the hub logs (its own information
    /// included) for [`HubProcess::wait_for_log`].
    pub fn start_logged(config: &Path, data: &Path) -> HubProcess {
        HubProcess::spawn(Command::new(binary("alert-hub")), config, data, true)
    }

    /// Starts the hub on the demo configuration and `data` with its open-file limit, soft and
    /// hard, lowered to `files` (by util-linux's `prlimit`), so that it cannot raise it.
    pub fn start_with_file_limit(data: &Path, files: u64) -> HubProcess {
        let mut prlimit = Command::new("prlimit");
        prlimit
            .arg(format!("--nofile={files}:{files}"))
            .arg("--")
            .arg(binary("alert-hub"));
        HubProcess::spawn(prlimit, &demo_config(), data, false)
    }

    /// Runs `command` (the hub binary, or a wrapper followed by it) to serve `config` and
    /// `data`, and waits until it says where it listens.
    fn spawn(mut command: Command, config: &Path, data: &Path, logged: bool) -> HubProcess {
        HubProcess::spawn_with(&mut command, config, data, logged, &[])
    }

    fn spawn_with(
        command: &mut Command,
        config: &Path,
        data: &Path,
        logged: bool,
        args: &[String],
    ) -> HubProcess {
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--config"])
            .arg(config)
            .arg("--data")
            .arg(data)
            .args(args)
            .env("RUST_LOG", if logged { "info" } else { "warn" })
            .stdout(Stdio::piped())
            .stderr(if logged {
                Stdio::piped()
            } else {
                Stdio::inherit()
            });
        let mut child = command.spawn().expect("alert-hub starts");
        let log = child.stderr.take().map(|stderr| {
            let log = Arc::new(Mutex::new(Vec::new()));
            let kept = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    eprintln!("{line}");
                    kept.lock().unwrap().push(line);
                }
            });
            log
        });
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let (scheme, addr) = loop {
            let line = lines
                .next()
                .expect("alert-hub printed its address")
                .expect("line");
            if let Some(url) = line.strip_prefix("alert-hub listening on ") {
                let (scheme, addr) = url.split_once("://").expect("scheme://address");
                break (scheme.to_string(), addr.parse().expect("address"));
            }
        };
        std::thread::spawn(move || lines.for_each(drop));
        HubProcess {
            child,
            addr,
            scheme,
            config: config.to_path_buf(),
            data: data.to_path_buf(),
            log,
            args: args.to_vec(),
        }
    }

    /// Sends SIGHUP, which makes the hub read its certificate and key again.
    pub fn hangup(&self) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill")
            .args(["-HUP", &pid])
            .status()
            .expect("kill -HUP");
        assert!(status.success(), "kill -HUP {pid}");
    }

    /// Waits until the hub has logged `count` lines containing `text`; panics after
    /// [`PATIENCE`]. Only for a hub started by [`HubProcess::start_logged`].
    pub fn wait_for_log(&self, text: &str, count: usize) {
        let log = self.log.as_ref().expect("a hub started with start_logged");
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            let seen = log
                .lock()
                .unwrap()
                .iter()
                .filter(|line| line.contains(text))
                .count();
            if seen >= count {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the hub did not log {text:?} {count} time(s) in time"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the process the hard way (SIGKILL), as a power cut would.
    pub fn kill9(&mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("wait");
    }

    /// Sends SIGTERM and waits for a graceful exit; returns whether it exited successfully.
    pub fn terminate(&mut self) -> bool {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill -TERM");
        self.child.wait().expect("wait").success()
    }

    /// Restarts on the same configuration and data directory.
    pub fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let logged = self.log.is_some();
        let mut command = Command::new(binary("alert-hub"));
        let (config, data, args) = (self.config.clone(), self.data.clone(), self.args.clone());
        *self = HubProcess::spawn_with(&mut command, &config, &data, logged, &args);
    }

    /// Sends `signal` (a name `kill` takes, such as `STOP` or `CONT`) to the hub process.
    pub fn signal(&self, signal: &str) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .expect("kill");
        assert!(status.success(), "kill -{signal} {pid}");
    }

    /// The hub's exit status once it has exited, or `None` if it still runs after `wait`.
    pub fn exit_within(&mut self, wait: Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + wait;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if std::time::Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The hub process's id, for reading what the system reports of it.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Where the hub listens, for the clients.
    pub fn address(&self) -> HubAddress {
        HubAddress::from(self.addr)
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Opens a WebSocket to `path` with a bearer token; the error is the HTTP status when refused.
pub async fn connect(hub: &HubProcess, path: &str, token: Option<&str>) -> Result<Socket, u16> {
    match hub.address().websocket(path, token).await {
        Ok(ws) => Ok(ws),
        Err(hub_client::Error::Refused { status, .. }) => Err(status),
        Err(e) => panic!("connect {path}: {e}"),
    }
}

/// A device connected to `/v1/devices`.
pub struct Device {
    pub ws: Socket,
}

impl Device {
    pub async fn connect(hub: &HubProcess, token: &str) -> Device {
        let ws = connect(hub, DEVICES_PATH, Some(token))
            .await
            .expect("device connects");
        Device { ws }
    }

    /// Connects to a clustered `hub` as soon as it takes devices: a standby answers 503 until
    /// it holds the lease. Panics when it has not within `patience`, or answers another status.
    pub async fn connect_when_active(hub: &HubProcess, token: &str, patience: Duration) -> Device {
        let started = std::time::Instant::now();
        loop {
            match connect(hub, DEVICES_PATH, Some(token)).await {
                Ok(ws) => return Device { ws },
                Err(503) => {
                    assert!(
                        started.elapsed() < patience,
                        "the standby did not take over in {patience:?}"
                    );
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                Err(status) => panic!("the hub answered {status}"),
            }
        }
    }

    /// Sends one text frame as it is.
    pub async fn send_text(&mut self, text: impl Into<String>) {
        self.ws
            .send(Message::text(text.into()))
            .await
            .expect("send");
    }

    /// The next answer frame.
    pub async fn reply(&mut self) -> DeviceReply {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("an answer in time")
                .expect("connection open")
                .expect("frame");
            if let Message::Text(text) = message {
                return serde_json::from_str(&text).expect("answer is a device reply");
            }
        }
    }

    /// Sends one event frame and returns its answer.
    pub async fn send(&mut self, event: &serde_json::Value) -> DeviceReply {
        self.send_text(event.to_string()).await;
        self.reply().await
    }
}

/// A device event frame as DESIGN.md shows it, with `kind`, `device` and `zone` filled in.
pub fn event(id: &str, kind: &str, device: &str, zone: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id, "kind": kind, "device": device, "site": "green-garden",
        "building": "B2", "floor": "7", "zone": zone,
        "at": "2026-11-22T23:40:00+08:00", "drill": null, "detail": {}
    })
}

/// Frame `n` of a fire panel's test stream (id `fp:NNNNNN`): heartbeats, troubles, access
/// denials and alarms in turn, over 40 devices and 7 zones.
pub fn panel_frame(n: usize) -> String {
    let kinds = ["heartbeat", "fire.trouble", "access.denied", "fire.alarm"];
    event(
        &format!("fp:{n:06}"),
        kinds[n % 4],
        &format!("dev-{}", n % 40),
        &format!("zone-{}", n % 7),
    )
    .to_string()
}

/// A console connected to `/v1/console`.
pub struct Console {
    pub ws: Socket,
    next_request: u64,
}

impl Console {
    pub async fn connect(hub: &HubProcess, token: &str, since: Option<u64>) -> Console {
        let path = match since {
            Some(seq) => format!("{CONSOLE_PATH}?since={seq}"),
            None => CONSOLE_PATH.to_string(),
        };
        let ws = connect(hub, &path, Some(token))
            .await
            .expect("console connects");
        Console {
            ws,
            next_request: 0,
        }
    }

    /// The next feed message.
    pub async fn next(&mut self) -> ConsoleMessage {
        self.try_next(PATIENCE)
            .await
            .expect("a console message in time")
    }

    /// The next feed message, or `None` if none comes within `wait`.
    pub async fn try_next(&mut self, wait: Duration) -> Option<ConsoleMessage> {
        loop {
            let message = tokio::time::timeout(wait, self.ws.next())
                .await
                .ok()??
                .ok()?;
            if let Message::Text(text) = message {
                return Some(serde_json::from_str(&text).expect("a console message"));
            }
        }
    }

    /// Sends a command and returns its request id.
    pub async fn send(&mut self, command: alert_hub::protocol::Command) -> String {
        self.next_request += 1;
        let request = format!("r{}", self.next_request);
        let text = serde_json::to_string(&ConsoleRequest {
            request: request.clone(),
            command,
        })
        .expect("encode");
        self.ws.send(Message::text(text)).await.expect("send");
        request
    }

    /// Sends a command and waits for its reply, passing over feed changes.
    pub async fn command(
        &mut self,
        command: alert_hub::protocol::Command,
    ) -> alert_hub::protocol::Reply {
        let id = self.send(command).await;
        loop {
            if let ConsoleMessage::Reply(reply) = self.next().await
                && reply.request == id
            {
                return reply;
            }
        }
    }
}

/// One HTTP request on loopback, whatever its answer: the status and the body as text.
pub async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (u16, String) {
    let method = method.parse().expect("an HTTP method");
    let body = body.map(|b| b.as_bytes().to_vec());
    let answer = HubAddress::from(addr)
        .request(method, path, token, body)
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    (answer.status, answer.text())
}

/// Waits until `hub`'s `/healthz` answers 200 (a clustered hub that stood by has taken the
/// lease); panics after `patience`.
pub async fn wait_until_active(hub: &HubProcess, patience: Duration) {
    let deadline = std::time::Instant::now() + patience;
    loop {
        let (status, body) = http(hub.addr, "GET", "/healthz", None, None).await;
        if status == 200 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the hub did not become active in {patience:?}: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every stored event, read page by page through the HTTP API: (id, seq) in store order.
pub async fn stored_ids(hub: &HubProcess) -> Vec<(String, u64)> {
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let page = get_json(hub, &format!("/v1/events?after={after}&limit=5000")).await;
        let page = page.as_array().expect("array");
        let Some(last) = page.last() else { break };
        after = last["seq"].as_u64().expect("seq");
        for e in page {
            all.push((
                e["id"].as_str().expect("id").to_string(),
                e["seq"].as_u64().expect("seq"),
            ));
        }
    }
    all
}

/// A GET with an operator token, parsed as JSON; panics on a non-200 status.
pub async fn get_json(hub: &HubProcess, path: &str) -> serde_json::Value {
    let (status, body) = http(hub.addr, "GET", path, Some(tokens::OPERATOR_LI), None).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    serde_json::from_str(&body).expect("JSON body")
}

/// Starts drill `id`, named `zh` and `en`, over the HTTP API as the demo safety officer.
pub async fn start_drill(hub: &HubProcess, id: &str, zh: &str, en: &str) {
    let body = serde_json::json!({ "id": id, "name": { "zh": zh, "en": en } }).to_string();
    let (status, said) = http(
        hub.addr,
        "POST",
        "/v1/drills",
        Some(tokens::SAFETY_OFFICER),
        Some(&body),
    )
    .await;
    assert_eq!(status, 201, "starting drill {id}: {said}");
}

pub mod outside;
