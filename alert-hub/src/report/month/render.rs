//! The monthly report as a page: self-contained HTML with SVG charts, Markdown, JSON, or its
//! tables as CSV. Every format is built from the same tables, in the same order.

use playbooks::Lang;

use super::MonthReport;
use crate::pages::{Page, chart, csv, markdown};
use crate::protocol::describe::{of, pick};
use crate::report::render::{checkpoint_line, span};

/// The formats the monthly report is given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthFormat {
    Html,
    Markdown,
    Json,
    Csv,
}

impl MonthFormat {
    /// `html`, `md`, `json` or `csv`, as the API and the command line name them.
    pub fn parse(text: &str) -> Option<MonthFormat> {
        match text {
            "html" => Some(MonthFormat::Html),
            "md" | "markdown" => Some(MonthFormat::Markdown),
            "json" => Some(MonthFormat::Json),
            "csv" => Some(MonthFormat::Csv),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MonthFormat::Html => "html",
            MonthFormat::Markdown => "md",
            MonthFormat::Json => "json",
            MonthFormat::Csv => "csv",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            MonthFormat::Html => "text/html; charset=utf-8",
            MonthFormat::Markdown => "text/markdown; charset=utf-8",
            MonthFormat::Json => "application/json",
            MonthFormat::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// The report in `format` and `lang`.
pub fn render(report: &MonthReport, format: MonthFormat, lang: Lang) -> String {
    match format {
        MonthFormat::Html => html(report, lang),
        MonthFormat::Markdown => markdown(report, lang),
        MonthFormat::Json => json(report),
        MonthFormat::Csv => csv(report, lang),
    }
}

/// One table of the report.
struct Table {
    id: &'static str,
    title: &'static str,
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
    empty: &'static str,
}

fn opt_secs(secs: Option<i64>) -> String {
    secs.map(span).unwrap_or_else(|| "—".into())
}

fn opt_num(value: Option<f64>) -> String {
    value.map(|v| format!("{v}")).unwrap_or_else(|| "—".into())
}

fn tables(report: &MonthReport, lang: Lang) -> Vec<Table> {
    let p = |zh: &'static str, en: &'static str| pick(lang, zh, en);
    let counts = |list: &[super::Count]| -> Vec<Vec<String>> {
        list.iter()
            .map(|c| vec![c.key.clone(), c.count.to_string()])
            .collect()
    };
    let t = &report.totals;
    vec![
        Table {
            id: "totals",
            title: p("总数", "Totals"),
            headers: vec![p("项目", "Item"), p("数量", "Count")],
            rows: vec![
                vec![p("真实事件", "real incidents").into(), t.real.to_string()],
                vec![p("误报", "false alarms").into(), t.false_alarms.to_string()],
                vec![p("仍未关闭", "still open").into(), t.still_open.to_string()],
                vec![
                    p("演练事件（不计入）", "drill incidents (not counted)").into(),
                    t.drill.to_string(),
                ],
                vec![
                    p("测试中信号（不计入）", "signals on test (not counted)").into(),
                    t.on_test.to_string(),
                ],
            ],
            empty: "",
        },
        Table {
            id: "by_kind",
            title: p("按类型", "By kind"),
            headers: vec![p("类型", "Kind"), p("数量", "Count")],
            rows: counts(&report.by_kind),
            empty: p("本月没有事件。", "No incidents this month."),
        },
        Table {
            id: "by_site",
            title: p("按项目", "By site"),
            headers: vec![p("项目", "Site"), p("数量", "Count")],
            rows: counts(&report.by_site),
            empty: p("本月没有事件。", "No incidents this month."),
        },
        Table {
            id: "by_priority",
            title: p("按优先级", "By priority"),
            headers: vec![p("优先级", "Priority"), p("数量", "Count")],
            rows: counts(&report.by_priority),
            empty: p("本月没有事件。", "No incidents this month."),
        },
        Table {
            id: "acknowledgement",
            title: p("确认用时", "Time to acknowledge"),
            headers: vec![
                p("优先级", "Priority"),
                p("事件", "Incidents"),
                p("已确认", "Acknowledged"),
                "p50",
                "p90",
                "p99",
                p("30秒内 %", "within 30 s %"),
                p("60秒内 %", "within 60 s %"),
            ],
            rows: report
                .acknowledgement
                .iter()
                .map(|a| {
                    vec![
                        a.priority.to_string(),
                        a.incidents.to_string(),
                        a.acknowledged.to_string(),
                        opt_secs(a.p50_secs),
                        opt_secs(a.p90_secs),
                        opt_secs(a.p99_secs),
                        opt_num(a.within_30s_pct),
                        opt_num(a.within_60s_pct),
                    ]
                })
                .collect(),
            empty: p("本月没有事件。", "No incidents this month."),
        },
        Table {
            id: "sla",
            title: p("目标达成", "Targets met"),
            headers: vec![
                p("目标", "Target"),
                p("时限", "Within"),
                p("适用", "Applies to"),
                p("达成", "Met"),
                p("未达成", "Missed"),
                p("达成率 %", "Compliance %"),
            ],
            rows: report
                .sla
                .iter()
                .map(|s| {
                    vec![
                        of(lang, &s.name).to_string(),
                        span(s.target_secs),
                        s.applies.to_string(),
                        s.met.to_string(),
                        s.missed.to_string(),
                        opt_num(s.compliance_pct),
                    ]
                })
                .collect(),
            empty: "",
        },
        Table {
            id: "nuisance_devices",
            title: p(
                "误报最多的设备",
                "Nuisance devices (alarms later marked false)",
            ),
            headers: vec![
                p("设备", "Device"),
                p("项目", "Site"),
                p("误报", "False alarms"),
            ],
            rows: report
                .nuisance_devices
                .iter()
                .map(|d| vec![d.device.clone(), d.site.clone(), d.count.to_string()])
                .collect(),
            empty: p("没有误报。", "No false alarms."),
        },
        Table {
            id: "flapping_devices",
            title: p("反复报警的设备", "Flapping devices"),
            headers: vec![
                p("设备", "Device"),
                p("项目", "Site"),
                p("事件", "Incidents"),
                p("反复次数", "Flaps"),
            ],
            rows: report
                .flapping_devices
                .iter()
                .map(|d| {
                    vec![
                        d.device.clone(),
                        d.site.clone(),
                        d.incidents.to_string(),
                        d.count.to_string(),
                    ]
                })
                .collect(),
            empty: p("没有反复报警的设备。", "No device flapped."),
        },
        Table {
            id: "comms_lost",
            title: p("通讯中断时长", "Communication lost, hours per source"),
            headers: vec![
                p("信号源", "Source"),
                p("项目", "Site"),
                p("次数", "Times"),
                p("小时", "Hours"),
            ],
            rows: report
                .comms_lost
                .iter()
                .map(|s| {
                    vec![
                        s.source.clone(),
                        s.site.clone(),
                        s.periods.to_string(),
                        s.hours.to_string(),
                    ]
                })
                .collect(),
            empty: p("通讯没有中断。", "No source lost communication."),
        },
        Table {
            id: "on_test",
            title: p("测试中的设备", "On test"),
            headers: vec![
                p("信号源", "Source"),
                p("设备", "Device"),
                p("次数", "Times"),
                p("小时", "Hours"),
            ],
            rows: report
                .on_test
                .iter()
                .map(|o| {
                    vec![
                        o.source.clone(),
                        o.device
                            .clone()
                            .unwrap_or_else(|| p("整个信号源", "whole source").into()),
                        o.times.to_string(),
                        o.hours.to_string(),
                    ]
                })
                .collect(),
            empty: p("没有设备处于测试。", "Nothing was on test."),
        },
        Table {
            id: "steps",
            title: p(
                "最常跳过或超时的步骤",
                "Steps most often skipped or overdue",
            ),
            headers: vec![
                p("步骤", "Step"),
                p("跳过", "Skipped"),
                p("超时", "Overdue"),
            ],
            rows: report
                .steps
                .iter()
                .map(|s| vec![s.step.clone(), s.skipped.to_string(), s.overdue.to_string()])
                .collect(),
            empty: p("没有跳过或超时的步骤。", "No step was skipped or overdue."),
        },
        Table {
            id: "drills",
            title: p("演练", "Drills"),
            headers: vec![
                p("演练", "Drill"),
                p("项目", "Site"),
                p("场景", "Scenario"),
                p("结果", "Outcome"),
                p("得分", "Score"),
            ],
            rows: report
                .drills
                .drills
                .iter()
                .map(|d| {
                    vec![
                        format!("{} {}", d.id, of(lang, &d.name)),
                        d.site.clone().unwrap_or_default(),
                        d.scenario.clone().unwrap_or_default(),
                        if d.completed {
                            p("完成", "completed")
                        } else {
                            p("中止", "aborted")
                        }
                        .into(),
                        d.score.map(|s| s.to_string()).unwrap_or_else(|| "—".into()),
                    ]
                })
                .collect(),
            empty: p("本月没有演练。", "No drill this month."),
        },
        Table {
            id: "trends",
            title: p("与上月比较", "Against the previous month"),
            headers: vec![
                p("指标", "Figure"),
                p("本月", "This month"),
                p("上月", "Previous month"),
                p("变化", "Change"),
            ],
            rows: report
                .trends
                .iter()
                .map(|t| {
                    vec![
                        of(lang, &t.name).to_string(),
                        opt_num(t.this_month),
                        opt_num(t.previous_month),
                        opt_num(t.change),
                    ]
                })
                .collect(),
            empty: "",
        },
    ]
}

fn title(report: &MonthReport, lang: Lang) -> String {
    let site = report
        .site
        .as_deref()
        .map(|s| format!(" — {s}"))
        .unwrap_or_default();
    format!(
        "{} {}{site}",
        pick(lang, "月度报告", "Monthly report"),
        report.month
    )
}

fn summary(report: &MonthReport, lang: Lang) -> Vec<(&'static str, String)> {
    vec![
        (pick(lang, "月份", "Month"), report.month.clone()),
        (
            pick(lang, "项目", "Site"),
            report
                .site
                .clone()
                .unwrap_or_else(|| pick(lang, "全部", "all sites").into()),
        ),
        (
            pick(lang, "演练", "Drills"),
            format!(
                "{} ({} {}, {} {}); {}: {}",
                report.drills.held,
                report.drills.completed,
                pick(lang, "完成", "completed"),
                report.drills.aborted,
                pick(lang, "中止", "aborted"),
                pick(lang, "平均得分", "mean score"),
                opt_num(report.drills.mean_score)
            ),
        ),
    ]
}

/// The buckets of the distribution of times to acknowledge.
const ACK_UPPERS: [i64; 5] = [30, 60, 120, 300, 1800];
const ACK_LABELS: [&str; 6] = ["≤30s", "≤1m", "≤2m", "≤5m", "≤30m", ">30m"];

/// The report as a self-contained HTML page with its charts.
pub fn html(report: &MonthReport, lang: Lang) -> String {
    let mut page = Page::new(&title(report, lang));
    page.facts(summary(report, lang))
        .paragraph(pick(
            lang,
            "演练事件和测试中设备的信号不计入以下真实数字。",
            "Drill incidents and signals from devices on test are never counted in the real figures below.",
        ));
    let bars = |list: &[super::Count]| -> Vec<(String, u64)> {
        list.iter().map(|c| (c.key.clone(), c.count)).collect()
    };
    for table in tables(report, lang) {
        page.heading(table.id, table.title);
        match table.id {
            "by_kind" => page.svg(&chart::bars(table.title, &bars(&report.by_kind))),
            "by_site" => page.svg(&chart::bars(table.title, &bars(&report.by_site))),
            "by_priority" => page.svg(&chart::bars(table.title, &bars(&report.by_priority))),
            "acknowledgement" => {
                for ack in &report.acknowledgement {
                    let name = format!("{} {}", ack.priority, table.title);
                    page.svg(&chart::distribution(
                        &name,
                        &ack.times,
                        &ACK_UPPERS,
                        &ACK_LABELS,
                    ));
                }
                &mut page
            }
            _ => &mut page,
        };
        let rows: Vec<Vec<crate::pages::html::Cell>> = table
            .rows
            .iter()
            .map(|r| r.iter().map(crate::pages::html::Cell::plain).collect())
            .collect();
        page.table(&table.headers, &rows, table.empty);
    }
    if let Some(line) = checkpoint_line(report.checkpoint.as_ref(), lang) {
        page.paragraph(&line);
    }
    page.finish()
}

/// The report as Markdown.
pub fn markdown(report: &MonthReport, lang: Lang) -> String {
    let mut out = format!("# {}\n\n", title(report, lang));
    out.push_str(&markdown::facts(summary(report, lang)));
    for table in tables(report, lang) {
        out.push_str(&format!("\n## {}\n\n", table.title));
        out.push_str(&markdown::table(&table.headers, &table.rows, table.empty));
    }
    if let Some(line) = checkpoint_line(report.checkpoint.as_ref(), lang) {
        out.push_str(&format!("\n---\n\n{line}\n"));
    }
    out
}

/// The report as JSON.
pub fn json(report: &MonthReport) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// Every table as one CSV in long form: `table,key,figure,value`, a line per cell after the
/// first column, so the tables of different shapes stay one file a spreadsheet can pivot.
pub fn csv(report: &MonthReport, lang: Lang) -> String {
    let mut rows = Vec::new();
    for table in tables(report, lang) {
        for row in &table.rows {
            let Some((key, cells)) = row.split_first() else {
                continue;
            };
            for (header, value) in table.headers.iter().skip(1).zip(cells) {
                rows.push(vec![
                    table.id.to_string(),
                    key.clone(),
                    (*header).to_string(),
                    value.clone(),
                ]);
            }
        }
    }
    if let Some(mark) = &report.checkpoint {
        let figure = |name: &str, value: String| {
            vec!["checkpoint".into(), mark.origin.clone(), name.into(), value]
        };
        rows.push(figure("tree_size", mark.tree_size.to_string()));
        rows.push(figure("root", mark.root.clone()));
    }
    csv::table(&["table", "key", "figure", "value"], &rows)
}
