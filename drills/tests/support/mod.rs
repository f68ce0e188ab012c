//! The simulator tests' harness: starts the real `alert-hub` binary on a free loopback port
//! with a temporary data directory and a generated configuration, as the workspace's
//! end-to-end tests do.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Once;

/// The site every generated configuration defines.
pub const SITE: &str = "green-garden";

/// The operator token of every generated configuration.
pub const OPERATOR: &str = "drills-test-operator-li";

/// The token of source `n` in a generated configuration.
pub fn source_token(n: usize) -> String {
    format!("drills-test-source-token-{n:02}")
}

/// The workspace's `target/<profile>` directory, where cargo put the binaries.
fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/..")
        .to_path_buf()
}

static BUILD: Once = Once::new();

/// The `alert-hub` binary, built once per test process (a no-op when it is fresh).
fn hub_binary() -> PathBuf {
    BUILD.call_once(|| {
        let mut cargo = Command::new(env!("CARGO"));
        cargo.args(["build", "--quiet", "-p", "alert-hub", "--bin", "alert-hub"]);
        cargo.current_dir(env!("CARGO_MANIFEST_DIR"));
        if bin_dir().file_name().and_then(|n| n.to_str()) == Some("release") {
            cargo.arg("--release");
        }
        let status = cargo.status().expect("cargo build runs");
        assert!(status.success(), "building alert-hub failed");
    });
    bin_dir().join("alert-hub")
}

/// A configuration with `sources` gateway sources on one site, each allowed `rate` events a
/// second with a burst of `burst`, and one operator.
pub fn config(sources: usize, rate: u32, burst: u32) -> String {
    let mut text = format!("[[sites]]\nid = \"{SITE}\"\nname = \"Green Garden\"\n\n");
    for n in 0..sources {
        text.push_str(&format!(
            "[[sources]]\nid = \"gw-{n:02}\"\nsite = \"{SITE}\"\nkind = \"gateway\"\n\
             token = \"{}\"\nheartbeat_secs = 600\nmax_events_per_sec = {rate}\nburst = {burst}\n\n",
            source_token(n)
        ));
    }
    text.push_str(&format!(
        "[[operators]]\nid = \"op-li\"\nname = \"Li Wei\"\nrole = \"operator\"\ntoken = \"{OPERATOR}\"\n"
    ));
    text
}

/// A running `alert-hub serve` process; killed when dropped.
pub struct Hub {
    child: Child,
    pub addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Hub {
    /// Starts the hub on `config` with a fresh data directory.
    pub fn start(config: &str) -> Hub {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("site.toml");
        std::fs::write(&path, config).expect("write config");
        let mut child = Command::new(hub_binary())
            .args(["serve", "--listen", "127.0.0.1:0", "--config"])
            .arg(&path)
            .arg("--data")
            .arg(dir.path().join("data"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("alert-hub starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("alert-hub printed its address")
                .expect("line");
            if let Some(url) = line.strip_prefix("alert-hub listening on http://") {
                break url.parse().expect("address");
            }
        };
        std::thread::spawn(move || lines.for_each(drop));
        Hub {
            child,
            addr,
            _dir: dir,
        }
    }

    /// The address as the hub prints it.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
