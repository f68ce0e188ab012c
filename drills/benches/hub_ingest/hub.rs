//! The hub under test, in-process: `alert_hub::server::serve` on a runtime of its own, on a
//! free loopback port with a temporary data directory and a generated configuration.

use std::net::SocketAddr;
use std::path::Path;
use std::thread::JoinHandle;
use std::time::Duration;

use alert_hub::config::HubConfig;
use alert_hub::server::{ServeOptions, serve};
use anyhow::Context;
use tokio::sync::oneshot;

/// The site of the generated configuration.
pub const SITE: &str = "bench-site";
/// The operator whose console watches the feed.
pub const OPERATOR_TOKEN: &str = "bench-operator-token-0001";

/// The token of source `n`.
pub fn source_token(n: usize) -> String {
    format!("bench-source-token-{n:03}")
}

/// `sources` gateway sources with rate limits far above anything the benchmark sends.
pub fn config(sources: usize) -> anyhow::Result<HubConfig> {
    let mut text = format!("[[sites]]\nid = \"{SITE}\"\nname = \"Bench site\"\n\n");
    for n in 0..sources {
        text.push_str(&format!(
            "[[sources]]\nid = \"gw-{n:03}\"\nsite = \"{SITE}\"\nkind = \"gateway\"\n\
             token = \"{}\"\nheartbeat_secs = 3600\n\
             max_events_per_sec = 10000000\nburst = 10000000\n\n",
            source_token(n)
        ));
    }
    text.push_str(&format!(
        "[[operators]]\nid = \"op-bench\"\nname = \"Bench operator\"\nrole = \"operator\"\n\
         token = \"{OPERATOR_TOKEN}\"\n"
    ));
    Ok(HubConfig::parse(&text, Path::new("bench-site.toml"))?)
}

/// A hub running in this process.
pub struct RunningHub {
    pub addr: SocketAddr,
    stop: oneshot::Sender<()>,
    thread: JoinHandle<anyhow::Result<()>>,
}

impl RunningHub {
    /// Starts the hub with data in `data`.
    pub fn start(config: HubConfig, data: &Path) -> anyhow::Result<RunningHub> {
        let options = ServeOptions {
            data: data.to_path_buf(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            store_cluster: None,
        };
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new().name("hub".into()).spawn(
            move || -> anyhow::Result<()> {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .enable_all()
                    .thread_name("hub-rt")
                    .build()?;
                let ready = move |addr| {
                    let _ = ready_tx.send(addr);
                };
                let stop = async move {
                    let _ = stopped.await;
                };
                runtime.block_on(serve(options, config, ready, stop))?;
                Ok(())
            },
        )?;
        let addr = ready_rx
            .recv_timeout(Duration::from_secs(20))
            .context("the hub did not start")?;
        Ok(RunningHub { addr, stop, thread })
    }

    /// The address as the hub prints it.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Shuts the hub down gracefully and waits for it.
    pub fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.thread
            .join()
            .map_err(|_| anyhow::anyhow!("the hub thread panicked"))?
    }
}
