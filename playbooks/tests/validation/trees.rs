//! The rules of `trees.toml` and `roles.toml`, and of trees against a contact list.

use super::*;

#[test]
fn a_sound_tree_has_no_problems() {
    assert_eq!(
        problems(&[("site/trees.toml", TREES)]),
        Vec::<String>::new()
    );
}

#[test]
fn a_tree_role_that_does_not_exist() {
    let found = problems(&[(
        "site/trees.toml",
        &TREES.replace("duty_manager", "night_manager"),
    )]);
    assert_eq!(
        found,
        vec![
            r#"site/trees.toml:6: trees[0].levels[0].roles[0]: role "night_manager" is not defined in roles.toml"#
        ]
    );
}

#[test]
fn a_level_calls_someone() {
    let text = TREES.replace(
        "roles = [\"duty_manager\"]\ncontacts = [\"wang-wei\"]\n",
        "",
    );
    assert_eq!(
        problems(&[("site/trees.toml", &text)]),
        vec![
            "site/trees.toml:5: trees[0].levels[0]: a level needs at least one role or contact to call"
        ]
    );
}

#[test]
fn a_level_needs_a_channel() {
    let text = TREES.replace("[\"console\"]", "[]");
    assert_eq!(
        problems(&[("site/trees.toml", &text)]),
        vec![
            "site/trees.toml:8: trees[0].levels[0].channels: a level needs at least one channel: console, webhook or email"
        ]
    );
}

#[test]
fn an_unknown_channel_is_named() {
    let text = TREES.replace("[\"console\"]", "[\"sms\"]");
    let found = problems(&[("site/trees.toml", &text)]);
    assert!(
        found[0].starts_with("site/trees.toml:8: trees[0].levels[0].channels"),
        "{found:#?}"
    );
}

#[test]
fn a_bad_escalation_delay() {
    let text = TREES.replace("\"2m\"", "\"soon\"");
    let found = problems(&[("site/trees.toml", &text)]);
    assert_eq!(found.len(), 1);
    assert!(found[0].starts_with(
        r#"site/trees.toml:9: trees[0].levels[0].escalate_after: "soon" is not a duration"#
    ));
}

#[test]
fn a_tree_needs_levels() {
    let text = "[[trees]]\nid = \"empty\"\ntitle = { zh = \"空\", en = \"Empty\" }\nlevels = []\n";
    assert_eq!(
        problems(&[("site/trees.toml", text)]),
        vec!["site/trees.toml:4: trees[0].levels: a notification tree needs at least one level"]
    );
}

#[test]
fn duplicate_tree_ids() {
    let text = format!("{TREES}\n{TREES}");
    assert_eq!(
        problems(&[("site/trees.toml", &text)]),
        vec![
            r#"site/trees.toml:12: trees[1].id: notification tree "site-tree" is already defined at site/trees.toml:2"#
        ]
    );
}

#[test]
fn duplicate_role_ids() {
    let role = "[[roles]]\nid = \"warden\"\nname = { zh = \"楼长\", en = \"Floor warden\" }\n";
    let text = format!("{role}\n{role}");
    assert_eq!(
        problems(&[("site/roles.toml", &text)]),
        vec![
            r#"site/roles.toml:6: roles[1].id: role "warden" is already defined at site/roles.toml:2"#
        ]
    );
}

#[test]
fn contacts_named_by_a_tree_must_be_known() {
    let library = Library::bundled()
        .unwrap()
        .with_files([("site/trees.toml", TREES)])
        .unwrap();
    let mut contacts: Vec<Contact> = library
        .roles()
        .iter()
        .map(|r| Contact::new(format!("{}-1", r.id), &r.id))
        .collect();
    let error = library.check_contacts(&contacts).unwrap_err();
    let found: Vec<String> = error.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        found,
        vec![
            r#"site/trees.toml:7: trees[0].levels[0].contacts[0]: contact "wang-wei" is not in the contact list"#
        ]
    );
    contacts.push(Contact::new("wang-wei", "duty_manager"));
    assert_eq!(library.check_contacts(&contacts), Ok(()));
}

#[test]
fn a_role_a_tree_calls_must_be_held_by_a_contact() {
    let library = Library::bundled()
        .unwrap()
        .with_files([("site/trees.toml", TREES)])
        .unwrap();
    let contacts = vec![Contact::new("wang-wei", "duty_manager")];
    let error = library.check_contacts(&contacts).unwrap_err();
    let found: Vec<String> = error.problems.iter().map(ToString::to_string).collect();
    assert!(found.contains(
        &r#"library/trees.toml:83: trees[4].levels[0].roles[0]: no contact holds role "elevator_maintenance", so this level would call nobody in it"#.to_owned()
    ), "{found:#?}");
}

#[test]
fn a_contact_must_hold_a_known_role() {
    let library = Library::bundled().unwrap();
    let mut contacts: Vec<Contact> = library
        .roles()
        .iter()
        .map(|r| Contact::new(r.id.clone(), &r.id))
        .collect();
    contacts.push(Contact::new("li-na", "cleaner"));
    let error = library.check_contacts(&contacts).unwrap_err();
    let found: Vec<String> = error.problems.iter().map(ToString::to_string).collect();
    let index = contacts.len() - 1;
    assert_eq!(
        found,
        vec![format!(
            r#"contact list: contacts[{index}].role: contact "li-na" holds role "cleaner", which is not defined in roles.toml"#
        )]
    );
}
