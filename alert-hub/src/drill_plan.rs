//! The annual drill plan: its TOML format, checked with errors that name the file, line and
//! field, and the calendar of drills it yields for one year and a list of sites. Pure: text in,
//! entries out; nothing here reads a file or a clock.
//!
//! ```toml
//! [[entries]]
//! id = "lift-rescue"
//! name = { zh = "电梯困人救援演练", en = "Lift rescue drill" }
//! kind = "lift_rescue"            # a DrillKind
//! exercise = "functional"         # tabletop | functional | full_scale
//! scenario = "lift-rescue"        # optional: the scenario's file stem
//! when = { every = "6 months" }   # see below
//! sites = "all"                   # optional, the default; or ["green-garden", ...]
//! ```
//!
//! `when` is one of: `{ quarter = 1 }` (the last day of Q1); `{ month = 10 }` or
//! `{ month = 12, day = 20 }` (once a year); `{ every = "month" | "quarter" | "6 months" }`, with
//! an optional first `month` and `day` (by default the last month of the first period and the
//! last day of the month); `{ date = "2027-03-15" }` (once, in that year only).

use playbooks::{Findings, Problem, RawText, SourceFile};
use serde::Deserialize;
use time::{Date, Month};
use toml::Spanned;

use crate::error::PlanError;
use crate::protocol::{Bilingual, CalendarEntry, DrillKind, ExerciseType};

/// The seeds' annual plan, shipped as the default.
pub const DEFAULT_PLAN: &str = include_str!("../plans/default.toml");

/// How errors name the default plan.
pub const DEFAULT_PLAN_FILE: &str = "plans/default.toml";

/// A checked drill plan: which drills the sites hold in a year, how, and by when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// How errors name the file the plan was read from.
    pub file: String,
    /// In file order; never empty, ids unique.
    pub entries: Vec<PlanEntry>,
}

/// One line of the plan: a kind of drill, how it is played, where, and when it falls due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanEntry {
    pub id: String,
    pub name: Bilingual,
    pub kind: DrillKind,
    pub exercise: ExerciseType,
    /// The scenario to run, by file stem in the drills' scenarios directory.
    pub scenario: Option<String>,
    pub when: When,
    pub sites: Sites,
    /// The line of the entry's `id`.
    pub line: usize,
    /// The line of its `sites`, for a site the hub does not know.
    sites_line: usize,
}

/// When a plan entry falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Every `months` months (1, 3, 6 or 12), the first time in month `first`, by day `day` of
    /// the month or, when `None`, by its last day.
    Every {
        months: u8,
        first: Month,
        day: Option<u8>,
    },
    /// Once, by this day; only that year's calendar holds it.
    On(Date),
}

impl When {
    /// The days the entry falls due in `year`, in order.
    pub fn due_dates(self, year: i32) -> Vec<Date> {
        match self {
            When::Every { months, first, day } => (0..12 / months.max(1))
                .filter_map(|i| {
                    let month = first.nth_next(i * months);
                    let day = day.unwrap_or_else(|| month.length(year));
                    Date::from_calendar_date(year, month, day).ok()
                })
                .collect(),
            When::On(date) => [date].into_iter().filter(|d| d.year() == year).collect(),
        }
    }

    /// The part of a calendar id that tells this entry's drills of one year apart: `m03` for a
    /// monthly one, else the quarter the day falls in, `q2`.
    fn period(self, due: Date) -> String {
        match self {
            When::Every { months: 1, .. } => format!("m{:02}", u8::from(due.month())),
            When::Every { .. } | When::On(_) => format!("q{}", u8::from(due.month()).div_ceil(3)),
        }
    }
}

/// The sites that hold a plan entry's drill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sites {
    /// Every site of the hub.
    All,
    /// Only these, by id.
    Only(Vec<String>),
}

impl Sites {
    fn includes(&self, site: &str) -> bool {
        match self {
            Sites::All => true,
            Sites::Only(sites) => sites.iter().any(|s| s == site),
        }
    }
}

