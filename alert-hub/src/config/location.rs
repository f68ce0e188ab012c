//! Where in a TOML text a byte offset is: its line, and the field path (`sources[1].kind`).

/// The field path at a byte offset, e.g. `sources[1].kind`, read from the array-of-tables
/// headers and the key on that line; empty where there is no key.
pub(super) fn field_at(text: &str, offset: usize) -> String {
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = text
        .get(line_start..)
        .and_then(|t| t.lines().next())
        .unwrap_or("");
    let above = before.get(..line_start).unwrap_or("");
    if let Some(header) = Header::of(line) {
        // The error is about a table itself, such as an unknown `[name]`.
        return header.name().to_string();
    }
    let key = line.split_once('=').map(|(k, _)| k.trim()).unwrap_or("");
    let path = match above.lines().rev().find_map(Header::of) {
        None => return key.to_string(),
        Some(Header::Table(name)) => name.to_string(),
        Some(Header::Array(name)) => {
            let index = above
                .lines()
                .filter(|l| Header::of(l) == Some(Header::Array(name)))
                .count()
                .saturating_sub(1);
            format!("{name}[{index}]")
        }
    };
    if key.is_empty() {
        path
    } else {
        format!("{path}.{key}")
    }
}

/// A table header line: `[name]` or `[[name]]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Header<'a> {
    Table(&'a str),
    Array(&'a str),
}

impl<'a> Header<'a> {
    fn of(line: &'a str) -> Option<Header<'a>> {
        let line = line.split('#').next().unwrap_or("").trim();
        if let Some(name) = line.strip_prefix("[[").and_then(|l| l.strip_suffix("]]")) {
            return Some(Header::Array(name.trim()));
        }
        let name = line.strip_prefix('[').and_then(|l| l.strip_suffix(']'))?;
        Some(Header::Table(name.trim()))
    }

    fn name(self) -> &'a str {
        match self {
            Header::Table(name) | Header::Array(name) => name,
        }
    }
}

/// The 1-based line of a byte offset.
pub(super) fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(0, |t| t.matches('\n').count()) + 1
}
