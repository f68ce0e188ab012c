//! The SIA DC-09 receiver: alarm panels (or communicators in front of them) report Contact ID
//! and SIA DCS events over TCP and UDP on one port. Each frame's events are stored through the
//! core as the account's source's, and `ACK` leaves only once they are flushed, exactly as a
//! device ack. The decisions are pure ([`receive`]); this module and its `tcp` and `udp`
//! parts only move bytes.

mod events;
mod receive;
mod split;
mod tcp;
mod udp;

#[cfg(test)]
mod tests;

pub use events::{device_events, event_id, signals, trouble_kinds};
pub use receive::{Outcome, receive};
pub use split::Frames;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;

use time::{OffsetDateTime, PrimitiveDateTime};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::oneshot;

use crate::config::Dc09Settings;
use crate::core::Request;
use crate::hub::Hub;
use crate::protocol::dc09::{self, Key, Route};
use crate::protocol::{DeviceEvent, DeviceReply};

/// How many frames of one TCP connection may wait for their answers before the receiver stops
/// reading it: a panel that sends faster than the hub stores is slowed, never acked early.
pub const FRAMES_IN_FLIGHT: usize = 16;

/// How many UDP frames may wait for their answers at once before the receiver stops reading.
pub const UDP_IN_FLIGHT: usize = 256;

/// How many panels may be connected over TCP at once; more wait to be accepted.
pub const MAX_PANELS: usize = 512;

/// The receiver's sockets, bound: TCP and UDP on the same address.
#[derive(Debug)]
pub struct Dc09Sockets {
    tcp: TcpListener,
    udp: UdpSocket,
}

impl Dc09Sockets {
    /// Binds TCP at `settings.listen`, then UDP on the same address and port (the port TCP got
    /// when the address asks for any).
    pub async fn bind(settings: &Dc09Settings) -> io::Result<Dc09Sockets> {
        let tcp = TcpListener::bind(settings.listen).await?;
        let udp = UdpSocket::bind(tcp.local_addr()?).await?;
        Ok(Dc09Sockets { tcp, udp })
    }

    /// Where the receiver listens.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.tcp.local_addr()
    }
}

/// Receives frames on `sockets` until the hub shuts down.
pub async fn run(hub: Arc<Hub>, settings: Arc<Dc09Settings>, sockets: Dc09Sockets) {
    let Dc09Sockets { tcp, udp } = sockets;
    tokio::join!(
        tcp::serve(hub.clone(), settings.clone(), tcp),
        udp::serve(hub, settings, udp)
    );
}

/// The time now, as DC-09 timestamps write it (UTC).
fn utc(now: OffsetDateTime) -> PrimitiveDateTime {
    let now = now.to_offset(time::UtcOffset::UTC);
    PrimitiveDateTime::new(now.date(), now.time())
}

/// Padding for an encrypted answer: it need not be secret, only vary.
fn pad_seed(now: OffsetDateTime) -> [u8; 16] {
    now.unix_timestamp_nanos().to_le_bytes()
}

/// Events handed to the core, their answers still to come, and how to acknowledge them.
pub(crate) struct Submitted {
    replies: Vec<oneshot::Receiver<DeviceReply>>,
    route: Route,
    key: Option<Key>,
}

/// Hands a frame's events to the core, in order; `None` when the hub cannot store now (the
/// frame is then answered `NAK` and the panel sends it again).
pub(crate) async fn submit(
    hub: &Hub,
    source: &str,
    events: Vec<DeviceEvent>,
    route: Route,
    key: Option<Key>,
) -> Option<Submitted> {
    if hub.health.failing() {
        return None;
    }
    let source: Arc<str> = Arc::from(source);
    let mut replies = Vec::with_capacity(events.len());
    for event in events {
        hub.metrics.received.fetch_add(1, Relaxed);
        let (reply, rx) = oneshot::channel();
        let request = Request::Ingest {
            source: source.clone(),
            event,
            over_rate: None,
            injected: false,
            reply,
        };
        hub.core.send(request).await.ok()?;
        replies.push(rx);
    }
    Some(Submitted {
        replies,
        route,
        key,
    })
}

impl Submitted {
    /// The answer once every event is stored and flushed (or known as a duplicate): `ACK`;
    /// `NAK` when any could not be stored, so that the panel sends the frame again.
    pub(crate) async fn answer(self) -> String {
        let mut stored = true;
        for reply in self.replies {
            if !matches!(reply.await, Ok(DeviceReply::Ack(_))) {
                stored = false;
            }
        }
        let now = OffsetDateTime::now_utc();
        if stored {
            dc09::ack(&self.route, self.key.as_ref(), utc(now), &pad_seed(now))
        } else {
            tracing::warn!(account = %self.route.account, seq = %self.route.seq, "DC-09 frame not stored; answered NAK");
            dc09::nak(utc(now))
        }
    }
}

/// What to send at once for an outcome that stores nothing, logging why; `None` for no answer.
pub(crate) fn answer_now(outcome: &Outcome, peer: SocketAddr) -> Option<String> {
    let now = OffsetDateTime::now_utc();
    match outcome {
        Outcome::Unanswered(e) => {
            tracing::debug!(%peer, error = %e, "DC-09 frame ignored");
            None
        }
        Outcome::Nak(why) => {
            tracing::info!(%peer, why, "DC-09 frame refused with NAK");
            Some(dc09::nak(utc(now)))
        }
        Outcome::Duh(route, why) => {
            tracing::info!(%peer, why, "DC-09 frame refused with DUH");
            Some(dc09::duh(route.as_ref()))
        }
        Outcome::Store { .. } => None,
    }
}
