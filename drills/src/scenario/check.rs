//! The checks of one scenario file: its names, the timeline of events and prompts, and which
//! playbooks they start; the objectives are checked in [`super::objectives`].

use std::collections::BTreeMap;

use alert_hub::protocol::{Bilingual, DrillKind, EventKind, ExerciseType};
use playbooks::{Findings, Library, LoadError, Playbook, SourceFile, duration};
use toml::Spanned;

use super::objectives::check_objectives;
use super::raw::{RawEvent, RawPrompt, RawScenario};
use super::{MAX_SCRIPT_SECS, OpenByHand, Prompt, Scenario, ScriptedEvent};

/// The playbooks a scenario starts, each with the earliest second something starts it.
pub(super) type Started = BTreeMap<String, u32>;

/// Checks one file and converts it, or reports everything wrong with it.
pub(super) fn scenario(file: &SourceFile, library: &Library) -> Result<Scenario, LoadError> {
    let raw: RawScenario = file.parse().map_err(|p| LoadError::new(vec![p]))?;
    let mut problems = Vec::new();
    let mut f = Findings {
        file,
        problems: &mut problems,
    };
    let scenario = check(&mut f, &raw, library);
    match scenario {
        Some(scenario) if problems.is_empty() => Ok(scenario),
        _ => Err(LoadError::new(problems)),
    }
}

fn check(f: &mut Findings<'_>, raw: &RawScenario, library: &Library) -> Option<Scenario> {
    f.id(&raw.id, "id");
    let stem = f.file.name().trim_end_matches(".toml").to_owned();
    if raw.id.get_ref() != &stem {
        f.at(
            raw.id.span(),
            "id",
            format!(
                "{:?} is not the file's name {stem:?}: a plan names a scenario by its file, so \
                 the id is the file name without .toml",
                raw.id.get_ref()
            ),
        );
    }
    let name = bilingual(f, &raw.name, "name");
    let summary = bilingual(f, &raw.summary, "summary");
    let kind = f.one_of(
        &raw.kind,
        "kind",
        "a drill kind",
        &DrillKind::ALL,
        DrillKind::as_str,
    );
    let exercise = f.one_of(
        &raw.exercise,
        "exercise",
        "an exercise type",
        &ExerciseType::ALL,
        ExerciseType::as_str,
    );
    let events = check_events(f, &raw.events);
    let prompts = check_prompts(f, &raw.prompts, library);
    let started = started(&events, &prompts, library);
    let playbook = expected_playbook(f, &raw.playbook, &started, library);
    let objectives = check_objectives(f, &raw.objectives, &raw.playbook, &started, library);
    Some(Scenario {
        id: raw.id.get_ref().clone(),
        name,
        summary,
        kind: kind?,
        exercise: exercise?,
        playbook: playbook?.id.clone(),
        events,
        prompts,
        objectives,
    })
}

pub(super) fn bilingual(
    f: &mut Findings<'_>,
    text: &Spanned<playbooks::RawText>,
    field: &str,
) -> Bilingual {
    let text = f.text(text, field);
    Bilingual {
        zh: text.zh,
        en: text.en,
    }
}

/// Reads the times (`at`) of the items of `list` (`events`, `prompts`), each `None` where it is
/// unusable: they must come in order, within [`MAX_SCRIPT_SECS`].
fn timeline<'r>(
    f: &mut Findings<'_>,
    ats: impl Iterator<Item = &'r Spanned<String>>,
    list: &str,
) -> Vec<Option<u32>> {
    let mut previous = None;
    ats.enumerate()
        .map(|(i, at)| {
            let secs = moment(f, at, &format!("{list}[{i}].at"), previous);
            previous = secs.or(previous);
            secs
        })
        .collect()
}

