//! The SIA DC-09 receiver end to end: a panel on loopback (a Python client on the standard
//! library, or `drills dc09` for encrypted frames) reports to the real hub over TCP and UDP;
//! every ACK is for a stored event, the incidents are those a WebSocket device would have
//! opened, re-sent frames are duplicates (after a restart too), and garbage stops nobody.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use alert_hub::protocol::DeviceReply;
use serde_json::{Value, json};
use system_tests::{Device, HubProcess, binary, demo_without_contacts, get_json, tokens};
use time::{Duration, OffsetDateTime};

const KEY: &str = "000102030405060708090A0B0C0D0E0F";

/// A loopback port free for TCP and UDP both.
fn free_port() -> u16 {
    loop {
        let tcp = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = tcp.local_addr().expect("addr").port();
        if std::net::UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// The demo site with a DC-09 receiver on `port`: account 1234 is the Green Garden fire panel
/// (zone 003 mapped), account 5678 its access controller, with a key.
fn site_config(dir: &Path, port: u16) -> PathBuf {
    let text = format!(
        "{}\n[dc09]\nlisten = \"127.0.0.1:{port}\"\nmax_skew_secs = 120\n\n\
         [[dc09.accounts]]\naccount = \"1234\"\nsource = \"fp-gg\"\n\
         [dc09.accounts.zones]\n\
         \"003\" = {{ device = \"smoke-B2-07F-03\", building = \"B2\", floor = \"7\", zone = \"7F east corridor\" }}\n\n\
         [[dc09.accounts]]\naccount = \"5678\"\nsource = \"ac-gg\"\nkey = \"{KEY}\"\n",
        demo_without_contacts()
    );
    let path = dir.join("dc09-site.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

/// DC-09's timestamp of now plus `offset` seconds.
fn stamp(offset: i64) -> String {
    let t = OffsetDateTime::now_utc() + Duration::seconds(offset);
    format!(
        "_{:02}:{:02}:{:02},{:02}-{:02}-{:04}",
        t.hour(),
        t.minute(),
        t.second(),
        u8::from(t.month()),
        t.day(),
        t.year()
    )
}

fn cid(seq: &str, account: &str, code: &str, stamp: &str) -> String {
    format!("\"ADM-CID\"{seq}L0#{account}[#{account}|{code}]{stamp}")
}

fn ack(seq: &str, account: &str) -> Option<String> {
    Some(format!("\"ACK\"{seq}L0#{account}[]"))
}

/// Runs the Python panel with `items` over `proto`; the answers it read, in order.
fn panel(proto: &str, port: u16, items: Vec<Value>) -> Vec<Option<String>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/dc09/panel.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let plan = json!({ "proto": proto, "port": port, "send": items });
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(plan.to_string().as_bytes())
        .expect("plan written");
    let out = child.wait_with_output().expect("panel ends");
    assert!(out.status.success(), "the panel failed");
    serde_json::from_slice(&out.stdout).expect("answers as JSON")
}

fn send(message: &str) -> Value {
    json!({ "message": message, "answer": true })
}

/// Every stored event, by id.
async fn events(hub: &HubProcess) -> Vec<Value> {
    let page = get_json(hub, "/v1/events?after=0&limit=5000").await;
    page.as_array().expect("array").clone()
}

fn with_id<'a>(events: &'a [Value], id: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["id"] == id).collect()
}

/// The incidents as a person compares them: kind, priority, place, devices, restored.
async fn incidents(hub: &HubProcess) -> Vec<Value> {
    let all = get_json(hub, "/v1/incidents?state=all").await;
    let mut seen: Vec<Value> = all
        .as_array()
        .expect("array")
        .iter()
        .map(|i| {
            json!({
                "kind": i["kind"], "priority": i["priority"], "location": i["location"],
                "devices": i["devices"], "restored": i["restored"], "source": i["source"],
            })
        })
        .collect();
    seen.sort_by_key(|v| v.to_string());
    seen
}

fn id_of(seq: &str, stamp: &str) -> String {
    // _HH:MM:SS,MM-DD-YYYY → YYYYMMDDTHHMMSS
    let (h, m, s) = (&stamp[1..3], &stamp[4..6], &stamp[7..9]);
    let (mo, d, y) = (&stamp[10..12], &stamp[13..15], &stamp[16..20]);
    format!("dc09:1234:{seq}:{y}{mo}{d}T{h}{m}{s}")
}

#[tokio::test]
async fn panel_events_over_tcp_and_udp_open_the_incidents_a_websocket_device_would() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let hub = HubProcess::start_with(&site_config(dir.path(), port), &dir.path().join("data"));
    let t = stamp(0);
    let tcp = [
        ("0001", "1110 01 003"), // fire in mapped zone 003
        ("0002", "1121 01 002"), // duress by user 002
        ("0003", "1301 01 000"), // AC loss: trouble
        ("0004", "1602 00 000"), // periodic test
        ("0005", "3110 01 003"), // fire restore
        ("0006", "1628 01 015"), // a code the hub does not map
    ];
    let items = tcp
        .iter()
        .map(|(seq, code)| send(&cid(seq, "1234", code, &t)));
    let mut items: Vec<Value> = items.collect();
    items.push(send(&format!("\"NULL\"0007L0#1234[]{t}")));
    let answers = panel("tcp", port, items);
    let expected: Vec<_> = (1..=7).map(|n| ack(&format!("{n:04}"), "1234")).collect();
    assert_eq!(answers, expected, "every frame acked, in order");
    let udp = panel(
        "udp",
        port,
        vec![send(&format!(
            "\"SIA-DCS\"0008L0#1234[#1234|Nri1/BA004]{t}"
        ))],
    );
    assert_eq!(udp, vec![ack("0008", "1234")]);

    let stored = events(&hub).await;
    for n in 1..=8 {
        let id = id_of(&format!("{n:04}"), &t);
        assert_eq!(
            with_id(&stored, &id).len(),
            1,
            "ACK {n} is for a stored event"
        );
    }
    let fire = with_id(&stored, &id_of("0001", &t))[0];
    assert_eq!(fire["kind"], "fire.alarm");
    assert_eq!(fire["device"], "smoke-B2-07F-03");
    assert_eq!(fire["zone"], "7F east corridor");
    assert_eq!(fire["source"], "fp-gg");
    assert_eq!(fire["detail"]["dc09"]["code"], "110");
    let unknown = with_id(&stored, &id_of("0006", &t))[0];
    assert_eq!(unknown["kind"], "panel.unknown_code");
    assert_eq!(unknown["detail"]["dc09"]["event"], "1628 01 015");
    let kinds: Vec<_> = stored.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "fire.alarm",
            "access.duress",
            "fire.trouble",
            "heartbeat",
            "fire.restore",
            "panel.unknown_code",
            "heartbeat",
            "access.forced"
        ]
    );
    let seen = incidents(&hub).await;
    let unknown_incident: Vec<_> = seen
        .iter()
        .filter(|i| i["kind"] == "panel.unknown_code")
        .collect();
    assert_eq!(
        unknown_incident.len(),
        1,
        "an unknown code is shown, never dropped"
    );
    assert_eq!(unknown_incident[0]["priority"], "P3");
    let all = get_json(&hub, "/v1/incidents?state=all").await;
    let codes: Vec<&Value> = all
        .as_array()
        .expect("array")
        .iter()
        .filter(|i| i["kind"] == "panel.unknown_code")
        .map(|i| &i["panel_code"])
        .collect();
    assert_eq!(
        codes,
        [&json!("ADM-CID 1628 01 015")],
        "the incident says which code a person must look up"
    );

    // The same events from a WebSocket device (all but the unknown code, which no device may
    // send) open the same incidents on a second hub.
    let other_dir = tempfile::tempdir().expect("tempdir");
    let other = HubProcess::start_with(
        &site_config(other_dir.path(), free_port()),
        &other_dir.path().join("data"),
    );
    let mut device = Device::connect(&other, tokens::FIRE_PANEL_GG).await;
    for e in stored.iter().filter(|e| e["kind"] != "panel.unknown_code") {
        let mut frame = e.clone();
        let map = frame.as_object_mut().unwrap();
        for field in ["seq", "source", "received_at"] {
            map.remove(field);
        }
        let reply = device.send(&frame).await;
        assert!(matches!(reply, DeviceReply::Ack(_)), "{reply:?}");
    }
    let by_ws = incidents(&other).await;
    let by_dc09: Vec<_> = seen
        .into_iter()
        .filter(|i| i["kind"] != "panel.unknown_code")
        .collect();
    assert_eq!(by_dc09, by_ws);
    let mut kinds: Vec<_> = by_ws.iter().map(|i| i["kind"].as_str().unwrap()).collect();
    kinds.sort_unstable();
    // The forced door joins the open fire alarm's incident (doors are released in a fire).
    assert_eq!(
        kinds,
        ["access.duress", "fire.alarm", "fire.trouble"],
        "{by_ws:?}"
    );
}

