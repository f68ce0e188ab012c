//! Markdown for the same pages: headings, label / value lists and pipe tables, with the
//! characters that would break a table escaped.

/// Text safe inside a table cell: pipes escaped, line breaks as spaces.
pub fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// A pipe table; without rows, the line `empty` instead.
pub fn table(headers: &[&str], rows: &[Vec<String>], empty: &str) -> String {
    if rows.is_empty() {
        return format!("{empty}\n\n");
    }
    let mut out = String::new();
    out.push_str(&format!(
        "| {} |\n",
        headers
            .iter()
            .map(|h| cell(h))
            .collect::<Vec<_>>()
            .join(" | ")
    ));
    out.push_str(&format!("|{}\n", "---|".repeat(headers.len())));
    for row in rows {
        out.push_str(&format!(
            "| {} |\n",
            row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
        ));
    }
    out.push('\n');
    out
}

/// `- **label:** value` lines.
pub fn facts<'a>(pairs: impl IntoIterator<Item = (&'a str, String)>) -> String {
    let mut out = String::new();
    for (label, value) in pairs {
        out.push_str(&format!("- **{label}:** {}\n", value.replace('\n', " ")));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pipe_in_a_note_does_not_split_the_cell() {
        let md = table(&["note"], &[vec!["a | b\nc".into()]], "");
        assert_eq!(md, "| note |\n|---|\n| a \\| b c |\n\n");
    }

    #[test]
    fn an_empty_table_is_one_line() {
        assert_eq!(table(&["a", "b"], &[], "No notes."), "No notes.\n\n");
    }
}
