//! One test per loading rule: a small broken file, and the problem it must produce, naming the
//! file, the line and the field.

// Helpers outside `#[test]` functions unwrap too; clippy.toml allows that only inside them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod library;
mod playbook;
mod trees;

pub use playbooks::{Contact, Library};

/// The problems of the bundled library with `files` laid over it as a site's directory.
pub fn problems(files: &[(&str, &str)]) -> Vec<String> {
    let library = Library::bundled().expect("the bundled library loads");
    match library.with_files(files.iter().copied()) {
        Ok(_) => Vec::new(),
        Err(error) => error.problems.iter().map(ToString::to_string).collect(),
    }
}

/// The single problem `text` has as the site playbook `site/broken.toml`.
pub fn problem(text: &str) -> String {
    let found = problems(&[("site/broken.toml", text)]);
    assert_eq!(found.len(), 1, "expected one problem, got {found:#?}");
    found.into_iter().next().unwrap_or_default()
}

pub const HEAD: &str = r#"id = "broken"
title = { zh = "测试", en = "Test" }
triggers = ["manual.test"]
"#;

/// `HEAD` followed by `steps`; the steps start on line 4.
pub fn playbook(steps: &str) -> String {
    format!("{HEAD}{steps}")
}

pub const TWO_STEPS: &str = r#"
[[steps]]
id = "one"
instruction = { zh = "一", en = "One" }
role = "operator"

[[steps]]
id = "two"
instruction = { zh = "二", en = "Two" }
role = "operator"
"#;

pub const BRANCH: &str = r#"
[[steps]]
id = "confirm"
instruction = { zh = "确认", en = "Confirm" }
role = "operator"
choices = [
  { id = "real", label = { zh = "真", en = "Real" }, next = "act" },
  { id = "false", label = { zh = "假", en = "False" }, end = true },
]

[[steps]]
id = "act"
instruction = { zh = "处置", en = "Act" }
role = "operator"
"#;

pub const TREES: &str = r#"[[trees]]
id = "site-tree"
title = { zh = "树", en = "Tree" }

[[trees.levels]]
roles = ["duty_manager"]
contacts = ["wang-wei"]
channels = ["console"]
escalate_after = "2m"
"#;
