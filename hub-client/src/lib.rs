//! One way to reach the alert hub, for the console, the drills tools and the end-to-end tests:
//! the hub's address as a person gives it, a WebSocket opened with a bearer token, and JSON
//! requests to its HTTP API.
//!
//! `https://` and `wss://` addresses are understood, so configurations can name them, but this
//! build speaks plain HTTP only and says so when asked to connect over TLS.

mod address;
mod error;
mod http;
mod websocket;

pub use address::{HubAddress, encode};
pub use error::{Error, Result};
pub use http::{Answer, MAX_ANSWER_BYTES, REQUEST_TIMEOUT};
pub use hyper::Method;
pub use websocket::{CONNECT_TIMEOUT, Socket};

/// The device endpoint of protocol v1.
pub const DEVICES_PATH: &str = "/v1/devices";
/// The operators' console feed.
pub const CONSOLE_PATH: &str = "/v1/console";
