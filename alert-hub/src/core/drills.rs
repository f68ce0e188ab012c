//! Drills in the core: started and ended by a safety officer or an admin, kept in the store,
//! announced to every console. A drill event is taken only while its drill runs.

use std::collections::HashSet;

use time::OffsetDateTime;

use super::State;
use super::batch::Pending;
use crate::protocol::{Bilingual, ConsoleMessage, DrillView};

impl State {
    pub(super) fn running_drills(&self) -> HashSet<&str> {
        self.drills.iter().map(|d| d.id.as_str()).collect()
    }

    pub(super) fn start_drill(
        &mut self,
        id: String,
        name: Bilingual,
        by: String,
        now: OffsetDateTime,
        pending: &mut Pending,
    ) -> Result<DrillView, String> {
        if self.drills.iter().any(|d| d.id == id) {
            return Err(format!("drill \"{id}\" is already running"));
        }
        let drill = DrillView {
            id,
            name,
            started_at: now,
        };
        tracing::info!(drill = %drill.id, by = %by, "drill started");
        self.drills.push(drill.clone());
        self.save_drills(pending);
        Ok(drill)
    }

    pub(super) fn end_drill(
        &mut self,
        id: &str,
        by: &str,
        pending: &mut Pending,
    ) -> Result<(), String> {
        let before = self.drills.len();
        self.drills.retain(|d| d.id != id);
        if self.drills.len() == before {
            return Err(format!("drill \"{id}\" is not running"));
        }
        tracing::info!(drill = %id, by = %by, "drill ended");
        self.save_drills(pending);
        Ok(())
    }

    fn save_drills(&self, pending: &mut Pending) {
        pending.drills = Some(self.drills.clone());
        let message = ConsoleMessage::DrillsChanged {
            drills: self.drills.clone(),
        };
        self.announce(message, pending);
    }
}
