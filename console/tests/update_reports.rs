//! The reports screen as a manager uses it, through `update` alone: the queue and the month's
//! report asked for on entering, one incident's report read, a review written edit by edit and
//! signed off after a `y`; an operator told who may write; answers for a pane left behind
//! dropped.
#![allow(clippy::expect_used)]

use alert_hub::protocol::{
    AwaitingSignOff, EventKind, IncidentState, OperatorInfo, Review, ReviewChange,
    ReviewChangeKind, ReviewRecord, Role,
};
use console::action::{Action, Effect, Intent, Screen};
use console::sample::{self, T0};
use console::screens::reports::{Fetch, Pane};
use console::state::{EditPurpose, Level, Overlay, State};
use console::update::update;
use ratatui::crossterm::event::KeyCode;

mod common;
use common::{intent, key, live, typed};

/// What `update` asked for, without the alarm sounds of the sample scene's unacknowledged P1s.
fn work(fx: Vec<Effect>) -> Vec<Effect> {
    fx.into_iter()
        .filter(|e| !matches!(e, Effect::Sound(_) | Effect::Silence))
        .collect()
}

fn queued(id: &str) -> AwaitingSignOff {
    let mut incident = sample::incident(id, EventKind::FireAlarm, "green-garden");
    incident.state = IncidentState::Closed;
    AwaitingSignOff {
        incident,
        review: None,
    }
}

/// A live console signed in as `role`, on the reports screen with two incidents queued.
fn on_reports(role: Role) -> (State, Vec<Effect>) {
    let mut state = live();
    state.operator = Some(OperatorInfo {
        id: "mgr-chen".into(),
        name: "Chen Jie".into(),
        role,
    });
    let fx = intent(&mut state, Intent::Show(Screen::Reports));
    let queue = vec![queued("INC-0201"), queued("INC-0202")];
    update(&mut state, Action::ReviewsLoaded(Ok(queue)));
    (state, fx)
}

fn record(review: Review, changes: &[ReviewChangeKind]) -> ReviewRecord {
    ReviewRecord {
        incident: "INC-0201".into(),
        review,
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
fn entering_asks_for_the_queue_and_this_months_report_in_the_console_language() {
    let (state, fx) = on_reports(Role::Manager);
    assert_eq!(state.screen, Screen::Reports);
    assert!(fx.contains(&Effect::FetchReviews), "{fx:?}");
    assert!(
        fx.contains(&Effect::FetchReport {
            pane: Pane::Month("2026-11".into()),
            path: "/v1/reports/month?month=2026-11&format=md&lang=en".into(),
        }),
        "{fx:?}"
    );
}

#[test]
fn enter_reads_the_selected_incidents_report_and_a_late_month_answer_is_dropped() {
    let (mut state, _) = on_reports(Role::Manager);
    intent(&mut state, Intent::Down);
    let fx = work(intent(&mut state, Intent::Open));
    let pane = Pane::Incident("INC-0202".into());
    assert_eq!(
        fx,
        [Effect::FetchReport {
            pane: pane.clone(),
            path: "/v1/incidents/INC-0202/report?format=md&lang=en".into(),
        }]
    );
    let month = Pane::Month("2026-11".into());
    update(
        &mut state,
        Action::ReportLoaded {
            pane: month,
            text: Ok("# the month".into()),
        },
    );
    assert_eq!(
        state.reports.text,
        Fetch::Loading,
        "the month came too late"
    );
    update(
        &mut state,
        Action::ReportLoaded {
            pane,
            text: Ok("# INC-0202".into()),
        },
    );
    assert_eq!(state.reports.text, Fetch::Loaded("# INC-0202".into()));
}

#[test]
fn a_manager_writes_the_root_cause_then_an_action_each_sent_as_the_whole_review() {
    let (mut state, _) = on_reports(Role::Manager);
    intent(&mut state, Intent::WriteRootCause);
    let editor = state.editor.as_ref().expect("a prompt for the root cause");
    assert_eq!(
        editor.purpose,
        EditPurpose::RootCause {
            incident: "INC-0201".into()
        }
    );
    let fx = work(typed(&mut state, "dust from building work"));
    let written = Review {
        root_cause: "dust from building work".into(),
        ..Review::default()
    };
    assert_eq!(
        fx,
        [Effect::WriteReview {
            incident: "INC-0201".into(),
            review: written.clone(),
        }]
    );
    let fx = work(update(
        &mut state,
        Action::ReviewSaved {
            incident: "INC-0201".into(),
            signed: false,
            result: Ok(record(written, &[ReviewChangeKind::Written])),
        },
    ));
    let said = state.message.as_ref().expect("a message");
    assert_eq!(said.text, "The review of INC-0201 is saved");
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::FetchReport { pane: Pane::Incident(id), .. } if id == "INC-0201")),
        "the pane shows the report with its review: {fx:?}"
    );

    let report = "# INC-0201\n\n## Milestones\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n## Review\n\n- root cause";
    update(
        &mut state,
        Action::ReportLoaded {
            pane: Pane::Incident("INC-0201".into()),
            text: Ok(report.into()),
        },
    );
    assert_eq!(state.reports.scroll, 8, "the report opens at its review");

    intent(&mut state, Intent::AddAction);
    let fx = work(typed(&mut state, "cover detectors / so-zhao / 31.12.2026"));
    assert!(fx.is_empty(), "a bad date is not sent: {fx:?}");
    let said = state.message.as_ref().expect("a message");
    assert_eq!(said.level, Level::Warning);
    assert!(
        said.text.contains("\"31.12.2026\" is not a date"),
        "{}",
        said.text
    );

    intent(&mut state, Intent::AddAction);
    let fx = work(typed(&mut state, "cover detectors / so-zhao / 2026-12-31"));
    let Some(Effect::WriteReview { review, .. }) = fx.first() else {
        panic!("the review with its action: {fx:?}");
    };
    assert_eq!(review.root_cause, "dust from building work");
    assert_eq!(review.actions[0].owner, "so-zhao");
}

