//! The incidents awaiting a manager's sign-off: every real incident that is resolved or closed
//! and whose review is missing or unsigned, the most urgent first. Drill incidents are reviewed
//! in their after-action report, and incidents of devices on test are not emergencies.

use time::{Duration, OffsetDateTime};

use crate::error::StoreError;
use crate::protocol::{AwaitingSignOff, IncidentState, IncidentView, ReviewRecord};
use crate::store::Store;

/// How far back the queue looks unless asked otherwise, and the most it will look.
pub const DEFAULT_DAYS: i64 = 92;
pub const MAX_DAYS: i64 = 400;

/// Whether a manager reviews this incident at all.
fn is_reviewed(incident: &IncidentView) -> bool {
    incident.drill.is_none()
        && !incident.on_test
        && matches!(
            incident.state,
            IncidentState::Resolved | IncidentState::Closed
        )
}

/// The queue from `incidents` and their reviews: unsigned only; by priority, then those with no
/// review written before those written, then the oldest first.
pub fn awaiting(
    incidents: impl IntoIterator<Item = IncidentView>,
    review_of: impl Fn(&str) -> Option<ReviewRecord>,
) -> Vec<AwaitingSignOff> {
    let mut queue: Vec<AwaitingSignOff> = incidents
        .into_iter()
        .filter(is_reviewed)
        .filter_map(|incident| {
            let review = review_of(&incident.id);
            match &review {
                Some(r) if r.signed_off().is_some() => None,
                _ => Some(AwaitingSignOff { incident, review }),
            }
        })
        .collect();
    queue.sort_by(|a, b| {
        (
            a.incident.priority,
            a.review.is_some(),
            a.incident.opened_at,
        )
            .cmp(&(
                b.incident.priority,
                b.review.is_some(),
                b.incident.opened_at,
            ))
    });
    queue
}

/// The part of a stored incident the queue reads.
#[derive(serde::Deserialize)]
struct Slim {
    view: IncidentView,
}

/// The queue of the incidents opened in the `days` before `now`, from the store.
pub fn stored(
    store: &dyn Store,
    days: i64,
    now: OffsetDateTime,
) -> Result<Vec<AwaitingSignOff>, StoreError> {
    let mut views = Vec::new();
    store.each_incident_opened(now - Duration::days(days), now, &mut |json| {
        let slim: Slim = serde_json::from_slice(json).map_err(|source| StoreError::Corrupt {
            key: "an incident".into(),
            source,
        })?;
        if is_reviewed(&slim.view) {
            views.push(slim.view);
        }
        Ok(())
    })?;
    let mut reviews = std::collections::HashMap::new();
    for view in &views {
        if let Some(review) = store.review(&view.id)? {
            reviews.insert(view.id.clone(), review);
        }
    }
    Ok(awaiting(views, |id| reviews.get(id).cloned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{
        EventKind, Location, Priority, Review, ReviewChange, ReviewChangeKind, ReviewRecord,
    };
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-11-20 03:00 UTC);

    fn incident(
        id: &str,
        priority: Priority,
        state: IncidentState,
        hours_ago: i64,
    ) -> IncidentView {
        let at = T0 - Duration::hours(hours_ago);
        let location = Location::default();
        let mut view =
            IncidentView::opened(id.into(), EventKind::FireAlarm, location, at, "d", "fp");
        view.priority = priority;
        view.state = state;
        view
    }

    fn review(id: &str, changes: &[ReviewChangeKind]) -> ReviewRecord {
        ReviewRecord {
            incident: id.into(),
            review: Review {
                root_cause: "detector head dusty".into(),
                ..Review::default()
            },
            history: changes
                .iter()
                .map(|&change| ReviewChange {
                    by: "mgr-chen".into(),
                    at: T0,
                    change,
                })
                .collect(),
        }
    }

    #[test]
    fn only_real_finished_unsigned_incidents_wait_for_a_manager() {
        let mut drill = incident("D", Priority::P1, IncidentState::Closed, 5);
        drill.drill = Some("q2-lift".into());
        let mut tested = incident("T", Priority::P2, IncidentState::Closed, 5);
        tested.on_test = true;
        let incidents = vec![
            incident("OPEN", Priority::P1, IncidentState::InProgress, 1),
            incident("SIGNED", Priority::P1, IncidentState::Closed, 9),
            incident("WRITTEN", Priority::P2, IncidentState::Closed, 8),
            incident("RESOLVED", Priority::P3, IncidentState::Resolved, 7),
            drill,
            tested,
        ];
        let queue = awaiting(incidents, |id| match id {
            "SIGNED" => Some(review(
                id,
                &[ReviewChangeKind::Written, ReviewChangeKind::SignedOff],
            )),
            "WRITTEN" => Some(review(id, &[ReviewChangeKind::Written])),
            _ => None,
        });
        let ids: Vec<&str> = queue.iter().map(|a| a.incident.id.as_str()).collect();
        assert_eq!(ids, ["WRITTEN", "RESOLVED"]);
        assert!(queue[0].review.is_some() && queue[1].review.is_none());
    }

    #[test]
    fn the_most_urgent_come_first_then_the_unwritten_then_the_oldest() {
        let incidents = vec![
            incident("P3-OLD", Priority::P3, IncidentState::Closed, 50),
            incident("P1-WRITTEN", Priority::P1, IncidentState::Closed, 40),
            incident("P1-NEW", Priority::P1, IncidentState::Closed, 2),
            incident("P1-OLD", Priority::P1, IncidentState::Closed, 30),
        ];
        let queue = awaiting(incidents, |id| {
            (id == "P1-WRITTEN").then(|| review(id, &[ReviewChangeKind::Written]))
        });
        let ids: Vec<&str> = queue.iter().map(|a| a.incident.id.as_str()).collect();
        assert_eq!(ids, ["P1-OLD", "P1-NEW", "P1-WRITTEN", "P3-OLD"]);
    }
}
