//! The device endpoint's own WebSocket upgrade (RFC 6455 over HTTP/1.1), so that the
//! connection's bytes pass through [`HoldClose`] before the WebSocket library reads them.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::extract::ws::{self, Message};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt, future};
use hyper_util::rt::TokioIo;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self as ts, handshake::derive_accept_key};

use super::MAX_WS_MESSAGE;
use super::hold_close::{Answered, HoldClose};
use crate::api_error::ApiError;

/// A device's frames, as the connection handler reads them.
pub type Frames = futures_util::stream::BoxStream<'static, Result<Message, axum::Error>>;
/// Where the connection handler writes its answers.
pub type Answers = std::pin::Pin<Box<dyn futures_util::Sink<Message, Error = axum::Error> + Send>>;

fn has_token(headers: &HeaderMap, name: header::HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| v.trim().eq_ignore_ascii_case(token))
}

/// Answers the upgrade request and, once the connection is upgraded, runs `serve` on it with
/// closes held back until `answered` says every answer is out.
pub fn accept<F, Fut>(mut request: Request, answered: Arc<Answered>, serve: F) -> Response
where
    F: FnOnce(Frames, Answers) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let headers = request.headers();
    if !has_token(headers, header::CONNECTION, "upgrade")
        || !has_token(headers, header::UPGRADE, "websocket")
    {
        return ApiError::bad_request("this endpoint takes a WebSocket upgrade").into_response();
    }
    if headers.get(header::SEC_WEBSOCKET_VERSION) != Some(&HeaderValue::from_static("13")) {
        return ApiError::bad_request("WebSocket version 13 is required").into_response();
    }
    let Some(key) = headers.get(header::SEC_WEBSOCKET_KEY) else {
        return ApiError::bad_request("Sec-WebSocket-Key is missing").into_response();
    };
    let Ok(accept) = HeaderValue::from_str(&derive_accept_key(key.as_bytes())) else {
        return ApiError::bad_request("Sec-WebSocket-Key is not valid").into_response();
    };
    let upgraded = hyper::upgrade::on(&mut request);
    tokio::spawn(async move {
        let io = match upgraded.await {
            Ok(io) => HoldClose::new(TokioIo::new(io), answered),
            Err(e) => {
                tracing::info!(error = %e, "device upgrade failed");
                return;
            }
        };
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_WS_MESSAGE))
            .max_frame_size(Some(MAX_WS_MESSAGE));
        let socket = WebSocketStream::from_raw_socket(io, Role::Server, Some(config)).await;
        let (sink, stream) = socket.split();
        let frames = stream.filter_map(|m| future::ready(from_wire(m))).boxed();
        let answers = sink
            .sink_map_err(axum::Error::new)
            .with(|m| future::ready(Ok::<_, axum::Error>(to_wire(m))));
        serve(frames, Box::pin(answers)).await;
    });
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    response
}

/// A frame as the connection handler sees it; raw frames never come out of a read.
fn from_wire(message: Result<ts::Message, ts::Error>) -> Option<Result<Message, axum::Error>> {
    let message = match message {
        Ok(m) => m,
        Err(e) => return Some(Err(axum::Error::new(e))),
    };
    Some(Ok(match message {
        ts::Message::Text(text) => Message::Text(text.as_str().into()),
        ts::Message::Binary(data) => Message::Binary(data),
        ts::Message::Ping(data) => Message::Ping(data),
        ts::Message::Pong(data) => Message::Pong(data),
        ts::Message::Close(close) => Message::Close(close.map(|c| ws::CloseFrame {
            code: c.code.into(),
            reason: c.reason.as_str().into(),
        })),
        ts::Message::Frame(_) => return None,
    }))
}

fn to_wire(message: Message) -> ts::Message {
    match message {
        Message::Text(text) => ts::Message::text(text.as_str()),
        Message::Binary(data) => ts::Message::Binary(data),
        Message::Ping(data) => ts::Message::Ping(data),
        Message::Pong(data) => ts::Message::Pong(data),
        Message::Close(close) => ts::Message::Close(close.map(|c| ts::protocol::CloseFrame {
            code: c.code.into(),
            reason: c.reason.as_str().into(),
        })),
    }
}