impl Plan {
    /// Reads and checks a plan; `file_name` only names it in errors. Every problem is reported,
    /// each as `file:line: field: what is wrong`.
    pub fn parse(text: &str, file_name: &str) -> Result<Plan, PlanError> {
        let file = SourceFile::new(file_name, text);
        let raw: RawPlan = file.parse().map_err(|p| PlanError::new(vec![p]))?;
        let mut problems = Vec::new();
        let mut f = Findings {
            file: &file,
            problems: &mut problems,
        };
        let entries = check_entries(&mut f, &raw);
        if problems.is_empty() {
            Ok(Plan {
                file: file_name.to_owned(),
                entries,
            })
        } else {
            Err(PlanError::new(problems))
        }
    }

    /// The seeds' plan shipped with the hub ([`DEFAULT_PLAN`]). This crate's tests check it, so
    /// an error here means a broken build.
    pub fn default_plan() -> Result<Plan, PlanError> {
        Plan::parse(DEFAULT_PLAN, DEFAULT_PLAN_FILE)
    }

    /// Every drill the plan asks of `sites` in `year`, by due day, then in the order of
    /// `sites`, then in plan order. Ids are `<year>-<period>-<entry>-<site>`, e.g.
    /// `2027-q2-lift-rescue-green-garden`, so the same plan gives the same ids again. A site
    /// given twice counts once; a site an entry lists but `sites` lacks gets nothing (see
    /// [`Plan::check_sites`]).
    pub fn calendar(&self, year: i32, sites: &[String]) -> Vec<CalendarEntry> {
        let mut planned = Vec::new();
        for (site_index, site) in sites.iter().enumerate() {
            if sites[..site_index].contains(site) {
                continue;
            }
            for (entry_index, entry) in self.entries.iter().enumerate() {
                if !entry.sites.includes(site) {
                    continue;
                }
                for due in entry.when.due_dates(year) {
                    let drill = CalendarEntry {
                        id: format!("{year}-{}-{}-{site}", entry.when.period(due), entry.id),
                        site: site.clone(),
                        plan_entry: entry.id.clone(),
                        name: entry.name.clone(),
                        kind: entry.kind,
                        exercise: entry.exercise,
                        due,
                        scenario: entry.scenario.clone(),
                    };
                    planned.push(((due, site_index, entry_index), drill));
                }
            }
        }
        planned.sort_by_key(|(order, _)| *order);
        planned.into_iter().map(|(_, drill)| drill).collect()
    }

    /// Checks that every site an entry lists is one of `sites` (the hub's), reporting each
    /// other one at its entry's `sites` line.
    pub fn check_sites(&self, sites: &[String]) -> Result<(), PlanError> {
        let mut problems = Vec::new();
        for (i, entry) in self.entries.iter().enumerate() {
            let Sites::Only(listed) = &entry.sites else {
                continue;
            };
            for site in listed.iter().filter(|s| !sites.contains(s)) {
                problems.push(Problem {
                    file: self.file.clone(),
                    line: Some(entry.sites_line),
                    field: Some(format!("entries[{i}].sites")),
                    message: format!(
                        "{site:?} is not a site of this hub (its sites are {})",
                        sites.join(", ")
                    ),
                });
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(PlanError::new(problems))
        }
    }
}

/// A plan file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    #[serde(default)]
    entries: Vec<Spanned<RawEntry>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: Spanned<String>,
    name: Spanned<RawText>,
    kind: Spanned<String>,
    exercise: Spanned<String>,
    scenario: Option<Spanned<String>>,
    when: Spanned<RawWhen>,
    sites: Option<Spanned<toml::Value>>,
}

/// `when` as written; which keys go together is checked in [`check_when`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWhen {
    quarter: Option<Spanned<i64>>,
    month: Option<Spanned<i64>>,
    day: Option<Spanned<i64>>,
    every: Option<Spanned<String>>,
    date: Option<Spanned<String>>,
}

