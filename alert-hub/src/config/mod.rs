//! The site configuration: the raw TOML file, validated once at start into typed config whose
//! errors name the file, line and field.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use crate::error::{ConfigError, ConfigProblem};
use crate::protocol::Role;
use crate::secret;

mod dc09;
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

struct Checker<'a> {
    text: &'a str,
    problems: Vec<ConfigProblem>,
}

impl Checker<'_> {
    fn problem<T>(&mut self, at: &Spanned<T>, field: String, message: String) {
        let line = line_of(self.text, at.span().start);
        self.problems.push(ConfigProblem {
            line,
            field,
            message,
        });
    }

    fn config(
        &mut self,
        raw: RawConfig,
        library: playbooks::Library,
        drill_plan: Arc<crate::drill_plan::Plan>,
    ) -> HubConfig {
        let mut ids = HashSet::new();
        let mut sites = Vec::new();
        for (n, s) in raw.sites.into_iter().enumerate() {
            self.id(&s.id, format!("sites[{n}].id"), &mut ids);
            let outside = self.outside(s.outside, n, &library);
            sites.push(Site {
                id: s.id.into_inner(),
                name: s.name,
                outside,
            });
        }
        if sites.is_empty() {
            self.problems.push(ConfigProblem {
                line: 1,
                field: "sites".into(),
                message: "the configuration defines no [[sites]]: a hub needs at least one \
                          site, its sources and its operators"
                    .into(),
            });
        }
        let mut tokens = Tokens::default();
        let mut sources = HashMap::new();
        for (n, s) in raw.sources.into_iter().enumerate() {
            let at = format!("sources[{n}]");
            self.id(&s.id, format!("{at}.id"), &mut ids);
            if !sites.iter().any(|site| site.id == *s.site.get_ref()) {
                let m = format!("site \"{}\" is not defined in [[sites]]", s.site.get_ref());
                self.problem(&s.site, format!("{at}.site"), m);
            }
            let heartbeat_secs = self.heartbeat(s.heartbeat_secs, &at);
            let max_events_per_sec = self.positive(s.max_events_per_sec, &at, "max_events_per_sec");
            let id = s.id.get_ref().clone();
            let token = RawToken {
                token: &s.token,
                token_sha256: &s.token_sha256,
            };
            self.token(
                token,
                &at,
                &s.id,
                Principal::Source(id.clone()),
                &mut tokens,
            );
            let source = Source {
                id: id.clone(),
                site: s.site.into_inner(),
                kind: s.kind,
                heartbeat_secs: heartbeat_secs.unwrap_or(DEFAULT_HEARTBEAT_SECS),
                max_events_per_sec: max_events_per_sec.unwrap_or(DEFAULT_MAX_EVENTS_PER_SEC),
                burst: s.burst.unwrap_or(DEFAULT_BURST),
            };
            sources.insert(id, source);
        }
        let mut operators = HashMap::new();
        for (n, o) in raw.operators.into_iter().enumerate() {
            let at = format!("operators[{n}]");
            self.id(&o.id, format!("{at}.id"), &mut ids);
            let id = o.id.get_ref().clone();
            let token = RawToken {
                token: &o.token,
                token_sha256: &o.token_sha256,
            };
            self.token(
                token,
                &at,
                &o.id,
                Principal::Operator(id.clone()),
                &mut tokens,
            );
            operators.insert(
                id.clone(),
                Operator {
                    id,
                    name: o.name,
                    role: o.role,
                },
            );
        }
        let site_known = |id: &str| sites.iter().any(|s| s.id == id);
        let contacts = self.contacts(raw.contacts, &library, site_known, &mut ids);
        let notify = self.notify(raw.notify, &library);
        let (cap_sender, utc_offset) = self.hub(raw.hub);
        let dc09 = self.dc09(raw.dc09, &sources);
        let shifts = self.shifts(raw.drills.shifts);
        let mut warnings = self.tree_recipients(&library, &contacts);
        warnings.extend(phones::unreachable_calls(&library, &sites, &contacts));
        HubConfig {
            sites,
            sources,
            operators,
            contacts,
            notify,
            library: Arc::new(library),
            drill_plan,
            tls: TlsSettings::default(),
            audit_key: None,
            backups: None,
            store_cache_bytes: records::DEFAULT_CACHE_MIB * 1024 * 1024,
            ids_in_memory: crate::core::SEEN_IDS_WINDOW,
            store_cluster: Vec::new(),
            store_advertise: None,
            store_lease: std::time::Duration::from_secs(records::DEFAULT_LEASE_SECONDS),
            retention_days: records::DEFAULT_RETENTION_DAYS,
            warnings,
            cap_sender,
            utc_offset,
            shifts,
            dc09,
            tokens: tokens.owners,
        }
    }

    /// The `[hub]` table: the CAP sender (no spaces, commas, `<` or `&`, as CAP requires) and
    /// the site's UTC offset.
    fn hub(&mut self, raw: RawHub) -> (String, time::UtcOffset) {
        let mut sender = DEFAULT_CAP_SENDER.to_string();
        if let Some(s) = raw.cap_sender {
            let value = s.get_ref();
            if value.is_empty()
                || value
                    .chars()
                    .any(|c| c.is_whitespace() || ",<&".contains(c))
            {
                let m = format!(
                    "\"{value}\" is not a CAP sender: it must be non-empty, without spaces, \
                     commas, < or &, e.g. \"control-room.example.com\""
                );
                self.problem(&s, "hub.cap_sender".into(), m);
            } else {
                sender = value.clone();
            }
        }
        let mut offset = DEFAULT_UTC_OFFSET;
        if let Some(o) = raw.utc_offset {
            match parse_offset(o.get_ref()) {
                Some(parsed) => offset = parsed,
                None => {
                    let m = format!("is \"{}\"; write it like \"+08:00\"", o.get_ref());
                    self.problem(&o, "hub.utc_offset".into(), m);
                }
            }
        }
        (sender, offset)
    }

    fn shifts(&mut self, raw: Option<Spanned<Vec<String>>>) -> crate::shifts::Shifts {
        let Some(raw) = raw else {
            return crate::shifts::Shifts::default();
        };
        crate::shifts::Shifts::parse(raw.get_ref()).unwrap_or_else(|m| {
            self.problem(&raw, "drills.shifts".into(), m);
            crate::shifts::Shifts::default()
        })
    }

    fn id(&mut self, id: &Spanned<String>, field: String, seen: &mut HashSet<String>) {
        let value = id.get_ref();
        let valid = !value.is_empty()
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c));
        if !valid {
            let m = format!("\"{value}\" is not a valid id (letters, digits, - _ . : only)");
            self.problem(id, field, m);
        } else if !seen.insert(value.clone()) {
            self.problem(id, field, format!("id \"{value}\" is used twice"));
        }
    }

    /// A heartbeat interval: more than zero and at most [`MAX_HEARTBEAT_SECS`].
    fn heartbeat(&mut self, value: Option<Spanned<u64>>, at: &str) -> Option<u64> {
        if let Some(secs) = &value
            && *secs.get_ref() > MAX_HEARTBEAT_SECS
        {
            let message = format!(
                "must be at most {MAX_HEARTBEAT_SECS} (three days): a source silent longer \
                 than that must be noticed (EN 81-28 asks a lift unit to test-call every 3 days)"
            );
            self.problem(secs, format!("{at}.heartbeat_secs"), message);
            return None;
        }
        self.positive(value, at, "heartbeat_secs")
    }

    fn positive<T: Copy + PartialEq + Default>(
        &mut self,
        value: Option<Spanned<T>>,
        at: &str,
        name: &str,
    ) -> Option<T> {
        let value = value?;
        if *value.get_ref() == T::default() {
            self.problem(
                &value,
                format!("{at}.{name}"),
                "must be greater than zero".into(),
            );
            return None;
        }
        Some(*value.get_ref())
    }

    fn token<T>(
        &mut self,
        raw: RawToken<'_>,
        at: &str,
        owner: &Spanned<T>,
        principal: Principal,
        tokens: &mut Tokens,
    ) {
        let hash = match (raw.token, raw.token_sha256) {
            (Some(t), None) if t.get_ref().trim() != t.get_ref() => {
                let m = "a token must not begin or end with a space or other whitespace";
                self.problem(t, format!("{at}.token"), m.to_string());
                None
            }
            (Some(t), None) if t.get_ref().len() >= 16 => {
                Some((secret::digest(t.get_ref()), t.span()))
            }
            (Some(t), None) => {
                let m = "a token must have at least 16 characters".to_string();
                self.problem(t, format!("{at}.token"), m);
                None
            }
            (None, Some(h)) => match parse_hex32(h.get_ref()) {
                Some(hash) => Some((hash, h.span())),
                None => {
                    let m = "must be 64 hexadecimal digits (a SHA-256 digest)".to_string();
                    self.problem(h, format!("{at}.token_sha256"), m);
                    None
                }
            },
            (Some(t), Some(_)) => {
                let m = "give either token or token_sha256, not both".to_string();
                self.problem(t, format!("{at}.token"), m);
                None
            }
            (None, None) => {
                let m = "needs a token or a token_sha256".to_string();
                self.problem(owner, format!("{at}.token"), m);
                None
            }
        };
        let Some((hash, span)) = hash else {
            return;
        };
        let line = line_of(self.text, span.start);
        if let Some((first, first_line)) = tokens.first_use.get(&hash) {
            let message = format!(
                "this token is already used by {first} (line {first_line}); give each its own"
            );
            self.problems.push(ConfigProblem {
                line,
                field: format!("{at}.token"),
                message,
            });
            return;
        }
        tokens.first_use.insert(hash, (at.to_string(), line));
        tokens.owners.push((hash, principal));
    }
}

