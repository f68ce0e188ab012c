//! A drill's score and after-action report, computed from the logs of the drill's own
//! incidents up to the drill's end (a real incident never enters a drill's score): each
//! objective's measured time against its target with an HSEEP rating, the time to acknowledge,
//! every step against its deadline, skipped steps with their reasons, the call-out, and an
//! overall score that gives the reason for every point it takes off.

use serde::Serialize;
use time::OffsetDateTime;

use super::incident::{actor_name, is_late, lane};
use super::render::span;
use crate::pages::MarkKind;
use crate::protocol::describe::{event_both, event_operator};
use crate::protocol::{
    Bilingual, DrillRecord, IncidentEvent, IncidentView, LogEntry, Measure, Objective, StepStatus,
};

/// How well an objective was met, as HSEEP rates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Rating {
    /// Performed without challenges: within the target.
    P,
    /// Performed with some challenges: within one and a half times the target.
    S,
    /// Performed with major challenges: within twice the target.
    M,
    /// Unable to be performed: later than that, or not at all.
    U,
}

impl Rating {
    /// The rating of `measured` seconds against `target` seconds (`None`: it never happened).
    pub fn of(measured: Option<i64>, target: i64) -> Rating {
        match measured {
            Some(m) if m <= target => Rating::P,
            Some(m) if m * 2 <= target * 3 => Rating::S,
            Some(m) if m <= target * 2 => Rating::M,
            _ => Rating::U,
        }
    }

    /// Points the overall score loses for this rating.
    fn deduction(self) -> u32 {
        match self {
            Rating::P => 0,
            Rating::S => 5,
            Rating::M => 15,
            Rating::U => 25,
        }
    }

    /// The rating's meaning in Chinese and English.
    pub fn name(self) -> Bilingual {
        let (zh, en) = match self {
            Rating::P => ("P 顺利完成", "P — performed without challenges"),
            Rating::S => ("S 完成但有不足", "S — performed with some challenges"),
            Rating::M => ("M 完成但问题较大", "M — performed with major challenges"),
            Rating::U => ("U 未能完成", "U — unable to be performed"),
        };
        Bilingual {
            zh: zh.into(),
            en: en.into(),
        }
    }
}

/// One objective and how the drill did against it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectiveResult {
    pub objective: Objective,
    /// Seconds from the drill's start; `None` when it never happened.
    pub measured_secs: Option<i64>,
    pub rating: Rating,
    /// Who did it.
    pub by: Option<String>,
}

/// One step of a drill incident's checklist against its deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepResult {
    pub incident: String,
    pub number: usize,
    pub step: String,
    pub instruction: Bilingual,
    pub status: StepStatus,
    /// Seconds from the drill's start to its completion.
    pub done_secs: Option<i64>,
    /// Seconds from the drill's start to its deadline.
    pub due_secs: Option<i64>,
    pub late: bool,
    pub skip_reason: Option<String>,
}

/// What the call-out of the drill's incidents came to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CallOut {
    pub attempted: u32,
    pub delivered: u32,
    pub failed: u32,
    /// Acknowledged by a contact (a link followed, a call answered).
    pub answered: u32,
}

/// Points taken off the overall score, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deduction {
    pub points: u32,
    pub reason: Bilingual,
}

/// One line of the drill's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DrillMoment {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub incident: String,
    pub who: String,
    pub what: Bilingual,
    #[serde(skip)]
    pub lane: MarkKind,
}

/// The score of a drill that has ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DrillScore {
    pub objectives: Vec<ObjectiveResult>,
    /// Seconds from the drill's start to the first acknowledgement of a drill incident.
    pub time_to_acknowledge_secs: Option<i64>,
    pub steps: Vec<StepResult>,
    pub call_out: CallOut,
    /// Out of 100.
    pub score: u32,
    pub deductions: Vec<Deduction>,
    /// Everyone who acted in the drill's incidents, by operator id.
    pub participants: Vec<String>,
    pub timeline: Vec<DrillMoment>,
}

/// One incident of the drill: as it stands (its checklist) and its log.
pub struct DrillIncident<'a> {
    pub view: &'a IncidentView,
    pub log: &'a [LogEntry],
}

