//! The site configuration: the raw TOML file, validated once at start into typed config whose
//! errors name the file, line and field.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use crate::error::{ConfigError, ConfigProblem};
use crate::protocol::Role;
use crate::secret;

mod check;
mod dc09;
mod location;
mod notify;
mod offset;
mod phones;
mod records;
mod tls;

pub use dc09::{DEFAULT_MAX_SKEW_SECS, Dc09Account, Dc09Settings, ZonePlace};
pub use notify::{Contact, NotifySettings, Smtp};
pub use offset::{DEFAULT_UTC_OFFSET, parse_offset};
pub use phones::{MAX_PHONE_CHARS, OutsideParty, is_phone_number};
pub use records::{
    BackupSchedule, DEFAULT_BACKUP_HOURS, DEFAULT_BACKUPS_KEPT, DEFAULT_CACHE_MIB,
    DEFAULT_LEASE_SECONDS, DEFAULT_RETENTION_DAYS, MAX_BACKUP_HOURS, MIN_RETENTION_DAYS,
    advertised, nats_server, nats_store,
};
pub use tls::{TlsFiles, TlsSettings};

use check::Checker;
use location::{field_at, line_of};

/// The configuration the hub runs on, valid by construction.
#[derive(Debug, Clone)]
pub struct HubConfig {
    pub sites: Vec<Site>,
    pub sources: HashMap<String, Source>,
    pub operators: HashMap<String, Operator>,
    pub contacts: Vec<Contact>,
    pub notify: NotifySettings,
    /// The bundled playbooks with the site's own over them.
    pub library: Arc<playbooks::Library>,
    /// The annual drill plan (`[drills] plan`, the shipped default otherwise), checked against
    /// the sites.
    pub drill_plan: Arc<crate::drill_plan::Plan>,
    /// `[tls]`: the certificate and key, or plain HTTP.
    pub tls: TlsSettings,
    /// The key file that signs audit checkpoints (`[audit] key`), when not the data
    /// directory's.
    pub audit_key: Option<std::path::PathBuf>,
    /// The backups the hub takes of itself (`[backup]`), if any.
    pub backups: Option<BackupSchedule>,
    /// The bytes sled may keep in its read cache (`[store] cache_mib`).
    pub store_cache_bytes: u64,
    /// How many of the newest event ids the hub keeps in memory (`[store] ids_in_memory`).
    pub ids_in_memory: usize,
    /// The NATS servers of the replicated journal (`[store] nats`, `--store nats://...`);
    /// empty for the sled store alone.
    pub store_cluster: Vec<String>,
    /// Where devices and consoles reach this hub (`[store] advertise`), as the lease tells the
    /// standbys; the listen address otherwise.
    pub store_advertise: Option<String>,
    /// How long the active hub's lease lasts without a renewal (`[store] lease_seconds`).
    pub store_lease: std::time::Duration,
    /// Days events and closed incidents stay in the live store before they are archived
    /// (`[retention] days`, at least 365).
    pub retention_days: u64,
    /// What is worth fixing but does not stop the hub (a tree level nobody would answer, a
    /// party a step calls with no number at some site).
    pub warnings: Vec<String>,
    /// Who CAP messages say they are from (`[hub] cap_sender`).
    pub cap_sender: String,
    /// The site's offset from UTC, in which CAP messages write their times (`[hub] utc_offset`).
    pub utc_offset: time::UtcOffset,
    /// The control room's shifts (`[drills] shifts`), which drill coverage counts.
    pub shifts: crate::shifts::Shifts,
    /// The SIA DC-09 receiver (`[dc09]`), if the site has alarm panels reporting by DC-09.
    pub dc09: Option<Dc09Settings>,
    /// The SHA-256 digest of each token with its owner; searched whole, in constant time.
    tokens: Vec<([u8; 32], Principal)>,
}

/// One site the control room watches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub id: String,
    pub name: String,
    /// The site's own outside parties (its lift maintenance, gas and water companies), each
    /// for an external role of the library; a role's library number (119) applies otherwise.
    pub outside: Vec<OutsideParty>,
}

/// What a source is wired to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    FirePanel,
    AccessController,
    ElevatorUnit,
    Gateway,
}

/// One panel, controller, lift unit or gateway that connects with its own token.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub id: String,
    pub site: String,
    pub kind: SourceKind,
    /// How often the source sends `heartbeat`; silent for three intervals raises `comms.lost`.
    pub heartbeat_secs: u64,
    /// Sustained events a second before `rate_limited`; far above any real panel.
    pub max_events_per_sec: u32,
    /// How many events above the sustained rate a burst may carry.
    pub burst: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub id: String,
    pub name: String,
    pub role: Role,
}

/// Who a bearer token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Source(String),
    Operator(String),
}

/// The longest heartbeat interval a source may have, in seconds: three days.
pub const MAX_HEARTBEAT_SECS: u64 = 3 * 24 * 60 * 60;

/// The default sustained rate of a source, events a second: a panel in full alarm sends tens.
pub const DEFAULT_MAX_EVENTS_PER_SEC: u32 = 500;
/// The default burst above the sustained rate.
pub const DEFAULT_BURST: u32 = 5000;
/// The default heartbeat interval of a source, in seconds.
pub const DEFAULT_HEARTBEAT_SECS: u64 = 60;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    sites: Vec<RawSite>,
    #[serde(default)]
    sources: Vec<RawSource>,
    #[serde(default)]
    operators: Vec<RawOperator>,
    #[serde(default)]
    contacts: Vec<notify::RawContact>,
    #[serde(default)]
    notify: notify::RawNotify,
    #[serde(default)]
    playbooks: notify::RawPlaybooks,
    #[serde(default)]
    drills: RawDrills,
    #[serde(default)]
    hub: RawHub,
    #[serde(default)]
    tls: tls::RawTls,
    #[serde(default)]
    audit: records::RawAudit,
    #[serde(default)]
    backup: records::RawBackup,
    #[serde(default)]
    store: records::RawStore,
    #[serde(default)]
    retention: records::RawRetention,
    dc09: Option<Spanned<dc09::RawDc09>>,
}

