//! The drills running on the hub as a state machine. A safety officer or an admin starts one;
//! ending it takes two people, as closing a P1 does (the first asks, a different one
//! confirms), so a drill is not ended by one person's slip while its incidents still run; one
//! person may abort it, with a reason (a real alarm, a runner stopped). Commands are checked
//! against what runs and yield past-tense [`DrillEvent`]s; applying an event only changes
//! state.

use time::OffsetDateTime;

use crate::protocol::{DrillOutcome, DrillView};

/// What a safety officer or an admin asks of the drills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrillCommand {
    /// Starts `drill` (its `started_at` is set to now, `started_by` to `by`).
    Start { drill: Box<DrillView>, by: String },
    /// Asks to end a drill, or confirms another person's request to.
    End { id: String, by: String },
    /// Stops a drill at once, with the reason.
    Abort {
        id: String,
        by: String,
        reason: String,
    },
}

/// What happened to the drills, and who did it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrillEvent {
    DrillStarted {
        drill: DrillView,
        by: String,
    },
    /// `by` asked to end the drill; a second person confirms.
    EndRequested {
        id: String,
        by: String,
    },
    DrillEnded {
        id: String,
        outcome: DrillOutcome,
    },
}

/// Why a drill command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrillRefusal {
    #[error("drill \"{0}\" is already running")]
    AlreadyRunning(String),
    #[error("drill \"{0}\" is not running")]
    NotRunning(String),
    #[error(
        "{by} already asked to end drill \"{id}\": a second safety officer or admin confirms the end"
    )]
    SamePerson { id: String, by: String },
    #[error("aborting drill \"{0}\" needs a reason")]
    ReasonRequired(String),
}

/// The drills running now, in the order they started.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drills {
    running: Vec<DrillView>,
}

impl Drills {
    /// The drills as stored.
    pub fn new(running: Vec<DrillView>) -> Self {
        Drills { running }
    }

    pub fn running(&self) -> &[DrillView] {
        &self.running
    }

    /// Whether the drill `id` runs: only then are its events taken.
    pub fn is_running(&self, id: &str) -> bool {
        self.running.iter().any(|d| d.id == id)
    }

    /// The running drill `id`.
    pub fn get(&self, id: &str) -> Option<&DrillView> {
        self.running.iter().find(|d| d.id == id)
    }

    /// Checks a command against the drills running at `now`.
    pub fn handle(
        &self,
        command: DrillCommand,
        now: OffsetDateTime,
    ) -> Result<Vec<DrillEvent>, DrillRefusal> {
        match command {
            DrillCommand::Start { drill, by } => {
                if self.is_running(&drill.id) {
                    return Err(DrillRefusal::AlreadyRunning(drill.id));
                }
                let drill = DrillView {
                    started_at: now,
                    started_by: by.clone(),
                    end_requested_by: None,
                    ..*drill
                };
                Ok(vec![DrillEvent::DrillStarted { drill, by }])
            }
            DrillCommand::End { id, by } => {
                let Some(drill) = self.get(&id) else {
                    return Err(DrillRefusal::NotRunning(id));
                };
                match &drill.end_requested_by {
                    None => Ok(vec![DrillEvent::EndRequested { id, by }]),
                    Some(asked) if *asked == by => Err(DrillRefusal::SamePerson { id, by }),
                    Some(asked) => Ok(vec![DrillEvent::DrillEnded {
                        id,
                        outcome: DrillOutcome::Completed {
                            ended_by: asked.clone(),
                            confirmed_by: by,
                        },
                    }]),
                }
            }
            DrillCommand::Abort { id, by, reason } => {
                if !self.is_running(&id) {
                    return Err(DrillRefusal::NotRunning(id));
                }
                let reason = reason.trim().to_string();
                if reason.is_empty() {
                    return Err(DrillRefusal::ReasonRequired(id));
                }
                Ok(vec![DrillEvent::DrillEnded {
                    id,
                    outcome: DrillOutcome::Aborted { by, reason },
                }])
            }
        }
    }

