//! The after-action report's HSEEP analysis and improvement plan as table rows: each
//! objective's strengths and areas for improvement, and the corrective actions with their
//! owner, dates and status, the overdue ones marked.

use playbooks::Lang;

use super::after_action::AfterActionReport;
use crate::pages::html::{Cell, Tone};
use crate::protocol::describe::{of, pick};
use crate::protocol::{ActionStatus, ImprovementAction};

pub const ANALYSIS_HEADERS: [(&str, &str); 3] = [
    ("目标", "Objective"),
    ("类别", "Finding"),
    ("内容", "Observation"),
];

/// One row per strength and per area for improvement, objective by objective in the drill's
/// order; an objective nobody analysed yet says so.
pub fn analysis_rows(report: &AfterActionReport, lang: Lang) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    for objective in &report.record.drill.objectives {
        let name = format!("{} ({})", of(lang, &objective.name), objective.id);
        let Some(analysis) = report.plan.analysis_of(&objective.id) else {
            rows.push(vec![
                Cell::plain(name),
                Cell::plain("-"),
                Cell::plain(pick(lang, "尚未分析", "not analysed yet")),
            ]);
            continue;
        };
        for strength in &analysis.strengths {
            rows.push(vec![
                Cell::plain(name.clone()),
                Cell::toned(pick(lang, "优点", "Strength"), Tone::Good),
                Cell::plain(strength.clone()),
            ]);
        }
        for area in &analysis.areas {
            rows.push(vec![
                Cell::plain(name.clone()),
                Cell::toned(pick(lang, "待改进", "Area for improvement"), Tone::Bad),
                Cell::plain(area.clone()),
            ]);
        }
    }
    rows
}

pub const PLAN_HEADERS: [(&str, &str); 7] = [
    ("编号", "ID"),
    ("针对", "Addresses"),
    ("整改措施", "Corrective action"),
    ("负责人", "Owner"),
    ("开始", "Start"),
    ("截止", "Due"),
    ("状态", "Status"),
];

/// One row per corrective action; an overdue action's status says so, in red.
pub fn plan_rows(report: &AfterActionReport, lang: Lang) -> Vec<Vec<Cell>> {
    report
        .plan
        .actions
        .iter()
        .map(|a| {
            vec![
                Cell::plain(a.id.clone()),
                Cell::plain(addresses(report, a, lang)),
                Cell::plain(a.action.clone()),
                Cell::plain(a.owner.clone()),
                Cell::plain(a.start.to_string()),
                Cell::plain(a.due.to_string()),
                status_cell(report, a, lang),
            ]
        })
        .collect()
}

/// The objective's name when the action addresses one of the drill's objectives, else the
/// issue as written.
fn addresses(report: &AfterActionReport, action: &ImprovementAction, lang: Lang) -> String {
    report
        .record
        .drill
        .objectives
        .iter()
        .find(|o| o.id == action.addresses)
        .map_or_else(
            || action.addresses.clone(),
            |o| of(lang, &o.name).to_string(),
        )
}

fn status_cell(report: &AfterActionReport, action: &ImprovementAction, lang: Lang) -> Cell {
    let (zh, en) = action.status.names();
    let status = pick(lang, zh, en);
    if report.overdue.contains(&action.id) {
        let text = format!("{status} — {}", pick(lang, "已逾期", "OVERDUE"));
        return Cell::toned(text, Tone::Bad);
    }
    match (action.status, action.completed) {
        (ActionStatus::Done, Some(day)) => Cell::toned(format!("{status} {day}"), Tone::Good),
        _ => Cell::plain(status),
    }
}

/// `Corrective actions: 3 · done 1 · overdue 1 (as of 2026-12-01).`
pub fn plan_summary(report: &AfterActionReport, lang: Lang) -> String {
    let actions = &report.plan.actions;
    let done = actions
        .iter()
        .filter(|a| a.status == ActionStatus::Done)
        .count();
    match lang {
        Lang::Zh => format!(
            "共 {} 项整改措施：已完成 {done} 项，逾期 {} 项（截至 {}）。",
            actions.len(),
            report.overdue.len(),
            report.as_of
        ),
        Lang::En => format!(
            "Corrective actions: {} · done {done} · overdue {} (as of {}).",
            actions.len(),
            report.overdue.len(),
            report.as_of
        ),
    }
}