#[tokio::test]
async fn resent_frames_are_duplicates_also_after_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let mut hub = HubProcess::start_with(&site_config(dir.path(), port), &dir.path().join("data"));
    let t = stamp(0);
    let fire = cid("0042", "1234", "1110 01 003", &t);
    let answers = panel("tcp", port, vec![send(&fire), send(&fire)]);
    assert_eq!(answers, vec![ack("0042", "1234"), ack("0042", "1234")]);
    let answers = panel("udp", port, vec![send(&fire)]);
    assert_eq!(answers, vec![ack("0042", "1234")]);
    let id = id_of("0042", &t);
    assert_eq!(with_id(&events(&hub).await, &id).len(), 1, "stored once");
    hub.restart();
    let answers = panel("tcp", port, vec![send(&fire)]);
    assert_eq!(answers, vec![ack("0042", "1234")]);
    let stored = events(&hub).await;
    assert_eq!(
        with_id(&stored, &id).len(),
        1,
        "still once after the restart"
    );
    assert_eq!(stored.len(), 1);
}

#[tokio::test]
async fn garbage_bad_frames_and_refusals_never_stop_the_listener_or_another_panel() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let hub = HubProcess::start_with(&site_config(dir.path(), port), &dir.path().join("data"));
    let t = stamp(0);
    // A connection sending garbage, a frame with a wrong CRC and an overlong run; then a good
    // frame, whose ACK is the first answer it reads: nothing was answered before it.
    let mut noisy = vec![
        json!({ "garbage": "GET / HTTP/1.1\r\n\r\n\u{0}\u{ff}\n\n\r" }),
        json!({ "message": cid("0001", "1234", "1110 01 003", &t), "bad_crc": true }),
        json!({ "garbage": format!("\n{}", "x".repeat(10_000)) }),
    ];
    noisy.push(send(&cid("0002", "1234", "1130 01 004", &t)));
    // Refused frames: a time outside the window, an unknown account, a clear frame for the
    // account with a key, a token not supported.
    noisy.push(send(&cid("0003", "1234", "1110 01 003", &stamp(-600))));
    noisy.push(send(&cid("0004", "ABCD", "1110 01 003", &t)));
    noisy.push(send(&cid("0005", "5678", "1121 01 002", &t)));
    noisy.push(send(&format!(
        "\"SIA-CID\"0006L0#1234[#1234|1110 01 003]{t}"
    )));
    let answers = panel("tcp", port, noisy);
    assert_eq!(answers[0], ack("0002", "1234"));
    let nak = answers[1].as_deref().expect("an answer");
    assert!(nak.starts_with("\"NAK\"0000R0L0A0[]_"), "{nak}");
    assert_eq!(answers[2].as_deref(), Some("\"DUH\"0004L0#ABCD[]"));
    assert_eq!(answers[3].as_deref(), Some("\"DUH\"0005L0#5678[]"));
    assert_eq!(answers[4].as_deref(), Some("\"DUH\"0006L0#1234[]"));
    // Another panel, over UDP and TCP, is served all along.
    let udp = panel(
        "udp",
        port,
        vec![
            json!({ "garbage": "not a frame" }),
            send(&cid("0010", "1234", "1121 01 007", &t)),
        ],
    );
    assert_eq!(udp, vec![ack("0010", "1234")]);
    let tcp = panel(
        "tcp",
        port,
        vec![send(&cid("0011", "1234", "1602 00 000", &t))],
    );
    assert_eq!(tcp, vec![ack("0011", "1234")]);
    let stored = events(&hub).await;
    let ids: Vec<_> = stored.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [id_of("0002", &t), id_of("0010", &t), id_of("0011", &t)],
        "only acked frames are stored"
    );
}

