//! The incident aggregate: device events and operator commands checked against an incident's
//! state, yielding past-tense [`IncidentEvent`]s; applying an event only changes state.

mod book;
mod calls;
mod class;
mod command;
mod notifications;
mod permissions;
mod playbook;
mod report;

pub use book::{Applied, IncidentBook, Route};
pub use class::{Class, Spot};
pub use command::{IncidentCommand, OperatorRef, Refusal};
pub use notifications::{NOTICE_TREE, PHONE_CHANNEL, TreeRun};
pub use permissions::{Action, check_permission, permitted};
pub use playbook::HUB_ACTOR;
pub use report::{REPORTED_DEVICE, Report};

/// What incidents need from the configuration: the playbook library, who may be called and
/// at what numbers, and the re-alert rules.
#[derive(Debug, Clone)]
pub struct Setup {
    pub library: std::sync::Arc<playbooks::Library>,
    pub contacts: Vec<crate::config::Contact>,
    /// The sites, with their outside parties' names and numbers.
    pub sites: Vec<crate::config::Site>,
    /// An acknowledged P1 with no step done for this long is re-alerted.
    pub stall_after: time::Duration,
    /// Who is told when a step is skipped.
    pub shift_lead_role: String,
    /// In a drill, the drill contacts holding this role play the outside parties.
    pub drill_control_role: String,
}

impl Setup {
    /// The setup a hub configuration describes.
    pub fn of(config: &crate::config::HubConfig) -> Setup {
        Setup {
            library: config.library.clone(),
            contacts: config.contacts.clone(),
            sites: config.sites.clone(),
            stall_after: time::Duration::try_from(config.notify.stall_after)
                .unwrap_or(time::Duration::minutes(10)),
            shift_lead_role: config.notify.shift_lead_role.clone(),
            drill_control_role: config.notify.drill_control_role.clone(),
        }
    }
}

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::protocol::{
    EventKind, IncidentEvent, IncidentState, IncidentView, Location, PlaybookView, Priority,
    RefusalCode, StoredEvent,
};

/// A device's alarm–restore cycles before an incident is marked flapping.
pub const FLAP_THRESHOLD: u32 = 3;

/// The longest note an operator may add, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;

/// An incident with what correlation needs to know about it. Its `view` never holds the
/// checklist: that is derived, kept in `checklist` and never stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub view: IncidentView,
    /// The checklist view of the playbook run, derived from `run_events` and the library by
    /// [`Incident::refresh_playbook`].
    #[serde(skip)]
    pub checklist: Option<PlaybookView>,
    pub class: Class,
    /// Where it correlates: one zone, or one device for lifts and sources for supervision.
    pub spot: Spot,
    /// Every distinct device that reported into it (the view lists only the first few).
    #[serde(default)]
    pub all_devices: std::collections::BTreeSet<String>,
    /// Devices that reported `fire.alarm` into it, in order.
    pub alarm_devices: Vec<String>,
    /// The id of the playbook being run, once one has started.
    #[serde(default)]
    pub playbook: Option<String>,
    /// The events of the current playbook run, from which the run is rebuilt.
    #[serde(default)]
    pub run_events: Vec<playbooks::RunEvent>,
    /// The earliest deadline of the run not yet reported overdue.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub next_deadline: Option<OffsetDateTime>,
    /// The notification trees running.
    #[serde(default)]
    pub trees: Vec<TreeRun>,
    /// The number the next notification attempt gets.
    #[serde(default)]
    pub next_attempt: u64,
    /// When an operator last acknowledged or did a step: a P1 quiet for too long is re-alerted.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_progress_at: Option<OffsetDateTime>,
}

impl Incident {
    /// Whether the first step of its playbook is neither done nor skipped (the alarm was never
    /// even confirmed): resolving it then takes a reason.
    fn first_step_open(&self) -> bool {
        self.checklist
            .as_ref()
            .is_some_and(PlaybookView::first_step_open)
    }

    /// The incident as a console shows it: its view with the checklist.
    pub fn full_view(&self) -> IncidentView {
        IncidentView {
            playbook: self.checklist.clone(),
            ..self.view.clone()
        }
    }

