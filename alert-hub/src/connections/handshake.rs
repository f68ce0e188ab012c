//! The TLS side of a new connection: a client speaking plain HTTP to the TLS listener is told
//! so in plain HTTP and closed; any other is taken through the TLS handshake.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// The first byte of every TLS record that opens a handshake.
const TLS_HANDSHAKE_RECORD: u8 = 0x16;

/// How long a refused plain client is given to read the refusal before the socket closes.
const LINGER: Duration = Duration::from_secs(1);

/// The answer to a plain HTTP request on the TLS listener, in the hub's error shape.
const PLAIN_REFUSAL: &str = "{\"error\":\"tls_required\",\"message\":\"this hub speaks TLS only: \
                             use https:// or wss:// (plain http:// and ws:// are refused)\"}";

/// What became of a new connection on the TLS listener.
pub(super) enum Handshake {
    Done(Box<TlsStream<TcpStream>>),
    /// The client spoke plain HTTP and was told to use TLS.
    Plain,
}

/// Takes `tcp` through the TLS handshake with `acceptor`; a client that opens with anything
/// but a TLS handshake record is answered `400` in plain HTTP and closed.
pub(super) async fn accept(acceptor: TlsAcceptor, tcp: TcpStream) -> io::Result<Handshake> {
    let mut first = [0u8; 1];
    if tcp.peek(&mut first).await? == 0 {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    if first[0] != TLS_HANDSHAKE_RECORD {
        refuse_plain(tcp).await?;
        return Ok(Handshake::Plain);
    }
    Ok(Handshake::Done(Box::new(acceptor.accept(tcp).await?)))
}

/// Reads what the plain client sent (so that closing does not reset the connection before it
/// reads the answer), answers `400` with the reason, and closes.
async fn refuse_plain(mut tcp: TcpStream) -> io::Result<()> {
    let mut request = [0u8; 8 * 1024];
    let _ = tcp.read(&mut request).await?;
    let answer = format!(
        "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{PLAIN_REFUSAL}",
        PLAIN_REFUSAL.len()
    );
    tcp.write_all(answer.as_bytes()).await?;
    tcp.shutdown().await?;
    let _ = tokio::time::timeout(LINGER, async {
        while tcp.read(&mut request).await.is_ok_and(|n| n > 0) {}
    })
    .await;
    Ok(())
}
