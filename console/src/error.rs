//! The console library's one error type.

use std::path::PathBuf;

/// What can go wrong in the console library; the binary reports these with `anyhow`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read the config file {path}: {source}")]
    ReadConfig {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    ParseConfig { path: PathBuf, message: String },
    #[error("{origin}: `{field}` {message}")]
    InvalidSetting {
        origin: String,
        field: &'static str,
        message: String,
    },
    #[error(
        "no {field} given: use {flag}, the {env} environment variable or `{field}` in the config file"
    )]
    MissingSetting {
        field: &'static str,
        flag: &'static str,
        env: &'static str,
    },
    #[error("terminal: {0}")]
    Terminal(#[from] std::io::Error),
    #[error("the hub address {0:?} cannot be queried: use http://host:port or ws://host:port")]
    UnsupportedHub(String),
    #[error("the token holds characters a request header cannot carry")]
    BadToken,
    #[error("the hub at {addr} could not be reached: {source}")]
    HubConnection {
        addr: String,
        source: std::io::Error,
    },
    #[error("the hub at {0} did not answer in time")]
    HubTimedOut(String),
    #[error("the hub refused (HTTP {status}): {message}")]
    HubRefused { status: u16, message: String },
    #[error("the hub's answer could not be read: {0}")]
    BadAnswer(String),
    #[error("the embedded demo hub: {0}")]
    DemoHub(#[from] alert_hub::error::Error),
    #[error("the embedded demo hub stopped before it was ready")]
    DemoHubStopped,
    #[error("cannot make the demo's data directory: {0}")]
    DemoData(std::io::Error),
    #[error("cannot start the demo's pager and mailbox on loopback: {0}")]
    DemoOutside(std::io::Error),
}

/// The console library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
