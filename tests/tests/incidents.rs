//! Incidents from real device traffic: an alarm storm collapses, supervision raises
//! `comms.lost`, and the board order puts the loudest first.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use system_tests::{Device, HubProcess, event, fast_panel_config, get_json, tokens};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alarm_storm_of_5000_events_yields_a_handful_of_incidents_counting_every_event() {
    let dir = tempfile::tempdir().unwrap();
    let config = fast_panel_config(dir.path(), 100_000);
    let hub = HubProcess::start_with(&config, &dir.path().join("data"));
    let device = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    let (mut sink, mut stream) = device.ws.split();
    let started = std::time::Instant::now();
    let sender = tokio::spawn(async move {
        for n in 0..5000 {
            let kind = if n % 5 == 0 {
                "fire.prealarm"
            } else {
                "fire.alarm"
            };
            let frame = event(
                &format!("s{n}"),
                kind,
                &format!("smoke-{}", n % 60),
                &format!("{}F", 5 + n % 4),
            );
            sink.send(Message::text(frame.to_string())).await.unwrap();
        }
    });
    for _ in 0..5000 {
        stream.next().await.unwrap().unwrap();
    }
    sender.await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the storm took {:?}",
        started.elapsed()
    );
    let incidents = get_json(&hub, "/v1/incidents").await;
    let incidents = incidents.as_array().unwrap();
    assert_eq!(incidents.len(), 4, "one incident per zone in alarm");
    let total: u64 = incidents
        .iter()
        .map(|i| i["event_count"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 5000);
    for i in incidents {
        assert_eq!(i["priority"], "P1");
        assert_eq!(i["confirmed_by_two_detectors"], true);
    }
    let id = incidents[0]["id"].as_str().unwrap();
    let whole = get_json(&hub, &format!("/v1/incidents/{id}")).await;
    let log = whole["log"].as_array().unwrap();
    let accounted: u64 = log
        .iter()
        .map(|e| match e["event"].as_str() {
            Some("opened") => 1,
            Some("event_joined") => 1 + e["more"].as_u64().unwrap_or(0),
            _ => 0,
        })
        .sum();
    assert_eq!(
        accounted,
        whole["incident"]["event_count"].as_u64().unwrap(),
        "every event is in the log"
    );
    assert!(
        log.len() < 600,
        "a storm folds into a readable log, not {} lines",
        log.len()
    );
}

#[tokio::test]
async fn a_forced_door_during_a_fire_alarm_joins_the_fire_incident() {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let mut panel = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    let mut doors = Device::connect(&hub, tokens::ACCESS_GG).await;
    panel
        .send(&event("f1", "fire.alarm", "smoke-1", "7F east"))
        .await;
    doors
        .send(&event("d1", "access.forced", "door-7F-stairs", "7F stairs"))
        .await;
    doors
        .send(&event(
            "d2",
            "access.held_open",
            "door-1F-lobby",
            "1F lobby",
        ))
        .await;
    let incidents = get_json(&hub, "/v1/incidents").await;
    assert_eq!(incidents.as_array().unwrap().len(), 1);
    assert_eq!(incidents[0]["event_count"], 3);
}

#[tokio::test]
async fn a_silent_source_raises_comms_lost_and_is_restored_when_it_speaks() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("site.toml");
    std::fs::write(
        &config,
        "[[sites]]\nid = \"green-garden\"\nname = \"G\"\n\
         [[sources]]\nid = \"lift-1\"\nsite = \"green-garden\"\nkind = \"elevator_unit\"\n\
         token = \"lift-token-0123456\"\nheartbeat_secs = 1\n\
         [[operators]]\nid = \"op-li\"\nname = \"Li\"\nrole = \"operator\"\ntoken = \"demo-operator-li-wei\"\n",
    )
    .unwrap();
    let hub = HubProcess::start_with(&config, &dir.path().join("data"));
    let mut found = None;
    for _ in 0..100 {
        let incidents = get_json(&hub, "/v1/incidents").await;
        if let Some(i) = incidents.as_array().unwrap().first() {
            found = Some(i.clone());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let incident = found.expect("comms.lost raised within 10 s of a 1 s heartbeat");
    assert_eq!(incident["kind"], "comms.lost");
    assert_eq!(incident["priority"], "P4");
    assert_eq!(incident["source"], "lift-1");
    let mut lift = Device::connect(&hub, "lift-token-0123456").await;
    let mut beat = event("hb1", "heartbeat", "lift-1", "car 1");
    beat["detail"] = json!({});
    lift.send(&beat).await;
    let incidents = get_json(&hub, "/v1/incidents").await;
    assert_eq!(
        incidents[0]["restored"], true,
        "speaking again restores it; an operator closes it"
    );
    assert_eq!(incidents[0]["state"], "new");
}

#[tokio::test]
async fn the_board_order_puts_p1_first_whatever_arrived_first() {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let mut panel = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    let mut lift = Device::connect(&hub, tokens::LIFT_GG_1).await;
    panel
        .send(&event("t1", "fire.trouble", "loop-1", "B1"))
        .await;
    panel
        .send(&event("s1", "fire.supervisory", "valve-1", "B2 pump room"))
        .await;
    lift.send(&event("e1", "elevator.entrapment", "lift-1", "car 1"))
        .await;
    let incidents = get_json(&hub, "/v1/incidents").await;
    let kinds: Vec<&str> = incidents
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["elevator.entrapment", "fire.supervisory", "fire.trouble"]
    );
}
