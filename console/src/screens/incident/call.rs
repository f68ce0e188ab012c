//! Calling by phone from the incident screen: the numbers shown beside the current step and
//! each tree level, and logging a call (`t`): whom, from the parties of the current step and
//! the levels being called, numbered; then what came of it; then an optional note, sent as
//! `log_call`. A drill never offers a real outside party.

use alert_hub::protocol::{CallOutcome, CallView, Callee, IncidentView, PhoneEntry, StepView};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::{current_step, shown};
use crate::screens::centered;
use crate::state::{EditPurpose, Editor, Level, Overlay, State};
use crate::strings::{Lang, S, outcome_name};
use crate::text;

/// Someone the operator may say they called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallChoice {
    pub callee: Callee,
    /// The party's role name, e.g. "Fire brigade (119)".
    pub party: String,
    /// Who answers for it: a contact's or the site company's name, empty for a party known by
    /// its role only.
    pub name: String,
    pub phone: Option<String>,
    /// An answer counts as their acknowledgement of the call-out: a level already called
    /// names them and the call-out is still escalating.
    pub acknowledges: bool,
}

/// The call being logged, before its note: whom it may be to, and whom the operator picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallPrompt {
    pub incident: String,
    /// Numbered from 1 on screen.
    pub choices: Vec<CallChoice>,
    pub picked: Option<usize>,
}

/// One number as the screen writes it: `Zhou Qiang 周强 138 0000 0001`, or the number alone.
pub fn entry_text(entry: &PhoneEntry, lang: Lang) -> String {
    let phone = entry
        .phone
        .clone()
        .unwrap_or_else(|| format!("({})", S::NoNumber.get(lang)));
    match &entry.name {
        Some(name) => format!("{name} {phone}"),
        None => phone,
    }
}

/// Whom a step or a level calls, in one line: `Fire brigade (119): 119`. A drill writes an
/// outside party's stand-ins as such.
pub fn party_text(call: &CallView, drill: bool, lang: Lang) -> String {
    let numbers: Vec<String> = call.numbers.iter().map(|e| entry_text(e, lang)).collect();
    let numbers = if numbers.is_empty() {
        format!("({})", S::NoNumber.get(lang))
    } else {
        numbers.join(", ")
    };
    let stand_in = if drill && call.outside {
        format!("{} ", S::DrillStandIn.get(lang))
    } else {
        String::new()
    };
    format!(
        "{}{}{stand_in}{numbers}",
        lang.of(&call.name),
        lang.pick("：", ": ")
    )
}

/// Whom the current step calls, with the numbers to dial, under the step: `Call Fire brigade
/// (119): 119`.
pub fn call_lines(
    state: &State,
    step: &StepView,
    drill: bool,
    width: usize,
    lines: &mut Vec<Line<'static>>,
) {
    let lang = state.lang;
    let style = Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD);
    for call in &step.calls {
        let text = format!(
            "{} {}",
            S::CallLabel.get(lang),
            party_text(call, drill, lang)
        );
        for (i, part) in text::wrap(&text, width.saturating_sub(7).max(10))
            .into_iter()
            .enumerate()
        {
            let lead = if i == 0 { "     " } else { "       " };
            lines.push(Line::styled(format!("{lead}{part}"), style));
        }
    }
}

/// Whom each level of the running trees calls, with their numbers: every level when `all`
/// (the levels being called now marked ▶), else only the levels being called now.
pub fn level_lines(state: &State, incident: &IncidentView, all: bool) -> Vec<Line<'static>> {
    let lang = state.lang;
    let Some(tree) = &incident.notifications else {
        return Vec::new();
    };
    let current = current_levels(incident);
    let drill = incident.drill.is_some();
    // With more than one tree running, each level says whose it is.
    let several = tree.levels.iter().any(|l| l.tree != tree.levels[0].tree);
    let mut lines = Vec::new();
    for level in &tree.levels {
        let now = current.contains(&(level.tree.clone(), level.level));
        if !now && !all {
            continue;
        }
        let (mark, style) = if now {
            (
                "▶",
                Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            )
        } else {
            ("·", Style::new().fg(Color::DarkGray))
        };
        for call in &level.calls {
            let whose = if several {
                format!("{} ", level.tree)
            } else {
                String::new()
            };
            let text = format!(
                "{mark}{whose}L{} {}",
                level.level,
                party_text(call, drill, lang)
            );
            lines.push(Line::styled(text, style));
        }
    }
    lines
}

