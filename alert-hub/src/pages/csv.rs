//! CSV for the report tables (RFC 4180): a field with a comma, a quote or a line break is
//! quoted, with its quotes doubled; lines end with CRLF.

/// One field, quoted when it must be.
pub fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// A table: its header line, then a line per row.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let line = |out: &mut String, cells: &mut dyn Iterator<Item = String>| {
        let cells: Vec<String> = cells.collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    };
    line(&mut out, &mut headers.iter().map(|h| field(h)));
    for row in rows {
        line(&mut out, &mut row.iter().map(|c| field(c)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_commas_quotes_or_breaks_are_quoted() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        let csv = table(
            &["device", "count"],
            &[vec!["smoke, 7F".into(), "3".into()]],
        );
        assert_eq!(csv, "device,count\r\n\"smoke, 7F\",3\r\n");
    }
}
