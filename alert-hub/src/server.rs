//! The hub as a server: the router assembled from each area's routes, start-up, the core's
//! clock, and a start-to-graceful-shutdown `serve`.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use tokio::sync::watch;

use crate::access::{self, Route};
use crate::checkpoints::Checkpointer;
use crate::config::{HubConfig, TlsSettings};
use crate::connections::{ConnectionLimits, OpenConnections};
use crate::core::{self, Core, CoreHandle};
use crate::error::{Error, Result};
use crate::health::StoreHealth;
use crate::hub::{Hub, stopped};
use crate::metrics::Metrics;
use crate::store::{JournaledStore, SledStore, Store};
use crate::tls::ServerTls;

/// How many requests may wait for the core before senders are slowed.
pub const CORE_QUEUE: usize = 16 * 1024;

/// Every route of the hub, each with who may call it.
pub fn routes() -> Vec<Route> {
    let mut routes = crate::ingest::routes();
    routes.extend(crate::feed::routes());
    routes.extend(crate::api::routes());
    routes.extend(crate::reports_api::routes());
    routes.extend(crate::drills_api::routes());
    routes.extend(crate::calendar_api::routes());
    routes.extend(crate::after_action_api::routes());
    routes.extend(crate::checkpoints::routes());
    routes.extend(crate::backup_api::routes());
    routes
}

/// Every method and path the hub serves, each with who may call it.
pub fn served() -> Vec<access::Served> {
    access::served(&routes())
}

/// The whole HTTP and WebSocket surface of the hub.
pub fn app(hub: Arc<Hub>) -> Router {
    access::router(routes(), &hub)
        .layer(middleware::from_fn(trace_request))
        .with_state(hub)
}

async fn trace_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    tracing::debug!(%method, %path, status = response.status().as_u16(), elapsed_ms = started.elapsed().as_secs_f64() * 1e3, "request");
    response
}

/// The hub's shared state on `store`: the core thread running and the notification dispatcher
/// started. The core stops when every [`Hub`] and [`CoreHandle`] is gone; join `Core::thread`
/// to wait for it.
pub fn start(
    config: HubConfig,
    store: Arc<dyn Store>,
    shutdown: watch::Receiver<bool>,
) -> Result<(Arc<Hub>, Core)> {
    let config = Arc::new(config);
    let metrics = Arc::new(Metrics::default());
    let health = Arc::new(StoreHealth::default());
    let (deliveries, delivery_queue) = tokio::sync::mpsc::unbounded_channel();
    let core = core::start(
        store.clone(),
        config.clone(),
        metrics.clone(),
        health.clone(),
        CORE_QUEUE,
        deliveries,
    )?;
    let reporter = core.handle.downgrade();
    crate::notify::dispatch::start(delivery_queue, &config.notify, move |outcome| {
        if let Some(core) = reporter.upgrade() {
            tokio::spawn(async move {
                let _ = core.send(core::Request::Delivered(outcome)).await;
            });
        }
    });
    let hub = Arc::new(Hub {
        config,
        store,
        core: core.handle.clone(),
        metrics,
        health,
        shutdown,
        checkpoints: std::sync::OnceLock::new(),
    });
    Ok((hub, core))
}

/// Where and how to run the hub.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub data: PathBuf,
    pub listen: SocketAddr,
    /// The NATS servers of `--store nats://...`, over the configuration's `[store] nats`.
    pub store_cluster: Option<Vec<String>>,
}

/// The checkpoint signer of the hub on `store`, with its key from the configuration or the
/// data directory (made there on first start), having signed the tree as it stands.
fn checkpointer(
    options: &ServeOptions,
    config: &HubConfig,
    store: &Arc<dyn Store>,
) -> Result<Arc<Checkpointer>> {
    let signer = crate::audit::keys::read_or_make(&options.data, config.audit_key.as_deref())?;
    let checkpointer = Arc::new(Checkpointer::new(store.clone(), signer));
    checkpointer.sign_if_grown()?;
    Ok(checkpointer)
}

/// The store the hub keeps its data in.
enum Opened {
    /// Sled in the data directory.
    Local(Arc<dyn Store>),
    /// With the replicated journal in front, and the lease to take before it commits.
    Journaled(Arc<JournaledStore>),
}