    /// The `Opened` event of a new incident started by a device event.
    pub fn open(
        id: String,
        class: Class,
        source: &str,
        event: &StoredEvent,
        on_test: bool,
    ) -> IncidentEvent {
        let e = &event.event;
        let mut view = IncidentView::opened(
            id,
            e.kind,
            e.location(),
            event.received_at,
            &e.device,
            source,
        );
        view.priority = class.priority_of(e.kind);
        view.on_test = on_test;
        view.drill = e.drill.clone();
        view.panel_code = crate::protocol::dc09::unknown_code_of(&e.detail);
        IncidentEvent::Opened {
            view: Box::new(view),
            event_seq: Some(event.seq),
        }
    }

    /// The `Opened` event of a `comms.lost` incident the hub raises for a silent source.
    pub fn open_comms_lost(
        id: String,
        source: &str,
        site: &str,
        now: OffsetDateTime,
    ) -> IncidentEvent {
        let location = Location {
            site: site.to_string(),
            ..Location::default()
        };
        let mut view =
            IncidentView::opened(id, EventKind::CommsLost, location, now, source, source);
        view.event_count = 0;
        IncidentEvent::Opened {
            view: Box::new(view),
            event_seq: None,
        }
    }

    /// The incident an `Opened` event describes; `None` for any other event.
    pub fn from_opened(event: &IncidentEvent) -> Option<Incident> {
        let IncidentEvent::Opened { view, .. } = event else {
            return None;
        };
        let view = (**view).clone();
        let all_devices = view.devices.iter().cloned().collect();
        let class = Class::of(view.kind)?;
        let spot = Spot::of_view(class, &view);
        let alarm_devices = if view.kind == EventKind::FireAlarm {
            view.devices.clone()
        } else {
            Vec::new()
        };
        Some(Incident {
            view,
            checklist: None,
            class,
            spot,
            all_devices,
            alarm_devices,
            playbook: None,
            run_events: Vec::new(),
            next_deadline: None,
            trees: Vec::new(),
            next_attempt: 0,
            last_progress_at: None,
        })
    }

    /// What a device event routed to this incident changes. Device events are never refused.
    pub fn record(&self, event: &StoredEvent) -> Vec<IncidentEvent> {
        let e = &event.event;
        if e.kind.is_restore() {
            return vec![IncidentEvent::RestoreReceived {
                kind: e.kind,
                device: e.device.clone(),
            }];
        }
        let mut out = vec![IncidentEvent::EventJoined {
            event_seq: event.seq,
            event_id: e.id.clone(),
            kind: e.kind,
            device: e.device.clone(),
            zone: e.zone.clone(),
            more: 0,
            last_event_seq: None,
        }];
        let priority = e.kind.priority().unwrap_or(Priority::P4);
        let raised = priority < self.view.priority;
        if raised {
            out.push(IncidentEvent::PriorityRaised {
                kind: e.kind,
                from: self.view.priority,
                to: priority,
            });
        }
        if self.view.state != IncidentState::New
            && (raised || self.view.state == IncidentState::Resolved)
        {
            out.push(IncidentEvent::Reopened { kind: e.kind });
        }
        if e.kind == EventKind::FireAlarm
            && !self.view.confirmed_by_two_detectors
            && !self.alarm_devices.contains(&e.device)
            && let Some(first) = self.alarm_devices.first()
        {
            out.push(IncidentEvent::ConfirmedByTwoDetectors {
                devices: vec![first.clone(), e.device.clone()],
            });
        }
        if self.view.restored && !self.view.flapping && self.view.flap_count + 1 >= FLAP_THRESHOLD {
            out.push(IncidentEvent::FlappingDetected {
                flap_count: self.view.flap_count + 1,
            });
        }
        out
    }

    /// What the source speaking again changes on its `comms.lost` incident.
    pub fn comms_restored(&self) -> Vec<IncidentEvent> {
        if self.view.restored {
            return Vec::new();
        }
        vec![IncidentEvent::CommsRestored {
            source: self.view.source.clone(),
        }]
    }

    /// What the hub's supervision changes when a restored `comms.lost` source goes silent again.
    pub fn comms_lost_again(&self) -> Vec<IncidentEvent> {
        if !self.view.restored {
            return Vec::new();
        }
        vec![IncidentEvent::Reopened {
            kind: EventKind::CommsLost,
        }]
    }

