//! A manager's edits to an incident's review, made on the review as it stands: the root cause
//! replaced, a contributing factor or a corrective action added. Pure; the screen sends the
//! review this returns to the hub, which keeps each version in the review's log.

use alert_hub::protocol::{CorrectiveAction, Review, ReviewRecord};
use time::Date;
use time::macros::format_description;

/// One edit, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    RootCause(String),
    Factor(String),
    /// `ACTION / OWNER / YYYY-MM-DD`.
    Action(String),
}

/// Why an edit cannot be made; the screen says it in the operator's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftError {
    Empty,
    /// A factor or an action before the root cause: the hub keeps no review without one.
    NoRootCause,
    /// An action line without its three parts.
    ActionParts,
    /// The due date is not a date (the text as typed).
    BadDate(String),
}

/// The review after `edit`, from the `current` one (none written yet: an empty review).
pub fn apply(current: Option<&ReviewRecord>, edit: Edit) -> Result<Review, DraftError> {
    let mut review = current.map(|r| r.review.clone()).unwrap_or_default();
    let text = match &edit {
        Edit::RootCause(t) | Edit::Factor(t) | Edit::Action(t) => t.trim(),
    };
    if text.is_empty() {
        return Err(DraftError::Empty);
    }
    match edit {
        Edit::RootCause(_) => review.root_cause = text.to_string(),
        _ if review.root_cause.trim().is_empty() => return Err(DraftError::NoRootCause),
        Edit::Factor(_) => review.factors.push(text.to_string()),
        Edit::Action(_) => review.actions.push(parse_action(text)?),
    }
    Ok(review)
}

/// Reads `ACTION / OWNER / YYYY-MM-DD`; the action may itself hold slashes, the last two parts
/// are the owner and the due date.
pub fn parse_action(line: &str) -> Result<CorrectiveAction, DraftError> {
    let mut parts = line.rsplitn(3, '/').map(str::trim);
    let (Some(due), Some(owner), Some(action)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(DraftError::ActionParts);
    };
    if action.is_empty() || owner.is_empty() {
        return Err(DraftError::ActionParts);
    }
    let due = Date::parse(due, format_description!("[year]-[month]-[day]"))
        .map_err(|_| DraftError::BadDate(due.to_string()))?;
    Ok(CorrectiveAction {
        action: action.to_string(),
        owner: owner.to_string(),
        due,
        done: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn written(root_cause: &str) -> ReviewRecord {
        ReviewRecord {
            incident: "INC-000001".into(),
            review: Review {
                root_cause: root_cause.into(),
                factors: vec!["works on 7F".into()],
                actions: vec![],
            },
            history: vec![],
        }
    }

    #[test]
    fn the_root_cause_is_replaced_and_the_rest_kept() {
        let current = written("dust");
        let review = apply(
            Some(&current),
            Edit::RootCause(" dust from building work ".into()),
        );
        let review = review.expect("a root cause");
        assert_eq!(review.root_cause, "dust from building work");
        assert_eq!(review.factors, ["works on 7F"]);
    }

    #[test]
    fn an_action_names_its_owner_and_due_date_and_may_hold_slashes() {
        let current = written("dust");
        let review = apply(
            Some(&current),
            Edit::Action("cover detectors on 7F/8F during works / so-zhao / 2026-12-31".into()),
        )
        .expect("a whole action");
        assert_eq!(
            review.actions,
            [CorrectiveAction {
                action: "cover detectors on 7F/8F during works".into(),
                owner: "so-zhao".into(),
                due: date!(2026 - 12 - 31),
                done: false,
            }]
        );
    }

    #[test]
    fn what_cannot_be_kept_is_refused_with_the_reason() {
        let current = written("dust");
        let action = |line: &str| apply(Some(&current), Edit::Action(line.into()));
        assert_eq!(action("cover detectors"), Err(DraftError::ActionParts));
        assert_eq!(
            action(" / so-zhao / 2026-12-31"),
            Err(DraftError::ActionParts)
        );
        assert_eq!(
            action("cover / so-zhao / 31.12.2026"),
            Err(DraftError::BadDate("31.12.2026".into()))
        );
        assert_eq!(
            apply(None, Edit::Factor("late guard".into())),
            Err(DraftError::NoRootCause)
        );
        assert_eq!(
            apply(None, Edit::RootCause("  ".into())),
            Err(DraftError::Empty)
        );
    }
}