/// Sled in the data directory, with the replicated journal in front of it when
/// `--store nats://...` or `[store] nats` names a NATS cluster.
fn open_store(options: &ServeOptions, config: &HubConfig) -> Result<Opened> {
    let cluster = options
        .store_cluster
        .as_deref()
        .unwrap_or(&config.store_cluster);
    if cluster.is_empty() {
        return Ok(Opened::Local(Arc::new(SledStore::open_with_cache(
            &options.data,
            config.store_cache_bytes,
        )?)));
    }
    tracing::info!(servers = %cluster.join(","), "journaling every batch to the NATS cluster");
    Ok(Opened::Journaled(Arc::new(JournaledStore::open(
        &options.data,
        config.store_cache_bytes,
        cluster,
        config.store_lease,
    )?)))
}

/// How long a clustered hub tries to take the lease before it opens its address as a standby.
const FIRST_LOOK: Duration = Duration::from_secs(1);

/// Until this hub holds the lease: tries it for [`FIRST_LOOK`], then serves the standby's
/// answers on `listener` while it follows the journal. `Ok(false)` when `stop` came first.
async fn stand_by(
    store: &Arc<JournaledStore>,
    listener: &tokio::net::TcpListener,
    advertise: String,
    tls: Option<Arc<ServerTls>>,
    stop: &mut watch::Receiver<bool>,
    ready: &mut Option<impl FnOnce(SocketAddr)>,
) -> Result<bool> {
    let (seen, active) = watch::channel(None);
    let campaign = store.wait_for_lease(advertise, seen);
    tokio::pin!(campaign);
    tokio::select! {
        taken = &mut campaign => return taken.map(|()| true).map_err(Error::from),
        _ = tokio::time::sleep(FIRST_LOOK) => {}
        _ = stopped(stop) => return Ok(false),
    }
    let (standby_tx, standby_rx) = watch::channel(false);
    let copy = listener
        .local_addr()
        .and_then(|_| clone_listener(listener))
        .map_err(|source| Error::Listen {
            addr: format!("{:?}", listener.local_addr().ok()),
            source,
        })?;
    let standing = crate::standby::Standing {
        hub: store.hub().to_string(),
        active,
    };
    let open = OpenConnections::new(ConnectionLimits::for_open_files(ASSUMED_FILE_LIMIT));
    let router = crate::standby::router(standing);
    let server = tokio::spawn(crate::connections::serve(
        copy, router, open, tls, standby_rx,
    ));
    tracing::info!("standing by: serving 503 until this hub holds the lease");
    if let (Some(ready), Ok(addr)) = (ready.take(), listener.local_addr()) {
        ready(addr);
    }
    let outcome = tokio::select! {
        taken = &mut campaign => taken.map(|()| true).map_err(Error::from),
        _ = stopped(stop) => Ok(false),
    };
    let _ = standby_tx.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(2), server).await;
    outcome
}

/// A second handle on the listening socket, for the standby's answers until the active hub's
/// own accept loop takes over: the address stays bound throughout.
fn clone_listener(listener: &tokio::net::TcpListener) -> std::io::Result<tokio::net::TcpListener> {
    let socket = socket2_clone(listener)?;
    tokio::net::TcpListener::from_std(socket)
}

#[cfg(unix)]
fn socket2_clone(listener: &tokio::net::TcpListener) -> std::io::Result<std::net::TcpListener> {
    use std::os::fd::AsFd;
    let fd = listener.as_fd().try_clone_to_owned()?;
    let copy = std::net::TcpListener::from(fd);
    copy.set_nonblocking(true)?;
    Ok(copy)
}

#[cfg(windows)]
fn socket2_clone(listener: &tokio::net::TcpListener) -> std::io::Result<std::net::TcpListener> {
    use std::os::windows::io::AsSocket;
    let socket = listener.as_socket().try_clone_to_owned()?;
    let copy = std::net::TcpListener::from(socket);
    copy.set_nonblocking(true)?;
    Ok(copy)
}

