//! The hub's connections: accepted one by one, given a deadline for their request headers, and
//! served until they finish or the hub shuts down.

use std::io;
use std::pin::pin;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

use crate::hub::stopped;

/// A connection that has not sent its complete request headers within this time is closed:
/// an idle or half-sent connection must not hold a file descriptor for long.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the accept loop waits after an accept error that is not the client's, such as
/// running out of file descriptors, before it accepts again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Accepts connections on `listener` and serves `app` on each until `shutdown` turns true;
/// then accepts no more and returns once every connection has finished its request.
/// WebSocket connections, once upgraded, are closed by their handlers on the same signal.
pub async fn serve(listener: TcpListener, app: Router, mut shutdown: watch::Receiver<bool>) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    // Every connection task holds a receiver; the sender's `closed` says they have all ended.
    let (open_tx, open) = watch::channel(());
    let mut errors = AcceptErrors::default();
    loop {
        let tcp = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => tcp,
                Err(e) => {
                    if !is_connection_error(&e) {
                        errors.log(&e);
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                    }
                    continue;
                }
            },
            _ = stopped(&mut shutdown) => break,
        };
        // Acks are small and must leave at once: without TCP_NODELAY an ack can wait for the
        // device's next frame (Nagle), which costs tens of milliseconds at a real panel's pace.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "cannot set TCP_NODELAY");
        }
        let task = serve_connection(http.clone(), tcp, app.clone(), shutdown.clone());
        let open = open.clone();
        tokio::spawn(async move {
            task.await;
            drop(open);
        });
    }
    drop(listener);
    drop(open);
    open_tx.closed().await;
}

/// Serves one connection's requests (and hands it over to a WebSocket on upgrade); on
/// shutdown, a request in progress is finished and the connection then closed.
async fn serve_connection(
    http: http1::Builder,
    tcp: TcpStream,
    app: Router,
    mut shutdown: watch::Receiver<bool>,
) {
    let service = app.map_request(|request: Request<Incoming>| request.map(axum::body::Body::new));
    let connection = http
        .serve_connection(TokioIo::new(tcp), TowerToHyperService::new(service))
        .with_upgrades();
    let mut connection = pin!(connection);
    let mut stopping = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, "connection ended");
                }
                return;
            }
            _ = stopped(&mut shutdown), if !stopping => {
                stopping = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}

/// Errors that concern one client only; the next accept may well succeed at once.
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
    )
}

/// Accept errors, logged at most once a second with how many were not logged in between.
#[derive(Debug, Default)]
struct AcceptErrors {
    last_logged: Option<Instant>,
    unlogged: u64,
}

impl AcceptErrors {
    fn log(&mut self, e: &io::Error) {
        let now = Instant::now();
        if self
            .last_logged
            .is_some_and(|at| now.duration_since(at) < Duration::from_secs(1))
        {
            self.unlogged += 1;
            return;
        }
        tracing::error!(error = %e, suppressed = self.unlogged, "accept error; pausing before the next accept");
        self.last_logged = Some(now);
        self.unlogged = 0;
    }
}
