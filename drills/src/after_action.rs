//! The safety officer's side of a drill's after-action report and improvement plan: the hub
//! paths and bodies of `drills report`, `drills analysis`, `drills action add|update` and
//! `drills actions`, and the actions listing as a plain table. Pure; the binary sends them.

use alert_hub::protocol::{ActionStatus, ListedAction};
use hub_client::encode;

/// The formats of the after-action report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Markdown,
    Html,
    Json,
}

impl ReportFormat {
    fn query(self) -> &'static str {
        match self {
            ReportFormat::Markdown => "md",
            ReportFormat::Html => "html",
            ReportFormat::Json => "json",
        }
    }
}

/// `GET` path of drill `id`'s after-action report, in `format` and language `lang` (`zh`/`en`).
pub fn report_path(id: &str, format: ReportFormat, lang: &str) -> String {
    format!(
        "/v1/drills/{}/report?format={}&lang={}",
        encode(id),
        format.query(),
        encode(lang)
    )
}

/// `PUT` path of drill `id`'s analysis.
pub fn analysis_path(id: &str) -> String {
    format!("/v1/drills/{}/analysis", encode(id))
}

/// `POST` path adding an action to drill `id`, or updating action `action` of it.
pub fn actions_path(id: &str, action: Option<&str>) -> String {
    match action {
        Some(action) => format!("/v1/drills/{}/actions/{}", encode(id), encode(action)),
        None => format!("/v1/drills/{}/actions", encode(id)),
    }
}

/// `GET` path listing actions across drills, only the overdue ones when `overdue`.
pub fn list_path(overdue: bool) -> &'static str {
    if overdue {
        "/v1/drills/actions?overdue=true"
    } else {
        "/v1/drills/actions"
    }
}

/// Reads `open`, `in_progress` (or `in-progress`) and `done`.
pub fn parse_status(text: &str) -> Option<ActionStatus> {
    match text {
        "open" => Some(ActionStatus::Open),
        "in_progress" | "in-progress" => Some(ActionStatus::InProgress),
        "done" => Some(ActionStatus::Done),
        _ => None,
    }
}

/// The listed actions as an aligned plain-text table, overdue ones marked `OVERDUE`; a line
/// saying there are none otherwise.
pub fn actions_table(actions: &[ListedAction], overdue_only: bool) -> String {
    if actions.is_empty() {
        return if overdue_only {
            "no overdue corrective actions\n".into()
        } else {
            "no corrective actions\n".into()
        };
    }
    let header = ["DRILL", "ID", "DUE", "STATUS", "OWNER", "ACTION"].map(String::from);
    let mut rows = vec![header.to_vec()];
    for listed in actions {
        let a = &listed.action;
        let mut status = a.status.names().1.to_string();
        if listed.overdue {
            status.push_str(" OVERDUE");
        }
        rows.push(vec![
            listed.drill.clone(),
            a.id.clone(),
            a.due.to_string(),
            status,
            a.owner.clone(),
            a.action.replace('\n', " "),
        ]);
    }
    let widths: Vec<usize> = (0..6)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, width))| {
                if c == 5 {
                    cell.clone()
                } else {
                    format!("{cell:<width$}")
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use alert_hub::protocol::{Bilingual, ImprovementAction};
    use time::macros::date;

    use super::*;

    fn listed(id: &str, overdue: bool) -> ListedAction {
        ListedAction {
            drill: "2026-q2-lift".into(),
            drill_name: Bilingual::default(),
            site: None,
            action: ImprovementAction {
                id: id.into(),
                addresses: "freed".into(),
                action: "Answer intercoms\nwithin 30 s".into(),
                owner: "op-li".into(),
                start: date!(2026 - 01 - 05),
                due: date!(2026 - 02 - 01),
                status: ActionStatus::InProgress,
                completed: None,
            },
            overdue,
        }
    }

    #[test]
    fn the_table_marks_overdue_actions_and_keeps_one_line_each() {
        let table = actions_table(&[listed("A1", true), listed("A2", false)], false);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 3, "{table}");
        assert!(lines[0].starts_with("DRILL"));
        assert!(
            lines[1].contains(
                "A1  2026-02-01  in progress OVERDUE  op-li  Answer intercoms within 30 s"
            ),
            "{table}"
        );
        assert!(!lines[2].contains("OVERDUE"), "{table}");
        assert_eq!(actions_table(&[], true), "no overdue corrective actions\n");
    }

    #[test]
    fn paths_name_the_drill_and_statuses_read_as_the_hub_writes_them() {
        assert_eq!(
            report_path("q4 evac", ReportFormat::Markdown, "en"),
            "/v1/drills/q4%20evac/report?format=md&lang=en"
        );
        assert_eq!(actions_path("d1", Some("A2")), "/v1/drills/d1/actions/A2");
        assert_eq!(parse_status("in-progress"), Some(ActionStatus::InProgress));
        assert_eq!(parse_status("finished"), None);
    }
}
