//! Posting a notice's JSON to an outside HTTP webhook, with a time limit per attempt and retries.
//!
//! Only plain `http://` addresses are supported: `https://` needs a TLS connector, which the hub
//! does not have yet, so such an address is refused with [`ChannelError::WebhookAddress`] before
//! anything is sent.

use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderValue, USER_AGENT};
use hyper::{Method, Request, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

use super::message::{ChannelError, WebhookFailure, failure_reason};
use crate::protocol::Bilingual;

/// How hard to try one webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookSettings {
    /// The most one attempt may take, from connecting to the end of the answer's status line
    /// (and of its body, for an answer that is not 2xx).
    pub timeout: Duration,
    /// Attempts after the first one, made after a connection failure, a timeout or a 5xx answer;
    /// a 4xx (or any other non-2xx) answer is final.
    pub retries: u32,
    /// The pause before each retry.
    pub retry_delay: Duration,
}

impl Default for WebhookSettings {
    /// Five seconds per attempt, two retries, one second apart.
    fn default() -> Self {
        WebhookSettings {
            timeout: Duration::from_secs(5),
            retries: 2,
            retry_delay: Duration::from_secs(1),
        }
    }
}

/// A webhook that answered 2xx.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookDelivered {
    /// How many attempts it took, from 1.
    pub attempts: u32,
    /// The 2xx status the receiver answered with.
    pub status: u16,
}

/// The most of a failed answer's body read for the error message, in bytes.
const ERROR_BODY_LIMIT: usize = 4096;
/// The most of a failed answer's body kept in the error message, in characters.
const ERROR_BODY_CHARS: usize = 200;

/// Posts `body` as JSON (`Content-Type: application/json`) to the `http://` address `url`,
/// retrying as `settings` say, and tells how many attempts delivery took.
///
/// A retry after a timeout may deliver the same notice twice when the receiver was only slow;
/// receivers can tell duplicates by the body's `incident`, `level`, `contact_id` and `at`.
/// Must run inside a tokio runtime.
pub async fn post_webhook(
    url: &str,
    body: &Value,
    settings: &WebhookSettings,
) -> Result<WebhookDelivered, ChannelError> {
    let uri = parse_url(url)?;
    let payload = Bytes::from(body.to_string());
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client = Client::builder(TokioExecutor::new()).build(connector);
    let mut attempts: u32 = 1;
    loop {
        let request = json_post(&uri, payload.clone());
        match attempt(&client, request, settings.timeout).await {
            Ok(status) => return Ok(WebhookDelivered { attempts, status }),
            Err(failure) if failure.is_retryable() && attempts <= settings.retries => {
                tracing::debug!(url, attempts, %failure, "webhook attempt failed; retrying");
                tokio::time::sleep(settings.retry_delay).await;
                attempts = attempts.saturating_add(1);
            }
            Err(failure) => {
                return Err(ChannelError::Webhook {
                    url: url.to_string(),
                    failure,
                    attempts,
                });
            }
        }
    }
}

