//! The control room's shifts, by the local times they begin (`[drills] shifts`, by default
//! three eight-hour shifts from 00:00, as GB 25506 allows at most eight hours): which shift a
//! moment falls in, named by its hours (`08:00–16:00`). Pure.

use time::{OffsetDateTime, Time, UtcOffset};

/// The shifts of a day, by their start times in the control room's clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shifts {
    /// Sorted, distinct, at least one.
    starts: Vec<Time>,
}

impl Default for Shifts {
    fn default() -> Self {
        let at = |h| Time::from_hms(h, 0, 0).unwrap_or(Time::MIDNIGHT);
        Shifts {
            starts: vec![at(0), at(8), at(16)],
        }
    }
}

impl Shifts {
    /// Reads start times written `HH:MM`, or says which one is wrong and how to write it.
    pub fn parse(starts: &[String]) -> Result<Shifts, String> {
        let format = time::macros::format_description!("[hour]:[minute]");
        let mut times = Vec::new();
        for text in starts {
            let t = Time::parse(text, format)
                .map_err(|_| format!("\"{text}\" is not a time of day: write it like \"08:00\""))?;
            times.push(t);
        }
        times.sort();
        times.dedup();
        if times.is_empty() {
            return Err("give at least one shift start, e.g. [\"08:00\", \"20:00\"]".into());
        }
        Ok(Shifts { starts: times })
    }

    /// Every shift's name, in the order of the day.
    pub fn names(&self) -> Vec<String> {
        (0..self.starts.len()).map(|i| self.name(i)).collect()
    }

    /// The name of the shift `at` falls in, in the clock of `offset`.
    pub fn name_of(&self, at: OffsetDateTime, offset: UtcOffset) -> String {
        let time = at.to_offset(offset).time();
        // Before the first start of the day is the last shift, begun the evening before.
        let i = self
            .starts
            .iter()
            .rposition(|s| *s <= time)
            .unwrap_or(self.starts.len() - 1);
        self.name(i)
    }

    fn name(&self, i: usize) -> String {
        let hm = |t: Time| format!("{:02}:{:02}", t.hour(), t.minute());
        let end = self.starts[(i + 1) % self.starts.len()];
        format!("{}–{}", hm(self.starts[i]), hm(end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};

    #[test]
    fn three_eight_hour_shifts_by_default_named_by_their_hours() {
        let shifts = Shifts::default();
        assert_eq!(
            shifts.names(),
            ["00:00–08:00", "08:00–16:00", "16:00–00:00"]
        );
        let at = datetime!(2026-11-22 15:40 UTC); // 23:40 in Beijing
        assert_eq!(shifts.name_of(at, offset!(+8)), "16:00–00:00");
        assert_eq!(shifts.name_of(at, UtcOffset::UTC), "08:00–16:00");
    }

    #[test]
    fn the_hours_before_the_first_start_belong_to_the_night_shift() {
        let shifts = Shifts::parse(&["20:00".into(), "08:00".into()]).expect("two shifts");
        assert_eq!(shifts.names(), ["08:00–20:00", "20:00–08:00"]);
        let night = datetime!(2026-11-22 03:00 +08:00);
        assert_eq!(shifts.name_of(night, offset!(+8)), "20:00–08:00");
    }

    #[test]
    fn a_start_that_is_not_a_time_is_refused_with_how_to_write_it() {
        assert_eq!(
            Shifts::parse(&["8h".into()]),
            Err("\"8h\" is not a time of day: write it like \"08:00\"".into())
        );
        assert!(Shifts::parse(&[]).is_err());
    }
}