#[test]
fn signing_off_takes_a_y_and_the_incident_leaves_the_queue() {
    let (mut state, _) = on_reports(Role::Manager);
    intent(&mut state, Intent::SignOff);
    assert_eq!(state.overlay, Some(Overlay::ConfirmSignOff));
    let fx = work(key(&mut state, KeyCode::Char('n')));
    assert!(
        fx.is_empty() && state.overlay.is_none(),
        "any other key cancels"
    );

    intent(&mut state, Intent::SignOff);
    let fx = work(key(&mut state, KeyCode::Char('y')));
    assert_eq!(
        fx,
        [Effect::SignOff {
            incident: "INC-0201".into()
        }]
    );
    let review = Review {
        root_cause: "dust".into(),
        ..Review::default()
    };
    let kinds = [ReviewChangeKind::Written, ReviewChangeKind::SignedOff];
    update(
        &mut state,
        Action::ReviewSaved {
            incident: "INC-0201".into(),
            signed: true,
            result: Ok(record(review, &kinds)),
        },
    );
    let Fetch::Loaded(queue) = &state.reports.queue else {
        panic!("the queue is loaded");
    };
    let left: Vec<&str> = queue.iter().map(|e| e.incident.id.as_str()).collect();
    assert_eq!(left, ["INC-0202"]);
}

#[test]
fn the_hubs_refusal_is_shown_in_its_words() {
    let (mut state, _) = on_reports(Role::Manager);
    update(
        &mut state,
        Action::ReviewSaved {
            incident: "INC-0201".into(),
            signed: true,
            result: Err(
                "INC-0201 has no review yet: write its root cause and actions, then sign off."
                    .into(),
            ),
        },
    );
    let said = state.message.as_ref().expect("a message");
    assert_eq!(said.level, Level::Error);
    assert!(said.text.contains("has no review yet"), "{}", said.text);
    let Fetch::Loaded(queue) = &state.reports.queue else {
        panic!("the queue is loaded");
    };
    assert_eq!(queue.len(), 2, "nothing left the queue");
}

#[test]
fn an_operator_reads_but_is_told_who_writes_and_signs() {
    let (mut state, _) = on_reports(Role::Operator);
    for what in [Intent::WriteRootCause, Intent::AddAction, Intent::SignOff] {
        state.message = None;
        let fx = work(intent(&mut state, what));
        assert!(fx.is_empty() && state.editor.is_none() && state.overlay.is_none());
        let said = state.message.as_ref().expect("a message");
        assert_eq!(
            said.text,
            "Only a manager or an admin writes or signs off a review"
        );
    }
    assert!(
        !intent(&mut state, Intent::Open).is_empty(),
        "reading is for everyone"
    );
}

#[test]
fn a_factor_before_the_root_cause_is_refused_with_what_to_do() {
    let (mut state, _) = on_reports(Role::Admin);
    intent(&mut state, Intent::AddFactor);
    let fx = work(typed(&mut state, "guard late"));
    assert!(fx.is_empty());
    let said = state.message.as_ref().expect("a message");
    assert_eq!(said.text, "Write the root cause first (r)");
}
