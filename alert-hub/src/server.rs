//! The hub as a server: shared state, the router built from per-area routers, authentication,
//! and a start-to-graceful-shutdown `serve`.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ws::{WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{Query, Request, State};
use axum::http::HeaderMap;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::sync::watch;

use crate::api::{self, ApiError};
use crate::config::{HubConfig, Principal};
use crate::core::{self, CoreHandle};
use crate::error::{Error, Result};
use crate::ingest::{RateLimiter, serve_device};
use crate::metrics::Metrics;
use crate::protocol::OperatorInfo;
use crate::store::{SledStore, Store};

/// The largest WebSocket message read at all; frames above 64 KiB but below this are answered
/// with `too_large`, larger ones close the connection.
pub const MAX_WS_MESSAGE: usize = 16 * 1024 * 1024;

/// How many requests may wait for the core before senders are slowed.
pub const CORE_QUEUE: usize = 16 * 1024;

/// What every request handler shares.
#[derive(Debug)]
pub struct Hub {
    pub config: Arc<HubConfig>,
    pub store: Arc<dyn Store>,
    pub core: CoreHandle,
    pub metrics: Arc<Metrics>,
    pub rate: RateLimiter,
    pub shutdown: watch::Receiver<bool>,
}

impl Hub {
    /// The operator a request's bearer token belongs to; any role may read.
    pub fn operator(&self, headers: &HeaderMap) -> Result<OperatorInfo, ApiError> {
        let principal = bearer(headers).and_then(|t| self.config.principal(t));
        let Some(Principal::Operator(id)) = principal else {
            return Err(ApiError::unauthorized());
        };
        let operator = self
            .config
            .operators
            .get(id)
            .ok_or_else(ApiError::unauthorized)?;
        Ok(OperatorInfo {
            id: operator.id.clone(),
            name: operator.name.clone(),
            role: operator.role,
        })
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    value.strip_prefix("Bearer ").map(str::trim)
}

/// The whole HTTP and WebSocket surface of the hub.
pub fn app(hub: Arc<Hub>) -> Router {
    Router::new()
        .route("/v1/devices", get(devices))
        .route("/v1/console", get(console))
        .merge(api::router())
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

async fn devices(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let principal = bearer(&headers).and_then(|t| hub.config.principal(t));
    let Some(Principal::Source(id)) = principal else {
        return ApiError::unauthorized().into_response();
    };
    let Some(source) = hub.config.sources.get(id).cloned().map(Arc::new) else {
        return ApiError::unauthorized().into_response();
    };
    let ws = match ws {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    let shutdown = hub.shutdown.clone();
    ws.max_message_size(MAX_WS_MESSAGE)
        .max_frame_size(MAX_WS_MESSAGE)
        .on_upgrade(move |socket| {
            let (sink, stream) = socket.split();
            serve_device(hub, source, stream, sink, shutdown)
        })
}

#[derive(Debug, Deserialize)]
struct ConsoleQuery {
    since: Option<u64>,
}

async fn console(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    query: Result<Query<ConsoleQuery>, axum::extract::rejection::QueryRejection>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let operator = match hub.operator(&headers) {
        Ok(o) => o,
        Err(e) => return e.into_response(),
    };
    let Ok(Query(query)) = query else {
        return ApiError::bad_request("since must be a sequence number").into_response();
    };
    let ws = match ws {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    let shutdown = hub.shutdown.clone();
    ws.on_upgrade(move |socket| {
        let (sink, stream) = socket.split();
        crate::feed::serve_console(hub, operator, query.since, stream, sink, shutdown)
    })
}

/// Where and how to run the hub.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub data: PathBuf,
    pub listen: SocketAddr,
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
    let config = Arc::new(config);
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&options.data)?);
    let metrics = Arc::new(Metrics::default());
    let (deliveries, delivery_queue) = tokio::sync::mpsc::unbounded_channel();
    let core = core::start(
        store.clone(),
        config.clone(),
        metrics.clone(),
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
    let (shutdown_tx, shutdown) = watch::channel(false);
    let hub = Arc::new(Hub {
        config,
        store,
        core: core.handle.clone(),
        metrics,
        rate: RateLimiter::default(),
        shutdown: shutdown.clone(),
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
    tokio::spawn(tick(core.handle, shutdown.clone()));
    tracing::info!(%addr, data = %options.data.display(), "hub listening");
    ready(addr);
    let app = app(hub).into_make_service();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            stop.await;
            tracing::info!("shutting down");
            let _ = shutdown_tx.send(true);
        })
        .await;
    result.map_err(|source| Error::Listen {
        addr: addr.to_string(),
        source,
    })?;
    let joined = tokio::time::timeout(
        Duration::from_secs(10),
        tokio::task::spawn_blocking(move || core.thread.join()),
    )
    .await;
    match joined {
        Ok(Ok(Ok(result))) => result.map_err(Error::from),
        _ => {
            tracing::warn!("the core did not stop within 10 s");
            Ok(())
        }
    }
}

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
            _ = crate::server::stopped(&mut shutdown) => return,
        }
    }
}

/// Completes once the hub is shutting down.
pub async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await.map(|_| ());
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
