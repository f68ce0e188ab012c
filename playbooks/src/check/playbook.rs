//! The checks of one playbook file: ids, texts, triggers, roles, trees, targets and the shape of
//! the step graph (every step reachable, no cycles).

use std::collections::BTreeMap;

use toml::Spanned;

use super::Findings;
use crate::model::{
    Choice, Flow, INCIDENT_KINDS, Input, NotificationTree, Notify, NotifyAction, Origin, Playbook,
    Roles, Step, is_manual_kind,
};
use crate::raw::{RawCalls, RawChoice, RawNotify, RawPlaybook, RawStep};

/// What a playbook may refer to outside its own file.
pub(crate) struct Known<'a> {
    pub roles: &'a Roles,
    pub trees: &'a BTreeMap<String, NotificationTree>,
}

/// Checks one playbook and converts it; the result is meaningful only if nothing was reported.
pub(crate) fn check_playbook(
    f: &mut Findings<'_>,
    raw: &RawPlaybook,
    known: &Known<'_>,
) -> Playbook {
    f.id(&raw.id, "id");
    let title = f.text(&raw.title, "title");
    let triggers = check_triggers(f, raw);
    let steps_raw = raw.steps.get_ref();
    if steps_raw.is_empty() {
        f.at(
            raw.steps.span(),
            "steps",
            "a playbook needs at least one step",
        );
    }
    f.unique(
        steps_raw
            .iter()
            .enumerate()
            .map(|(i, s)| (&s.get_ref().id, format!("steps[{i}].id"))),
        "step",
    );
    let ids: Vec<&str> = steps_raw
        .iter()
        .map(|s| s.get_ref().id.get_ref().as_str())
        .collect();
    let steps: Vec<Step> = steps_raw
        .iter()
        .enumerate()
        .map(|(i, step)| check_step(f, step, i, &ids, known))
        .collect();
    check_graph(f, steps_raw, &ids);
    Playbook {
        id: raw.id.get_ref().clone(),
        title,
        triggers,
        steps,
        origin: Origin {
            file: f.file.label.clone(),
            line: f.file.line(raw.id.span().start),
        },
    }
}

fn check_triggers(f: &mut Findings<'_>, raw: &RawPlaybook) -> Vec<String> {
    let triggers = raw.triggers.get_ref();
    if triggers.is_empty() {
        f.at(
            raw.triggers.span(),
            "triggers",
            "a playbook needs at least one trigger; use \"manual.<name>\" for one an operator starts by hand",
        );
    }
    for (i, kind) in triggers.iter().enumerate() {
        let name = kind.get_ref().as_str();
        if !INCIDENT_KINDS.contains(&name) && !is_manual_kind(name) {
            f.at(
                kind.span(),
                format!("triggers[{i}]"),
                format!(
                    "{name:?} is not an incident kind; use one of {} or \"manual.<name>\"",
                    INCIDENT_KINDS.join(", ")
                ),
            );
        }
    }
    f.unique(
        triggers
            .iter()
            .enumerate()
            .map(|(i, t)| (t, format!("triggers[{i}]"))),
        "trigger",
    );
    triggers.iter().map(|t| t.get_ref().clone()).collect()
}

fn check_step(
    f: &mut Findings<'_>,
    spanned: &Spanned<RawStep>,
    i: usize,
    ids: &[&str],
    known: &Known<'_>,
) -> Step {
    let step = spanned.get_ref();
    let at = |field: &str| format!("steps[{i}].{field}");
    f.id(&step.id, &at("id"));
    let instruction = f.text(&step.instruction, &at("instruction"));
    if known.roles.get(step.role.get_ref()).is_none() {
        f.at(
            step.role.span(),
            at("role"),
            format!(
                "role {:?} is not defined in roles.toml",
                step.role.get_ref()
            ),
        );
    }
    let deadline = step
        .deadline
        .as_ref()
        .and_then(|d| f.duration(d, &at("deadline")));
    let skippable = step.skippable.as_ref().is_some_and(|s| *s.get_ref());
    let flow = check_flow(f, spanned, i, ids);
    if let (Some(s), Flow::Choices(_), true) = (&step.skippable, &flow, skippable) {
        f.at(
            s.span(),
            at("skippable"),
            "a step with choices cannot be skipped: a skip would not say which way to go",
        );
    }
    let inputs = check_inputs(f, step, i);
    let notify = step
        .notify
        .as_ref()
        .and_then(|n| check_notify(f, n, i, known));
    let calls = step
        .calls
        .as_ref()
        .map(|c| check_calls(f, c, i, known.roles))
        .unwrap_or_default();
    Step {
        id: step.id.get_ref().clone(),
        instruction,
        role: step.role.get_ref().clone(),
        deadline,
        flow,
        inputs,
        notify,
        calls,
        skippable,
        milestone: step.milestone,
    }
}

