//! The post-incident report as a page: self-contained HTML with its SVG timeline, Markdown, or
//! JSON, in the reader's language. The same sections in the same order in every format.

use playbooks::Lang;
use time::{OffsetDateTime, UtcOffset};

use super::incident::{CheckpointMark, IncidentReport, Milestone, Verdict};
use crate::pages::html::{Cell, Tone};
use crate::pages::{Mark, MarkKind, Page, Target, Timeline, markdown};
use crate::protocol::describe::{channel_name, of, pick};
use crate::protocol::{AttemptStatus, StepStatus};

/// The formats a report is given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Markdown,
    Json,
}

impl Format {
    /// `html`, `md` or `json`, as the API and the command line name them.
    pub fn parse(text: &str) -> Option<Format> {
        match text {
            "html" => Some(Format::Html),
            "md" | "markdown" => Some(Format::Markdown),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    /// The content type to serve it with.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Html => "text/html; charset=utf-8",
            Format::Markdown => "text/markdown; charset=utf-8",
            Format::Json => "application/json",
        }
    }
}

/// `m:ss`, or `h:mm:ss` past an hour; a negative span reads `-m:ss`.
pub fn span(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.abs();
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        format!("{sign}{h}:{m:02}:{s:02}")
    } else {
        format!("{sign}{m}:{s:02}")
    }
}

fn clock(at: OffsetDateTime, offset: UtcOffset) -> String {
    let t = at.to_offset(offset);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn verdict(v: Verdict, lang: Lang) -> Cell {
    match v {
        Verdict::Pass => Cell::toned(pick(lang, "达标", "pass"), Tone::Good),
        Verdict::Fail => Cell::toned(pick(lang, "未达标", "FAIL"), Tone::Bad),
        Verdict::NoTarget => Cell::toned(pick(lang, "无目标", "no target"), Tone::Muted),
        Verdict::NotReached => Cell::toned(pick(lang, "未发生", "not reached"), Tone::Muted),
    }
}

fn title(report: &IncidentReport, lang: Lang) -> String {
    format!(
        "{} {} — {}",
        report.id,
        of(lang, &report.kind_name),
        pick(lang, "事后报告", "Post-incident report")
    )
}

fn header(report: &IncidentReport, lang: Lang, offset: UtcOffset) -> Vec<(&'static str, String)> {
    let yes_no = |b: bool| {
        pick(
            lang,
            if b { "是" } else { "否" },
            if b { "yes" } else { "no" },
        )
    };
    vec![
        (pick(lang, "事件", "Incident"), report.id.clone()),
        (
            pick(lang, "类型", "Kind"),
            of(lang, &report.kind_name).to_string(),
        ),
        (
            pick(lang, "优先级", "Priority"),
            report.priority.to_string(),
        ),
        (pick(lang, "地点", "Where"), report.location.clone()),
        (
            pick(lang, "真实或演练", "Real or drill"),
            match &report.drill {
                Some(drill) => format!("{} {drill}", pick(lang, "演练", "drill")),
                None => pick(lang, "真实事件", "real incident").to_string(),
            },
        ),
        (
            pick(lang, "开始", "Opened"),
            clock(report.opened_at, offset),
        ),
        (
            pick(lang, "双探测器确认", "Confirmed by two detectors"),
            yes_no(report.confirmed_by_two_detectors).to_string(),
        ),
        (
            pick(lang, "设备", "Devices"),
            format!(
                "{} ({} {})",
                report.devices.join(", "),
                report.event_count,
                pick(lang, "个事件", "events")
            ),
        ),
        (
            pick(lang, "预案", "Playbook"),
            report
                .playbook
                .as_ref()
                .map_or_else(|| "-".to_string(), |p| of(lang, p).to_string()),
        ),
    ]
}

fn milestone_row(m: &Milestone, lang: Lang, offset: UtcOffset) -> Vec<Cell> {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".to_string());
    vec![
        Cell::plain(of(lang, &m.name)),
        Cell::plain(opt(m.at.map(|at| clock(at, offset)))),
        Cell::plain(opt(m.after_secs.map(|s| format!("+{}", span(s))))),
        Cell::plain(opt(m.since_previous_secs.map(span))),
        Cell::plain(opt(m.target_secs.map(|s| format!("≤ {}", span(s))))),
        verdict(m.verdict, lang),
        Cell::plain(opt(m.by.clone())),
    ]
}

const MILESTONE_HEADERS: [(&str, &str); 7] = [
    ("里程碑", "Milestone"),
    ("时间", "At"),
    ("距首个报警", "After first event"),
    ("距上一里程碑", "Since previous"),
    ("目标", "Target"),
    ("结果", "Result"),
    ("由", "By"),
];

/// A table's header row in `lang`.
pub(super) fn headers<const N: usize>(
    names: &[(&'static str, &'static str); N],
    lang: Lang,
) -> Vec<&'static str> {
    names.iter().map(|(zh, en)| pick(lang, zh, en)).collect()
}