#[tokio::test]
async fn encrypted_frames_from_the_sender_are_acked_and_a_wrong_key_is_nak() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let hub = HubProcess::start_with(&site_config(dir.path(), port), &dir.path().join("data"));
    let drills = |key: &str, udp: bool| {
        let mut c = Command::new(binary("drills"));
        c.args([
            "dc09",
            "--to",
            &format!("127.0.0.1:{port}"),
            "--account",
            "5678",
        ])
        .args([
            "--key",
            key,
            "--code",
            "1 121 01 002",
            "--sia",
            "Nri1/TA009",
            "--seq",
            "21",
        ]);
        if udp {
            c.arg("--udp");
        }
        c.output().expect("drills dc09 runs")
    };
    let out = drills(KEY, false);
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{printed}");
    assert!(
        printed.contains("0021 ADM-CID \"#5678|1121 01 002\": ACK 0021"),
        "{printed}"
    );
    assert!(
        printed.contains("0022 SIA-DCS \"#5678|Nri1/TA009\": ACK 0022"),
        "{printed}"
    );
    let out = drills(&"11".repeat(16), true);
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{printed}");
    assert!(
        printed.contains("0021 ADM-CID \"#5678|1121 01 002\": NAK 0000"),
        "{printed}"
    );
    let stored = events(&hub).await;
    let kinds: Vec<_> = stored.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["access.duress", "access.tamper"]);
    assert!(stored.iter().all(|e| e["source"] == "ac-gg"));
}

