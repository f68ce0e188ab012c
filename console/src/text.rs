//! Display-width aware text helpers and the console's time formats (clock, age, countdown).

use time::{Duration, OffsetDateTime, UtcOffset};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The number of terminal cells `text` takes (CJK characters take two).
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` cut to at most `max` cells, ending in `…` when something was cut. A wide character
/// that would straddle the limit is dropped rather than split.
pub fn truncate(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let w = ch.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(ch);
        used += w;
    }
    out.push('…');
    out
}

/// `text` padded with spaces on the right to exactly `cells` cells (truncated when longer).
pub fn pad(text: &str, cells: usize) -> String {
    let cut = truncate(text, cells);
    let fill = cells.saturating_sub(width(&cut));
    format!("{cut}{}", " ".repeat(fill))
}

/// `text` broken into lines of at most `max` cells, at spaces where possible and anywhere in
/// runs of CJK text. Always returns at least one line.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(2);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in split_keeping_spaces(text) {
        let w = width(word);
        if used + w <= max {
            line.push_str(word);
            used += w;
            continue;
        }
        if word == " " {
            lines.push(std::mem::take(&mut line));
            used = 0;
            continue;
        }
        if used > 0 && w <= max {
            lines.push(std::mem::take(&mut line));
            line.push_str(word);
            used = w;
            continue;
        }
        for ch in word.chars() {
            let cw = ch.width().unwrap_or(0);
            if used + cw > max {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(ch);
            used += cw;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

fn split_keeping_spaces(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = if rest.starts_with(' ') {
            1
        } else {
            rest.find(' ').unwrap_or(rest.len())
        };
        let (word, tail) = rest.split_at(end);
        rest = tail;
        Some(word)
    })
}

/// `hh:mm:ss` of `at` in the console's display offset.
pub fn clock(at: OffsetDateTime, offset: UtcOffset) -> String {
    let t = at.to_offset(offset);
    format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
}

/// `hh:mm` of `at` in the console's display offset: a deadline as a caller is told it.
pub fn hour_minute(at: OffsetDateTime, offset: UtcOffset) -> String {
    let t = at.to_offset(offset);
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// `YYYY-MM-DD` of `at` in the console's display offset.
pub fn date(at: OffsetDateTime, offset: UtcOffset) -> String {
    let t = at.to_offset(offset);
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

/// `YYYY-MM-DD hh:mm` of `at` in the console's display offset.
pub fn date_time(at: OffsetDateTime, offset: UtcOffset) -> String {
    let t = at.to_offset(offset);
    format!("{} {:02}:{:02}", date(at, offset), t.hour(), t.minute())
}

/// How long ago, compact: `45s`, `12m03s`, `3h07m`, `2d04h`.
pub fn age(since: OffsetDateTime, now: OffsetDateTime) -> String {
    let secs = (now - since).whole_seconds().max(0);
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m{:02}s", s / 60, s % 60),
        s if s < 86_400 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        s => format!("{}d{:02}h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// A countdown as `mm:ss` (or `h:mm:ss` past an hour), with a leading `-` once it has passed.
pub fn countdown(left: Duration) -> String {
    let secs = left.whole_seconds();
    let sign = if secs < 0 { "-" } else { "" };
    let s = secs.unsigned_abs();
    if s >= 3600 {
        format!("{sign}{}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
    } else {
        format!("{sign}{:02}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};

    #[test]
    fn truncation_counts_cells_not_chars() {
        assert_eq!(truncate("七楼东侧走廊", 7), "七楼东…");
        assert_eq!(width(&truncate("七楼东侧走廊", 6)), 5);
        assert_eq!(truncate("corridor", 8), "corridor");
        assert_eq!(truncate("corridor", 5), "corr…");
        assert_eq!(truncate("abc", 0), "");
    }

    #[test]
    fn padding_fills_to_the_exact_width() {
        assert_eq!(width(&pad("火警", 6)), 6);
        assert_eq!(width(&pad("火警火警火警", 5)), 5);
    }

    #[test]
    fn wrapping_respects_words_and_wide_characters() {
        assert_eq!(
            wrap("call the fire brigade", 10),
            ["call the ", "fire ", "brigade"]
        );
        let zh = wrap("确认火警并拨打一一九", 8);
        assert!(zh.iter().all(|l| width(l) <= 8), "{zh:?}");
        assert_eq!(zh.concat(), "确认火警并拨打一一九");
        assert_eq!(wrap("", 5), [""]);
    }

    #[test]
    fn times_show_in_the_display_offset() {
        let at = datetime!(2026-11-22 15:40:05 UTC);
        assert_eq!(clock(at, offset!(+8)), "23:40:05");
        assert_eq!(date(at, offset!(+8)), "2026-11-22");
        assert_eq!(date_time(at, offset!(+8)), "2026-11-22 23:40");
    }

    #[test]
    fn ages_and_countdowns_are_compact() {
        let t = datetime!(2026-11-22 15:00:00 UTC);
        assert_eq!(age(t, t + Duration::seconds(45)), "45s");
        assert_eq!(age(t, t + Duration::seconds(723)), "12m03s");
        assert_eq!(age(t, t + Duration::minutes(187)), "3h07m");
        assert_eq!(age(t, t + Duration::hours(52)), "2d04h");
        assert_eq!(age(t + Duration::seconds(5), t), "0s");
        assert_eq!(countdown(Duration::seconds(133)), "02:13");
        assert_eq!(countdown(Duration::seconds(-80)), "-01:20");
        assert_eq!(countdown(Duration::seconds(3725)), "1:02:05");
    }
}
