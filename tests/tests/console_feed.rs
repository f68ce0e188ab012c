//! The console feed over a real WebSocket: snapshot, live changes, `?since=` replay exactly
//! once and in order, resync of a console that falls behind, and commands with their log.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::Duration;

use alert_hub::protocol::{Command, ConsoleMessage, IncidentEvent, IncidentState, RefusalCode};
use futures_util::{SinkExt, StreamExt};
use system_tests::{Console, Device, HubProcess, event, fast_panel_config, get_json, tokens};
use tokio_tungstenite::tungstenite::Message;

/// Reads the snapshot, the hand-overs and the `live` marker that follow it; returns the
/// snapshot's seq.
async fn snapshot_seq(console: &mut Console) -> u64 {
    let seq = match console.next().await {
        ConsoleMessage::Snapshot { seq, .. } => seq,
        other => panic!("expected a snapshot first, got {other:?}"),
    };
    assert!(matches!(
        console.next().await,
        ConsoleMessage::HandOvers { .. }
    ));
    assert_eq!(console.next().await, ConsoleMessage::Live { seq });
    seq
}

async fn change_seq(console: &mut Console) -> u64 {
    match console.next().await {
        ConsoleMessage::Change { seq, change } => {
            assert_eq!(seq, change.entry.seq);
            seq
        }
        other => panic!("expected a change, got {other:?}"),
    }
}

/// Reads changes until none comes for a moment; asserts they are gap-free from `last + 1`.
async fn drain_changes(console: &mut Console, mut last: u64) -> u64 {
    while let Some(message) = console.try_next(Duration::from_millis(500)).await {
        if let ConsoleMessage::Live { seq } = message {
            assert_eq!(seq, last, "live once the replay is done");
            continue;
        }
        if matches!(
            message,
            ConsoleMessage::DrillsChanged { .. }
                | ConsoleMessage::OnTestChanged { .. }
                | ConsoleMessage::HandOvers { .. }
        ) {
            continue;
        }
        let ConsoleMessage::Change { seq, change } = message else {
            panic!("expected only changes, got {message:?}");
        };
        assert_eq!(seq, change.entry.seq);
        assert_eq!(
            seq,
            last + 1,
            "changes are gap-free and in order, each once"
        );
        last = seq;
    }
    last
}

/// The feed sequence number a fresh console would start from.
async fn current_seq(hub: &HubProcess) -> u64 {
    let mut fresh = Console::connect(hub, tokens::OPERATOR_WANG, None).await;
    snapshot_seq(&mut fresh).await
}

#[tokio::test]
async fn a_reconnecting_console_receives_every_missed_change_exactly_once_in_order() {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let mut device = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    let mut console = Console::connect(&hub, tokens::OPERATOR_LI, None).await;
    let start = snapshot_seq(&mut console).await;
    for n in 0..10 {
        let zone = format!("zone-{}", n % 3);
        device
            .send(&event(&format!("a{n}"), "fire.alarm", "smoke-1", &zone))
            .await;
    }
    let last = drain_changes(&mut console, start).await;
    assert!(last >= start + 10, "every event produced a change");
    drop(console);

    for n in 0..25 {
        let zone = format!("B{}", n % 4);
        device
            .send(&event(&format!("b{n}"), "fire.trouble", "loop-1", &zone))
            .await;
    }
    let missed_up_to = current_seq(&hub).await;
    assert!(missed_up_to >= last + 25);
    let mut console = Console::connect(&hub, tokens::OPERATOR_LI, Some(last)).await;
    let replayed = drain_changes(&mut console, last).await;
    assert_eq!(
        replayed, missed_up_to,
        "exactly the missed changes were replayed"
    );
    device
        .send(&event("c0", "elevator.entrapment", "lift-1", "car 1"))
        .await;
    assert_eq!(
        change_seq(&mut console).await,
        replayed + 1,
        "then the live feed follows"
    );
}

