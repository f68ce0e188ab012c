//! The rules of a playbook file: fields, ids, targets, the step graph, roles and trees.

use super::*;

#[test]
fn a_sound_playbook_has_no_problems() {
    assert_eq!(
        problems(&[("site/ok.toml", &playbook(TWO_STEPS))]),
        Vec::<String>::new()
    );
}

#[test]
fn a_syntax_error_names_the_line() {
    let text = playbook(TWO_STEPS).replace(
        "role = \"operator\"\n\n[[steps]]",
        "role = \"operator\n\n[[steps]]",
    );
    assert_eq!(
        problem(&text),
        "site/broken.toml:8: invalid basic string, expected `\"`"
    );
}

#[test]
fn an_unknown_field_is_named() {
    let text = playbook(&TWO_STEPS.replace(
        "role = \"operator\"\n\n",
        "role = \"operator\"\nnxt = \"two\"\n\n",
    ));
    let found = problem(&text);
    assert!(
        found.starts_with("site/broken.toml:9: steps[0].nxt: unknown field `nxt`"),
        "{found}"
    );
}

#[test]
fn an_unknown_milestone_is_named_with_its_line() {
    let text = playbook(&TWO_STEPS.replace(
        "role = \"operator\"\n\n",
        "role = \"operator\"\nmilestone = \"arrived\"\n\n",
    ));
    let found = problem(&text);
    assert!(
        found.starts_with("site/broken.toml:9: steps[0].milestone: unknown variant `arrived`"),
        "{found}"
    );
    assert!(
        found.contains("`on_site`"),
        "the milestones it may be: {found}"
    );
}

#[test]
fn a_value_of_the_wrong_type_is_named() {
    let text = playbook(&TWO_STEPS.replace(
        "role = \"operator\"\n\n",
        "role = \"operator\"\nskippable = \"yes\"\n\n",
    ));
    let found = problem(&text);
    assert!(
        found.starts_with("site/broken.toml:9: steps[0].skippable:"),
        "{found}"
    );
}

#[test]
fn a_missing_field_names_its_table() {
    let text = playbook(&TWO_STEPS.replace(
        "id = \"two\"\ninstruction = { zh = \"二\", en = \"Two\" }\n",
        "id = \"two\"\n",
    ));
    let found = problem(&text);
    assert!(
        found.starts_with("site/broken.toml:10: steps[1]: missing field `instruction`"),
        "{found}"
    );
}

#[test]
fn a_next_that_points_nowhere() {
    let text = playbook(&TWO_STEPS.replace(
        "role = \"operator\"\n\n",
        "role = \"operator\"\nnext = \"call-119x\"\n\n",
    ));
    assert_eq!(
        problems(&[("site/broken.toml", &text)]),
        vec![
            r#"site/broken.toml:9: steps[0].next: step "call-119x" does not exist"#,
            r#"site/broken.toml:12: steps[1]: step "two" is unreachable: no path from the first step leads to it"#,
        ]
    );
}

#[test]
fn a_branching_playbook_is_sound() {
    assert_eq!(
        problems(&[("site/ok.toml", &playbook(BRANCH))]),
        Vec::<String>::new()
    );
}

#[test]
fn a_choice_that_points_nowhere() {
    let text = playbook(&BRANCH.replace("next = \"act\"", "next = \"ack\""));
    assert_eq!(
        problems(&[("site/broken.toml", &text)])[0],
        r#"site/broken.toml:10: steps[0].choices[0].next: step "ack" does not exist"#
    );
}

#[test]
fn a_choice_must_lead_somewhere() {
    let text = playbook(&BRANCH.replace(", end = true", ""));
    assert_eq!(
        problem(&text),
        r#"site/broken.toml:11: steps[0].choices[1]: a choice needs next = "<step id>" or end = true"#
    );
}

#[test]
fn a_choice_cannot_both_lead_on_and_end() {
    let text = playbook(&BRANCH.replace("next = \"act\"", "next = \"act\", end = true"));
    let found = problems(&[("site/broken.toml", &text)]);
    assert!(found.contains(&"site/broken.toml:10: steps[0].choices[0].next: a choice cannot both lead to a step and end the run".to_owned()), "{found:#?}");
}

#[test]
fn one_choice_is_not_a_branch() {
    let text = playbook(&BRANCH.replace(
        "  { id = \"false\", label = { zh = \"假\", en = \"False\" }, end = true },\n",
        "",
    ));
    assert_eq!(
        problem(&text),
        "site/broken.toml:10: steps[0].choices: a step with choices needs at least two; a single way on is next"
    );
}

