//! The lease from the journal's side: a standby hub follows the stream and takes the lease when
//! it is free; the active hub renews it until it is lost, and gives it up at shutdown.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::encoding::Problem;
use super::leader::{Leadership, Renewal};
use super::lease::{Holder, Lease, Next, Timing};
use super::{FOLLOW_EVERY, JournaledStore, apply};
use crate::error::StoreError;

impl JournaledStore {
    /// Applies what the stream gained since the local store's last message; returns the
    /// stream's last sequence. Runs on the journal's runtime.
    async fn catch_up(&self) -> Result<u64, Problem> {
        let applied = self
            .local
            .journal_seq()
            .map_err(|e| format!("cannot read the store: {e}"))?;
        let last = self.cluster.last_seq().await?;
        if last > applied {
            let batches = apply(&self.cluster, &self.local, applied + 1, last).await?;
            tracing::debug!(
                from = applied + 1,
                through = last,
                batches,
                "followed the journal"
            );
        }
        Ok(last)
    }

    /// Stands by until this hub holds the lease, advertising `address` once it does: applies
    /// the stream as it grows, tells `seen` which hub is active, and takes the lease once the
    /// bucket has no holder; then applies the tail, after which the store commits.
    pub async fn wait_for_lease(
        self: &Arc<Self>,
        address: String,
        seen: tokio::sync::watch::Sender<Option<Holder>>,
    ) -> Result<(), StoreError> {
        let store = self.clone();
        let task = self.spawn(async move { store.campaign(address, seen).await })?;
        task.await
            .map_err(|e| self.fail(format!("the journal's runtime stopped: {e}")))?
    }

    async fn campaign(
        &self,
        address: String,
        seen: tokio::sync::watch::Sender<Option<Holder>>,
    ) -> Result<(), StoreError> {
        let me = Holder {
            hub: self.hub.clone(),
            address,
        };
        let configured = self.lease().0.ttl;
        let leadership = loop {
            match Leadership::open(&self.cluster.js, configured, me.clone()).await {
                Ok(leadership) => break leadership,
                Err(e) => {
                    tracing::warn!(error = %e, "waiting for the lease bucket");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        };
        let timing = Timing::new(leadership.ttl);
        self.lease().0 = timing;
        let mut announced: Option<Holder> = None;
        // The last problem warned of, so that a cluster that stays away is not logged 4 times a
        // second.
        let mut trouble: Option<String> = None;
        loop {
            let looked = match self.catch_up().await {
                Ok(_) => leadership.holder().await,
                Err(e) => Err(format!("cannot follow the journal: {e}")),
            };
            if let Err(e) = &looked {
                if trouble.as_ref() != Some(e) {
                    tracing::warn!(error = %e, "standing by without the cluster; trying again");
                }
            } else if trouble.take().is_some() {
                tracing::info!("standing by: the cluster answers again");
            }
            trouble = looked.as_ref().err().cloned().or(trouble);
            if let Ok(holder) = looked {
                let free = self.lease().1.observed(holder.clone());
                if let Some(active) = holder.as_ref().filter(|h| announced.as_ref() != Some(h)) {
                    tracing::info!(
                        active = %active.hub,
                        address = %active.address,
                        "standing by: another hub is active; following its journal"
                    );
                    announced = Some(active.clone());
                }
                seen.send_replace(holder);
                if free && self.try_take(&leadership, timing).await? {
                    *self.leadership.lock().unwrap_or_else(|p| p.into_inner()) = Some(leadership);
                    return Ok(());
                }
            }
            tokio::time::sleep(FOLLOW_EVERY).await;
        }
    }

    /// Tries to take the free lease; once taken, applies the tail of the stream so that the
    /// store commits after it. Whether this hub now holds the lease.
    async fn try_take(&self, leadership: &Leadership, timing: Timing) -> Result<bool, StoreError> {
        let sent = Instant::now();
        match leadership.take().await {
            Ok(Some(revision)) => {
                self.lease().1.written(timing, revision, sent);
                let last = self.catch_up().await.map_err(|m| self.fail(m))?;
                self.position().last = last;
                tracing::info!(
                    hub = %self.hub,
                    address = %leadership.me().address,
                    through = last,
                    "took the lease: this hub is the active one"
                );
                Ok(true)
            }
            Ok(None) => Ok(false),
            Err(e) => {
                tracing::warn!(error = %e, "cannot take the lease; trying again");
                Ok(false)
            }
        }
    }

    /// Keeps the lease this hub took, renewing it as [`lease`] says; completes, saying why,
    /// once the lease is lost (from then on the store commits nothing).
    pub async fn keep_lease(self: &Arc<Self>) -> String {
        let store = self.clone();
        let task = self.spawn(async move { store.renew_until_lost().await });
        match task {
            Ok(task) => task
                .await
                .unwrap_or_else(|e| format!("the journal's runtime stopped: {e}")),
            Err(e) => e.to_string(),
        }
    }

    async fn renew_until_lost(&self) -> String {
        let leadership = self
            .leadership
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let Some(leadership) = leadership else {
            return "this hub never took the lease".into();
        };
        // Warned of a renewal without an answer, once until one is answered again.
        let mut unanswered = false;
        loop {
            let next = {
                let (timing, lease) = &mut *self.lease();
                lease.next(*timing, Instant::now())
            };
            match next {
                Next::Wait(until) => tokio::time::sleep_until(until.into()).await,
                Next::Renew { revision } => {
                    let sent = Instant::now();
                    let patience = self.lease().0.renew_every();
                    let renewal = tokio::time::timeout(patience, leadership.renew(revision))
                        .await
                        .unwrap_or_else(|_| Renewal::NoAnswer("no answer in time".into()));
                    let (timing, lease) = &mut *self.lease();
                    match renewal {
                        Renewal::Renewed(revision) => {
                            lease.written(*timing, revision, sent);
                            if std::mem::take(&mut unanswered) {
                                tracing::info!("the lease is renewed again");
                            }
                        }
                        Renewal::Taken(why) => lease.taken(why),
                        Renewal::NoAnswer(why) => {
                            if !std::mem::replace(&mut unanswered, true) {
                                tracing::warn!(error = %why, "the lease was not renewed; trying again until it runs out");
                            }
                            lease.retry_soon(Instant::now());
                        }
                    }
                }
                Next::GiveUp => {
                    return match &self.lease().1 {
                        Lease::Lost { why } => why.clone(),
                        _ => "the lease is not held".into(),
                    };
                }
            }
        }
    }

    /// Gives the lease up, for a standby to take at once rather than when it expires: from
    /// here on the store commits nothing. Call it once the hub has stopped taking events.
    pub fn release_lease(&self) {
        let revision = {
            let (_, lease) = &mut *self.lease();
            let revision = match lease {
                Lease::Held { revision, .. } => Some(*revision),
                _ => None,
            };
            *lease = Lease::Lost {
                why: "released at shutdown".into(),
            };
            revision
        };
        let leadership = self
            .leadership
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let (Some(revision), Some(leadership)) = (revision, leadership) {
            match self.run(async move { leadership.release(revision).await }) {
                Ok(()) => tracing::info!("released the lease"),
                Err(e) => tracing::warn!(error = %e, "the lease will expire instead"),
            }
        }
    }
}
