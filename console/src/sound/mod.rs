//! What should sound, and when: the pure decision of the annunciator. Playing it is elsewhere
//! (`player`, in the order `schedule` gives), so this can be tested with a clock passed in.
//!
//! Rules: any unacknowledged P1 sounds the alarm pattern, cycle after cycle, until every P1 is
//! acknowledged. Muting lasts [`MUTE_LIMIT`] at most; a P1 that was not unacknowledged when the
//! operator muted ends the mute at once. A new P2–P4 incident chimes once, unless the alarm is
//! sounding or the sound is muted.

pub mod player;
pub mod schedule;
pub mod tones;

use std::collections::BTreeSet;

use alert_hub::protocol::Priority;
use time::{Duration, OffsetDateTime};

use crate::action::Cue;

/// The longest an operator can mute the alarm.
pub const MUTE_LIMIT: Duration = Duration::seconds(60);

/// The annunciator's memory: when the alarm cycle last started and what the mute covers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Annunciator {
    muted_until: Option<OffsetDateTime>,
    muted_for: BTreeSet<String>,
    cycle_started: Option<OffsetDateTime>,
}

impl Annunciator {
    /// Mutes for [`MUTE_LIMIT`]; the mute covers the P1s unacknowledged now, and no others.
    pub fn mute(&mut self, unacknowledged_p1: &BTreeSet<String>, now: OffsetDateTime) {
        self.muted_until = Some(now + MUTE_LIMIT);
        self.muted_for = unacknowledged_p1.clone();
    }

    /// Ends a mute; the alarm sounds again at the next poll if a P1 is still unacknowledged.
    pub fn unmute(&mut self) {
        self.muted_until = None;
        self.muted_for.clear();
        self.cycle_started = None;
    }

    /// An incident alarmed again after being acknowledged: it counts as a new alarm, so a
    /// mute taken earlier no longer covers it.
    pub fn reopened(&mut self, id: &str) {
        self.muted_for.remove(id);
    }

    /// When the mute ends, if the sound is muted at `now`.
    pub fn muted_until(&self, now: OffsetDateTime) -> Option<OffsetDateTime> {
        self.muted_until.filter(|until| now < *until)
    }

    /// True while an alarm cycle is sounding or due (some P1 is unacknowledged and not muted).
    pub fn is_alarming(&self) -> bool {
        self.cycle_started.is_some()
    }

    /// The alarm cue due at `now`, if any: one per cycle of the P1 pattern.
    pub fn poll(
        &mut self,
        unacknowledged_p1: &BTreeSet<String>,
        now: OffsetDateTime,
    ) -> Option<Cue> {
        if unacknowledged_p1.is_empty() {
            self.cycle_started = None;
            return None;
        }
        if let Some(until) = self.muted_until {
            if now < until && unacknowledged_p1.is_subset(&self.muted_for) {
                return None;
            }
            self.unmute();
        }
        let cycle = tones::cycle_length(Cue::Alarm(Priority::P1));
        let next = match self.cycle_started {
            None => now,
            Some(started) if now < started => now,
            Some(started) if now - started < cycle => return None,
            // Keep the rhythm when a tick comes a little late; restart it after a long gap.
            Some(started) if now - started < cycle * 2 => started + cycle,
            Some(_) => now,
        };
        self.cycle_started = Some(next);
        Some(Cue::Alarm(Priority::P1))
    }

