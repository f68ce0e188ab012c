//! Managers' reviews in the core: checked against the incident's state and the review so far
//! (this batch's own writes first, then the store), and written with the batch.

use time::OffsetDateTime;

use super::State;
use super::batch::Pending;
use crate::error::StoreError;
use crate::incident::Refusal;
use crate::protocol::{RefusalCode, ReviewRecord};
use crate::review::{ReviewCommand, decide};

impl State {
    /// Writes or signs off the review of `incident` by `by`.
    pub(super) fn review(
        &mut self,
        incident: &str,
        command: ReviewCommand,
        by: &str,
        now: OffsetDateTime,
        pending: &mut Pending,
    ) -> Result<ReviewRecord, Refusal> {
        let state = match self.book.get(incident) {
            Some(open) => Some(open.view.state),
            None => self
                .store
                .incident(incident)
                .map_err(unreadable)?
                .map(|i| i.view.state),
        };
        let Some(state) = state else {
            return Err(Refusal::new(
                RefusalCode::UnknownIncident,
                format!("没有事件 {incident}。"),
                format!("There is no incident {incident}."),
            ));
        };
        let current = match pending
            .reviews
            .iter()
            .rev()
            .find(|r| r.incident == incident)
        {
            Some(written) => Some(written.clone()),
            None => self.store.review(incident).map_err(unreadable)?,
        };
        let decided = decide(incident, state, current.as_ref(), command, by, now);
        if let Ok(record) = &decided {
            let last = record.history.last().map(|c| c.change);
            tracing::info!(incident, by, change = ?last, "incident review");
            pending.reviews.push(record.clone());
        }
        decided
    }
}

/// The store could not be read: the review is neither checked nor written.
fn unreadable(error: StoreError) -> Refusal {
    tracing::error!(%error, "cannot read a review from the store");
    Refusal::new(
        RefusalCode::Unavailable,
        "中心暂时无法读取存储，复盘未保存，请稍后再试。",
        "The hub cannot read its store just now: the review was not saved; try again shortly.",
    )
}
