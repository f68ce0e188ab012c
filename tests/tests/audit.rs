//! The tamper-evident record end to end (issue 10, item 1): a hub filled by `drills simulate`
//! serves its signed checkpoint and key, `alert-hub verify` passes on its stopped data
//! directory, the incident report carries the checkpoint, and once one byte of one stored event
//! is changed on disk, verify fails naming that event.
#![allow(clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

use alert_hub::audit::checkpoint::SignedCheckpoint;
use alert_hub::audit::note::{NoteSigner, NoteVerifier};
use system_tests::{HubProcess, binary, fast_panel_config, http, tokens};

/// Sends `seconds` of incident-opening events from the fire panel.
fn simulate(hub: &HubProcess, seconds: &str) {
    let output = Command::new(binary("drills"))
        .args(["simulate", "--hub"])
        .arg(format!("http://{}", hub.addr))
        .args(["--token", tokens::FIRE_PANEL_GG, "--rate", "400"])
        .args([
            "--duration",
            seconds,
            "--mix",
            "incidents",
            "--devices",
            "20",
        ])
        .output()
        .expect("drills runs");
    assert!(output.status.success(), "simulate: {}", text(&output));
}

fn verify(data: &Path, config: &Path) -> Output {
    Command::new(binary("alert-hub"))
        .args(["verify", "--data"])
        .arg(data)
        .arg("--config")
        .arg(config)
        .output()
        .expect("alert-hub verify runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The number `verify` printed after `verified`.
fn verified_entries(output: &Output) -> u64 {
    let out = String::from_utf8_lossy(&output.stdout);
    out.strip_prefix("verified ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not a verification: {out}"))
}

/// Changes one byte inside the JSON of one stored event (in the middle of the event packs),
/// through sled directly, and returns that event's seq.
fn flip_one_event_byte(data: &Path) -> u64 {
    let db = sled::open(data).expect("the stopped hub's store opens");
    let packs: Vec<(sled::IVec, sled::IVec)> =
        db.scan_prefix([b'e']).map(|r| r.expect("read")).collect();
    assert!(packs.len() >= 3, "{} event packs", packs.len());
    let (key, value) = &packs[packs.len() / 2];
    let mut value = value.to_vec();
    // The pack's first record: a 4-byte length, then its JSON.
    let len = u32::from_be_bytes(value[..4].try_into().expect("length")) as usize;
    let json: serde_json::Value = serde_json::from_slice(&value[4..4 + len]).expect("an event");
    let seq = json["seq"].as_u64().expect("seq");
    let record = &value[4..4 + len];
    let device = record
        .windows(10)
        .position(|w| w == b"\"device\":\"")
        .expect("a device field");
    value[4 + device + 10] ^= 0x20; // one letter's case
    db.insert(key, value).expect("write");
    db.flush().expect("flush");
    seq
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_passes_on_a_filled_store_and_names_the_event_changed_on_disk() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = fast_panel_config(dir.path(), 5_000);
    let data = dir.path().join("data");
    let mut hub = HubProcess::start_with(&config, &data);

    // The key and the checkpoint signed at start are served to operators only.
    let (status, _) = http(hub.addr, "GET", "/v1/audit/checkpoint", None, None).await;
    assert_eq!(status, 401);
    let (status, _) = http(
        hub.addr,
        "GET",
        "/v1/audit/key",
        Some(tokens::FIRE_PANEL_GG),
        None,
    )
    .await;
    assert_eq!(status, 401, "a source token is not an operator's");
    let (status, key) = http(
        hub.addr,
        "GET",
        "/v1/audit/key",
        Some(tokens::OPERATOR_LI),
        None,
    )
    .await;
    assert_eq!(status, 200, "{key}");
    let verifier = NoteVerifier::from_text(&key).expect("a verifier key");
    let (status, note) = http(
        hub.addr,
        "GET",
        "/v1/audit/checkpoint",
        Some(tokens::OPERATOR_LI),
        None,
    )
    .await;
    assert_eq!(status, 200, "{note}");
    let signed = SignedCheckpoint::open(&note, &verifier).expect("signed by the served key");
    assert_eq!(signed.checkpoint.size, 0, "nothing stored yet");

    simulate(&hub, "2");
    assert!(hub.terminate(), "the hub stops cleanly");

    // The stopped hub's records verify, up to the checkpoint it signed on shutdown.
    let passed = verify(&data, &config);
    assert!(passed.status.success(), "{}", text(&passed));
    let entries = verified_entries(&passed);
    assert!(entries > 200, "{}", text(&passed));
    assert!(
        String::from_utf8_lossy(&passed.stdout).contains(&format!(
            "checkpoint size {entries} signed by {}",
            verifier.name()
        )),
        "{}",
        text(&passed)
    );

    // An auditor holding only the served verifier key checks the same; another key fails.
    let with_key = |key: &str| {
        Command::new(binary("alert-hub"))
            .args(["verify", "--data"])
            .arg(&data)
            .args(["--key", key])
            .output()
            .expect("alert-hub verify runs")
    };
    let checked = with_key(key.trim());
    assert!(checked.status.success(), "{}", text(&checked));
    assert_eq!(verified_entries(&checked), entries);
    let stranger = NoteSigner::new(verifier.name(), [1; 32]).expect("key");
    let refused = with_key(&stranger.verifier().to_text());
    assert!(!refused.status.success(), "{}", text(&refused));
    assert!(
        text(&refused).contains("has no signature of"),
        "{}",
        text(&refused)
    );

    // The report of an incident carries that checkpoint.
    let report = Command::new(binary("alert-hub"))
        .args([
            "report",
            "incident",
            "INC-000001",
            "--format",
            "json",
            "--data",
        ])
        .arg(&data)
        .arg("--config")
        .arg(&config)
        .output()
        .expect("report runs");
    assert!(report.status.success(), "{}", text(&report));
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).expect("JSON");
    assert_eq!(report["checkpoint"]["tree_size"], entries);
    assert_eq!(report["checkpoint"]["origin"], verifier.name());

    // One byte of one stored event changed on disk: verify names that event and fails.
    let seq = flip_one_event_byte(&data);
    let failed = verify(&data, &config);
    assert!(!failed.status.success(), "{}", text(&failed));
    let said = String::from_utf8_lossy(&failed.stderr);
    assert!(
        said.contains(&format!("event seq {seq} does not match")),
        "expected event seq {seq} named: {said}"
    );
}
