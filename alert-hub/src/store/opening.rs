//! Opening the data directory: what stands in the way, said so that whoever starts the hub
//! knows what to do (give a directory, stop the other hub, make it writable, restore a backup).

use std::io::ErrorKind;
use std::path::Path;

use crate::error::StoreError;

/// Refuses, before sled touches anything, a data path that is a file or a directory holding
/// something other than a hub store.
pub(super) fn check(dir: &Path) -> Result<(), StoreError> {
    if dir.exists() && !dir.is_dir() {
        return Err(StoreError::NotADirectory {
            path: dir.to_path_buf(),
        });
    }
    if dir.exists() && !looks_like_store(dir) {
        return Err(StoreError::NotAStore {
            dir: dir.to_path_buf(),
        });
    }
    Ok(())
}

fn looks_like_store(dir: &Path) -> bool {
    let empty = std::fs::read_dir(dir)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false);
    empty || dir.join("db").exists() || dir.join("conf").exists()
}

/// The error for sled refusing to open the store in `dir`, by its cause.
pub(super) fn failed(dir: &Path, source: sled::Error) -> StoreError {
    let dir = dir.to_path_buf();
    match &source {
        sled::Error::Io(e)
            if matches!(
                e.kind(),
                ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem
            ) =>
        {
            StoreError::ReadOnly { dir, source }
        }
        // sled 0.34 reports its lock taken by another process only in this sentence.
        sled::Error::Io(e) if e.to_string().contains("could not acquire lock") => {
            StoreError::Locked { dir }
        }
        _ => StoreError::Open { dir, source },
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;

    #[test]
    fn a_directory_holding_something_else_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("notes.txt"), "not a store").expect("write");
        let err = check(dir.path()).expect_err("refused");
        assert!(err.to_string().contains("holds no hub store"), "{err}");
        assert!(dir.path().join("notes.txt").exists());
    }

    #[test]
    fn each_cause_gets_its_own_advice() {
        let dir = Path::new("/srv/hub");
        let denied = sled::Error::Io(io::Error::from(ErrorKind::PermissionDenied));
        assert_eq!(
            failed(dir, denied).to_string(),
            "cannot open the data directory /srv/hub: the hub may not write there (IO error: \
             permission denied). Make it writable by the user the hub runs as; nothing was changed"
        );
        let read_only = sled::Error::Io(io::Error::from(ErrorKind::ReadOnlyFilesystem));
        assert!(matches!(
            failed(dir, read_only),
            StoreError::ReadOnly { .. }
        ));
        let locked = sled::Error::Io(io::Error::other(
            "could not acquire lock on \"/srv/hub/db\": WouldBlock",
        ));
        assert_eq!(
            failed(dir, locked).to_string(),
            "cannot open the data directory /srv/hub: its store is in use by another process; \
             another hub may be running on it. Stop that hub, or give this one another \
             directory; nothing was changed"
        );
        let corrupt = sled::Error::Unsupported("a newer format".into());
        assert!(
            failed(dir, corrupt)
                .to_string()
                .contains("restore it from a backup")
        );
    }
}
