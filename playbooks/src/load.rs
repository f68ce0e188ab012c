//! Loading a library from layers of files: reading each file, overriding by id layer over layer,
//! and checking the merged result as a whole.

use std::collections::BTreeMap;

use toml::Spanned;

use crate::check::{Findings, Known, check_playbook, check_role, check_tree};
use crate::error::{LoadError, Problem};
use crate::model::{NotificationTree, Playbook, Roles};
use crate::raw::{RawPlaybook, RawRoles, RawTrees};
use crate::source::SourceFile;

/// The file of a library that defines its roles.
pub const ROLES_FILE: &str = "roles.toml";
/// The file of a library that defines its notification trees.
pub const TREES_FILE: &str = "trees.toml";

/// The files of one directory (or of the bundled library); a later layer overrides an earlier
/// one by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layer {
    /// How errors name the directory, e.g. `library`.
    pub dir: String,
    pub files: Vec<SourceFile>,
}

/// A loaded and checked library, before it is wrapped in [`crate::Library`].
pub(crate) struct Loaded {
    pub roles: Roles,
    pub trees: BTreeMap<String, NotificationTree>,
    pub playbooks: BTreeMap<String, Playbook>,
    pub by_kind: BTreeMap<String, String>,
}

/// Something defined in a file: the layer and file, its position in the file's array, its id.
struct Defined<'a, T> {
    layer: usize,
    file: &'a SourceFile,
    index: usize,
    id: &'a Spanned<String>,
    value: &'a T,
}

/// The files of every layer as written, each with its layer.
#[derive(Default)]
struct Parsed<'a> {
    roles: Vec<(usize, &'a SourceFile, RawRoles)>,
    trees: Vec<(usize, &'a SourceFile, RawTrees)>,
    playbooks: Vec<(usize, &'a SourceFile, RawPlaybook)>,
}

/// Loads `layers`, later layers overriding earlier ones by id, and checks everything.
pub(crate) fn load(layers: &[Layer]) -> Result<Loaded, LoadError> {
    let mut problems = Vec::new();
    let parsed = parse(layers, &mut problems);
    if parsed.roles.is_empty() {
        let dir = layers.first().map_or("", |l| l.dir.as_str());
        problems.push(Problem {
            file: if dir.is_empty() {
                ROLES_FILE.to_owned()
            } else {
                format!("{dir}/{ROLES_FILE}")
            },
            line: None,
            field: None,
            message: "missing: a library defines its roles in roles.toml".to_owned(),
        });
    }

    let role_defs = merge(
        &mut problems,
        parsed.roles.iter().flat_map(|(layer, file, raw)| {
            raw.roles.iter().enumerate().map(move |(index, r)| Defined {
                layer: *layer,
                file,
                index,
                id: &r.get_ref().id,
                value: r.get_ref(),
            })
        }),
        "role",
        |index| format!("roles[{index}].id"),
    );
    let mut roles = Roles::default();
    for (id, d) in &role_defs {
        let mut f = Findings {
            file: d.file,
            problems: &mut problems,
        };
        roles
            .0
            .insert(id.clone(), check_role(&mut f, d.index, d.value));
    }

    let tree_defs = merge(
        &mut problems,
        parsed.trees.iter().flat_map(|(layer, file, raw)| {
            raw.trees.iter().enumerate().map(move |(index, t)| Defined {
                layer: *layer,
                file,
                index,
                id: &t.get_ref().id,
                value: t,
            })
        }),
        "notification tree",
        |index| format!("trees[{index}].id"),
    );
    let mut trees = BTreeMap::new();
    for (id, d) in &tree_defs {
        let mut f = Findings {
            file: d.file,
            problems: &mut problems,
        };
        trees.insert(id.clone(), check_tree(&mut f, d.index, d.value, &roles));
    }

    let playbook_defs = merge(
        &mut problems,
        parsed.playbooks.iter().map(|(layer, file, raw)| Defined {
            layer: *layer,
            file,
            index: 0,
            id: &raw.id,
            value: raw,
        }),
        "playbook",
        |_| "id".to_owned(),
    );
    let known = Known {
        roles: &roles,
        trees: &trees,
    };
    let mut playbooks = BTreeMap::new();
    for (id, d) in &playbook_defs {
        let mut f = Findings {
            file: d.file,
            problems: &mut problems,
        };
        playbooks.insert(id.clone(), check_playbook(&mut f, d.value, &known));
    }
    let by_kind = index_triggers(&playbook_defs, &mut problems);

    if problems.is_empty() {
        Ok(Loaded {
            roles,
            trees,
            playbooks,
            by_kind,
        })
    } else {
        Err(LoadError::new(problems))
    }
}

/// Reads every file of every layer by its name: `roles.toml`, `trees.toml`, or one playbook.
fn parse<'a>(layers: &'a [Layer], problems: &mut Vec<Problem>) -> Parsed<'a> {
    let mut parsed = Parsed::default();
    for (layer, files) in layers.iter().enumerate() {
        for file in &files.files {
            let result = match file.name() {
                ROLES_FILE => file
                    .parse()
                    .map(|raw| parsed.roles.push((layer, file, raw))),
                TREES_FILE => file
                    .parse()
                    .map(|raw| parsed.trees.push((layer, file, raw))),
                _ => file
                    .parse()
                    .map(|raw| parsed.playbooks.push((layer, file, raw))),
            };
            if let Err(problem) = result {
                problems.push(problem);
            }
        }
    }
    parsed
}

