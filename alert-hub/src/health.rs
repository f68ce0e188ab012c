//! Whether the hub can store events now: set by the writer thread as its commits fail and
//! recover, read by ingest, the console feed and `/healthz`, and watched by the server, which
//! stops the hub when the writer gives up.

use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering::{Acquire, Release};

use tokio::sync::watch;

/// The store's health as the writer last found it.
#[derive(Debug)]
pub struct StoreHealth {
    failing: AtomicBool,
    gave_up: watch::Sender<bool>,
}

impl Default for StoreHealth {
    fn default() -> Self {
        StoreHealth {
            failing: AtomicBool::new(false),
            gave_up: watch::Sender::new(false),
        }
    }
}

impl StoreHealth {
    /// Whether the last commit failed: events are refused until one succeeds.
    pub fn failing(&self) -> bool {
        self.failing.load(Acquire)
    }

    /// A commit failed (true) or succeeded again (false).
    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Release);
    }

    /// The writer stopped retrying: the hub must exit so that a supervisor restarts it.
    pub fn give_up(&self) {
        self.set_failing(true);
        self.gave_up.send_replace(true);
    }

    /// Completes once the writer has given up.
    pub async fn given_up(&self) {
        let mut rx = self.gave_up.subscribe();
        let _ = rx.wait_for(|gave_up| *gave_up).await;
    }
}
