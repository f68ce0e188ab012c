//! The hub's connections: accepted one by one, counted, taken through TLS when the hub has a
//! certificate, given a deadline for their TLS handshake and request headers together, and
//! served until they finish, are shed, or the hub shuts down.

mod handshake;
mod open;

pub use open::{Connection, ConnectionLimits, OpenConnections, RESERVED_FILES};

use std::io;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

use crate::hub::stopped;
use crate::tls::ServerTls;

/// A connection that has not finished its TLS handshake and sent its complete request headers
/// within this time is closed: an idle or half-sent connection must not hold a file descriptor
/// for long.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the accept loop waits after an accept error that is not the client's, such as
/// running out of file descriptors, before it accepts again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// How long shutdown waits for open connections to finish before the hub stops anyway: a
/// stuck client must never keep a stopping hub from flushing its store and exiting.
pub const DRAIN_LIMIT: Duration = Duration::from_secs(10);

/// Accepts connections on `listener` within the limits of `open` and serves `app` on each,
/// over TLS when `tls` is given, until `shutdown` turns true; then accepts no more and returns
/// once every connection has finished its request, or after [`DRAIN_LIMIT`] with those still
/// open left to be dropped. WebSocket connections, once upgraded, are closed by their handlers
/// on the same signal.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    open: Arc<OpenConnections>,
    tls: Option<Arc<ServerTls>>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    // Every connection task holds a receiver; the sender's `closed` says they have all ended.
    let (tasks_tx, tasks) = watch::channel(());
    let mut errors = AcceptErrors::default();
    loop {
        let accept = async {
            open.room().await;
            listener.accept().await
        };
        let tcp = tokio::select! {
            accepted = accept => match accepted {
                Ok((tcp, _)) => tcp,
                Err(e) => {
                    if !is_connection_error(&e) {
                        // Out of file descriptors, most likely: an idle connection gives one back.
                        open.shed_oldest();
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
        let connection = open.accepted();
        let task = serve_connection(
            http.clone(),
            tcp,
            connection,
            app.clone(),
            tls.clone(),
            shutdown.clone(),
        );
        let tasks = tasks.clone();
        tokio::spawn(async move {
            task.await;
            drop(tasks);
        });
    }
    drop(listener);
    drop(tasks);
    if tokio::time::timeout(DRAIN_LIMIT, tasks_tx.closed())
        .await
        .is_err()
    {
        tracing::warn!(
            open = tasks_tx.receiver_count(),
            "connections still open {} s after shutdown began: stopping without them",
            DRAIN_LIMIT.as_secs()
        );
    }
}

/// Serves one connection, after its TLS handshake when `tls` is given. The handshake counts
/// as unauthenticated time: it may be shed, and it shares the header deadline.
async fn serve_connection(
    mut http: http1::Builder,
    tcp: TcpStream,
    place: Connection,
    app: Router,
    tls: Option<Arc<ServerTls>>,
    mut shutdown: watch::Receiver<bool>,
) {
    let Some(tls) = tls else {
        return serve_requests(http, tcp, place, app, shutdown).await;
    };
    let started = Instant::now();
    let handshake = tokio::time::timeout(HEADER_TIMEOUT, handshake::accept(tls.acceptor(), tcp));
    let stream = tokio::select! {
        done = handshake => match done {
            Ok(Ok(handshake::Handshake::Done(stream))) => stream,
            Ok(Ok(handshake::Handshake::Plain)) => {
                tracing::debug!("plain HTTP on the TLS listener refused");
                return;
            }
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "TLS handshake failed");
                return;
            }
            Err(_) => {
                tracing::debug!("TLS handshake not finished in time");
                return;
            }
        },
        _ = place.shed() => {
            tracing::debug!("unauthenticated connection shed to make room");
            return;
        }
        _ = stopped(&mut shutdown) => return,
    };
    // The handshake's time is taken from the time left for the request headers.
    let left = HEADER_TIMEOUT.saturating_sub(started.elapsed());
    http.header_read_timeout(left.max(MIN_HEADER_TIME));
    serve_requests(http, stream, place, app, shutdown).await;
}

/// The least time a connection that finished its handshake has for its request headers.
const MIN_HEADER_TIME: Duration = Duration::from_millis(100);

/// Serves one connection's requests (and hands it over to a WebSocket on upgrade); each
/// request carries the [`Connection`] so that access checks can mark it authenticated. A shed
/// connection is closed at once; on shutdown, a request in progress is finished first.
async fn serve_requests<S>(
    http: http1::Builder,
    stream: S,
    place: Connection,
    app: Router,
    mut shutdown: watch::Receiver<bool>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = Counted {
        io: TokioIo::new(stream),
        _place: place.clone(),
    };
    let in_request = place.clone();
    let service = app.map_request(move |request: Request<Incoming>| {
        let mut request = request.map(axum::body::Body::new);
        request.extensions_mut().insert(in_request.clone());
        request
    });
    let connection = http
        .serve_connection(io, TowerToHyperService::new(service))
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
            _ = place.shed() => {
                tracing::debug!("unauthenticated connection shed to make room");
                return;
            }
            _ = stopped(&mut shutdown), if !stopping => {
                stopping = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}

/// A connection's socket holding its place in the count, through an upgrade to WebSocket too,
/// until the socket is closed.
struct Counted<S> {
    io: TokioIo<S>,
    _place: Connection,
}

impl<S: AsyncRead + AsyncWrite + Unpin> hyper::rt::Read for Counted<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> hyper::rt::Write for Counted<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
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
