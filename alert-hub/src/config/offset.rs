//! The site's offset from UTC, in which pages, reports and CAP messages write their times.

use time::UtcOffset;

/// The default offset: China Standard Time, where the control rooms are.
pub const DEFAULT_UTC_OFFSET: UtcOffset = time::macros::offset!(+8);

/// Reads `+08:00`, `-05:30`, `+8` or `Z`; offsets beyond ±14 hours exist nowhere and are refused.
pub fn parse_offset(text: &str) -> Option<UtcOffset> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("z") || text.eq_ignore_ascii_case("utc") {
        return Some(UtcOffset::UTC);
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1i8, &text[1..]),
        b'-' => (-1i8, &text[1..]),
        _ => return None,
    };
    let (hours, minutes) = rest.split_once(':').unwrap_or((rest, "0"));
    let hours: i8 = hours.parse().ok()?;
    let minutes: i8 = minutes.parse().ok()?;
    if !(0..=14).contains(&hours) || !(0..60).contains(&minutes) {
        return None;
    }
    UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_read_in_the_usual_spellings() {
        assert_eq!(parse_offset("+08:00"), Some(DEFAULT_UTC_OFFSET));
        assert_eq!(parse_offset("+8"), Some(DEFAULT_UTC_OFFSET));
        assert_eq!(parse_offset("-05:30"), UtcOffset::from_hms(-5, -30, 0).ok());
        assert_eq!(parse_offset("Z"), Some(UtcOffset::UTC));
        assert_eq!(parse_offset("8"), None);
        assert_eq!(parse_offset("+25:00"), None);
    }
}
