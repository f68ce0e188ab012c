//! The hub's checkpoint key on disk: a file holding the private key text, `audit.key` in the
//! data directory (made on first start, readable by its owner only) or a file the
//! configuration names (`[audit] key`).

use std::io::Write;
use std::path::{Path, PathBuf};

use super::AuditError;
use super::note::NoteSigner;

/// The key file's name in the data directory.
pub const KEY_FILE: &str = "audit.key";

/// Where the key is: the configured file, else the data directory's.
pub fn key_path(data: &Path, configured: Option<&Path>) -> PathBuf {
    configured.map_or_else(|| data.join(KEY_FILE), Path::to_path_buf)
}

/// Reads the key at `path`.
pub fn read(path: &Path) -> Result<NoteSigner, AuditError> {
    let text = std::fs::read_to_string(path).map_err(|e| AuditError::KeyFile {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    NoteSigner::from_text(&text).map_err(|e| AuditError::KeyFile {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// The hub's key: the configured file's (which must exist), or the data directory's, made
/// there with a new random key named `alert-hub/<8 hex digits>` when there is none yet.
pub fn read_or_make(data: &Path, configured: Option<&Path>) -> Result<NoteSigner, AuditError> {
    let path = key_path(data, configured);
    if configured.is_some() || path.exists() {
        return read(&path);
    }
    let failed = |e: std::io::Error| AuditError::KeyFile {
        path: path.clone(),
        message: e.to_string(),
    };
    let seed = crate::notify::ack_link::new_secret().map_err(failed)?;
    let suffix: String = seed[..4].iter().map(|b| format!("{b:02x}")).collect();
    let signer = NoteSigner::new(&format!("alert-hub/{suffix}"), seed)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).map_err(failed)?;
    file.write_all(format!("{}\n", signer.to_text()).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(failed)?;
    tracing::info!(key = %path.display(), name = signer.name(), "made the audit checkpoint key");
    Ok(signer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_once_owner_only_and_read_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let made = read_or_make(dir.path(), None).expect("made");
        assert!(made.name().starts_with("alert-hub/"));
        let path = dir.path().join(KEY_FILE);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = read_or_make(dir.path(), None).expect("read");
        assert_eq!(again.verifier(), made.verifier());
    }

    #[test]
    fn a_configured_key_must_exist_and_be_a_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("none.key");
        let err = read_or_make(dir.path(), Some(&missing)).expect_err("missing");
        assert!(err.to_string().contains("none.key"), "{err}");
        let bad = dir.path().join("bad.key");
        std::fs::write(&bad, "not a key").expect("write");
        let err = read_or_make(dir.path(), Some(&bad)).expect_err("bad");
        assert!(err.to_string().contains("bad.key: audit key"), "{err}");
        assert!(!dir.path().join(KEY_FILE).exists(), "nothing made");
    }
}
