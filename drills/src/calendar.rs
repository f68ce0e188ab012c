//! The drill calendar as `drills plan` shows and edits it: the year's entries of a hub as a
//! table (due date, site, name, status, linked drill), and the requests that move, cancel and
//! add entries. The table is pure; the requests go to the hub's calendar routes.

use alert_hub::protocol::{CalendarItem, CalendarStatus};
use hub_client::{HubAddress, encode};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::Result;

/// Which language the table names drills in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

/// What the table says of an entry's status.
pub fn status_text(status: &CalendarStatus, lang: Lang) -> String {
    match (status, lang) {
        (CalendarStatus::Done { .. }, Lang::En) => "done".into(),
        (CalendarStatus::Done { .. }, Lang::Zh) => "已完成".into(),
        (CalendarStatus::Cancelled { reason }, Lang::En) => format!("cancelled: {reason}"),
        (CalendarStatus::Cancelled { reason }, Lang::Zh) => format!("已取消：{reason}"),
        (CalendarStatus::Overdue { days_late }, Lang::En) => {
            format!("OVERDUE by {days_late} {}", days(*days_late))
        }
        (CalendarStatus::Overdue { days_late }, Lang::Zh) => format!("已逾期 {days_late} 天"),
        (CalendarStatus::Due { days_left: 0 }, Lang::En) => "due today".into(),
        (CalendarStatus::Due { days_left: 0 }, Lang::Zh) => "今天到期".into(),
        (CalendarStatus::Due { days_left }, Lang::En) => {
            format!("due in {days_left} {}", days(*days_left))
        }
        (CalendarStatus::Due { days_left }, Lang::Zh) => format!("{days_left} 天后到期"),
        (CalendarStatus::BeforeRecords { kept_from }, Lang::En) => {
            format!("no record: due before the hub kept this calendar ({kept_from})")
        }
        (CalendarStatus::BeforeRecords { kept_from }, Lang::Zh) => {
            format!("无记录：到期早于本系统建档（{kept_from}）")
        }
    }
}

fn days(n: i64) -> &'static str {
    if n == 1 { "day" } else { "days" }
}