#[test]
fn a_branching_step_cannot_also_have_next() {
    let text = playbook(&BRANCH.replace(
        "role = \"operator\"\nchoices",
        "role = \"operator\"\nnext = \"act\"\nchoices",
    ));
    assert!(problem(&text).starts_with(
        "site/broken.toml:9: steps[0].next: a step with choices cannot also have next"
    ));
}

#[test]
fn a_branching_step_cannot_be_skipped() {
    let text = playbook(&BRANCH.replace(
        "role = \"operator\"\nchoices",
        "role = \"operator\"\nskippable = true\nchoices",
    ));
    assert!(problem(&text).starts_with(
        "site/broken.toml:9: steps[0].skippable: a step with choices cannot be skipped"
    ));
}

#[test]
fn a_step_cannot_both_end_and_have_next() {
    let text = playbook(&TWO_STEPS.replace(
        "role = \"operator\"\n\n",
        "role = \"operator\"\nnext = \"two\"\nend = true\n\n",
    ));
    assert_eq!(
        problems(&[("site/broken.toml", &text)])[0],
        "site/broken.toml:10: steps[0].end: a step cannot both end the run and have next"
    );
}

#[test]
fn duplicate_step_ids() {
    let text = playbook(&TWO_STEPS.replace("id = \"two\"", "id = \"one\""));
    assert_eq!(
        problem(&text),
        r#"site/broken.toml:11: steps[1].id: step "one" is already defined on line 6"#
    );
}

#[test]
fn duplicate_choice_ids() {
    let text = playbook(&BRANCH.replace("id = \"false\"", "id = \"real\""));
    assert_eq!(
        problem(&text),
        r#"site/broken.toml:11: steps[0].choices[1].id: choice "real" is already defined on line 10"#
    );
}

#[test]
fn duplicate_input_ids() {
    let inputs = "role = \"operator\"\ninputs = [\n  { id = \"n\", label = { zh = \"数\", en = \"N\" }, type = \"number\" },\n  { id = \"n\", label = { zh = \"时\", en = \"T\" }, type = \"time\" },\n]\n\n";
    let text = playbook(&TWO_STEPS.replacen("role = \"operator\"\n\n", inputs, 1));
    assert_eq!(
        problem(&text),
        r#"site/broken.toml:11: steps[0].inputs[1].id: input "n" is already defined on line 10"#
    );
}

#[test]
fn an_unknown_input_type_is_named() {
    let inputs = "role = \"operator\"\ninputs = [\n  { id = \"n\", label = { zh = \"数\", en = \"N\" }, type = \"integer\" },\n]\n\n";
    let text = playbook(&TWO_STEPS.replacen("role = \"operator\"\n\n", inputs, 1));
    assert!(
        problem(&text)
            .starts_with("site/broken.toml:10: steps[0].inputs[0].type: unknown variant `integer`"),
        "{}",
        problem(&text)
    );
}

