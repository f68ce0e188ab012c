//! A drill played against a hub: the site checked and the drill registered before anything is
//! sent, each cue at its time with a progress bar, the end asked for (a second safety officer
//! confirms it), and an abort with its reason when the run is stopped.

use std::future::Future;
use std::time::Duration;

use alert_hub::protocol::{
    Ack, Command, ConsoleMessage, ConsoleRequest, DrillEnding, DrillView, SiteInfo,
};
use futures_util::{SinkExt, StreamExt};
use hub_client::HubAddress;
use indicatif::{ProgressBar, ProgressStyle};
use time::OffsetDateTime;
use tokio_tungstenite::tungstenite::Message;

use super::{Cue, Timed, clock, describe, device_event, location, registration, timeline};
use crate::scenario::{OpenByHand, Scenario};
use crate::{Error, Result};

/// How long the hub may take to answer a tabletop report on the console feed.
const REPLY_WAIT: Duration = Duration::from_secs(10);

/// How a run is played.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub hub: HubAddress,
    /// A safety officer's or an admin's token.
    pub token: String,
    pub site: String,
    /// Scenario seconds per wall-clock second (1 plays in real time).
    pub speed: f64,
    /// Sends nothing from devices; opens the scenario's incident as a drill report.
    pub tabletop: bool,
    /// The drill's id; one is made from the scenario, site and time otherwise.
    pub id: Option<String>,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// Every cue was played and `by` asked to end drill `id`; a second person confirms.
    EndRequested { id: String, by: String },
    /// The run was stopped and drill `id` aborted.
    Aborted { id: String },
}

/// Plays `scenario` as a drill: checks the site with the hub and registers the drill before
/// anything is sent, plays each cue at its time, and asks to end the drill. When `stop`
/// completes first (Ctrl-C), the drill is aborted with the reason and [`Ended::Aborted`] is
/// returned.
pub async fn play(
    scenario: &Scenario,
    options: &RunOptions,
    stop: impl Future<Output = ()>,
) -> Result<Ended> {
    let RunOptions {
        hub, token, site, ..
    } = options;
    let sites: Vec<SiteInfo> = hub.get_json("/v1/sites", token).await?;
    if !sites.iter().any(|s| s.id == *site) {
        let known: Vec<&str> = sites.iter().map(|s| s.id.as_str()).collect();
        return Err(Error::Plan(format!(
            "the hub serves no site \"{site}\" (it serves {}); nothing was sent",
            known.join(", ")
        )));
    }
    let id = options
        .id
        .clone()
        .unwrap_or_else(|| super::drill_id(scenario, site, OffsetDateTime::now_utc()));
    let body = registration(scenario, &id, site);
    let drill: DrillView = hub.post_json("/v1/drills", token, &body).await?;
    let cues = timeline(scenario, options.speed, options.tabletop);
    let bar = progress(&cues);
    bar.suspend(|| {
        println!(
            "drill {} started at {} by {}: {} / {} at {site}, {} cues, speed ×{}",
            drill.id,
            drill
                .started_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            drill.started_by,
            scenario.name.zh,
            scenario.name.en,
            cues.len(),
            options.speed
        );
        for objective in &scenario.objectives {
            println!(
                "  objective {}: {} / {}, within {} of the start",
                objective.id,
                objective.name.zh,
                objective.name.en,
                clock(objective.target_secs)
            );
        }
    });
    let start = tokio::time::Instant::now();
    let mut stop = std::pin::pin!(stop);
    for timed in &cues {
        tokio::select! {
            () = tokio::time::sleep_until(start + timed.offset) => {}
            () = &mut stop => {
                bar.abandon();
                let reason = format!(
                    "drills run stopped by its operator (Ctrl-C) at {} on the scenario clock",
                    clock(timed.at_secs.min(last_secs(&cues)))
                );
                abort(hub, token, &id, &reason).await?;
                println!("drill {id} aborted: {reason}");
                return Ok(Ended::Aborted { id });
            }
        }
        let line = play_cue(options, &id, timed).await?;
        bar.set_message(line.clone());
        bar.suspend(|| println!("[{}] {line}", clock(timed.at_secs)));
        bar.inc(1);
    }
    bar.finish();
    let by = match end(hub, token, &id).await? {
        DrillEnding::EndRequested { by } => by,
        DrillEnding::Ended { .. } => drill.started_by,
    };
    println!(
        "every cue was played; {by} asked to end drill {id}. A second safety officer or admin \
         must confirm the end with: drills end {id}"
    );
    Ok(Ended::EndRequested { id, by })
}

