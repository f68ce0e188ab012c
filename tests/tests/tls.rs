//! TLS end to end (issue 10): the real hub serving `https://` and `wss://` with a certificate
//! from a CA made here; a device, a console and an API call over TLS; plain connections to the
//! TLS port refused; a client that does not trust the CA refused with the hub named; SIGHUP
//! swapping the certificate for new connections while open ones stay up; and plain HTTP off
//! loopback refused unless the configuration allows it.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use alert_hub::connections::HEADER_TIMEOUT;
use alert_hub::protocol::{ConsoleMessage, DeviceReply};
use futures_util::{SinkExt, StreamExt};
use hub_client::{CONSOLE_PATH, DEVICES_PATH, Error, HubAddress, Socket};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use system_tests::{HubProcess, PATIENCE, binary, demo_without_contacts, event, tokens};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

/// A certificate authority made for one test.
struct TestCa {
    pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl TestCa {
    fn new(name: &str) -> TestCa {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let certificate = params.self_signed(&key).unwrap();
        TestCa {
            pem: certificate.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A server certificate for 127.0.0.1 and localhost, and its key, both PEM.
    fn server(&self) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let mut params =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, "hub");
        let certificate = params.signed_by(&key, &self.issuer).unwrap();
        (certificate.pem(), key.serialize_pem())
    }

    fn write(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, &self.pem).unwrap();
        path
    }
}

/// The demo configuration with `[tls]` naming `cert.pem` and `key.pem` beside it, both
/// issued by `ca`; returns the configuration's path.
fn tls_config(dir: &Path, ca: &TestCa) -> PathBuf {
    let (cert, key) = ca.server();
    std::fs::write(dir.join("cert.pem"), cert).unwrap();
    std::fs::write(dir.join("key.pem"), key).unwrap();
    let path = dir.join("site.toml");
    let text = format!(
        "[tls]\ncert = \"cert.pem\"\nkey = \"key.pem\"\n\n{}",
        demo_without_contacts()
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// The hub at `host` (its port) over TLS, trusting the CA file `ca` when given.
fn address(hub: &HubProcess, host: &str, ca: Option<&Path>) -> HubAddress {
    let address = HubAddress::parse(&format!("https://{host}:{}", hub.addr.port())).unwrap();
    match ca {
        Some(ca) => address.with_ca_file(ca).unwrap(),
        None => address,
    }
}

async fn send(ws: &mut Socket, event: &serde_json::Value) -> DeviceReply {
    ws.send(Message::text(event.to_string())).await.unwrap();
    loop {
        let message = tokio::time::timeout(PATIENCE, ws.next())
            .await
            .expect("an answer in time")
            .expect("connection open")
            .expect("frame");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).expect("a device reply");
        }
    }
}

async fn feed_message(ws: &mut Socket) -> ConsoleMessage {
    loop {
        let message = tokio::time::timeout(PATIENCE, ws.next())
            .await
            .expect("a feed message in time")
            .expect("connection open")
            .expect("frame");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).expect("a console message");
        }
    }
}