/// Keeps the definition of each id from the latest layer, reporting an id defined twice within
/// one layer (in one file or in two).
fn merge<'a, T: 'a>(
    problems: &mut Vec<Problem>,
    items: impl IntoIterator<Item = Defined<'a, T>>,
    what: &str,
    field: impl Fn(usize) -> String,
) -> BTreeMap<String, Defined<'a, T>> {
    let mut defined: BTreeMap<String, Defined<'a, T>> = BTreeMap::new();
    for item in items {
        if let Some(earlier) = defined
            .get(item.id.get_ref())
            .filter(|e| e.layer == item.layer)
        {
            let line = earlier.file.line(earlier.id.span().start);
            problems.push(item.file.problem(
                item.id.span(),
                field(item.index),
                format!(
                    "{what} {:?} is already defined at {}:{line}",
                    item.id.get_ref(),
                    earlier.file.label
                ),
            ));
            continue;
        }
        defined.insert(item.id.get_ref().clone(), item);
    }
    defined
}

/// Maps each trigger kind to its playbook. A kind claimed by two playbooks of one layer is a
/// problem; a later layer's claim replaces an earlier layer's.
fn index_triggers(
    defs: &BTreeMap<String, Defined<'_, RawPlaybook>>,
    problems: &mut Vec<Problem>,
) -> BTreeMap<String, String> {
    let mut ordered: Vec<&Defined<'_, RawPlaybook>> = defs.values().collect();
    ordered.sort_by_key(|d| d.layer);
    let mut by_kind: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for d in ordered {
        let id = d.id.get_ref();
        for (i, kind) in d.value.triggers.get_ref().iter().enumerate() {
            match by_kind.get(kind.get_ref()) {
                Some((layer, other)) if *layer == d.layer && other != id => problems
                    .push(d.file.problem(
                    kind.span(),
                    format!("triggers[{i}]"),
                    format!(
                        "kind {:?} already triggers playbook {other:?}; a kind starts one playbook",
                        kind.get_ref()
                    ),
                )),
                _ => {
                    by_kind.insert(kind.get_ref().clone(), (d.layer, id.clone()));
                }
            }
        }
    }
    by_kind
        .into_iter()
        .map(|(kind, (_, id))| (kind, id))
        .collect()
}
