//! The after-action report of a drill, in HSEEP's shape: an overview (name, date, site, type,
//! scenario, objectives, participants), the analysis of each objective (measured against its
//! target, rated; the strengths and areas for improvement a safety officer wrote), the
//! improvement plan with its overdue actions marked, the score with the reason for every
//! deduction, the steps and the call-out, and a timeline of what happened against the targets. As HTML with an SVG timeline,
//! Markdown and JSON.

use playbooks::Lang;
use serde::Serialize;
use time::{Date, Duration, UtcOffset};

use super::drill::{DrillIncident, DrillScore, Rating, score};
use super::improvement::{
    ANALYSIS_HEADERS, PLAN_HEADERS, analysis_rows, no_actions, plan_rows, plan_summary,
};
use super::render::{headers, span, texts};
use crate::pages::html::{Cell, Tone};
use crate::pages::{Mark, MarkKind, Page, Target, Timeline, markdown};
use crate::protocol::describe::{of, pick};
use crate::protocol::{AfterActionRecord, DrillOutcome, DrillRecord, IncidentView, LogEntry};

/// The after-action report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AfterActionReport {
    pub record: DrillRecord,
    /// The site's name as configured.
    pub site_name: Option<String>,
    pub score: DrillScore,
    /// The analysis and improvement plan written after the drill (empty until written).
    pub plan: AfterActionRecord,
    /// The day the report was made, against which actions are overdue.
    #[serde(with = "crate::protocol::iso_date")]
    pub as_of: Date,
    /// The ids of the actions not done and past due on `as_of`.
    pub overdue: Vec<String>,
}

impl AfterActionReport {
    /// The report of the drill in `record`, from its incidents (full views and logs) and its
    /// analysis and plan (`None` before any is written), as of the day `as_of`.
    pub fn build(
        record: DrillRecord,
        site_name: Option<String>,
        incidents: &[(IncidentView, Vec<LogEntry>)],
        plan: Option<AfterActionRecord>,
        as_of: Date,
    ) -> AfterActionReport {
        let incidents: Vec<DrillIncident<'_>> = incidents
            .iter()
            .map(|(view, log)| DrillIncident { view, log })
            .collect();
        let score = score(&record, &incidents);
        let plan = plan.unwrap_or_else(|| AfterActionRecord::new(&record.drill.id));
        let overdue = plan
            .actions
            .iter()
            .filter(|a| a.is_overdue(as_of))
            .map(|a| a.id.clone())
            .collect();
        AfterActionReport {
            record,
            site_name,
            score,
            plan,
            as_of,
            overdue,
        }
    }
}

