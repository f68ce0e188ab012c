//! The hub's address as a person gives it (`http://host:port`, `ws://…`, `https://…`,
//! `wss://…` or a bare `host:port`, with an optional path prefix for a reverse proxy), read by
//! one set of rules.

use crate::error::{Error, Result};
use crate::tls::Trust;

/// Where a hub is: over TLS or not, host, port and any path prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubAddress {
    tls: bool,
    host: String,
    port: u16,
    /// `host:port` as written, for the `Host` header and for messages.
    authority: String,
    /// A path prefix without a trailing slash (usually empty).
    prefix: String,
    /// Whom to trust over TLS.
    trust: Trust,
}

impl HubAddress {
    /// Reads a hub address. `http`/`ws` and `https`/`wss` are each the same hub; a bare
    /// `host:port` is plain. The port defaults to 80 (443 with TLS). An endpoint's path
    /// (`…/v1/devices`) is refused: give the hub's own address.
    pub fn parse(address: &str) -> Result<HubAddress> {
        let text = address.trim();
        let bad = |reason: &str| Error::BadAddress {
            address: text.to_string(),
            reason: reason.to_string(),
        };
        let (scheme, rest) = text.split_once("://").unwrap_or(("http", text));
        let tls = match scheme.to_ascii_lowercase().as_str() {
            "http" | "ws" => false,
            "https" | "wss" => true,
            _ => return Err(bad("use http://, https://, ws://, wss:// or host:port")),
        };
        let (authority, prefix) = match rest.find('/') {
            Some(at) => (&rest[..at], rest[at..].trim_end_matches('/')),
            None => (rest, ""),
        };
        if prefix.contains("/v1/") || prefix.ends_with("/v1") {
            return Err(bad(
                "give the hub's address only, such as http://127.0.0.1:7400",
            ));
        }
        if authority.is_empty() || authority.contains(char::is_whitespace) {
            return Err(bad("there is no host, such as 127.0.0.1:7400"));
        }
        let (host, port) = split_host_port(authority, if tls { 443 } else { 80 })
            .ok_or_else(|| bad("write the host and port as host:port, such as 127.0.0.1:7400"))?;
        Ok(HubAddress {
            tls,
            host,
            port,
            authority: authority.to_string(),
            prefix: prefix.to_string(),
            trust: Trust::default(),
        })
    }

    /// Whether the address asks for TLS (`https://` or `wss://`).
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// `host:port` as given.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    pub(crate) fn host(&self) -> &str {
        &self.host
    }

    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    pub(crate) fn trust(&self) -> &Trust {
        &self.trust
    }

    pub(crate) fn trusting(self, trust: Trust) -> HubAddress {
        HubAddress { trust, ..self }
    }

    /// The CA file trusted besides the system's roots, if one was given.
    pub fn ca_file(&self) -> Option<&std::path::Path> {
        self.trust.ca_file()
    }

    /// The WebSocket base URL, without a trailing slash: `ws://host:port/prefix`.
    pub fn websocket_base(&self) -> String {
        let scheme = if self.tls { "wss" } else { "ws" };
        format!("{scheme}://{}{}", self.authority, self.prefix)
    }

    /// The WebSocket URL of `path` (with its query) on this hub.
    pub fn websocket_url(&self, path: &str) -> String {
        format!("{}{path}", self.websocket_base())
    }

    /// The HTTP base URL, without a trailing slash: `http://host:port/prefix`.
    pub fn http_base(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}{}", self.authority, self.prefix)
    }

    /// The path (with its query) as sent to the hub: the prefix, then `path`.
    pub(crate) fn target(&self, path: &str) -> String {
        format!("{}{path}", self.prefix)
    }
}

impl From<std::net::SocketAddr> for HubAddress {
    /// The plain hub listening at `addr`, as the hub prints it at start.
    fn from(addr: std::net::SocketAddr) -> HubAddress {
        HubAddress {
            tls: false,
            host: addr.ip().to_string(),
            port: addr.port(),
            authority: addr.to_string(),
            prefix: String::new(),
            trust: Trust::default(),
        }
    }
}

impl std::fmt::Display for HubAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.http_base())
    }
}

fn split_host_port(authority: &str, default_port: u16) -> Option<(String, u16)> {
    if authority.contains('@') {
        return None;
    }
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if after.is_empty() => default_port,
            None => return None,
        };
        return Some((host.to_string(), port));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() => Some((host.to_string(), port.parse().ok()?)),
        Some(_) => None,
        None => Some((authority.to_string(), default_port)),
    }
}

/// Percent-encodes one query value or path segment (everything but `A-Za-z0-9-_.~`).
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_way_of_writing_a_hub_is_the_same_hub() {
        for text in [
            "http://127.0.0.1:7400",
            "http://127.0.0.1:7400/",
            "ws://127.0.0.1:7400",
            "  127.0.0.1:7400 ",
        ] {
            let hub = HubAddress::parse(text).expect(text);
            assert_eq!(hub.websocket_base(), "ws://127.0.0.1:7400", "{text}");
            assert_eq!(hub.http_base(), "http://127.0.0.1:7400", "{text}");
            assert_eq!((hub.host(), hub.port()), ("127.0.0.1", 7400));
        }
    }

    #[test]
    fn tls_prefixes_and_ipv6_are_understood() {
        let hub = HubAddress::parse("https://hub.local/control/").expect("https");
        assert!(hub.is_tls());
        assert_eq!(hub.websocket_base(), "wss://hub.local/control");
        assert_eq!(
            hub.websocket_url("/v1/console?since=3"),
            "wss://hub.local/control/v1/console?since=3"
        );
        assert_eq!(hub.port(), 443);
        assert_eq!(hub.target("/v1/events"), "/control/v1/events");
        let hub = HubAddress::parse("ws://[::1]:9").expect("ipv6");
        assert_eq!((hub.host(), hub.port()), ("::1", 9));
        assert_eq!(HubAddress::parse("wss://h").expect("wss").port(), 443);
    }

    #[test]
    fn unusable_addresses_say_why() {
        for text in [
            "",
            "ftp://x",
            "http://",
            "ws://hub:notaport",
            "http://user@hub:1",
            "http://x:1/v1/devices",
            ":7400",
        ] {
            let error = HubAddress::parse(text).expect_err(text);
            assert!(error.to_string().contains("not usable"), "{text}: {error}");
        }
    }

    #[test]
    fn values_are_percent_encoded() {
        assert_eq!(
            encode("2026-11-22T00:00:00+08:00"),
            "2026-11-22T00%3A00%3A00%2B08%3A00"
        );
        assert_eq!(encode("绿 园"), "%E7%BB%BF%20%E5%9B%AD");
        assert_eq!(encode("fire.alarm"), "fire.alarm");
    }
}
