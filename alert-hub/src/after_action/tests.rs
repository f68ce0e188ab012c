//! Given the events so far, when a command comes, then these events or this refusal.

use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

use super::*;
use crate::protocol::{Bilingual, Measure};

const TODAY: Date = date!(2026 - 12 - 01);
const AT: OffsetDateTime = datetime!(2026-12-01 10:00 +08:00);

fn objectives() -> Vec<Objective> {
    let objective = |id: &str| Objective {
        id: id.into(),
        name: Bilingual {
            zh: id.into(),
            en: id.into(),
        },
        target_secs: 60,
        measure: Measure::Acknowledged,
    };
    vec![objective("acknowledged"), objective("evacuated")]
}

/// The record after `events`, each by so-zhao.
fn given(events: Vec<AfterActionEvent>) -> AfterActionRecord {
    let mut record = AfterActionRecord::new("q4-evac");
    for event in events {
        record.apply(event, "so-zhao", AT, &objectives());
    }
    record
}

fn when(
    record: &AfterActionRecord,
    command: AfterActionCommand,
) -> Result<Vec<AfterActionEvent>, AfterActionRefusal> {
    handle(record, &objectives(), command, TODAY)
}

fn new_action(due: Date) -> NewAction {
    NewAction {
        addresses: "evacuated".into(),
        action: " Train the 7F wardens on the east stair ".into(),
        owner: "so-zhao".into(),
        start: None,
        due,
    }
}

fn added(due: Date) -> AfterActionEvent {
    let record = given(vec![]);
    let mut events = when(&record, AfterActionCommand::AddAction(new_action(due))).unwrap();
    events.remove(0)
}

fn update(action: &str, update: ActionUpdate) -> AfterActionCommand {
    AfterActionCommand::UpdateAction {
        action: action.into(),
        update,
    }
}

#[test]
fn an_analysis_is_written_trimmed_and_rewritten_in_the_drills_order() {
    let record = given(vec![]);
    let written = when(
        &record,
        AfterActionCommand::WriteAnalysis(ObjectiveAnalysis {
            objective: "evacuated".into(),
            strengths: vec![" wardens knew the routes ".into(), " ".into()],
            areas: vec!["stair B was blocked by bicycles".into()],
        }),
    )
    .unwrap();
    assert_eq!(
        written,
        [AfterActionEvent::AnalysisWritten {
            analysis: ObjectiveAnalysis {
                objective: "evacuated".into(),
                strengths: vec!["wardens knew the routes".into()],
                areas: vec!["stair B was blocked by bicycles".into()],
            }
        }]
    );
    let first = ObjectiveAnalysis {
        objective: "acknowledged".into(),
        strengths: vec!["acknowledged in 20 s".into()],
        areas: vec![],
    };
    let mut events = written;
    events.push(AfterActionEvent::AnalysisWritten {
        analysis: first.clone(),
    });
    let rewritten = ObjectiveAnalysis {
        objective: "evacuated".into(),
        strengths: vec![],
        areas: vec!["only stair A was used".into()],
    };
    events.push(AfterActionEvent::AnalysisWritten {
        analysis: rewritten.clone(),
    });
    let record = given(events);
    assert_eq!(record.analysis, [first, rewritten]);
    assert_eq!(record.history.len(), 3);
    assert_eq!(record.history[2].by, "so-zhao");
}

#[test]
fn an_analysis_of_an_unknown_objective_or_with_nothing_in_it_is_refused() {
    let record = given(vec![]);
    let unknown = when(
        &record,
        AfterActionCommand::WriteAnalysis(ObjectiveAnalysis {
            objective: "lift-freed".into(),
            strengths: vec!["x".into()],
            areas: vec![],
        }),
    )
    .unwrap_err();
    assert_eq!(
        unknown.to_string(),
        "drill \"q4-evac\" has no objective \"lift-freed\"; its objectives: acknowledged, evacuated"
    );
    let empty = when(
        &record,
        AfterActionCommand::WriteAnalysis(ObjectiveAnalysis {
            objective: "evacuated".into(),
            strengths: vec!["  ".into()],
            areas: vec![],
        }),
    )
    .unwrap_err();
    assert!(
        empty.to_string().contains("at least one strength"),
        "{empty}"
    );
}

#[test]
fn actions_are_numbered_start_today_by_default_and_are_open() {
    let record = given(vec![added(date!(2026 - 12 - 20))]);
    let second = when(
        &record,
        AfterActionCommand::AddAction(NewAction {
            start: Some(date!(2026 - 12 - 05)),
            ..new_action(date!(2027 - 01 - 10))
        }),
    )
    .unwrap();
    let AfterActionEvent::ActionAdded { action } = &second[0] else {
        panic!("{second:?}");
    };
    assert_eq!(action.id, "A2");
    assert_eq!(action.start, date!(2026 - 12 - 05));
    let first = &record.actions[0];
    assert_eq!(first.id, "A1");
    assert_eq!(first.start, TODAY);
    assert_eq!(first.status, ActionStatus::Open);
    assert_eq!(first.action, "Train the 7F wardens on the east stair");
}