/// The roles a step calls: each defined in roles.toml, none twice, at least one when given.
fn check_calls(
    f: &mut Findings<'_>,
    calls: &Spanned<RawCalls>,
    i: usize,
    roles: &Roles,
) -> Vec<String> {
    let field = format!("steps[{i}].calls");
    let written: Vec<(&str, std::ops::Range<usize>, String)> = match calls.get_ref() {
        RawCalls::One(role) => vec![(role.as_str(), calls.span(), field.clone())],
        RawCalls::Many(list) => list
            .iter()
            .enumerate()
            .map(|(n, role)| {
                (
                    role.get_ref().as_str(),
                    role.span(),
                    format!("{field}[{n}]"),
                )
            })
            .collect(),
    };
    if written.is_empty() {
        f.at(
            calls.span(),
            field,
            "names nobody: give a role id, or leave calls out",
        );
        return Vec::new();
    }
    let mut seen: Vec<&str> = Vec::new();
    for (role, span, at) in &written {
        if roles.get(role).is_none() {
            f.at(
                span.clone(),
                at.clone(),
                format!("role {role:?} is not defined in roles.toml"),
            );
        } else if seen.contains(role) {
            f.at(
                span.clone(),
                at.clone(),
                format!("role {role:?} is called twice"),
            );
        }
        seen.push(role);
    }
    written
        .into_iter()
        .map(|(role, ..)| role.to_owned())
        .collect()
}

/// Where the step leads: its choices, `next`, `end = true` or the following step.
fn check_flow(f: &mut Findings<'_>, spanned: &Spanned<RawStep>, i: usize, ids: &[&str]) -> Flow {
    let step = spanned.get_ref();
    let ends = step.end.as_ref().filter(|e| *e.get_ref());
    if !step.choices.is_empty() {
        if let Some(next) = &step.next {
            f.at(
                next.span(),
                format!("steps[{i}].next"),
                "a step with choices cannot also have next; each choice says where it leads",
            );
        }
        if let Some(end) = ends {
            f.at(
                end.span(),
                format!("steps[{i}].end"),
                "a step with choices cannot also end the run; give the choice end = true instead",
            );
        }
        if step.choices.len() < 2 {
            f.at(
                step.choices[0].span(),
                format!("steps[{i}].choices"),
                "a step with choices needs at least two; a single way on is next",
            );
        }
        f.unique(
            step.choices
                .iter()
                .enumerate()
                .map(|(c, ch)| (&ch.get_ref().id, format!("steps[{i}].choices[{c}].id"))),
            "choice",
        );
        let choices = step
            .choices
            .iter()
            .enumerate()
            .map(|(c, choice)| check_choice(f, choice, &format!("steps[{i}].choices[{c}]"), ids))
            .collect();
        return Flow::Choices(choices);
    }
    match (&step.next, ends) {
        (Some(next), Some(end)) => {
            f.at(
                end.span(),
                format!("steps[{i}].end"),
                "a step cannot both end the run and have next",
            );
            check_target(f, next, &format!("steps[{i}].next"), ids);
            Flow::End
        }
        (Some(next), None) => {
            check_target(f, next, &format!("steps[{i}].next"), ids);
            Flow::Next(next.get_ref().clone())
        }
        (None, Some(_)) => Flow::End,
        (None, None) => match ids.get(i + 1) {
            Some(following) => Flow::Next((*following).to_owned()),
            None => Flow::End,
        },
    }
}

fn check_choice(
    f: &mut Findings<'_>,
    spanned: &Spanned<RawChoice>,
    field: &str,
    ids: &[&str],
) -> Choice {
    let choice = spanned.get_ref();
    f.id(&choice.id, &format!("{field}.id"));
    let label = f.text(&choice.label, &format!("{field}.label"));
    let ends = choice.end.as_ref().is_some_and(|e| *e.get_ref());
    match (&choice.next, ends) {
        (Some(next), false) => check_target(f, next, &format!("{field}.next"), ids),
        (Some(next), true) => f.at(
            next.span(),
            format!("{field}.next"),
            "a choice cannot both lead to a step and end the run",
        ),
        (None, false) => f.at(
            choice.id.span(),
            field.to_owned(),
            "a choice needs next = \"<step id>\" or end = true",
        ),
        (None, true) => {}
    }
    Choice {
        id: choice.id.get_ref().clone(),
        label,
        next: if ends {
            None
        } else {
            choice.next.as_ref().map(|n| n.get_ref().clone())
        },
    }
}

fn check_target(f: &mut Findings<'_>, target: &Spanned<String>, field: &str, ids: &[&str]) {
    if !ids.contains(&target.get_ref().as_str()) {
        f.at(
            target.span(),
            field,
            format!("step {:?} does not exist", target.get_ref()),
        );
    }
}

