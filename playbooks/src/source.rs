//! One library file as text: reading it with serde, and turning byte spans into lines and fields.

use std::ops::Range;
use std::path::Path;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::{LoadError, Problem};

/// A library file: the name errors use for it and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// How errors name the file, e.g. `library/fire-alarm.toml`.
    pub label: String,
    pub text: String,
}

impl SourceFile {
    /// A file named `label` holding `text`.
    pub fn new(label: impl Into<String>, text: impl Into<String>) -> SourceFile {
        SourceFile {
            label: label.into(),
            text: text.into(),
        }
    }

    /// Reads the `*.toml` files of `dir` in name order, each named by its path; other files
    /// and subdirectories are ignored. Every file that cannot be read is reported.
    pub fn read_dir(dir: &Path) -> Result<Vec<SourceFile>, LoadError> {
        let label = dir.display().to_string();
        let problem = |file: String, error: std::io::Error| Problem {
            file,
            line: None,
            field: None,
            message: format!("cannot read: {error}"),
        };
        let entries =
            std::fs::read_dir(dir).map_err(|e| LoadError::new(vec![problem(label.clone(), e)]))?;
        let mut paths = Vec::new();
        for entry in entries {
            let path = entry
                .map_err(|e| LoadError::new(vec![problem(label.clone(), e)]))?
                .path();
            if path.is_file() && path.extension().is_some_and(|e| e == "toml") {
                paths.push(path);
            }
        }
        paths.sort();
        let mut files = Vec::new();
        let mut problems = Vec::new();
        for path in paths {
            let name = path.display().to_string();
            match std::fs::read_to_string(&path) {
                Ok(text) => files.push(SourceFile::new(name, text)),
                Err(e) => problems.push(problem(name, e)),
            }
        }
        if problems.is_empty() {
            Ok(files)
        } else {
            Err(LoadError::new(problems))
        }
    }

    /// The file name without its directory, e.g. `fire-alarm.toml`.
    pub fn name(&self) -> &str {
        self.label.rsplit(['/', '\\']).next().unwrap_or(&self.label)
    }

    /// The 1-based line holding byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        1 + self.text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
    }

    /// A problem at `span` of this file, in `field`.
    pub fn problem(
        &self,
        span: Range<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            file: self.label.clone(),
            line: Some(self.line(span.start)),
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// Reads the file as `T`. A syntax error, unknown field or wrong type is reported with the
    /// line and, where the parser's span allows, the path of the field it is in.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, Problem> {
        toml::from_str(&self.text).map_err(|error| {
            let span = error.span();
            Problem {
                file: self.label.clone(),
                line: span.as_ref().map(|s| self.line(s.start)),
                field: span.and_then(|s| field_at(&self.text, s.start)),
                message: error.message().trim().to_owned(),
            }
        })
    }
}

/// The dotted path (`steps[2].choices[0].next`) of the innermost key or value at byte `offset`.
///
/// The spans of an array of tables cover only each `[[header]]`, not the keys below it, so the
/// search visits every child rather than only those whose parent contains the offset.
fn field_at(text: &str, offset: usize) -> Option<String> {
    let (table, _) = DeTable::parse_recoverable(text);
    search_table(table.get_ref(), offset)
}

fn search_table(table: &DeTable<'_>, offset: usize) -> Option<String> {
    table
        .iter()
        .find_map(|(key, value)| {
            let key = key.get_ref().as_ref();
            search_value(value, offset).map(|inner| join(key, &inner))
        })
        .or_else(|| {
            table
                .iter()
                .find(|(key, value)| key.span().contains(&offset) || value.span().contains(&offset))
                .map(|(key, _)| key.get_ref().as_ref().to_owned())
        })
}

/// The path below `value` (starting with `[i]` or a key) of what is at `offset`, or `Some("")`
/// when `value` is an array item that itself holds the offset.
fn search_value(value: &Spanned<DeValue<'_>>, offset: usize) -> Option<String> {
    match value.get_ref() {
        DeValue::Table(table) => search_table(table, offset),
        DeValue::Array(items) => items.iter().enumerate().find_map(|(index, item)| {
            let inner = search_value(item, offset)
                .or_else(|| item.span().contains(&offset).then(String::new))?;
            Some(join(&format!("[{index}]"), &inner))
        }),
        _ => None,
    }
}

fn join(head: &str, tail: &str) -> String {
    if tail.is_empty() {
        head.to_owned()
    } else if tail.starts_with('[') {
        format!("{head}{tail}")
    } else {
        format!("{head}.{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "id = \"x\"\n[[steps]]\nid = \"a\"\nrole = 1\n\n[[steps]]\nid = \"b\"\n[[steps.choices]]\nid = \"c\"\nnext = 3\n";

    fn path_at(needle: &str) -> Option<String> {
        field_at(TEXT, TEXT.find(needle).unwrap())
    }

    #[test]
    fn finds_fields_below_arrays_of_tables() {
        assert_eq!(path_at("id = \"x").as_deref(), Some("id"));
        assert_eq!(path_at("role").as_deref(), Some("steps[0].role"));
        assert_eq!(path_at("1\n").as_deref(), Some("steps[0].role"));
        assert_eq!(path_at("3\n").as_deref(), Some("steps[1].choices[0].next"));
        assert_eq!(path_at("\"b\"").as_deref(), Some("steps[1].id"));
        assert_eq!(path_at("[[steps]]\nid = \"b").as_deref(), Some("steps[1]"));
    }

    #[test]
    fn counts_lines_from_one() {
        let file = SourceFile::new("library/x.toml", TEXT);
        assert_eq!(file.line(0), 1);
        assert_eq!(file.line(TEXT.find("role").unwrap()), 4);
        assert_eq!(file.name(), "x.toml");
    }
}
