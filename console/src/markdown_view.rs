//! A report in Markdown laid out for the terminal: headings marked, pipe tables aligned in
//! columns with their separator row drawn as a rule, everything else as written. Pure, so the
//! reports screen draws what this returns and tests need no terminal.

use crate::text;

/// What a laid-out line is, for its style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Heading,
    TableHead,
    Rule,
    Text,
}

/// One line of the laid-out report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewLine {
    pub kind: LineKind,
    pub text: String,
}

/// Lays `markdown` out: each run of table rows aligned on its own column widths.
pub fn lay_out(markdown: &str) -> Vec<ViewLine> {
    let mut out = Vec::new();
    let mut table: Vec<&str> = Vec::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with('|') {
            table.push(line);
            continue;
        }
        if !table.is_empty() {
            out.extend(aligned(&table));
            table.clear();
        }
        out.push(plain(line));
    }
    if !table.is_empty() {
        out.extend(aligned(&table));
    }
    out
}

fn plain(line: &str) -> ViewLine {
    let heading = line.trim_start_matches('#');
    if heading.len() < line.len() && heading.starts_with(' ') {
        return ViewLine {
            kind: LineKind::Heading,
            text: heading.trim().to_string(),
        };
    }
    ViewLine {
        kind: LineKind::Text,
        text: line.replace("**", ""),
    }
}

/// The cells of a table row, `\|` kept as a bar inside its cell.
fn cells(row: &str) -> Vec<String> {
    let inner = row.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut cells = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                chars.next();
                if let Some(cell) = cells.last_mut() {
                    cell.push('|');
                }
            }
            '|' => cells.push(String::new()),
            c => {
                if let Some(cell) = cells.last_mut() {
                    cell.push(c);
                }
            }
        }
    }
    cells.iter().map(|c| c.trim().replace("**", "")).collect()
}

fn is_separator(cells: &[String]) -> bool {
    !cells.is_empty()
        && cells
            .iter()
            .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':')))
}

fn aligned(rows: &[&str]) -> Vec<ViewLine> {
    let rows: Vec<Vec<String>> = rows.iter().map(|r| cells(r)).collect();
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; columns];
    for row in rows.iter().filter(|r| !is_separator(r)) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(text::width(cell));
        }
    }
    let has_head = rows.get(1).is_some_and(|r| is_separator(r));
    rows.iter()
        .enumerate()
        .map(|(n, row)| {
            if is_separator(row) {
                let total = widths.iter().sum::<usize>() + 2 * columns.saturating_sub(1);
                return ViewLine {
                    kind: LineKind::Rule,
                    text: "─".repeat(total),
                };
            }
            let padded: Vec<String> = widths
                .iter()
                .enumerate()
                .map(|(i, &w)| text::pad(row.get(i).map_or("", String::as_str), w))
                .collect();
            ViewLine {
                kind: if n == 0 && has_head {
                    LineKind::TableHead
                } else {
                    LineKind::Text
                },
                text: padded.join("  ").trim_end().to_string(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pipe_table_is_aligned_in_columns_with_its_head_and_rule() {
        let md = "## Milestones\n\n| Milestone | Result |\n|---|---|\n| acknowledged | pass |\n| help on site | FAIL |\nafter";
        let lines = lay_out(md);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Milestones",
                "",
                "Milestone     Result",
                "────────────────────",
                "acknowledged  pass",
                "help on site  FAIL",
                "after",
            ]
        );
        assert_eq!(lines[0].kind, LineKind::Heading);
        assert_eq!(lines[2].kind, LineKind::TableHead);
        assert_eq!(lines[3].kind, LineKind::Rule);
    }

    #[test]
    fn chinese_cells_are_aligned_by_their_width_on_screen_and_escaped_bars_kept() {
        let md = "| 里程碑 | 结果 |\n|---|---|\n| 确认 | a \\| b |";
        let lines = lay_out(md);
        assert_eq!(lines[0].text, "里程碑  结果");
        assert_eq!(lines[2].text, "确认    a | b");
    }

    #[test]
    fn bold_marks_are_dropped_from_the_text() {
        let lines = lay_out("- **Status:** not written yet");
        assert_eq!(lines[0].text, "- Status: not written yet");
        assert_eq!(lines[0].kind, LineKind::Text);
    }
}
