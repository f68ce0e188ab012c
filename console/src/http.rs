//! A small HTTP/1.1 client for the hub's JSON API: one GET or POST per plain TCP connection
//! (`http://` only), with a bearer token, a time limit and a size limit on the answer.
//!
//! The hub is on the control room's own network; the console needs a handful of requests a
//! minute, so a connection per request is plenty and keeps the dependency list short.

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::error::{Error, Result};

/// How long one request may take, connecting included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest answer read; a larger one is refused rather than held in memory.
pub const MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// Where the hub's HTTP API is: host, port and any path prefix, from the hub's address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubApi {
    /// `host:port` as sent in the `Host` header.
    authority: String,
    host: String,
    port: u16,
    /// A path prefix without a trailing slash (usually empty).
    prefix: String,
}

impl HubApi {
    /// Reads the hub's address as the console config holds it (`ws://host:port`, also
    /// `http://…` or a bare `host:port`). `wss`/`https` are refused: this client speaks plain
    /// HTTP only.
    pub fn parse(address: &str) -> Result<HubApi> {
        let address = address.trim();
        let (scheme, rest) = address.split_once("://").unwrap_or(("http", address));
        if !matches!(scheme.to_ascii_lowercase().as_str(), "ws" | "http") {
            return Err(Error::UnsupportedHub(address.to_string()));
        }
        let (authority, prefix) = match rest.find('/') {
            Some(at) => (&rest[..at], rest[at..].trim_end_matches('/')),
            None => (rest, ""),
        };
        let (host, port) =
            split_host_port(authority).ok_or_else(|| Error::UnsupportedHub(address.to_string()))?;
        Ok(HubApi {
            authority: authority.to_string(),
            host,
            port,
            prefix: prefix.to_string(),
        })
    }

    /// GETs `path` (with its query string) and reads the JSON answer.
    pub async fn get<T: DeserializeOwned>(&self, path: &str, token: &str) -> Result<T> {
        let body = self.request("GET", path, token, None).await?;
        serde_json::from_slice(&body).map_err(|e| Error::BadAnswer(format!("{path}: {e}")))
    }

    /// POSTs `body` as JSON to `path` and reads the JSON answer.
    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        token: &str,
        body: &B,
    ) -> Result<T> {
        let json = serde_json::to_vec(body).map_err(|e| Error::BadAnswer(e.to_string()))?;
        let answer = self.request("POST", path, token, Some(&json)).await?;
        serde_json::from_slice(&answer).map_err(|e| Error::BadAnswer(format!("{path}: {e}")))
    }

    async fn request(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<&[u8]>,
    ) -> Result<Vec<u8>> {
        let head = request_head(method, &self.authority, &self.prefix, path, token, body)?;
        let failed = |source| Error::HubConnection {
            addr: self.authority.clone(),
            source,
        };
        let exchange = async {
            let mut stream = TcpStream::connect((self.host.as_str(), self.port))
                .await
                .map_err(failed)?;
            stream.write_all(head.as_bytes()).await.map_err(failed)?;
            if let Some(body) = body {
                stream.write_all(body).await.map_err(failed)?;
            }
            let mut answer = Vec::new();
            stream
                .take(MAX_RESPONSE_BYTES + 1)
                .read_to_end(&mut answer)
                .await
                .map_err(failed)?;
            Ok::<_, Error>(answer)
        };
        let answer = tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .map_err(|_| Error::HubTimedOut(self.authority.clone()))??;
        if answer.len() as u64 > MAX_RESPONSE_BYTES {
            return Err(Error::BadAnswer(format!(
                "{path}: the answer is larger than {MAX_RESPONSE_BYTES} bytes"
            )));
        }
        let (status, body) = parse_response(&answer)?;
        if !(200..300).contains(&status) {
            return Err(Error::HubRefused {
                status,
                message: refusal_message(&body),
            });
        }
        Ok(body)
    }
}

fn split_host_port(authority: &str) -> Option<(String, u16)> {
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if after.is_empty() => 80,
            None => return None,
        };
        return Some((host.to_string(), port));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => Some((host.to_string(), port.parse().ok()?)),
        None => Some((authority.to_string(), 80)),
    }
}

