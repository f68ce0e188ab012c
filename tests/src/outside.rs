//! Real outside parties on loopback for the notification tests: an SMTP server (Debian's
//! `python3-aiosmtpd`) that keeps every message, and an HTTP receiver that records every
//! webhook it is sent.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::routing::post;

/// Debian's interpreter, which has `python3-aiosmtpd`; the default `python3` may not.
pub const PYTHON: &str = "/usr/bin/python3";

/// A loopback port that nothing listens on: a privileged port no test binds (the tests' own
/// servers take ephemeral ports), so it cannot be taken meanwhile.
pub fn closed_port() -> u16 {
    1
}

/// A free loopback port for a server that a test starts itself (it was free a moment ago).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// An aiosmtpd server on a loopback port, saving each message into a maildir; killed on drop.
pub struct SmtpServer {
    child: Child,
    pub port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpServer {
    /// Starts the server and waits until it accepts connections. Fails, saying what to
    /// install, where `python3-aiosmtpd` is missing.
    pub fn start() -> SmtpServer {
        let has_aiosmtpd = Command::new(PYTHON)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        assert!(
            has_aiosmtpd,
            "the SMTP tests need {PYTHON} with aiosmtpd: install Debian's python3-aiosmtpd \
             (apt-get install python3-aiosmtpd)"
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let maildir = dir.path().join("maildir");
        let log = std::fs::File::create(dir.path().join("smtpd.log")).expect("log file");
        let port = free_port();
        let child = Command::new(PYTHON)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("aiosmtpd starts");
        let mut server = SmtpServer {
            child,
            port,
            maildir,
            _dir: dir,
        };
        server.wait_until_accepting();
        server
    }

    fn wait_until_accepting(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                panic!("aiosmtpd exited with {status}: {}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not accept connections on port {} within 15 s: {}",
                self.port,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What the server wrote to its log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.maildir.with_file_name("smtpd.log")).unwrap_or_default()
    }

    /// The files of the messages delivered so far.
    pub fn messages(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.maildir.join("new"))
            .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default()
    }

    /// Every message delivered so far, decoded.
    pub fn decoded(&self) -> Vec<Decoded> {
        self.messages().iter().map(|m| decode(m)).collect()
    }
}

/// A saved message, decoded by Python's `email` package: MIME words and transfer encodings
/// undone.
#[derive(Debug, serde::Deserialize)]
pub struct Decoded {
    pub subject: String,
    pub from: String,
    pub to: String,
    pub content_type: String,
    pub body: String,
}

/// Decodes one saved message.
pub fn decode(message: &Path) -> Decoded {
    const SCRIPT: &str = r#"
import email, email.policy, json, sys
with open(sys.argv[1], "rb") as f:
    msg = email.message_from_binary_file(f, policy=email.policy.default)
print(json.dumps({
    "subject": str(msg["subject"]),
    "from": str(msg["from"]),
    "to": str(msg["to"]),
    "content_type": msg.get_content_type() + "; charset=" + str(msg.get_content_charset()),
    "body": msg.get_content(),
}))
"#;
    let output = Command::new(PYTHON)
        .args(["-c", SCRIPT])
        .arg(message)
        .output()
        .expect("python");
    assert!(
        output.status.success(),
        "decoding {}: {}",
        message.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("decoded JSON")
}

/// An HTTP receiver at `POST /hook` that answers 200 and keeps every body it was sent.
pub struct WebhookReceiver {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<(Instant, serde_json::Value)>>>,
}

impl WebhookReceiver {
    pub async fn start() -> WebhookReceiver {
        let received = Arc::new(Mutex::new(Vec::new()));
        let keep = received.clone();
        let router = Router::new().route(
            "/hook",
            post(move |body: Bytes| {
                let keep = keep.clone();
                async move {
                    let value = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
                    keep.lock().expect("lock").push((Instant::now(), value));
                    "ok"
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        WebhookReceiver { addr, received }
    }

    /// The receiver's URL.
    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// Every body received so far, with when it arrived.
    pub fn received(&self) -> Vec<(Instant, serde_json::Value)> {
        self.received.lock().expect("lock").clone()
    }
}
