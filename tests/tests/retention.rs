//! Retention end to end (issue 10, item 3): a real hub's incidents and events, then events
//! stored ten days before the archiving's `--now`; `alert-hub archive --now` a year and more
//! later moves the old events and the closed incident to `DATA/archive/` and keeps the open
//! incident and its event live; `alert-hub verify` passes over archive and store together; a
//! hub started on the directory serves the month report with the figures it gave before and
//! the archived incident's report; a byte changed in an archive file makes verify name it.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

use alert_hub::protocol::{Command as ConsoleCommand, DeviceEvent, DeviceReply, StoredEvent};
use alert_hub::store::archive::files::{self, Lines};
use alert_hub::store::{EventRecord, SledStore, Store, WriteBatch};
use system_tests::{
    Console, Device, HubProcess, PATIENCE, binary, demo_config, event, get_json, http, tokens,
};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs `alert-hub` with `args` on the stopped hub's `data`, again while this process's own
/// handle on the store is still letting go of it.
fn alert_hub(args: &[&str], data: &Path) -> Output {
    let started = Instant::now();
    loop {
        let output = Command::new(binary("alert-hub"))
            .args(args)
            .arg("--data")
            .arg(data)
            .output()
            .expect("alert-hub runs");
        if !text(&output).contains("in use by another process") || started.elapsed() > PATIENCE {
            return output;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The month report of `month` as JSON, without the checkpoint (signed anew by every hub).
async fn month_figures(hub: &HubProcess, month: &str) -> serde_json::Value {
    let path = format!("/v1/reports/month?month={month}&format=json");
    let (status, body) = http(hub.addr, "GET", &path, Some(tokens::MANAGER), None).await;
    assert_eq!(status, 200, "{body}");
    let mut report: serde_json::Value = serde_json::from_str(&body).expect("json");
    report
        .as_object_mut()
        .expect("an object")
        .remove("checkpoint");
    report
}

/// `count` heartbeats stored straight into the stopped hub's store, received at `at`.
fn store_events_received(data: &Path, at: OffsetDateTime, count: u64) -> Vec<u64> {
    let store = SledStore::open(data).expect("open the stopped hub's store");
    let first = store.last_event_seq().expect("last") + 1;
    let events: Vec<EventRecord> = (first..first + count)
        .map(|seq| {
            let event = StoredEvent {
                seq,
                source: "fp-gg".into(),
                received_at: at,
                event: DeviceEvent {
                    id: format!("later-{seq}"),
                    kind: alert_hub::protocol::EventKind::Heartbeat,
                    device: "panel-1".into(),
                    site: "green-garden".into(),
                    building: None,
                    floor: None,
                    zone: None,
                    at,
                    drill: None,
                    detail: alert_hub::protocol::Detail::null(),
                },
            };
            EventRecord::encode(&event).expect("encode")
        })
        .collect();
    store
        .commit(&WriteBatch {
            events,
            ..WriteBatch::default()
        })
        .expect("commit");
    (first..first + count).collect()
}

fn seqs(events: &serde_json::Value) -> Vec<u64> {
    events
        .as_array()
        .expect("a list")
        .iter()
        .map(|e| e["seq"].as_u64().expect("seq"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn old_records_are_archived_yet_verified_reported_and_served() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let config = demo_config();
    let start = OffsetDateTime::now_utc();
    let mut hub = HubProcess::start(&data);
    let mut panel = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    let mut li = Console::connect(&hub, tokens::OPERATOR_LI, None).await;
    let mut acked = Vec::new();
    // INC-000001: a trouble, worked to the end and closed.
    for (id, kind, device, zone) in [
        ("t-1", "fire.trouble", "panel-1", "1F plant room"),
        ("t-2", "fire.trouble", "panel-2", "2F lobby"),
        ("hb-1", "heartbeat", "panel-1", "1F plant room"),
    ] {
        match panel.send(&event(id, kind, device, zone)).await {
            DeviceReply::Ack(ack) => acked.push(ack.seq),
            DeviceReply::Nack(nack) => panic!("{id}: {nack:?}"),
        }
    }
    for command in [
        ConsoleCommand::Acknowledge {
            incident: "INC-000001".into(),
        },
        ConsoleCommand::Resolve {
            incident: "INC-000001".into(),
            summary: Some("the panel's battery was replaced".into()),
        },
        ConsoleCommand::Close {
            incident: "INC-000001".into(),
        },
    ] {
        let reply = li.command(command.clone()).await;
        assert!(reply.ok, "{command:?}: {reply:?}");
    }
    // INC-000002 stays open: nobody acknowledged it.
    let whole = get_json(&hub, "/v1/incidents/INC-000001").await;
    assert_eq!(whole["incident"]["state"], "closed");
    let log_before = whole["log"].clone();
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap();
    let local = start.to_offset(offset);
    let month = format!("{:04}-{:02}", local.year(), u8::from(local.month()));
    let figures_before = month_figures(&hub, &month).await;
    drop(li);
    drop(panel);
    assert!(hub.terminate(), "the hub stops cleanly");

    // A year and more later: events received ten days before the archiving.
    let now = start + Duration::days(401);
    let recent = store_events_received(&data, now - Duration::days(10), 3);
    let now_text = now.format(&Rfc3339).unwrap();
    let config_arg = config.to_str().unwrap();
    let archived = alert_hub(
        &["archive", "--config", config_arg, "--now", &now_text],
        &data,
    );
    assert!(archived.status.success(), "{}", text(&archived));
    let said = text(&archived);
    assert!(
        said.contains("archived 2 events and 1 closed incidents"),
        "t-1 and hb-1 go, t-2 is the open incident's: {said}"
    );
    assert!(said.contains("bytes of records freed"), "{said}");
    let archive = data.join("archive");
    let names = files::all_names(&archive).unwrap();
    assert_eq!(names.len(), 3, "{names:?}");
    for kind in ["events-", "incidents-", "log-"] {
        assert!(names.iter().any(|n| n.starts_with(kind)), "{names:?}");
    }
    // Nothing more to move the second time.
    let again = alert_hub(&["archive", "--now", &now_text], &data);
    assert!(
        text(&again).contains("archived 0 events and 0 closed incidents"),
        "{}",
        text(&again)
    );

    let verified = alert_hub(&["verify"], &data);
    assert!(verified.status.success(), "{}", text(&verified));
    assert!(text(&verified).contains("verified "), "{}", text(&verified));

    // A hub on the directory: the old month reads the same, the archived incident is served,
    // and the live store holds only the open incident's event and the recent ones.
    hub = HubProcess::start(&data);
    assert_eq!(month_figures(&hub, &month).await, figures_before);
    let whole = get_json(&hub, "/v1/incidents/INC-000001").await;
    assert_eq!(whole["incident"]["state"], "closed");
    assert_eq!(
        whole["log"], log_before,
        "the archived log reads back whole"
    );
    let (status, report) = http(
        hub.addr,
        "GET",
        "/v1/incidents/INC-000001/report?format=md&lang=en",
        Some(tokens::MANAGER),
        None,
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert!(report.contains("INC-000001"), "{report}");
    let live: Vec<String> = get_json(&hub, "/v1/incidents?state=all")
        .await
        .as_array()
        .expect("a list")
        .iter()
        .map(|i| i["id"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(live.contains(&"INC-000002".to_string()), "{live:?}");
    assert!(!live.contains(&"INC-000001".to_string()), "{live:?}");
    let mut expected = vec![acked[1]];
    expected.extend(&recent);
    assert_eq!(seqs(&get_json(&hub, "/v1/events?after=0").await), expected);
    assert!(hub.terminate());

    // A byte changed in an archived event: verify names it.
    let path = archive.join(names.iter().find(|n| n.starts_with("events-")).unwrap());
    let mut lines: Vec<Vec<u8>> = Lines::open(&path)
        .unwrap()
        .map(|l| l.unwrap().bytes)
        .collect();
    let changed = String::from_utf8(lines[0].clone())
        .unwrap()
        .replacen("panel-1", "panel-9", 1);
    lines[0] = changed.into_bytes();
    files::write(&path, lines.into_iter().map(Ok)).unwrap();
    let refused = alert_hub(&["verify"], &data);
    assert!(!refused.status.success());
    let expected = format!("event seq {} does not match", acked[0]);
    assert!(text(&refused).contains(&expected), "{}", text(&refused));
    assert!(
        text(&refused).contains(&format!("(archived: {}, line 1)", path.display())),
        "{}",
        text(&refused)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hub_archives_at_start_and_keeps_acking() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let long_ago = OffsetDateTime::now_utc() - Duration::days(401);
    let old = store_events_received(&data, long_ago, 50);
    let hub = HubProcess::start_logged(&demo_config(), &data);
    let mut panel = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    let seq = match panel
        .send(&event("now-1", "fire.trouble", "panel-1", "1F plant room"))
        .await
    {
        DeviceReply::Ack(ack) => ack.seq,
        DeviceReply::Nack(nack) => panic!("{nack:?}"),
    };
    assert_eq!(seq, old.last().unwrap() + 1, "numbering goes on");
    hub.wait_for_log("archived records older than the retention", 1);
    assert_eq!(seqs(&get_json(&hub, "/v1/events?after=0").await), vec![seq]);
    let names = files::all_names(&data.join("archive")).unwrap();
    let month = alert_hub::store::archive::select::month_of(long_ago);
    assert_eq!(names, vec![format!("events-{month}.jsonl.gz")]);
}