fn check_entries(f: &mut Findings<'_>, raw: &RawPlan) -> Vec<PlanEntry> {
    if raw.entries.is_empty() {
        f.problems.push(Problem {
            file: f.file.label.clone(),
            line: Some(1),
            field: Some("entries".to_owned()),
            message: "a plan needs at least one [[entries]]".to_owned(),
        });
    }
    f.unique(
        raw.entries
            .iter()
            .enumerate()
            .map(|(i, e)| (&e.get_ref().id, format!("entries[{i}].id"))),
        "plan entry",
    );
    raw.entries
        .iter()
        .enumerate()
        .filter_map(|(i, entry)| check_entry(f, entry.get_ref(), &format!("entries[{i}]")))
        .collect()
}

fn check_entry(f: &mut Findings<'_>, raw: &RawEntry, at: &str) -> Option<PlanEntry> {
    f.id(&raw.id, &format!("{at}.id"));
    let text = f.text(&raw.name, &format!("{at}.name"));
    if let Some(scenario) = &raw.scenario {
        f.id(scenario, &format!("{at}.scenario"));
    }
    let kind = f.one_of(
        &raw.kind,
        &format!("{at}.kind"),
        "a drill kind",
        &DrillKind::ALL,
        DrillKind::as_str,
    );
    let exercise = f.one_of(
        &raw.exercise,
        &format!("{at}.exercise"),
        "an exercise type",
        &ExerciseType::ALL,
        ExerciseType::as_str,
    );
    let when = check_when(f, &raw.when, &format!("{at}.when"));
    let sites = check_sites(f, raw.sites.as_ref(), &format!("{at}.sites"));
    Some(PlanEntry {
        id: raw.id.get_ref().clone(),
        name: Bilingual {
            zh: text.zh,
            en: text.en,
        },
        kind: kind?,
        exercise: exercise?,
        scenario: raw.scenario.as_ref().map(|s| s.get_ref().clone()),
        when: when?,
        sites: sites?,
        line: f.file.line(raw.id.span().start),
        sites_line: raw
            .sites
            .as_ref()
            .map_or(0, |s| f.file.line(s.span().start)),
    })
}

/// The repeats `every` may name, with their length in months.
const REPEATS: [(&str, u8); 3] = [("month", 1), ("quarter", 3), ("6 months", 6)];

fn check_when(f: &mut Findings<'_>, when: &Spanned<RawWhen>, at: &str) -> Option<When> {
    let raw = when.get_ref();
    let given = [
        ("quarter", raw.quarter.is_some()),
        ("every", raw.every.is_some()),
        ("date", raw.date.is_some()),
    ];
    let leads: Vec<&str> = given.iter().filter(|(_, g)| *g).map(|(k, _)| *k).collect();
    if leads.len() > 1 {
        f.at(
            when.span(),
            at,
            format!(
                "{} cannot be combined: give one of them",
                leads.join(" and ")
            ),
        );
        return None;
    }
    let extra = |f: &mut Findings<'_>, value: &Option<Spanned<i64>>, key: &str, why: &str| {
        if let Some(value) = value {
            f.at(value.span(), format!("{at}.{key}"), why.to_owned());
        }
    };
    if let Some(quarter) = &raw.quarter {
        let why = "a quarter falls due on its last day; for another day give month and day";
        extra(f, &raw.month, "month", why);
        extra(f, &raw.day, "day", why);
        let q = in_range(f, quarter, 1, 4, &format!("{at}.quarter"), "a quarter")?;
        let first = Month::try_from(q * 3).ok()?;
        return Some(When::Every {
            months: 12,
            first,
            day: None,
        });
    }
    if let Some(date) = &raw.date {
        let why = "a date is a day of its own; month and day go with every or alone";
        extra(f, &raw.month, "month", why);
        extra(f, &raw.day, "day", why);
        return parse_date(f, date, &format!("{at}.date"));
    }
    if let Some(every) = &raw.every {
        return check_repeat(f, raw, every, at);
    }
    let Some(month) = &raw.month else {
        f.at(
            when.span(),
            at,
            "say when: { quarter = 1 }, { month = 10 }, { month = 12, day = 20 }, \
             { every = \"month\" }, { every = \"6 months\" } or { date = \"2027-03-15\" }",
        );
        return None;
    };
    let month = Month::try_from(in_range(
        f,
        month,
        1,
        12,
        &format!("{at}.month"),
        "a month",
    )?)
    .ok()?;
    // The length in a common year: a yearly drill on 29 February would be missing three years
    // in four.
    let length = month.length(2027);
    let day = match &raw.day {
        Some(day) => Some(in_range(
            f,
            day,
            1,
            length,
            &format!("{at}.day"),
            &format!("a day of {month}"),
        )?),
        None => None,
    };
    Some(When::Every {
        months: 12,
        first: month,
        day,
    })
}

