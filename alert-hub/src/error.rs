//! The hub's errors: configuration, storage and start-up, each saying what was wrong and where.

use std::path::PathBuf;

/// A result with the hub's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can stop the hub or fail a request inside it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error("the hub's core has stopped")]
    CoreStopped,
}

/// A configuration that cannot be used; every problem names the file, line and field.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration {}: {message}", file.display())]
    Read { file: PathBuf, message: String },
    #[error("{}", render_problems(file, problems))]
    Invalid {
        file: PathBuf,
        problems: Vec<ConfigProblem>,
    },
}

/// One problem in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// 1-based line.
    pub line: usize,
    /// The field's path, e.g. `sources[1].site`; empty when the file could not be read as TOML.
    pub field: String,
    pub message: String,
}

fn render_problems(file: &std::path::Path, problems: &[ConfigProblem]) -> String {
    let mut out = String::new();
    for (n, p) in problems.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        out.push_str(&format!("{}:{}: ", file.display(), p.line));
        if !p.field.is_empty() {
            out.push_str(&format!("{}: ", p.field));
        }
        out.push_str(&p.message);
    }
    out
}

/// The durable store failed; nothing is acknowledged that was not stored.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "cannot open the data directory {}: {message}. Nothing was changed; \
         restore it from a backup or move it aside. The hub never starts empty over existing data",
        dir.display()
    )]
    Open { dir: PathBuf, message: String },
    #[error("storage failed: {0}")]
    Io(String),
    #[error("stored record {key} cannot be read: {message}")]
    Corrupt { key: String, message: String },
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        StoreError::Io(e.to_string())
    }
}
