//! The checks of a scenario's objectives: ids, targets within reach, and measures that name a
//! step and choice of a playbook the scenario starts.

use alert_hub::protocol::{Measure, Objective};
use playbooks::{Findings, Library};
use toml::Spanned;

use super::MAX_TARGET_SECS;
use super::check::{Started, bilingual, known_playbook, not_started, seconds};
use super::raw::{RawMeasure, RawObjective};

/// The types a measure may have, as `type` names them.
const MEASURES: [&str; 5] = [
    "acknowledged",
    "step_done",
    "choice_made",
    "resolved",
    "notified",
];

pub(super) fn check_objectives(
    f: &mut Findings<'_>,
    raw: &[Spanned<RawObjective>],
    expected: &Spanned<String>,
    started: &Started,
    library: &Library,
) -> Vec<Objective> {
    if raw.is_empty() {
        f.at(
            0..0,
            "objectives",
            "a scenario needs at least one [[objectives]]: what the drill is scored on",
        );
    }
    f.unique(
        raw.iter()
            .enumerate()
            .map(|(i, o)| (&o.get_ref().id, format!("objectives[{i}].id"))),
        "objective",
    );
    raw.iter()
        .enumerate()
        .filter_map(|(i, objective)| {
            let at = format!("objectives[{i}]");
            check_objective(f, objective.get_ref(), &at, expected, started, library)
        })
        .collect()
}

fn check_objective(
    f: &mut Findings<'_>,
    raw: &RawObjective,
    at: &str,
    expected: &Spanned<String>,
    started: &Started,
    library: &Library,
) -> Option<Objective> {
    f.id(&raw.id, &format!("{at}.id"));
    let name = bilingual(f, &raw.name, &format!("{at}.name"));
    let target = target(f, &raw.target, &format!("{at}.target"));
    let measure = check_measure(
        f,
        &raw.measure,
        &format!("{at}.measure"),
        expected,
        started,
        library,
    );
    let (target_secs, measure) = (target?, measure?);
    let (from, what) = match measure.playbook() {
        Some(playbook) => (
            started.get(playbook).copied(),
            format!("playbook {playbook} starts"),
        ),
        None => (
            started.values().min().copied(),
            "the first incident starts".to_owned(),
        ),
    };
    if let Some(from) = from.filter(|from| target_secs <= *from) {
        f.at(
            raw.target.span(),
            format!("{at}.target"),
            format!(
                "{} is not after {}, when {what}: the objective could never be met",
                raw.target.get_ref(),
                seconds(from)
            ),
        );
    }
    Some(Objective {
        id: raw.id.get_ref().clone(),
        name,
        target_secs,
        measure,
    })
}

fn target(f: &mut Findings<'_>, target: &Spanned<String>, field: &str) -> Option<u32> {
    let secs = f.duration(target, field)?.whole_seconds();
    match u32::try_from(secs) {
        Ok(secs) if secs <= MAX_TARGET_SECS => Some(secs),
        _ => {
            f.at(
                target.span(),
                field,
                format!(
                    "{} is longer than {}: a drill is scored within two hours of its start",
                    target.get_ref(),
                    seconds(MAX_TARGET_SECS)
                ),
            );
            None
        }
    }
}

/// The measure of an objective: its type, and for the measures of a step, a step (and choice)
/// of a playbook the scenario starts; the playbook defaults to the scenario's expected one.
fn check_measure(
    f: &mut Findings<'_>,
    raw: &Spanned<RawMeasure>,
    at: &str,
    expected: &Spanned<String>,
    started: &Started,
    library: &Library,
) -> Option<Measure> {
    let measure = raw.get_ref();
    let kind = f.one_of(
        &measure.kind,
        &format!("{at}.type"),
        "a measure",
        &MEASURES,
        |name| name,
    )?;
    let wants_step = matches!(kind, "step_done" | "choice_made");
    let wants_choice = kind == "choice_made";
    let fields = [
        ("playbook", &measure.playbook, wants_step),
        ("step", &measure.step, wants_step),
        ("choice", &measure.choice, wants_choice),
    ];
    for (key, value, wanted) in fields {
        match value {
            Some(value) if !wanted => f.at(
                value.span(),
                format!("{at}.{key}"),
                format!("type {kind} takes no {key}"),
            ),
            None if wanted && key != "playbook" => f.at(
                raw.span(),
                format!("{at}.{key}"),
                format!("type {kind} needs a {key}"),
            ),
            _ => {}
        }
    }
    match kind {
        "acknowledged" => return Some(Measure::Acknowledged),
        "resolved" => return Some(Measure::Resolved),
        "notified" => return Some(Measure::Notified),
        _ => {}
    }
    let playbook_id = measure.playbook.as_ref().unwrap_or(expected);
    let playbook = known_playbook(f, playbook_id, &format!("{at}.playbook"), library)?;
    if measure.playbook.is_some() && !started.contains_key(&playbook.id) {
        f.at(
            playbook_id.span(),
            format!("{at}.playbook"),
            not_started(playbook, started),
        );
    }
    let step = measure.step.as_ref()?;
    let Some(found) = playbook.step(step.get_ref()) else {
        let ids: Vec<&str> = playbook.steps.iter().map(|s| s.id.as_str()).collect();
        f.at(
            step.span(),
            format!("{at}.step"),
            format!(
                "playbook {:?} has no step {:?} (its steps are {})",
                playbook.id,
                step.get_ref(),
                ids.join(", ")
            ),
        );
        return None;
    };
    let step_id = step.get_ref().clone();
    if !wants_choice {
        return Some(Measure::StepDone {
            playbook: playbook.id.clone(),
            step: step_id,
        });
    }
    let choice = measure.choice.as_ref()?;
    if found.choice(choice.get_ref()).is_none() {
        let message = if found.choices().is_empty() {
            format!(
                "step {step_id:?} of playbook {:?} has no choices",
                playbook.id
            )
        } else {
            let ids: Vec<&str> = found.choices().iter().map(|c| c.id.as_str()).collect();
            format!(
                "step {step_id:?} has no choice {:?} (its choices are {})",
                choice.get_ref(),
                ids.join(", ")
            )
        };
        f.at(choice.span(), format!("{at}.choice"), message);
        return None;
    }
    Some(Measure::ChoiceMade {
        playbook: playbook.id.clone(),
        step: step_id,
        choice: choice.get_ref().clone(),
    })
}