    /// The chime for a new incident of `priority` at `now`, if one should sound.
    pub fn chime(&self, priority: Priority, now: OffsetDateTime) -> Option<Cue> {
        if priority == Priority::P1 || self.is_alarming() || self.muted_until(now).is_some() {
            return None;
        }
        Some(Cue::Chime(priority))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::T0;

    fn ids(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    fn s(n: i64) -> OffsetDateTime {
        T0 + Duration::milliseconds(n * 250)
    }

    #[test]
    fn an_unacknowledged_p1_sounds_at_once_and_every_cycle() {
        let mut a = Annunciator::default();
        let p1 = ids(&["a"]);
        assert_eq!(a.poll(&p1, s(0)), Some(Cue::Alarm(Priority::P1)));
        assert_eq!(a.poll(&p1, s(1)), None);
        assert_eq!(a.poll(&p1, s(15)), None, "3.75 s: the cycle is 4 s");
        assert_eq!(a.poll(&p1, s(16)), Some(Cue::Alarm(Priority::P1)));
        assert_eq!(
            a.poll(&p1, s(33)),
            Some(Cue::Alarm(Priority::P1)),
            "late tick"
        );
        assert_eq!(
            a.poll(&p1, s(48)),
            Some(Cue::Alarm(Priority::P1)),
            "rhythm kept"
        );
    }

    #[test]
    fn acknowledging_every_p1_stops_the_alarm() {
        let mut a = Annunciator::default();
        assert!(a.poll(&ids(&["a"]), s(0)).is_some());
        assert_eq!(a.poll(&ids(&[]), s(16)), None);
        assert!(!a.is_alarming());
    }

    #[test]
    fn a_mute_lasts_a_minute_at_most() {
        let mut a = Annunciator::default();
        let p1 = ids(&["a"]);
        a.poll(&p1, s(0));
        a.mute(&p1, s(1));
        assert_eq!(a.muted_until(s(1)), Some(s(1) + MUTE_LIMIT));
        assert_eq!(a.poll(&p1, s(100)), None, "25 s into the mute");
        assert_eq!(a.poll(&p1, s(240)), None, "59.75 s into the mute");
        assert_eq!(a.poll(&p1, s(241)), Some(Cue::Alarm(Priority::P1)));
        assert_eq!(a.muted_until(s(241)), None);
    }

    #[test]
    fn a_new_p1_ends_the_mute_at_once() {
        let mut a = Annunciator::default();
        a.poll(&ids(&["a"]), s(0));
        a.mute(&ids(&["a"]), s(1));
        assert_eq!(a.poll(&ids(&["a"]), s(2)), None);
        assert_eq!(
            a.poll(&ids(&["a", "b"]), s(3)),
            Some(Cue::Alarm(Priority::P1))
        );
        assert_eq!(a.muted_until(s(3)), None);
    }

    #[test]
    fn a_reopened_p1_ends_the_mute_that_covered_it_before() {
        let mut a = Annunciator::default();
        a.poll(&ids(&["a"]), s(0));
        a.mute(&ids(&["a"]), s(1));
        assert_eq!(a.poll(&ids(&[]), s(2)), None, "acknowledged");
        a.reopened("a");
        assert_eq!(a.poll(&ids(&["a"]), s(3)), Some(Cue::Alarm(Priority::P1)));
        assert_eq!(a.muted_until(s(3)), None);
    }

    #[test]
    fn unmuting_sounds_again_at_the_next_poll() {
        let mut a = Annunciator::default();
        let p1 = ids(&["a"]);
        a.poll(&p1, s(0));
        a.mute(&p1, s(1));
        a.unmute();
        assert_eq!(a.poll(&p1, s(2)), Some(Cue::Alarm(Priority::P1)));
    }

    #[test]
    fn chimes_sound_once_for_lesser_priorities_and_never_over_the_alarm() {
        let mut a = Annunciator::default();
        assert_eq!(a.chime(Priority::P3, s(0)), Some(Cue::Chime(Priority::P3)));
        assert_eq!(a.chime(Priority::P1, s(0)), None, "P1 is the alarm's job");
        a.poll(&ids(&["a"]), s(0));
        assert_eq!(a.chime(Priority::P2, s(1)), None);
        a.poll(&ids(&[]), s(2));
        a.mute(&ids(&[]), s(3));
        assert_eq!(a.chime(Priority::P2, s(4)), None);
    }
}