#[test]
fn duplicate_playbook_ids_in_one_directory() {
    let found = problems(&[
        ("site/a.toml", &playbook(TWO_STEPS)),
        ("site/b.toml", &playbook(TWO_STEPS)),
    ]);
    assert_eq!(
        found,
        vec![r#"site/b.toml:1: id: playbook "broken" is already defined at site/a.toml:1"#]
    );
}

#[test]
fn an_unreachable_step() {
    let text = playbook(&TWO_STEPS.replace(
        "role = \"operator\"\n\n",
        "role = \"operator\"\nend = true\n\n",
    ));
    assert_eq!(
        problem(&text),
        r#"site/broken.toml:12: steps[1]: step "two" is unreachable: no path from the first step leads to it"#
    );
}

#[test]
fn a_cycle() {
    let text = playbook(&format!("{TWO_STEPS}next = \"one\"\n"));
    assert_eq!(
        problem(&text),
        r#"site/broken.toml:14: steps[1].next: leads back to step "one", a cycle: one -> two -> one"#
    );
}

#[test]
fn a_role_that_does_not_exist() {
    let text = playbook(&TWO_STEPS.replacen("role = \"operator\"", "role = \"janitor\"", 1));
    assert_eq!(
        problem(&text),
        r#"site/broken.toml:8: steps[0].role: role "janitor" is not defined in roles.toml"#
    );
}

#[test]
fn a_tree_that_does_not_exist() {
    let text = playbook(&TWO_STEPS.replacen(
        "role = \"operator\"\n",
        "role = \"operator\"\nnotify = { start = \"nobody\" }\n",
        1,
    ));
    assert_eq!(
        problem(&text),
        r#"site/broken.toml:9: steps[0].notify.start: notification tree "nobody" is not defined in trees.toml"#
    );
}

#[test]
fn a_notification_starts_or_extends_one_tree() {
    let text = playbook(&TWO_STEPS.replacen(
        "role = \"operator\"\n",
        "role = \"operator\"\nnotify = { start = \"security\", extend = \"management\" }\n",
        1,
    ));
    assert!(problem(&text).starts_with("site/broken.toml:9: steps[0].notify: give exactly one of"));
}

#[test]
fn a_bad_deadline() {
    let text = playbook(&TWO_STEPS.replacen(
        "role = \"operator\"\n",
        "role = \"operator\"\ndeadline = \"3 minutes\"\n",
        1,
    ));
    assert_eq!(
        problem(&text),
        r#"site/broken.toml:9: steps[0].deadline: "3 minutes" is not a duration; write e.g. "90s", "3m", "2h" or "1h30m""#
    );
}

#[test]
fn an_unknown_trigger_kind() {
    let text = playbook(TWO_STEPS).replace("manual.test", "fire.alarn");
    assert!(
        problem(&text).starts_with(
            r#"site/broken.toml:3: triggers[0]: "fire.alarn" is not an incident kind"#
        )
    );
}

#[test]
fn a_playbook_needs_a_trigger() {
    let text = playbook(TWO_STEPS).replace("[\"manual.test\"]", "[]");
    assert!(
        problem(&text)
            .starts_with("site/broken.toml:3: triggers: a playbook needs at least one trigger")
    );
}

#[test]
fn a_kind_starts_one_playbook_per_directory() {
    let other = playbook(TWO_STEPS).replace("id = \"broken\"", "id = \"other\"");
    let found = problems(&[
        ("site/a.toml", &playbook(TWO_STEPS)),
        ("site/b.toml", &other),
    ]);
    assert_eq!(
        found,
        vec![
            r#"site/b.toml:3: triggers[0]: kind "manual.test" already triggers playbook "broken"; a kind starts one playbook"#
        ]
    );
}

#[test]
fn a_playbook_needs_steps() {
    let found = problem(&format!("{HEAD}steps = []\n"));
    assert_eq!(
        found,
        "site/broken.toml:4: steps: a playbook needs at least one step"
    );
}

#[test]
fn both_languages_are_required() {
    let text = playbook(TWO_STEPS).replace("en = \"Test\"", "en = \" \"");
    assert_eq!(
        problem(&text),
        "site/broken.toml:2: title.en: is empty; both languages are required"
    );
}

#[test]
fn ids_are_lowercase_words() {
    let text = playbook(&TWO_STEPS.replace("id = \"two\"", "id = \"Step Two\""));
    assert!(
        problem(&text).starts_with(r#"site/broken.toml:11: steps[1].id: "Step Two" is not an id"#)
    );
}

/// `TWO_STEPS` with `calls` given on its first step (line 9).
fn calling(calls: &str) -> String {
    playbook(&TWO_STEPS.replacen(
        "role = \"operator\"\n\n",
        &format!("role = \"operator\"\ncalls = {calls}\n\n"),
        1,
    ))
}

#[test]
fn a_step_may_name_one_party_or_several_it_calls() {
    for calls in [
        "\"fire_brigade\"",
        "[\"fire_brigade\", \"ambulance\"]",
        "\"duty_manager\"",
    ] {
        assert_eq!(
            problems(&[("site/ok.toml", &calling(calls))]),
            Vec::<String>::new(),
            "{calls}"
        );
    }
    let library = Library::bundled()
        .unwrap()
        .with_files([("site/ok.toml", calling("[\"police\", \"duty_manager\"]"))])
        .unwrap();
    let step = &library.playbook("broken").unwrap().steps[0];
    assert_eq!(step.calls, ["police", "duty_manager"]);
    assert!(
        library.playbook("broken").unwrap().steps[1]
            .calls
            .is_empty()
    );
}

#[test]
fn a_called_role_must_be_defined() {
    assert_eq!(
        problem(&calling("\"fire_brigad\"")),
        r#"site/broken.toml:9: steps[0].calls: role "fire_brigad" is not defined in roles.toml"#
    );
    assert_eq!(
        problem(&calling("[\"police\", \"plumber\"]")),
        r#"site/broken.toml:9: steps[0].calls[1]: role "plumber" is not defined in roles.toml"#
    );
}

#[test]
fn a_party_is_called_once_and_calls_names_somebody() {
    assert_eq!(
        problem(&calling("[\"police\", \"police\"]")),
        r#"site/broken.toml:9: steps[0].calls[1]: role "police" is called twice"#
    );
    assert_eq!(
        problem(&calling("[]")),
        "site/broken.toml:9: steps[0].calls: names nobody: give a role id, or leave calls out"
    );
}

#[test]
fn calls_of_the_wrong_type_is_named() {
    let found = problem(&calling("119"));
    assert!(
        found.starts_with("site/broken.toml:9: steps[0].calls:"),
        "{found}"
    );
    assert!(found.contains("a role id or a list of role ids"), "{found}");
}
