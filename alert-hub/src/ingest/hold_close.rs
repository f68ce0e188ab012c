//! Holds back a device's close (a close frame, or the end of its stream) until every frame
//! read before it has its answer on the wire. The WebSocket library refuses to send once it
//! has read a close, so without this a device that sends its events and closes at once would
//! get none of their answers.

use std::io;
use std::pin::Pin;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::SeqCst;
use std::task::{Context, Poll, Waker, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The close-frame opcode of RFC 6455.
const OPCODE_CLOSE: u8 = 0x8;

/// How far a connection's answers have gone: counted up as the reader queues each answer and
/// as the writer flushes them, so a held close knows when to pass.
#[derive(Debug, Default)]
pub struct Answered {
    queued: AtomicU64,
    sent: AtomicU64,
    /// The writer has stopped: nothing more will be sent, so nothing is held any longer.
    finished: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl Answered {
    /// One more answer is queued (called before the next frame is read).
    pub fn queued(&self) {
        self.queued.fetch_add(1, SeqCst);
    }

    /// The first `total` answers are flushed to the socket.
    pub fn sent(&self, total: u64) {
        self.sent.store(total, SeqCst);
        self.wake();
    }

    /// The writer has stopped.
    pub fn finished(&self) {
        self.finished.store(true, SeqCst);
        self.wake();
    }

    fn wake(&self) {
        if let Some(waker) = self.waker.lock().ok().and_then(|mut w| w.take()) {
            waker.wake();
        }
    }

    fn all_sent(&self) -> bool {
        self.finished.load(SeqCst) || self.sent.load(SeqCst) >= self.queued.load(SeqCst)
    }

    /// Whether every queued answer is sent; if not, `waker` is woken when that may change.
    fn all_sent_or_wake(&self, waker: &Waker) -> bool {
        if self.all_sent() {
            return true;
        }
        if let Ok(mut slot) = self.waker.lock() {
            *slot = Some(waker.clone());
        }
        self.all_sent()
    }
}

/// The frame whose header starts `bytes`: whether it is a close, and its whole length (header
/// and payload). `None` until the header is complete.
fn frame_at(bytes: &[u8]) -> Option<(bool, u64)> {
    let first = *bytes.first()?;
    let second = *bytes.get(1)?;
    let mask = if second & 0x80 != 0 { 4 } else { 0 };
    let (extra, payload) = match second & 0x7f {
        126 => (
            2,
            u64::from(u16::from_be_bytes(bytes.get(2..4)?.try_into().ok()?)),
        ),
        127 => (8, u64::from_be_bytes(bytes.get(2..10)?.try_into().ok()?)),
        short => (0, u64::from(short)),
    };
    let header = 2 + extra + mask;
    Some((first & 0x0f == OPCODE_CLOSE, payload.saturating_add(header)))
}

/// A device connection's byte stream that passes frames through as they come, except that a
/// close frame, or the end of the stream, waits until [`Answered`] says every answer is out.
pub struct HoldClose<Io> {
    inner: Io,
    answered: std::sync::Arc<Answered>,
    /// Bytes read from `inner` and not yet passed on, from `start`.
    buf: Vec<u8>,
    start: usize,
    /// How many bytes of the current frame may still pass without looking at them.
    passing: u64,
    ended: bool,
}

impl<Io> HoldClose<Io> {
    pub fn new(inner: Io, answered: std::sync::Arc<Answered>) -> Self {
        HoldClose {
            inner,
            answered,
            buf: Vec::new(),
            start: 0,
            passing: 0,
            ended: false,
        }
    }
}

impl<Io: AsyncRead + Unpin> AsyncRead for HoldClose<Io> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            let held = &this.buf[this.start..];
            if this.passing == 0 && !held.is_empty() {
                match frame_at(held) {
                    Some((true, _)) if !this.answered.all_sent_or_wake(cx.waker()) => {
                        return Poll::Pending;
                    }
                    Some((_, len)) => this.passing = len,
                    // An incomplete header at the end of the stream passes as it is.
                    None if this.ended => this.passing = held.len() as u64,
                    None => {}
                }
            }
            if this.passing > 0 && !held.is_empty() {
                let n = held
                    .len()
                    .min(out.remaining())
                    .min(usize::try_from(this.passing).unwrap_or(usize::MAX));
                out.put_slice(&held[..n]);
                this.start += n;
                this.passing -= n as u64;
                if this.start == this.buf.len() {
                    this.buf.clear();
                    this.start = 0;
                }
                return Poll::Ready(Ok(()));
            }
            if this.ended {
                if !this.answered.all_sent_or_wake(cx.waker()) {
                    return Poll::Pending;
                }
                return Poll::Ready(Ok(()));
            }
            let mut chunk = [0u8; 8192];
            let mut read = ReadBuf::new(&mut chunk);
            ready!(Pin::new(&mut this.inner).poll_read(cx, &mut read))?;
            if read.filled().is_empty() {
                this.ended = true;
            } else {
                this.buf.extend_from_slice(read.filled());
            }
        }
    }
}

impl<Io: AsyncWrite + Unpin> AsyncWrite for HoldClose<Io> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    #[test]
    fn a_frame_header_gives_its_kind_and_whole_length() {
        assert_eq!(frame_at(&[0x81, 0x85]), Some((false, 2 + 4 + 5)));
        assert_eq!(frame_at(&[0x88, 0x82]), Some((true, 2 + 4 + 2)));
        assert_eq!(
            frame_at(&[0x81, 0xfe, 0x01, 0x00]),
            Some((false, 4 + 4 + 256))
        );
        let mut long = vec![0x81, 0xff];
        long.extend_from_slice(&(1u64 << 40).to_be_bytes());
        assert_eq!(frame_at(&long), Some((false, (1 << 40) + 14)));
        assert_eq!(frame_at(&[0x81]), None);
        assert_eq!(frame_at(&[0x81, 0xfe, 0x01]), None);
    }

    #[tokio::test]
    async fn a_close_waits_until_every_queued_answer_is_sent() {
        let (mut device, hub_side) = tokio::io::duplex(1024);
        let answered = Arc::new(Answered::default());
        let mut held = HoldClose::new(hub_side, answered.clone());
        let text = [0x81, 0x80, 0, 0, 0, 0];
        let close = [0x88, 0x80, 0, 0, 0, 0];
        device
            .write_all(&[text, close].concat())
            .await
            .expect("write");
        device.shutdown().await.expect("half-close");

        let mut got = [0u8; 64];
        let n = held.read(&mut got).await.expect("read");
        assert_eq!(&got[..n], text, "a data frame passes at once");
        answered.queued();
        let early = tokio::time::timeout(std::time::Duration::from_millis(50), held.read(&mut got));
        assert!(early.await.is_err(), "the close waits for the answer");

        answered.sent(1);
        let n = held.read(&mut got).await.expect("read");
        assert_eq!(&got[..n], close);
        answered.queued();
        let end = tokio::time::timeout(std::time::Duration::from_millis(50), held.read(&mut got));
        assert!(end.await.is_err(), "the end of the stream waits too");
        answered.finished();
        assert_eq!(held.read(&mut got).await.expect("read"), 0);
    }
}
