//! The count of open connections, and the queue of those not yet authenticated, oldest first,
//! from which the oldest is shed so that idle sockets can never keep a device, a console or
//! the health check out.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::Notify;

/// File descriptors kept back from connections, for the store, the logs and the notifier.
pub const RESERVED_FILES: u64 = 64;

/// How many connections the hub keeps open at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// All open connections; kept below the open-file limit by [`RESERVED_FILES`].
    pub total: usize,
    /// Connections that have not yet presented a valid token: a quarter of the open-file
    /// limit, so that the rest stays free for devices and consoles.
    pub unauthenticated: usize,
}

impl ConnectionLimits {
    /// The limits for a process that may hold `files` open files.
    pub fn for_open_files(files: u64) -> ConnectionLimits {
        let total = if files > 2 * RESERVED_FILES {
            files - RESERVED_FILES
        } else {
            files / 2
        };
        let total = usize::try_from(total).unwrap_or(usize::MAX).max(1);
        let unauthenticated = usize::try_from(files / 4)
            .unwrap_or(usize::MAX)
            .clamp(1, total);
        ConnectionLimits {
            total,
            unauthenticated,
        }
    }
}

/// Every open connection of the hub.
#[derive(Debug)]
pub struct OpenConnections {
    limits: ConnectionLimits,
    state: Mutex<State>,
    /// Told whenever a connection closes, for an accept loop waiting for room.
    freed: Notify,
    shed: AtomicU64,
}

#[derive(Debug, Default)]
struct State {
    next_id: u64,
    open: usize,
    /// Not yet authenticated, by id, which is also the order of their arrival.
    waiting: BTreeMap<u64, Arc<Notify>>,
}

impl OpenConnections {
    pub fn new(limits: ConnectionLimits) -> Arc<OpenConnections> {
        Arc::new(OpenConnections {
            limits,
            state: Mutex::default(),
            freed: Notify::new(),
            shed: AtomicU64::new(0),
        })
    }

    pub fn limits(&self) -> ConnectionLimits {
        self.limits
    }

    /// How many connections are open now.
    pub fn open(&self) -> usize {
        self.state().open
    }

    /// How many connections have been shed since the start.
    pub fn shed_count(&self) -> u64 {
        self.shed.load(Relaxed)
    }

    /// Completes once another connection may be opened. At the total limit, the oldest
    /// unauthenticated connection is shed to make room; when all are authenticated, this waits
    /// until one closes.
    pub async fn room(&self) {
        loop {
            {
                let mut state = self.state();
                if state.open < self.limits.total {
                    return;
                }
                self.shed_oldest_of(&mut state);
            }
            self.freed.notified().await;
        }
    }

    /// Counts a newly accepted connection as not yet authenticated; when too many already wait,
    /// the oldest of them is shed.
    pub fn accepted(self: &Arc<Self>) -> Connection {
        let mut state = self.state();
        if state.waiting.len() >= self.limits.unauthenticated {
            self.shed_oldest_of(&mut state);
        }
        let id = state.next_id;
        state.next_id += 1;
        state.open += 1;
        let shed = Arc::new(Notify::new());
        state.waiting.insert(id, shed.clone());
        Connection(Arc::new(Place {
            id,
            shed,
            connections: self.clone(),
        }))
    }

    /// Sheds the oldest unauthenticated connection, if there is one; returns whether there was.
    pub fn shed_oldest(&self) -> bool {
        self.shed_oldest_of(&mut self.state())
    }

    fn shed_oldest_of(&self, state: &mut State) -> bool {
        let Some((_, shed)) = state.waiting.pop_first() else {
            return false;
        };
        shed.notify_one();
        self.shed.fetch_add(1, Relaxed);
        true
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One open connection's place in the count, freed when the last clone is dropped, which is
/// when its socket closes. Request handlers find it as a request extension.
#[derive(Debug, Clone)]
pub struct Connection(Arc<Place>);

#[derive(Debug)]
struct Place {
    id: u64,
    shed: Arc<Notify>,
    connections: Arc<OpenConnections>,
}

impl Connection {
    /// Marks the connection as having presented a valid token: it is never shed.
    pub fn authenticated(&self) {
        self.0.connections.state().waiting.remove(&self.0.id);
    }

    /// Completes when the connection has been shed and must be closed.
    pub async fn shed(&self) {
        self.0.shed.notified().await;
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut state = self.connections.state();
        state.open -= 1;
        state.waiting.remove(&self.id);
        drop(state);
        self.connections.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn limits(total: usize, unauthenticated: usize) -> Arc<OpenConnections> {
        OpenConnections::new(ConnectionLimits {
            total,
            unauthenticated,
        })
    }

    async fn was_shed(connection: &Connection) -> bool {
        tokio::time::timeout(Duration::from_millis(20), connection.shed())
            .await
            .is_ok()
    }

    #[test]
    fn limits_leave_files_for_the_store_and_a_reserve_for_devices() {
        let limits = ConnectionLimits::for_open_files(1024);
        assert_eq!((limits.total, limits.unauthenticated), (960, 256));
        let limits = ConnectionLimits::for_open_files(100);
        assert_eq!((limits.total, limits.unauthenticated), (50, 25));
        assert_eq!(ConnectionLimits::for_open_files(0).total, 1);
    }

    #[tokio::test]
    async fn the_oldest_unauthenticated_connection_is_shed_when_too_many_wait() {
        let open = limits(10, 2);
        let oldest = open.accepted();
        let second = open.accepted();
        let newest = open.accepted();
        assert!(was_shed(&oldest).await);
        assert!(!was_shed(&second).await);
        assert!(!was_shed(&newest).await);
        assert_eq!(open.shed_count(), 1);
    }

    #[tokio::test]
    async fn an_authenticated_connection_is_never_shed() {
        let open = limits(10, 1);
        let device = open.accepted();
        device.authenticated();
        let idle = open.accepted();
        let _newer = open.accepted();
        assert!(was_shed(&idle).await);
        assert!(open.shed_oldest(), "the newer idle connection");
        assert!(!open.shed_oldest(), "nothing is left to shed");
        assert!(!was_shed(&device).await);
    }

    #[tokio::test]
    async fn a_closed_connection_frees_its_place() {
        let open = limits(1, 1);
        let device = open.accepted();
        device.authenticated();
        let clone = device.clone();
        drop(device);
        assert_eq!(open.open(), 1);
        drop(clone);
        assert_eq!(open.open(), 0);
    }

    #[tokio::test]
    async fn at_the_total_the_oldest_waiting_is_shed_and_room_awaits_its_close() {
        let open = limits(2, 2);
        let device = open.accepted();
        device.authenticated();
        let idle = open.accepted();
        let room = open.room();
        tokio::pin!(room);
        assert!(
            tokio::time::timeout(Duration::from_millis(20), room.as_mut())
                .await
                .is_err()
        );
        assert!(was_shed(&idle).await);
        drop(idle);
        tokio::time::timeout(Duration::from_millis(100), room)
            .await
            .expect("room once the shed connection closed");
    }
}