/// `url` as a URI the client can use: `http://` with a host.
fn parse_url(url: &str) -> Result<Uri, ChannelError> {
    let refuse = |zh: String, en: String| ChannelError::WebhookAddress {
        url: url.to_string(),
        reason: Bilingual { zh, en },
    };
    let uri: Uri = url.parse().map_err(|e| {
        refuse(
            format!("不是有效的地址（{e}）；请写成 http://主机:端口/路径"),
            format!("not a valid address ({e}); use http://host:port/path"),
        )
    })?;
    match uri.scheme_str() {
        Some(scheme) if scheme.eq_ignore_ascii_case("http") => {}
        Some(scheme) if scheme.eq_ignore_ascii_case("https") => {
            return Err(refuse(
                "暂不支持 https（中心尚无 TLS 连接）；请用 http:// 地址".to_string(),
                "https is not supported yet (the hub has no TLS connector); use an http:// address"
                    .to_string(),
            ));
        }
        Some(scheme) => {
            return Err(refuse(
                format!("不支持 {scheme}://；请用 http:// 地址"),
                format!("{scheme}:// is not supported; use an http:// address"),
            ));
        }
        None => {
            return Err(refuse(
                "地址缺少协议；请写成 http://主机:端口/路径".to_string(),
                "the address has no scheme; use http://host:port/path".to_string(),
            ));
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(refuse(
            "地址缺少主机".to_string(),
            "the address has no host".to_string(),
        ));
    }
    Ok(uri)
}

fn json_post(uri: &Uri, payload: Bytes) -> Request<Full<Bytes>> {
    let mut request = Request::new(Full::new(payload));
    *request.method_mut() = Method::POST;
    *request.uri_mut() = uri.clone();
    let headers = request.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(
        USER_AGENT,
        HeaderValue::from_static(concat!("alert-hub/", env!("CARGO_PKG_VERSION"))),
    );
    request
}

/// One attempt within `timeout`: the 2xx status, or how it failed.
async fn attempt(
    client: &Client<HttpConnector, Full<Bytes>>,
    request: Request<Full<Bytes>>,
    timeout: Duration,
) -> Result<u16, WebhookFailure> {
    let exchange = async {
        let response = client.request(request).await.map_err(connection_failure)?;
        let status = response.status();
        if status.is_success() {
            return Ok(status.as_u16());
        }
        let body = Limited::new(response.into_body(), ERROR_BODY_LIMIT)
            .collect()
            .await
            .map(|collected| collected.to_bytes())
            .unwrap_or_default();
        Err(WebhookFailure::Status {
            code: status.as_u16(),
            body: snippet(&body),
        })
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .unwrap_or(Err(WebhookFailure::Timeout(timeout)))
}

/// The reason a request got no answer, from the innermost I/O error when there is one.
fn connection_failure(error: hyper_util::client::legacy::Error) -> WebhookFailure {
    WebhookFailure::Connection(failure_reason(&error))
}

/// The start of an answer's body on one line, for an error message.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let one_line: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(ERROR_BODY_CHARS)
        .collect();
    one_line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(url: &str) -> String {
        match parse_url(url) {
            Err(e @ ChannelError::WebhookAddress { .. }) => e.to_string(),
            other => panic!("{url}: expected an address refusal, got {other:?}"),
        }
    }

    #[test]
    fn plain_http_addresses_are_accepted() {
        let uri = parse_url("http://127.0.0.1:8080/hooks/alarm?x=1").unwrap();
        assert_eq!(uri.host(), Some("127.0.0.1"));
        assert_eq!(uri.port_u16(), Some(8080));
        assert!(parse_url("HTTP://example.com/").is_ok());
    }

    #[test]
    fn https_is_refused_with_the_reason() {
        assert_eq!(
            refusal("https://hooks.example.com/x"),
            "webhook https://hooks.example.com/x: https is not supported yet (the hub has no TLS \
             connector); use an http:// address"
        );
    }

    #[test]
    fn other_schemes_missing_schemes_and_garbage_are_refused() {
        assert!(refusal("ftp://example.com/x").contains("ftp:// is not supported"));
        assert_eq!(
            refusal("example.com/x"),
            "webhook example.com/x: not a valid address (invalid format); use \
             http://host:port/path"
        );
        assert!(refusal("example.com:8080").contains("no scheme"));
        assert!(refusal("/x").contains("no scheme"));
        assert!(refusal("http://exa mple.com/").contains("not a valid address"));
    }

    #[test]
    fn answer_snippets_are_one_short_line() {
        assert_eq!(
            snippet(b"missing\n field  `kind`\r\n"),
            "missing field `kind`"
        );
        assert_eq!(snippet(&[b'x'; 1000]).len(), ERROR_BODY_CHARS);
    }

    #[tokio::test]
    async fn a_refused_address_is_not_attempted() {
        let err = post_webhook(
            "https://127.0.0.1:1/x",
            &serde_json::json!({}),
            &WebhookSettings::default(),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(err, ChannelError::WebhookAddress { .. }),
            "{err:?}"
        );
    }
}
