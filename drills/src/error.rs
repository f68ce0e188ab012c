//! The one error type of the drills library.

use thiserror::Error;

/// Everything that can go wrong while simulating devices or watching the console feed.
#[derive(Debug, Error)]
pub enum Error {
    /// The hub address cannot be turned into a WebSocket URL.
    #[error("the hub address \"{url}\" is not usable: {reason}")]
    BadUrl { url: String, reason: String },
    /// The hub answered the upgrade with an HTTP status instead of a WebSocket.
    #[error("the hub refused {url} with HTTP {status}{}", refusal_hint(*status))]
    Refused { url: String, status: u16 },
    /// No connection could be made at all.
    #[error("cannot connect to {url}: {message}")]
    Connect { url: String, message: String },
    /// An open connection failed.
    #[error("the connection to {url} failed: {message}")]
    Socket { url: String, message: String },
    /// The console feed said something a console cannot follow.
    #[error("the console feed at {url} {message}")]
    Feed { url: String, message: String },
    /// The load plan cannot be run as given.
    #[error("the load plan is not usable: {0}")]
    Plan(String),
}

fn refusal_hint(status: u16) -> &'static str {
    if status == 401 {
        ": the token is missing or unknown to this hub"
    } else {
        ""
    }
}

/// The result of this library's fallible operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;
