//! A stand-in console feed for trying the console before the hub exists: serves the sample
//! scene on `ws://127.0.0.1:7700/v1/console`, answers every command, and applies
//! acknowledgements so the board changes. Not the hub: no storage, no playbooks, one scene.
//!
//! Run `cargo run -p console --example stub_feed`, then
//! `cargo run -p console -- --hub http://127.0.0.1:7700 --token any`.

use alert_hub::protocol::{
    Actor, Change, Command, ConsoleMessage, ConsoleRequest, IncidentEvent, IncidentState,
    IncidentView, LogEntry, Reply,
};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7700".into());
    let listener = TcpListener::bind(&address).await?;
    println!("stub feed on ws://{address}/v1/console");
    loop {
        let (tcp, peer) = listener.accept().await?;
        tokio::spawn(async move {
            if let Err(e) = serve(tcp).await {
                println!("{peer}: {e}");
            }
        });
    }
}

async fn serve(tcp: tokio::net::TcpStream) -> anyhow::Result<()> {
    let mut ws = tokio_tungstenite::accept_async(tcp).await?;
    let ConsoleMessage::Snapshot {
        seq,
        operator,
        mut incidents,
        on_test,
        drills,
    } = console::sample::scene()
    else {
        anyhow::bail!("the sample scene is a snapshot");
    };
    let now = time::OffsetDateTime::now_utc();
    let shift = now - console::sample::T0;
    for incident in &mut incidents {
        incident.opened_at += shift;
        incident.last_event_at += shift;
        for step in incident
            .playbook
            .iter_mut()
            .flat_map(|p| p.steps.iter_mut())
        {
            step.due_at = step.due_at.map(|d| d + shift);
        }
        if let Some(n) = incident.notifications.as_mut() {
            n.next_escalation_at = n.next_escalation_at.map(|d| d + shift);
        }
    }
    let snapshot = ConsoleMessage::Snapshot {
        seq,
        operator,
        incidents: incidents.clone(),
        on_test,
        drills,
    };
    ws.send(Message::text(serde_json::to_string(&snapshot)?))
        .await?;
    let mut seq = seq;
    while let Some(frame) = ws.next().await {
        let Message::Text(text) = frame? else {
            continue;
        };
        let request: Result<ConsoleRequest, _> = serde_json::from_str(text.as_str());
        let (request_id, reply) = match request {
            Ok(req) => {
                if let Command::Acknowledge { incident } = &req.command {
                    if let Some(view) = incidents.iter_mut().find(|i| &i.id == incident) {
                        seq += 1;
                        let change = acknowledge(view, seq);
                        ws.send(Message::text(serde_json::to_string(&change)?))
                            .await?;
                    }
                }
                (req.request, true)
            }
            Err(_) => {
                let value: serde_json::Value = serde_json::from_str(text.as_str())?;
                (value["request"].as_str().unwrap_or("").to_string(), false)
            }
        };
        let reply = ConsoleMessage::Reply(Reply {
            request: request_id,
            ok: reply,
            error: (!reply).then_some(alert_hub::protocol::RefusalCode::BadCommand),
            message: (!reply).then(|| "the stub feed does not know this command".to_string()),
        });
        ws.send(Message::text(serde_json::to_string(&reply)?))
            .await?;
    }
    Ok(())
}

fn acknowledge(view: &mut IncidentView, seq: u64) -> ConsoleMessage {
    let now = time::OffsetDateTime::now_utc();
    view.state = IncidentState::Acknowledged;
    view.acknowledged_at = Some(now);
    view.owner = Some("op-zhang".into());
    ConsoleMessage::Change {
        seq,
        change: Box::new(Change {
            entry: LogEntry {
                seq,
                incident: view.id.clone(),
                at: now,
                actor: Actor::Operator {
                    id: "op-zhang".into(),
                },
                event: IncidentEvent::Acknowledged {
                    operator: "op-zhang".into(),
                },
            },
            incident: view.clone(),
        }),
    }
}