    /// Checks an operator's command at `now` against the incident's state, its playbook run
    /// (from `setup`'s library) and its notification trees.
    pub fn handle(
        &self,
        command: &IncidentCommand,
        operator: OperatorRef<'_>,
        setup: &Setup,
        now: OffsetDateTime,
    ) -> Result<Vec<IncidentEvent>, Refusal> {
        use IncidentState::*;
        let id = &self.view.id;
        if self.view.state == Closed {
            return Err(Refusal::new(
                RefusalCode::InvalidState,
                format!("{id} 已关闭。"),
                format!("{id} is closed."),
            ));
        }
        let who = operator.id.to_string();
        match command {
            IncidentCommand::Acknowledge => match self.view.state {
                New => {
                    let escalating = self.trees.iter().any(|t| t.next_at.is_some());
                    let mut events = vec![IncidentEvent::Acknowledged {
                        operator: who.clone(),
                    }];
                    if escalating {
                        events.push(IncidentEvent::NotificationsAcknowledged { by: who });
                    }
                    Ok(events)
                }
                _ => Err(Refusal::new(
                    RefusalCode::InvalidState,
                    format!(
                        "{id} 已由 {} 确认。",
                        self.view.owner.as_deref().unwrap_or("其他值班员")
                    ),
                    format!(
                        "{id} is already acknowledged by {}.",
                        self.view.owner.as_deref().unwrap_or("another operator")
                    ),
                )),
            },
            IncidentCommand::AddNote { text } => {
                let text = text.trim();
                if text.is_empty() {
                    return Err(Refusal::new(
                        RefusalCode::BadCommand,
                        "备注是空的。",
                        "The note is empty.",
                    ));
                }
                if text.chars().count() > MAX_NOTE_CHARS {
                    return Err(Refusal::new(
                        RefusalCode::BadCommand,
                        format!("备注最多 {MAX_NOTE_CHARS} 个字。"),
                        format!("A note may have at most {MAX_NOTE_CHARS} characters."),
                    ));
                }
                Ok(vec![IncidentEvent::NoteAdded {
                    operator: who,
                    text: text.to_string(),
                }])
            }
            IncidentCommand::Resolve { summary } => match self.view.state {
                Acknowledged | InProgress
                    if self.first_step_open()
                        && summary.as_deref().is_none_or(|s| s.trim().is_empty()) =>
                {
                    Err(Refusal::new(
                        RefusalCode::InvalidState,
                        format!("{id} 预案的第一步尚未完成：办结时请说明原因。"),
                        format!(
                            "{id} has its playbook's first step still open: say why it is resolved anyway."
                        ),
                    ))
                }
                Acknowledged | InProgress => Ok(vec![IncidentEvent::Resolved {
                    operator: who,
                    summary: summary
                        .as_ref()
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty()),
                }]),
                New => Err(Refusal::new(
                    RefusalCode::InvalidState,
                    format!("{id} 尚未确认：请先确认，再办结。"),
                    format!("{id} is not acknowledged yet: acknowledge it before resolving."),
                )),
                _ => Err(Refusal::new(
                    RefusalCode::InvalidState,
                    format!("{id} 已办结。"),
                    format!("{id} is already resolved."),
                )),
            },
            IncidentCommand::Close => self.close(who),
            IncidentCommand::CompleteStep { .. }
            | IncidentCommand::Choose { .. }
            | IncidentCommand::RecordInput { .. }
            | IncidentCommand::SkipStep { .. }
            | IncidentCommand::UndoStep { .. } => self.work_step(setup, command, who, now),
            IncidentCommand::EscalateNow => {
                let events = self.escalate_now(setup, now);
                if events.is_empty() {
                    return Err(Refusal::new(
                        RefusalCode::InvalidState,
                        format!("{id} 没有可以升级的通知树。"),
                        format!("{id} has no notification tree left to escalate."),
                    ));
                }
                Ok(events)
            }
            IncidentCommand::LogCall {
                callee,
                outcome,
                note,
            } => self.log_call(setup, callee, *outcome, note.as_deref(), who),
        }
    }

    fn close(&self, who: String) -> Result<Vec<IncidentEvent>, Refusal> {
        let id = &self.view.id;
        if self.view.state != IncidentState::Resolved {
            return Err(Refusal::new(
                RefusalCode::InvalidState,
                format!("{id} 须先办结，才能关闭。"),
                format!("{id} must be resolved before it is closed."),
            ));
        }
        if self.view.priority != Priority::P1 {
            return Ok(vec![IncidentEvent::Closed {
                operator: who,
                confirmed_by: None,
            }]);
        }
        match &self.view.close_requested_by {
            None => Ok(vec![IncidentEvent::CloseRequested { operator: who }]),
            Some(first) if *first == who => Err(Refusal::new(
                RefusalCode::NeedsSecondOperator,
                format!("{id} 是一级事件：须由另一名值班员（不是 {who}）确认关闭。"),
                format!("{id} is a P1: a second operator, not {who}, must confirm the close."),
            )),
            Some(first) => Ok(vec![IncidentEvent::Closed {
                operator: first.clone(),
                confirmed_by: Some(who),
            }]),
        }
    }

    /// Changes state by one event that happened at `at`. Cannot fail.
    pub fn apply(&mut self, event: &IncidentEvent, at: OffsetDateTime) {
        let v = &mut self.view;
        match event {
            IncidentEvent::Opened { .. } => {}
            IncidentEvent::EventJoined { kind, device, .. } => {
                v.event_count += 1;
                v.last_event_at = at;
                if self.all_devices.insert(device.clone()) {
                    v.device_count += 1;
                    if v.devices.len() < crate::protocol::LISTED_DEVICES {
                        v.devices.push(device.clone());
                    }
                }
                if v.restored {
                    v.restored = false;
                    v.flap_count += 1;
                }
                if *kind == EventKind::FireAlarm && !self.alarm_devices.contains(device) {
                    self.alarm_devices.push(device.clone());
                }
            }
            IncidentEvent::PriorityRaised { kind, to, .. } => {
                v.kind = *kind;
                v.priority = *to;
            }
            IncidentEvent::Reopened { .. } => {
                v.state = IncidentState::New;
                v.acknowledged_at = None;
                v.close_requested_by = None;
                if v.kind == EventKind::CommsLost {
                    v.restored = false;
                    v.last_event_at = at;
                }
            }
            IncidentEvent::ConfirmedByTwoDetectors { .. } => v.confirmed_by_two_detectors = true,
            IncidentEvent::FlappingDetected { .. } => v.flapping = true,
            IncidentEvent::RestoreReceived { .. } => {
                v.restored = true;
                v.event_count += 1;
                v.last_event_at = at;
            }
            IncidentEvent::CommsRestored { .. } => {
                v.restored = true;
                v.last_event_at = at;
            }
            IncidentEvent::Acknowledged { operator } => {
                self.last_progress_at = Some(at);
                v.state = IncidentState::Acknowledged;
                v.acknowledged_at = Some(at);
                v.first_acknowledged_at.get_or_insert(at);
                v.owner = Some(operator.clone());
            }
            IncidentEvent::NoteAdded { .. } => {
                if v.state == IncidentState::Acknowledged {
                    v.state = IncidentState::InProgress;
                }
            }
            IncidentEvent::Resolved { .. } => v.state = IncidentState::Resolved,
            IncidentEvent::CloseRequested { operator } => {
                v.close_requested_by = Some(operator.clone())
            }
            IncidentEvent::Closed { .. } => v.state = IncidentState::Closed,
            IncidentEvent::Playbook { run } => {
                if matches!(
                    run,
                    playbooks::RunEvent::StepCompleted { .. }
                        | playbooks::RunEvent::ChoiceMade { .. }
                        | playbooks::RunEvent::StepSkipped { .. }
                ) {
                    self.last_progress_at = Some(at);
                }
                playbook::apply_run_event(self, run)
            }
            IncidentEvent::StallReAlerted { .. } => {
                v.state = IncidentState::New;
                v.acknowledged_at = None;
            }
            IncidentEvent::NotificationLevelCalled { .. }
            | IncidentEvent::NotificationAttempted { .. }
            | IncidentEvent::NotificationDelivered { .. }
            | IncidentEvent::NotificationFailed { .. }
            | IncidentEvent::NotificationsAcknowledged { .. }
            | IncidentEvent::NotificationsExhausted { .. }
            | IncidentEvent::CalledByPhone { .. } => notifications::apply(self, event, at),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;

#[cfg(test)]
mod call_tests;
#[cfg(test)]
mod command_tests;
#[cfg(test)]
mod notification_tests;
#[cfg(test)]
mod playbook_tests;
