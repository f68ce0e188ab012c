//! The post-incident report of one incident: its header, the milestones of the response with
//! the time between them and each against its target, the whole timeline, the checklist as it
//! was worked, the call-out, the notes, and the manager's review. Built from the incident as
//! the hub has it and its log; nothing here reads a clock or a store.

use serde::Serialize;
use time::{Duration, OffsetDateTime};

use super::targets;
use crate::pages::MarkKind;
use crate::protocol::describe::{event_both, event_operator};
use crate::protocol::{
    Actor, AttemptView, Bilingual, IncidentEvent, IncidentState, IncidentView, LogEntry, Priority,
    ReviewRecord, StepStatus,
};

/// A moment of the response the report measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneKind {
    FirstEvent,
    Acknowledged,
    Confirmed,
    FirstCallOut,
    OutsideCalled,
    OnSite,
    Resolved,
    Closed,
}

impl MilestoneKind {
    /// Every milestone, in the order a response reaches them.
    pub const ALL: [MilestoneKind; 8] = [
        MilestoneKind::FirstEvent,
        MilestoneKind::Acknowledged,
        MilestoneKind::Confirmed,
        MilestoneKind::FirstCallOut,
        MilestoneKind::OutsideCalled,
        MilestoneKind::OnSite,
        MilestoneKind::Resolved,
        MilestoneKind::Closed,
    ];

    /// The milestone's name in Chinese and English.
    pub fn name(self) -> Bilingual {
        let (zh, en) = match self {
            MilestoneKind::FirstEvent => ("首个报警", "first event"),
            MilestoneKind::Acknowledged => ("确认报警", "acknowledged"),
            MilestoneKind::Confirmed => ("核实", "verified"),
            MilestoneKind::FirstCallOut => ("首次通知送达", "first call-out delivered"),
            MilestoneKind::OutsideCalled => ("呼叫外部救援", "outside service called"),
            MilestoneKind::OnSite => ("救援到场", "help on site"),
            MilestoneKind::Resolved => ("处理完毕", "resolved"),
            MilestoneKind::Closed => ("关闭", "closed"),
        };
        Bilingual {
            zh: zh.into(),
            en: en.into(),
        }
    }

    fn of_step(milestone: playbooks::Milestone) -> MilestoneKind {
        match milestone {
            playbooks::Milestone::Confirmed => MilestoneKind::Confirmed,
            playbooks::Milestone::OutsideCalled => MilestoneKind::OutsideCalled,
            playbooks::Milestone::OnSite => MilestoneKind::OnSite,
        }
    }
}

/// How a milestone stands against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Reached within its target.
    Pass,
    /// Reached after its target, or its target passed without it.
    Fail,
    /// Reached; nothing to measure it against.
    NoTarget,
    /// Not reached, and not due: the response took another way (a false alarm calls no 119)
    /// or the incident is still open before the target.
    NotReached,
}

/// One milestone: when it was reached, how long after the first event and after the
/// milestone before it, and against which target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Milestone {
    pub kind: MilestoneKind,
    pub name: Bilingual,
    #[serde(with = "time::serde::rfc3339::option")]
    pub at: Option<OffsetDateTime>,
    /// Who reached it (the operator who acknowledged, completed the step, ...).
    pub by: Option<String>,
    /// Seconds from the first event.
    pub after_secs: Option<i64>,
    /// Seconds from the milestone reached before it.
    pub since_previous_secs: Option<i64>,
    /// The target, in seconds from the first event.
    pub target_secs: Option<i64>,
    pub verdict: Verdict,
}

/// One line of the timeline: when, who, what, and the lane it is drawn in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub seq: u64,
    pub who: String,
    pub what: Bilingual,
    #[serde(skip)]
    pub lane: MarkKind,
}

/// One step of the checklist as it was worked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepRecord {
    pub number: usize,
    pub id: String,
    pub instruction: Bilingual,
    pub status: StepStatus,
    pub by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub due_at: Option<OffsetDateTime>,
    /// Done after its deadline, or still open past it.
    pub late: bool,
    /// The choice taken, by its label.
    pub chosen: Option<Bilingual>,
    pub skip_reason: Option<String>,
    /// The values recorded, as `label: value`.
    pub values: Vec<(Bilingual, String)>,
}

/// A note an operator added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub by: String,
    pub text: String,
}

/// The post-incident report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentReport {
    pub id: String,
    pub kind: crate::protocol::EventKind,
    pub kind_name: Bilingual,
    pub priority: Priority,
    pub state: IncidentState,
    pub location: String,
    pub site: String,
    /// The drill it belonged to; `None` for a real incident.
    pub drill: Option<String>,
    pub confirmed_by_two_detectors: bool,
    pub devices: Vec<String>,
    pub event_count: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub opened_at: OffsetDateTime,
    pub playbook: Option<Bilingual>,
    pub milestones: Vec<Milestone>,
    pub timeline: Vec<TimelineEntry>,
    pub checklist: Vec<StepRecord>,
    pub notifications: Vec<AttemptView>,
    /// Levels called after the first, and repeats of the last.
    pub escalations: u32,
    pub notes: Vec<Note>,
    /// The manager's review: root cause, contributing factors, corrective actions, sign-off.
    pub review: Option<ReviewRecord>,
    /// The hub's latest signed audit checkpoint when the report was made, so the report can
    /// be held against the record (see `crate::audit`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<CheckpointMark>,
}

