//! The short duration notation of the files (`90s`, `3m`, `2h`, `1h30m`): parsing and printing.

use time::Duration;

/// Parses a positive duration written as one or more `<whole number><unit>` parts, units `h`, `m`
/// and `s` in that order, e.g. `90s`, `3m`, `2h`, `1h30m`. The error says what is wrong.
pub fn parse(text: &str) -> Result<Duration, String> {
    let mut total: i64 = 0;
    let mut digits = String::new();
    let mut last_unit: Option<usize> = None;
    const UNITS: [(char, i64); 3] = [('h', 3600), ('m', 60), ('s', 1)];
    let bad =
        || format!("{text:?} is not a duration; write e.g. \"90s\", \"3m\", \"2h\" or \"1h30m\"");
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let Some(unit) = UNITS.iter().position(|(u, _)| *u == c) else {
            return Err(bad());
        };
        if digits.is_empty() || last_unit.is_some_and(|last| unit <= last) {
            return Err(bad());
        }
        let value: i64 = digits.parse().map_err(|_| bad())?;
        total = value
            .checked_mul(UNITS[unit].1)
            .and_then(|seconds| total.checked_add(seconds))
            .ok_or_else(bad)?;
        digits.clear();
        last_unit = Some(unit);
    }
    if !digits.is_empty() || last_unit.is_none() {
        return Err(bad());
    }
    if total == 0 {
        return Err(format!(
            "{text:?} is zero; a duration must be longer than that"
        ));
    }
    Ok(Duration::seconds(total))
}

/// Prints a duration in the notation [`parse`] reads, e.g. `1h30m`; sub-second parts are dropped.
pub fn format(duration: Duration) -> String {
    let mut seconds = duration.whole_seconds().max(0);
    if seconds == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    for (unit, size) in [('h', 3600), ('m', 60), ('s', 1)] {
        if seconds >= size {
            out.push_str(&(seconds / size).to_string());
            out.push(unit);
            seconds %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_forms_the_files_use() {
        assert_eq!(parse("90s"), Ok(Duration::seconds(90)));
        assert_eq!(parse("3m"), Ok(Duration::minutes(3)));
        assert_eq!(parse("2h"), Ok(Duration::hours(2)));
        assert_eq!(parse("1h30m"), Ok(Duration::minutes(90)));
        assert_eq!(parse("1h0m5s"), Ok(Duration::seconds(3605)));
    }

    #[test]
    fn refuses_what_is_not_a_positive_duration() {
        for bad in [
            "",
            "3",
            "m",
            "3 m",
            "3min",
            "-3m",
            "3m1h",
            "3m3m",
            "0s",
            "1.5h",
            "99999999999999999h",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn prints_what_it_reads() {
        for text in ["90s", "3m", "2h", "1h30m", "1h1m1s"] {
            let printed = format(parse(text).unwrap());
            assert_eq!(parse(&printed), parse(text));
        }
        assert_eq!(format(Duration::seconds(90)), "1m30s");
    }
}
