//! The `playbooks` binary: `check` exits non-zero and prints every problem; `show` prints a
//! checklist.

// Helpers outside `#[test]` functions unwrap too; clippy.toml allows that only inside them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

fn playbooks(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_playbooks"))
        .args(args)
        .output()
        .unwrap()
}

fn library_dir() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("library")
        .display()
        .to_string()
}

#[test]
fn check_passes_the_bundled_library() {
    let out = playbooks(&["check", &library_dir()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("no problems"));
}

#[test]
fn check_prints_every_problem_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let text = "id = \"x\"\ntitle = { zh = \"测试\", en = \"Test\" }\ntriggers = [\"manual.x\"]\n\n[[steps]]\nid = \"one\"\ninstruction = { zh = \"一\", en = \"One\" }\nrole = \"janitor\"\nnext = \"two\"\n";
    std::fs::write(dir.path().join("x.toml"), text).unwrap();
    let out = playbooks(&["check", "--site", &dir.path().display().to_string()]);
    assert!(!out.status.success());
    let errors = String::from_utf8_lossy(&out.stderr);
    let file = dir.path().join("x.toml").display().to_string();
    assert!(
        errors.contains(&format!(
            "{file}:8: steps[0].role: role \"janitor\" is not defined in roles.toml"
        )),
        "{errors}"
    );
    assert!(
        errors.contains(&format!(
            "{file}:9: steps[0].next: step \"two\" does not exist"
        )),
        "{errors}"
    );
}

#[test]
fn check_alone_wants_a_complete_library() {
    let dir = tempfile::tempdir().unwrap();
    let out = playbooks(&["check", &dir.path().display().to_string()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("roles.toml: missing"));
}

#[test]
fn show_prints_a_checklist_in_either_language() {
    let out = playbooks(&["show", "elevator-entrapment", "--lang", "en"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("Elevator entrapment  [elevator-entrapment]"),
        "{text}"
    );
    assert!(
        text.contains("Deadline: 30 min after the incident starts"),
        "{text}"
    );
    let out = playbooks(&["show", "fire-alarm", "--lang", "zh"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("时限：3分钟（自事件开始）"), "{text}");
}

#[test]
fn show_names_the_playbooks_it_has_when_asked_for_another() {
    let out = playbooks(&["show", "fire-alarn"]);
    assert!(!out.status.success());
    let errors = String::from_utf8_lossy(&out.stderr);
    assert!(
        errors.contains("no playbook \"fire-alarn\"") && errors.contains("fire-alarm"),
        "{errors}"
    );
}
