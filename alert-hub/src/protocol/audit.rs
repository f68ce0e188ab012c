//! The wire types of the audit tree and backups: an inclusion proof, and a backup request and
//! what it wrote.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The proof that an entry is in the tree of the latest checkpoint (RFC 6962 inclusion).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    /// The entry, as `verify` names it: `event seq 5`, `incident log seq 7`.
    pub entry: String,
    pub leaf_index: u64,
    pub tree_size: u64,
    /// Hex; the hash of the leaf's bytes (see `crate::audit`).
    pub leaf_hash: String,
    /// Hex hashes, from the leaf up.
    pub proof: Vec<String>,
    /// Hex; the root of the checkpoint.
    pub root: String,
    /// The signed checkpoint the proof is against.
    pub checkpoint: String,
}

/// Where the hub is to write the backup.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupRequest {
    /// An absolute path on the hub's machine where no file is yet.
    pub to: PathBuf,
}

/// What a backup wrote.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BackupWritten {
    pub file: PathBuf,
    pub records: u64,
    pub files: u64,
    pub bytes: u64,
}