fn last_secs(cues: &[Timed]) -> u32 {
    cues.last().map_or(0, |c| c.at_secs)
}

fn progress(cues: &[Timed]) -> ProgressBar {
    let bar = ProgressBar::new(cues.len() as u64);
    if let Ok(style) =
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Plays one cue; returns the line that says what was done.
async fn play_cue(options: &RunOptions, drill: &str, timed: &Timed) -> Result<String> {
    let RunOptions {
        hub, token, site, ..
    } = options;
    match &timed.cue {
        Cue::Prompt { say } => Ok(format!("{} / {}", say.zh, say.en)),
        Cue::Narrate { event } => Ok(format!(
            "(tabletop, not sent) {}",
            describe(
                event.kind,
                &event.device,
                [
                    event.building.as_deref(),
                    event.floor.as_deref(),
                    event.zone.as_deref()
                ]
            )
        )),
        Cue::Event { n, event } => {
            let sent = device_event(drill, site, *n, event, OffsetDateTime::now_utc());
            let path = format!("/v1/drills/{}/events", hub_client::encode(drill));
            let ack: Ack = hub.post_json(&path, token, &sent).await?;
            let place = [
                event.building.as_deref(),
                event.floor.as_deref(),
                event.zone.as_deref(),
            ];
            Ok(format!(
                "sent {} as {} (seq {})",
                describe(event.kind, &event.device, place),
                ack.ack,
                ack.seq
            ))
        }
        Cue::Report { open } => {
            let incident = open_report(options, drill, open).await?;
            Ok(format!(
                "opened {} as a drill report ({}): walk its playbook on the console",
                incident,
                open.kind.as_str()
            ))
        }
    }
}

/// Opens the tabletop's incident as a drill report over the console feed; returns its kind
/// and place as text once the hub has taken it.
async fn open_report(options: &RunOptions, drill: &str, open: &OpenByHand) -> Result<String> {
    let url = options.hub.to_string();
    let failed = |message: String| Error::Socket {
        url: url.clone(),
        message,
    };
    let mut socket = options
        .hub
        .websocket(hub_client::CONSOLE_PATH, Some(&options.token))
        .await?;
    let request = ConsoleRequest {
        request: format!("{drill}:tabletop"),
        command: Command::OpenIncident {
            kind: open.kind,
            location: location(&options.site, open),
            note: format!("tabletop drill {drill}: the scenario's report, walked through"),
            drill: Some(drill.to_string()),
        },
    };
    let text = serde_json::to_string(&request).map_err(|e| failed(e.to_string()))?;
    socket
        .send(Message::Text(text.into()))
        .await
        .map_err(|e| failed(e.to_string()))?;
    let reply = tokio::time::timeout(REPLY_WAIT, async {
        while let Some(message) = socket.next().await {
            let Ok(Message::Text(text)) = message else {
                continue;
            };
            if let Ok(ConsoleMessage::Reply(reply)) = serde_json::from_str(text.as_str())
                && reply.request == request.request
            {
                return Some(reply);
            }
        }
        None
    })
    .await
    .ok()
    .flatten()
    .ok_or_else(|| failed("no answer to the tabletop report".into()))?;
    let _ = socket.close(None).await;
    if !reply.ok {
        let message = reply.message.map_or_else(String::new, |m| m.en);
        return Err(Error::Plan(format!(
            "the hub refused the tabletop report: {message}"
        )));
    }
    let place = location(&options.site, open);
    Ok(describe(
        open.kind,
        &place.site,
        [
            place.building.as_deref(),
            place.floor.as_deref(),
            place.zone.as_deref(),
        ],
    ))
}

/// Asks to end drill `id` (the first of two people) or confirms another's request.
pub async fn end(hub: &HubAddress, token: &str, id: &str) -> Result<DrillEnding> {
    let path = format!("/v1/drills/{}/end", hub_client::encode(id));
    Ok(hub.post_json(&path, token, &serde_json::json!({})).await?)
}

/// Aborts drill `id` at once, with `reason`.
pub async fn abort(hub: &HubAddress, token: &str, id: &str, reason: &str) -> Result<DrillEnding> {
    let path = format!("/v1/drills/{}/abort", hub_client::encode(id));
    let body = serde_json::json!({ "reason": reason });
    Ok(hub.post_json(&path, token, &body).await?)
}