/// Runs the hub until `stop` completes, then shuts down gracefully: connections are told the
/// hub is going away, pending acks are sent, and the store is flushed. `ready` is called with
/// the bound address once the hub accepts connections.
pub async fn serve(
    options: ServeOptions,
    config: HubConfig,
    ready: impl FnOnce(SocketAddr),
    stop: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    for warning in &config.warnings {
        tracing::warn!("{warning}");
    }
    let tls = listener_tls(&config.tls, options.listen)?;
    #[cfg(unix)]
    let hangups = hangups();
    let limits = ConnectionLimits::for_open_files(open_files());
    tracing::info!(
        connections = limits.total,
        unauthenticated = limits.unauthenticated,
        "connection limits"
    );
    let opened = open_store(&options, &config)?;
    let (stop_tx, mut stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        stop.await;
        let _ = stop_tx.send(true);
    });
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|source| Error::Listen {
            addr: options.listen.to_string(),
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| Error::Listen {
        addr: options.listen.to_string(),
        source,
    })?;
    let mut ready = Some(ready);
    let (store, journaled) = match opened {
        Opened::Local(store) => (store, None),
        Opened::Journaled(journaled) => {
            let scheme = if tls.is_some() { "https" } else { "http" };
            let advertise = config
                .store_advertise
                .clone()
                .unwrap_or_else(|| format!("{scheme}://{addr}"));
            let taken = stand_by(
                &journaled,
                &listener,
                advertise,
                tls.clone(),
                &mut stop_rx,
                &mut ready,
            )
            .await?;
            if !taken {
                tracing::info!("shutting down (a standby)");
                return Ok(());
            }
            (journaled.clone() as Arc<dyn Store>, Some(journaled))
        }
    };
    let checkpoints = checkpointer(&options, &config, &store)?;
    let (shutdown_tx, shutdown) = watch::channel(false);
    let (hub, core) = start(config, store, shutdown.clone())?;
    let _ = hub.checkpoints.set(checkpoints.clone());
    tokio::spawn(crate::checkpoints::run(
        checkpoints.clone(),
        shutdown.clone(),
    ));
    tokio::spawn(crate::retention::run(
        hub.store.clone(),
        hub.config.retention_days,
        shutdown.clone(),
    ));
    if let Some(schedule) = hub.config.backups.clone() {
        tracing::info!(
            dir = %schedule.dir.display(),
            every_hours = schedule.every.as_secs() / 3600,
            keep = schedule.keep,
            "scheduled backups"
        );
        let backups = crate::scheduled_backup::run(hub.store.clone(), schedule, shutdown.clone());
        tokio::spawn(backups);
    }
    let health = hub.health.clone();
    if let Some(settings) = hub.config.dc09.clone() {
        let sockets = crate::dc09::Dc09Sockets::bind(&settings)
            .await
            .map_err(|source| Error::Listen {
                addr: settings.listen.to_string(),
                source,
            })?;
        let at = sockets.local_addr().map_err(|source| Error::Listen {
            addr: settings.listen.to_string(),
            source,
        })?;
        tracing::info!(addr = %at, accounts = settings.accounts.len(), "DC-09 receiver listening (TCP and UDP)");
        tokio::spawn(crate::dc09::run(hub.clone(), Arc::new(settings), sockets));
    }
    tokio::spawn(tick(core.handle, shutdown.clone()));
    #[cfg(unix)]
    tokio::spawn(reload_on_hangup(hangups, tls.clone(), shutdown.clone()));
    tracing::info!(%addr, tls = tls.is_some(), data = %options.data.display(), "hub listening");
    if let Some(ready) = ready.take() {
        ready(addr);
    }
    let lost = Arc::new(std::sync::Mutex::new(None));
    let lease_kept = {
        let (journaled, lost) = (journaled.clone(), lost.clone());
        async move {
            let Some(journaled) = journaled else {
                return std::future::pending().await;
            };
            let why = journaled.keep_lease().await;
            *lost.lock().unwrap_or_else(|p| p.into_inner()) = Some(why.clone());
            why
        }
    };
    tokio::spawn(async move {
        tokio::select! {
            _ = stopped(&mut stop_rx) => tracing::info!("shutting down"),
            _ = health.given_up() => tracing::error!(
                "shutting down: the store cannot be written; exiting non-zero so that a \
                 supervisor restarts the hub"
            ),
            why = lease_kept => tracing::error!(
                reason = %why,
                "shutting down: this hub lost its lease as the active hub and acknowledges \
                 nothing more; exiting non-zero so that a supervisor restarts it as a standby"
            ),
        }
        let _ = shutdown_tx.send(true);
    });
    let open = OpenConnections::new(limits);
    crate::connections::serve(listener, app(hub), open, tls, shutdown).await;
    let joined = tokio::time::timeout(
        Duration::from_secs(10),
        tokio::task::spawn_blocking(move || core.thread.join()),
    )
    .await;
    // The last checkpoint covers everything the core stored before it stopped.
    match tokio::task::spawn_blocking(move || checkpoints.sign_if_grown()).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => tracing::error!(error = %e, "cannot keep the last audit checkpoint"),
        Err(e) => tracing::error!(error = %e, "cannot sign the last audit checkpoint"),
    }
    let lost = lost.lock().unwrap_or_else(|p| p.into_inner()).take();
    if let Some(why) = lost {
        return Err(Error::LeaseLost { why });
    }
    if let Some(journaled) = journaled {
        // Every ack is sent: a standby may take over at once rather than when the lease ends.
        let _ = tokio::task::spawn_blocking(move || journaled.release_lease()).await;
    }
    match joined {
        Ok(Ok(Ok(result))) => result.map_err(Error::from),
        _ => {
            tracing::warn!("the core did not stop within 10 s");
            Ok(())
        }
    }
}

