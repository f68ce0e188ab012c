//! DC-09 over UDP: one frame a datagram, answered to its sender once stored; at most
//! [`UDP_IN_FLIGHT`] frames wait for their answers before the receiver stops reading.

use std::net::SocketAddr;
use std::sync::Arc;

use time::OffsetDateTime;
use tokio::net::UdpSocket;
use tokio::sync::Semaphore;

use super::{Frames, Outcome, UDP_IN_FLIGHT, answer_now, receive, submit};
use crate::config::Dc09Settings;
use crate::hub::{Hub, stopped};
use crate::protocol::dc09::MAX_FRAME_BYTES;

/// Receives datagrams until the hub shuts down.
pub(super) async fn serve(hub: Arc<Hub>, settings: Arc<Dc09Settings>, socket: UdpSocket) {
    let socket = Arc::new(socket);
    let mut shutdown = hub.shutdown.clone();
    let room = Arc::new(Semaphore::new(UDP_IN_FLIGHT));
    let mut buf = vec![0u8; MAX_FRAME_BYTES + 16];
    loop {
        let received = tokio::select! {
            r = socket.recv_from(&mut buf) => r,
            _ = stopped(&mut shutdown) => return,
        };
        let (n, peer) = match received {
            Ok(r) => r,
            Err(e) => {
                tracing::debug!(error = %e, "DC-09 UDP receive failed");
                continue;
            }
        };
        let mut frames = Frames::default();
        frames.extend(&buf[..n]);
        while let Some(frame) = frames.next_frame() {
            let outcome = receive(
                &frame,
                &settings,
                &hub.config.sources,
                OffsetDateTime::now_utc(),
            );
            let Outcome::Store {
                source,
                events,
                route,
                key,
            } = outcome
            else {
                if let Some(text) = answer_now(&outcome, peer) {
                    send(&socket, &text, peer).await;
                }
                continue;
            };
            // With every place taken, reading waits: the datagrams wait in the socket's buffer
            // (or are lost and sent again), never acked before they are stored.
            let Ok(place) = room.clone().acquire_owned().await else {
                return;
            };
            let Some(submitted) = submit(&hub, &source, events, route, key).await else {
                let nak = crate::protocol::dc09::nak(super::utc(OffsetDateTime::now_utc()));
                send(&socket, &nak, peer).await;
                continue;
            };
            let socket = socket.clone();
            tokio::spawn(async move {
                let text = submitted.answer().await;
                send(&socket, &text, peer).await;
                drop(place);
            });
        }
    }
}

async fn send(socket: &UdpSocket, text: &str, peer: SocketAddr) {
    if let Err(e) = socket.send_to(text.as_bytes(), peer).await {
        tracing::debug!(%peer, error = %e, "DC-09 UDP answer not sent");
    }
}