fn check_inputs(f: &mut Findings<'_>, step: &RawStep, i: usize) -> Vec<Input> {
    f.unique(
        step.inputs
            .iter()
            .enumerate()
            .map(|(n, input)| (&input.get_ref().id, format!("steps[{i}].inputs[{n}].id"))),
        "input",
    );
    step.inputs
        .iter()
        .enumerate()
        .map(|(n, input)| {
            let raw = input.get_ref();
            f.id(&raw.id, &format!("steps[{i}].inputs[{n}].id"));
            Input {
                id: raw.id.get_ref().clone(),
                label: f.text(&raw.label, &format!("steps[{i}].inputs[{n}].label")),
                kind: raw.kind,
                required: raw.required,
            }
        })
        .collect()
}

fn check_notify(
    f: &mut Findings<'_>,
    notify: &Spanned<RawNotify>,
    i: usize,
    known: &Known<'_>,
) -> Option<Notify> {
    let raw = notify.get_ref();
    let (action, tree, field) = match (&raw.start, &raw.extend) {
        (Some(tree), None) => (NotifyAction::Start, tree, "start"),
        (None, Some(tree)) => (NotifyAction::Extend, tree, "extend"),
        _ => {
            f.at(
                notify.span(),
                format!("steps[{i}].notify"),
                "give exactly one of start = \"<tree id>\" or extend = \"<tree id>\"",
            );
            return None;
        }
    };
    if !known.trees.contains_key(tree.get_ref()) {
        f.at(
            tree.span(),
            format!("steps[{i}].notify.{field}"),
            format!(
                "notification tree {:?} is not defined in trees.toml",
                tree.get_ref()
            ),
        );
    }
    Some(Notify {
        action,
        tree: tree.get_ref().clone(),
    })
}

/// One way out of a step, for the graph checks: the target index and where it is written.
struct Edge {
    to: usize,
    span: std::ops::Range<usize>,
    field: String,
}

fn edges(steps: &[Spanned<RawStep>], ids: &[&str], i: usize) -> Vec<Edge> {
    let Some(step) = steps.get(i).map(Spanned::get_ref) else {
        return Vec::new();
    };
    let index = |target: &Spanned<String>| ids.iter().position(|id| *id == target.get_ref());
    let edge = |target: &Spanned<String>, field: String| {
        index(target).map(|to| Edge {
            to,
            span: target.span(),
            field,
        })
    };
    if !step.choices.is_empty() {
        return step
            .choices
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.get_ref().end.as_ref().is_some_and(|e| *e.get_ref()))
            .filter_map(|(c, choice)| {
                let next = choice.get_ref().next.as_ref()?;
                edge(next, format!("steps[{i}].choices[{c}].next"))
            })
            .collect();
    }
    if step.end.as_ref().is_some_and(|e| *e.get_ref()) {
        return Vec::new();
    }
    match &step.next {
        Some(next) => edge(next, format!("steps[{i}].next")).into_iter().collect(),
        None if i + 1 < steps.len() => vec![Edge {
            to: i + 1,
            span: step.id.span(),
            field: format!("steps[{i}]"),
        }],
        None => Vec::new(),
    }
}

/// Reports steps no path from the first step reaches, and every cycle.
fn check_graph(f: &mut Findings<'_>, steps: &[Spanned<RawStep>], ids: &[&str]) {
    if steps.is_empty() {
        return;
    }
    // Depth-first from every step, first step first: 0 unvisited, 1 on the stack, 2 done.
    let mut state = vec![0u8; steps.len()];
    let mut reached = vec![false; steps.len()];
    let mut stack: Vec<(usize, Vec<Edge>)> = Vec::new();
    for root in 0..steps.len() {
        if state[root] != 0 {
            continue;
        }
        state[root] = 1;
        stack.push((root, edges(steps, ids, root)));
        while let Some((node, pending)) = stack.last_mut() {
            let node = *node;
            if root == 0 {
                reached[node] = true;
            }
            let Some(edge) = pending.pop() else {
                state[node] = 2;
                stack.pop();
                continue;
            };
            match state[edge.to] {
                0 => {
                    state[edge.to] = 1;
                    stack.push((edge.to, edges(steps, ids, edge.to)));
                }
                1 => {
                    let from = stack.iter().position(|(n, _)| *n == edge.to).unwrap_or(0);
                    let mut cycle: Vec<&str> = stack[from..].iter().map(|(n, _)| ids[*n]).collect();
                    cycle.push(ids[edge.to]);
                    f.at(
                        edge.span,
                        edge.field,
                        format!(
                            "leads back to step {:?}, a cycle: {}",
                            ids[edge.to],
                            cycle.join(" -> ")
                        ),
                    );
                }
                _ => {}
            }
        }
    }
    for (i, step) in steps.iter().enumerate() {
        if !reached[i] {
            f.at(
                step.get_ref().id.span(),
                format!("steps[{i}]"),
                format!(
                    "step {:?} is unreachable: no path from the first step leads to it",
                    ids[i]
                ),
            );
        }
    }
}
