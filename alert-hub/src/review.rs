//! A manager's review of an incident as a small state machine: written (and rewritten) while
//! unsigned, then signed off once, after which it is the record and does not change. Only an
//! incident that is resolved or closed is reviewed. Pure: the core reads the review and the
//! incident's state from the store and writes what this returns.

use time::OffsetDateTime;

use crate::incident::Refusal;
use crate::protocol::{
    IncidentState, RefusalCode, Review, ReviewChange, ReviewChangeKind, ReviewRecord,
};

/// What a manager asks of an incident's review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewCommand {
    Write(Review),
    SignOff,
}

/// Checks `command` by `by` at `now` against the incident (`id`, in `state`) and its review so
/// far; the review as it stands after, or why not.
pub fn decide(
    id: &str,
    state: IncidentState,
    current: Option<&ReviewRecord>,
    command: ReviewCommand,
    by: &str,
    now: OffsetDateTime,
) -> Result<ReviewRecord, Refusal> {
    if state.is_open() && state != IncidentState::Resolved {
        return Err(Refusal::new(
            RefusalCode::InvalidState,
            format!("{id} 尚未处理完毕：办结后再写事后复盘。"),
            format!("{id} is not resolved yet: review it once it is resolved or closed."),
        ));
    }
    if let Some(signed) = current.and_then(ReviewRecord::signed_off) {
        return Err(Refusal::new(
            RefusalCode::InvalidState,
            format!("{id} 的复盘已由 {} 签字确认，不能再修改。", signed.by),
            format!(
                "The review of {id} was signed off by {}; it is the record and does not change.",
                signed.by
            ),
        ));
    }
    let mut history = current.map(|r| r.history.clone()).unwrap_or_default();
    let review = match command {
        ReviewCommand::Write(review) => {
            check(&review)?;
            history.push(change(by, now, ReviewChangeKind::Written));
            review
        }
        ReviewCommand::SignOff => {
            let Some(current) = current else {
                return Err(Refusal::new(
                    RefusalCode::InvalidState,
                    format!("{id} 还没有复盘：先写根本原因和整改措施，再签字。"),
                    format!(
                        "{id} has no review yet: write its root cause and actions, then sign off."
                    ),
                ));
            };
            history.push(change(by, now, ReviewChangeKind::SignedOff));
            current.review.clone()
        }
    };
    Ok(ReviewRecord {
        incident: id.to_string(),
        review,
        history,
    })
}

fn change(by: &str, at: OffsetDateTime, change: ReviewChangeKind) -> ReviewChange {
    ReviewChange {
        by: by.to_string(),
        at,
        change,
    }
}

/// A review says what caused the incident, and each action names who does it.
fn check(review: &Review) -> Result<(), Refusal> {
    if review.root_cause.trim().is_empty() {
        return Err(Refusal::new(
            RefusalCode::BadCommand,
            "请写明根本原因。",
            "Write the root cause.",
        ));
    }
    for (n, action) in review.actions.iter().enumerate() {
        if action.action.trim().is_empty() || action.owner.trim().is_empty() {
            return Err(Refusal::new(
                RefusalCode::BadCommand,
                format!("第 {} 项整改措施须写明措施和负责人。", n + 1),
                format!(
                    "Corrective action {} needs what is to be done and an owner.",
                    n + 1
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;
    use crate::protocol::CorrectiveAction;

    const NOW: OffsetDateTime = datetime!(2026-11-23 09:00 +08:00);

    fn review() -> Review {
        Review {
            root_cause: "dust from building work on 7F".into(),
            factors: vec!["no detector covers during works".into()],
            actions: vec![CorrectiveAction {
                action: "cover detectors during building work".into(),
                owner: "so-zhao".into(),
                due: date!(2026 - 12 - 15),
                done: false,
            }],
        }
    }

    #[test]
    fn a_review_is_written_then_signed_off_and_both_are_kept() {
        let written = decide(
            "INC-1",
            IncidentState::Closed,
            None,
            ReviewCommand::Write(review()),
            "mgr-chen",
            NOW,
        )
        .unwrap();
        let signed = decide(
            "INC-1",
            IncidentState::Closed,
            Some(&written),
            ReviewCommand::SignOff,
            "mgr-chen",
            NOW,
        )
        .unwrap();
        assert_eq!(signed.review, review());
        let kinds: Vec<_> = signed.history.iter().map(|c| c.change).collect();
        assert_eq!(
            kinds,
            [ReviewChangeKind::Written, ReviewChangeKind::SignedOff]
        );
        assert_eq!(signed.signed_off().unwrap().by, "mgr-chen");
        let again = decide(
            "INC-1",
            IncidentState::Closed,
            Some(&signed),
            ReviewCommand::Write(review()),
            "admin",
            NOW,
        )
        .unwrap_err();
        assert!(
            again.message.en.contains("signed off by mgr-chen"),
            "{:?}",
            again.message
        );
    }

    #[test]
    fn an_open_incident_or_an_empty_review_is_refused_with_a_sentence() {
        let open = decide(
            "INC-1",
            IncidentState::InProgress,
            None,
            ReviewCommand::Write(review()),
            "mgr-chen",
            NOW,
        )
        .unwrap_err();
        assert!(open.message.en.contains("not resolved yet"));
        let blank = Review {
            root_cause: " ".into(),
            ..review()
        };
        let refused = decide(
            "INC-1",
            IncidentState::Resolved,
            None,
            ReviewCommand::Write(blank),
            "mgr-chen",
            NOW,
        )
        .unwrap_err();
        assert_eq!(refused.message.en, "Write the root cause.");
        let unsigned = decide(
            "INC-1",
            IncidentState::Closed,
            None,
            ReviewCommand::SignOff,
            "mgr-chen",
            NOW,
        )
        .unwrap_err();
        assert!(unsigned.message.en.contains("has no review yet"));
        let mut ownerless = review();
        ownerless.actions[0].owner.clear();
        let refused = decide(
            "INC-1",
            IncidentState::Closed,
            None,
            ReviewCommand::Write(ownerless),
            "mgr-chen",
            NOW,
        )
        .unwrap_err();
        assert!(refused.message.en.contains("action 1 needs"));
    }
}
