//! The simulator tests' harness: starts the real `alert-hub` binary on a free loopback port
//! with a temporary data directory and a generated configuration, as the workspace's
//! end-to-end tests do.
#![allow(dead_code)]

use std::net::SocketAddr;

/// The site every generated configuration defines.
pub const SITE: &str = "green-garden";

/// The operator token of every generated configuration.
pub const OPERATOR: &str = "drills-test-operator-li";

/// The token of source `n` in a generated configuration.
pub fn source_token(n: usize) -> String {
    format!("drills-test-source-token-{n:02}")
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

/// A running `alert-hub serve` process (the end-to-end harness's), with its own directory;
/// killed when dropped.
pub struct Hub {
    process: system_tests::HubProcess,
    pub addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Hub {
    /// Starts the hub on `config` with a fresh data directory.
    pub fn start(config: &str) -> Hub {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("site.toml");
        std::fs::write(&path, config).expect("write config");
        let process = system_tests::HubProcess::start_with(&path, &dir.path().join("data"));
        Hub {
            addr: process.addr,
            process,
            _dir: dir,
        }
    }

    /// Kills the hub the hard way (SIGKILL), as a power cut would.
    pub fn kill9(&mut self) {
        self.process.kill9();
    }

    /// Starts the hub again on the same configuration and data (on a new port).
    pub fn restart(&mut self) {
        self.process.restart();
        self.addr = self.process.addr;
    }

    /// The address as the hub prints it.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}
