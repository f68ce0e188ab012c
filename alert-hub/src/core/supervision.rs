//! Heartbeat supervision: which sources have been silent for three heartbeat intervals.

use std::collections::HashMap;

use time::{Duration, OffsetDateTime};

use crate::config::Source;

/// A source is lost after this many heartbeat intervals of silence.
pub const SILENT_INTERVALS: i32 = 3;

/// When each source last spoke, and which are known to be lost.
#[derive(Debug, Default)]
pub struct Supervision {
    sources: HashMap<String, Watched>,
}

#[derive(Debug)]
struct Watched {
    site: String,
    interval: Duration,
    last_heard: OffsetDateTime,
    lost: bool,
}

/// A source whose state changed on this check or this event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRef {
    pub source: String,
    pub site: String,
}

impl Supervision {
    /// Watches `sources`, counting every one as heard at `start` so a restart gives each its
    /// full grace period.
    pub fn new<'a>(sources: impl IntoIterator<Item = &'a Source>, start: OffsetDateTime) -> Self {
        let sources = sources
            .into_iter()
            .map(|s| {
                let interval =
                    Duration::seconds(i64::try_from(s.heartbeat_secs).unwrap_or(i64::MAX / 4));
                (
                    s.id.clone(),
                    Watched {
                        site: s.site.clone(),
                        interval,
                        last_heard: start,
                        lost: false,
                    },
                )
            })
            .collect();
        Supervision { sources }
    }

    /// Records that `source` spoke; returns it if it had been lost and is back.
    pub fn heard(&mut self, source: &str, now: OffsetDateTime) -> Option<SourceRef> {
        let w = self.sources.get_mut(source)?;
        w.last_heard = w.last_heard.max(now);
        if std::mem::take(&mut w.lost) {
            return Some(SourceRef {
                source: source.to_string(),
                site: w.site.clone(),
            });
        }
        None
    }

    /// The sources that have just become lost: silent for three intervals as of `now`.
    pub fn check(&mut self, now: OffsetDateTime) -> Vec<SourceRef> {
        let mut lost: Vec<SourceRef> = self
            .sources
            .iter_mut()
            .filter(|(_, w)| !w.lost && now - w.last_heard > w.interval * SILENT_INTERVALS)
            .map(|(id, w)| {
                w.lost = true;
                SourceRef {
                    source: id.clone(),
                    site: w.site.clone(),
                }
            })
            .collect();
        lost.sort_by(|a, b| a.source.cmp(&b.source));
        lost
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::config::SourceKind;

    fn source(id: &str, secs: u64) -> Source {
        Source {
            id: id.into(),
            site: "gg".into(),
            kind: SourceKind::FirePanel,
            heartbeat_secs: secs,
            max_events_per_sec: 100,
            burst: 100,
        }
    }

    const T0: OffsetDateTime = datetime!(2026-11-22 00:00 UTC);

    #[test]
    fn a_source_silent_for_three_intervals_is_lost_once_and_found_when_it_speaks() {
        let sources = [source("fp", 60), source("lift", 300)];
        let mut s = Supervision::new(&sources, T0);
        assert!(
            s.check(T0 + Duration::seconds(180)).is_empty(),
            "exactly three is not yet lost"
        );
        let lost = s.check(T0 + Duration::seconds(181));
        assert_eq!(
            lost,
            vec![SourceRef {
                source: "fp".into(),
                site: "gg".into()
            }]
        );
        assert!(
            s.check(T0 + Duration::seconds(500)).is_empty(),
            "reported once"
        );
        let back = s.heard("fp", T0 + Duration::seconds(501));
        assert_eq!(back.map(|r| r.source), Some("fp".into()));
        assert_eq!(s.heard("fp", T0 + Duration::seconds(502)), None);
        let names: Vec<_> = s
            .check(T0 + Duration::seconds(901))
            .into_iter()
            .map(|r| r.source)
            .collect();
        assert_eq!(
            names,
            ["fp", "lift"],
            "fp silent again since 501 s, the lift since start"
        );
    }

    #[test]
    fn an_unknown_source_is_ignored() {
        let mut s = Supervision::new(&[source("fp", 60)], T0);
        assert_eq!(s.heard("ghost", T0), None);
    }
}
