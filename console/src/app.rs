//! The runtime: wires the terminal, the timer, the hub link, the queries and the sound to
//! `update`, and draws after every batch of actions. All input and output happens here.

use std::sync::Arc;
use std::time::Duration;

use hub_client::HubAddress;
use ratatui::{Terminal, backend::Backend};
use time::OffsetDateTime;
use tokio::sync::{mpsc, watch};

use crate::action::{Action, Effect};
use crate::config::Config;
use crate::connection::{self, LinkCommand, LinkConfig};
use crate::error::{Error, Result};
use crate::queries::{HistoryFilter, HubQueries};
use crate::screens;
use crate::sound::player::{APLAY, PlayerReport, SoundOutput};
use crate::state::State;
use crate::update::update;

/// How often the clock ticks: countdowns, the flash (every other tick pair) and the sound.
pub const TICK: Duration = Duration::from_millis(250);

/// Runs the console until the operator quits. `in_use` is told the hub each feed connection
/// is made to (the queries follow it).
pub async fn run<B, Q>(
    config: Config,
    queries: Arc<Q>,
    in_use: watch::Sender<HubAddress>,
    terminal: &mut Terminal<B>,
) -> Result<()>
where
    B: Backend,
    B::Error: Into<std::io::Error>,
    Q: HubQueries,
{
    let (action_tx, mut action_rx) = mpsc::unbounded_channel();
    let (link_tx, link_rx) = mpsc::unbounded_channel();
    let (since_tx, since_rx) = watch::channel(None);

    crate::tui::spawn_input(action_tx.clone())?;
    tokio::spawn(ticker(action_tx.clone()));
    tokio::spawn(connection::run(
        LinkConfig {
            hubs: config.hubs.clone(),
            token: config.token.clone(),
            in_use,
        },
        since_rx,
        link_rx,
        action_tx.clone(),
    ));

    let mut sound = start_sound(action_tx.clone());

    let mut state = State::new(config.lang, config.utc_offset, OffsetDateTime::now_utc());
    if let Ok(size) = terminal.size() {
        state.size = (size.width, size.height);
    }
    loop {
        terminal
            .draw(|frame| screens::render(frame, &state))
            .map_err(|e| Error::Terminal(e.into()))?;
        let Some(first) = action_rx.recv().await else {
            return Ok(());
        };
        let mut batch = vec![first];
        while let Ok(more) = action_rx.try_recv() {
            batch.push(more);
        }
        for action in batch {
            for effect in update(&mut state, action) {
                let follow_up = carry_out(effect, &link_tx, &action_tx, &queries, &mut sound);
                if let Some(action) = follow_up {
                    let _ = action_tx.send(action);
                }
            }
            since_tx.send_if_modified(|since| {
                let resume = state.feed.resume_after();
                let changed = *since != resume;
                *since = resume;
                changed
            });
            if state.quit {
                return Ok(());
            }
        }
    }
}

/// Starts the sound player; what it finds and any cue it fails to play come back as actions.
fn start_sound(actions: mpsc::UnboundedSender<Action>) -> SoundOutput {
    SoundOutput::start(APLAY, move |report| {
        let action = match report {
            PlayerReport::Output(output) => Action::AudioReady { output },
            PlayerReport::Unheard(cue) => Action::Unheard(cue),
        };
        let _ = actions.send(action);
    })
}

async fn ticker(actions: mpsc::UnboundedSender<Action>) {
    let mut interval = tokio::time::interval(TICK);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        interval.tick().await;
        let now = OffsetDateTime::now_utc();
        if actions.send(Action::Tick { now }).is_err() {
            return;
        }
    }
}

/// Carries out one effect; returns an action when the effect failed at once.
fn carry_out<Q: HubQueries>(
    effect: Effect,
    link: &mpsc::UnboundedSender<LinkCommand>,
    actions: &mpsc::UnboundedSender<Action>,
    queries: &Arc<Q>,
    sound: &mut SoundOutput,
) -> Option<Action> {
    match effect {
        Effect::Send(out) => {
            let request = out.request().to_string();
            if link.send(LinkCommand::Send(out)).is_err() {
                return Some(Action::NotSent {
                    request,
                    reason: "the link has stopped".into(),
                });
            }
        }
        Effect::Reconnect => {
            let _ = link.send(LinkCommand::Reconnect);
        }
        Effect::Sound(cue) => sound.play(cue),
        Effect::Silence => sound.silence(),
        Effect::FetchHistory(filter) => {
            let (queries, actions) = (queries.clone(), actions.clone());
            tokio::spawn(async move {
                let result = queries.history(&filter).await;
                let _ = actions.send(Action::HistoryLoaded(result));
            });
        }
        Effect::FetchShift { since } => {
            let (queries, actions) = (queries.clone(), actions.clone());
            tokio::spawn(async move {
                let filter = HistoryFilter {
                    from: Some(since),
                    ..HistoryFilter::default()
                };
                let incidents = queries.history(&filter).await;
                let _ = actions.send(Action::ShiftLoaded { since, incidents });
            });
        }
        Effect::FetchOnTest { version } => {
            let (queries, actions) = (queries.clone(), actions.clone());
            tokio::spawn(async move {
                let on_test = queries.on_test().await;
                let _ = actions.send(Action::OnTestLoaded { version, on_test });
            });
        }
        Effect::FetchCalendar { year } => {
            let (queries, actions) = (queries.clone(), actions.clone());
            tokio::spawn(async move {
                let calendar = queries.calendar(year).await;
                let _ = actions.send(Action::CalendarLoaded { year, calendar });
                let overdue = queries.overdue_actions().await;
                let _ = actions.send(Action::OverdueActionsLoaded(overdue));
            });
        }
        Effect::FetchDrills { version } => {
            let (queries, actions) = (queries.clone(), actions.clone());
            tokio::spawn(async move {
                let drills = queries.drills().await;
                let _ = actions.send(Action::DrillsLoaded { version, drills });
            });
        }
        Effect::FetchLog(incident) => {
            let (queries, actions) = (queries.clone(), actions.clone());
            tokio::spawn(async move {
                let loaded = queries.incident(&incident).await.map(Box::new);
                let _ = actions.send(Action::LogLoaded { incident, loaded });
            });
        }
        Effect::FetchReviews => {
            let (queries, actions) = (queries.clone(), actions.clone());
            tokio::spawn(async move {
                let result = queries.awaiting_sign_off().await;
                let _ = actions.send(Action::ReviewsLoaded(result));
            });
        }
        Effect::FetchReport { pane, path } => {
            let (queries, actions) = (queries.clone(), actions.clone());
            tokio::spawn(async move {
                let text = queries.report(&path).await;
                let _ = actions.send(Action::ReportLoaded { pane, text });
            });
        }
        Effect::WriteReview { incident, review } => {
            let (queries, actions) = (queries.clone(), actions.clone());
            tokio::spawn(async move {
                let result = queries.write_review(&incident, &review).await;
                let (signed, incident) = (false, incident);
                let _ = actions.send(Action::ReviewSaved {
                    incident,
                    signed,
                    result,
                });
            });
        }
        Effect::SignOff { incident } => {
            let (queries, actions) = (queries.clone(), actions.clone());
            tokio::spawn(async move {
                let result = queries.sign_off(&incident).await;
                let _ = actions.send(Action::ReviewSaved {
                    incident,
                    signed: true,
                    result,
                });
            });
        }
        Effect::Quit => {}
    }
    None
}
