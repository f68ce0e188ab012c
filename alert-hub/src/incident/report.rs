//! Incidents opened by hand: a report that reached the control room by phone or in person (a
//! gas smell, a flood, a medical emergency, a public-security incident, or an alarm no device
//! sent), at a site and place, with the operator's note. It is logged as opened by them.

use time::OffsetDateTime;

use super::{MAX_NOTE_CHARS, Refusal};
use crate::protocol::{EventKind, IncidentEvent, IncidentView, Location, RefusalCode};

/// What an operator reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub kind: EventKind,
    pub location: Location,
    pub note: String,
    /// The running drill the report belongs to; `None` for a real report.
    pub drill: Option<String>,
}

/// The device name a hand-opened incident shows: it came from a person, not a device.
pub const REPORTED_DEVICE: &str = "reported";

impl Report {
    /// Checks the report: a kind that opens incidents and has a playbook, a site of this hub,
    /// and a note saying what was reported.
    pub fn check(&self, site_known: bool, has_playbook: bool) -> Result<(), Refusal> {
        let kind = self.kind.as_str();
        if self.kind.priority().is_none() || !has_playbook {
            return Err(Refusal::new(
                RefusalCode::BadCommand,
                format!("不能手动开启“{kind}”类事件：它没有处置预案。"),
                format!(
                    "An incident of kind \"{kind}\" cannot be opened by hand: it has no playbook."
                ),
            ));
        }
        if !site_known {
            let site = &self.location.site;
            return Err(Refusal::new(
                RefusalCode::BadCommand,
                format!("本系统没有项目“{site}”。"),
                format!("There is no site \"{site}\" on this hub."),
            ));
        }
        let note = self.note.trim();
        if note.is_empty() || note.chars().count() > MAX_NOTE_CHARS {
            return Err(Refusal::new(
                RefusalCode::BadCommand,
                format!("请写明报告内容（谁报告、看到什么），最多 {MAX_NOTE_CHARS} 个字。"),
                format!(
                    "Say what was reported (who called, what they saw), in at most {MAX_NOTE_CHARS} characters."
                ),
            ));
        }
        Ok(())
    }

    /// The events that open the incident `id` for this report by `operator`: opened, then the
    /// operator's note.
    pub fn open(&self, id: String, operator: &str, now: OffsetDateTime) -> Vec<IncidentEvent> {
        let mut view = IncidentView::opened(
            id,
            self.kind,
            self.location.clone(),
            now,
            REPORTED_DEVICE,
            operator,
        );
        view.event_count = 0;
        view.drill = self.drill.clone();
        if let Some(priority) = self.kind.priority() {
            view.priority = priority;
        }
        vec![
            IncidentEvent::Opened {
                view: Box::new(view),
                event_seq: None,
            },
            IncidentEvent::NoteAdded {
                operator: operator.to_string(),
                text: self.note.trim().to_string(),
            },
        ]
    }
}