    /// Changes state by one event. Cannot fail.
    pub fn apply(&mut self, event: &DrillEvent) {
        match event {
            DrillEvent::DrillStarted { drill, .. } => {
                self.running.retain(|d| d.id != drill.id);
                self.running.push(drill.clone());
            }
            DrillEvent::EndRequested { id, by } => {
                if let Some(drill) = self.running.iter_mut().find(|d| d.id == *id) {
                    drill.end_requested_by = Some(by.clone());
                }
            }
            DrillEvent::DrillEnded { id, .. } => self.running.retain(|d| d.id != *id),
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::protocol::Bilingual;

    const T0: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);

    fn given(events: &[DrillEvent]) -> Drills {
        let mut drills = Drills::default();
        for event in events {
            drills.apply(event);
        }
        drills
    }

    fn name() -> Bilingual {
        Bilingual {
            zh: "一季度消防疏散演练".into(),
            en: "Q1 fire evacuation drill".into(),
        }
    }

    fn start(id: &str) -> DrillCommand {
        DrillCommand::Start {
            drill: Box::new(DrillView::new(id, name(), T0)),
            by: "so-zhao".into(),
        }
    }

    fn end(id: &str, by: &str) -> DrillCommand {
        DrillCommand::End {
            id: id.into(),
            by: by.into(),
        }
    }

    fn started(id: &str) -> DrillEvent {
        let mut drill = DrillView::new(id, name(), T0);
        drill.started_by = "so-zhao".into();
        DrillEvent::DrillStarted {
            drill,
            by: "so-zhao".into(),
        }
    }

    fn asked(id: &str) -> DrillEvent {
        DrillEvent::EndRequested {
            id: id.into(),
            by: "so-zhao".into(),
        }
    }

    #[test]
    fn a_drill_starts_when_it_is_not_running() {
        let events = given(&[]).handle(start("q1"), T0);
        assert_eq!(events, Ok(vec![started("q1")]));
        let drills = given(&[started("q1")]);
        assert!(drills.is_running("q1"));
        assert!(!drills.is_running("q2"));
    }

    #[test]
    fn a_running_drill_is_not_started_twice() {
        let events = given(&[started("q1")]).handle(start("q1"), T0);
        assert_eq!(events, Err(DrillRefusal::AlreadyRunning("q1".into())));
    }

    #[test]
    fn ending_a_drill_takes_two_people() {
        let first = given(&[started("q1")]).handle(end("q1", "so-zhao"), T0);
        assert_eq!(first, Ok(vec![asked("q1")]));
        let drills = given(&[started("q1"), asked("q1")]);
        assert!(drills.is_running("q1"), "still running after one request");
        assert_eq!(
            drills.handle(end("q1", "so-zhao"), T0),
            Err(DrillRefusal::SamePerson {
                id: "q1".into(),
                by: "so-zhao".into()
            })
        );
        let ended = DrillEvent::DrillEnded {
            id: "q1".into(),
            outcome: DrillOutcome::Completed {
                ended_by: "so-zhao".into(),
                confirmed_by: "admin".into(),
            },
        };
        assert_eq!(
            drills.handle(end("q1", "admin"), T0),
            Ok(vec![ended.clone()])
        );
        let drills = given(&[started("q1"), started("q2"), asked("q1"), ended]);
        let ids: Vec<&str> = drills.running().iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["q2"]);
    }

    #[test]
    fn one_person_aborts_a_drill_with_a_reason() {
        let abort = |reason: &str| DrillCommand::Abort {
            id: "q1".into(),
            by: "so-zhao".into(),
            reason: reason.into(),
        };
        let drills = given(&[started("q1")]);
        assert_eq!(
            drills.handle(abort(" "), T0),
            Err(DrillRefusal::ReasonRequired("q1".into()))
        );
        assert_eq!(
            drills.handle(abort("a real fire alarm at B2"), T0),
            Ok(vec![DrillEvent::DrillEnded {
                id: "q1".into(),
                outcome: DrillOutcome::Aborted {
                    by: "so-zhao".into(),
                    reason: "a real fire alarm at B2".into()
                }
            }])
        );
    }

    #[test]
    fn a_drill_that_is_not_running_cannot_end() {
        let events = given(&[]).handle(end("q1", "so-zhao"), T0);
        assert_eq!(events, Err(DrillRefusal::NotRunning("q1".into())));
        assert_eq!(
            DrillRefusal::NotRunning("q1".into()).to_string(),
            "drill \"q1\" is not running"
        );
    }
}