fn status_name(status: StepStatus, lang: Lang) -> &'static str {
    let (zh, en) = match status {
        StepStatus::Pending => ("未办", "pending"),
        StepStatus::Current => ("进行中", "current"),
        StepStatus::Overdue => ("超时未办", "overdue"),
        StepStatus::Done => ("完成", "done"),
        StepStatus::Skipped => ("跳过", "skipped"),
        StepStatus::NotTaken => ("未走此分支", "not taken"),
    };
    pick(lang, zh, en)
}

fn checklist_rows(report: &IncidentReport, lang: Lang, offset: UtcOffset) -> Vec<Vec<Cell>> {
    report
        .checklist
        .iter()
        .filter(|s| s.status != StepStatus::NotTaken)
        .map(|s| {
            let mut outcome = status_name(s.status, lang).to_string();
            if let Some(chosen) = &s.chosen {
                outcome = format!("{outcome}: {}", of(lang, chosen));
            }
            if let Some(reason) = &s.skip_reason {
                outcome = format!("{outcome}: {reason}");
            }
            for (label, value) in &s.values {
                outcome = format!("{outcome}; {} = {value}", of(lang, label));
            }
            let tone = if s.late { Tone::Bad } else { Tone::Plain };
            vec![
                Cell::plain(s.number.to_string()),
                Cell::plain(playbooks::first_words(of(lang, &s.instruction))),
                Cell::toned(outcome, tone),
                Cell::plain(s.by.clone().unwrap_or_else(|| "-".into())),
                Cell::plain(s.at.map_or_else(|| "-".into(), |at| clock(at, offset))),
                Cell::toned(
                    s.due_at
                        .map_or_else(|| "-".into(), |due| clock(due, offset)),
                    tone,
                ),
            ]
        })
        .collect()
}

const CHECKLIST_HEADERS: [(&str, &str); 6] = [
    ("#", "#"),
    ("步骤", "Step"),
    ("结果", "Outcome"),
    ("由", "By"),
    ("时间", "At"),
    ("时限", "Due"),
];

fn attempt_status(status: AttemptStatus, lang: Lang) -> Cell {
    match status {
        AttemptStatus::Sending => Cell::toned(pick(lang, "发送中", "sending"), Tone::Muted),
        AttemptStatus::Delivered => Cell::plain(pick(lang, "已送达", "delivered")),
        AttemptStatus::Acknowledged => {
            Cell::toned(pick(lang, "已确认", "acknowledged"), Tone::Good)
        }
        AttemptStatus::Failed => Cell::toned(pick(lang, "失败", "failed"), Tone::Bad),
    }
}

fn notification_rows(report: &IncidentReport, lang: Lang, offset: UtcOffset) -> Vec<Vec<Cell>> {
    report
        .notifications
        .iter()
        .map(|a| {
            vec![
                Cell::plain(format!("L{}", a.level)),
                Cell::plain(a.contact.clone()),
                Cell::plain(channel_name(&a.channel, lang)),
                Cell::plain(clock(a.at, offset)),
                attempt_status(a.status, lang),
                Cell::plain(a.detail.as_ref().map_or("", |d| of(lang, d))),
            ]
        })
        .collect()
}

const NOTIFICATION_HEADERS: [(&str, &str); 6] = [
    ("级", "Level"),
    ("联系人", "Contact"),
    ("方式", "Channel"),
    ("时间", "At"),
    ("结果", "Result"),
    ("说明", "Detail"),
];

fn timeline_rows(report: &IncidentReport, lang: Lang, offset: UtcOffset) -> Vec<Vec<Cell>> {
    report
        .timeline
        .iter()
        .map(|e| {
            vec![
                Cell::plain(clock(e.at, offset)),
                Cell::plain(format!(
                    "+{}",
                    span((e.at - report.opened_at).whole_seconds())
                )),
                Cell::plain(e.who.clone()),
                Cell::plain(of(lang, &e.what)),
            ]
        })
        .collect()
}

const TIMELINE_HEADERS: [(&str, &str); 4] = [
    ("时间", "At"),
    ("距开始", "Elapsed"),
    ("谁", "Who"),
    ("内容", "What"),
];

