//! The SVG timeline of an incident or a drill: what happened, lane by lane (devices,
//! operators, notifications, milestones), against the targets it was measured by. Each mark
//! carries its words as a tooltip (`<title>`) and milestones are labelled on the drawing, so
//! the page reads on paper too.

use time::{Duration, OffsetDateTime, UtcOffset};

use super::html::escape;

/// Which lane a mark is drawn in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MarkKind {
    /// A device event.
    Device,
    /// Something an operator did.
    Operator,
    /// A notification sent, answered or failed.
    Notification,
    /// A milestone the report measures (acknowledged, on site, resolved, ...).
    Milestone,
}

impl MarkKind {
    /// Every lane, top to bottom.
    pub const ALL: [MarkKind; 4] = [
        MarkKind::Device,
        MarkKind::Operator,
        MarkKind::Notification,
        MarkKind::Milestone,
    ];

    fn class(self) -> &'static str {
        match self {
            MarkKind::Device => "device",
            MarkKind::Operator => "operator",
            MarkKind::Notification => "notification",
            MarkKind::Milestone => "milestone",
        }
    }

    fn colour(self) -> &'static str {
        match self {
            MarkKind::Device => "#c62828",
            MarkKind::Operator => "#1565c0",
            MarkKind::Notification => "#ef6c00",
            MarkKind::Milestone => "#2e7d32",
        }
    }

    fn lane(self) -> usize {
        match self {
            MarkKind::Device => 0,
            MarkKind::Operator => 1,
            MarkKind::Notification => 2,
            MarkKind::Milestone => 3,
        }
    }
}

/// One thing that happened, placed in time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub at: OffsetDateTime,
    pub kind: MarkKind,
    pub label: String,
}

/// A target time: drawn as a line at `due`, green when what it measures happened by then
/// (`met_at`), red when it happened later or not at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub label: String,
    pub due: OffsetDateTime,
    pub met_at: Option<OffsetDateTime>,
}

impl Target {
    /// Whether what the target measures happened by its due time.
    pub fn met(&self) -> bool {
        self.met_at.is_some_and(|at| at <= self.due)
    }
}

/// A timeline to draw: its marks and targets between `start` and the last of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    pub start: OffsetDateTime,
    pub marks: Vec<Mark>,
    pub targets: Vec<Target>,
    /// The lanes' names, top to bottom, in the page's language.
    pub lanes: [String; 4],
    /// The offset clock times are shown in.
    pub offset: UtcOffset,
}

const WIDTH: f64 = 960.0;
const LEFT: f64 = 130.0;
const RIGHT: f64 = 30.0;
const TOP: f64 = 64.0;
const LANE: f64 = 44.0;
const AXIS: f64 = 40.0;

impl Timeline {
    /// When the drawing ends: the last mark, target or met time, at least a minute in.
    fn end(&self) -> OffsetDateTime {
        let last = self
            .marks
            .iter()
            .map(|m| m.at)
            .chain(self.targets.iter().map(|t| t.due))
            .chain(self.targets.iter().filter_map(|t| t.met_at))
            .max()
            .unwrap_or(self.start);
        last.max(self.start + Duration::minutes(1))
    }

    fn x(&self, at: OffsetDateTime, end: OffsetDateTime) -> f64 {
        let span = (end - self.start).as_seconds_f64().max(1.0);
        let t = (at - self.start).as_seconds_f64().clamp(0.0, span);
        LEFT + t / span * (WIDTH - LEFT - RIGHT)
    }

