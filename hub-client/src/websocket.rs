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
        if self.is_tls() {
            return Err(Error::TlsUnsupported(self.authority().to_string()));
        }
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
        let connect = tokio_tungstenite::connect_async_with_config(request, None, true);
        match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
            Ok(Ok((socket, _))) => Ok(socket),
            Ok(Err(tungstenite::Error::Http(response))) => Err(Error::Refused {
                status: response.status().as_u16(),
                message: refusal_message(response.body().as_deref().unwrap_or_default()),
            }),
            Ok(Err(e)) => Err(Error::Unreachable {
                addr: self.authority().to_string(),
                message: e.to_string(),
            }),
            Err(_) => Err(Error::TimedOut(self.authority().to_string())),
        }
    }
}
