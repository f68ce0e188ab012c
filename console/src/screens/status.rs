//! The status line at the foot of every screen (link, sequence, operator, the nearest due
//! drill, sound, clock) and
//! the banners at the top of every screen: the hub cannot store events, a drill runs.

use alert_hub::protocol::DrillView;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use super::{ALERT, DRILL, OVERDUE, drills};
use crate::sound::player::Output;
use crate::state::{Link, State};
use crate::strings::{S, nearest_text, role_name};
use crate::text;

/// Draws the status line.
pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let lang = state.lang;
    let mut spans: Vec<Span> = Vec::new();
    match &state.link {
        Link::Connected { hub, .. } => {
            let text = match hub {
                Some(hub) => format!("● {} {hub}", S::ConnectedTo.get(lang)),
                None => format!("● {}", S::Connected.get(lang)),
            };
            spans.push(Span::styled(
                text,
                Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
            ));
        }
        Link::Connecting { .. } => spans.push(Span::styled(
            format!("◌ {}", S::Connecting.get(lang)),
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        )),
        Link::Reconnecting {
            since,
            attempt,
            retry_in: Some(_),
            reason,
            next,
        } => spans.push(Span::styled(
            // The reason first: on a narrow terminal it is what the operator must read.
            format!(
                "◌ {}{} — {} {} ({} {attempt})",
                reason.text(lang),
                next.as_ref().map_or_else(String::new, |next| format!(
                    " — {} {next}",
                    S::MovingTo.get(lang)
                )),
                S::ReconnectingSince.get(lang),
                text::clock(*since, state.offset),
                S::Attempt.get(lang),
            ),
            ALERT,
        )),
        Link::Reconnecting {
            retry_in: None,
            reason,
            ..
        } => spans.push(Span::styled(format!("✖ {}", reason.text(lang)), ALERT)),
    }
    spans.push(Span::raw(format!(" #{} │ ", state.feed.last_seq)));
    let nearest = drills::nearest(&state.calendar.items, drills::today(state));
    // On a narrow terminal the nearest drill takes the room of the operator's name and role
    // and of the date: the id and the clock remain.
    let narrow = area.width < 120 && nearest.is_some();
    match &state.operator {
        Some(op) if narrow => spans.push(Span::raw(op.id.clone())),
        Some(op) => spans.push(Span::raw(format!(
            "{} {} ({})",
            op.name,
            op.id,
            role_name(op.role, lang)
        ))),
        None => spans.push(Span::raw(S::NotSignedIn.get(lang))),
    }
    if let Some(until) = state.annunciator.muted_until(state.now) {
        let left = text::countdown(until - state.now);
        spans.push(Span::raw(" │ "));
        spans.push(Span::styled(
            format!("{} {left}", S::Muted.get(lang)),
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ));
    }
    if let Some((item, standing)) = nearest {
        let quarter = u8::from(item.entry.due.month()).div_ceil(3);
        let style = match standing {
            drills::Standing::Overdue { .. } => OVERDUE,
            _ => Style::new(),
        };
        spans.push(Span::raw(" │ "));
        spans.push(Span::styled(
            nearest_text(quarter, item.entry.kind, &standing, lang),
            style,
        ));
    }
    if let Some(Output::Bell(_)) = state.audio {
        spans.push(Span::raw(format!(" │ {}", S::SoundBellOnly.get(lang))));
    }
    spans.push(Span::raw(format!(" │ {}", S::HelpHint.get(lang))));

    let clock = if narrow {
        format!(" {}", text::clock(state.now, state.offset))
    } else {
        format!(
            " {} {}",
            text::date(state.now, state.offset),
            text::clock(state.now, state.offset)
        )
    };
    let room = usize::from(area.width).saturating_sub(text::width(&clock));
    let mut line = fit(spans, room);
    let used: usize = line.iter().map(|s| text::width(&s.content)).sum();
    line.push(Span::raw(" ".repeat(room.saturating_sub(used))));
    line.push(Span::styled(
        clock,
        Style::new().add_modifier(Modifier::BOLD),
    ));
    frame.render_widget(Line::from(line), area);
}

/// Cuts spans so that together they take at most `cells` cells.
pub fn fit(spans: Vec<Span<'_>>, cells: usize) -> Vec<Span<'_>> {
    let mut out = Vec::new();
    let mut used = 0;
    for span in spans {
        let w = text::width(&span.content);
        if used + w <= cells {
            used += w;
            out.push(span);
            continue;
        }
        let cut = text::truncate(&span.content, cells - used);
        if !cut.is_empty() {
            out.push(Span::styled(cut, span.style));
        }
        break;
    }
    out
}

/// Draws the banner of a hub that cannot store events, in the alert colours.
pub fn render_store_banner(frame: &mut Frame, area: Rect, state: &State) {
    let lang = state.lang;
    let text = format!(
        " ⚠ {} │ {} ",
        S::StoreFailing.get(lang),
        S::StoreFailingHint.get(lang)
    );
    let line = text::pad(&text, usize::from(area.width));
    frame.render_widget(Line::from(Span::styled(line, ALERT)), area);
}

/// Draws the drill banner: the drill colour band and the word DRILL / 演练 with each drill.
pub fn render_drill_banner(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    drills: &[(String, Option<&DrillView>)],
) {
    let lang = state.lang;
    let names: Vec<String> = drills
        .iter()
        .map(|(id, view)| match view {
            Some(d) => format!(
                "{} ({} {})",
                lang.of(&d.name),
                S::Since.get(lang),
                text::clock(d.started_at, state.offset)
            ),
            None => id.clone(),
        })
        .collect();
    let word = S::Drill.get(lang);
    let text = format!(
        " {word} {word} {word} │ {}: {} ",
        S::DrillRunning.get(lang),
        names.join(" · ")
    );
    let width = usize::from(area.width);
    let line = text::pad(&text, width);
    frame.render_widget(Line::from(Span::styled(line, DRILL)), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_cuts_by_display_width() {
        let spans = vec![Span::raw("已连接 "), Span::raw("张伟 op-zhang")];
        let out = fit(spans, 10);
        let total: usize = out.iter().map(|s| text::width(&s.content)).sum();
        assert!(total <= 10);
        assert_eq!(out[0].content, "已连接 ");
    }
}
