//! DC-09 over TCP: each connection read frame by frame, answered in order; at most
//! [`FRAMES_IN_FLIGHT`] frames wait for their answers before its reads pause.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};

use super::{
    FRAMES_IN_FLIGHT, Frames, MAX_PANELS, Outcome, Submitted, answer_now, receive, submit,
};
use crate::config::Dc09Settings;
use crate::hub::{Hub, stopped};

/// How long the accept loop waits after an accept error such as running out of descriptors.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// One answer in frame order: ready now, or once the frame's events are stored.
enum Answer {
    Now(String),
    Stored(Submitted),
}

/// Accepts panels until the hub shuts down.
pub(super) async fn serve(hub: Arc<Hub>, settings: Arc<Dc09Settings>, listener: TcpListener) {
    let mut shutdown = hub.shutdown.clone();
    let room = Arc::new(Semaphore::new(MAX_PANELS));
    loop {
        let accept = async {
            let place = room.clone().acquire_owned().await.ok();
            (place, listener.accept().await)
        };
        let (place, accepted) = tokio::select! {
            a = accept => a,
            _ = stopped(&mut shutdown) => return,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!(error = %e, "DC-09 accept failed");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let hub = hub.clone();
        let settings = settings.clone();
        tokio::spawn(async move {
            serve_panel(hub, settings, stream, peer).await;
            drop(place);
        });
    }
}

/// Serves one panel's connection until it closes it, the socket fails or the hub stops;
/// answers already due are still sent.
async fn serve_panel(
    hub: Arc<Hub>,
    settings: Arc<Dc09Settings>,
    stream: TcpStream,
    peer: SocketAddr,
) {
    tracing::info!(%peer, "DC-09 panel connected");
    let (read, write) = stream.into_split();
    let (answers, queue) = mpsc::channel(FRAMES_IN_FLIGHT);
    let reader = read_frames(&hub, &settings, read, peer, answers);
    let writer = write_answers(write, queue);
    tokio::join!(reader, writer);
    tracing::info!(%peer, "DC-09 panel disconnected");
}

async fn read_frames(
    hub: &Hub,
    settings: &Dc09Settings,
    mut read: OwnedReadHalf,
    peer: SocketAddr,
    answers: mpsc::Sender<Answer>,
) {
    let mut shutdown = hub.shutdown.clone();
    let mut frames = Frames::default();
    let mut buf = vec![0u8; 4096];
    loop {
        let n = tokio::select! {
            n = read.read(&mut buf) => match n {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            },
            _ = stopped(&mut shutdown) => return,
        };
        frames.extend(&buf[..n]);
        while let Some(frame) = frames.next_frame() {
            let outcome = receive(
                &frame,
                settings,
                &hub.config.sources,
                OffsetDateTime::now_utc(),
            );
            let answer = match outcome {
                Outcome::Store {
                    source,
                    events,
                    route,
                    key,
                } => match submit(hub, &source, events, route, key).await {
                    Some(submitted) => Answer::Stored(submitted),
                    None => Answer::Now(crate::protocol::dc09::nak(super::utc(
                        OffsetDateTime::now_utc(),
                    ))),
                },
                other => match answer_now(&other, peer) {
                    Some(text) => Answer::Now(text),
                    None => continue,
                },
            };
            // A full queue stops the reading here: the panel is slowed, not acked early.
            if answers.send(answer).await.is_err() {
                return;
            }
        }
    }
}

async fn write_answers(mut write: OwnedWriteHalf, mut queue: mpsc::Receiver<Answer>) {
    while let Some(answer) = queue.recv().await {
        let text = match answer {
            Answer::Now(text) => text,
            Answer::Stored(submitted) => submitted.answer().await,
        };
        if write.write_all(text.as_bytes()).await.is_err() {
            return;
        }
    }
    let _ = write.shutdown().await;
}
