//! The console feed's change message as the core encodes it, once for every console and the
//! store.

use crate::protocol::Change;

/// The feed message of one change, as a console receives it.
pub fn feed_json(change: &Change) -> serde_json::Result<String> {
    // Serialized by reference: the change is not copied for the message.
    #[derive(serde::Serialize)]
    #[serde(tag = "type", rename = "change")]
    struct Message<'a> {
        seq: u64,
        change: &'a Change,
    }
    serde_json::to_string(&Message {
        seq: change.entry.seq,
        change,
    })
}
