//! The library of playbooks, notification trees and roles a hub runs with: the bundled one, a
//! directory, or the bundled one with a site's overrides.

use std::collections::BTreeMap;
use std::path::Path;

use crate::bundled::BUNDLED;
use crate::check::check_contacts;
use crate::error::{LoadError, Result};
use crate::load::{Layer, load};
use crate::model::{Contact, NotificationTree, Playbook, Roles};
use crate::source::SourceFile;

/// A checked set of playbooks, notification trees and roles. Every reference inside it resolves:
/// each step's role and tree exists, and each kind starts at most one playbook.
#[derive(Debug, Clone)]
pub struct Library {
    layers: Vec<Layer>,
    roles: Roles,
    trees: BTreeMap<String, NotificationTree>,
    playbooks: BTreeMap<String, Playbook>,
    by_kind: BTreeMap<String, String>,
}

impl Library {
    /// The library shipped inside this crate (`playbooks/library/`), needing no files on disk.
    /// Its files are checked by this crate's tests, so an error here means a broken build.
    pub fn bundled() -> Result<Library> {
        let files = BUNDLED
            .iter()
            .map(|(name, text)| SourceFile::new(format!("library/{name}"), *text))
            .collect();
        Library::from_layers(vec![Layer {
            dir: "library".to_owned(),
            files,
        }])
    }

    /// Loads a complete library from a directory: `roles.toml`, optionally `trees.toml`, and one
    /// playbook per other `*.toml` file. Reports every problem in every file.
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<Library> {
        Library::from_layers(vec![read_dir(dir.as_ref())?])
    }

    /// Loads a library from files given as (name, contents), e.g. `("library/roles.toml", "...")`.
    /// Files are told apart by their name as in [`Library::load_dir`].
    pub fn from_files<N: Into<String>, T: Into<String>>(
        files: impl IntoIterator<Item = (N, T)>,
    ) -> Result<Library> {
        Library::from_layers(vec![layer_of(files)])
    }

    /// This library with a site's directory laid over it: its playbooks, trees and roles replace
    /// those with the same id and add the others; the site needs no `roles.toml` of its own.
    /// The result is checked as a whole, so a site playbook may use the bundled trees and roles.
    pub fn with_overrides(self, dir: impl AsRef<Path>) -> Result<Library> {
        let layer = read_dir(dir.as_ref())?;
        self.with_layer(layer)
    }

    /// Like [`Library::with_overrides`], with the site's files given as (name, contents).
    pub fn with_files<N: Into<String>, T: Into<String>>(
        self,
        files: impl IntoIterator<Item = (N, T)>,
    ) -> Result<Library> {
        self.with_layer(layer_of(files))
    }

    fn with_layer(self, layer: Layer) -> Result<Library> {
        let mut layers = self.layers;
        layers.push(layer);
        Library::from_layers(layers)
    }

    fn from_layers(layers: Vec<Layer>) -> Result<Library> {
        let loaded = load(&layers)?;
        Ok(Library {
            layers,
            roles: loaded.roles,
            trees: loaded.trees,
            playbooks: loaded.playbooks,
            by_kind: loaded.by_kind,
        })
    }

    /// The playbook an incident of this kind starts, e.g. `fire.alarm` or `manual.gas_leak`.
    pub fn for_kind(&self, kind: &str) -> Option<&Playbook> {
        self.by_kind.get(kind).and_then(|id| self.playbooks.get(id))
    }

    /// The playbook with this id.
    pub fn playbook(&self, id: &str) -> Option<&Playbook> {
        self.playbooks.get(id)
    }

    /// Every playbook, ordered by id.
    pub fn playbooks(&self) -> impl Iterator<Item = &Playbook> {
        self.playbooks.values()
    }

    /// The playbooks an operator may start by hand (those with a `manual.*` trigger), by id.
    pub fn manual_playbooks(&self) -> impl Iterator<Item = &Playbook> {
        self.playbooks().filter(|p| p.is_manual())
    }

    /// The notification tree with this id.
    pub fn tree(&self, id: &str) -> Option<&NotificationTree> {
        self.trees.get(id)
    }

    /// Every notification tree, ordered by id.
    pub fn trees(&self) -> impl Iterator<Item = &NotificationTree> {
        self.trees.values()
    }

    /// The roles steps and trees may name.
    pub fn roles(&self) -> &Roles {
        &self.roles
    }

    /// Checks the trees against the caller's contacts: every contact a level names is in the
    /// list, every role a level calls is held by someone in it, and every contact holds a
    /// defined role. Reports every problem, located in `trees.toml`.
    pub fn check_contacts(&self, contacts: &[Contact]) -> Result<()> {
        let problems = check_contacts(self.trees.values(), &self.roles, contacts);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(LoadError::new(problems))
        }
    }
}

fn layer_of<N: Into<String>, T: Into<String>>(files: impl IntoIterator<Item = (N, T)>) -> Layer {
    let files: Vec<SourceFile> = files
        .into_iter()
        .map(|(name, text)| SourceFile::new(name, text))
        .collect();
    let dir = files
        .first()
        .and_then(|f| f.label.strip_suffix(f.name()))
        .map_or(String::new(), |d| {
            d.trim_end_matches(['/', '\\']).to_owned()
        });
    Layer { dir, files }
}

/// Reads the `*.toml` files of `dir` as one layer.
fn read_dir(dir: &Path) -> Result<Layer> {
    Ok(Layer {
        dir: dir.display().to_string(),
        files: SourceFile::read_dir(dir)?,
    })
}
