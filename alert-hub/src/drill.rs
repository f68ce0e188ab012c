//! The drills running on the hub as a state machine: starting and ending one is checked against
//! what runs and yields past-tense [`DrillEvent`]s; applying an event only changes state.

use time::OffsetDateTime;

use crate::protocol::{Bilingual, DrillView};

/// What a safety officer or an admin asks of the drills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrillCommand {
    Start {
        id: String,
        name: Bilingual,
        by: String,
    },
    End {
        id: String,
        by: String,
    },
}

/// What happened to the drills, and who did it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrillEvent {
    DrillStarted { drill: DrillView, by: String },
    DrillEnded { id: String, by: String },
}

/// Why a drill command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrillRefusal {
    #[error("drill \"{0}\" is already running")]
    AlreadyRunning(String),
    #[error("drill \"{0}\" is not running")]
    NotRunning(String),
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

    /// Checks a command against the drills running at `now`.
    pub fn handle(
        &self,
        command: DrillCommand,
        now: OffsetDateTime,
    ) -> Result<Vec<DrillEvent>, DrillRefusal> {
        match command {
            DrillCommand::Start { id, name, by } => {
                if self.is_running(&id) {
                    return Err(DrillRefusal::AlreadyRunning(id));
                }
                let drill = DrillView {
                    id,
                    name,
                    started_at: now,
                };
                Ok(vec![DrillEvent::DrillStarted { drill, by }])
            }
            DrillCommand::End { id, by } => {
                if !self.is_running(&id) {
                    return Err(DrillRefusal::NotRunning(id));
                }
                Ok(vec![DrillEvent::DrillEnded { id, by }])
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
            DrillEvent::DrillEnded { id, .. } => self.running.retain(|d| d.id != *id),
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

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
            id: id.into(),
            name: name(),
            by: "so-zhao".into(),
        }
    }

    fn end(id: &str) -> DrillCommand {
        DrillCommand::End {
            id: id.into(),
            by: "so-zhao".into(),
        }
    }

    fn started(id: &str) -> DrillEvent {
        DrillEvent::DrillStarted {
            drill: DrillView {
                id: id.into(),
                name: name(),
                started_at: T0,
            },
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
    fn a_running_drill_ends_and_then_is_not_running() {
        let events = given(&[started("q1"), started("q2")]).handle(end("q1"), T0);
        let ended = DrillEvent::DrillEnded {
            id: "q1".into(),
            by: "so-zhao".into(),
        };
        assert_eq!(events, Ok(vec![ended.clone()]));
        let drills = given(&[started("q1"), started("q2"), ended]);
        let ids: Vec<&str> = drills.running().iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["q2"]);
    }

    #[test]
    fn a_drill_that_is_not_running_cannot_end() {
        let events = given(&[]).handle(end("q1"), T0);
        assert_eq!(events, Err(DrillRefusal::NotRunning("q1".into())));
        assert_eq!(
            DrillRefusal::NotRunning("q1".into()).to_string(),
            "drill \"q1\" is not running"
        );
    }
}
