//! The backups the hub takes of itself on the schedule `[backup]` gives: every `every_hours`
//! (the first one that long after start) a backup named by its UTC time, `hub-<time>.backup`,
//! into `dir`; then all but the newest `keep` such files there are removed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use time::OffsetDateTime;
use time::macros::format_description;
use tokio::sync::watch;

use crate::config::BackupSchedule;
use crate::hub::stopped;
use crate::store::Store;
use crate::store::backup::{Counts, WriteError, write_to};

const PREFIX: &str = "hub-";
const SUFFIX: &str = ".backup";

/// The name of the scheduled backup taken at `at`: `hub-20261205T084000Z.backup`, so that the
/// names sort as the times do.
pub fn file_name(at: OffsetDateTime) -> String {
    let format = format_description!("[year][month][day]T[hour][minute][second]Z");
    let utc = at.to_offset(time::UtcOffset::UTC);
    let stamp = utc
        .format(&format)
        .unwrap_or_else(|_| utc.unix_timestamp().to_string());
    format!("{PREFIX}{stamp}{SUFFIX}")
}

/// Which of the files `names` of a backup directory to remove so that the newest `keep`
/// scheduled backups remain; files that are not scheduled backups are never named.
pub fn to_prune(names: impl IntoIterator<Item = String>, keep: usize) -> Vec<String> {
    let mut backups: Vec<String> = names
        .into_iter()
        .filter(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
        .collect();
    backups.sort();
    let excess = backups.len().saturating_sub(keep);
    backups.truncate(excess);
    backups
}

/// Takes one scheduled backup at `now` and prunes the old ones; returns the file written, what
/// it holds, and the files removed.
pub fn take(
    store: &dyn Store,
    schedule: &BackupSchedule,
    now: OffsetDateTime,
) -> Result<(PathBuf, Counts, Vec<PathBuf>), WriteError> {
    std::fs::create_dir_all(&schedule.dir)?;
    let file = schedule.dir.join(file_name(now));
    let counts = write_to(store, &file)?;
    let mut removed = Vec::new();
    for name in to_prune(names_in(&schedule.dir)?, schedule.keep) {
        let path = schedule.dir.join(name);
        std::fs::remove_file(&path)?;
        removed.push(path);
    }
    Ok((file, counts, removed))
}

fn names_in(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        if let Some(name) = entry?.file_name().to_str() {
            names.push(name.to_string());
        }
    }
    Ok(names)
}

/// Takes a backup every `schedule.every` until shutdown.
pub async fn run(
    store: Arc<dyn Store>,
    schedule: BackupSchedule,
    mut shutdown: watch::Receiver<bool>,
) {
    let start = tokio::time::Instant::now() + schedule.every;
    let mut interval = tokio::time::interval_at(start, schedule.every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = interval.tick() => {
                let (store, schedule) = (store.clone(), schedule.clone());
                let now = OffsetDateTime::now_utc();
                match tokio::task::spawn_blocking(move || take(store.as_ref(), &schedule, now)).await {
                    Ok(Ok((file, counts, removed))) => tracing::info!(
                        file = %file.display(),
                        records = counts.records,
                        bytes = counts.bytes,
                        removed = removed.len(),
                        "took a scheduled backup"
                    ),
                    Ok(Err(e)) => tracing::error!(error = %e, "the scheduled backup failed"),
                    Err(e) => tracing::error!(error = %e, "the scheduled backup task failed"),
                }
            }
            _ = stopped(&mut shutdown) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use time::macros::datetime;

    use super::*;
    use crate::store::SledStore;

    #[test]
    fn backups_are_named_by_their_utc_time_so_they_sort_as_taken() {
        assert_eq!(
            file_name(datetime!(2026-12-05 16:40:07 +08:00)),
            "hub-20261205T084007Z.backup"
        );
        assert!(
            file_name(datetime!(2026-12-05 09:00 UTC)) > file_name(datetime!(2026-12-04 23:00 UTC))
        );
    }

    #[test]
    fn only_the_oldest_scheduled_backups_beyond_keep_are_pruned() {
        let names = [
            "hub-20261203T000000Z.backup",
            "notes.txt",
            "hub-20261201T000000Z.backup",
            "hub-20261205T000000Z.backup",
            "by-hand.backup",
            "hub-20261204T000000Z.backup",
        ]
        .map(String::from);
        assert_eq!(
            to_prune(names.clone(), 2),
            vec!["hub-20261201T000000Z.backup", "hub-20261203T000000Z.backup"]
        );
        assert!(to_prune(names, 10).is_empty());
    }

    #[test]
    fn a_scheduled_backup_is_written_and_the_oldest_removed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SledStore::open(&dir.path().join("data")).expect("store");
        let schedule = BackupSchedule {
            dir: dir.path().join("backups"),
            every: Duration::from_secs(3600),
            keep: 2,
        };
        let mut written = Vec::new();
        for hour in 0..3 {
            let now = datetime!(2026-12-05 00:00 UTC) + time::Duration::hours(hour);
            let (file, counts, removed) = take(&store, &schedule, now).expect("taken");
            assert!(counts.records > 0, "the store's records");
            assert_eq!(removed.len(), usize::from(hour == 2));
            written.push(file);
        }
        assert!(!written[0].exists(), "the oldest is pruned");
        assert!(written[1].exists() && written[2].exists());
    }
}
