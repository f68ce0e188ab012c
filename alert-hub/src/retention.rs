//! When the hub archives (see `store::archive`): once at start and then once a day, on a
//! blocking thread of its own, so that the core goes on storing and acking device events.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::watch;

use crate::hub::stopped;
use crate::store::Store;

/// How often a running hub archives.
pub const EVERY: Duration = Duration::from_secs(24 * 3600);

/// Archives what is older than `days` now and every [`EVERY`] until shutdown.
pub async fn run(store: Arc<dyn Store>, days: u64, mut shutdown: watch::Receiver<bool>) {
    let mut interval = tokio::time::interval(EVERY);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = interval.tick() => {
                let store = store.clone();
                let now = OffsetDateTime::now_utc();
                match tokio::task::spawn_blocking(move || store.archive(now, days)).await {
                    Ok(Ok(done)) if done.events + done.incidents > 0 => tracing::info!(
                        events = done.events,
                        incidents = done.incidents,
                        log_entries = done.log_entries,
                        files = done.files.len(),
                        bytes_freed = done.bytes_freed,
                        days,
                        "archived records older than the retention"
                    ),
                    Ok(Ok(_)) => tracing::debug!(days, "nothing older than the retention"),
                    Ok(Err(e)) => tracing::error!(error = %e, "archiving failed; the records stay in the live store"),
                    Err(e) => tracing::error!(error = %e, "the archiving task failed"),
                }
            }
            _ = stopped(&mut shutdown) => return,
        }
    }
}
