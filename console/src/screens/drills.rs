//! The drills screen: the drills running now, the corrective actions of past drills that are
//! overdue, and the year's drill calendar of the hub's sites with each entry's status and days
//! left, overdue ones standing out; and the nearest due drill the status line shows. The
//! calendar and the overdue actions are fetched from the hub over HTTP.

use alert_hub::protocol::{CalendarItem, CalendarStatus, DrillView, ListedAction};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use time::Date;

use super::{DRILL, OVERDUE, stale_line, title_line};
use crate::action::{Effect, Intent, Screen};
use crate::state::{Level, State};
use crate::strings::{DrillText as T, Lang, standing_text};
use crate::text;

/// The year's calendar as the console last fetched it, and where the screen is scrolled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CalendarState {
    /// By due date, as the hub lists them.
    pub items: Vec<CalendarItem>,
    /// The year `items` are of; `None` before the first answer.
    pub year: Option<i32>,
    /// Why the last fetch failed, until one succeeds.
    pub error: Option<String>,
    /// The index of the first calendar row shown.
    pub scroll: usize,
    /// Corrective actions of ended drills not done by their due date, as last fetched.
    pub overdue_actions: Vec<ListedAction>,
}

/// Where an entry stands on a given day; days counted from the console's own date, so a
/// calendar fetched yesterday still counts right today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    Done {
        drill: String,
    },
    Cancelled {
        reason: String,
    },
    Overdue {
        days: i64,
    },
    Due {
        days: i64,
    },
    /// Due before the hub kept the calendar: no record either way, neither overdue nor due.
    BeforeRecords,
}

/// Where `item` stands on `today`.
pub fn standing(item: &CalendarItem, today: Date) -> Standing {
    match &item.status {
        CalendarStatus::Done { drill } => Standing::Done {
            drill: drill.clone(),
        },
        CalendarStatus::Cancelled { reason } => Standing::Cancelled {
            reason: reason.clone(),
        },
        CalendarStatus::BeforeRecords { .. } => Standing::BeforeRecords,
        CalendarStatus::Overdue { .. } | CalendarStatus::Due { .. } => {
            let days = (item.entry.due - today).whole_days();
            if days < 0 {
                Standing::Overdue { days: -days }
            } else {
                Standing::Due { days }
            }
        }
    }
}

/// The drill the status line names: the most overdue one, else the one due soonest; none
/// when every entry is done or cancelled.
pub fn nearest(items: &[CalendarItem], today: Date) -> Option<(&CalendarItem, Standing)> {
    let open = items.iter().map(|i| (i, standing(i, today)));
    let rank = |s: &Standing| match s {
        Standing::Overdue { days } => Some((0, -days)),
        Standing::Due { days } => Some((1, *days)),
        _ => None,
    };
    open.filter_map(|(i, s)| rank(&s).map(|r| (r, i, s)))
        .min_by_key(|(r, i, _)| (*r, i.entry.due))
        .map(|(_, i, s)| (i, s))
}

/// The console's date today.
pub fn today(state: &State) -> Date {
    state.now.to_offset(state.offset).date()
}

/// The effect that fetches this year's calendar.
pub fn fetch(state: &State) -> Effect {
    Effect::FetchCalendar {
        year: today(state).year(),
    }
}

/// The operator opened the screen: fetch the calendar afresh.
pub fn entered(state: &mut State, fx: &mut Vec<Effect>) {
    fx.push(fetch(state));
}

/// The calendar of `year` arrived, or could not be fetched. A first calendar is scrolled to
/// its first overdue or due entry, so what needs doing is in view.
pub fn loaded(state: &mut State, year: i32, result: Result<Vec<CalendarItem>, String>) {
    match result {
        Ok(items) => {
            let first = state.calendar.year != Some(year);
            let day = today(state);
            let calendar = &mut state.calendar;
            calendar.items = items;
            calendar.year = Some(year);
            calendar.error = None;
            let last = calendar.items.len().saturating_sub(1);
            calendar.scroll = if first {
                calendar
                    .items
                    .iter()
                    .position(|i| {
                        matches!(
                            standing(i, day),
                            Standing::Overdue { .. } | Standing::Due { .. }
                        )
                    })
                    .unwrap_or(0)
            } else {
                calendar.scroll.min(last)
            };
        }
        Err(reason) => {
            if state.screen == Screen::Drills {
                let text = format!("{}: {reason}", T::CalendarUnknown.get(state.lang));
                state.say(Level::Warning, text);
            }
            state.calendar.error = Some(reason);
        }
    }
}

