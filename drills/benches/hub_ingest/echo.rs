//! Baseline A: a plain WebSocket echo server on loopback, built on axum's WebSocket as the hub
//! is, and served the way the hub serves (its own runtime, `axum::serve`).

use std::net::SocketAddr;
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use tokio::sync::oneshot;

/// A running echo server; stopped when [`EchoServer::stop`] is called.
pub struct EchoServer {
    pub addr: SocketAddr,
    stop: oneshot::Sender<()>,
    thread: JoinHandle<()>,
}

impl EchoServer {
    /// Starts the server on a free loopback port, on a runtime of its own.
    pub fn start() -> anyhow::Result<EchoServer> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("echo-server".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .enable_all()
                    .thread_name("echo-rt")
                    .build();
                let Ok(runtime) = runtime else {
                    return;
                };
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::bind("127.0.0.1:0").await else {
                        return;
                    };
                    if let Ok(addr) = listener.local_addr() {
                        let _ = ready_tx.send(addr);
                    }
                    // The device path, so the load generator connects here unchanged.
                    let app = Router::new().route("/v1/devices", get(upgrade));
                    let _ = axum::serve(listener, app)
                        .with_graceful_shutdown(async move {
                            let _ = stopped.await;
                        })
                        .await;
                });
            })?;
        let addr = ready_rx
            .recv_timeout(Duration::from_secs(10))
            .context("the echo server did not start")?;
        Ok(EchoServer { addr, stop, thread })
    }

    pub fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.thread.join();
    }
}

async fn upgrade(ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(echo)
}

/// Sends every text or binary message back as it came.
async fn echo(mut socket: WebSocket) {
    while let Some(Ok(message)) = socket.recv().await {
        match message {
            Message::Text(_) | Message::Binary(_) => {
                if socket.send(message).await.is_err() {
                    return;
                }
            }
            Message::Close(_) => return,
            Message::Ping(_) | Message::Pong(_) => {}
        }
    }
}
