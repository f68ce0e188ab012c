//! The demo's simulated devices: plays the [`script`](super::script) against the hub over real
//! device WebSockets (one per source, opened on first use, reopened after a failure) and
//! starts the drill over the HTTP API. All it does is send; what to send is the script's.

use std::collections::HashMap;

use alert_hub::protocol::{DeviceReply, DrillView};
use futures_util::{SinkExt, StreamExt};
use hub_client::{DEVICES_PATH, HubAddress, Socket};
use time::OffsetDateTime;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use super::script::{self, Happening, Scheduled};

/// Plays the script from now against the hub at `hub`, then sends heartbeats until the task is
/// dropped. Failures are logged (the demo's log file) and the next event tries again.
pub async fn run(hub: HubAddress) {
    let start = OffsetDateTime::now_utc();
    let began = Instant::now();
    let mut player = Player::new(hub);
    player.play_all(script::schedule(start), began, 1).await;
    for round in 1.. {
        player
            .play_all(script::heartbeat_round(start, round), began, 1)
            .await;
    }
}

/// Sends scheduled happenings to a hub, keeping one device connection per source.
pub struct Player {
    hub: HubAddress,
    devices: HashMap<&'static str, Socket>,
}

impl Player {
    /// A player for the hub at `hub`, with no connection open yet.
    pub fn new(hub: HubAddress) -> Player {
        Player {
            hub,
            devices: HashMap::new(),
        }
    }

    /// Plays each entry at `began + after / speedup` (`speedup` 1 is real time).
    pub async fn play_all(&mut self, entries: Vec<Scheduled>, began: Instant, speedup: u32) {
        for entry in entries {
            tokio::time::sleep_until(began + entry.after / speedup.max(1)).await;
            if let Err(e) = self.play(entry).await {
                tracing::warn!(error = %e, "the demo devices could not play an event");
            }
        }
    }

    /// Plays one entry now; an error says what the hub did not take.
    pub async fn play(&mut self, entry: Scheduled) -> Result<(), String> {
        match entry.what {
            Happening::Event(event) => {
                let frame = serde_json::to_string(&event).map_err(|e| e.to_string())?;
                self.send(entry.token, frame)
                    .await
                    .map_err(|e| format!("{}: {e}", event.id))
            }
            Happening::DrillStarts { id, name } => {
                let body = serde_json::json!({ "id": id, "name": name });
                let drill: DrillView = self
                    .hub
                    .post_json("/v1/drills", entry.token, &body)
                    .await
                    .map_err(|e| format!("starting drill {id}: {e}"))?;
                tracing::info!(drill = %drill.id, "demo drill started");
                Ok(())
            }
        }
    }

    /// Sends one frame as the source of `token` and waits for the hub's answer.
    async fn send(&mut self, token: &'static str, frame: String) -> Result<(), String> {
        if !self.devices.contains_key(token) {
            let device = self
                .hub
                .websocket(DEVICES_PATH, Some(token))
                .await
                .map_err(|e| e.to_string())?;
            self.devices.insert(token, device);
        }
        let Some(device) = self.devices.get_mut(token) else {
            return Err("no connection".into());
        };
        let answer = exchange(device, frame).await;
        if answer.is_err() {
            self.devices.remove(token);
        }
        match answer? {
            DeviceReply::Ack(_) => Ok(()),
            DeviceReply::Nack(nack) => Err(format!("{:?}: {}", nack.error, nack.message)),
        }
    }
}

async fn exchange(device: &mut Socket, frame: String) -> Result<DeviceReply, String> {
    device
        .send(Message::text(frame))
        .await
        .map_err(|e| e.to_string())?;
    loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(10), device.next())
            .await
            .map_err(|_| "no answer in time".to_string())?;
        match message {
            Some(Ok(Message::Text(text))) => {
                return serde_json::from_str(text.as_str()).map_err(|e| e.to_string());
            }
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(e.to_string()),
            None => return Err("the hub closed the connection".into()),
        }
    }
}
