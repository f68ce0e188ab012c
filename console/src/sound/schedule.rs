//! The order cues play in when they come faster than one player can play them: alarms before
//! the lost hub link before chimes, an alarm cutting a lesser cue short, and no cue waiting twice
//! (so a long alarm never builds up a backlog of cycles). Pure, so the player's worker only
//! carries it out.

use alert_hub::protocol::Priority;

use crate::action::Cue;

/// What the player does with a cue that has just come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// Nothing plays: start this cue.
    Start(Cue),
    /// It outranks the cue playing: stop that one (it is not played again) and start this.
    CutShort(Cue),
    /// Something as urgent or more is playing: it waits its turn.
    Wait,
}

/// The cue playing and the cues waiting, as the player's worker sees them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schedule {
    playing: Option<Cue>,
    waiting: Vec<Cue>,
}

/// How urgent a cue is; lower plays first. Alarms by priority, then the lost link, then chimes
/// by priority.
fn urgency(cue: Cue) -> (u8, Priority) {
    match cue {
        Cue::Alarm(p) => (0, p),
        Cue::LinkLost => (1, Priority::P1),
        Cue::Chime(p) => (2, p),
    }
}

impl Schedule {
    /// A cue comes in; says what to do with it.
    pub fn arrive(&mut self, cue: Cue) -> Arrival {
        match self.playing {
            None => {
                self.playing = Some(cue);
                Arrival::Start(cue)
            }
            Some(playing) if urgency(cue) < urgency(playing) => {
                self.playing = Some(cue);
                Arrival::CutShort(cue)
            }
            Some(_) => {
                if !self.waiting.contains(&cue) {
                    self.waiting.push(cue);
                }
                Arrival::Wait
            }
        }
    }

    /// The cue playing has finished; returns the next one to start, the most urgent waiting
    /// (the earliest among equals).
    pub fn finished(&mut self) -> Option<Cue> {
        let next = (0..self.waiting.len()).min_by_key(|&i| urgency(self.waiting[i]));
        self.playing = next.map(|i| self.waiting.remove(i));
        self.playing
    }

    /// Silence: nothing plays and nothing waits.
    pub fn clear(&mut self) {
        self.playing = None;
        self.waiting.clear();
    }

    /// Empties the schedule, returning the cue that was playing and those waiting, in that
    /// order: what was not heard when the player failed.
    pub fn take_all(&mut self) -> Vec<Cue> {
        let mut all: Vec<Cue> = self.playing.take().into_iter().collect();
        all.append(&mut self.waiting);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALARM: Cue = Cue::Alarm(Priority::P1);

    #[test]
    fn a_cue_starts_at_once_when_nothing_plays() {
        let mut s = Schedule::default();
        assert_eq!(
            s.arrive(Cue::Chime(Priority::P3)),
            Arrival::Start(Cue::Chime(Priority::P3))
        );
        assert_eq!(s.finished(), None);
        assert_eq!(s.arrive(Cue::LinkLost), Arrival::Start(Cue::LinkLost));
    }

    #[test]
    fn an_alarm_cuts_a_chime_or_the_link_tone_short() {
        let mut s = Schedule::default();
        s.arrive(Cue::Chime(Priority::P2));
        assert_eq!(s.arrive(ALARM), Arrival::CutShort(ALARM));
        assert_eq!(s.finished(), None, "the chime cut short does not come back");
        s.arrive(Cue::LinkLost);
        assert_eq!(s.arrive(ALARM), Arrival::CutShort(ALARM));
    }

    #[test]
    fn the_lost_link_cuts_a_chime_short_but_waits_for_an_alarm() {
        let mut s = Schedule::default();
        s.arrive(Cue::Chime(Priority::P4));
        assert_eq!(s.arrive(Cue::LinkLost), Arrival::CutShort(Cue::LinkLost));
        let mut s = Schedule::default();
        s.arrive(ALARM);
        assert_eq!(s.arrive(Cue::LinkLost), Arrival::Wait);
        assert_eq!(s.finished(), Some(Cue::LinkLost));
    }

    #[test]
    fn waiting_cues_play_most_urgent_first_and_each_only_once() {
        let mut s = Schedule::default();
        s.arrive(ALARM);
        for cue in [
            Cue::Chime(Priority::P4),
            ALARM,
            Cue::Chime(Priority::P2),
            ALARM,
            Cue::LinkLost,
            Cue::Chime(Priority::P4),
        ] {
            assert_eq!(s.arrive(cue), Arrival::Wait);
        }
        let order: Vec<Cue> = std::iter::from_fn(|| s.finished()).collect();
        assert_eq!(
            order,
            [
                ALARM,
                Cue::LinkLost,
                Cue::Chime(Priority::P2),
                Cue::Chime(Priority::P4)
            ]
        );
    }

    #[test]
    fn clearing_drops_the_playing_and_the_waiting() {
        let mut s = Schedule::default();
        s.arrive(ALARM);
        s.arrive(Cue::LinkLost);
        s.clear();
        assert_eq!(s.finished(), None);
        assert_eq!(
            s.arrive(Cue::Chime(Priority::P3)),
            Arrival::Start(Cue::Chime(Priority::P3))
        );
    }

    #[test]
    fn taking_all_returns_the_playing_then_the_waiting() {
        let mut s = Schedule::default();
        s.arrive(ALARM);
        s.arrive(Cue::Chime(Priority::P2));
        s.arrive(Cue::LinkLost);
        assert_eq!(
            s.take_all(),
            [ALARM, Cue::Chime(Priority::P2), Cue::LinkLost]
        );
        assert_eq!(s, Schedule::default());
    }
}
