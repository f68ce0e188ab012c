//! The sentences of the shift summary shown at hand-over.

use time::{OffsetDateTime, UtcOffset};

use super::Lang;
use crate::shift::ShiftSummary;
use crate::text;

/// The section's title: whose shift and since when, e.g. `This shift, since 20:00 (3h07m)`.
pub fn shift_title(s: &ShiftSummary, now: OffsetDateTime, offset: UtcOffset, lang: Lang) -> String {
    let since = text::hour_minute(s.since, offset);
    let long = text::age(s.since, now);
    match lang {
        Lang::Zh => format!("本班（{since} 起，{long}）"),
        Lang::En => format!("This shift, since {since} ({long})"),
    }
}

/// What opened and where it stands: real incidents by priority, closed and open, drills apart.
pub fn shift_counts(s: &ShiftSummary, lang: Lang) -> String {
    let [p1, p2, p3, p4] = s.real;
    let total = s.real_total();
    match lang {
        Lang::Zh => format!(
            "真实事件 {total}（P1 {p1} · P2 {p2} · P3 {p3} · P4 {p4}）· 已关闭 {} · 未关闭 {} · 未确认 {} · 演练 {}",
            s.closed, s.open, s.unacknowledged, s.drill
        ),
        Lang::En => format!(
            "Real {total} (P1 {p1} · P2 {p2} · P3 {p3} · P4 {p4}) · closed {} · open {} · unacked {} · drill {}",
            s.closed, s.open, s.unacknowledged, s.drill
        ),
    }
}

/// How fast the real incidents were acknowledged, or that none were.
pub fn shift_acks(s: &ShiftSummary, lang: Lang) -> String {
    let secs = |d: time::Duration| d.whole_seconds();
    match (s.ack_median, &s.ack_slowest, lang) {
        (Some(median), Some((id, slowest)), Lang::Zh) => format!(
            "确认用时：中位 {} 秒，最慢 {} 秒（{id}）",
            secs(median),
            secs(*slowest)
        ),
        (Some(median), Some((id, slowest)), Lang::En) => format!(
            "Acknowledged in: median {} s, slowest {} s ({id})",
            secs(median),
            secs(*slowest)
        ),
        (_, _, Lang::Zh) => "本班没有已确认的真实事件".to_string(),
        (_, _, Lang::En) => "No real incident acknowledged this shift".to_string(),
    }
}

/// The last line of a list cut short by the screen's height: how many are not shown, and where.
pub fn more_on_board(hidden: usize, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("…另有 {hidden} 起未显示，见 F1 事件板"),
        Lang::En => format!("…{hidden} more not shown, see the board (F1)"),
    }
}