fn acked(reply: DeviceReply, id: &str) {
    match reply {
        DeviceReply::Ack(ack) => assert_eq!(ack.ack, id),
        other => panic!("{id} was not acknowledged: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_a_console_and_the_api_work_over_tls_with_the_sites_ca() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("Control room test CA");
    let ca_file = ca.write(dir.path(), "ca.pem");
    let data = dir.path().join("data");
    let hub = HubProcess::start_with(&tls_config(dir.path(), &ca), &data);
    assert_eq!(hub.scheme, "https", "the hub says it serves https");

    let by_name = address(&hub, "localhost", Some(&ca_file));
    let by_ip = address(&hub, "127.0.0.1", Some(&ca_file));
    let mut console = by_name
        .websocket(CONSOLE_PATH, Some(tokens::OPERATOR_LI))
        .await
        .expect("a console over wss://localhost");
    assert!(matches!(
        feed_message(&mut console).await,
        ConsoleMessage::Snapshot { .. }
    ));
    let mut device = by_ip
        .websocket(DEVICES_PATH, Some(tokens::FIRE_PANEL_GG))
        .await
        .expect("a device over wss://127.0.0.1");
    let alarm = event("tls-1", "fire.alarm", "smoke-B2-07F-03", "7F east corridor");
    acked(send(&mut device, &alarm).await, "tls-1");
    let deadline = Instant::now() + PATIENCE;
    loop {
        assert!(Instant::now() < deadline, "the console saw no change");
        if let ConsoleMessage::Change { .. } = feed_message(&mut console).await {
            break;
        }
    }

    let incidents: serde_json::Value = by_name
        .get_json("/v1/incidents", tokens::OPERATOR_LI)
        .await
        .expect("the API over https");
    let text = incidents.to_string();
    assert!(text.contains("green-garden"), "{text}");
    let refused = by_name
        .get_json::<serde_json::Value>("/v1/incidents", "not-a-valid-token-at-all")
        .await
        .expect_err("a wrong token over TLS is still refused");
    assert!(
        matches!(refused, Error::Refused { status: 401, .. }),
        "{refused}"
    );
}

#[test]
fn drills_simulate_reaches_a_tls_hub_with_ca_and_names_the_hub_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("Control room test CA");
    let ca_file = ca.write(dir.path(), "ca.pem");
    let hub = HubProcess::start_with(&tls_config(dir.path(), &ca), &dir.path().join("data"));
    let url = format!("https://localhost:{}", hub.addr.port());
    let simulate = |ca: Option<&Path>| {
        let mut command = Command::new(binary("drills"));
        command.args(["simulate", "--hub", &url, "--token", tokens::FIRE_PANEL_GG]);
        command.args(["--rate", "20", "--duration", "0.5", "--mix", "supervision"]);
        if let Some(ca) = ca {
            command.arg("--ca").arg(ca);
        }
        command.env_remove("DRILLS_CA").output().unwrap()
    };
    let trusted = simulate(Some(&ca_file));
    let out = String::from_utf8_lossy(&trusted.stdout);
    assert!(
        trusted.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&trusted.stderr)
    );
    assert!(out.contains("nacked 0  unanswered 0"), "{out}");
    assert!(!out.contains(" acked 0 "), "{out}");

    let untrusting = simulate(None);
    let err = String::from_utf8_lossy(&untrusting.stderr);
    assert!(!untrusting.status.success());
    assert!(
        err.contains(&format!(
            "the certificate of the hub at localhost:{} did not verify",
            hub.addr.port()
        )),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_and_ws_to_the_tls_port_are_refused_and_told_to_use_tls() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("Control room test CA");
    let hub = HubProcess::start_with(&tls_config(dir.path(), &ca), &dir.path().join("data"));
    let plain = HubAddress::from(hub.addr);

    let answer = plain
        .request("GET".parse().unwrap(), "/healthz", None, None)
        .await
        .expect("the hub answers in plain HTTP");
    assert_eq!(answer.status, 400, "{}", answer.text());
    assert!(
        answer.text().contains("use https:// or wss://"),
        "{}",
        answer.text()
    );

    let refused = plain
        .websocket(DEVICES_PATH, Some(tokens::FIRE_PANEL_GG))
        .await
        .expect_err("a plain ws:// device is refused");
    match refused {
        Error::Refused { status, message } => {
            assert_eq!(status, 400);
            assert!(message.contains("this hub speaks TLS only"), "{message}");
        }
        other => panic!("not refused by the hub: {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_does_not_trust_the_ca_is_refused_with_the_hub_named() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("Control room test CA");
    let hub = HubProcess::start_with(&tls_config(dir.path(), &ca), &dir.path().join("data"));
    let host = format!("localhost:{}", hub.addr.port());

    let untrusting = address(&hub, "localhost", None);
    let error = untrusting
        .websocket(CONSOLE_PATH, Some(tokens::OPERATOR_LI))
        .await
        .expect_err("the hub's certificate is not trusted");
    let message = error.to_string();
    assert!(matches!(error, Error::Certificate { .. }), "{message}");
    assert!(
        message.starts_with(&format!(
            "the certificate of the hub at {host} did not verify"
        )),
        "{message}"
    );
    assert!(message.contains("--ca FILE"), "{message}");

    let other_ca = TestCa::new("Someone else's CA").write(dir.path(), "other-ca.pem");
    let error = address(&hub, "localhost", Some(&other_ca))
        .get_json::<serde_json::Value>("/v1/sites", tokens::OPERATOR_LI)
        .await
        .expect_err("a CA that did not sign the hub's certificate");
    let message = error.to_string();
    assert!(message.contains(&host), "{message}");
    assert!(
        message.contains("other-ca.pem does not vouch for it"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_gives_new_connections_a_new_certificate_while_open_ones_stay_up() {
    let dir = tempfile::tempdir().unwrap();
    let first = TestCa::new("First CA");
    let first_file = first.write(dir.path(), "first-ca.pem");
    let config = tls_config(dir.path(), &first);
    let hub = HubProcess::start_logged(&config, &dir.path().join("data"));
    let mut device = address(&hub, "127.0.0.1", Some(&first_file))
        .websocket(DEVICES_PATH, Some(tokens::FIRE_PANEL_GG))
        .await
        .expect("a device over the first certificate");
    acked(
        send(&mut device, &event("hup-1", "fire.trouble", "d-1", "B1")).await,
        "hup-1",
    );

    // A broken new certificate is logged and the one in use kept.
    std::fs::write(dir.path().join("cert.pem"), "not a certificate\n").unwrap();
    hub.hangup();
    hub.wait_for_log("the new certificate cannot be used", 1);
    address(&hub, "localhost", Some(&first_file))
        .get_json::<serde_json::Value>("/v1/sites", tokens::OPERATOR_LI)
        .await
        .expect("the first certificate is still served");

    // A certificate from another issuer: the next connection gets it.
    let second = TestCa::new("Second CA");
    let second_file = second.write(dir.path(), "second-ca.pem");
    let (cert, key) = second.server();
    std::fs::write(dir.path().join("cert.pem"), cert).unwrap();
    std::fs::write(dir.path().join("key.pem"), key).unwrap();
    hub.hangup();
    hub.wait_for_log("certificate reloaded", 1);
    address(&hub, "localhost", Some(&second_file))
        .websocket(CONSOLE_PATH, Some(tokens::OPERATOR_LI))
        .await
        .expect("a new console over the second certificate");
    let error = address(&hub, "localhost", Some(&first_file))
        .websocket(CONSOLE_PATH, Some(tokens::OPERATOR_LI))
        .await
        .expect_err("the first certificate is no longer served");
    assert!(matches!(error, Error::Certificate { .. }), "{error}");

    // The device connected before both reloads is still up.
    acked(
        send(&mut device, &event("hup-2", "fire.trouble", "d-1", "B1")).await,
        "hup-2",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_handshake_that_never_finishes_is_closed_by_the_header_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("Control room test CA");
    let hub = HubProcess::start_with(&tls_config(dir.path(), &ca), &dir.path().join("data"));
    let mut tcp = TcpStream::connect(hub.addr).await.unwrap();
    // The first bytes of a TLS handshake record, and then nothing.
    tcp.write_all(&[0x16, 0x03, 0x01]).await.unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 64];
    let closed = tokio::time::timeout(HEADER_TIMEOUT + Duration::from_secs(5), async {
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the half-open handshake was not closed");
    assert!(
        started.elapsed() >= HEADER_TIMEOUT - Duration::from_secs(1),
        "closed after {:?}, before the deadline",
        started.elapsed()
    );
}

/// Runs `alert-hub serve` on `config` at 0.0.0.0; returns its first stdout line (or none) and
/// its stderr once it has exited or been killed.
fn serve_everywhere(config: &Path, data: &Path) -> (Option<String>, String, bool) {
    let mut child = Command::new(binary("alert-hub"))
        .args(["serve", "--listen", "0.0.0.0:0", "--config"])
        .arg(config)
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let first = BufReader::new(stdout).lines().next().and_then(Result::ok);
    let _ = child.kill();
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (first, stderr, status.success())
}

#[test]
fn plain_http_off_loopback_is_refused_unless_allowed_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.toml");
    std::fs::write(&plain, demo_without_contacts()).unwrap();
    let (listening, stderr, ok) = serve_everywhere(&plain, &dir.path().join("a"));
    assert!(listening.is_none() && !ok, "the hub started: {stderr}");
    assert!(
        stderr.contains("will not serve plain HTTP on 0.0.0.0:0"),
        "{stderr}"
    );
    assert!(stderr.contains("[tls] cert = \"cert.pem\""), "{stderr}");
    assert!(stderr.contains("[tls] allow_plain = true"), "{stderr}");

    let allowed = dir.path().join("allowed.toml");
    let text = format!("[tls]\nallow_plain = true\n\n{}", demo_without_contacts());
    std::fs::write(&allowed, text).unwrap();
    let (listening, stderr, _) = serve_everywhere(&allowed, &dir.path().join("b"));
    let listening = listening.expect("the hub started");
    assert!(
        listening.starts_with("alert-hub listening on http://0.0.0.0:"),
        "{listening}"
    );
    assert!(
        stderr.contains("serving plain HTTP on an address other than loopback"),
        "{stderr}"
    );
}
