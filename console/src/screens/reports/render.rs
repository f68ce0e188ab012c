//! Drawing the reports screen: the sign-off queue on top, the report being read below it (side
//! by side on a wide terminal), and the keys on the last line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{Fetch, Pane, ReportsState};
use crate::action::Screen;
use crate::markdown_view::{LineKind, lay_out};
use crate::screens::{OVERDUE, priority_style, title_line};
use crate::state::State;
use crate::strings::{self, Lang, S, kind_name};
use crate::text;

/// Draws the reports screen.
pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let lang = state.lang;
    let r = &state.reports;
    let count = match &r.queue {
        Fetch::Loaded(q) => q.len(),
        _ => 0,
    };
    let [title, body, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(4),
        Constraint::Length(1),
    ])
    .areas(area);
    let summary = strings::awaiting_title(count, lang);
    frame.render_widget(
        title_line(state, Screen::Reports, vec![Span::raw(summary)]),
        title,
    );
    let [queue_area, pane_area] = if area.width >= 120 {
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
            .spacing(2)
            .areas(body)
    } else {
        let rows = u16::try_from(count.max(1) + 1).unwrap_or(u16::MAX);
        let rows = rows.min(body.height / 3).max(2);
        Layout::vertical([Constraint::Length(rows), Constraint::Min(0)]).areas(body)
    };
    render_queue(frame, queue_area, state);
    render_pane(frame, pane_area, r, lang);
    let hint = text::truncate(strings::reports_hint(lang), usize::from(hints.width));
    frame.render_widget(
        Line::styled(hint, Style::new().add_modifier(Modifier::DIM)),
        hints,
    );
}

fn section(title: String) -> Block<'static> {
    Block::default().borders(Borders::TOP).title(Span::styled(
        title,
        Style::new().add_modifier(Modifier::BOLD),
    ))
}

fn render_queue(frame: &mut Frame, area: Rect, state: &State) {
    let lang = state.lang;
    let r = &state.reports;
    let block = section(format!(" {} ", strings::awaiting_list(lang)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let lines: Vec<Line> = match &r.queue {
        Fetch::NotLoaded | Fetch::Loading => vec![Line::from(S::HistoryLoading.get(lang))],
        Fetch::Failed(why) => vec![Line::styled(text::truncate(why, width), OVERDUE)],
        Fetch::Loaded(queue) if queue.is_empty() => {
            vec![Line::from(strings::nothing_awaits(lang))]
        }
        Fetch::Loaded(queue) => {
            let rows = usize::from(inner.height).max(1);
            let first = r.selected.saturating_sub(rows - 1);
            queue
                .iter()
                .enumerate()
                .skip(first)
                .take(rows)
                .map(|(n, entry)| {
                    let i = &entry.incident;
                    let rest = format!(
                        "{} {} · {} · {} {}",
                        i.id,
                        kind_name(i.kind, lang),
                        strings::review_state(entry.review.as_ref(), state.offset, lang),
                        text::date_time(i.opened_at, state.offset),
                        i.location,
                    );
                    let marker = if n == r.selected { "▶" } else { " " };
                    let style = if n == r.selected {
                        Style::new().add_modifier(Modifier::REVERSED)
                    } else {
                        Style::new()
                    };
                    Line::from(vec![
                        Span::raw(marker),
                        Span::styled(format!("{} ", i.priority), priority_style(i.priority)),
                        Span::styled(text::pad(&rest, width.saturating_sub(4)), style),
                    ])
                })
                .collect()
        }
    };
    frame.render_widget(Paragraph::new(lines), inner);
}

fn render_pane(frame: &mut Frame, area: Rect, r: &ReportsState, lang: Lang) {
    let title = match &r.pane {
        Pane::Month(month) => strings::month_title(month, lang),
        Pane::Incident(id) => strings::incident_title(id, lang),
    };
    let block = section(format!(" {title} "));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let lines: Vec<Line> = match &r.text {
        Fetch::NotLoaded | Fetch::Loading => vec![Line::from(S::HistoryLoading.get(lang))],
        Fetch::Failed(why) => vec![Line::styled(text::truncate(why, width), OVERDUE)],
        Fetch::Loaded(md) => lay_out(md)
            .into_iter()
            .skip(usize::from(r.scroll))
            .take(usize::from(inner.height))
            .map(|l| {
                let style = match l.kind {
                    LineKind::Heading => {
                        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
                    }
                    LineKind::TableHead => Style::new().add_modifier(Modifier::BOLD),
                    LineKind::Rule => Style::new().add_modifier(Modifier::DIM),
                    LineKind::Text => Style::new(),
                };
                let text = text::truncate(&l.text, width);
                if l.text.contains("FAIL") || l.text.contains("未达标") {
                    Line::styled(text, OVERDUE)
                } else {
                    Line::styled(text, style)
                }
            })
            .collect(),
    };
    frame.render_widget(Paragraph::new(lines), inner);
}