/// The overdue corrective actions arrived; a failed fetch keeps the last list (the calendar's
/// own fetch says when the hub cannot be asked).
pub fn actions_loaded(state: &mut State, result: Result<Vec<ListedAction>, String>) {
    if let Ok(mut actions) = result {
        actions.retain(|a| a.overdue);
        actions.sort_by_key(|a| a.action.due);
        state.calendar.overdue_actions = actions;
    }
}

/// Most overdue actions listed on the screen; the title says how many there are in all.
const ACTION_ROWS: usize = 3;

/// Handles the drills screen's own intents: scrolling the calendar and fetching it again.
pub fn handle(state: &mut State, intent: Intent, fx: &mut Vec<Effect>) {
    let last = state.calendar.items.len().saturating_sub(1);
    let s = &mut state.calendar.scroll;
    match intent {
        Intent::Up => *s = s.saturating_sub(1),
        Intent::Down => *s = (*s + 1).min(last),
        Intent::PageUp => *s = s.saturating_sub(10),
        Intent::PageDown => *s = (*s + 10).min(last),
        Intent::First => *s = 0,
        Intent::Last => *s = last,
        Intent::Refresh => fx.push(fetch(state)),
        _ => {}
    }
}

/// The style of an entry's row: overdue in the overdue colours, done and cancelled dimmed.
pub fn row_style(standing: &Standing) -> Style {
    match standing {
        Standing::Overdue { .. } => OVERDUE,
        Standing::Due { days } if *days <= 30 => Style::new().fg(Color::Yellow),
        Standing::Due { .. } => Style::new(),
        Standing::Done { .. } => Style::new().fg(Color::Green),
        Standing::Cancelled { .. } => Style::new()
            .fg(Color::DarkGray)
            .add_modifier(Modifier::CROSSED_OUT),
        Standing::BeforeRecords => Style::new().fg(Color::DarkGray),
    }
}

/// Draws the drills screen.
pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let lang = state.lang;
    let stale = stale_line(state);
    let running = state.running_drills();
    let running_rows = running.len().max(1) as u16;
    let actions = &state.calendar.overdue_actions;
    let action_rows = match actions.len() {
        0 => 0,
        n => 1 + n.min(ACTION_ROWS) as u16,
    };
    let [
        title,
        warn,
        running_head,
        running_area,
        actions_area,
        calendar_head,
        header,
        rows,
    ] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(stale.is_some())),
        Constraint::Length(1),
        Constraint::Length(running_rows),
        Constraint::Length(action_rows),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    frame.render_widget(title_line(state, Screen::Drills, summary(state)), title);
    if let Some(stale) = stale {
        frame.render_widget(stale, warn);
    }
    let bold = Style::new().add_modifier(Modifier::BOLD);
    frame.render_widget(
        Line::styled(format!(" {}", T::Running.get(lang)), bold),
        running_head,
    );
    if running.is_empty() {
        let none = format!("  {}", T::NoRunningDrills.get(lang));
        frame.render_widget(Line::from(none), running_area);
    }
    for (n, (id, view)) in running.iter().enumerate() {
        let line = running_line(state, id, *view, usize::from(area.width));
        let at = Rect::new(running_area.x, running_area.y + n as u16, area.width, 1);
        frame.render_widget(line, at);
    }
    render_overdue_actions(frame, actions_area, state);
    let year = state
        .calendar
        .year
        .map_or_else(String::new, |y| format!(" {y}"));
    frame.render_widget(
        Line::styled(format!(" {}{year}", T::Calendar.get(lang)), bold),
        calendar_head,
    );
    let widths = Widths::of(usize::from(area.width));
    frame.render_widget(widths.header(lang), header);
    render_calendar(frame, rows, state, &widths);
}