/// Whether level `level` of `tree` has been called (it has attempts).
fn level_called(incident: &IncidentView, tree: &str, level: u32) -> bool {
    incident.notifications.as_ref().is_some_and(|n| {
        n.attempts
            .iter()
            .any(|a| a.tree == tree && a.level == level && a.call.is_none())
    })
}

/// The level of each running tree being called now: the highest with attempts.
pub fn current_levels(incident: &IncidentView) -> Vec<(String, u32)> {
    let Some(n) = &incident.notifications else {
        return Vec::new();
    };
    let mut current: Vec<(String, u32)> = Vec::new();
    for level in &n.levels {
        if !level_called(incident, &level.tree, level.level) {
            continue;
        }
        match current.iter_mut().find(|(tree, _)| *tree == level.tree) {
            Some(entry) => entry.1 = entry.1.max(level.level),
            None => current.push((level.tree.clone(), level.level)),
        }
    }
    current
}

/// Whom the operator may log a call to: the parties of the current step, then those of the
/// levels being called now, each once. A drill offers no real outside party.
pub fn choices(incident: &IncidentView, lang: Lang) -> Vec<CallChoice> {
    let drill = incident.drill.is_some();
    let escalating = incident
        .notifications
        .as_ref()
        .is_some_and(|n| n.next_escalation_at.is_some() && n.acknowledged_by.is_none());
    let called_by_a_level = |callee: &Callee| {
        incident.notifications.as_ref().is_some_and(|n| {
            n.levels.iter().any(|l| {
                level_called(incident, &l.tree, l.level)
                    && l.calls
                        .iter()
                        .any(|c| c.numbers.iter().any(|e| e.callee == *callee))
            })
        })
    };
    let mut calls: Vec<&CallView> = Vec::new();
    if let Some(step) = current_step(incident) {
        calls.extend(&step.calls);
    }
    let current = current_levels(incident);
    if let Some(n) = &incident.notifications {
        for level in &n.levels {
            if current.contains(&(level.tree.clone(), level.level)) {
                calls.extend(&level.calls);
            }
        }
    }
    let mut out: Vec<CallChoice> = Vec::new();
    for call in calls {
        for entry in &call.numbers {
            let is_party = matches!(entry.callee, Callee::Party(_));
            if (drill && is_party) || out.iter().any(|c| c.callee == entry.callee) {
                continue;
            }
            let party = if drill && call.outside {
                format!("{} ({})", lang.of(&call.name), S::DrillStandIn.get(lang))
            } else {
                lang.of(&call.name).to_string()
            };
            out.push(CallChoice {
                callee: entry.callee.clone(),
                party,
                name: entry.name.clone().unwrap_or_default(),
                phone: entry.phone.clone(),
                acknowledges: !is_party && escalating && called_by_a_level(&entry.callee),
            });
        }
    }
    out
}

/// Opens the prompt for the incident shown, or says there is nobody to call.
pub fn start(state: &mut State) {
    let lang = state.lang;
    let Some(incident) = shown(state) else {
        state.say(Level::Warning, S::IncidentGone.get(lang));
        return;
    };
    let choices = choices(incident, lang);
    if choices.is_empty() {
        state.say(Level::Info, S::NobodyToCall.get(lang));
        return;
    }
    state.call = Some(CallPrompt {
        incident: incident.id.clone(),
        choices,
        picked: None,
    });
    state.overlay = Some(Overlay::LogCall);
}