fn clock(at: time::OffsetDateTime, offset: UtcOffset) -> String {
    let t = at.to_offset(offset);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

fn title(report: &AfterActionReport, lang: Lang) -> String {
    format!(
        "{} — {}",
        of(lang, &report.record.drill.name),
        pick(lang, "演练总结报告", "After-action report")
    )
}

fn overview(
    report: &AfterActionReport,
    lang: Lang,
    offset: UtcOffset,
) -> Vec<(&'static str, String)> {
    let drill = &report.record.drill;
    let names = |pair: Option<(&str, &str)>| {
        pair.map_or_else(
            || "-".to_string(),
            |(zh, en)| pick(lang, zh, en).to_string(),
        )
    };
    let outcome = match &report.record.outcome {
        DrillOutcome::Completed {
            ended_by,
            confirmed_by,
        } => format!(
            "{} ({ended_by}, {} {confirmed_by})",
            pick(lang, "完成", "completed"),
            pick(lang, "确认人", "confirmed by")
        ),
        DrillOutcome::Aborted { by, reason } => {
            format!("{} ({by}): {reason}", pick(lang, "中止", "aborted"))
        }
    };
    vec![
        (
            pick(lang, "演练", "Drill"),
            format!("{} ({})", of(lang, &drill.name), drill.id),
        ),
        (
            pick(lang, "时间", "When"),
            format!(
                "{} – {}",
                clock(drill.started_at, offset),
                clock(report.record.ended_at, offset)
            ),
        ),
        (
            pick(lang, "地点", "Site"),
            report
                .site_name
                .clone()
                .or_else(|| drill.site.clone())
                .unwrap_or_else(|| "-".into()),
        ),
        (
            pick(lang, "类型", "Kind"),
            names(drill.kind.map(|k| k.names())),
        ),
        (
            pick(lang, "演练方式", "Exercise type"),
            names(drill.exercise.map(|e| e.names())),
        ),
        (
            pick(lang, "情景", "Scenario"),
            drill.scenario.clone().unwrap_or_else(|| "-".into()),
        ),
        (pick(lang, "结果", "Outcome"), outcome),
        (
            pick(lang, "参演人员", "Participants"),
            if report.score.participants.is_empty() {
                "-".into()
            } else {
                report.score.participants.join(", ")
            },
        ),
        (
            pick(lang, "演练事件", "Drill incidents"),
            report.record.incidents.join(", "),
        ),
        (
            pick(lang, "总分", "Score"),
            format!("{} / 100", report.score.score),
        ),
    ]
}

fn rating_cell(rating: Rating, lang: Lang) -> Cell {
    let tone = match rating {
        Rating::P => Tone::Good,
        Rating::S => Tone::Plain,
        Rating::M | Rating::U => Tone::Bad,
    };
    Cell::toned(of(lang, &rating.name()), tone)
}

const OBJECTIVE_HEADERS: [(&str, &str); 5] = [
    ("目标", "Objective"),
    ("目标时间", "Target"),
    ("实际用时", "Measured"),
    ("评级", "Rating"),
    ("由", "By"),
];

fn objective_rows(report: &AfterActionReport, lang: Lang) -> Vec<Vec<Cell>> {
    report
        .score
        .objectives
        .iter()
        .map(|o| {
            vec![
                Cell::plain(of(lang, &o.objective.name)),
                Cell::plain(span(i64::from(o.objective.target_secs))),
                Cell::plain(o.measured_secs.map_or_else(|| "-".into(), span)),
                rating_cell(o.rating, lang),
                Cell::plain(o.by.clone().unwrap_or_else(|| "-".into())),
            ]
        })
        .collect()
}

const DEDUCTION_HEADERS: [(&str, &str); 2] = [("扣分", "Points"), ("原因", "Reason")];

fn deduction_rows(report: &AfterActionReport, lang: Lang) -> Vec<Vec<Cell>> {
    report
        .score
        .deductions
        .iter()
        .map(|d| {
            vec![
                Cell::toned(format!("-{}", d.points), Tone::Bad),
                Cell::plain(of(lang, &d.reason)),
            ]
        })
        .collect()
}

const STEP_HEADERS: [(&str, &str); 5] = [
    ("事件", "Incident"),
    ("步骤", "Step"),
    ("完成于", "Done at"),
    ("时限", "Due"),
    ("说明", "Note"),
];

fn step_rows(report: &AfterActionReport, lang: Lang) -> Vec<Vec<Cell>> {
    report
        .score
        .steps
        .iter()
        .map(|s| {
            let tone = if s.late || s.skip_reason.is_some() {
                Tone::Bad
            } else {
                Tone::Plain
            };
            let note = match (&s.skip_reason, s.late) {
                (Some(why), _) => format!("{}: {why}", pick(lang, "跳过", "skipped")),
                (None, true) => pick(lang, "超时", "late").to_string(),
                (None, false) => String::new(),
            };
            vec![
                Cell::plain(s.incident.clone()),
                Cell::plain(format!(
                    "{} {}",
                    s.number,
                    playbooks::first_words(of(lang, &s.instruction))
                )),
                Cell::plain(
                    s.done_secs
                        .map_or_else(|| "-".into(), |x| format!("+{}", span(x))),
                ),
                Cell::plain(
                    s.due_secs
                        .map_or_else(|| "-".into(), |x| format!("+{}", span(x))),
                ),
                Cell::toned(note, tone),
            ]
        })
        .collect()
}

/// The drawing: what happened in the drill's incidents, and each objective's target.
pub fn timeline(report: &AfterActionReport, lang: Lang, offset: UtcOffset) -> Timeline {
    let start = report.record.drill.started_at;
    let mut marks: Vec<Mark> = report
        .score
        .timeline
        .iter()
        .map(|m| Mark {
            at: m.at,
            kind: m.lane,
            label: format!("{} {} {}", m.incident, m.who, of(lang, &m.what)),
        })
        .collect();
    marks.extend(report.score.objectives.iter().filter_map(|o| {
        Some(Mark {
            at: start + Duration::seconds(o.measured_secs?),
            kind: MarkKind::Milestone,
            label: of(lang, &o.objective.name).to_string(),
        })
    }));
    let targets = report
        .score
        .objectives
        .iter()
        .map(|o| Target {
            label: format!(
                "{} ≤ {}",
                of(lang, &o.objective.name),
                span(i64::from(o.objective.target_secs))
            ),
            due: start + Duration::seconds(i64::from(o.objective.target_secs)),
            met_at: o.measured_secs.map(|s| start + Duration::seconds(s)),
        })
        .collect();
    Timeline {
        start,
        marks,
        targets,
        lanes: [
            pick(lang, "设备", "Devices"),
            pick(lang, "值班员", "Operators"),
            pick(lang, "通知", "Notifications"),
            pick(lang, "目标", "Objectives"),
        ]
        .map(String::from),
        offset,
    }
}

fn call_out_line(report: &AfterActionReport, lang: Lang) -> String {
    let c = report.score.call_out;
    format!(
        "{} {} · {} {} · {} {} · {} {}",
        pick(lang, "呼叫", "attempted"),
        c.attempted,
        pick(lang, "送达", "delivered"),
        c.delivered,
        pick(lang, "失败", "failed"),
        c.failed,
        pick(lang, "应答", "answered"),
        c.answered
    )
}

/// The report as a self-contained HTML page.
pub fn html(report: &AfterActionReport, lang: Lang, offset: UtcOffset) -> String {
    let mut page = Page::new(&title(report, lang));
    page.banner(
        pick(lang, "演练 — 不是真实事件", "DRILL — not a real incident"),
        true,
    )
    .heading("overview", pick(lang, "概况", "Overview"))
    .facts(overview(report, lang, offset))
    .heading("timeline", pick(lang, "时间线", "Timeline"))
    .svg(&timeline(report, lang, offset).svg())
    .heading(
        "objectives",
        pick(lang, "目标分析", "Analysis of objectives"),
    )
    .table(
        &headers(&OBJECTIVE_HEADERS, lang),
        &objective_rows(report, lang),
        pick(lang, "本次演练未设目标。", "This drill set no objectives."),
    )
    .table(
        &headers(&ANALYSIS_HEADERS, lang),
        &analysis_rows(report, lang),
        pick(lang, "本次演练未设目标。", "This drill set no objectives."),
    )
    .heading(
        "improvement-plan",
        pick(lang, "改进计划", "Improvement plan"),
    )
    .paragraph(&plan_summary(report, lang))
    .table(
        &headers(&PLAN_HEADERS, lang),
        &plan_rows(report, lang),
        no_actions(lang),
    )
    .heading("score", pick(lang, "评分", "Score"))
    .paragraph(&format!(
        "{} {} / 100 · {} {}",
        pick(lang, "总分", "Score"),
        report.score.score,
        pick(lang, "首次确认用时", "Time to acknowledge"),
        report
            .score
            .time_to_acknowledge_secs
            .map_or_else(|| "-".into(), span)
    ))
    .table(
        &headers(&DEDUCTION_HEADERS, lang),
        &deduction_rows(report, lang),
        pick(lang, "没有扣分。", "No points were taken off."),
    )
    .heading("steps", pick(lang, "处置步骤", "Steps"))
    .table(
        &headers(&STEP_HEADERS, lang),
        &step_rows(report, lang),
        pick(lang, "没有处置步骤。", "No steps were run."),
    )
    .heading("call-out", pick(lang, "通知", "Call-out"))
    .paragraph(&call_out_line(report, lang));
    page.finish()
}

/// The report as Markdown.
pub fn markdown(report: &AfterActionReport, lang: Lang, offset: UtcOffset) -> String {
    let mut out = format!(
        "# {}\n\n**{}**\n\n",
        title(report, lang),
        pick(lang, "演练 — 不是真实事件", "DRILL — not a real incident")
    );
    out.push_str(&format!("## {}\n\n", pick(lang, "概况", "Overview")));
    out.push_str(&markdown::facts(overview(report, lang, offset)));
    out.push_str(&format!(
        "## {}\n\n",
        pick(lang, "目标分析", "Analysis of objectives")
    ));
    out.push_str(&markdown::table(
        &headers(&OBJECTIVE_HEADERS, lang),
        &texts(objective_rows(report, lang)),
        pick(lang, "本次演练未设目标。", "This drill set no objectives."),
    ));
    out.push_str(&markdown::table(
        &headers(&ANALYSIS_HEADERS, lang),
        &texts(analysis_rows(report, lang)),
        pick(lang, "本次演练未设目标。", "This drill set no objectives."),
    ));
    out.push_str(&format!(
        "## {}\n\n{}\n\n",
        pick(lang, "改进计划", "Improvement plan"),
        plan_summary(report, lang)
    ));
    out.push_str(&markdown::table(
        &headers(&PLAN_HEADERS, lang),
        &texts(plan_rows(report, lang)),
        no_actions(lang),
    ));
    out.push_str(&format!("## {}\n\n", pick(lang, "评分", "Score")));
    out.push_str(&markdown::table(
        &headers(&DEDUCTION_HEADERS, lang),
        &texts(deduction_rows(report, lang)),
        pick(lang, "没有扣分。", "No points were taken off."),
    ));
    out.push_str(&format!("## {}\n\n", pick(lang, "处置步骤", "Steps")));
    out.push_str(&markdown::table(
        &headers(&STEP_HEADERS, lang),
        &texts(step_rows(report, lang)),
        pick(lang, "没有处置步骤。", "No steps were run."),
    ));
    out.push_str(&format!(
        "## {}\n\n{}\n",
        pick(lang, "通知", "Call-out"),
        call_out_line(report, lang)
    ));
    out
}
