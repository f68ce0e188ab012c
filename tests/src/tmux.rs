//! Terminal programs under test in a detached tmux session: start one at a fixed size, press
//! keys, read the screen and wait for what should appear on it. Also a loopback relay, so a
//! program keeps one hub address while the hub behind it is killed and started on a new port.
//!
//! tmux is required: a test that needs it fails with a message saying so, never passes.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often the screen is read while waiting.
const POLL: Duration = Duration::from_millis(50);

static SESSIONS: AtomicU64 = AtomicU64::new(0);

/// One program running in its own tmux server (a private socket), killed on drop.
pub struct Terminal {
    socket: PathBuf,
    session: String,
}

fn tmux_version() -> Option<String> {
    let out = Command::new("tmux").arg("-V").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The installed tmux's version; fails the test, saying why, when there is none.
pub fn require() -> String {
    match tmux_version() {
        Some(version) => version,
        None => panic!(
            "tmux is needed for this test and was not found on PATH: install tmux \
             (e.g. apt-get install tmux) and run the test again"
        ),
    }
}

impl Terminal {
    /// Starts `program args…` in a `width`×`height` terminal. When the program exits, the
    /// pane keeps its last screen and a line with the exit status.
    pub fn start(program: &Path, args: &[&str], width: u16, height: u16) -> Terminal {
        let version = require();
        let n = SESSIONS.fetch_add(1, Ordering::Relaxed);
        let session = format!("console-e2e-{}-{n}", std::process::id());
        let terminal = Terminal {
            socket: std::env::temp_dir().join(format!("{session}.tmux")),
            session,
        };
        let script = "\"$0\" \"$@\"; echo \"[exited with status $?]\"; sleep 3600";
        let mut command = vec![
            "new-session".to_string(),
            "-d".into(),
            "-s".into(),
            terminal.session.clone(),
            "-x".into(),
            width.to_string(),
            "-y".into(),
            height.to_string(),
            "sh".into(),
            "-c".into(),
            script.into(),
            program.display().to_string(),
        ];
        command.extend(args.iter().map(|a| a.to_string()));
        let out = terminal.tmux(&command);
        assert!(
            out.status.success(),
            "{version} could not start a session: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        terminal
    }

    fn tmux(&self, args: &[String]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .env("TERM", "xterm-256color")
            .output()
            .expect("tmux runs")
    }

    /// The screen as text, one line per row.
    pub fn screen(&self) -> String {
        let out = self.tmux(&[
            "capture-pane".into(),
            "-p".into(),
            "-t".into(),
            self.session.clone(),
        ]);
        assert!(
            out.status.success(),
            "capture-pane: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Presses keys, by tmux name (`a`, `Enter`, `Escape`, `F1`, …).
    pub fn press(&self, keys: &[&str]) {
        let mut args = vec!["send-keys".to_string(), "-t".into(), self.session.clone()];
        args.extend(keys.iter().map(|k| k.to_string()));
        let out = self.tmux(&args);
        assert!(
            out.status.success(),
            "send-keys: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Reads the screen until `ready` holds for it and returns that screen; after `patience`
    /// fails, naming `what` and showing the last screen.
    pub fn wait_for(&self, what: &str, patience: Duration, ready: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            if started.elapsed() > patience {
                panic!("waited {patience:?} for {what}; the screen shows:\n{screen}");
            }
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server".into()]);
        let _ = std::fs::remove_file(&self.socket);
    }
}

/// A TCP relay on a loopback port that forwards each connection to the current target.
/// When the target is down the relay accepts and at once closes, as a dead hub would look.
pub struct Relay {
    pub addr: SocketAddr,
    target: Arc<Mutex<SocketAddr>>,
    stop: Arc<AtomicBool>,
}

impl Relay {
    /// Starts relaying to `target`.
    pub fn start(target: SocketAddr) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("relay binds");
        let addr = listener.local_addr().expect("relay address");
        let target = Arc::new(Mutex::new(target));
        let stop = Arc::new(AtomicBool::new(false));
        let (to, stopping) = (target.clone(), stop.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if stopping.load(Ordering::Relaxed) {
                    return;
                }
                let Ok(client) = client else { continue };
                let target = *to.lock().expect("target");
                std::thread::spawn(move || forward(client, target));
            }
        });
        Relay { addr, target, stop }
    }

    /// Forwards new connections to `target` from now on.
    pub fn point_to(&self, target: SocketAddr) {
        *self.target.lock().expect("target") = target;
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(self.addr);
    }
}

fn forward(client: TcpStream, target: SocketAddr) {
    let Ok(server) = TcpStream::connect_timeout(&target, Duration::from_secs(1)) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let (Ok(client_reader), Ok(server_reader)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    let upstream = std::thread::spawn(move || pump(client_reader, server));
    pump(server_reader, client);
    let _ = upstream.join();
}

/// Copies `from` into `to` until either side ends, then closes both.
fn pump(mut from: TcpStream, mut to: TcpStream) {
    let mut buffer = [0u8; 16 * 1024];
    loop {
        match from.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                if to.write_all(&buffer[..n]).is_err() {
                    break;
                }
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}