/// The tree size and root of a signed audit checkpoint, as a report carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckpointMark {
    pub origin: String,
    pub tree_size: u64,
    /// The root hash in lower-case hex.
    pub root: String,
}

impl CheckpointMark {
    /// The mark of a stored checkpoint note; `None` when its text is not a checkpoint.
    pub fn of_note(note: &str) -> Option<CheckpointMark> {
        let checkpoint = crate::audit::checkpoint::Checkpoint::parse(note).ok()?;
        Some(CheckpointMark {
            origin: checkpoint.origin,
            tree_size: checkpoint.size,
            root: crate::audit::merkle::hex(&checkpoint.root),
        })
    }
}

impl IncidentReport {
    /// The report of `incident` (its full view: checklist and call-out included) from its
    /// `log`, oldest first; `playbook` is the playbook it ran, for the milestones its steps
    /// mark; `review` is the manager's, when one was written.
    pub fn build(
        incident: &IncidentView,
        log: &[LogEntry],
        playbook: Option<&playbooks::Playbook>,
        review: Option<ReviewRecord>,
    ) -> IncidentReport {
        let (zh, en) = incident.kind.names();
        let checklist = checklist(incident);
        IncidentReport {
            id: incident.id.clone(),
            kind: incident.kind,
            kind_name: Bilingual {
                zh: zh.into(),
                en: en.into(),
            },
            priority: incident.priority,
            state: incident.state,
            location: incident.location.to_string(),
            site: incident.location.site.clone(),
            drill: incident.drill.clone(),
            confirmed_by_two_detectors: incident.confirmed_by_two_detectors,
            devices: incident.devices.clone(),
            event_count: incident.event_count,
            opened_at: incident.opened_at,
            playbook: incident.playbook.as_ref().map(|p| p.title.clone()),
            milestones: milestones(incident, log, playbook),
            timeline: timeline(incident, log),
            checklist,
            notifications: incident
                .notifications
                .as_ref()
                .map(|n| n.attempts.clone())
                .unwrap_or_default(),
            escalations: escalations(log),
            notes: log
                .iter()
                .filter_map(|e| match &e.event {
                    IncidentEvent::NoteAdded { operator, text } => Some(Note {
                        at: e.at,
                        by: operator.clone(),
                        text: text.clone(),
                    }),
                    _ => None,
                })
                .collect(),
            review,
            checkpoint: None,
        }
    }

    /// The milestone of this kind.
    pub fn milestone(&self, kind: MilestoneKind) -> Option<&Milestone> {
        self.milestones.iter().find(|m| m.kind == kind)
    }
}

/// When and by whom each milestone was reached, in log order.
fn reached(
    incident: &IncidentView,
    log: &[LogEntry],
    playbook: Option<&playbooks::Playbook>,
) -> Vec<(MilestoneKind, OffsetDateTime, Option<String>)> {
    let mut found = vec![(MilestoneKind::FirstEvent, incident.opened_at, None)];
    let marked = |step: &str| {
        playbook
            .and_then(|p| p.step(step))
            .and_then(|s| s.milestone)
            .map(MilestoneKind::of_step)
    };
    for entry in log {
        let operator = || event_operator(&entry.event).map(str::to_string);
        let hit = match &entry.event {
            IncidentEvent::Acknowledged { .. } => Some((MilestoneKind::Acknowledged, operator())),
            IncidentEvent::ConfirmedByTwoDetectors { .. } => Some((MilestoneKind::Confirmed, None)),
            IncidentEvent::NotificationDelivered { .. } => {
                Some((MilestoneKind::FirstCallOut, None))
            }
            IncidentEvent::Resolved { .. } => Some((MilestoneKind::Resolved, operator())),
            IncidentEvent::Closed { .. } => Some((MilestoneKind::Closed, operator())),
            IncidentEvent::Playbook {
                run:
                    playbooks::RunEvent::StepCompleted { step, by, .. }
                    | playbooks::RunEvent::ChoiceMade { step, by, .. },
            } => marked(step).map(|kind| (kind, Some(by.clone()))),
            // A completion taken back did not reach its milestone; the next one will.
            IncidentEvent::Playbook {
                run: playbooks::RunEvent::StepReopened { step, .. },
            } => {
                if let Some(kind) = marked(step) {
                    found.retain(|(k, _, _)| *k != kind);
                }
                None
            }
            _ => None,
        };
        if let Some((kind, by)) = hit {
            found.push((kind, entry.at, by));
        }
    }
    found
}

