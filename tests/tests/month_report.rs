//! The monthly report over a real hub: real and drill incidents raised by a fire panel and
//! acknowledged by a console over its WebSocket; the report's figures count the real ones
//! only, the CSV parses, the HTML opens in headless Chromium with its SVG charts (the
//! screenshot is kept under the build's temporary directory), and a bad month is a 400 that
//! says the form expected.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use alert_hub::protocol::Command;
use system_tests::{Console, Device, HubProcess, chromium, event, http, start_drill, tokens};

/// This month on the control room's clock, as `YYYY-MM`: the hub opens incidents when it
/// receives their events.
fn this_month() -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap();
    let now = time::OffsetDateTime::now_utc().to_offset(offset);
    format!("{:04}-{:02}", now.year(), u8::from(now.month()))
}

async fn month_report(hub: &HubProcess, token: &str, query: &str) -> (u16, String) {
    let path = format!("/v1/reports/month{query}");
    http(hub.addr, "GET", &path, Some(token), None).await
}

/// Parses RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(!quoted, "a quoted field is never closed");
    assert!(
        field.is_empty() && row.is_empty(),
        "the last line has no line end"
    );
    rows
}

#[tokio::test]
async fn the_month_counts_real_incidents_apart_from_drills_and_opens_in_chromium() {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let mut panel = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    let mut li = Console::connect(&hub, tokens::OPERATOR_LI, None).await;
    // INC-000001: a real alarm, acknowledged and found false.
    panel
        .send(&event("fa-1", "fire.alarm", "smoke-1", "7F east corridor"))
        .await;
    for command in [
        Command::Acknowledge {
            incident: "INC-000001".into(),
        },
        Command::Choose {
            incident: "INC-000001".into(),
            step: "confirm".into(),
            choice: "false".into(),
        },
    ] {
        let reply = li.command(command.clone()).await;
        assert!(reply.ok, "{command:?}: {reply:?}");
    }
    // INC-000002: a real alarm elsewhere nobody has acknowledged yet.
    panel
        .send(&event("fa-2", "fire.alarm", "smoke-2", "3F lobby"))
        .await;
    // INC-000003: a drill's alarm, acknowledged: never in the real figures.
    start_drill(&hub, "m-drill", "消防演练", "Fire drill").await;
    let mut frame = event("d-1", "fire.alarm", "smoke-3", "1F hall");
    frame["drill"] = serde_json::json!("m-drill");
    panel.send(&frame).await;
    let reply = li
        .command(Command::Acknowledge {
            incident: "INC-000003".into(),
        })
        .await;
    assert!(reply.ok, "{reply:?}");

    let month = this_month();
    let (status, json) = month_report(
        &hub,
        tokens::MANAGER,
        &format!("?month={month}&format=json"),
    )
    .await;
    assert_eq!(status, 200, "{json}");
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["month"], month.as_str());
    assert_eq!(json["totals"]["real"], 2, "{json}");
    assert_eq!(json["totals"]["drill"], 1);
    assert_eq!(json["totals"]["false_alarms"], 1);
    assert_eq!(json["by_kind"][0]["key"], "fire.alarm");
    assert_eq!(json["by_kind"][0]["count"], 2);
    let p1 = &json["acknowledgement"][0];
    assert_eq!(p1["priority"], "P1");
    assert_eq!(
        (p1["incidents"].as_u64(), p1["acknowledged"].as_u64()),
        (Some(2), Some(1))
    );
    assert!(p1["p50_secs"].as_i64().unwrap() <= 30, "{p1}");
    assert_eq!(p1["within_60s_pct"], 50.0, "one of the two within a minute");
    let sla = &json["sla"][0];
    assert_eq!(sla["name"]["en"], "P1 acknowledged");
    assert_eq!(
        (sla["applies"].as_u64(), sla["met"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(json["nuisance_devices"][0]["device"], "smoke-1");
    assert_eq!(json["nuisance_devices"][0]["count"], 1);

    let (status, csv) = month_report(
        &hub,
        tokens::OPERATOR_LI,
        &format!("?month={month}&format=csv&lang=en"),
    )
    .await;
    assert_eq!(status, 200, "operators read the month too: {csv}");
    let rows = parse_csv(&csv);
    assert_eq!(rows[0], ["table", "key", "figure", "value"]);
    assert!(rows.iter().all(|r| r.len() == 4), "{rows:?}");
    assert!(rows.contains(&vec![
        "totals".into(),
        "real incidents".into(),
        "Count".into(),
        "2".into()
    ]));

    let (status, html) = month_report(&hub, tokens::ADMIN, &format!("?month={month}")).await;
    assert_eq!(status, 200);
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("reports");
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join("month.html");
    std::fs::write(&page, &html).unwrap();
    let opened = chromium::open(&page, &dir.join("month.png"), 1280, 2400);
    assert_eq!(opened.size, (1280, 2400));
    assert!(
        opened.dom.contains("class=\"chart bars\""),
        "the count charts loaded"
    );
    assert!(
        opened.dom.contains("class=\"chart distribution\""),
        "the ack-time chart loaded"
    );
    assert!(
        opened.dom.contains("月度报告"),
        "the Chinese page by default"
    );
}

#[tokio::test]
async fn a_bad_month_is_a_400_that_says_the_form() {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    for query in ["?month=2026-13", "?month=11-2026", "?month=", ""] {
        let (status, body) = month_report(&hub, tokens::MANAGER, query).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert!(body.contains("YYYY-MM, e.g."), "{query}: {body}");
    }
    let (status, body) = month_report(&hub, tokens::MANAGER, "?month=2026-11&format=pdf").await;
    assert_eq!(status, 400);
    assert!(
        body.contains("format must be html, md, json or csv"),
        "{body}"
    );
    let (status, _) = month_report(&hub, tokens::FIRE_PANEL_GG, "?month=2026-11").await;
    assert_eq!(status, 401, "a device's token reads no reports");
}

#[tokio::test]
async fn the_command_gives_the_same_month_from_a_running_hub_and_from_its_data() {
    let data = tempfile::tempdir().unwrap();
    let mut hub = HubProcess::start(data.path());
    let mut panel = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    panel
        .send(&event("fa-1", "fire.alarm", "smoke-1", "7F east corridor"))
        .await;
    let mut li = Console::connect(&hub, tokens::OPERATOR_LI, None).await;
    let reply = li
        .command(Command::Acknowledge {
            incident: "INC-000001".into(),
        })
        .await;
    assert!(reply.ok, "{reply:?}");
    let month = this_month();
    let run = |args: &[&str]| {
        std::process::Command::new(system_tests::binary("alert-hub"))
            .args(["report", "month"])
            .args(args)
            .output()
            .unwrap()
    };
    let url = format!("http://{}", hub.addr);
    let asked = run(&[
        &month,
        "--site",
        "green-garden",
        "--format",
        "md",
        "--lang",
        "en",
        "--hub",
        &url,
        "--token",
        tokens::MANAGER,
    ]);
    assert!(
        asked.status.success(),
        "{}",
        String::from_utf8_lossy(&asked.stderr)
    );
    let from_hub = String::from_utf8(asked.stdout).unwrap();
    assert!(
        from_hub.starts_with(&format!("# Monthly report {month} — green-garden")),
        "{from_hub}"
    );
    assert!(from_hub.contains("| real incidents | 1 |"), "{from_hub}");
    assert!(
        from_hub.contains("Audit checkpoint alert-hub/"),
        "the report names the signed checkpoint it was made under: {from_hub}"
    );

    assert!(hub.terminate(), "the hub stops cleanly");
    let config = system_tests::demo_config();
    let (dir, config) = (data.path().to_str().unwrap(), config.to_str().unwrap());
    let read = run(&[
        &month,
        "--site",
        "green-garden",
        "--format",
        "md",
        "--lang",
        "en",
        "--data",
        dir,
        "--config",
        config,
    ]);
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    assert_eq!(
        String::from_utf8(read.stdout).unwrap(),
        from_hub,
        "the same report either way"
    );

    let bad = run(&["2026-1", "--data", dir, "--config", config]);
    assert!(!bad.status.success());
    let said = String::from_utf8_lossy(&bad.stderr);
    assert!(
        said.contains("\"2026-1\" is not a month: expected YYYY-MM, e.g. 2026-11"),
        "{said}"
    );
}