/// Scores the drill of `record` from its incidents.
pub fn score(record: &DrillRecord, incidents: &[DrillIncident<'_>]) -> DrillScore {
    let drill = &record.drill;
    let start = drill.started_at;
    let end = record.ended_at;
    let since = |at: OffsetDateTime| (at - start).whole_seconds();
    // Only what happened while the drill ran, and only in its own incidents.
    let entries: Vec<(&IncidentView, &LogEntry)> = incidents
        .iter()
        .filter(|i| i.view.drill.as_deref() == Some(drill.id.as_str()))
        .flat_map(|i| i.log.iter().map(move |e| (i.view, e)))
        .filter(|(_, e)| e.at <= end)
        .collect();
    let first = |hit: &dyn Fn(&IncidentView, &IncidentEvent) -> bool| {
        entries
            .iter()
            .filter(|(view, e)| hit(view, &e.event))
            .min_by_key(|(_, e)| (e.at, e.seq))
            .map(|(_, e)| (since(e.at), who(e)))
    };
    let objectives: Vec<ObjectiveResult> = drill
        .objectives
        .iter()
        .map(|objective| {
            let found = first(&|view, event| matches(&objective.measure, view, event));
            let measured = found.as_ref().map(|(s, _)| *s);
            ObjectiveResult {
                objective: objective.clone(),
                measured_secs: measured,
                rating: Rating::of(measured, i64::from(objective.target_secs)),
                by: found.and_then(|(_, by)| by),
            }
        })
        .collect();
    let time_to_acknowledge_secs =
        first(&|_, event| matches!(event, IncidentEvent::Acknowledged { .. })).map(|(s, _)| s);
    let steps = steps(incidents, &drill.id, start);
    let call_out = call_out(&entries);
    let (score, deductions) = deductions(&objectives, &steps, &call_out);
    let mut participants: Vec<String> = entries
        .iter()
        .filter_map(|(_, e)| event_operator(&e.event).map(str::to_string))
        .collect();
    participants.sort();
    participants.dedup();
    let mut timeline: Vec<DrillMoment> = entries
        .iter()
        .map(|(view, e)| DrillMoment {
            at: e.at,
            incident: view.id.clone(),
            who: actor_name(&e.actor),
            what: event_both(&e.event, view.playbook.as_ref()),
            lane: lane(e),
        })
        .collect();
    timeline.sort_by_key(|m| m.at);
    DrillScore {
        objectives,
        time_to_acknowledge_secs,
        steps,
        call_out,
        score,
        deductions,
        participants,
        timeline,
    }
}

fn who(entry: &LogEntry) -> Option<String> {
    match &entry.actor {
        crate::protocol::Actor::Operator { id } => Some(id.clone()),
        _ => None,
    }
}

/// Whether `event` in the incident `view` is what `measure` looks for.
fn matches(measure: &Measure, view: &IncidentView, event: &IncidentEvent) -> bool {
    let in_playbook = |playbook: &str| view.playbook.as_ref().is_some_and(|p| p.id == playbook);
    match (measure, event) {
        (Measure::Acknowledged, IncidentEvent::Acknowledged { .. }) => true,
        (Measure::Resolved, IncidentEvent::Resolved { .. }) => true,
        (Measure::Notified, IncidentEvent::NotificationDelivered { .. }) => true,
        (Measure::StepDone { playbook, step }, IncidentEvent::Playbook { run }) => {
            in_playbook(playbook)
                && match run {
                    playbooks::RunEvent::StepCompleted { step: s, .. }
                    | playbooks::RunEvent::ChoiceMade { step: s, .. } => s == step,
                    _ => false,
                }
        }
        (
            Measure::ChoiceMade {
                playbook,
                step,
                choice,
            },
            IncidentEvent::Playbook {
                run:
                    playbooks::RunEvent::ChoiceMade {
                        step: s, choice: c, ..
                    },
            },
        ) => in_playbook(playbook) && s == step && c == choice,
        _ => false,
    }
}

fn steps(incidents: &[DrillIncident<'_>], drill: &str, start: OffsetDateTime) -> Vec<StepResult> {
    let since = |at: OffsetDateTime| (at - start).whole_seconds();
    incidents
        .iter()
        .filter(|i| i.view.drill.as_deref() == Some(drill))
        .flat_map(|i| {
            let steps = i
                .view
                .playbook
                .as_ref()
                .map(|p| p.steps.as_slice())
                .unwrap_or(&[]);
            steps
                .iter()
                .enumerate()
                .filter(|(_, s)| s.status != StepStatus::NotTaken)
                .map(|(n, s)| {
                    let late = is_late(s);
                    StepResult {
                        incident: i.view.id.clone(),
                        number: n + 1,
                        step: s.id.clone(),
                        instruction: s.instruction.clone(),
                        status: s.status,
                        done_secs: s.done_at.map(since),
                        due_secs: s.due_at.map(since),
                        late,
                        skip_reason: s.skip_reason.clone(),
                    }
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn call_out(entries: &[(&IncidentView, &LogEntry)]) -> CallOut {
    let mut tally = CallOut::default();
    for (_, e) in entries {
        match &e.event {
            IncidentEvent::NotificationAttempted { .. } => tally.attempted += 1,
            IncidentEvent::NotificationDelivered { .. } => tally.delivered += 1,
            IncidentEvent::NotificationFailed { .. } => tally.failed += 1,
            IncidentEvent::NotificationsAcknowledged { .. } => tally.answered += 1,
            _ => {}
        }
    }
    tally
}

/// The overall score: 100, less points for each objective not fully met, each late or
/// skipped step and each failed call, each deduction with its reason.
fn deductions(
    objectives: &[ObjectiveResult],
    steps: &[StepResult],
    call_out: &CallOut,
) -> (u32, Vec<Deduction>) {
    let mut taken = Vec::new();
    for o in objectives {
        let points = o.rating.deduction();
        if points == 0 {
            continue;
        }
        let target = span(i64::from(o.objective.target_secs));
        let reason = match o.measured_secs {
            Some(m) => Bilingual {
                zh: format!(
                    "目标“{}”用时 {}，目标 {}（{:?}）",
                    o.objective.name.zh,
                    span(m),
                    target,
                    o.rating
                ),
                en: format!(
                    "objective \"{}\" took {} against {} ({:?})",
                    o.objective.name.en,
                    span(m),
                    target,
                    o.rating
                ),
            },
            None => Bilingual {
                zh: format!("目标“{}”未完成（U）", o.objective.name.zh),
                en: format!("objective \"{}\" was never met (U)", o.objective.name.en),
            },
        };
        taken.push(Deduction { points, reason });
    }
    for s in steps {
        let words = playbooks::first_words(&s.instruction.en);
        let words_zh = playbooks::first_words(&s.instruction.zh);
        if s.late {
            taken.push(Deduction {
                points: 3,
                reason: Bilingual {
                    zh: format!("{} 第 {} 步“{words_zh}”超过时限", s.incident, s.number),
                    en: format!("{} step {} “{words}” was late", s.incident, s.number),
                },
            });
        }
        if let Some(why) = &s.skip_reason {
            taken.push(Deduction {
                points: 5,
                reason: Bilingual {
                    zh: format!("{} 第 {} 步“{words_zh}”被跳过：{why}", s.incident, s.number),
                    en: format!(
                        "{} step {} “{words}” was skipped: {why}",
                        s.incident, s.number
                    ),
                },
            });
        }
    }
    if call_out.failed > 0 {
        taken.push(Deduction {
            points: 2 * call_out.failed,
            reason: Bilingual {
                zh: format!("{} 次通知失败", call_out.failed),
                en: format!("{} notification(s) failed", call_out.failed),
            },
        });
    }
    let lost: u32 = taken.iter().map(|d| d.points).sum();
    (100u32.saturating_sub(lost), taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_follow_the_target() {
        assert_eq!(Rating::of(Some(60), 60), Rating::P);
        assert_eq!(Rating::of(Some(90), 60), Rating::S);
        assert_eq!(Rating::of(Some(91), 60), Rating::M);
        assert_eq!(Rating::of(Some(120), 60), Rating::M);
        assert_eq!(Rating::of(Some(121), 60), Rating::U);
        assert_eq!(Rating::of(None, 60), Rating::U);
    }
}
