//! What can go wrong reaching the hub, in sentences a person can act on.

/// Why the hub could not be reached or did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The address cannot name a hub.
    #[error("the hub address {address:?} is not usable: {reason}")]
    BadAddress { address: String, reason: String },
    /// One entry of a list of hub addresses cannot name a hub.
    #[error("hub address {position} of {count} ({address:?}) is not usable: {reason}")]
    BadAddressInList {
        position: usize,
        count: usize,
        address: String,
        reason: String,
    },
    /// The token cannot go into a request header.
    #[error("the token holds characters a request header cannot carry")]
    BadToken,
    /// The CA file given to trust cannot be used.
    #[error("the CA file {} cannot be used: {reason}", file.display())]
    BadCaFile {
        file: std::path::PathBuf,
        reason: String,
    },
    /// The hub's certificate does not verify for its host against the roots trusted.
    #[error(
        "the certificate of the hub at {host} did not verify: {reason}. {}",
        certificate_advice(ca_file.as_deref())
    )]
    Certificate {
        host: String,
        reason: String,
        ca_file: Option<std::path::PathBuf>,
    },
    /// TLS could not be spoken with the hub (a plain hub, or no cipher in common).
    #[error("no TLS connection could be made with the hub at {addr}: {message}")]
    Tls { addr: String, message: String },
    /// No connection could be made, or it broke before the answer.
    #[error("the hub at {addr} could not be reached: {message}")]
    Unreachable { addr: String, message: String },
    /// The hub did not answer within the time limit.
    #[error("the hub at {0} did not answer in time")]
    TimedOut(String),
    /// The hub answered with an error status; `message` is its sentence.
    #[error("the hub refused (HTTP {status}): {message}")]
    Refused { status: u16, message: String },
    /// The answer is not what the request expects.
    #[error("the hub's answer could not be read: {0}")]
    BadAnswer(String),
}

impl Error {
    /// Whether the hub refused the token (401 or 403): every hub of the site will, and trying
    /// again cannot help until a person gives another token.
    pub fn is_token_refused(&self) -> bool {
        matches!(
            self,
            Error::Refused {
                status: 401 | 403,
                ..
            }
        )
    }
}

/// What to do about a certificate that does not verify, given the CA file trusted, if any.
fn certificate_advice(ca_file: Option<&std::path::Path>) -> String {
    match ca_file {
        None => "If the hub's certificate comes from your own CA, give that CA's certificate \
                 file (--ca FILE)"
            .into(),
        Some(file) => format!(
            "The CA file {} does not vouch for it: give the CA that signed the hub's \
             certificate",
            file.display()
        ),
    }
}

/// The result of reaching the hub.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The sentence of a hub error answer (`{"error": …, "message": …}`), or the start of the raw
/// text.
pub(crate) fn refusal_message(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Refusal {
        message: String,
    }
    match serde_json::from_slice::<Refusal>(body) {
        Ok(r) => r.message,
        Err(_) => String::from_utf8_lossy(body).chars().take(200).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_read_the_hub_sentence() {
        let body = br#"{"error":"not_found","message":"no incident INC-9"}"#;
        assert_eq!(refusal_message(body), "no incident INC-9");
        assert_eq!(refusal_message(b"oops"), "oops");
    }
}
