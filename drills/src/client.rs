//! Connecting to the hub as a device or a console: hub addresses to WebSocket URLs, and the
//! bearer-token upgrade.

use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, tungstenite};

use crate::error::{Error, Result};

/// An open WebSocket to the hub.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The device endpoint of protocol v1.
pub const DEVICES_PATH: &str = "/v1/devices";
/// The operators' console feed.
pub const CONSOLE_PATH: &str = "/v1/console";

/// The WebSocket URL of `path` on the hub at `hub`, which may be given as the hub prints it
/// (`http://127.0.0.1:7400`), as `ws://…`, or as a bare `host:port`.
pub fn endpoint(hub: &str, path: &str) -> Result<String> {
    let bad = |reason: &str| Error::BadUrl {
        url: hub.to_string(),
        reason: reason.to_string(),
    };
    let hub = hub.trim().trim_end_matches('/');
    let authority = if let Some(rest) = hub.strip_prefix("http://") {
        rest
    } else if let Some(rest) = hub.strip_prefix("ws://") {
        rest
    } else if hub.starts_with("https://") || hub.starts_with("wss://") {
        return Err(bad(
            "TLS is not built into the simulator; reach the hub over plain ws:// on its own network",
        ));
    } else if hub.contains("://") {
        return Err(bad("use http://, ws:// or host:port"));
    } else {
        hub
    };
    if authority.is_empty() || authority.contains('/') {
        return Err(bad(
            "give the hub's address only, such as http://127.0.0.1:7400",
        ));
    }
    Ok(format!("ws://{authority}{path}"))
}

/// Opens a WebSocket to `url` with `Authorization: Bearer <token>`, with Nagle's algorithm off
/// so that small frames are not held back. A refused upgrade is [`Error::Refused`].
pub async fn connect(url: &str, token: &str) -> Result<Socket> {
    let mut request = url.into_client_request().map_err(|e| Error::BadUrl {
        url: url.to_string(),
        reason: e.to_string(),
    })?;
    let value = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| Error::Plan("a token may hold only visible ASCII characters".into()))?;
    request.headers_mut().insert("authorization", value);
    match tokio_tungstenite::connect_async_with_config(request, None, true).await {
        Ok((socket, _)) => Ok(socket),
        Err(tungstenite::Error::Http(response)) => Err(Error::Refused {
            url: url.to_string(),
            status: response.status().as_u16(),
        }),
        Err(e) => Err(Error::Connect {
            url: url.to_string(),
            message: e.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hub_address_becomes_a_websocket_url() {
        for hub in [
            "http://127.0.0.1:7400",
            "http://127.0.0.1:7400/",
            "ws://127.0.0.1:7400",
            "127.0.0.1:7400",
        ] {
            assert_eq!(
                endpoint(hub, DEVICES_PATH).expect(hub),
                "ws://127.0.0.1:7400/v1/devices"
            );
        }
    }

    #[test]
    fn unusable_addresses_say_why() {
        let tls = endpoint("https://hub.example:443", DEVICES_PATH).expect_err("tls");
        assert!(tls.to_string().contains("TLS"), "{tls}");
        assert!(endpoint("ftp://x", DEVICES_PATH).is_err());
        assert!(endpoint("http://x:1/v1/devices", DEVICES_PATH).is_err());
        assert!(endpoint("", DEVICES_PATH).is_err());
    }
}
