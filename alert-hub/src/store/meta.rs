//! The hub's small records (the incident counter, the running drills, what is on test, the
//! secrets): the names they are kept under, which are those of the first stores, and how a
//! secret is written.

/// A secret of the hub's, made once and kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Secret {
    /// Signs the acknowledgement links in notifications.
    AckLinks,
    /// Keys the event ids each source sent (see `core::SeenIds`).
    IdSalt,
}

pub(super) const INCIDENT_NUMBER: &str = "incident_number";
pub(super) const DRILLS: &str = "drills";
pub(super) const ON_TEST: &str = "on_test";
/// What has left the in-memory index of ids (see `core::SeenIds`).
pub(super) const DEDUP_HORIZON: &str = "dedup_horizon";
/// The highest event seq and log seq ever archived (see `archive`): the store's numbering
/// goes on after them even when the archive took the newest records.
pub(super) const ARCHIVED_EVENT_SEQ: &str = "archived_event_seq";
pub(super) const ARCHIVED_LOG_SEQ: &str = "archived_log_seq";
/// The stream sequence of the last replicated-journal message applied (see `journal`).
pub(super) const JOURNAL_SEQ: &str = "journal_seq";
/// Set once the opening-time index holds every incident (see `opened`).
pub(super) const OPENED_INDEX: &str = "opened_index";

impl Secret {
    /// The name the secret is kept under.
    pub(super) fn name(self) -> &'static str {
        match self {
            Secret::AckLinks => "ack_secret",
            Secret::IdSalt => "id_salt",
        }
    }

    /// The secret kept under `name`; `None` for a name no secret has.
    pub(super) fn from_name(name: &str) -> Option<Secret> {
        [Secret::AckLinks, Secret::IdSalt]
            .into_iter()
            .find(|s| s.name() == name)
    }
}

/// A secret as stored: 64 lower-case hex digits.
pub(super) fn to_hex(secret: &[u8; 32]) -> String {
    secret.iter().map(|b| format!("{b:02x}")).collect()
}

/// The secret 64 hex digits spell; `None` for anything else.
pub(super) fn from_hex(hex: &str) -> Option<[u8; 32]> {
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
        })
        .collect();
    bytes.and_then(|b| <[u8; 32]>::try_from(b).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_reads_back_from_its_hex_and_nothing_else_reads_as_one() {
        let secret: [u8; 32] = std::array::from_fn(|i| (i * 7) as u8);
        let hex = to_hex(&secret);
        assert_eq!(hex.len(), 64);
        assert_eq!(from_hex(&hex), Some(secret));
        assert_eq!(from_hex(&hex[..62]), None);
        assert_eq!(from_hex("zz"), None);
    }
}