/// The overdue corrective actions, most overdue first, in red: what was promised after a drill
/// and not done.
fn render_overdue_actions(frame: &mut Frame, area: Rect, state: &State) {
    let actions = &state.calendar.overdue_actions;
    if actions.is_empty() || area.height == 0 {
        return;
    }
    let lang = state.lang;
    let day = today(state);
    let width = usize::from(area.width);
    let head = format!(" {} {}", T::OverdueActions.get(lang), actions.len());
    let mut lines = vec![Line::styled(head, OVERDUE)];
    lines.extend(actions.iter().take(ACTION_ROWS).map(|a| {
        let late = (day - a.action.due).whole_days().max(0);
        let text = crate::strings::overdue_action_text(a, late, lang);
        Line::styled(text::truncate(&format!("  {text}"), width), OVERDUE)
    }));
    frame.render_widget(ratatui::widgets::Paragraph::new(lines), area);
}

/// The title's figures: how many entries are overdue, due within 30 days, and done.
fn summary(state: &State) -> Vec<Span<'static>> {
    let lang = state.lang;
    let day = today(state);
    let all: Vec<Standing> = state
        .calendar
        .items
        .iter()
        .map(|i| standing(i, day))
        .collect();
    let overdue = all
        .iter()
        .filter(|s| matches!(s, Standing::Overdue { .. }))
        .count();
    let soon = all
        .iter()
        .filter(|s| matches!(s, Standing::Due { days } if *days <= 30))
        .count();
    let done = all
        .iter()
        .filter(|s| matches!(s, Standing::Done { .. }))
        .count();
    let mut spans = Vec::new();
    if overdue > 0 {
        spans.push(Span::styled(
            format!(" {} {overdue} ", T::Overdue.get(lang)),
            OVERDUE.add_modifier(Modifier::REVERSED),
        ));
        spans.push(Span::raw(" "));
    }
    spans.push(Span::raw(format!(
        "{} {soon} · {} {done}/{}",
        T::DueSoon.get(lang),
        T::DoneCount.get(lang),
        all.len()
    )));
    spans
}

fn running_line(state: &State, id: &str, view: Option<&DrillView>, width: usize) -> Line<'static> {
    let lang = state.lang;
    let word = Span::styled(text::pad(crate::strings::S::Drill.get(lang), 6), DRILL);
    let rest = match view {
        Some(d) => {
            let mut parts = vec![lang.of(&d.name).to_string()];
            if let Some(site) = &d.site {
                parts.push(site.clone());
            }
            parts.push(format!(
                "{} {}",
                T::StartedAt.get(lang),
                text::hour_minute(d.started_at, state.offset)
            ));
            if !d.started_by.is_empty() {
                parts.push(format!("{} {}", T::StartedBy.get(lang), d.started_by));
            }
            parts.join(" · ")
        }
        None => id.to_string(),
    };
    let rest = text::truncate(&format!(" {rest}"), width.saturating_sub(8));
    Line::from(vec![Span::raw("  "), word, Span::raw(rest)])
}

/// The calendar's column widths for a screen `width` cells wide; the name takes what is left.
struct Widths {
    site: usize,
    name: usize,
    status: usize,
    /// 0 on a narrow screen: the linked drill is left out.
    drill: usize,
}

const DUE: usize = 10;

impl Widths {
    fn of(width: usize) -> Widths {
        let wide = width >= 120;
        let (site, status, drill) = if wide { (16, 40, 22) } else { (12, 20, 0) };
        let gaps = if wide { 5 } else { 4 };
        let fixed = 1 + DUE + site + status + drill + gaps;
        Widths {
            site,
            name: width.saturating_sub(fixed).max(8),
            status,
            drill,
        }
    }

