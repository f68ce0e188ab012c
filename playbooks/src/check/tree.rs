//! The checks of `roles.toml` and `trees.toml`, and of trees against a caller's contact list.

use std::collections::BTreeMap;

use toml::Spanned;

use super::Findings;
use crate::error::Problem;
use crate::model::{Contact, Level, NotificationTree, Origin, Recipient, Role, Roles};
use crate::raw::{RawLevel, RawRole, RawTree};

/// Checks role `index` of a `roles.toml`.
pub(crate) fn check_role(f: &mut Findings<'_>, index: usize, raw: &RawRole) -> Role {
    f.id(&raw.id, &format!("roles[{index}].id"));
    Role {
        id: raw.id.get_ref().clone(),
        name: f.text(&raw.name, &format!("roles[{index}].name")),
        external: raw.external,
        phone: raw.phone.clone(),
    }
}

/// Checks one tree of a `trees.toml` against the library's roles.
pub(crate) fn check_tree(
    f: &mut Findings<'_>,
    index: usize,
    raw: &Spanned<RawTree>,
    roles: &Roles,
) -> NotificationTree {
    let tree = raw.get_ref();
    let field = format!("trees[{index}]");
    f.id(&tree.id, &format!("{field}.id"));
    let title = f.text(&tree.title, &format!("{field}.title"));
    if tree.levels.get_ref().is_empty() {
        f.at(
            tree.levels.span(),
            format!("{field}.levels"),
            "a notification tree needs at least one level",
        );
    }
    let levels = tree
        .levels
        .get_ref()
        .iter()
        .enumerate()
        .map(|(l, level)| check_level(f, level, &format!("{field}.levels[{l}]"), roles))
        .collect();
    NotificationTree {
        id: tree.id.get_ref().clone(),
        title,
        levels,
        repeat_last: tree.repeat_last,
        origin: Origin {
            file: f.file.label.clone(),
            line: f.file.line(tree.id.span().start),
        },
    }
}

fn check_level(
    f: &mut Findings<'_>,
    spanned: &Spanned<RawLevel>,
    field: &str,
    roles: &Roles,
) -> Level {
    let level = spanned.get_ref();
    if level.roles.is_empty() && level.contacts.is_empty() {
        f.at(
            spanned.span(),
            field.to_owned(),
            "a level needs at least one role or contact to call",
        );
    }
    if level.channels.get_ref().is_empty() {
        f.at(
            level.channels.span(),
            format!("{field}.channels"),
            "a level needs at least one channel: console, webhook or email",
        );
    }
    let mut recipients = Vec::new();
    let mut places = Vec::new();
    for (i, role) in level.roles.iter().enumerate() {
        let here = format!("{field}.roles[{i}]");
        if roles.get(role.get_ref()).is_none() {
            f.at(
                role.span(),
                here.clone(),
                format!("role {:?} is not defined in roles.toml", role.get_ref()),
            );
        }
        recipients.push(Recipient::Role(role.get_ref().clone()));
        places.push((f.file.line(role.span().start), here));
    }
    for (i, contact) in level.contacts.iter().enumerate() {
        let here = format!("{field}.contacts[{i}]");
        f.id(contact, &here);
        recipients.push(Recipient::Contact(contact.get_ref().clone()));
        places.push((f.file.line(contact.span().start), here));
    }
    let escalate_after = f
        .duration(&level.escalate_after, &format!("{field}.escalate_after"))
        .unwrap_or(time::Duration::ZERO);
    let mut channels = level.channels.get_ref().clone();
    channels.dedup();
    Level {
        recipients,
        channels,
        escalate_after,
        places,
    }
}

/// Checks every tree against the caller's contacts: a named contact must be in the list, and a
/// role a level calls must be held by at least one contact, or the level would call nobody.
/// Also checks that each contact holds a role the library defines.
pub(crate) fn check_contacts<'t>(
    trees: impl IntoIterator<Item = &'t NotificationTree>,
    roles: &Roles,
    contacts: &[Contact],
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (i, contact) in contacts.iter().enumerate() {
        if roles.get(&contact.role).is_none() {
            problems.push(Problem {
                file: "contact list".to_owned(),
                line: None,
                field: Some(format!("contacts[{i}].role")),
                message: format!(
                    "contact {:?} holds role {:?}, which is not defined in roles.toml",
                    contact.id, contact.role
                ),
            });
        }
    }
    let by_id: BTreeMap<&str, &Contact> = contacts.iter().map(|c| (c.id.as_str(), c)).collect();
    for tree in trees {
        for level in &tree.levels {
            for (recipient, (line, field)) in level.recipients.iter().zip(&level.places) {
                let message = match recipient {
                    Recipient::Contact(id) if !by_id.contains_key(id.as_str()) => {
                        format!("contact {id:?} is not in the contact list")
                    }
                    Recipient::Role(role) if !contacts.iter().any(|c| c.role == *role) => {
                        format!(
                            "no contact holds role {role:?}, so this level would call nobody in it"
                        )
                    }
                    _ => continue,
                };
                problems.push(Problem {
                    file: tree.origin.file.clone(),
                    line: Some(*line),
                    field: Some(field.clone()),
                    message,
                });
            }
        }
    }
    problems
}
