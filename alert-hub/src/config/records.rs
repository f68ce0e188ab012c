//! `[audit]`, `[backup]`, `[store]` and `[retention]`: the file of the key that signs the audit
//! checkpoints, the backups the hub takes of itself on a schedule, the store's memory, and how
//! long records stay in the live store before they are archived. Paths are relative to the
//! configuration file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::Checker;

/// How often a scheduled backup is taken unless `every_hours` says otherwise: daily.
pub const DEFAULT_BACKUP_HOURS: u64 = 24;
/// The longest allowed between two scheduled backups: a week.
pub const MAX_BACKUP_HOURS: u64 = 24 * 7;
/// How many scheduled backups are kept unless `keep` says otherwise.
pub const DEFAULT_BACKUPS_KEPT: u64 = 30;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAudit {
    pub(super) key: Option<String>,
}

/// The memory sled may keep for its read cache unless `[store] cache_mib` says otherwise.
/// Measured with `cargo bench -p system-tests --bench resources` at 1,000,000 events: the hub
/// held 122 MiB idle with 16, 157 MiB with 64 and 371 MiB with the 256 it once had, and took
/// events as fast with 16 (the system's file cache still holds the store for reads).
pub const DEFAULT_CACHE_MIB: u64 = 16;
/// The least cache allowed: below it sled reads most lookups from disk.
pub const MIN_CACHE_MIB: u64 = 8;
/// The most cache allowed: 64 GiB, far beyond any store the hub keeps.
pub const MAX_CACHE_MIB: u64 = 64 * 1024;

/// The fewest ids `[store] ids_in_memory` may keep: more than any group commit holds, so that
/// an id leaves memory only once it is stored.
pub const MIN_IDS_IN_MEMORY: u64 = 10_000;
/// The most ids `[store] ids_in_memory` may keep: 100 million, about 3.5 GiB.
pub const MAX_IDS_IN_MEMORY: u64 = 100_000_000;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStore {
    cache_mib: Option<Spanned<u64>>,
    ids_in_memory: Option<Spanned<u64>>,
    /// The NATS servers of the replicated journal (see `crate::store::journal`).
    pub(super) nats: Option<Spanned<Vec<Spanned<String>>>>,
    /// Where devices and consoles reach this hub, as the lease tells the standbys.
    pub(super) advertise: Option<Spanned<String>>,
    /// How long the active hub's lease lasts without a renewal.
    pub(super) lease_seconds: Option<Spanned<u64>>,
}

/// How long the active hub's lease lasts without a renewal unless `[store] lease_seconds`
/// says otherwise: a standby takes over within about this time of the active hub's death.
pub const DEFAULT_LEASE_SECONDS: u64 = 3;
/// The shortest lease allowed: renewals every 2/3 s leave room for one lost answer.
pub const MIN_LEASE_SECONDS: u64 = 2;
/// The longest lease allowed.
pub const MAX_LEASE_SECONDS: u64 = 120;

/// Checks an address to advertise: `http://` or `https://` and a host.
pub fn advertised(address: &str) -> Result<String, String> {
    let address = address.trim();
    let rest = address
        .strip_prefix("http://")
        .or_else(|| address.strip_prefix("https://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
            Ok(address.trim_end_matches('/').to_string())
        }
        _ => Err(format!(
            "{address:?} must be the URL devices and consoles reach this hub at, e.g. \
             https://hub-b.example:7400"
        )),
    }
}

/// One NATS server as `HOST:PORT` (a leading `nats://` is allowed), or what is wrong with it.
pub fn nats_server(entry: &str) -> Result<String, String> {
    let bare = entry.trim().strip_prefix("nats://").unwrap_or(entry.trim());
    let Some((host, port)) = bare.rsplit_once(':') else {
        return Err(format!("{entry:?} must be HOST:PORT, e.g. 127.0.0.1:4222"));
    };
    if host.is_empty() || host.contains('/') || host.contains(',') {
        return Err(format!("{entry:?} must be HOST:PORT, e.g. 127.0.0.1:4222"));
    }
    match port.parse::<u16>() {
        Ok(p) if p > 0 => Ok(format!("{host}:{p}")),
        _ => Err(format!("{entry:?} has no valid port (1 to 65535)")),
    }
}

/// The servers of `--store nats://HOST:PORT[,HOST:PORT...]`, or what is wrong with it.
pub fn nats_store(url: &str) -> Result<Vec<String>, String> {
    let Some(list) = url.strip_prefix("nats://") else {
        return Err(format!(
            "{url:?} is not a store: give nats://HOST:PORT[,HOST:PORT...] (without --store the \
             hub keeps its data in sled, in the data directory)"
        ));
    };
    list.split(',').map(nats_server).collect()
}

