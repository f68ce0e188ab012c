//! Drills in the core: the drill state machine's events kept in the store and announced to
//! every console once the batch is durable.

use time::OffsetDateTime;

use super::State;
use super::batch::Pending;
use crate::drill::{DrillCommand, DrillEvent, DrillRefusal};
use crate::protocol::ConsoleMessage;

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
            self.drills.apply(event);
            match event {
                DrillEvent::DrillStarted { drill, by } => {
                    tracing::info!(drill = %drill.id, by = %by, "drill started");
                }
                DrillEvent::DrillEnded { id, by } => {
                    tracing::info!(drill = %id, by = %by, "drill ended");
                }
            }
        }
        let running = self.drills.running().to_vec();
        pending.drills = Some(running.clone());
        self.announce(ConsoleMessage::DrillsChanged { drills: running }, pending);
        Ok(events)
    }
}