/// `[drills]`: where the annual drill plan is, relative to the configuration file, and the
/// local times the control room's shifts begin.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDrills {
    plan: Option<String>,
    shifts: Option<Spanned<Vec<String>>>,
}

/// The `[hub]` table: how the hub names itself and tells time to the outside.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHub {
    cap_sender: Option<Spanned<String>>,
    utc_offset: Option<Spanned<String>>,
}

/// The CAP sender when `[hub] cap_sender` is not set.
pub const DEFAULT_CAP_SENDER: &str = "alert-hub.control-room";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    id: Spanned<String>,
    name: String,
    #[serde(default)]
    outside: Vec<phones::RawOutside>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: Spanned<String>,
    site: Spanned<String>,
    kind: SourceKind,
    token: Option<Spanned<String>>,
    token_sha256: Option<Spanned<String>>,
    heartbeat_secs: Option<Spanned<u64>>,
    max_events_per_sec: Option<Spanned<u32>>,
    burst: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOperator {
    id: Spanned<String>,
    name: String,
    role: Role,
    token: Option<Spanned<String>>,
    token_sha256: Option<Spanned<String>>,
}

/// A token as configured: the token itself or its SHA-256 digest.
struct RawToken<'a> {
    token: &'a Option<Spanned<String>>,
    token_sha256: &'a Option<Spanned<String>>,
}

impl HubConfig {
    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<HubConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            file: path.to_path_buf(),
            message: e.to_string(),
        })?;
        HubConfig::parse(&text, path)
    }

    /// Validates configuration text; `file` is only used to name it in errors.
    pub fn parse(text: &str, file: &Path) -> Result<HubConfig, ConfigError> {
        let mut raw: RawConfig = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
            let field = e
                .span()
                .map(|s| field_at(text, s.start))
                .unwrap_or_default();
            ConfigError::Invalid {
                file: file.to_path_buf(),
                problems: vec![ConfigProblem {
                    line,
                    field,
                    message: e.message().to_string(),
                }],
            }
        })?;
        let mut check = Checker {
            text,
            problems: Vec::new(),
        };
        let site_ids: Vec<String> = raw.sites.iter().map(|s| s.id.get_ref().clone()).collect();
        let plan = Arc::new(drill_plan(raw.drills.plan.take(), file, &site_ids)?);
        let audit_key = raw
            .audit
            .key
            .take()
            .map(|key| records::relative(file, &key));
        let backups = check.backups(std::mem::take(&mut raw.backup), file);
        let store_cluster = check.nats_servers(raw.store.nats.take());
        let (store_advertise, store_lease) = check.lease_settings(&mut raw.store);
        let (store_cache_bytes, ids_in_memory) =
            check.store_settings(std::mem::take(&mut raw.store));
        let retention_days = check.retention_days(std::mem::take(&mut raw.retention));
        let library = check.library(std::mem::take(&mut raw.playbooks), file);
        let tls = check.tls(std::mem::take(&mut raw.tls), file);
        let config = library.map(|library| HubConfig {
            tls,
            audit_key,
            backups,
            store_cache_bytes,
            ids_in_memory,
            store_cluster,
            store_advertise,
            store_lease,
            retention_days,
            ..check.config(raw, library, plan)
        });
        if let (Some(config), true) = (config, check.problems.is_empty()) {
            Ok(config)
        } else {
            Err(ConfigError::Invalid {
                file: file.to_path_buf(),
                problems: check.problems,
            })
        }
    }

    /// Who a bearer token belongs to, if anyone. The token must match byte for byte (nothing
    /// is trimmed), and every configured digest is compared in full, so the time taken says
    /// nothing about how close a guess came.
    pub fn principal(&self, token: &str) -> Option<&Principal> {
        let presented = secret::digest(token);
        let mut found = None;
        for (digest, principal) in &self.tokens {
            if secret::same_digest(digest, &presented) {
                found = Some(principal);
            }
        }
        found
    }

    pub fn site(&self, id: &str) -> Option<&Site> {
        self.sites.iter().find(|s| s.id == id)
    }
}

/// The drill plan at `path` (relative to the configuration `file`), or the shipped one, checked
/// against the hub's sites.
fn drill_plan(
    path: Option<String>,
    file: &Path,
    sites: &[String],
) -> Result<crate::drill_plan::Plan, ConfigError> {
    use crate::drill_plan::Plan;
    let plan = match path {
        None => Plan::default_plan()?,
        Some(path) => {
            let path = file.parent().unwrap_or(Path::new(".")).join(path);
            let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::Read {
                file: path.clone(),
                message: format!("the drill plan of [drills] plan: {e}"),
            })?;
            Plan::parse(&text, &path.display().to_string())?
        }
    };
    plan.check_sites(sites)?;
    Ok(plan)
}

/// The path of the demo site configuration shipped with the hub.
pub fn demo_config_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-site.toml")
}

/// The demo site configuration, embedded so the demo needs no files on disk.
pub const DEMO_CONFIG: &str = include_str!("../../examples/demo-site.toml");

#[cfg(test)]
mod tests;