/// The listener's TLS identity from `[tls]`, or `None` for plain HTTP, which is refused on an
/// address other than loopback unless `allow_plain` says otherwise (then with a warning).
pub fn listener_tls(settings: &TlsSettings, listen: SocketAddr) -> Result<Option<Arc<ServerTls>>> {
    if let Some(files) = &settings.files {
        let tls = ServerTls::load(files)?;
        tracing::info!(cert = %files.cert.display(), key = %files.key.display(), "serving https:// and wss://");
        return Ok(Some(tls));
    }
    if !listen.ip().is_loopback() {
        if !settings.allow_plain {
            return Err(Error::PlainOffLoopback {
                addr: listen.to_string(),
            });
        }
        tracing::warn!(
            %listen,
            "serving plain HTTP on an address other than loopback ([tls] allow_plain = true): \
             tokens and events cross the network in clear unless a TLS proxy or a closed \
             network protects them"
        );
    }
    Ok(None)
}

/// SIGHUP, registered before the hub says it listens so that an early one never ends it.
#[cfg(unix)]
fn hangups() -> Option<tokio::signal::unix::Signal> {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(signal) => Some(signal),
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for SIGHUP: the certificate cannot be reloaded");
            None
        }
    }
}

/// On each SIGHUP, reads the certificate and key again for the handshakes to come; a file
/// that cannot be used is logged and the identity in use kept. Open connections are untouched.
#[cfg(unix)]
async fn reload_on_hangup(
    hangups: Option<tokio::signal::unix::Signal>,
    tls: Option<Arc<ServerTls>>,
    mut shutdown: watch::Receiver<bool>,
) {
    let Some(mut hangups) = hangups else {
        return;
    };
    loop {
        tokio::select! {
            received = hangups.recv() => if received.is_none() { return },
            _ = stopped(&mut shutdown) => return,
        }
        let Some(tls) = &tls else {
            tracing::info!(
                "SIGHUP: the hub serves plain HTTP ([tls] is not set); nothing to reload"
            );
            continue;
        };
        match tls.reload() {
            Ok(()) => tracing::info!(
                cert = %tls.files().cert.display(),
                "SIGHUP: certificate reloaded; new connections use it"
            ),
            Err(e) => tracing::error!(
                error = %e,
                "SIGHUP: the new certificate cannot be used; the one in use is kept"
            ),
        }
    }
}

/// The open-file limit, raised first to what the system allows: every connection holds a file.
fn open_files() -> u64 {
    #[cfg(unix)]
    match crate::limits::raise_file_limit() {
        Ok(files) => {
            tracing::info!(files, "open-file limit");
            files
        }
        Err(e) => {
            let files = crate::limits::file_limit().unwrap_or(ASSUMED_FILE_LIMIT);
            tracing::warn!(error = %e, files, "cannot raise the open-file limit");
            files
        }
    }
    #[cfg(not(unix))]
    ASSUMED_FILE_LIMIT
}

/// The open-file limit assumed where it cannot be read: the usual default soft limit.
const ASSUMED_FILE_LIMIT: u64 = 1024;

/// Drives the core's clock once a second for heartbeat supervision.
async fn tick(core: CoreHandle, mut shutdown: watch::Receiver<bool>) {
    let mut interval = tokio::time::interval(Duration::from_secs(1));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = interval.tick() => {
                if core.send(core::Request::Tick).await.is_err() {
                    return;
                }
            }
            _ = stopped(&mut shutdown) => return,
        }
    }
}

/// Listens for SIGTERM and Ctrl-C (SIGINT) from the moment it is called, and completes on the
/// first. Call it before the hub says it listens: a signal sent as soon as it does must stop it
/// gracefully, not find the default action (death without flushing) or nobody listening.
/// Must be called within the runtime.
#[cfg(unix)]
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    use tokio::signal::unix::{SignalKind, signal};
    let term = signal(SignalKind::terminate());
    let interrupt = signal(SignalKind::interrupt());
    async move {
        let wait = |listener: std::io::Result<tokio::signal::unix::Signal>| async move {
            match listener {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for a signal");
                    std::future::pending::<()>().await;
                }
            }
        };
        tokio::select! {
            _ = wait(term) => {},
            _ = wait(interrupt) => {},
        }
    }
}

/// Completes on Ctrl-C.
#[cfg(not(unix))]
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
