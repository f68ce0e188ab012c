//! The demo's hub: the real alert hub, in-process, on the demo configuration, listening on a
//! free loopback port, with its data in a temporary directory that goes when the hub stops.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use alert_hub::config::{DEMO_CONFIG, HubConfig};
use alert_hub::server::{ServeOptions, serve};
use hub_client::HubAddress;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::outside::DemoOutside;
use crate::error::{Error, Result};

/// How long the hub may take to flush and stop before the demo leaves without it.
pub const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// A running embedded hub; [`EmbeddedHub::stop`] shuts it down and removes its data.
#[derive(Debug)]
pub struct EmbeddedHub {
    /// Where it listens (`127.0.0.1` and a free port).
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::result::Result<(), alert_hub::error::Error>>,
    /// Dropped (and so removed) after the hub has stopped.
    data: tempfile::TempDir,
    /// The pager and mailbox the hub's notices go to; they stop after the hub.
    outside: DemoOutside,
}

impl EmbeddedHub {
    /// Starts the hub on the demo configuration and waits until it accepts connections.
    pub async fn start() -> Result<EmbeddedHub> {
        let data = tempfile::Builder::new()
            .prefix("console-demo-")
            .tempdir()
            .map_err(Error::DemoData)?;
        let mut config = HubConfig::parse(DEMO_CONFIG, Path::new("demo-site.toml"))
            .map_err(alert_hub::error::Error::from)?;
        let outside = DemoOutside::start().await.map_err(Error::DemoOutside)?;
        outside.serve(&mut config);
        let options = ServeOptions {
            data: data.path().join("hub"),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            store_cluster: None,
        };
        let (ready_tx, ready_rx) = oneshot::channel();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let ready = move |addr| {
            let _ = ready_tx.send(addr);
        };
        let stopped = async move {
            let _ = stop_rx.await;
        };
        let task = tokio::spawn(serve(options, config, ready, stopped));
        match ready_rx.await {
            Ok(addr) => Ok(EmbeddedHub {
                addr,
                stop: Some(stop_tx),
                task,
                data,
                outside,
            }),
            Err(_) => match task.await {
                Ok(Err(e)) => Err(Error::DemoHub(e)),
                _ => Err(Error::DemoHubStopped),
            },
        }
    }

    /// The hub's address as the console takes it.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The hub's address for the clients.
    pub fn address(&self) -> HubAddress {
        HubAddress::from(self.addr)
    }

    /// The temporary directory the hub keeps its data in (removed by [`EmbeddedHub::stop`]).
    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    /// Shuts the hub down gracefully, waits for it (at most [`STOP_TIMEOUT`]) and removes its
    /// data directory.
    pub async fn stop(mut self) -> Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let result = match tokio::time::timeout(STOP_TIMEOUT, &mut self.task).await {
            Ok(Ok(Err(e))) => Err(Error::DemoHub(e)),
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Err(_)) => Err(Error::DemoHubStopped),
            Err(_) => {
                self.task.abort();
                Err(Error::DemoHubStopped)
            }
        };
        drop(self.data);
        drop(self.outside);
        result
    }
}