#[test]
fn an_action_without_owner_or_due_before_start_is_refused_with_what_is_wrong() {
    let record = given(vec![]);
    let ownerless = when(
        &record,
        AfterActionCommand::AddAction(NewAction {
            owner: " ".into(),
            ..new_action(date!(2026 - 12 - 20))
        }),
    )
    .unwrap_err();
    assert_eq!(ownerless.to_string(), "a corrective action needs an owner");
    let backwards = when(
        &record,
        AfterActionCommand::AddAction(new_action(date!(2026 - 11 - 30))),
    )
    .unwrap_err();
    assert_eq!(
        backwards.to_string(),
        "the due date 2026-11-30 is before the start date 2026-12-01"
    );
}

#[test]
fn an_action_is_reassigned_rescheduled_and_done_today_and_each_change_is_logged() {
    let record = given(vec![added(date!(2026 - 12 - 20))]);
    let events = when(
        &record,
        update(
            "A1",
            ActionUpdate {
                owner: Some("op-li".into()),
                due: Some(date!(2026 - 12 - 24)),
                status: Some(ActionStatus::InProgress),
                completed: None,
            },
        ),
    )
    .unwrap();
    assert_eq!(events.len(), 3, "{events:?}");
    let mut all = vec![added(date!(2026 - 12 - 20))];
    all.extend(events);
    let record = given(all.clone());
    let a1 = &record.actions[0];
    assert_eq!(
        (a1.owner.as_str(), a1.due, a1.status),
        ("op-li", date!(2026 - 12 - 24), ActionStatus::InProgress)
    );
    let done = when(
        &record,
        update(
            "A1",
            ActionUpdate {
                status: Some(ActionStatus::Done),
                ..ActionUpdate::default()
            },
        ),
    )
    .unwrap();
    assert_eq!(
        done,
        [AfterActionEvent::ActionStatusChanged {
            action: "A1".into(),
            status: ActionStatus::Done,
            completed: Some(TODAY),
        }]
    );
    all.extend(done);
    let record = given(all);
    assert_eq!(record.actions[0].completed, Some(TODAY));
    assert_eq!(record.history.len(), 5);
}

#[test]
fn an_update_of_an_unknown_action_or_that_changes_nothing_is_refused() {
    let record = given(vec![added(date!(2026 - 12 - 20))]);
    let unknown = when(&record, update("A9", ActionUpdate::default())).unwrap_err();
    assert_eq!(
        unknown.to_string(),
        "drill \"q4-evac\" has no action \"A9\"; its actions: A1"
    );
    let same = ActionUpdate {
        status: Some(ActionStatus::Open),
        owner: Some("so-zhao".into()),
        ..ActionUpdate::default()
    };
    let nothing = when(&record, update("A1", same)).unwrap_err();
    assert!(nothing.to_string().starts_with("nothing to change"));
    let early = ActionUpdate {
        status: Some(ActionStatus::Done),
        completed: Some(date!(2026 - 11 - 01)),
        ..ActionUpdate::default()
    };
    let refused = when(&record, update("A1", early)).unwrap_err();
    assert!(
        refused.to_string().contains("before it started"),
        "{refused}"
    );
    let dated_open = ActionUpdate {
        completed: Some(TODAY),
        ..ActionUpdate::default()
    };
    let refused = when(&record, update("A1", dated_open)).unwrap_err();
    assert!(
        refused.to_string().contains("for a done action"),
        "{refused}"
    );
}

#[test]
fn an_action_is_overdue_past_its_due_date_until_it_is_done() {
    let record = given(vec![added(date!(2026 - 12 - 20))]);
    let a1 = &record.actions[0];
    assert!(!a1.is_overdue(date!(2026 - 12 - 20)));
    assert!(a1.is_overdue(date!(2026 - 12 - 21)));
    let done = ImprovementAction {
        status: ActionStatus::Done,
        completed: Some(date!(2026 - 12 - 21)),
        ..a1.clone()
    };
    assert!(!done.is_overdue(date!(2027 - 01 - 01)));
}

#[test]
fn the_record_reads_back_from_its_json_with_its_log() {
    let record = given(vec![added(date!(2026 - 12 - 20))]);
    let json = serde_json::to_value(&record).unwrap();
    assert_eq!(json["actions"][0]["due"], "2026-12-20");
    assert_eq!(json["actions"][0]["status"], "open");
    assert_eq!(json["history"][0]["type"], "action_added");
    assert_eq!(json["history"][0]["by"], "so-zhao");
    let back: AfterActionRecord = serde_json::from_value(json).unwrap();
    assert_eq!(back, record);
}
