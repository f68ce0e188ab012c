//! The tamper-evident record: every stored device event and every incident-log entry is a leaf
//! of an RFC 6962 Merkle tree, appended in the order the writer commits them and in the same
//! atomic write as the record it covers; the hub signs checkpoints of the tree (C2SP
//! tlog-checkpoint, Ed25519), and `alert-hub verify` recomputes it all from the records.
//!
//! A leaf's bytes are a domain tag and the record exactly as stored (its JSON):
//! - a device event: `alert-hub/event` + `\n` + the stored event's JSON;
//! - an incident-log entry: `alert-hub/log` + `\n` + the stored feed change's JSON.
//!
//! Within one commit the events come first, then the log entries, each in sequence order; each
//! commit's leaves are recorded as a [`range::LeafRange`].

pub mod checkpoint;
pub mod keys;
pub mod merkle;
pub mod note;
pub mod range;
pub mod verify;

use merkle::Hash;

/// The domain tag of a device event's leaf.
pub const EVENT_TAG: &[u8] = b"alert-hub/event\n";
/// The domain tag of an incident-log entry's leaf.
pub const LOG_TAG: &[u8] = b"alert-hub/log\n";

/// The leaf hash of a stored event, from its stored JSON.
pub fn event_leaf(json: &[u8]) -> Hash {
    merkle::leaf_hash(&[EVENT_TAG, json])
}

/// The leaf hash of an incident-log entry, from its stored JSON.
pub fn log_leaf(json: &[u8]) -> Hash {
    merkle::leaf_hash(&[LOG_TAG, json])
}

/// A key, note or checkpoint that cannot be used, saying what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("audit key: {0}")]
    Key(String),
    #[error("signed note: {0}")]
    Note(String),
    #[error("checkpoint: {0}")]
    Checkpoint(String),
    #[error("audit key file {}: {message}", path.display())]
    KeyFile {
        path: std::path::PathBuf,
        message: String,
    },
}