fn milestones(
    incident: &IncidentView,
    log: &[LogEntry],
    playbook: Option<&playbooks::Playbook>,
) -> Vec<Milestone> {
    let reached = reached(incident, log, playbook);
    let start = incident.opened_at;
    let step_of = |kind: MilestoneKind| {
        playbook.and_then(|p| {
            p.steps
                .iter()
                .find(|s| s.milestone.map(MilestoneKind::of_step) == Some(kind))
        })
    };
    let status_of = |step: &str| {
        incident
            .playbook
            .as_ref()
            .and_then(|p| p.steps.iter().find(|s| s.id == step))
            .map(|s| s.status)
    };
    let mut previous: Option<OffsetDateTime> = None;
    MilestoneKind::ALL
        .into_iter()
        .map(|kind| {
            let first = reached.iter().find(|(k, _, _)| *k == kind);
            let at = first.map(|(_, at, _)| *at);
            let step = step_of(kind);
            let target = match kind {
                MilestoneKind::Acknowledged => Some(targets::acknowledge_within(incident.priority)),
                MilestoneKind::Confirmed | MilestoneKind::OutsideCalled | MilestoneKind::OnSite => {
                    step.and_then(|s| s.deadline)
                }
                _ => None,
            };
            // A milestone behind a choice not taken was never part of this response.
            let not_taken = step
                .and_then(|s| status_of(&s.id))
                .is_some_and(|s| s == StepStatus::NotTaken);
            let verdict = match (at, target) {
                (Some(at), Some(target)) if at - start <= target => Verdict::Pass,
                (Some(_), Some(_)) => Verdict::Fail,
                (Some(_), None) => Verdict::NoTarget,
                (None, _) if not_taken => Verdict::NotReached,
                (None, Some(_)) if incident.state.is_open() => Verdict::NotReached,
                (None, Some(_)) => Verdict::Fail,
                (None, None) => Verdict::NotReached,
            };
            let since_previous = at.zip(previous).map(|(at, p)| (at - p).whole_seconds());
            if at.is_some() {
                previous = at;
            }
            Milestone {
                kind,
                name: kind.name(),
                at,
                by: first.and_then(|(_, _, by)| by.clone()),
                after_secs: at.map(|at| (at - start).whole_seconds()),
                since_previous_secs: since_previous,
                target_secs: target.map(Duration::whole_seconds),
                verdict,
            }
        })
        .collect()
}

fn timeline(incident: &IncidentView, log: &[LogEntry]) -> Vec<TimelineEntry> {
    log.iter()
        .map(|entry| TimelineEntry {
            at: entry.at,
            seq: entry.seq,
            who: actor_name(&entry.actor),
            what: event_both(&entry.event, incident.playbook.as_ref()),
            lane: lane(entry),
        })
        .collect()
}

/// Who made a log entry, as the timeline names them: the device, the operator, or the hub.
pub(super) fn actor_name(actor: &Actor) -> String {
    match actor {
        Actor::Device { device, .. } => device.clone(),
        Actor::Operator { id } => id.clone(),
        Actor::Hub => "hub".to_string(),
    }
}

/// Whether a step was done after its deadline, or is still open past it.
pub(super) fn is_late(step: &crate::protocol::StepView) -> bool {
    match (step.done_at, step.due_at) {
        (Some(done), Some(due)) => done > due,
        (None, Some(_)) => step.status == StepStatus::Overdue,
        _ => false,
    }
}

/// Which lane of the timeline an entry belongs to.
pub(super) fn lane(entry: &LogEntry) -> MarkKind {
    match (&entry.actor, &entry.event) {
        (
            _,
            IncidentEvent::NotificationLevelCalled { .. }
            | IncidentEvent::NotificationAttempted { .. }
            | IncidentEvent::NotificationDelivered { .. }
            | IncidentEvent::NotificationFailed { .. }
            | IncidentEvent::NotificationsAcknowledged { .. }
            | IncidentEvent::NotificationsExhausted { .. },
        ) => MarkKind::Notification,
        (Actor::Operator { .. }, _) => MarkKind::Operator,
        _ => MarkKind::Device,
    }
}

fn checklist(incident: &IncidentView) -> Vec<StepRecord> {
    let Some(playbook) = &incident.playbook else {
        return Vec::new();
    };
    playbook
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let late = is_late(step);
            StepRecord {
                number: i + 1,
                id: step.id.clone(),
                instruction: step.instruction.clone(),
                status: step.status,
                by: step.done_by.clone(),
                at: step.done_at,
                due_at: step.due_at,
                late,
                chosen: step.chosen.as_ref().map(|id| {
                    step.choices.iter().find(|c| c.id == *id).map_or_else(
                        || Bilingual {
                            zh: id.clone(),
                            en: id.clone(),
                        },
                        |c| c.label.clone(),
                    )
                }),
                skip_reason: step.skip_reason.clone(),
                values: step
                    .inputs
                    .iter()
                    .filter_map(|i| Some((i.label.clone(), i.value.clone()?)))
                    .collect(),
            }
        })
        .collect()
}

fn escalations(log: &[LogEntry]) -> u32 {
    let called = log
        .iter()
        .filter(|e| {
            matches!(
                e.event,
                IncidentEvent::NotificationLevelCalled { level, repeat, .. } if level > 0 || repeat > 0
            )
        })
        .count();
    u32::try_from(called).unwrap_or(u32::MAX)
}
