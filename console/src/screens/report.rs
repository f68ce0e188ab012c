//! Opening an incident by hand for a report that reached the control room by phone or in
//! person: one typed line `KIND SITE [BUILDING/FLOOR/ZONE]: NOTE`, read here without I/O.

use alert_hub::protocol::{Command, EventKind, Location};

use crate::action::Effect;
use crate::outgoing::command;
use crate::state::{EditPurpose, Editor, Level, State};
use crate::strings::S;

/// The words that name a kind, in either language, beside the wire names.
const KIND_WORDS: [(&str, &str, EventKind); 7] = [
    ("gas", "燃气", EventKind::GasLeak),
    ("flood", "水浸", EventKind::Flood),
    ("medical", "急救", EventKind::Medical),
    ("security", "治安", EventKind::PublicSecurity),
    ("fire", "火警", EventKind::FireAlarm),
    ("lift", "困人", EventKind::ElevatorEntrapment),
    ("duress", "胁迫", EventKind::AccessDuress),
];

/// Starts typing a report.
pub fn start(state: &mut State) {
    state.editor = Some(Editor {
        purpose: EditPurpose::Report,
        text: String::new(),
    });
}

/// Reads a typed report into the command that opens it, or says what is missing.
pub fn read(text: &str) -> Result<Command, S> {
    let (head, note) = text.split_once([':', '：']).ok_or(S::ReportNoNote)?;
    let note = note.trim();
    if note.is_empty() {
        return Err(S::ReportNoNote);
    }
    let mut words = head.split_whitespace();
    let kind = words.next().and_then(kind_of).ok_or(S::ReportUnknownKind)?;
    let site = words.next().ok_or(S::ReportNoSite)?.to_string();
    let place = words.collect::<Vec<_>>().join(" ");
    let parts: Vec<String> = place
        .split('/')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    let (building, floor, zone) = match parts.as_slice() {
        [] => (None, None, None),
        [zone] => (None, None, Some(zone.clone())),
        [building, zone] => (Some(building.clone()), None, Some(zone.clone())),
        [building, floor, rest @ ..] => (
            Some(building.clone()),
            Some(floor.clone()),
            (!rest.is_empty()).then(|| rest.join(" / ")),
        ),
    };
    Ok(Command::OpenIncident {
        kind,
        location: Location {
            site,
            building,
            floor,
            zone,
        },
        note: note.to_string(),
    })
}

fn kind_of(word: &str) -> Option<EventKind> {
    let word = word.to_lowercase();
    KIND_WORDS
        .iter()
        .find(|(en, zh, kind)| word == *en || word == *zh || word == kind.as_str())
        .map(|(_, _, kind)| *kind)
}

/// Sends the typed report, or says on the message bar what to fix (nothing is sent).
pub fn submit(state: &mut State, text: &str, fx: &mut Vec<Effect>) {
    match read(text) {
        Ok(open) => {
            let request = state.next_request_id();
            fx.extend(state.send(command(request, open)));
        }
        Err(problem) => {
            let lang = state.lang;
            let text = format!("{} — {}", problem.get(lang), S::ReportPrompt.get(lang));
            state.say(Level::Warning, text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phoned_in_gas_smell_reads_into_its_kind_site_place_and_note() {
        let open = read("gas green-garden B2/7F/1203 kitchen: resident Wang smells gas").unwrap();
        assert_eq!(
            open,
            Command::OpenIncident {
                kind: EventKind::GasLeak,
                location: Location {
                    site: "green-garden".into(),
                    building: Some("B2".into()),
                    floor: Some("7F".into()),
                    zone: Some("1203 kitchen".into()),
                },
                note: "resident Wang smells gas".into(),
            }
        );
    }

    #[test]
    fn chinese_words_wire_names_and_a_bare_site_are_understood() {
        let open = read("急救 riverside-plaza：大堂有人晕倒").unwrap();
        assert!(matches!(
            open,
            Command::OpenIncident { kind: EventKind::Medical, ref location, .. }
                if location.site == "riverside-plaza" && location.zone.is_none()
        ));
        let open = read("manual.flood green-garden B1/car park: water from the ceiling").unwrap();
        assert!(matches!(
            open,
            Command::OpenIncident { kind: EventKind::Flood, ref location, .. }
                if location.zone.as_deref() == Some("car park")
        ));
    }

    #[test]
    fn what_is_missing_is_named() {
        assert_eq!(read("gas green-garden"), Err(S::ReportNoNote));
        assert_eq!(read("gas green-garden:  "), Err(S::ReportNoNote));
        assert_eq!(read("smoke green-garden: x"), Err(S::ReportUnknownKind));
        assert_eq!(read("gas: x"), Err(S::ReportNoSite));
    }
}