#[tokio::test]
async fn a_console_asking_for_too_old_or_future_changes_gets_a_snapshot() {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let mut device = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    device.send(&event("a", "fire.alarm", "smoke-1", "z")).await;
    let now = current_seq(&hub).await;
    let mut console = Console::connect(&hub, tokens::OPERATOR_LI, Some(999_999)).await;
    match console.next().await {
        ConsoleMessage::Snapshot {
            seq,
            incidents,
            operator,
            ..
        } => {
            assert_eq!(seq, now);
            assert_eq!(incidents.len(), 1);
            assert_eq!(operator.id, "op-li");
        }
        other => panic!("expected a snapshot, got {other:?}"),
    }
}

#[tokio::test]
async fn commands_are_logged_with_the_operator_and_refused_with_a_reason() {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let mut device = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    device
        .send(&event("a", "fire.alarm", "smoke-1", "7F east"))
        .await;
    let mut li = Console::connect(&hub, tokens::OPERATOR_LI, None).await;
    let mut wang = Console::connect(&hub, tokens::OPERATOR_WANG, None).await;
    let mut manager = Console::connect(&hub, tokens::MANAGER, None).await;
    let id = "INC-000001".to_string();

    let refused = manager
        .command(Command::Acknowledge {
            incident: id.clone(),
        })
        .await;
    assert_eq!(refused.error, Some(RefusalCode::NotPermitted));
    let message = refused.message.expect("a sentence");
    assert!(message.en.contains("manager"), "{message:?}");
    assert!(message.zh.contains("项目经理"), "{message:?}");

    assert!(
        li.command(Command::Acknowledge {
            incident: id.clone()
        })
        .await
        .ok
    );
    let twice = wang
        .command(Command::Acknowledge {
            incident: id.clone(),
        })
        .await;
    assert_eq!(twice.error, Some(RefusalCode::InvalidState));
    assert!(twice.message.unwrap_or_default().en.contains("op-li"));
    let note = Command::AddNote {
        incident: id.clone(),
        text: "guard Zhou sent to 7F".into(),
    };
    assert!(li.command(note).await.ok);
    assert!(
        li.command(Command::Resolve {
            incident: id.clone(),
            summary: Some("burnt toast".into())
        })
        .await
        .ok
    );
    assert!(
        li.command(Command::Close {
            incident: id.clone()
        })
        .await
        .ok
    );
    let same = li
        .command(Command::Close {
            incident: id.clone(),
        })
        .await;
    assert_eq!(same.error, Some(RefusalCode::NeedsSecondOperator));
    assert!(
        wang.command(Command::Close {
            incident: id.clone()
        })
        .await
        .ok
    );

    let whole = get_json(&hub, &format!("/v1/incidents/{id}")).await;
    assert_eq!(whole["incident"]["state"], "closed");
    let log: Vec<IncidentEvent> = whole["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| serde_json::from_value(e.clone()).unwrap())
        .collect();
    assert!(matches!(&log[0], IncidentEvent::Opened { .. }));
    assert!(log.contains(&IncidentEvent::Acknowledged {
        operator: "op-li".into()
    }));
    assert!(log.contains(&IncidentEvent::NoteAdded {
        operator: "op-li".into(),
        text: "guard Zhou sent to 7F".into()
    }));
    assert!(log.contains(&IncidentEvent::Closed {
        operator: "op-li".into(),
        confirmed_by: Some("op-wang".into())
    }));
    assert!(
        whole["log"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["actor"]["id"] == "op-wang")
    );
    assert_eq!(
        get_json(&hub, "/v1/incidents?state=open")
            .await
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        get_json(&hub, "/v1/incidents?state=all").await[0]["state"],
        serde_json::json!(IncidentState::Closed)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_that_stops_reading_never_slows_ingest_and_is_resynced() {
    let dir = tempfile::tempdir().unwrap();
    let config = fast_panel_config(dir.path(), 1_000_000);
    let hub = HubProcess::start_with(&config, &dir.path().join("data"));
    let mut stalled = Console::connect(&hub, tokens::OPERATOR_LI, None).await;
    snapshot_seq(&mut stalled).await;
    let device = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    let (mut sink, mut stream) = device.ws.split();
    const N: usize = 30_000;
    let sender = tokio::spawn(async move {
        for n in 0..N {
            // Alternating kinds, so each event is a change of its own (a storm of one kind
            // folds into few changes and would not make the console fall behind).
            let kind = if n % 2 == 0 {
                "fire.alarm"
            } else {
                "fire.prealarm"
            };
            let frame = event(
                &format!("s{n}"),
                kind,
                &format!("smoke-{}", n % 50),
                "7F east",
            );
            sink.send(Message::text(frame.to_string())).await.unwrap();
        }
    });
    for _ in 0..N {
        tokio::time::timeout(Duration::from_secs(30), stream.next())
            .await
            .expect("acks keep coming")
            .unwrap()
            .unwrap();
    }
    sender.await.unwrap();
    let mut resynced = false;
    while let Some(message) = stalled.try_next(Duration::from_secs(2)).await {
        match message {
            ConsoleMessage::Resync { .. } => resynced = true,
            ConsoleMessage::Snapshot { incidents, .. } if resynced => {
                assert_eq!(incidents.len(), 1);
                break;
            }
            _ => {}
        }
    }
    assert!(
        resynced,
        "the stalled console was resynced rather than buffered without bound"
    );
}

#[tokio::test]
async fn playbook_steps_from_the_console_are_logged_with_the_operator() {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let mut device = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    device
        .send(&event("a", "fire.alarm", "smoke-1", "7F east"))
        .await;
    let mut li = Console::connect(&hub, tokens::OPERATOR_LI, None).await;
    let id = "INC-000001".to_string();
    let choose = Command::Choose {
        incident: id.clone(),
        step: "confirm".into(),
        choice: "real".into(),
    };
    let early = li.command(choose.clone()).await;
    assert_eq!(
        early.error,
        Some(RefusalCode::InvalidState),
        "acknowledge first"
    );
    assert!(
        li.command(Command::Acknowledge {
            incident: id.clone()
        })
        .await
        .ok
    );
    assert!(li.command(choose).await.ok);
    let wrong = li
        .command(Command::CompleteStep {
            incident: id.clone(),
            step: "evacuate".into(),
        })
        .await;
    assert!(!wrong.ok, "only the current step can be completed");
    let message = wrong.message.expect("a sentence");
    assert!(
        message.en.contains("step 5 “Evacuate”"),
        "the step as the operator reads it: {message:?}"
    );
    assert!(message.zh.contains("第 5 步“组织疏散”"), "{message:?}");
    assert!(
        li.command(Command::CompleteStep {
            incident: id.clone(),
            step: "linkage-auto".into()
        })
        .await
        .ok
    );

    let whole = get_json(&hub, &format!("/v1/incidents/{id}")).await;
    let playbook = &whole["incident"]["playbook"];
    assert_eq!(playbook["id"], "fire-alarm");
    assert_eq!(playbook["current"], "call-119");
    assert_eq!(whole["incident"]["state"], "in_progress");
    let runs: Vec<&serde_json::Value> = whole["log"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "playbook")
        .collect();
    assert!(runs.iter().any(|e| e["run"]["event"] == "choice_made"
        && e["run"]["by"] == "op-li"
        && e["actor"]["id"] == "op-li"));
    assert!(
        runs.iter()
            .any(|e| e["run"]["event"] == "step_completed" && e["run"]["step"] == "linkage-auto")
    );

    let undo = Command::UndoStep {
        incident: id.clone(),
        step: "linkage-auto".into(),
    };
    assert!(li.command(undo).await.ok, "a mistaken completion is undone");
    let whole = get_json(&hub, &format!("/v1/incidents/{id}")).await;
    assert_eq!(whole["incident"]["playbook"]["current"], "linkage-auto");
    assert!(whole["log"].as_array().unwrap().iter().any(|e| {
        e["run"]["event"] == "step_reopened"
            && e["run"]["step"] == "linkage-auto"
            && e["actor"]["id"] == "op-li"
    }));
}

#[tokio::test]
async fn a_shift_hand_over_is_confirmed_by_the_incoming_operator_and_kept() {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let mut device = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    device
        .send(&event("a", "fire.trouble", "loop-1", "B1"))
        .await;
    let mut li = Console::connect(&hub, tokens::OPERATOR_LI, None).await;
    let mut wang = Console::connect(&hub, tokens::OPERATOR_WANG, None).await;
    let hand_over = |incoming: &str| Command::HandOver {
        incoming: incoming.into(),
        note: "lift B2 still out of service".into(),
        at: time::OffsetDateTime::now_utc(),
        open_incidents: vec![],
        overdue_steps: vec![],
    };
    assert_eq!(
        li.command(hand_over("op-li")).await.error,
        Some(RefusalCode::NeedsSecondOperator)
    );
    assert_eq!(
        li.command(hand_over("mgr-chen")).await.error,
        Some(RefusalCode::BadCommand),
        "a manager is not on shift"
    );
    assert!(li.command(hand_over("op-wang")).await.ok);
    let awaiting = get_json(&hub, "/v1/handovers").await;
    assert_eq!(awaiting[0]["status"]["status"], "awaiting");

    let confirm = |note: &str| Command::ConfirmHandOver {
        seq: 1,
        note: note.into(),
    };
    let by_outgoing = li.command(confirm("")).await;
    assert_eq!(
        by_outgoing.error,
        Some(RefusalCode::NotPermitted),
        "the outgoing operator cannot confirm for the incoming one"
    );
    assert!(wang.command(confirm("took the lift call over")).await.ok);

    let kept = get_json(&hub, "/v1/handovers").await;
    assert_eq!(kept.as_array().unwrap().len(), 1);
    assert_eq!(kept[0]["outgoing"], "op-li");
    assert_eq!(kept[0]["incoming"], "op-wang");
    assert_eq!(kept[0]["note"], "lift B2 still out of service");
    assert_eq!(kept[0]["status"]["status"], "confirmed");
    assert_eq!(kept[0]["status"]["note"], "took the lift call over");
    assert_eq!(
        kept[0]["open_incidents"][0], "INC-000001",
        "the hub records what was open"
    );
    drop(hub);

    let hub = HubProcess::start(data.path());
    let kept = get_json(&hub, "/v1/handovers").await;
    assert_eq!(
        kept[0]["status"]["status"], "confirmed",
        "the confirmation survives a restart"
    );
}

#[tokio::test]
async fn an_operator_opens_an_incident_for_a_phoned_in_gas_smell() {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let mut li = Console::connect(&hub, tokens::OPERATOR_LI, None).await;
    let mut manager = Console::connect(&hub, tokens::MANAGER, None).await;
    let report = |site: &str, note: &str| Command::OpenIncident {
        kind: alert_hub::protocol::EventKind::GasLeak,
        location: alert_hub::protocol::Location {
            site: site.into(),
            building: Some("B2".into()),
            floor: Some("7".into()),
            zone: Some("1203 kitchen".into()),
        },
        note: note.into(),
        drill: None,
    };
    let refused = manager.command(report("green-garden", "smells gas")).await;
    assert_eq!(refused.error, Some(RefusalCode::NotPermitted));
    let nowhere = li.command(report("no-such-site", "smells gas")).await;
    assert_eq!(nowhere.error, Some(RefusalCode::BadCommand));
    let silent = li.command(report("green-garden", " ")).await;
    assert_eq!(
        silent.error,
        Some(RefusalCode::BadCommand),
        "a note is required"
    );

    let opened = li
        .command(report(
            "green-garden",
            "resident Wang, 1203, smells gas in the kitchen",
        ))
        .await;
    assert!(opened.ok, "{opened:?}");
    let incidents = get_json(&hub, "/v1/incidents").await;
    let incidents = incidents.as_array().unwrap();
    assert_eq!(incidents.len(), 1, "only the accepted report opened one");
    let gas = &incidents[0];
    assert_eq!(gas["kind"], "manual.gas_leak");
    assert_eq!(gas["priority"], "P1");
    assert_eq!(gas["state"], "new");
    assert_eq!(gas["location"]["zone"], "1203 kitchen");
    let id = gas["id"].as_str().unwrap();
    let whole = get_json(&hub, &format!("/v1/incidents/{id}")).await;
    assert_eq!(
        whole["incident"]["playbook"]["id"], "gas-leak",
        "its playbook started"
    );
    let log = whole["log"].as_array().unwrap();
    assert_eq!(log[0]["event"], "opened");
    assert_eq!(
        log[0]["actor"]["id"], "op-li",
        "logged as opened by the operator"
    );
    assert!(
        log.iter().any(|e| e["event"] == "note_added"
            && e["text"] == "resident Wang, 1203, smells gas in the kitchen"),
        "{log:?}"
    );
}