    /// The drawing, as an `<svg>` element with a text alternative.
    pub fn svg(&self) -> String {
        let end = self.end();
        let height = TOP + LANE * 4.0 + AXIS;
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" viewBox=\"0 0 {WIDTH} {height}\" \
             role=\"img\" aria-label=\"{}\" font-family=\"sans-serif\" font-size=\"12\">\n",
            escape(&format!(
                "{} marks, {} targets",
                self.marks.len(),
                self.targets.len()
            ))
        );
        for (i, name) in self.lanes.iter().enumerate() {
            let y = TOP + LANE * i as f64;
            let shade = if i % 2 == 0 { "#fafafa" } else { "#f0f0f0" };
            out.push_str(&format!(
                "<rect x=\"0\" y=\"{y}\" width=\"{WIDTH}\" height=\"{LANE}\" fill=\"{shade}\"/>\
                 <text x=\"8\" y=\"{:.1}\" font-weight=\"bold\">{}</text>\n",
                y + LANE / 2.0 + 4.0,
                escape(name)
            ));
        }
        self.axis(&mut out, end, height);
        for target in &self.targets {
            self.target(&mut out, target, end);
        }
        let mut milestones = 0;
        for mark in self.marks.iter().filter(|m| m.kind != MarkKind::Milestone) {
            self.mark(&mut out, mark, 0, end);
        }
        // Milestones reached at the same moment share one dot and one label.
        for group in self.milestone_groups(end) {
            self.mark(&mut out, &group, milestones, end);
            milestones += 1;
        }
        out.push_str("</svg>");
        out
    }

    fn axis(&self, out: &mut String, end: OffsetDateTime, height: f64) {
        let y = TOP + LANE * 4.0;
        out.push_str(&format!(
            "<line x1=\"{LEFT}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#555\"/>\n",
            WIDTH - RIGHT
        ));
        let span = (end - self.start).whole_seconds().max(60);
        let step = [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600]
            .into_iter()
            .find(|s| span / s <= 8)
            .unwrap_or(43_200);
        let mut t = 0;
        while t <= span {
            let at = self.start + Duration::seconds(t);
            let x = self.x(at, end);
            let clock = at.to_offset(self.offset);
            out.push_str(&format!(
                "<line x1=\"{x:.1}\" y1=\"{TOP}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#ddd\"/>\
                 <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">+{}</text>\
                 <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#777\">{:02}:{:02}</text>\n",
                y + 4.0,
                y + 16.0,
                elapsed(t),
                height - 6.0,
                clock.hour(),
                clock.minute()
            ));
            t += step;
        }
    }

    fn target(&self, out: &mut String, target: &Target, end: OffsetDateTime) {
        let x = self.x(target.due, end);
        let (class, colour) = if target.met() {
            ("met", "#2e7d32")
        } else {
            ("missed", "#c62828")
        };
        out.push_str(&format!(
            "<g class=\"target {class}\"><title>{}</title>\
             <line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{colour}\" \
             stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"{}\" fill=\"{colour}\">{}</text></g>\n",
            escape(&target.label),
            TOP - 12.0,
            TOP + LANE * 4.0,
            TOP - 16.0
                - 14.0 * (self.targets.iter().position(|t| t == target).unwrap_or(0) % 2) as f64,
            anchor(x),
            escape(&target.label)
        ));
    }

    /// The milestones, those that would be drawn within a few pixels of each other joined into
    /// one mark whose label names them all.
    fn milestone_groups(&self, end: OffsetDateTime) -> Vec<Mark> {
        let mut groups: Vec<Mark> = Vec::new();
        let mut sorted: Vec<&Mark> = self
            .marks
            .iter()
            .filter(|m| m.kind == MarkKind::Milestone)
            .collect();
        sorted.sort_by_key(|m| m.at);
        for mark in sorted {
            match groups.last_mut() {
                Some(last) if (self.x(mark.at, end) - self.x(last.at, end)).abs() < 4.0 => {
                    last.label = format!("{} · {}", last.label, mark.label);
                }
                _ => groups.push(mark.clone()),
            }
        }
        groups
    }

    /// Draws a mark; `n` milestones were drawn before it.
    fn mark(&self, out: &mut String, mark: &Mark, n: usize, end: OffsetDateTime) {
        let x = self.x(mark.at, end);
        let lane_top = TOP + LANE * mark.kind.lane() as f64;
        let y = lane_top + LANE / 2.0;
        let label = if mark.kind == MarkKind::Milestone {
            // Milestones are named on the drawing, alternately above and below the dot.
            let dy = if n % 2 == 0 { -9.0 } else { 17.0 };
            format!(
                "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"{}\" font-size=\"11\">{}</text>",
                y + dy,
                anchor(x),
                escape(&mark.label)
            )
        } else {
            String::new()
        };
        out.push_str(&format!(
            "<g class=\"mark {}\"><title>{}</title><circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\" \
             fill=\"{}\"/>{label}</g>\n",
            mark.kind.class(),
            escape(&mark.label),
            mark.kind.colour()
        ));
    }
}