#[tokio::test]
async fn a_kill_9_under_a_stream_of_frames_loses_no_acked_event() {
    use std::io::BufRead;
    const FRAMES: usize = 3000;
    const KILL_AFTER_ACKS: usize = 600;
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let mut hub = HubProcess::start_with(&site_config(dir.path(), port), &dir.path().join("data"));
    let t = stamp(0);
    let codes = ["1602 00 000", "1301 01 000", "3301 01 000", "1110 01 003"];
    let messages: Vec<String> = (1..=FRAMES)
        .map(|n| cid(&format!("{n:04}"), "1234", codes[n % codes.len()], &t))
        .collect();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/dc09/panel.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let plan = json!({ "proto": "tcp", "port": port, "stream": messages });
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(plan.to_string().as_bytes())
        .expect("plan written");
    let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut acked = Vec::new();
    for line in lines.by_ref() {
        acked.push(line.expect("line"));
        if acked.len() == KILL_AFTER_ACKS {
            break;
        }
    }
    hub.kill9();
    // Answers that left before the kill are still on their way to the panel.
    acked.extend(lines.map_while(Result::ok));
    let _ = child.wait();
    assert!(acked.len() >= KILL_AFTER_ACKS, "{} acks", acked.len());
    assert!(
        acked.len() < FRAMES,
        "the kill came before the stream ended"
    );
    hub.restart();
    let stored = events(&hub).await;
    for answer in &acked {
        assert!(answer.starts_with("\"ACK\""), "{answer}");
        let seq = &answer[5..9];
        let id = id_of(seq, &t);
        assert_eq!(with_id(&stored, &id).len(), 1, "acked {id} is stored once");
    }
    let mut ids: Vec<_> = stored.iter().map(|e| e["id"].as_str().unwrap()).collect();
    let all = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all, "nothing stored twice");
    // The panel sends what was not acked again: each is stored once, the acked ones are
    // duplicates.
    let answers = panel("tcp", port, messages.iter().map(|m| send(m)).collect());
    assert!(
        answers
            .iter()
            .all(|a| a.as_deref().is_some_and(|a| a.starts_with("\"ACK\"")))
    );
    let stored = events(&hub).await;
    assert_eq!(stored.len(), FRAMES, "every frame stored once");
}

#[tokio::test]
async fn an_account_silent_for_three_heartbeats_raises_comms_lost_and_its_poll_restores_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let config = dir.path().join("site.toml");
    std::fs::write(
        &config,
        format!(
            "[[sites]]\nid = \"green-garden\"\nname = \"G\"\n\
             [[sources]]\nid = \"fp-1\"\nsite = \"green-garden\"\nkind = \"fire_panel\"\n\
             token = \"fire-panel-token-0123\"\nheartbeat_secs = 1\n\
             [[operators]]\nid = \"op-li\"\nname = \"Li\"\nrole = \"operator\"\ntoken = \"{}\"\n\
             [dc09]\nlisten = \"127.0.0.1:{port}\"\nmax_skew_secs = 120\n\
             [[dc09.accounts]]\naccount = \"1234\"\nsource = \"fp-1\"\n",
            tokens::OPERATOR_LI
        ),
    )
    .expect("config");
    let hub = HubProcess::start_with(&config, &dir.path().join("data"));
    // NULL polls every half second for four seconds: more than three intervals, never silent.
    let mut polls = Vec::new();
    for n in 1..=8 {
        polls.push(send(&format!("\"NULL\"{n:04}L0#1234[]{}", stamp(0))));
        polls.push(json!({ "sleep": 0.5 }));
    }
    let answers = panel("udp", port, polls);
    assert!(
        answers
            .iter()
            .all(|a| a.as_deref().is_some_and(|a| a.starts_with("\"ACK\"")))
    );
    let open = get_json(&hub, "/v1/incidents").await;
    assert_eq!(
        open.as_array().unwrap().len(),
        0,
        "polling panel is not lost: {open}"
    );
    let mut lost = None;
    for _ in 0..100 {
        let incidents = get_json(&hub, "/v1/incidents").await;
        if let Some(i) = incidents.as_array().unwrap().first() {
            lost = Some(i.clone());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let lost = lost.expect("comms.lost within 10 s of the last poll");
    assert_eq!(lost["kind"], "comms.lost");
    assert_eq!(lost["source"], "fp-1");
    let answers = panel(
        "tcp",
        port,
        vec![send(&format!("\"NULL\"0100L0#1234[]{}", stamp(0)))],
    );
    assert_eq!(answers, vec![ack("0100", "1234")]);
    let incidents = get_json(&hub, "/v1/incidents").await;
    assert_eq!(incidents[0]["restored"], true, "the poll restores it");
}