/// The calendar as a table with a header line, one line an entry in the order given, columns
/// padded to their widest cell by display width (a Chinese character takes two columns).
pub fn table(items: &[CalendarItem], lang: Lang) -> String {
    let header: [&str; 6] = match lang {
        Lang::En => ["due", "site", "entry", "name", "status", "drill"],
        Lang::Zh => ["到期日", "场所", "条目", "名称", "状态", "演练"],
    };
    let mut rows = vec![header.map(str::to_owned)];
    for item in items {
        let drill = match &item.status {
            CalendarStatus::Done { drill } => drill.clone(),
            _ => "-".into(),
        };
        let name = match lang {
            Lang::En => item.entry.name.en.clone(),
            Lang::Zh => item.entry.name.zh.clone(),
        };
        rows.push([
            item.entry.due.to_string(),
            item.entry.site.clone(),
            item.entry.id.clone(),
            name,
            status_text(&item.status, lang),
            drill,
        ]);
    }
    let mut widths = [0usize; 6];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.width());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (n, (cell, width)) in row.iter().zip(widths).enumerate() {
            line.push_str(cell);
            if n + 1 < row.len() {
                line.push_str(&" ".repeat(width - cell.width() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The year's calendar of `site` (every site when `None`), `year` (this year when `None`).
pub async fn fetch(
    hub: &HubAddress,
    token: &str,
    site: Option<&str>,
    year: Option<i32>,
) -> Result<Vec<CalendarItem>> {
    let mut query = Vec::new();
    if let Some(site) = site {
        query.push(format!("site={}", encode(site)));
    }
    if let Some(year) = year {
        query.push(format!("year={year}"));
    }
    let path = format!("/v1/drills/calendar?{}", query.join("&"));
    Ok(hub.get_json(&path, token).await?)
}

/// Moves `entry` to `due` (`YYYY-MM-DD`) for `reason`; the site's calendar after.
pub async fn move_entry(
    hub: &HubAddress,
    token: &str,
    entry: &str,
    due: &str,
    reason: &str,
) -> Result<Vec<CalendarItem>> {
    let path = format!("/v1/drills/calendar/{}/move", encode(entry));
    let body = serde_json::json!({ "due": due, "reason": reason });
    Ok(hub.post_json(&path, token, &body).await?)
}

/// Cancels `entry` for `reason`; the site's calendar after.
pub async fn cancel_entry(
    hub: &HubAddress,
    token: &str,
    entry: &str,
    reason: &str,
) -> Result<Vec<CalendarItem>> {
    let path = format!("/v1/drills/calendar/{}/cancel", encode(entry));
    let body = serde_json::json!({ "reason": reason });
    Ok(hub.post_json(&path, token, &body).await?)
}

/// An entry the plan lacks, as `POST /v1/drills/calendar` takes it.
#[derive(Debug, Clone, Serialize)]
pub struct NewEntry {
    pub id: String,
    pub site: String,
    pub name: alert_hub::protocol::Bilingual,
    /// A drill kind as the hub names it (`fire_evacuation`, `lift_rescue`, …).
    pub kind: String,
    /// `tabletop`, `functional` or `full_scale`.
    pub exercise: String,
    /// `YYYY-MM-DD`.
    pub due: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    pub reason: String,
}

/// Adds `entry` to its site's calendar; the site's calendar after.
pub async fn add_entry(
    hub: &HubAddress,
    token: &str,
    entry: &NewEntry,
) -> Result<Vec<CalendarItem>> {
    Ok(hub.post_json("/v1/drills/calendar", token, entry).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alert_hub::protocol::{Bilingual, CalendarEntry, DrillKind, ExerciseType};
    use time::macros::date;

    fn item(id: &str, en: &str, zh: &str, status: CalendarStatus) -> CalendarItem {
        CalendarItem {
            entry: CalendarEntry {
                id: id.into(),
                site: "green-garden".into(),
                plan_entry: "x".into(),
                name: Bilingual {
                    zh: zh.into(),
                    en: en.into(),
                },
                kind: DrillKind::LiftRescue,
                exercise: ExerciseType::Functional,
                due: date!(2027 - 06 - 30),
                scenario: None,
            },
            status,
        }
    }

    fn items() -> Vec<CalendarItem> {
        vec![
            item(
                "2027-q2-lift",
                "Lift rescue drill",
                "电梯困人救援演练",
                CalendarStatus::Done {
                    drill: "lift-1".into(),
                },
            ),
            item(
                "2027-q3-flood",
                "Flood drill",
                "防汛演练",
                CalendarStatus::Overdue { days_late: 1 },
            ),
        ]
    }

    #[test]
    fn the_table_lines_up_its_columns_and_links_the_drill_that_did_an_entry() {
        let text = table(&items(), Lang::En);
        let expected = "\
due         site          entry          name               status            drill
2027-06-30  green-garden  2027-q2-lift   Lift rescue drill  done              lift-1
2027-06-30  green-garden  2027-q3-flood  Flood drill        OVERDUE by 1 day  -
";
        assert_eq!(text, expected);
    }

    #[test]
    fn chinese_names_are_padded_by_their_display_width() {
        let text = table(&items(), Lang::Zh);
        let lines: Vec<&str> = text.lines().collect();
        let status_at = |line: &str, status: &str| line[..line.find(status).unwrap()].width();
        assert_eq!(status_at(lines[1], "已完成"), status_at(lines[2], "已逾期"));
        assert!(lines[2].contains("已逾期 1 天"), "{text}");
    }

    #[test]
    fn statuses_say_how_many_days_are_left_or_late() {
        let due = |days_left| status_text(&CalendarStatus::Due { days_left }, Lang::En);
        assert_eq!(due(0), "due today");
        assert_eq!(due(12), "due in 12 days");
        assert_eq!(
            status_text(&CalendarStatus::Due { days_left: 12 }, Lang::Zh),
            "12 天后到期"
        );
        let cancelled = CalendarStatus::Cancelled {
            reason: "works".into(),
        };
        assert_eq!(status_text(&cancelled, Lang::En), "cancelled: works");
    }
}