/// How a label at `x` is anchored so that it stays on the drawing near either edge.
fn anchor(x: f64) -> &'static str {
    if x > WIDTH - 120.0 {
        "end"
    } else if x < LEFT + 60.0 {
        "start"
    } else {
        "middle"
    }
}

/// `m:ss` or `h:mm:ss` since the start.
fn elapsed(seconds: i64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const T0: OffsetDateTime = datetime!(2026-11-22 23:40 +08:00);

    fn timeline(marks: Vec<Mark>, targets: Vec<Target>) -> Timeline {
        Timeline {
            start: T0,
            marks,
            targets,
            lanes: ["Devices", "Operators", "Notifications", "Milestones"].map(String::from),
            offset: UtcOffset::from_hms(8, 0, 0).unwrap_or(UtcOffset::UTC),
        }
    }

    fn mark(seconds: i64, kind: MarkKind, label: &str) -> Mark {
        Mark {
            at: T0 + Duration::seconds(seconds),
            kind,
            label: label.into(),
        }
    }

    #[test]
    fn every_mark_is_drawn_in_its_lane_with_its_words() {
        let svg = timeline(
            vec![
                mark(0, MarkKind::Device, "fire.alarm smoke-7F"),
                mark(40, MarkKind::Operator, "acknowledged by op-li"),
                mark(60, MarkKind::Milestone, "acknowledged <40 s>"),
            ],
            vec![],
        )
        .svg();
        assert_eq!(svg.matches("<g class=\"mark ").count(), 3);
        assert_eq!(svg.matches("class=\"mark device\"").count(), 1);
        assert!(svg.contains("<title>fire.alarm smoke-7F</title>"));
        assert!(svg.contains("acknowledged &lt;40 s&gt;"), "escaped: {svg}");
    }

    #[test]
    fn milestones_reached_together_share_one_label() {
        let svg = timeline(
            vec![
                mark(0, MarkKind::Milestone, "first event"),
                mark(1, MarkKind::Milestone, "acknowledged"),
                mark(300, MarkKind::Milestone, "resolved"),
            ],
            vec![],
        )
        .svg();
        assert_eq!(svg.matches("class=\"mark milestone\"").count(), 2);
        assert!(svg.contains(">first event · acknowledged<"), "{svg}");
    }

    #[test]
    fn later_marks_are_further_right() {
        let t = timeline(vec![], vec![]);
        let end = T0 + Duration::minutes(10);
        let xs: Vec<f64> = [0, 60, 300, 600]
            .iter()
            .map(|s| t.x(T0 + Duration::seconds(*s), end))
            .collect();
        assert!(xs.windows(2).all(|w| w[0] < w[1]), "{xs:?}");
        assert!((xs[0] - LEFT).abs() < 0.01);
        assert!((xs[3] - (WIDTH - RIGHT)).abs() < 0.01);
    }

    #[test]
    fn a_target_is_green_when_met_in_time_and_red_when_late_or_never() {
        let due = T0 + Duration::minutes(30);
        let target = |met: Option<i64>| Target {
            label: "on site 30 min".into(),
            due,
            met_at: met.map(|m| T0 + Duration::minutes(m)),
        };
        let svg = timeline(
            vec![],
            vec![target(Some(25)), target(Some(40)), target(None)],
        )
        .svg();
        assert_eq!(svg.matches("class=\"target met\"").count(), 1);
        assert_eq!(svg.matches("class=\"target missed\"").count(), 2);
        assert!(target(Some(30)).met(), "on the minute is in time");
    }

    #[test]
    fn the_axis_reads_elapsed_time_and_clock_time() {
        let svg = timeline(vec![mark(25 * 60, MarkKind::Milestone, "released")], vec![]).svg();
        assert!(svg.contains(">+0:00<") && svg.contains(">+5:00<"), "{svg}");
        assert!(svg.contains(">23:40<") && svg.contains(">23:45<"));
        assert_eq!(elapsed(3725), "1:02:05");
    }
}