/// The drawing: every log entry in its lane, the milestones named, their targets as lines.
pub fn timeline(report: &IncidentReport, lang: Lang, offset: UtcOffset) -> Timeline {
    let mut marks: Vec<Mark> = report
        .timeline
        .iter()
        .map(|e| Mark {
            at: e.at,
            kind: e.lane,
            label: format!("{} {}", e.who, of(lang, &e.what)),
        })
        .collect();
    marks.extend(report.milestones.iter().filter_map(|m| {
        Some(Mark {
            at: m.at?,
            kind: MarkKind::Milestone,
            label: of(lang, &m.name).to_string(),
        })
    }));
    let targets = report
        .milestones
        .iter()
        .filter_map(|m| {
            let due = report.opened_at + time::Duration::seconds(m.target_secs?);
            Some(Target {
                label: format!("{} ≤ {}", of(lang, &m.name), span(m.target_secs?)),
                due,
                met_at: m.at,
            })
        })
        .collect();
    Timeline {
        start: report.opened_at,
        marks,
        targets,
        lanes: [
            pick(lang, "设备", "Devices"),
            pick(lang, "值班员", "Operators"),
            pick(lang, "通知", "Notifications"),
            pick(lang, "里程碑", "Milestones"),
        ]
        .map(String::from),
        offset,
    }
}

/// The report as a self-contained HTML page.
pub fn html(report: &IncidentReport, lang: Lang, offset: UtcOffset) -> String {
    let mut page = Page::new(&title(report, lang));
    let banner = match &report.drill {
        Some(drill) => format!(
            "{} {drill}",
            pick(lang, "演练 — 不是真实事件", "DRILL — not a real incident")
        ),
        None => pick(lang, "真实事件", "REAL INCIDENT").to_string(),
    };
    page.banner(&banner, report.drill.is_some())
        .facts(header(report, lang, offset))
        .heading("timeline", pick(lang, "时间线", "Timeline"))
        .svg(&timeline(report, lang, offset).svg())
        .heading("milestones", pick(lang, "里程碑", "Milestones"))
        .table(
            &headers(&MILESTONE_HEADERS, lang),
            &report
                .milestones
                .iter()
                .map(|m| milestone_row(m, lang, offset))
                .collect::<Vec<_>>(),
            "",
        )
        .heading("checklist", pick(lang, "处置步骤", "Checklist"))
        .table(
            &headers(&CHECKLIST_HEADERS, lang),
            &checklist_rows(report, lang, offset),
            pick(lang, "没有预案。", "No playbook ran."),
        )
        .heading(
            "notifications",
            pick(lang, "通知与升级", "Notifications and escalations"),
        )
        .paragraph(&format!(
            "{}: {}",
            pick(lang, "升级次数", "Escalations"),
            report.escalations
        ))
        .table(
            &headers(&NOTIFICATION_HEADERS, lang),
            &notification_rows(report, lang, offset),
            pick(lang, "没有通知。", "Nobody was called."),
        )
        .heading("notes", pick(lang, "备注", "Notes"))
        .table(
            &[
                pick(lang, "时间", "At"),
                pick(lang, "由", "By"),
                pick(lang, "内容", "Note"),
            ],
            &report
                .notes
                .iter()
                .map(|n| {
                    vec![
                        Cell::plain(clock(n.at, offset)),
                        Cell::plain(n.by.clone()),
                        Cell::plain(n.text.clone()),
                    ]
                })
                .collect::<Vec<_>>(),
            pick(lang, "没有备注。", "No notes."),
        )
        .heading("review", pick(lang, "事后复盘", "Review"))
        .facts(review_facts(report, lang, offset))
        .table(
            &headers(&ACTION_HEADERS, lang),
            &action_rows(report, lang),
            pick(lang, "没有整改措施。", "No corrective actions."),
        )
        .heading("log", pick(lang, "完整记录", "Full log"))
        .table(
            &headers(&TIMELINE_HEADERS, lang),
            &timeline_rows(report, lang, offset),
            "",
        );
    if let Some(line) = checkpoint_line(report.checkpoint.as_ref(), lang) {
        page.paragraph(&line);
    }
    page.finish()
}

/// The review's lines: the root cause, the factors, and who signed it off when (or that
/// nobody has yet).
fn review_facts(
    report: &IncidentReport,
    lang: Lang,
    offset: UtcOffset,
) -> Vec<(&'static str, String)> {
    let Some(record) = &report.review else {
        return vec![(
            pick(lang, "状态", "Status"),
            pick(lang, "尚未撰写", "not written yet").to_string(),
        )];
    };
    let signed = match record.signed_off() {
        Some(s) => format!("{} {}", s.by, clock(s.at, offset)),
        None => pick(lang, "尚未签字", "not signed off yet").to_string(),
    };
    vec![
        (
            pick(lang, "根本原因", "Root cause"),
            record.review.root_cause.clone(),
        ),
        (
            pick(lang, "促成因素", "Contributing factors"),
            if record.review.factors.is_empty() {
                "-".to_string()
            } else {
                record.review.factors.join("; ")
            },
        ),
        (pick(lang, "签字", "Signed off"), signed),
    ]
}