/// `{ every = "...", month = first, day = d }`.
fn check_repeat(
    f: &mut Findings<'_>,
    raw: &RawWhen,
    every: &Spanned<String>,
    at: &str,
) -> Option<When> {
    let Some((_, months)) = REPEATS.iter().find(|(name, _)| name == every.get_ref()) else {
        let names: Vec<String> = REPEATS.iter().map(|(n, _)| format!("{n:?}")).collect();
        f.at(
            every.span(),
            format!("{at}.every"),
            format!(
                "{:?} is not a repeat (one of {})",
                every.get_ref(),
                names.join(", ")
            ),
        );
        return None;
    };
    let months = *months;
    let first = match &raw.month {
        Some(month) if months == 1 => {
            f.at(
                month.span(),
                format!("{at}.month"),
                "a monthly entry falls due every month; leave month out",
            );
            return None;
        }
        Some(month) => in_range(
            f,
            month,
            1,
            months,
            &format!("{at}.month"),
            &format!("the first month of a repeat every {}", every.get_ref()),
        )?,
        None => months,
    };
    let day = match &raw.day {
        Some(day) => Some(in_range(
            f,
            day,
            1,
            28,
            &format!("{at}.day"),
            "a day of a repeating entry (which every month has; leave day out for the month's last day)",
        )?),
        None => None,
    };
    Some(When::Every {
        months,
        first: Month::try_from(first).ok()?,
        day,
    })
}

fn in_range(
    f: &mut Findings<'_>,
    value: &Spanned<i64>,
    low: u8,
    high: u8,
    field: &str,
    what: &str,
) -> Option<u8> {
    let n = *value.get_ref();
    match u8::try_from(n) {
        Ok(n) if (low..=high).contains(&n) => Some(n),
        _ => {
            f.at(
                value.span(),
                field,
                format!("{n} is not {what}: give {low} to {high}"),
            );
            None
        }
    }
}

fn parse_date(f: &mut Findings<'_>, date: &Spanned<String>, field: &str) -> Option<When> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match Date::parse(date.get_ref(), &format) {
        Ok(day) => Some(When::On(day)),
        Err(_) => {
            f.at(
                date.span(),
                field,
                format!(
                    "{:?} is not a date; write it as \"2027-03-15\"",
                    date.get_ref()
                ),
            );
            None
        }
    }
}

fn check_sites(
    f: &mut Findings<'_>,
    sites: Option<&Spanned<toml::Value>>,
    at: &str,
) -> Option<Sites> {
    let Some(sites) = sites else {
        return Some(Sites::All);
    };
    let usage = "write sites = \"all\" or a list of site ids such as [\"green-garden\"]";
    match sites.get_ref() {
        toml::Value::String(all) if all == "all" => Some(Sites::All),
        toml::Value::Array(items) if !items.is_empty() => {
            let mut listed: Vec<String> = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item.as_str() {
                    Some(id) if !id.trim().is_empty() && !listed.iter().any(|s| s == id) => {
                        listed.push(id.to_owned());
                    }
                    Some(id) if !id.trim().is_empty() => f.at(
                        sites.span(),
                        format!("{at}[{i}]"),
                        format!("site {id:?} is listed twice"),
                    ),
                    _ => f.at(
                        sites.span(),
                        format!("{at}[{i}]"),
                        format!("{item} is not a site id; {usage}"),
                    ),
                }
            }
            (listed.len() == items.len()).then_some(Sites::Only(listed))
        }
        other => {
            f.at(
                sites.span(),
                at,
                format!("{other} is not a list of sites; {usage}"),
            );
            None
        }
    }
}

#[cfg(test)]
#[path = "drill_plan_tests.rs"]
mod tests;
