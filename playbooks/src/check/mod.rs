//! Checks that turn the files as written into the validated model, collecting every problem.

mod playbook;
mod tree;

use std::ops::Range;

use toml::Spanned;

use crate::error::Problem;
use crate::raw::RawText;
use crate::source::SourceFile;
use crate::text::Text;

pub(crate) use playbook::{Known, check_playbook};
pub(crate) use tree::{check_contacts, check_role, check_tree};

/// The problems found so far in one file, and the checks every format of the workspace shares
/// (ids, bilingual texts, durations, unique ids), each reporting at the value's line and field.
pub struct Findings<'a> {
    pub file: &'a SourceFile,
    pub problems: &'a mut Vec<Problem>,
}

impl Findings<'_> {
    /// Records a problem with the value at `span`.
    pub fn at(&mut self, span: Range<usize>, field: impl Into<String>, message: impl Into<String>) {
        self.problems.push(self.file.problem(span, field, message));
    }

    /// Checks that `id` is a usable id: lowercase ASCII letters and digits, `-` and `_`, starting
    /// with a letter or digit.
    pub fn id(&mut self, id: &Spanned<String>, field: &str) {
        let value = id.get_ref();
        let mut chars = value.chars();
        let good_start = chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        let good_rest =
            chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !(good_start && good_rest) {
            self.at(
                id.span(),
                field,
                format!("{value:?} is not an id: use lowercase letters, digits, '-' and '_'"),
            );
        }
    }

    /// Checks that both translations are there and converts the text.
    pub fn text(&mut self, text: &Spanned<RawText>, field: &str) -> Text {
        let raw = text.get_ref();
        for (lang, value) in [("zh", &raw.zh), ("en", &raw.en)] {
            if value.trim().is_empty() {
                self.at(
                    text.span(),
                    format!("{field}.{lang}"),
                    "is empty; both languages are required",
                );
            }
        }
        Text::new(raw.zh.trim(), raw.en.trim())
    }

    /// Parses a duration such as `3m`, reporting a bad one.
    pub fn duration(&mut self, text: &Spanned<String>, field: &str) -> Option<time::Duration> {
        crate::duration::parse(text.get_ref())
            .map_err(|message| self.at(text.span(), field, message))
            .ok()
    }

    /// The member of a closed set (`all`, named by `name_of`) that `value` names; a name
    /// outside it is reported as not being `what`, with every name of the set.
    pub fn one_of<T: Copy>(
        &mut self,
        value: &Spanned<String>,
        field: &str,
        what: &str,
        all: &[T],
        name_of: fn(T) -> &'static str,
    ) -> Option<T> {
        let found = all.iter().copied().find(|t| name_of(*t) == value.get_ref());
        if found.is_none() {
            let names: Vec<&str> = all.iter().map(|t| name_of(*t)).collect();
            self.at(
                value.span(),
                field,
                format!(
                    "{:?} is not {what} (one of {})",
                    value.get_ref(),
                    names.join(", ")
                ),
            );
        }
        found
    }

    /// Reports every id that appears more than once among `ids`, at its second appearance.
    pub fn unique<'i>(
        &mut self,
        ids: impl IntoIterator<Item = (&'i Spanned<String>, String)>,
        what: &str,
    ) {
        let mut seen: Vec<(&str, usize)> = Vec::new();
        for (id, field) in ids {
            let line = self.file.line(id.span().start);
            match seen.iter().find(|(s, _)| *s == id.get_ref().as_str()) {
                Some((_, first)) => self.at(
                    id.span(),
                    field,
                    format!(
                        "{what} {:?} is already defined on line {first}",
                        id.get_ref()
                    ),
                ),
                None => seen.push((id.get_ref(), line)),
            }
        }
    }
}
