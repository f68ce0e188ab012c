//! One way to reach the alert hub, for the console, the drills tools and the end-to-end tests:
//! the hub's address as a person gives it (or the addresses of an active hub and its standbys,
//! with the order to try them in), a WebSocket opened with a bearer token, and JSON
//! requests to its HTTP API.
//!
//! `https://` and `wss://` hubs are reached over TLS (rustls), trusting the system's root
//! certificates and, when given, a CA file ([`HubAddress::with_ca_file`]).

mod address;
mod addresses;
mod error;
mod http;
mod rotation;
mod tls;
mod websocket;

pub use address::{HubAddress, encode};
pub use addresses::HubAddresses;
pub use error::{Error, Result};
pub use http::{Answer, MAX_ANSWER_BYTES, REQUEST_TIMEOUT};
pub use hyper::Method;
pub use rotation::{Backoff, Failure, Retry, Rotation};
pub use tls::crypto_provider;
pub use websocket::{CONNECT_TIMEOUT, Socket};

/// The device endpoint of protocol v1.
pub const DEVICES_PATH: &str = "/v1/devices";
/// The operators' console feed.
pub const CONSOLE_PATH: &str = "/v1/console";
