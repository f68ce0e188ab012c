//! The one error type of the drills library.

use thiserror::Error;

/// Everything that can go wrong while simulating devices or watching the console feed.
#[derive(Debug, Error)]
pub enum Error {
    /// The hub address is unusable, the hub cannot be reached, or it refused the connection.
    #[error(transparent)]
    Hub(#[from] hub_client::Error),
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

/// The result of this library's fallible operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;
