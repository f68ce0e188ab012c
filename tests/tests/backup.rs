//! Backup and restore end to end (issue 10, item 2): a running hub writes a backup while a
//! simulator keeps sending, the backup restores into a new directory whose audit tree verifies,
//! and a hub started on it has every event acknowledged before the backup was asked for.
#![allow(clippy::expect_used)]

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use alert_hub::audit::checkpoint::SignedCheckpoint;
use alert_hub::audit::merkle::{Hash, verify_inclusion};
use alert_hub::audit::note::NoteVerifier;
use alert_hub::protocol::DeviceReply;
use system_tests::{
    Device, HubProcess, PATIENCE, binary, event, fast_panel_config, get_json, http, tokens,
};

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn backup(hub: &HubProcess, to: &Path, token: &str) -> Output {
    Command::new(binary("alert-hub"))
        .args(["backup", "--to"])
        .arg(to)
        .arg("--hub")
        .arg(format!("http://{}", hub.addr))
        .args(["--token", token])
        .output()
        .expect("alert-hub backup runs")
}

fn restore(from: &Path, data: &Path, config: &Path) -> Output {
    Command::new(binary("alert-hub"))
        .args(["restore", "--from"])
        .arg(from)
        .arg("--data")
        .arg(data)
        .arg("--config")
        .arg(config)
        .output()
        .expect("alert-hub restore runs")
}

/// The ids of every event `hub` has stored.
async fn stored_ids(hub: &HubProcess) -> HashSet<String> {
    let mut ids = HashSet::new();
    let mut after = 0;
    loop {
        let page = get_json(hub, &format!("/v1/events?after={after}&limit=10000")).await;
        let events = page.as_array().expect("a list of events");
        let Some(last) = events.last() else {
            return ids;
        };
        after = last["seq"].as_u64().expect("seq");
        ids.extend(
            events
                .iter()
                .map(|e| e["id"].as_str().expect("id").to_string()),
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_under_load_restores_to_a_hub_with_every_acked_event() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = fast_panel_config(dir.path(), 5_000);
    let hub = HubProcess::start_with(&config, &dir.path().join("data"));

    let mut device = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    let mut acked = Vec::new();
    let mut first_seq = None;
    for n in 0..300 {
        let id = format!("before-{n}");
        let zone = format!("{}F east", n % 20);
        match device
            .send(&event(&id, "fire.trouble", "panel-7", &zone))
            .await
        {
            DeviceReply::Ack(ack) => {
                first_seq.get_or_insert(ack.seq);
                acked.push(ack.ack);
            }
            DeviceReply::Nack(nack) => panic!("{id} refused: {nack:?}"),
        }
    }

    // Only an admin may ask for a backup.
    let file = dir.path().join("hub.backup");
    let refused = backup(&hub, &file, tokens::OPERATOR_LI);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("403"), "{}", text(&refused));
    assert!(!file.exists());

    // The backup is taken while the simulator sends.
    let load = Command::new(binary("drills"))
        .args(["simulate", "--hub"])
        .arg(format!("http://{}", hub.addr))
        .args(["--token", tokens::FIRE_PANEL_GG, "--rate", "1500"])
        .args(["--duration", "3", "--mix", "realistic"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("drills runs");
    // Taken once the simulator's events are arriving.
    let last_before = first_seq.expect("an ack") + acked.len() as u64 - 1;
    let waiting = std::time::Instant::now();
    while get_json(&hub, &format!("/v1/events?after={last_before}&limit=1"))
        .await
        .as_array()
        .is_none_or(|page| page.is_empty())
    {
        assert!(waiting.elapsed() < PATIENCE, "the simulator sent nothing");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let taken = backup(&hub, &file, tokens::ADMIN);
    assert!(taken.status.success(), "{}", text(&taken));
    assert!(text(&taken).contains("backed up"), "{}", text(&taken));
    let load = load.wait_with_output().expect("simulate ends");
    assert!(load.status.success(), "simulate: {}", text(&load));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file)
            .expect("backup")
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the backup is readable by its owner only"
        );
    }
    let again = backup(&hub, &file, tokens::ADMIN);
    assert!(text(&again).contains("exists already"), "{}", text(&again));

    // Restored into a new directory, the audit tree verifies; a directory in use is refused.
    let restored = dir.path().join("restored");
    let done = restore(&file, &restored, &config);
    assert!(done.status.success(), "{}", text(&done));
    assert!(text(&done).contains("verified "), "{}", text(&done));
    let refused = restore(&file, &restored, &config);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("not empty"), "{}", text(&refused));

    // A hub on the restored directory has every event acknowledged before the backup.
    let second = HubProcess::start_with(&config, &restored);
    let ids = stored_ids(&second).await;
    let missing: Vec<&String> = acked.iter().filter(|id| !ids.contains(*id)).collect();
    assert!(missing.is_empty(), "lost in the backup: {missing:?}");
    assert!(
        ids.len() > acked.len(),
        "the events sent under load are there too"
    );

    // Its checkpoint, signed with the key the backup carried, proves an acked event is there.
    let (_, key) = http(
        second.addr,
        "GET",
        "/v1/audit/key",
        Some(tokens::OPERATOR_LI),
        None,
    )
    .await;
    let verifier = NoteVerifier::from_text(&key).expect("verifier key");
    let seq = first_seq.expect("an ack");
    let proof = get_json(&second, &format!("/v1/audit/proof?event={seq}")).await;
    let signed = SignedCheckpoint::open(proof["checkpoint"].as_str().expect("note"), &verifier)
        .expect("the checkpoint is signed by the hub's key");
    assert_eq!(proof["entry"], format!("event seq {seq}"));
    let hash = |v: &serde_json::Value| -> Hash {
        let text = v.as_str().expect("hex");
        let bytes: Vec<u8> = (0..64)
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
            .collect();
        bytes.try_into().expect("32 bytes")
    };
    let path: Vec<Hash> = proof["proof"]
        .as_array()
        .expect("proof")
        .iter()
        .map(hash)
        .collect();
    assert!(!path.is_empty());
    assert!(verify_inclusion(
        proof["leaf_index"].as_u64().expect("index"),
        signed.checkpoint.size,
        &hash(&proof["leaf_hash"]),
        &path,
        &signed.checkpoint.root,
    ));
}