/// Reads a time from the drill's start: `0s`, or a duration such as `20s` or `1m30s`, at most
/// [`MAX_SCRIPT_SECS`], and no earlier than `previous` (the item before it).
fn moment(
    f: &mut Findings<'_>,
    at: &Spanned<String>,
    field: &str,
    previous: Option<u32>,
) -> Option<u32> {
    let secs = if at.get_ref() == "0s" {
        0
    } else {
        let secs = f.duration(at, field)?.whole_seconds();
        u32::try_from(secs).unwrap_or(u32::MAX)
    };
    if secs > MAX_SCRIPT_SECS {
        f.at(
            at.span(),
            field,
            format!(
                "{} is later than {}: a scenario's script runs for 30 minutes at most",
                at.get_ref(),
                duration::format(time::Duration::seconds(MAX_SCRIPT_SECS.into()))
            ),
        );
        return None;
    }
    if let Some(previous) = previous.filter(|p| secs < *p) {
        f.at(
            at.span(),
            field,
            format!(
                "{} comes before the {} of the one above it: list them in time order",
                at.get_ref(),
                seconds(previous)
            ),
        );
        return None;
    }
    Some(secs)
}

/// A number of seconds written as the files write it: `0s`, `20s`, `1m30s`.
pub(super) fn seconds(secs: u32) -> String {
    duration::format(time::Duration::seconds(secs.into()))
}

fn check_events(f: &mut Findings<'_>, raw: &[Spanned<RawEvent>]) -> Vec<ScriptedEvent> {
    let times = timeline(f, raw.iter().map(|e| &e.get_ref().at), "events");
    let mut events = Vec::new();
    for (i, (event, secs)) in raw.iter().zip(times).enumerate() {
        let event = event.get_ref();
        let at = format!("events[{i}]");
        let kind = device_kind(f, &event.kind, &format!("{at}.kind"));
        if event.device.get_ref().trim().is_empty() {
            f.at(
                event.device.span(),
                format!("{at}.device"),
                "is empty: name the device that sends the event, e.g. \"smoke-B2-07F-03\"",
            );
        }
        if let (Some(at_secs), Some(kind)) = (secs, kind) {
            events.push(ScriptedEvent {
                at_secs,
                kind,
                device: event.device.get_ref().trim().to_owned(),
                building: event.building.clone(),
                floor: event.floor.clone(),
                zone: event.zone.clone(),
            });
        }
    }
    events
}

/// The kind of a scripted event: one a device may send.
fn device_kind(f: &mut Findings<'_>, kind: &Spanned<String>, field: &str) -> Option<EventKind> {
    let name = kind.get_ref();
    if let Some(kind) = EventKind::from_device(name) {
        return Some(kind);
    }
    let message = match any_kind(name) {
        Some(reported) if EventKind::REPORTED_KINDS.contains(&reported) => format!(
            "{name:?} is opened by an operator, not sent by a device: add a [[prompts]] entry \
             with open = {name:?} that asks for it"
        ),
        Some(_) => format!("{name:?} is raised by the hub itself, never sent by a device"),
        None => {
            let names: Vec<&str> = EventKind::DEVICE_KINDS.iter().map(|k| k.as_str()).collect();
            format!(
                "{name:?} is not a kind a device sends (one of {})",
                names.join(", ")
            )
        }
    };
    f.at(kind.span(), field, message);
    None
}

/// Any kind by its wire name, the hub's and operators' included.
fn any_kind(name: &str) -> Option<EventKind> {
    EventKind::DEVICE_KINDS
        .into_iter()
        .chain(EventKind::REPORTED_KINDS)
        .chain([EventKind::CommsLost])
        .find(|k| k.as_str() == name)
}

fn check_prompts(
    f: &mut Findings<'_>,
    raw: &[Spanned<RawPrompt>],
    library: &Library,
) -> Vec<Prompt> {
    let times = timeline(f, raw.iter().map(|p| &p.get_ref().at), "prompts");
    let mut prompts = Vec::new();
    for (i, (prompt, secs)) in raw.iter().zip(times).enumerate() {
        let prompt = prompt.get_ref();
        let at = format!("prompts[{i}]");
        let say = bilingual(f, &prompt.say, &format!("{at}.say"));
        let open = match &prompt.open {
            Some(open) => opened_kind(f, open, &format!("{at}.open"), library).map(Some),
            None => {
                for (key, value) in [
                    ("building", &prompt.building),
                    ("floor", &prompt.floor),
                    ("zone", &prompt.zone),
                ] {
                    if let Some(value) = value {
                        f.at(
                            value.span(),
                            format!("{at}.{key}"),
                            "says where an incident opened by hand is: only with open",
                        );
                    }
                }
                Some(None)
            }
        };
        let place = |v: &Option<Spanned<String>>| v.as_ref().map(|s| s.get_ref().clone());
        if let (Some(at_secs), Some(open)) = (secs, open) {
            prompts.push(Prompt {
                at_secs,
                say,
                open: open.map(|kind| OpenByHand {
                    kind,
                    building: place(&prompt.building),
                    floor: place(&prompt.floor),
                    zone: place(&prompt.zone),
                }),
            });
        }
    }
    prompts
}

