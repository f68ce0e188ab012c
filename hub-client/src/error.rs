//! What can go wrong reaching the hub, in sentences a person can act on.

/// Why the hub could not be reached or did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The address cannot name a hub.
    #[error("the hub address {address:?} is not usable: {reason}")]
    BadAddress { address: String, reason: String },
    /// The token cannot go into a request header.
    #[error("the token holds characters a request header cannot carry")]
    BadToken,
    /// The address asks for TLS, which this build does not speak.
    #[error(
        "TLS is not built into this program yet: reach the hub at {0} over plain http:// or ws:// on its own network"
    )]
    TlsUnsupported(String),
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