fn action_rows(report: &IncidentReport, lang: Lang) -> Vec<Vec<Cell>> {
    report
        .review
        .iter()
        .flat_map(|r| r.review.actions.iter())
        .map(|a| {
            vec![
                Cell::plain(a.action.clone()),
                Cell::plain(a.owner.clone()),
                Cell::plain(a.due.to_string()),
                if a.done {
                    Cell::toned(pick(lang, "已完成", "done"), Tone::Good)
                } else {
                    Cell::plain(pick(lang, "未完成", "open"))
                },
            ]
        })
        .collect()
}

const ACTION_HEADERS: [(&str, &str); 4] = [
    ("整改措施", "Corrective action"),
    ("负责人", "Owner"),
    ("期限", "Due"),
    ("状态", "Status"),
];

/// A table's rows as the plain text of their cells, for Markdown.
pub(super) fn texts(rows: Vec<Vec<Cell>>) -> Vec<Vec<String>> {
    rows.into_iter()
        .map(|row| row.into_iter().map(|c| c.text).collect())
        .collect()
}

/// The report as Markdown.
pub fn markdown(report: &IncidentReport, lang: Lang, offset: UtcOffset) -> String {
    let mut out = format!("# {}\n\n", title(report, lang));
    let banner = match &report.drill {
        Some(drill) => format!(
            "**{} {drill}**",
            pick(lang, "演练 — 不是真实事件", "DRILL — not a real incident")
        ),
        None => format!("**{}**", pick(lang, "真实事件", "REAL INCIDENT")),
    };
    out.push_str(&format!("{banner}\n\n"));
    out.push_str(&markdown::facts(header(report, lang, offset)));
    out.push_str(&format!("## {}\n\n", pick(lang, "里程碑", "Milestones")));
    out.push_str(&markdown::table(
        &headers(&MILESTONE_HEADERS, lang),
        &texts(
            report
                .milestones
                .iter()
                .map(|m| milestone_row(m, lang, offset))
                .collect(),
        ),
        "",
    ));
    out.push_str(&format!("## {}\n\n", pick(lang, "处置步骤", "Checklist")));
    out.push_str(&markdown::table(
        &headers(&CHECKLIST_HEADERS, lang),
        &texts(checklist_rows(report, lang, offset)),
        pick(lang, "没有预案。", "No playbook ran."),
    ));
    out.push_str(&format!(
        "## {}\n\n{}: {}\n\n",
        pick(lang, "通知与升级", "Notifications and escalations"),
        pick(lang, "升级次数", "Escalations"),
        report.escalations
    ));
    out.push_str(&markdown::table(
        &headers(&NOTIFICATION_HEADERS, lang),
        &texts(notification_rows(report, lang, offset)),
        pick(lang, "没有通知。", "Nobody was called."),
    ));
    out.push_str(&format!("## {}\n\n", pick(lang, "备注", "Notes")));
    out.push_str(&markdown::table(
        &[
            pick(lang, "时间", "At"),
            pick(lang, "由", "By"),
            pick(lang, "内容", "Note"),
        ],
        &report
            .notes
            .iter()
            .map(|n| vec![clock(n.at, offset), n.by.clone(), n.text.clone()])
            .collect::<Vec<_>>(),
        pick(lang, "没有备注。", "No notes."),
    ));
    out.push_str(&format!("## {}\n\n", pick(lang, "事后复盘", "Review")));
    out.push_str(&markdown::facts(review_facts(report, lang, offset)));
    out.push_str(&markdown::table(
        &headers(&ACTION_HEADERS, lang),
        &texts(action_rows(report, lang)),
        pick(lang, "没有整改措施。", "No corrective actions."),
    ));
    out.push_str(&format!("## {}\n\n", pick(lang, "完整记录", "Full log")));
    out.push_str(&markdown::table(
        &headers(&TIMELINE_HEADERS, lang),
        &texts(timeline_rows(report, lang, offset)),
        "",
    ));
    if let Some(line) = checkpoint_line(report.checkpoint.as_ref(), lang) {
        out.push_str(&format!("---\n\n{line}\n"));
    }
    out
}

/// The footer naming the audit checkpoint a report was made under: its tree size and root.
pub(crate) fn checkpoint_line(mark: Option<&CheckpointMark>, lang: Lang) -> Option<String> {
    let mark = mark?;
    Some(format!(
        "{} {}: {} {}, {} {}",
        pick(lang, "审计检查点", "Audit checkpoint"),
        mark.origin,
        pick(lang, "记录数", "tree size"),
        mark.tree_size,
        pick(lang, "根哈希", "root"),
        mark.root
    ))
}

/// The report as JSON: every field of [`IncidentReport`].
pub fn json(report: &IncidentReport) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| {
        serde_json::json!({ "error": format!("the report could not be written: {e}") }).to_string()
    })
}
