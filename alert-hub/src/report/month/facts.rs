//! What the monthly report needs of one incident, read once from its view and its log: a
//! few times and flags instead of the whole history, so a month of 100,000 incidents stays
//! small in memory and quick to count.

use serde::Serialize;
use time::OffsetDateTime;

use crate::protocol::{EventKind, IncidentEvent, IncidentView, LogEntry, Priority};

/// The choice of a branching step that says the alarm was false (the fire playbook's
/// `confirm` step offers `real` and `false`).
pub const FALSE_ALARM_CHOICE: &str = "false";

/// The choice of the same step that says the fire is real (or cannot be ruled out).
pub const REAL_CHOICE: &str = "real";

/// One incident as the monthly report counts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentFacts {
    pub id: String,
    pub kind: EventKind,
    pub priority: Priority,
    pub site: String,
    pub source: String,
    /// The device that reported first.
    pub device: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub opened_at: OffsetDateTime,
    /// The first acknowledgement, even if the incident was reopened and acknowledged again.
    #[serde(with = "time::serde::rfc3339::option")]
    pub first_acknowledged_at: Option<OffsetDateTime>,
    /// The drill it belonged to; drill incidents are never counted in the real figures.
    pub drill: Option<String>,
    /// Opened while its source or device was on test.
    pub on_test: bool,
    pub flapping: bool,
    pub flap_count: u32,
    /// An operator took the "false alarm" choice of a branching step.
    pub false_alarm: bool,
    /// A fire confirmed: by an operator's "real" choice or by a second detector.
    pub confirmed_real: bool,
    /// The playbook step marked `outside_called` was done (119 or the lift company called).
    #[serde(with = "time::serde::rfc3339::option")]
    pub outside_called_at: Option<OffsetDateTime>,
    /// The playbook step marked `on_site` was done.
    #[serde(with = "time::serde::rfc3339::option")]
    pub on_site_at: Option<OffsetDateTime>,
    /// For a `comms.lost` incident: when the source came back, if it did.
    #[serde(with = "time::serde::rfc3339::option")]
    pub comms_restored_at: Option<OffsetDateTime>,
    /// The playbook it ran has a step marked `outside_called`, so the call can be measured.
    pub outside_call_step: bool,
    /// The playbook it ran has a step marked `on_site`.
    pub on_site_step: bool,
    /// Steps skipped, as `playbook/step`.
    pub skipped_steps: Vec<String>,
    /// Steps whose deadline passed before they were done, as `playbook/step`.
    pub overdue_steps: Vec<String>,
    /// Still open (not closed).
    pub open: bool,
}

impl IncidentFacts {
    /// The facts of `view` from its `log` (oldest first); `playbook` is the playbook it ran,
    /// for the steps that mark the outside call and help on site.
    pub fn of(
        view: &IncidentView,
        log: &[LogEntry],
        playbook: Option<&playbooks::Playbook>,
    ) -> IncidentFacts {
        let mut facts = IncidentFacts::of_view(view, playbook);
        for entry in log {
            match &entry.event {
                IncidentEvent::Acknowledged { .. } => {
                    facts.first_acknowledged_at.get_or_insert(entry.at);
                }
                IncidentEvent::CommsRestored { .. } => {
                    facts.comms_restored_at.get_or_insert(entry.at);
                }
                IncidentEvent::Playbook { run } => facts.run_event(run, entry.at, playbook),
                _ => {}
            }
        }
        facts
    }

    /// The facts of an incident as the store keeps it, without its log: `view` (whose first
    /// acknowledgement it carries) and the events of its playbook run.
    pub fn of_run(
        view: &IncidentView,
        run_events: &[playbooks::RunEvent],
        playbook: Option<&playbooks::Playbook>,
    ) -> IncidentFacts {
        let mut facts = IncidentFacts::of_view(view, playbook);
        // Stored before the first acknowledgement was kept: the last is the best there is.
        if facts.first_acknowledged_at.is_none() {
            facts.first_acknowledged_at = view.acknowledged_at;
        }
        if view.kind == EventKind::CommsLost && view.restored {
            facts.comms_restored_at = Some(view.last_event_at);
        }
        for run in run_events {
            if let Some(at) = run_at(run) {
                facts.run_event(run, at, playbook);
            }
        }
        facts
    }

    fn of_view(view: &IncidentView, playbook: Option<&playbooks::Playbook>) -> IncidentFacts {
        IncidentFacts {
            id: view.id.clone(),
            kind: view.kind,
            priority: view.priority,
            site: view.location.site.clone(),
            source: view.source.clone(),
            device: view.devices.first().cloned(),
            opened_at: view.opened_at,
            first_acknowledged_at: view.first_acknowledged_at,
            drill: view.drill.clone(),
            on_test: view.on_test,
            flapping: view.flapping,
            flap_count: view.flap_count,
            false_alarm: false,
            confirmed_real: view.confirmed_by_two_detectors,
            outside_called_at: None,
            on_site_at: None,
            comms_restored_at: None,
            outside_call_step: has_step(playbook, playbooks::Milestone::OutsideCalled),
            on_site_step: has_step(playbook, playbooks::Milestone::OnSite),
            skipped_steps: Vec::new(),
            overdue_steps: Vec::new(),
            open: view.state.is_open(),
        }
    }

    fn run_event(
        &mut self,
        run: &playbooks::RunEvent,
        at: OffsetDateTime,
        playbook: Option<&playbooks::Playbook>,
    ) {
        use playbooks::RunEvent;
        let marked = |step: &str| {
            playbook
                .and_then(|p| p.step(step))
                .and_then(|s| s.milestone)
        };
        let name = |step: &str| step_name(playbook.map(|p| p.id.as_str()), step);
        let step = match run {
            RunEvent::ChoiceMade { step, choice, .. } => {
                if choice == FALSE_ALARM_CHOICE {
                    self.false_alarm = true;
                } else if choice == REAL_CHOICE {
                    self.confirmed_real = true;
                }
                step
            }
            RunEvent::StepCompleted { step, .. } => step,
            RunEvent::StepSkipped { step, .. } => {
                self.skipped_steps.push(name(step));
                return;
            }
            RunEvent::StepOverdue { step, .. } => {
                self.overdue_steps.push(name(step));
                return;
            }
            _ => return,
        };
        match marked(step) {
            Some(playbooks::Milestone::OutsideCalled) => {
                self.outside_called_at.get_or_insert(at);
            }
            Some(playbooks::Milestone::OnSite) => {
                self.on_site_at.get_or_insert(at);
            }
            _ => {}
        }
    }

    /// Seconds from opening to the first acknowledgement.
    pub fn ack_secs(&self) -> Option<i64> {
        self.first_acknowledged_at
            .map(|at| (at - self.opened_at).whole_seconds())
    }
}

fn has_step(playbook: Option<&playbooks::Playbook>, milestone: playbooks::Milestone) -> bool {
    playbook.is_some_and(|p| p.steps.iter().any(|s| s.milestone == Some(milestone)))
}

fn step_name(playbook: Option<&str>, step: &str) -> String {
    match playbook {
        Some(playbook) => format!("{playbook}/{step}"),
        None => step.to_string(),
    }
}

/// When a run event happened, for the events the report counts.
fn run_at(run: &playbooks::RunEvent) -> Option<OffsetDateTime> {
    use playbooks::RunEvent;
    match run {
        RunEvent::StepCompleted { at, .. }
        | RunEvent::ChoiceMade { at, .. }
        | RunEvent::StepSkipped { at, .. }
        | RunEvent::StepOverdue { at, .. } => Some(*at),
        _ => None,
    }
}