/// What the plan says before any action is in it.
pub fn no_actions(lang: Lang) -> &'static str {
    pick(
        lang,
        "尚无整改措施：安全主管可在演练后添加。",
        "No corrective actions yet: a safety officer adds them after the drill.",
    )
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;
    use crate::protocol::{
        AfterActionEvent, AfterActionRecord, Bilingual, DrillOutcome, DrillRecord, DrillView,
        Measure, Objective, ObjectiveAnalysis,
    };
    use crate::report::after_action::{html, markdown};

    fn report() -> AfterActionReport {
        let mut drill = DrillView::new(
            "q4-evac",
            Bilingual {
                zh: "四季度消防疏散演练".into(),
                en: "Q4 fire evacuation".into(),
            },
            datetime!(2026-11-20 02:00 UTC),
        );
        let objectives = vec![Objective {
            id: "evacuated".into(),
            name: Bilingual {
                zh: "疏散完成".into(),
                en: "Building evacuated".into(),
            },
            target_secs: 600,
            measure: Measure::Resolved,
        }];
        drill.objectives = objectives.clone();
        let record = DrillRecord {
            drill,
            ended_at: datetime!(2026-11-20 03:00 UTC),
            outcome: DrillOutcome::Aborted {
                by: "so-zhao".into(),
                reason: "test".into(),
            },
            incidents: vec![],
        };
        let mut plan = AfterActionRecord::new("q4-evac");
        let at = datetime!(2026-11-21 10:00 +08:00);
        plan.apply(
            AfterActionEvent::AnalysisWritten {
                analysis: ObjectiveAnalysis {
                    objective: "evacuated".into(),
                    strengths: vec!["wardens knew the routes".into()],
                    areas: vec!["stair B blocked by <bicycles>".into()],
                },
            },
            "so-zhao",
            at,
            &objectives,
        );
        for (id, due, status) in [
            ("A1", date!(2026 - 11 - 30), ActionStatus::Open),
            ("A2", date!(2026 - 11 - 25), ActionStatus::Done),
            ("A3", date!(2026 - 12 - 31), ActionStatus::InProgress),
        ] {
            let action = ImprovementAction {
                id: id.into(),
                addresses: if id == "A1" {
                    "evacuated".into()
                } else {
                    "radio dead spot in B2".into()
                },
                action: format!("action {id}"),
                owner: "so-zhao".into(),
                start: date!(2026 - 11 - 21),
                due,
                status,
                completed: (status == ActionStatus::Done).then_some(date!(2026 - 11 - 24)),
            };
            plan.apply(
                AfterActionEvent::ActionAdded { action },
                "so-zhao",
                at,
                &objectives,
            );
        }
        AfterActionReport::build(record, None, &[], Some(plan), date!(2026 - 12 - 01))
    }

    #[test]
    fn only_actions_not_done_and_past_due_are_overdue() {
        assert_eq!(report().overdue, ["A1"]);
    }

    #[test]
    fn the_page_shows_each_objectives_analysis_and_the_plan_with_overdue_marked() {
        let page = html(&report(), Lang::En, time::UtcOffset::UTC);
        assert!(page.contains("Improvement plan"), "{page}");
        assert!(page.contains("wardens knew the routes"));
        assert!(page.contains("stair B blocked by &lt;bicycles&gt;"));
        assert!(page.contains("open — OVERDUE"));
        assert!(page.contains("done 2026-11-24"));
        assert!(page.contains("Corrective actions: 3 · done 1 · overdue 1 (as of 2026-12-01)."));
        let md = markdown(&report(), Lang::Zh, time::UtcOffset::UTC);
        assert!(
            md.contains("| A1 | 疏散完成 | action A1 | so-zhao | 2026-11-21 | 2026-11-30 | 未开始 — 已逾期 |"),
            "{md}"
        );
        assert!(md.contains("| A2 | radio dead spot in B2 |"), "{md}");
        assert!(md.contains("| 疏散完成 (evacuated) | 待改进 | stair B blocked by <bicycles> |"));
    }

    #[test]
    fn a_drill_without_a_plan_says_none_was_written_yet() {
        let mut bare = report();
        bare.plan = AfterActionRecord::new("q4-evac");
        bare.overdue.clear();
        let md = markdown(&bare, Lang::En, time::UtcOffset::UTC);
        assert!(md.contains("No corrective actions yet"), "{md}");
        assert!(md.contains("| Building evacuated (evacuated) | - | not analysed yet |"));
    }
}
