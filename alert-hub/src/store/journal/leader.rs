//! The NATS side of the active hub's lease: the key-value bucket `ALERT_HUB_LEADER` (three
//! replicas, every key forgotten a lease's length after its last write) and its one key, which
//! names the active hub and where it is reached. Taking the lease is creating the key; keeping
//! it is rewriting it at the revision last written (compare-and-set). Async code only; the
//! decisions are [`super::lease`]'s.

use std::time::Duration;

use async_nats::jetstream::{self, kv, stream};

use super::encoding::Problem;
use super::lease::Holder;

/// The bucket that holds the lease.
pub const BUCKET: &str = "ALERT_HUB_LEADER";
/// The key naming the active hub.
const KEY: &str = "active";

/// The lease's bucket on the cluster, and this hub as it writes itself there.
#[derive(Debug, Clone)]
pub struct Leadership {
    bucket: kv::Store,
    me: Holder,
    /// How long the bucket keeps the key after its last write, as the bucket was made (by
    /// whichever hub made it first).
    pub ttl: Duration,
}

/// How a renewal went.
#[derive(Debug)]
pub enum Renewal {
    /// Written at this revision.
    Renewed(u64),
    /// The key is at another revision or gone: another hub may hold the lease.
    Taken(String),
    /// No answer; the lease may still be this hub's.
    NoAnswer(String),
}

impl Leadership {
    /// Finds the bucket, or makes it (three replicas, keys kept `ttl` after their last write).
    pub async fn open(
        js: &jetstream::Context,
        ttl: Duration,
        me: Holder,
    ) -> Result<Leadership, Problem> {
        let bucket = match js.get_key_value(BUCKET).await {
            Ok(bucket) => bucket,
            Err(_) => js
                .create_key_value(kv::Config {
                    bucket: BUCKET.into(),
                    description: "the active alert hub".into(),
                    history: 1,
                    max_age: ttl,
                    num_replicas: 3,
                    storage: stream::StorageType::File,
                    ..Default::default()
                })
                .await
                .map_err(|e| format!("cannot make the lease bucket {BUCKET}: {e}"))?,
        };
        let status = bucket
            .status()
            .await
            .map_err(|e| format!("cannot read the lease bucket {BUCKET}: {e}"))?;
        let kept = status.max_age();
        if kept.is_zero() {
            return Err(format!(
                "the lease bucket {BUCKET} keeps its keys forever: a lease would never end; \
                 delete the bucket and start the hubs again"
            ));
        }
        if kept != ttl {
            tracing::warn!(
                bucket = BUCKET,
                configured_ms = ttl.as_millis() as u64,
                bucket_ms = kept.as_millis() as u64,
                "the lease bucket was made with another lease length; the bucket's is used"
            );
        }
        Ok(Leadership {
            bucket,
            me,
            ttl: kept,
        })
    }

    /// This hub as the key names it.
    pub fn me(&self) -> &Holder {
        &self.me
    }

    /// The hub holding the lease, or `None` when the key is gone (expired or deleted).
    pub async fn holder(&self) -> Result<Option<Holder>, Problem> {
        let entry = self
            .bucket
            .entry(KEY)
            .await
            .map_err(|e| format!("cannot read the lease: {e}"))?;
        let Some(entry) = entry else { return Ok(None) };
        if entry.operation != kv::Operation::Put {
            return Ok(None);
        }
        let holder = serde_json::from_slice(&entry.value).unwrap_or_else(|_| Holder {
            hub: "unknown".into(),
            address: String::from_utf8_lossy(&entry.value).into_owned(),
        });
        Ok(Some(holder))
    }

    /// Creates the key naming this hub: `Some(revision)` when this hub now holds the lease,
    /// `None` when another hub was first.
    pub async fn take(&self) -> Result<Option<u64>, Problem> {
        match self.bucket.create(KEY, self.value()?.into()).await {
            Ok(revision) => Ok(Some(revision)),
            Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => Ok(None),
            Err(e) => Err(format!("cannot take the lease: {e}")),
        }
    }

    /// Rewrites the key, expecting it at `revision`.
    pub async fn renew(&self, revision: u64) -> Renewal {
        let value = match self.value() {
            Ok(value) => value,
            Err(e) => return Renewal::NoAnswer(e),
        };
        match self.bucket.update(KEY, value.into(), revision).await {
            Ok(revision) => Renewal::Renewed(revision),
            Err(e) if e.kind() == kv::UpdateErrorKind::WrongLastRevision => Renewal::Taken(
                format!("the lease key is no longer at revision {revision}: another hub took it"),
            ),
            Err(e) => Renewal::NoAnswer(format!("cannot renew the lease: {e}")),
        }
    }

    /// Deletes the key if this hub still holds it at `revision`, so that a standby need not
    /// wait for it to expire.
    pub async fn release(&self, revision: u64) -> Result<(), Problem> {
        self.bucket
            .delete_expect_revision(KEY, Some(revision))
            .await
            .map_err(|e| format!("cannot release the lease: {e}"))
    }

    fn value(&self) -> Result<Vec<u8>, Problem> {
        serde_json::to_vec(&self.me).map_err(|e| format!("cannot encode the lease: {e}"))
    }
}
