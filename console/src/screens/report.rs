//! Opening an incident by hand for a report that reached the control room by phone or in
//! person: one typed line `[drill|drill=ID|real] KIND SITE [BUILDING/FLOOR/ZONE]: NOTE`, read
//! here without I/O. While a drill runs at the site the first word must say drill or real, so
//! that a real report is never filed as a drill's (nor a drill's as real) by accident.

use alert_hub::protocol::{Command, DrillView, EventKind, Location};

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

/// What the first word of a report says about drills.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Marked {
    Unmarked,
    Real,
    /// `drill`: the one drill running at the site.
    Drill,
    /// `drill=ID`.
    DrillId(String),
}

fn marked(word: &str) -> Option<Marked> {
    let lower = word.to_lowercase();
    match lower.as_str() {
        "real" | "真实" => Some(Marked::Real),
        "drill" | "演练" => Some(Marked::Drill),
        _ => ["drill=", "演练="]
            .iter()
            .find_map(|p| word.strip_prefix(p))
            .filter(|id| !id.is_empty())
            .map(|id| Marked::DrillId(id.to_string())),
    }
}

/// The drill a report at `site` belongs to, from its mark and the drills `running`.
fn drill_of(mark: Marked, site: &str, running: &[DrillView]) -> Result<Option<String>, S> {
    let here: Vec<&DrillView> = running
        .iter()
        .filter(|d| d.site.as_deref().is_none_or(|s| s == site))
        .collect();
    match mark {
        Marked::Real => Ok(None),
        Marked::DrillId(id) => Ok(Some(id)),
        Marked::Unmarked if here.is_empty() => Ok(None),
        Marked::Unmarked => Err(S::ReportDrillOrReal),
        Marked::Drill => match here.as_slice() {
            [] => Err(S::ReportNoDrill),
            [one] => Ok(Some(one.id.clone())),
            _ => Err(S::ReportWhichDrill),
        },
    }
}

/// Reads a typed report into the command that opens it, or says what is missing; `running`
/// are the drills running now (a report at a site with one must say drill or real).
pub fn read(text: &str, running: &[DrillView]) -> Result<Command, S> {
    let (head, note) = text.split_once([':', '：']).ok_or(S::ReportNoNote)?;
    let note = note.trim();
    if note.is_empty() {
        return Err(S::ReportNoNote);
    }
    let mut words = head.split_whitespace().peekable();
    let mark = words.peek().and_then(|w| marked(w));
    if mark.is_some() {
        words.next();
    }
    let kind = words.next().and_then(kind_of).ok_or(S::ReportUnknownKind)?;
    let site = words.next().ok_or(S::ReportNoSite)?.to_string();
    let drill = drill_of(mark.unwrap_or(Marked::Unmarked), &site, running)?;
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
        drill,
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
    match read(text, &state.drills) {
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
        let open = read(
            "gas green-garden B2/7F/1203 kitchen: resident Wang smells gas",
            &[],
        )
        .unwrap();
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
                drill: None,
            }
        );
    }

    #[test]
    fn chinese_words_wire_names_and_a_bare_site_are_understood() {
        let open = read("急救 riverside-plaza：大堂有人晕倒", &[]).unwrap();
        assert!(matches!(
            open,
            Command::OpenIncident { kind: EventKind::Medical, ref location, .. }
                if location.site == "riverside-plaza" && location.zone.is_none()
        ));
        let open = read(
            "manual.flood green-garden B1/car park: water from the ceiling",
            &[],
        )
        .unwrap();
        assert!(matches!(
            open,
            Command::OpenIncident { kind: EventKind::Flood, ref location, .. }
                if location.zone.as_deref() == Some("car park")
        ));
    }

    #[test]
    fn what_is_missing_is_named() {
        assert_eq!(read("gas green-garden", &[]), Err(S::ReportNoNote));
        assert_eq!(read("gas green-garden:  ", &[]), Err(S::ReportNoNote));
        assert_eq!(
            read("smoke green-garden: x", &[]),
            Err(S::ReportUnknownKind)
        );
        assert_eq!(read("gas: x", &[]), Err(S::ReportNoSite));
    }

    fn running_at(site: &str, ids: &[&str]) -> Vec<DrillView> {
        let name = alert_hub::protocol::Bilingual::default();
        let at = time::OffsetDateTime::UNIX_EPOCH;
        ids.iter()
            .map(|id| {
                let mut drill = DrillView::new(*id, name.clone(), at);
                drill.site = Some(site.into());
                drill
            })
            .collect()
    }

    fn drill_of_read(text: &str, running: &[DrillView]) -> Result<Option<String>, S> {
        match read(text, running)? {
            Command::OpenIncident { drill, .. } => Ok(drill),
            other => panic!("not a report: {other:?}"),
        }
    }

    #[test]
    fn while_a_drill_runs_at_the_site_a_report_must_say_drill_or_real() {
        let q3 = running_at("green-garden", &["q3-flood"]);
        let line = "flood green-garden B1/car park: water from the ceiling";
        assert_eq!(drill_of_read(line, &q3), Err(S::ReportDrillOrReal));
        assert_eq!(drill_of_read(&format!("real {line}"), &q3), Ok(None));
        assert_eq!(drill_of_read(&format!("真实 {line}"), &q3), Ok(None));
        let drill = Ok(Some("q3-flood".to_string()));
        assert_eq!(drill_of_read(&format!("drill {line}"), &q3), drill);
        assert_eq!(drill_of_read(&format!("演练 {line}"), &q3), drill);
        assert_eq!(drill_of_read(&format!("drill=q3-flood {line}"), &q3), drill);
    }

    #[test]
    fn a_drill_elsewhere_asks_for_no_mark_and_a_bare_drill_needs_one_running_here() {
        let elsewhere = running_at("riverside-plaza", &["q3-flood"]);
        let line = "flood green-garden B1: water";
        assert_eq!(drill_of_read(line, &elsewhere), Ok(None));
        assert_eq!(
            drill_of_read(&format!("drill {line}"), &elsewhere),
            Err(S::ReportNoDrill)
        );
        let two = running_at("green-garden", &["a", "b"]);
        assert_eq!(
            drill_of_read(&format!("drill {line}"), &two),
            Err(S::ReportWhichDrill)
        );
        assert_eq!(
            drill_of_read(&format!("drill=b {line}"), &two),
            Ok(Some("b".to_string()))
        );
    }
}
