//! Drills' after-action analyses and improvement plans in the core: checked against the ended
//! drill's objectives and the plan so far (this batch's own writes first, then the store), and
//! written with the batch.

use time::OffsetDateTime;

use super::State;
use super::batch::Pending;
use crate::after_action::{AfterActionCommand, AfterActionRefusal, handle};
use crate::error::StoreError;
use crate::protocol::AfterActionRecord;

impl State {
    /// Applies `command` by `by` to the after-action record of `drill`.
    pub(super) fn after_action(
        &mut self,
        drill: &str,
        command: AfterActionCommand,
        by: &str,
        now: OffsetDateTime,
        pending: &mut Pending,
    ) -> Result<AfterActionRecord, AfterActionRefusal> {
        if self.drills.is_running(drill) {
            return Err(AfterActionRefusal::StillRunning(drill.to_string()));
        }
        let ended = match pending.drill_records.iter().find(|r| r.drill.id == drill) {
            Some(record) => Some(record.clone()),
            None => self
                .store
                .drill_records()
                .map_err(unreadable)?
                .into_iter()
                .find(|r| r.drill.id == drill),
        };
        let Some(ended) = ended else {
            return Err(AfterActionRefusal::UnknownDrill(drill.to_string()));
        };
        let current = match pending
            .after_actions
            .iter()
            .rev()
            .find(|r| r.drill == drill)
        {
            Some(written) => Some(written.clone()),
            None => self.store.after_action(drill).map_err(unreadable)?,
        };
        let mut record = current.unwrap_or_else(|| AfterActionRecord::new(drill));
        let objectives = &ended.drill.objectives;
        let today = now.to_offset(self.config.utc_offset).date();
        let events = handle(&record, objectives, command, today)?;
        for event in events {
            tracing::info!(drill, by, ?event, "after-action change");
            record.apply(event, by, now, objectives);
        }
        pending.after_actions.push(record.clone());
        Ok(record)
    }
}

/// The store could not be read: nothing is checked nor written.
fn unreadable(error: StoreError) -> AfterActionRefusal {
    tracing::error!(%error, "cannot read a drill's after-action record from the store");
    AfterActionRefusal::Unavailable
}
