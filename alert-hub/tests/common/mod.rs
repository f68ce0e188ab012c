//! What the hub's own integration tests share: a hub on the demo configuration, no socket.

use std::path::Path;
use std::sync::Arc;

use alert_hub::config::HubConfig;
use alert_hub::hub::Hub;
use alert_hub::server;
use alert_hub::store::SledStore;
use tokio::sync::watch;

/// A hub on the demo configuration and an empty store in `data`.
pub fn hub(data: &Path) -> (Arc<Hub>, watch::Sender<bool>) {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-site.toml");
    let config = HubConfig::load(&config).expect("demo config");
    let store = Arc::new(SledStore::open(data).expect("store"));
    let (stop, shutdown) = watch::channel(false);
    let (hub, _core) = server::start(config, store, shutdown).expect("hub starts");
    (hub, stop)
}