/// The tokens read so far: each digest's owner, and where each digest was first given.
#[derive(Default)]
struct Tokens {
    owners: Vec<([u8; 32], Principal)>,
    first_use: HashMap<[u8; 32], (String, usize)>,
}

/// The field path at a byte offset, e.g. `sources[1].kind`, read from the array-of-tables
/// headers and the key on that line; empty where there is no key.
fn field_at(text: &str, offset: usize) -> String {
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = text
        .get(line_start..)
        .and_then(|t| t.lines().next())
        .unwrap_or("");
    let above = before.get(..line_start).unwrap_or("");
    if let Some(header) = Header::of(line) {
        // The error is about a table itself, such as an unknown `[name]`.
        return header.name().to_string();
    }
    let key = line.split_once('=').map(|(k, _)| k.trim()).unwrap_or("");
    let path = match above.lines().rev().find_map(Header::of) {
        None => return key.to_string(),
        Some(Header::Table(name)) => name.to_string(),
        Some(Header::Array(name)) => {
            let index = above
                .lines()
                .filter(|l| Header::of(l) == Some(Header::Array(name)))
                .count()
                .saturating_sub(1);
            format!("{name}[{index}]")
        }
    };
    if key.is_empty() {
        path
    } else {
        format!("{path}.{key}")
    }
}

/// A table header line: `[name]` or `[[name]]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Header<'a> {
    Table(&'a str),
    Array(&'a str),
}

impl<'a> Header<'a> {
    fn of(line: &'a str) -> Option<Header<'a>> {
        let line = line.split('#').next().unwrap_or("").trim();
        if let Some(name) = line.strip_prefix("[[").and_then(|l| l.strip_suffix("]]")) {
            return Some(Header::Array(name.trim()));
        }
        let name = line.strip_prefix('[').and_then(|l| l.strip_suffix(']'))?;
        Some(Header::Table(name.trim()))
    }

    fn name(self) -> &'a str {
        match self {
            Header::Table(name) | Header::Array(name) => name,
        }
    }
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(0, |t| t.matches('\n').count()) + 1
}

fn parse_hex32(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(out)
}

/// The path of the demo site configuration shipped with the hub.
pub fn demo_config_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-site.toml")
}

/// The demo site configuration, embedded so the demo needs no files on disk.
pub const DEMO_CONFIG: &str = include_str!("../../examples/demo-site.toml");

#[cfg(test)]
mod tests;