/// Takes digit `n` (1-based) typed in the prompt: whom, then the outcome, which opens the
/// note. A digit out of range does nothing; `None` (any other key) cancels.
pub fn digit(state: &mut State, n: Option<usize>) {
    let Some(prompt) = state.call.as_mut() else {
        state.overlay = None;
        return;
    };
    let Some(n) = n.filter(|n| *n >= 1) else {
        return cancel(state);
    };
    match prompt.picked {
        None if n <= prompt.choices.len() => prompt.picked = Some(n - 1),
        Some(picked) if n <= CallOutcome::ALL.len() => {
            let choice = prompt.choices.get(picked).cloned();
            let incident = prompt.incident.clone();
            cancel(state);
            if let Some(choice) = choice {
                let name = who(&choice);
                state.editor = Some(Editor {
                    purpose: EditPurpose::CallNote {
                        incident,
                        callee: choice.callee,
                        name,
                        outcome: CallOutcome::ALL[n - 1],
                    },
                    text: String::new(),
                });
            }
        }
        _ => {}
    }
}

/// Drops the call being logged.
pub fn cancel(state: &mut State) {
    state.call = None;
    state.overlay = None;
}

/// Whom a choice reaches, by name, or the party's name for a party known by its role.
fn who(choice: &CallChoice) -> String {
    if choice.name.is_empty() {
        choice.party.clone()
    } else {
        choice.name.clone()
    }
}

/// The prompt's lines: the numbered people, or, once one is picked, the numbered outcomes.
fn prompt_lines(prompt: &CallPrompt, lang: Lang) -> (String, Vec<String>) {
    let Some(choice) = prompt.picked.and_then(|p| prompt.choices.get(p)) else {
        let lines = prompt
            .choices
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let phone = c
                    .phone
                    .clone()
                    .unwrap_or_else(|| format!("({})", S::NoNumber.get(lang)));
                let name = if c.name.is_empty() {
                    String::new()
                } else {
                    format!(" {}", c.name)
                };
                format!(
                    "{} {}{}{name} {phone}",
                    i + 1,
                    c.party,
                    lang.pick("：", ":")
                )
            })
            .collect();
        return (S::CallWhom.get(lang).to_string(), lines);
    };
    let number = choice
        .phone
        .clone()
        .unwrap_or_else(|| S::NoNumber.get(lang).to_string());
    let title = format!("{} {} · {number}", S::CallOutcome.get(lang), who(choice));
    let lines = CallOutcome::ALL
        .iter()
        .enumerate()
        .map(|(i, outcome)| {
            let stops = if *outcome == CallOutcome::Answered && choice.acknowledges {
                format!(" — {}", S::AnswerAcknowledges.get(lang))
            } else {
                String::new()
            };
            format!("{} {}{stops}", i + 1, outcome_name(*outcome, lang))
        })
        .collect();
    (title, lines)
}

/// Draws the prompt over the screen.
pub fn render(frame: &mut Frame, body: Rect, state: &State) {
    let Some(prompt) = &state.call else {
        return;
    };
    let lang = state.lang;
    let (title, lines) = prompt_lines(prompt, lang);
    let heading = format!(
        " {} · {} · {} ",
        S::LogCallTitle.get(lang),
        prompt.incident,
        S::EscCancels.get(lang)
    );
    let widest = lines
        .iter()
        .map(|l| text::width(l))
        .chain([text::width(&title), text::width(&heading)])
        .max()
        .unwrap_or(0);
    let width = u16::try_from(widest + 4).unwrap_or(u16::MAX);
    let height = u16::try_from(lines.len() + 3).unwrap_or(u16::MAX);
    let area = centered(body, width, height);
    frame.render_widget(Clear, area);
    let block = Block::default().borders(Borders::ALL).title(heading);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let room = usize::from(inner.width);
    let mut shown = vec![Line::styled(
        text::truncate(&format!(" {title}"), room),
        Style::new().add_modifier(Modifier::BOLD),
    )];
    shown.extend(lines.iter().map(|l| {
        let (key, rest) = l.split_once(' ').unwrap_or((l, ""));
        Line::from(vec![
            Span::styled(
                format!(" {key}"),
                Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
            ),
            Span::raw(text::truncate(&format!(" {rest}"), room.saturating_sub(3))),
        ])
    }));
    frame.render_widget(Paragraph::new(shown), inner);
}