    fn header(&self, lang: Lang) -> Line<'static> {
        let mut cells = vec![
            String::new(),
            text::pad(T::Due.get(lang), DUE),
            text::pad(T::Site.get(lang), self.site),
            text::pad(T::Name.get(lang), self.name),
            text::pad(T::Status.get(lang), self.status),
        ];
        if self.drill > 0 {
            cells.push(text::pad(T::LinkedDrill.get(lang), self.drill));
        }
        Line::styled(
            cells.join(" "),
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )
    }
}

fn render_calendar(frame: &mut Frame, area: Rect, state: &State, widths: &Widths) {
    let lang = state.lang;
    let calendar = &state.calendar;
    if calendar.items.is_empty() {
        let text = match (&calendar.error, calendar.year) {
            (Some(reason), _) => format!("  {}: {reason}", T::CalendarUnknown.get(lang)),
            (None, None) => format!("  {}", T::Loading.get(lang)),
            (None, Some(_)) => format!("  {}", T::NoCalendar.get(lang)),
        };
        frame.render_widget(Line::from(text), area);
        return;
    }
    let day = today(state);
    let height = usize::from(area.height);
    // The window is kept full: scrolled past the end, it shows the last rows that fit.
    let start = calendar
        .scroll
        .min(calendar.items.len().saturating_sub(height));
    for (n, item) in calendar.items.iter().skip(start).take(height).enumerate() {
        let standing = standing(item, day);
        let mut cells = vec![
            String::new(),
            text::pad(&item.entry.due.to_string(), DUE),
            text::pad(&item.entry.site, widths.site),
            text::pad(lang.of(&item.entry.name), widths.name),
            text::pad(&standing_text(&standing, lang), widths.status),
        ];
        if widths.drill > 0 {
            let drill = match &standing {
                Standing::Done { drill } => drill.as_str(),
                _ => "",
            };
            cells.push(text::pad(drill, widths.drill));
        }
        let line = Line::styled(cells.join(" "), row_style(&standing));
        frame.render_widget(line, Rect::new(area.x, area.y + n as u16, area.width, 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alert_hub::protocol::{Bilingual, CalendarEntry, DrillKind, ExerciseType};
    use time::macros::date;

    fn item(id: &str, due: Date, status: CalendarStatus) -> CalendarItem {
        CalendarItem {
            entry: CalendarEntry {
                id: id.into(),
                site: "green-garden".into(),
                plan_entry: id.into(),
                name: Bilingual {
                    zh: "演练".into(),
                    en: "Drill".into(),
                },
                kind: DrillKind::FirstAid,
                exercise: ExerciseType::Tabletop,
                due,
                scenario: None,
            },
            status,
        }
    }

    #[test]
    fn days_are_counted_from_the_consoles_date_not_the_fetch() {
        let due = item(
            "a",
            date!(2026 - 12 - 01),
            CalendarStatus::Due { days_left: 30 },
        );
        let today = date!(2026 - 12 - 03);
        assert_eq!(standing(&due, today), Standing::Overdue { days: 2 });
        assert_eq!(
            standing(&due, date!(2026 - 12 - 01)),
            Standing::Due { days: 0 }
        );
    }

    #[test]
    fn the_nearest_is_the_most_overdue_before_any_due_and_never_a_done_one() {
        let today = date!(2026 - 11 - 22);
        let done = CalendarStatus::Done { drill: "d".into() };
        let open = CalendarStatus::Due { days_left: 0 };
        let items = vec![
            item("done-early", date!(2026 - 01 - 31), done),
            item("late-a-little", date!(2026 - 11 - 20), open.clone()),
            item("late-a-lot", date!(2026 - 10 - 31), open.clone()),
            item("soon", date!(2026 - 11 - 30), open),
        ];
        let (first, standing) = nearest(&items, today).unwrap();
        assert_eq!(first.entry.id, "late-a-lot");
        assert_eq!(standing, Standing::Overdue { days: 22 });
        let (next, _) = nearest(&items[3..], today).unwrap();
        assert_eq!(next.entry.id, "soon");
        assert!(nearest(&items[..1], today).is_none());
    }
}
