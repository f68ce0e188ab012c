//! Drills in the core: the drill state machine's events kept in the store and announced to
//! every console once the batch is durable; a drill that ends leaves its record (how it ended
//! and the incidents it raised).

use time::OffsetDateTime;

use super::State;
use super::batch::Pending;
use crate::drill::{DrillCommand, DrillEvent, DrillRefusal};
use crate::protocol::{ConsoleMessage, DrillRecord};

impl State {
    /// Checks a drill command and applies what it changes.
    pub(super) fn drill(
        &mut self,
        command: DrillCommand,
        now: OffsetDateTime,
        pending: &mut Pending,
    ) -> Result<Vec<DrillEvent>, DrillRefusal> {
        let events = self.drills.handle(command, now)?;
        for event in &events {
            match event {
                DrillEvent::DrillStarted { drill, by } => {
                    tracing::info!(drill = %drill.id, by = %by, "drill started");
                }
                DrillEvent::EndRequested { id, by } => {
                    tracing::info!(drill = %id, by = %by, "drill end asked for");
                }
                DrillEvent::DrillEnded { id, outcome } => {
                    tracing::info!(drill = %id, ?outcome, "drill ended");
                    if let Some(drill) = self.drills.get(id).cloned() {
                        let record = DrillRecord {
                            incidents: self.drill_incidents(id),
                            drill,
                            ended_at: now,
                            outcome: outcome.clone(),
                        };
                        pending.drill_records.push(record);
                    }
                }
            }
            self.drills.apply(event);
        }
        let running = self.drills.running().to_vec();
        pending.drills = Some(running.clone());
        self.announce(ConsoleMessage::DrillsChanged { drills: running }, pending);
        Ok(events)
    }

    /// Every incident of drill `id`, open or closed, by id.
    fn drill_incidents(&self, id: &str) -> Vec<String> {
        let mut ids: Vec<String> = self
            .book
            .iter()
            .filter(|i| i.view.drill.as_deref() == Some(id))
            .map(|i| i.view.id.clone())
            .collect();
        match self.store.incidents() {
            Ok(stored) => ids.extend(
                stored
                    .into_iter()
                    .filter(|i| i.view.drill.as_deref() == Some(id))
                    .map(|i| i.view.id),
            ),
            Err(error) => {
                tracing::error!(%error, drill = id, "cannot list the drill's closed incidents")
            }
        }
        ids.sort();
        ids.dedup();
        ids
    }
}
