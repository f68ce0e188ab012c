//! Device ingest over real WebSockets against the real hub: acks, duplicates, every nack code,
//! and the 401s before the upgrade.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use alert_hub::protocol::{Ack, DeviceReply, NackCode};
use serde_json::json;
use system_tests::{Device, HubProcess, connect, event, get_json, http, tokens};

fn ack(reply: &DeviceReply) -> &Ack {
    match reply {
        DeviceReply::Ack(ack) => ack,
        DeviceReply::Nack(nack) => panic!("expected an ack, got {nack:?}"),
    }
}

fn nack(reply: &DeviceReply) -> (Option<&str>, NackCode, &str) {
    match reply {
        DeviceReply::Nack(n) => (n.nack.as_deref(), n.error, n.message.as_str()),
        DeviceReply::Ack(a) => panic!("expected a nack, got {a:?}"),
    }
}

#[tokio::test]
async fn a_missing_or_unknown_token_is_refused_with_401_before_the_upgrade() {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let url = "/v1/devices";
    assert_eq!(connect(&hub, url, None).await.err(), Some(401));
    assert_eq!(
        connect(&hub, url, Some("not-a-token-at-all")).await.err(),
        Some(401)
    );
    assert_eq!(
        connect(&hub, url, Some(tokens::OPERATOR_LI)).await.err(),
        Some(401),
        "an operator is not a device"
    );
    let console = "/v1/console";
    assert_eq!(connect(&hub, console, None).await.err(), Some(401));
    assert_eq!(
        connect(&hub, console, Some(tokens::FIRE_PANEL_GG))
            .await
            .err(),
        Some(401),
        "a device is not an operator"
    );
}

#[tokio::test]
async fn events_are_acked_in_order_with_increasing_sequence_numbers() {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let mut device = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    for n in 0..5 {
        device
            .send_text(event(&format!("fp:{n}"), "fire.trouble", "loop-1", "B1").to_string())
            .await;
    }
    let mut last = 0;
    for n in 0..5 {
        let reply = device.reply().await;
        let a = ack(&reply);
        assert_eq!(a.ack, format!("fp:{n}"));
        assert!(a.seq > last);
        assert!(!a.duplicate);
        last = a.seq;
    }
    let stored = get_json(&hub, "/v1/events?after=0&limit=10").await;
    let ids: Vec<&str> = stored
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["fp:0", "fp:1", "fp:2", "fp:3", "fp:4"]);
    assert_eq!(
        stored[0]["source"], "fp-gg",
        "the source comes from the token"
    );
}

