//! A WebSocket to the hub, opened with a bearer token and with Nagle's algorithm off so that
//! small frames (acks, commands) are not held back.

use std::time::Duration;

use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, tungstenite};

use crate::address::HubAddress;
use crate::error::{Error, Result, refusal_message};
use crate::http::bearer;

/// An open WebSocket to the hub.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long opening a WebSocket may take, the upgrade included.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

impl HubAddress {
    /// Opens a WebSocket to `path` (with its query string), sending `token` as a bearer token.
    /// An upgrade the hub refuses is [`Error::Refused`] with its status and sentence.
    pub async fn websocket(&self, path: &str, token: Option<&str>) -> Result<Socket> {
        let url = self.websocket_url(path);
        let mut request = url
            .as_str()
            .into_client_request()
            .map_err(|e| Error::BadAddress {
                address: url.clone(),
                reason: e.to_string(),
            })?;
        if let Some(token) = token {
            let value = HeaderValue::from_str(&bearer(token)?).map_err(|_| Error::BadToken)?;
            request.headers_mut().insert("authorization", value);
        }
        let connect = async {
            let stream = self.stream().await?;
            tokio_tungstenite::client_async_with_config(request, stream, None)
                .await
                .map_err(|e| self.upgrade_error(e))
        };
        match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
            Ok(Ok((socket, _))) => Ok(socket),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(Error::TimedOut(self.authority().to_string())),
        }
    }

    /// A TCP connection to the hub with Nagle's algorithm off, over TLS for a TLS address.
    async fn stream(&self) -> Result<MaybeTlsStream<TcpStream>> {
        let tcp = TcpStream::connect((self.host(), self.port()))
            .await
            .map_err(|e| Error::Unreachable {
                addr: self.authority().to_string(),
                message: e.to_string(),
            })?;
        tcp.set_nodelay(true).map_err(|e| Error::Unreachable {
            addr: self.authority().to_string(),
            message: e.to_string(),
        })?;
        if self.is_tls() {
            Ok(MaybeTlsStream::Rustls(self.tls(tcp).await?))
        } else {
            Ok(MaybeTlsStream::Plain(tcp))
        }
    }

    /// A failed upgrade: the hub's refusal with its status and sentence, or a broken link.
    fn upgrade_error(&self, error: tungstenite::Error) -> Error {
        match error {
            tungstenite::Error::Http(response) => Error::Refused {
                status: response.status().as_u16(),
                message: refusal_message(response.body().as_deref().unwrap_or_default()),
            },
            e => Error::Unreachable {
                addr: self.authority().to_string(),
                message: e.to_string(),
            },
        }
    }
}
