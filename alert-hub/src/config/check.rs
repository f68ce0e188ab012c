//! The checks of a site file read as TOML: each field against what the hub can run with, every
//! problem kept with its line and field so that the operator gets all of them at once.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use toml::Spanned;

use super::location::line_of;
use super::{
    DEFAULT_BURST, DEFAULT_CAP_SENDER, DEFAULT_HEARTBEAT_SECS, DEFAULT_MAX_EVENTS_PER_SEC,
    DEFAULT_UTC_OFFSET, HubConfig, MAX_HEARTBEAT_SECS, Operator, Principal, RawConfig, RawHub,
    RawToken, Site, Source, TlsSettings, parse_offset, phones, records,
};
use crate::error::ConfigProblem;
use crate::secret;

pub(super) struct Checker<'a> {
    pub(super) text: &'a str,
    pub(super) problems: Vec<ConfigProblem>,
}

impl Checker<'_> {
    pub(super) fn problem<T>(&mut self, at: &Spanned<T>, field: String, message: String) {
        let line = line_of(self.text, at.span().start);
        self.problems.push(ConfigProblem {
            line,
            field,
            message,
        });
    }

    pub(super) fn config(
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

    pub(super) fn id(&mut self, id: &Spanned<String>, field: String, seen: &mut HashSet<String>) {
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

    pub(super) fn positive<T: Copy + PartialEq + Default>(
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