/// The request line and headers. The token must be visible ASCII (it goes into a header).
fn request_head(
    method: &str,
    authority: &str,
    prefix: &str,
    path: &str,
    token: &str,
    body: Option<&[u8]>,
) -> Result<String> {
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::BadToken);
    }
    let mut head = format!(
        "{method} {prefix}{path} HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Bearer {token}\r\n\
         Accept: application/json\r\nConnection: close\r\n"
    );
    if let Some(body) = body {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    Ok(head)
}

/// Splits a whole HTTP/1.1 answer into its status and body (de-chunked when chunked).
pub fn parse_response(answer: &[u8]) -> Result<(u16, Vec<u8>)> {
    let bad = |what: &str| Error::BadAnswer(format!("not an HTTP answer: {what}"));
    let end = find(answer, b"\r\n\r\n").ok_or_else(|| bad("no end of headers"))?;
    let head = std::str::from_utf8(&answer[..end]).map_err(|_| bad("headers are not text"))?;
    let rest = &answer[end + 4..];
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .strip_prefix("HTTP/1.")
        .and_then(|s| s.get(2..5))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad(status_line))?;
    let mut chunked = false;
    let mut length = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "transfer-encoding" => chunked = value.to_ascii_lowercase().contains("chunked"),
            "content-length" => length = value.parse::<usize>().ok(),
            _ => {}
        }
    }
    let body = if chunked {
        dechunk(rest).ok_or_else(|| bad("broken chunked body"))?
    } else if let Some(length) = length {
        rest.get(..length)
            .ok_or_else(|| bad("body shorter than its Content-Length"))?
            .to_vec()
    } else {
        rest.to_vec()
    };
    Ok((status, body))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = find(body, b"\r\n")?;
        let size_text = std::str::from_utf8(&body[..line_end]).ok()?;
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(..size)?);
        body = body.get(size + 2..)?;
    }
}

/// The sentence of a hub error answer (`{"error": …, "message": …}`), or the raw text.
fn refusal_message(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Refusal {
        message: String,
    }
    match serde_json::from_slice::<Refusal>(body) {
        Ok(r) => r.message,
        Err(_) => String::from_utf8_lossy(body).chars().take(200).collect(),
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
    fn hub_addresses_become_host_port_and_prefix() {
        let api = HubApi::parse("ws://127.0.0.1:7700").unwrap();
        assert_eq!((api.host.as_str(), api.port), ("127.0.0.1", 7700));
        assert_eq!(api.prefix, "");
        let api = HubApi::parse("http://hub.local/control/").unwrap();
        assert_eq!((api.host.as_str(), api.port), ("hub.local", 80));
        assert_eq!(api.prefix, "/control");
        let api = HubApi::parse("ws://[::1]:9").unwrap();
        assert_eq!((api.host.as_str(), api.port), ("::1", 9));
        assert!(matches!(
            HubApi::parse("wss://hub:443"),
            Err(Error::UnsupportedHub(_))
        ));
        assert!(HubApi::parse("ws://hub:notaport").is_err());
    }

    #[test]
    fn a_token_that_could_break_the_header_is_refused() {
        assert!(request_head("GET", "h", "", "/", "ok-token", None).is_ok());
        let injected = request_head("GET", "h", "", "/", "t\r\nX-Evil: 1", None);
        assert!(matches!(injected, Err(Error::BadToken)));
    }

    #[test]
    fn answers_are_read_by_length_or_by_chunks() {
        let plain = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n[]";
        assert_eq!(parse_response(plain).unwrap(), (200, b"[]".to_vec()));
        let chunked =
            b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\n2\r\n\":\r\n0\r\n\r\n";
        assert_eq!(parse_response(chunked).unwrap(), (404, b"{\"a\":".to_vec()));
        assert!(parse_response(b"garbage").is_err());
        assert!(parse_response(b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\n[]").is_err());
    }

    #[test]
    fn refusals_read_the_hub_sentence() {
        let body = br#"{"error":"not_found","message":"no incident INC-9"}"#;
        assert_eq!(refusal_message(body), "no incident INC-9");
        assert_eq!(refusal_message(b"oops"), "oops");
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