/// How many days events and closed incidents stay in the live store unless `[retention] days`
/// says otherwise; older ones are archived (see `crate::store::archive`).
pub const DEFAULT_RETENTION_DAYS: u64 = 400;
/// The fewest days allowed: records are kept at least a year.
pub const MIN_RETENTION_DAYS: u64 = 365;
/// The most days allowed: a hundred years.
pub const MAX_RETENTION_DAYS: u64 = 36_500;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRetention {
    days: Option<Spanned<u64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBackup {
    dir: Option<Spanned<String>>,
    every_hours: Option<Spanned<u64>>,
    keep: Option<Spanned<u64>>,
}

/// The hub's own backups: into `dir`, every `every`, the newest `keep` kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSchedule {
    pub dir: PathBuf,
    pub every: Duration,
    pub keep: usize,
}

/// A path of the configuration, relative to the file's directory.
pub(super) fn relative(file: &Path, path: &str) -> PathBuf {
    file.parent().unwrap_or(Path::new(".")).join(path)
}

impl Checker<'_> {
    /// The bytes of sled's cache `[store] cache_mib` asks for, and how many ids the index of
    /// sent ids keeps in memory (`[store] ids_in_memory`).
    pub(super) fn store_settings(&mut self, raw: RawStore) -> (u64, usize) {
        let window = crate::core::SEEN_IDS_WINDOW;
        let ids = match raw.ids_in_memory {
            Some(n) if !(MIN_IDS_IN_MEMORY..=MAX_IDS_IN_MEMORY).contains(n.get_ref()) => {
                let message = format!("must be from {MIN_IDS_IN_MEMORY} to {MAX_IDS_IN_MEMORY}");
                self.problem(&n, "store.ids_in_memory".into(), message);
                window
            }
            Some(n) => usize::try_from(*n.get_ref()).unwrap_or(window),
            None => window,
        };
        (self.store_cache(raw.cache_mib), ids)
    }

    /// The servers `[store] nats` names for the replicated journal; empty without it.
    pub(super) fn nats_servers(
        &mut self,
        raw: Option<Spanned<Vec<Spanned<String>>>>,
    ) -> Vec<String> {
        let Some(list) = raw else {
            return Vec::new();
        };
        if list.get_ref().is_empty() {
            let message = "must name at least one server, as \"HOST:PORT\"".to_string();
            self.problem(&list, "store.nats".into(), message);
            return Vec::new();
        }
        let mut servers = Vec::new();
        for (i, entry) in list.get_ref().iter().enumerate() {
            match nats_server(entry.get_ref()) {
                Ok(server) => servers.push(server),
                Err(message) => self.problem(entry, format!("store.nats[{i}]"), message),
            }
        }
        servers
    }

    /// `[store] advertise`, checked, and `[store] lease_seconds` as a duration.
    pub(super) fn lease_settings(&mut self, raw: &mut RawStore) -> (Option<String>, Duration) {
        let advertise = raw
            .advertise
            .take()
            .and_then(|a| match advertised(a.get_ref()) {
                Ok(address) => Some(address),
                Err(message) => {
                    self.problem(&a, "store.advertise".into(), message);
                    None
                }
            });
        let seconds = match raw.lease_seconds.take() {
            Some(s) if !(MIN_LEASE_SECONDS..=MAX_LEASE_SECONDS).contains(s.get_ref()) => {
                let message =
                    format!("must be from {MIN_LEASE_SECONDS} to {MAX_LEASE_SECONDS} (seconds)");
                self.problem(&s, "store.lease_seconds".into(), message);
                DEFAULT_LEASE_SECONDS
            }
            Some(s) => *s.get_ref(),
            None => DEFAULT_LEASE_SECONDS,
        };
        (advertise, Duration::from_secs(seconds))
    }

    /// The days `[retention] days` keeps records live: at least a year.
    pub(super) fn retention_days(&mut self, raw: RawRetention) -> u64 {
        match raw.days {
            Some(d) if !(MIN_RETENTION_DAYS..=MAX_RETENTION_DAYS).contains(d.get_ref()) => {
                let message = format!(
                    "must be from {MIN_RETENTION_DAYS} to {MAX_RETENTION_DAYS} (days): records \
                     are kept at least a year"
                );
                self.problem(&d, "retention.days".into(), message);
                DEFAULT_RETENTION_DAYS
            }
            Some(d) => *d.get_ref(),
            None => DEFAULT_RETENTION_DAYS,
        }
    }

    /// The bytes of sled's cache `[store] cache_mib` asks for.
    fn store_cache(&mut self, cache_mib: Option<Spanned<u64>>) -> u64 {
        match cache_mib {
            Some(m) if !(MIN_CACHE_MIB..=MAX_CACHE_MIB).contains(m.get_ref()) => {
                let message = format!("must be from {MIN_CACHE_MIB} to {MAX_CACHE_MIB} (MiB)");
                self.problem(&m, "store.cache_mib".into(), message);
                DEFAULT_CACHE_MIB * 1024 * 1024
            }
            Some(m) => *m.get_ref() * 1024 * 1024,
            None => DEFAULT_CACHE_MIB * 1024 * 1024,
        }
    }

    /// The backup schedule `[backup]` asks for; `None` without a `dir` (or with a problem).
    pub(super) fn backups(&mut self, raw: RawBackup, file: &Path) -> Option<BackupSchedule> {
        let Some(dir) = raw.dir else {
            if let Some(at) = &raw.every_hours {
                let message = "needs backup.dir, the directory the backups go to".to_string();
                self.problem(at, "backup.every_hours".into(), message);
            }
            if let Some(at) = &raw.keep {
                let message = "needs backup.dir, the directory the backups go to".to_string();
                self.problem(at, "backup.keep".into(), message);
            }
            return None;
        };
        if dir.get_ref().trim().is_empty() {
            self.problem(&dir, "backup.dir".into(), "must name a directory".into());
            return None;
        }
        let hours = match raw.every_hours {
            Some(h) if *h.get_ref() == 0 || *h.get_ref() > MAX_BACKUP_HOURS => {
                let message = format!(
                    "must be from 1 to {MAX_BACKUP_HOURS} (a week): records are only as safe \
                     as the last backup"
                );
                self.problem(&h, "backup.every_hours".into(), message);
                return None;
            }
            Some(h) => *h.get_ref(),
            None => DEFAULT_BACKUP_HOURS,
        };
        let keep = match raw.keep {
            Some(k) if *k.get_ref() == 0 => {
                self.problem(&k, "backup.keep".into(), "must be at least 1".into());
                return None;
            }
            Some(k) => *k.get_ref(),
            None => DEFAULT_BACKUPS_KEPT,
        };
        Some(BackupSchedule {
            dir: relative(file, dir.get_ref()),
            every: Duration::from_secs(hours * 3600),
            keep: usize::try_from(keep).unwrap_or(usize::MAX),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::HubConfig;

    const SITE: &str = "[[sites]]\nid = \"gg\"\nname = \"Green Garden\"\n";

    fn parse(tail: &str) -> Result<HubConfig, String> {
        HubConfig::parse(&format!("{SITE}{tail}"), Path::new("/etc/hub/site.toml"))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_journal_servers_are_checked_with_their_line_and_field() {
        let config = parse("[store]\nnats = [\"127.0.0.1:4222\", \"nats://10.0.0.2:4223\"]\n")
            .expect("valid");
        assert_eq!(config.store_cluster, ["127.0.0.1:4222", "10.0.0.2:4223"]);
        assert!(parse("").expect("valid").store_cluster.is_empty());
        let err = parse("[store]\nnats = [\"127.0.0.1:4222\", \"hub-b\"]\n").expect_err("bad");
        assert!(
            err.contains("site.toml:5: store.nats[1]: \"hub-b\" must be HOST:PORT"),
            "{err}"
        );
        let err = parse("[store]\nnats = []\n").expect_err("empty");
        assert!(
            err.contains("store.nats: must name at least one server"),
            "{err}"
        );
        let err = parse("[store]\nnats = [\"h:0\"]\n").expect_err("port");
        assert!(err.contains("has no valid port"), "{err}");
    }

    #[test]
    fn the_advertised_address_and_the_lease_are_checked_with_their_line_and_field() {
        let config =
            parse("[store]\nadvertise = \"https://hub-b.example:7400/\"\nlease_seconds = 5\n")
                .expect("valid");
        assert_eq!(
            config.store_advertise.as_deref(),
            Some("https://hub-b.example:7400")
        );
        assert_eq!(config.store_lease, Duration::from_secs(5));
        let defaults = parse("").expect("valid");
        assert_eq!(defaults.store_advertise, None);
        assert_eq!(defaults.store_lease, Duration::from_secs(3));
        let err = parse("[store]\nadvertise = \"hub-b:7400\"\n").expect_err("no scheme");
        assert!(
            err.contains("site.toml:5: store.advertise: \"hub-b:7400\" must be the URL"),
            "{err}"
        );
        let err = parse("[store]\nlease_seconds = 1\n").expect_err("short");
        assert!(
            err.contains("store.lease_seconds: must be from 2 to 120"),
            "{err}"
        );
    }

    #[test]
    fn the_store_option_names_nats_servers_or_says_what_it_takes() {
        assert_eq!(
            nats_store("nats://127.0.0.1:4222,127.0.0.1:4223").expect("valid"),
            ["127.0.0.1:4222", "127.0.0.1:4223"]
        );
        let err = nats_store("sled:///srv/hub").expect_err("not nats");
        assert!(err.contains("give nats://HOST:PORT"), "{err}");
        let err = nats_store("nats://a:1,b").expect_err("no port");
        assert!(err.contains("\"b\" must be HOST:PORT"), "{err}");
    }

    #[test]
    fn backups_and_the_audit_key_are_found_beside_the_configuration() {
        let config = parse("[audit]\nkey = \"keys/hub.key\"\n\n[backup]\ndir = \"backups\"\n")
            .expect("valid");
        assert_eq!(
            config.audit_key.as_deref(),
            Some(Path::new("/etc/hub/keys/hub.key"))
        );
        assert_eq!(
            config.backups,
            Some(BackupSchedule {
                dir: PathBuf::from("/etc/hub/backups"),
                every: Duration::from_secs(24 * 3600),
                keep: 30,
            })
        );
        let config = parse("[backup]\ndir = \"/srv/b\"\nevery_hours = 6\nkeep = 4\n").expect("ok");
        let schedule = config.backups.expect("scheduled");
        assert_eq!((schedule.every.as_secs(), schedule.keep), (6 * 3600, 4));
        assert!(parse("").expect("valid").backups.is_none());
    }

    #[test]
    fn a_bad_schedule_is_refused_with_its_line_and_field() {
        let err = parse("[backup]\ndir = \"b\"\nevery_hours = 0\n").expect_err("zero");
        assert!(
            err.starts_with("/etc/hub/site.toml:6: backup.every_hours: must be from 1 to 168"),
            "{err}"
        );
        let err = parse("[backup]\ndir = \"b\"\nevery_hours = 500\n").expect_err("too rare");
        assert!(err.contains("backup.every_hours"), "{err}");
        let err = parse("[backup]\ndir = \"b\"\nkeep = 0\n").expect_err("none kept");
        assert!(err.contains(":6: backup.keep: must be at least 1"), "{err}");
        let err = parse("[backup]\nkeep = 3\n").expect_err("no dir");
        assert!(err.contains(":5: backup.keep: needs backup.dir"), "{err}");
        let err = parse("[backup]\ndir = \"\"\n").expect_err("empty dir");
        assert!(err.contains("backup.dir: must name a directory"), "{err}");
    }

    #[test]
    fn the_store_cache_is_set_in_mib_and_checked() {
        assert_eq!(parse("").expect("valid").store_cache_bytes, 16 << 20);
        let config = parse("[store]\ncache_mib = 200\n").expect("valid");
        assert_eq!(config.store_cache_bytes, 200 << 20);
        let err = parse("[store]\ncache_mib = 2\n").expect_err("too small");
        assert!(
            err.contains(":5: store.cache_mib: must be from 8 to 65536 (MiB)"),
            "{err}"
        );
        let err = parse("[store]\ncache_mib = 999999\n").expect_err("too big");
        assert!(err.contains("store.cache_mib"), "{err}");
        assert_eq!(config.ids_in_memory, crate::core::SEEN_IDS_WINDOW);
        let config = parse("[store]\nids_in_memory = 20000\n").expect("valid");
        assert_eq!(config.ids_in_memory, 20_000);
        let err = parse("[store]\nids_in_memory = 100\n").expect_err("too few");
        assert!(
            err.contains(":5: store.ids_in_memory: must be from 10000 to 100000000"),
            "{err}"
        );
        let err = parse("[store]\ncache = 64\n").expect_err("unknown field");
        assert!(err.contains("cache"), "{err}");
    }

    #[test]
    fn retention_is_400_days_unless_set_and_never_under_a_year() {
        assert_eq!(parse("").expect("valid").retention_days, 400);
        let config = parse("[retention]\ndays = 365\n").expect("valid");
        assert_eq!(config.retention_days, 365);
        let err = parse("[retention]\ndays = 364\n").expect_err("under a year");
        assert!(
            err.contains(":5: retention.days: must be from 365 to 36500 (days)"),
            "{err}"
        );
        let err = parse("[retention]\ndays = 0\n").expect_err("zero");
        assert!(err.contains("retention.days"), "{err}");
        let err = parse("[retention]\nkeep = 400\n").expect_err("unknown field");
        assert!(err.contains("keep"), "{err}");
    }
}