#[tokio::test]
async fn a_resent_id_is_a_duplicate_with_the_original_seq_and_is_stored_once() {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let mut device = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    let frame = event("fp:dup", "fire.alarm", "smoke-1", "7F east");
    let first = device.send(&frame).await;
    let again = device.send(&frame).await;
    assert_eq!(ack(&again).seq, ack(&first).seq);
    assert!(ack(&again).duplicate);
    let mut other_source = Device::connect(&hub, tokens::FIRE_PANEL_RP).await;
    let mut frame_rp = frame.clone();
    frame_rp["site"] = json!("riverside-plaza");
    let other = other_source.send(&frame_rp).await;
    assert!(
        !ack(&other).duplicate,
        "ids are unique per source, not across sources"
    );
    let stored = get_json(&hub, "/v1/events?after=0&limit=100").await;
    assert_eq!(stored.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn an_id_older_than_the_ids_kept_in_memory_is_still_a_duplicate_after_a_restart() {
    const KEPT: usize = 10_000;
    let files = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let config = system_tests::fast_panel_config(files.path(), 1_000_000);
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{text}\n[store]\nids_in_memory = {KEPT}\n"),
    )
    .unwrap();
    let mut hub = HubProcess::start_with(&config, data.path());
    // One frame a second of device time, so the first ones are older than what stays.
    let frame = |n: usize| {
        let mut frame = event(&format!("hb-{n}"), "heartbeat", "panel", "B2");
        let at = format!(
            "2026-11-22T{:02}:{:02}:{:02}Z",
            15 + n / 3600,
            n / 60 % 60,
            n % 60
        );
        frame["at"] = json!(at);
        frame
    };
    let mut device = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    let mut first_seqs = Vec::new();
    for chunk in (0..KEPT + 50).collect::<Vec<_>>().chunks(200) {
        for &n in chunk {
            device.send_text(frame(n).to_string()).await;
        }
        for _ in chunk {
            let reply = device.reply().await;
            assert!(!ack(&reply).duplicate, "{reply:?}");
            first_seqs.push(ack(&reply).seq);
        }
    }
    let again = device.send(&frame(0)).await;
    assert!(
        ack(&again).duplicate,
        "the oldest id, long out of memory: {again:?}"
    );
    assert_eq!(ack(&again).seq, first_seqs[0]);

    drop(device);
    hub.restart();
    let mut device = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    for n in [1, 30, KEPT + 49] {
        let again = device.send(&frame(n)).await;
        assert!(ack(&again).duplicate, "hb-{n} after a restart: {again:?}");
        assert_eq!(ack(&again).seq, first_seqs[n]);
    }
    // A new id stamped as old as the oldest is looked up, not found, and stored.
    let mut new = frame(0);
    new["id"] = json!("hb-new");
    let stored = device.send(&new).await;
    assert!(!ack(&stored).duplicate, "{stored:?}");
    assert_eq!(ack(&stored).seq, first_seqs[KEPT + 49] + 1);
}

#[tokio::test]
async fn every_bad_frame_gets_its_nack_code_and_never_closes_the_connection() {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let mut device = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    let good = event("fp:1", "fire.trouble", "loop-1", "B1");

    device.send_text("{this is not json").await;
    let reply = device.reply().await;
    assert_eq!(nack(&reply).0, None);
    assert_eq!(nack(&reply).1, NackCode::MalformedJson);

    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("device");
    let reply = device.send(&missing).await;
    assert_eq!(nack(&reply).0, Some("fp:1"));
    assert_eq!(nack(&reply).1, NackCode::MissingField);
    assert!(nack(&reply).2.contains("device"), "{}", nack(&reply).2);

    let mut kind = good.clone();
    kind["kind"] = json!("fire.smoke");
    assert_eq!(nack(&device.send(&kind).await).1, NackCode::UnknownKind);

    let mut at = good.clone();
    at["at"] = json!("yesterday");
    assert_eq!(nack(&device.send(&at).await).1, NackCode::BadTimestamp);

    let mut site = good.clone();
    site["site"] = json!("atlantis");
    assert_eq!(nack(&device.send(&site).await).1, NackCode::UnknownSite);

    let mut drill = good.clone();
    drill["drill"] = json!("q1-evacuation");
    let reply = device.send(&drill).await;
    assert_eq!(nack(&reply).1, NackCode::DrillNotRunning);
    assert!(nack(&reply).2.contains("q1-evacuation"));

    let mut large = good.clone();
    large["detail"] = json!({ "pad": "x".repeat(70 * 1024) });
    assert_eq!(nack(&device.send(&large).await).1, NackCode::TooLarge);

    let reply = device.send(&good).await;
    assert_eq!(
        ack(&reply).ack,
        "fp:1",
        "the connection is still open and the good frame is stored"
    );
    let stored = get_json(&hub, "/v1/events?after=0").await;
    assert_eq!(
        stored.as_array().unwrap().len(),
        1,
        "nothing refused was stored"
    );

    let (status, metrics) =
        http(hub.addr, "GET", "/metrics", Some(tokens::OPERATOR_LI), None).await;
    assert_eq!(status, 200);
    for code in [
        "malformed_json",
        "missing_field",
        "unknown_kind",
        "bad_timestamp",
        "unknown_site",
        "drill_not_running",
        "too_large",
    ] {
        assert!(
            metrics.contains(&format!("hub_events_nacked_total{{code=\"{code}\"}} 1")),
            "{code}: {metrics}"
        );
    }
}

#[tokio::test]
async fn a_drill_event_is_accepted_while_its_drill_runs_and_refused_after() {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let body = r#"{"id":"q1-evac","name":{"zh":"一季度消防疏散演练","en":"Q1 fire evacuation"}}"#;
    let (status, _) = http(
        hub.addr,
        "POST",
        "/v1/drills",
        Some(tokens::OPERATOR_LI),
        Some(body),
    )
    .await;
    assert_eq!(status, 403, "an operator may not start a drill");
    let (status, text) = http(
        hub.addr,
        "POST",
        "/v1/drills",
        Some(tokens::SAFETY_OFFICER),
        Some(body),
    )
    .await;
    assert_eq!(status, 201, "{text}");
    let mut device = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    let mut frame = event("fp:d1", "fire.alarm", "smoke-1", "7F east");
    frame["drill"] = json!("q1-evac");
    ack(&device.send(&frame).await);
    let end = |token| {
        http(
            hub.addr,
            "POST",
            "/v1/drills/q1-evac/end",
            Some(token),
            None,
        )
    };
    let (status, body) = end(tokens::SAFETY_OFFICER).await;
    assert_eq!(status, 202, "one person asks: {body}");
    frame["id"] = json!("fp:d1b");
    ack(&device.send(&frame).await);
    let (status, body) = end(tokens::SAFETY_OFFICER).await;
    assert_eq!(status, 409, "the same person cannot confirm: {body}");
    assert!(
        body.contains("a second safety officer or admin confirms"),
        "{body}"
    );
    let (status, body) = end(tokens::ADMIN).await;
    assert_eq!(status, 200, "a second person confirms: {body}");
    let record = get_json(&hub, "/v1/drills/q1-evac/record").await;
    assert_eq!(record["outcome"], "completed");
    assert_eq!(record["ended_by"], "so-zhao");
    assert_eq!(record["confirmed_by"], "admin");
    assert_eq!(record["incidents"][0], "INC-000001");
    frame["id"] = json!("fp:d2");
    assert_eq!(
        nack(&device.send(&frame).await).1,
        NackCode::DrillNotRunning
    );
    let incidents = get_json(&hub, "/v1/incidents?state=all").await;
    assert_eq!(
        incidents[0]["drill"], "q1-evac",
        "the drill incident is marked as a drill"
    );
}

#[tokio::test]
async fn a_source_far_above_its_rate_gets_rate_limited_but_its_fire_alarms_never_do() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("site.toml");
    std::fs::write(
        &config,
        "[[sites]]\nid = \"green-garden\"\nname = \"G\"\n\
         [[sources]]\nid = \"fp\"\nsite = \"green-garden\"\nkind = \"fire_panel\"\n\
         token = \"panel-token-0123456\"\nmax_events_per_sec = 5\nburst = 5\n\
         [[operators]]\nid = \"op\"\nname = \"O\"\nrole = \"operator\"\ntoken = \"demo-operator-li-wei\"\n",
    )
    .unwrap();
    let hub = HubProcess::start_with(&config, &dir.path().join("data"));
    let mut device = Device::connect(&hub, "panel-token-0123456").await;
    let mut limited = 0;
    for n in 0..40 {
        let reply = device
            .send(&event(&format!("t{n}"), "fire.trouble", "loop", "B1"))
            .await;
        if let DeviceReply::Nack(n) = reply {
            assert_eq!(n.error, NackCode::RateLimited);
            limited += 1;
        }
    }
    assert!(limited >= 20, "only {limited} of 40 were limited");
    let reply = device
        .send(&event("alarm", "fire.alarm", "smoke", "7F"))
        .await;
    assert!(
        !ack(&reply).duplicate,
        "a fire alarm is stored even over the rate"
    );
    let (_, metrics) = http(hub.addr, "GET", "/metrics", Some(tokens::OPERATOR_LI), None).await;
    assert!(
        metrics.contains(&format!(
            "hub_rate_limited_total{{source=\"fp\"}} {limited}"
        )),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_babbling_source_cannot_starve_another_sources_fire_alarm() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let dir = tempfile::tempdir().unwrap();
    let config = system_tests::fast_panel_config(dir.path(), 1_000_000);
    let text = std::fs::read_to_string(&config).unwrap().replacen(
        "[[operators]]",
        "[[sources]]\nid = \"ac-gg\"\nsite = \"green-garden\"\nkind = \"access_controller\"\ntoken = \"demo-access-green-garden\"\n\n[[operators]]",
        1,
    );
    std::fs::write(&config, text).unwrap();
    let hub = HubProcess::start_with(&config, &dir.path().join("data"));
    let babbler = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    let (mut sink, mut stream) = babbler.ws.split();
    let flood = tokio::spawn(async move {
        for n in 0..50_000 {
            let frame = event(&format!("b{n}"), "fire.trouble", "loop-1", "B1").to_string();
            if sink.send(Message::text(frame)).await.is_err() {
                return;
            }
        }
    });
    let drain = tokio::spawn(async move { while let Some(Ok(_)) = stream.next().await {} });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mut other = Device::connect(&hub, tokens::ACCESS_GG).await;
    let started = std::time::Instant::now();
    let reply = other
        .send(&event("duress-1", "access.duress", "pad-gate", "main gate"))
        .await;
    let waited = started.elapsed();
    assert!(!ack(&reply).duplicate);
    assert!(
        waited < std::time::Duration::from_secs(1),
        "the other source waited {waited:?}"
    );
    flood.abort();
    drain.abort();
}

/// Issue 15, item 5: numbers in `detail` were stored as floats (`12345678901234567890123`
/// came back as `1.2345678901234568e+22`, `1e-400` as `0.0`). They come back as written.
#[tokio::test]
async fn numbers_in_detail_are_stored_and_read_back_exactly_as_the_device_wrote_them() {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let mut device = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    let detail =
        r#"{"count":12345678901234567890123,"tiny":1e-400,"ratio":0.10,"neg":-0.0,"e":1E+2}"#;
    let mut frame = event("exact-1", "fire.trouble", "smoke-1", "7F east").to_string();
    frame = frame.replace(r#""detail":{}"#, &format!(r#""detail":{detail}"#));
    assert!(frame.contains(detail), "{frame}");
    device.send_text(frame).await;
    ack(&device.reply().await);
    let (status, body) = http(
        hub.addr,
        "GET",
        "/v1/events?after=0",
        Some(tokens::OPERATOR_LI),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(&format!(r#""detail":{detail}"#)), "{body}");
}

#[tokio::test]
async fn a_source_reports_for_its_own_site_only() {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let mut panel = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    let mut elsewhere = event("fp:elsewhere", "fire.alarm", "smoke-1", "7F east");
    elsewhere["site"] = json!("riverside-plaza");
    let reply = panel.send(&elsewhere).await;
    let DeviceReply::Nack(nack) = reply else {
        panic!("an event for another site is refused: {reply:?}");
    };
    assert_eq!(nack.error, NackCode::UnknownSite);
    assert_eq!(nack.nack.as_deref(), Some("fp:elsewhere"));
    assert!(nack.message.contains("riverside-plaza"), "{}", nack.message);
    let own = panel
        .send(&event("fp:own", "fire.alarm", "smoke-1", "7F east"))
        .await;
    assert!(matches!(own, DeviceReply::Ack(_)), "{own:?}");
    let stored = get_json(&hub, "/v1/events?after=0&limit=10").await;
    let ids: Vec<&str> = stored
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["id"].as_str())
        .collect();
    assert_eq!(ids, ["fp:own"], "nothing of the refused event is stored");
}
