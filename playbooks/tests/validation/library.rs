//! Rules about a library as a whole: its files, its directory, and reporting everything.

use super::*;

#[test]
fn a_library_needs_its_roles() {
    let error = Library::from_files([("lib/only.toml", playbook(TWO_STEPS))]).unwrap_err();
    let found: Vec<String> = error.problems.iter().map(ToString::to_string).collect();
    assert!(found.contains(
        &"lib/roles.toml: missing: a library defines its roles in roles.toml".to_owned()
    ));
    assert!(
        found.contains(
            &r#"lib/only.toml:8: steps[0].role: role "operator" is not defined in roles.toml"#
                .to_owned()
        )
    );
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let first = playbook(&TWO_STEPS.replacen("role = \"operator\"", "role = \"janitor\"", 1))
        .replace(
            "role = \"operator\"\n",
            "role = \"operator\"\ndeadline = \"soon\"\nnext = \"nowhere\"\n",
        );
    let second = playbook(TWO_STEPS)
        .replace("id = \"broken\"", "id = \"Other\"")
        .replace("manual.test", "manual.other");
    let found = problems(&[("site/a.toml", &first), ("site/b.toml", &second)]);
    assert_eq!(
        found,
        vec![
            r#"site/a.toml:8: steps[0].role: role "janitor" is not defined in roles.toml"#.to_owned(),
            r#"site/a.toml:14: steps[1].deadline: "soon" is not a duration; write e.g. "90s", "3m", "2h" or "1h30m""#.to_owned(),
            r#"site/a.toml:15: steps[1].next: step "nowhere" does not exist"#.to_owned(),
            r#"site/b.toml:1: id: "Other" is not an id: use lowercase letters, digits, '-' and '_'"#.to_owned(),
        ]
    );
}

#[test]
fn a_directory_is_read_with_its_path_in_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("broken.toml"),
        playbook(TWO_STEPS).replace("\"two\"", "\"two\"\nnext = \"three\""),
    )
    .unwrap();
    std::fs::write(dir.path().join("README.md"), "not a playbook").unwrap();
    let error = Library::bundled()
        .unwrap()
        .with_overrides(dir.path())
        .unwrap_err();
    let expected = format!(
        r#"{}:12: steps[1].next: step "three" does not exist"#,
        dir.path().join("broken.toml").display()
    );
    assert_eq!(error.to_string(), expected);
}

#[test]
fn a_missing_directory_is_a_problem_not_a_panic() {
    let error = Library::load_dir("/nonexistent/playbooks").unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("/nonexistent/playbooks: cannot read:"),
        "{error}"
    );
}
