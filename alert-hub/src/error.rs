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
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error("the hub's core has stopped")]
    CoreStopped,
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// Plain HTTP asked for on an address other than loopback without `allow_plain`.
    #[error(
        "the hub will not serve plain HTTP on {addr}, which is not a loopback address: tokens \
         would cross the network in clear. Give it a certificate in the configuration \
         ([tls] cert = \"cert.pem\" and key = \"key.pem\", relative to the configuration file), \
         or listen on 127.0.0.1, or, if a TLS proxy or a closed network protects it, set \
         [tls] allow_plain = true"
    )]
    PlainOffLoopback { addr: String },
    /// The active hub could not keep its lease: it stopped acking and exits, to be restarted
    /// as a standby.
    #[error(
        "this hub lost its lease as the active hub ({why}): it acknowledged nothing more and \
         stopped; start it again and it stands by until the lease is free"
    )]
    LeaseLost { why: String },
}

/// The hub's certificate or key cannot be used; each error names the file.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read the TLS {what} {}: {source}", file.display())]
    Read {
        what: &'static str,
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the TLS {what} file {} cannot be used: {message}", file.display())]
    Bad {
        what: &'static str,
        file: PathBuf,
        message: String,
    },
    #[error(
        "the TLS key {} cannot be used with the certificate {}: {message}",
        key.display(),
        cert.display()
    )]
    Mismatch {
        cert: PathBuf,
        key: PathBuf,
        message: String,
    },
    #[error("TLS cannot be set up: {message}")]
    Unusable { message: String },
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
    /// The drill plan the configuration names (or the shipped one) cannot be used.
    #[error("the drill plan cannot be used:\n{0}")]
    Plan(#[from] PlanError),
}

/// A drill plan that cannot be used: every problem, in line order, each naming the file, line
/// and field, e.g. `plans/default.toml:14: entries[2].kind: "flod" is not a drill kind (…)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct PlanError {
    /// Never empty.
    pub problems: Vec<playbooks::Problem>,
}

impl PlanError {
    /// The problems, sorted by line so that they read like a compiler's output.
    pub fn new(mut problems: Vec<playbooks::Problem>) -> PlanError {
        problems.sort_by_key(|p| p.line);
        PlanError { problems }
    }
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

/// The durable store failed; nothing is acknowledged that was not stored. Each error keeps
/// what caused it as its source.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "cannot open the data directory {}: the directory is not empty and holds no hub store \
         (no sled `db` file). {OPEN_ADVICE}",
        dir.display()
    )]
    NotAStore { dir: PathBuf },
    #[error(
        "cannot open the data directory {}: it is a file, not a directory. Give a directory \
         for the data (it is created when missing); nothing was changed",
        path.display()
    )]
    NotADirectory { path: PathBuf },
    #[error(
        "cannot open the data directory {}: its store is in use by another process; another \
         hub may be running on it. Stop that hub, or give this one another directory; nothing \
         was changed",
        dir.display()
    )]
    Locked { dir: PathBuf },
    #[error(
        "cannot open the data directory {}: the hub may not write there ({source}). Make it \
         writable by the user the hub runs as; nothing was changed",
        dir.display()
    )]
    ReadOnly {
        dir: PathBuf,
        #[source]
        source: sled::Error,
    },
    #[error("cannot open the data directory {}: {source}. {OPEN_ADVICE}", dir.display())]
    Open {
        dir: PathBuf,
        #[source]
        source: sled::Error,
    },
    #[error("storage failed: {0}")]
    Sled(#[from] sled::Error),
    #[error("storage failed: cannot encode {what}: {source}")]
    Encode {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// The operating system refused what the store needed (a thread, random bytes).
    #[error("storage failed: {what}: {source}")]
    System {
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("storage failed: the writer stopped")]
    WriterStopped,
    #[error("storage failed: the writer thread panicked")]
    WriterPanicked,
    #[error("stored record {key} cannot be read: {source}")]
    Corrupt {
        key: String,
        #[source]
        source: serde_json::Error,
    },
    /// A record whose bytes are not what the store writes (a pack cut short, a missing entry).
    #[error("stored record {key} cannot be read: {message}")]
    Damaged { key: String, message: String },
    /// A file of the archive (`DATA/archive/`) that cannot be read or written, and why (with
    /// the line, where one is at fault).
    #[error("archive file {}: {message}", file.display())]
    Archive { file: PathBuf, message: String },
    /// The replicated journal (the NATS JetStream cluster of `--store nats://...`) could not
    /// be reached, refused a batch, or holds a message the hub cannot apply.
    #[error("replicated journal on the NATS cluster {cluster}: {message}")]
    Journal { cluster: String, message: String },
    /// This hub does not hold the active hub's lease (a standby, or an active hub that lost
    /// it): it stores and acknowledges nothing, and retrying cannot change that.
    #[error("replicated journal on the NATS cluster {cluster}: {message}")]
    NotActive { cluster: String, message: String },
}

impl StoreError {
    /// Whether retrying the write cannot succeed, so that the hub stops at once.
    pub fn is_final(&self) -> bool {
        matches!(self, StoreError::NotActive { .. })
    }
}

const OPEN_ADVICE: &str = "Nothing was changed; restore it from a backup or move it aside. \
                           The hub never starts empty over existing data";

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn a_store_error_says_its_cause_and_keeps_it_as_its_source() {
        let source = serde_json::from_str::<u64>("x").expect_err("not a number");
        let cause = source.to_string();
        let error = StoreError::Corrupt {
            key: "mdrills".into(),
            source,
        };
        assert_eq!(
            error.to_string(),
            format!("stored record mdrills cannot be read: {cause}")
        );
        assert!(error.source().is_some_and(|s| s.is::<serde_json::Error>()));
    }

    #[test]
    fn a_directory_that_is_no_store_is_refused_with_the_advice() {
        let error = StoreError::NotAStore {
            dir: "/srv/hub".into(),
        };
        assert_eq!(
            error.to_string(),
            "cannot open the data directory /srv/hub: the directory is not empty and holds no \
             hub store (no sled `db` file). Nothing was changed; restore it from a backup or \
             move it aside. The hub never starts empty over existing data"
        );
    }
}