/// The kind of an incident opened by hand: one the console may open (reported kinds, and
/// device kinds that raise incidents) with a playbook in the library.
fn opened_kind(
    f: &mut Findings<'_>,
    open: &Spanned<String>,
    field: &str,
    library: &Library,
) -> Option<EventKind> {
    let name = open.get_ref();
    let kind = any_kind(name).filter(|k| k.priority().is_some() && *k != EventKind::CommsLost);
    match kind {
        Some(kind) if library.for_kind(name).is_some() => Some(kind),
        Some(_) => {
            f.at(
                open.span(),
                field,
                format!("no playbook of the library starts for {name:?}"),
            );
            None
        }
        None => {
            let names: Vec<&str> = EventKind::REPORTED_KINDS
                .iter()
                .map(|k| k.as_str())
                .collect();
            f.at(
                open.span(),
                field,
                format!(
                    "{name:?} is not a kind an operator opens (one of {}, or a device kind that \
                     raises an incident)",
                    names.join(", ")
                ),
            );
            None
        }
    }
}

/// Which playbooks the events and prompts start, and from when.
fn started(events: &[ScriptedEvent], prompts: &[Prompt], library: &Library) -> Started {
    let kinds = events.iter().map(|e| (e.kind, e.at_secs)).chain(
        prompts
            .iter()
            .filter_map(|p| p.open.as_ref().map(|o| (o.kind, p.at_secs))),
    );
    let mut started = Started::new();
    for (kind, at) in kinds {
        if let Some(playbook) = library.for_kind(kind.as_str()) {
            let first = started.entry(playbook.id.clone()).or_insert(at);
            *first = (*first).min(at);
        }
    }
    started
}

/// The scenario's expected playbook: in the library, and started by the scenario.
fn expected_playbook<'l>(
    f: &mut Findings<'_>,
    id: &Spanned<String>,
    started: &Started,
    library: &'l Library,
) -> Option<&'l Playbook> {
    let playbook = known_playbook(f, id, "playbook", library)?;
    if !started.contains_key(&playbook.id) {
        f.at(id.span(), "playbook", not_started(playbook, started));
    }
    Some(playbook)
}

pub(super) fn known_playbook<'l>(
    f: &mut Findings<'_>,
    id: &Spanned<String>,
    field: &str,
    library: &'l Library,
) -> Option<&'l Playbook> {
    let found = library.playbook(id.get_ref());
    if found.is_none() {
        let ids: Vec<&str> = library.playbooks().map(|p| p.id.as_str()).collect();
        f.at(
            id.span(),
            field,
            format!(
                "the library has no playbook {:?} (it has {})",
                id.get_ref(),
                ids.join(", ")
            ),
        );
    }
    found
}

pub(super) fn not_started(playbook: &Playbook, started: &Started) -> String {
    let what = if started.is_empty() {
        "nothing".to_owned()
    } else {
        started.keys().cloned().collect::<Vec<_>>().join(", ")
    };
    let kinds: Vec<String> = playbook.triggers.iter().map(|t| format!("{t:?}")).collect();
    let by = if playbook.is_manual() {
        format!("a prompt with open = {}", kinds.join(" or "))
    } else {
        format!("an event of kind {}", kinds.join(" or "))
    };
    format!(
        "playbook {:?} is not started by the scenario's events or prompts (they start {what}); \
         {by} starts it",
        playbook.id
    )
}
