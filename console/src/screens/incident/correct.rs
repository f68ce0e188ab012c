//! Taking back a mistake on the checklist: undoing the step done last, and correcting a value
//! recorded at any step reached. The hub logs both, the correction with the value it replaced.

use alert_hub::protocol::{Command, IncidentView, PlaybookView};

use crate::state::{EditPurpose, Editor, Level, State};
use crate::strings::{Lang, S};

/// A value recorded on the checklist: where, what it is called, and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedValue {
    pub step: String,
    pub input: String,
    pub label: String,
    pub value: String,
}

/// Every value recorded on the incident's checklist, in checklist order.
pub fn recorded(playbook: &PlaybookView, lang: Lang) -> Vec<RecordedValue> {
    playbook
        .steps
        .iter()
        .flat_map(|step| {
            step.inputs.iter().filter_map(|input| {
                Some(RecordedValue {
                    step: step.id.clone(),
                    input: input.id.clone(),
                    label: lang.of(&input.label).to_string(),
                    value: input.value.clone()?,
                })
            })
        })
        .collect()
}

/// The undo of the step done last, or `None` (said on the message bar) when there is none.
pub fn undo(state: &mut State, incident: &IncidentView) -> Option<Command> {
    let last = incident.playbook.as_ref().and_then(|p| p.last_done.clone());
    let Some(step) = last else {
        state.say(Level::Info, S::NothingToUndo.get(state.lang));
        return None;
    };
    Some(Command::UndoStep {
        incident: incident.id.clone(),
        step,
    })
}

/// Starts correcting a value: straight to the value when only one is recorded, else a
/// question which one (by number).
pub fn start(state: &mut State, incident: &IncidentView) {
    let values = incident
        .playbook
        .as_ref()
        .map(|p| recorded(p, state.lang))
        .unwrap_or_default();
    match &values[..] {
        [] => state.say(Level::Info, S::NothingRecorded.get(state.lang)),
        [only] => edit_value(state, &incident.id, only),
        _ => {
            state.editor = Some(Editor {
                purpose: EditPurpose::PickValue {
                    incident: incident.id.clone(),
                },
                text: String::new(),
            });
        }
    }
}

/// The question which value to correct, listing them by number.
pub fn pick_prompt(playbook: Option<&PlaybookView>, lang: Lang) -> String {
    let choices: Vec<String> = playbook
        .map(|p| recorded(p, lang))
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(n, v)| format!("{} {} = {}", n + 1, v.label, v.value))
        .collect();
    format!("{} {}", S::CorrectWhich.get(lang), choices.join(" · "))
}

/// Takes the number typed for which value to correct.
pub fn picked(state: &mut State, incident: &str, text: &str) {
    let values = state
        .incidents
        .get(incident)
        .and_then(|i| i.playbook.as_ref())
        .map(|p| recorded(p, state.lang))
        .unwrap_or_default();
    let chosen = text
        .trim()
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|n| values.get(n));
    match chosen {
        Some(value) => edit_value(state, incident, value),
        None => state.say(Level::Warning, S::NoSuchValue.get(state.lang)),
    }
}

/// Opens the value's editor holding what it holds now, to be changed.
fn edit_value(state: &mut State, incident: &str, value: &RecordedValue) {
    state.editor = Some(Editor {
        purpose: EditPurpose::Input {
            incident: incident.to_string(),
            step: value.step.clone(),
            input: value.input.clone(),
        },
        text: value.value.clone(),
    });
}
