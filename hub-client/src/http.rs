//! JSON requests to the hub's HTTP API: one request per connection (the console asks a
//! handful a minute), with a bearer token, a time limit and a size limit on the answer.

use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::net::TcpStream;

use crate::address::HubAddress;
use crate::error::{Error, Result, refusal_message};

/// How long one request may take, connecting included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest answer read; a larger one is refused rather than held in memory.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024 * 1024;

/// An answer of the hub, whatever its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as text (lossily, for messages and tests).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl HubAddress {
    /// GETs `path` (with its query string) with `token` and reads the JSON answer; an error
    /// status is [`Error::Refused`] with the hub's sentence.
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str, token: &str) -> Result<T> {
        let answer = self.request(Method::GET, path, Some(token), None).await?;
        json(path, answer)
    }

    /// POSTs `body` as JSON to `path` with `token` and reads the JSON answer.
    pub async fn post_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        token: &str,
        body: &B,
    ) -> Result<T> {
        self.send_json(Method::POST, path, token, body).await
    }

    /// PUTs `body` as JSON to `path` with `token` and reads the JSON answer.
    pub async fn put_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        token: &str,
        body: &B,
    ) -> Result<T> {
        self.send_json(Method::PUT, path, token, body).await
    }

    async fn send_json<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: &B,
    ) -> Result<T> {
        let body = serde_json::to_vec(body).map_err(|e| Error::BadAnswer(e.to_string()))?;
        let answer = self.request(method, path, Some(token), Some(body)).await?;
        json(path, answer)
    }

    /// Sends `method` to `path` with `token` and an optional JSON `body`, and reads the answer
    /// as text; an error status is [`Error::Refused`] with the hub's sentence.
    pub async fn text(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Vec<u8>>,
    ) -> Result<String> {
        let answer = self.request(method, path, Some(token), body).await?;
        accepted(&answer)?;
        String::from_utf8(answer.body)
            .map_err(|e| Error::BadAnswer(format!("{path}: not UTF-8 text: {e}")))
    }

    /// Sends one request and returns the answer whatever its status. A JSON `body` is sent
    /// with its content type.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Result<Answer> {
        self.request_within(REQUEST_TIMEOUT, method, path, token, body)
            .await
    }

    /// As [`Self::request`], with `timeout` for the whole exchange (for a request the hub
    /// takes long to answer, such as a backup).
    pub async fn request_within(
        &self,
        timeout: Duration,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Result<Answer> {
        let mut request = Request::builder()
            .method(method)
            .uri(self.target(path))
            .header(HOST, self.authority())
            .header(ACCEPT, "application/json");
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, bearer(token)?);
        }
        if body.is_some() {
            request = request.header(CONTENT_TYPE, "application/json");
        }
        let request = request
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| Error::BadAddress {
                address: self.to_string(),
                reason: format!("{path}: {e}"),
            })?;
        tokio::time::timeout(timeout, self.exchange(request))
            .await
            .map_err(|_| Error::TimedOut(self.authority().to_string()))?
    }

    async fn exchange(&self, request: Request<Full<Bytes>>) -> Result<Answer> {
        let unreachable = |message: String| Error::Unreachable {
            addr: self.authority().to_string(),
            message,
        };
        let stream = TcpStream::connect((self.host(), self.port()))
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        if self.is_tls() {
            let stream = self.tls(stream).await?;
            self.exchange_over(TokioIo::new(stream), request).await
        } else {
            self.exchange_over(TokioIo::new(stream), request).await
        }
    }

    /// Sends `request` over an open connection, plain or TLS, and reads the answer.
    async fn exchange_over<S>(&self, io: S, request: Request<Full<Bytes>>) -> Result<Answer>
    where
        S: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    {
        let unreachable = |message: String| Error::Unreachable {
            addr: self.authority().to_string(),
            message,
        };
        let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        tokio::spawn(connection);
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        let status = response.status().as_u16();
        let body = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
            .collect()
            .await
            .map_err(|e| {
                Error::BadAnswer(format!(
                    "the answer broke off or is larger than {MAX_ANSWER_BYTES} bytes: {e}"
                ))
            })?
            .to_bytes()
            .to_vec();
        Ok(Answer { status, body })
    }
}

/// The `Authorization` value for `token`, which must be visible ASCII (it goes into a header).
pub(crate) fn bearer(token: &str) -> Result<String> {
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::BadToken);
    }
    Ok(format!("Bearer {token}"))
}

/// An error status as [`Error::Refused`] with the hub's sentence.
fn accepted(answer: &Answer) -> Result<()> {
    if !(200..300).contains(&answer.status) {
        return Err(Error::Refused {
            status: answer.status,
            message: refusal_message(&answer.body),
        });
    }
    Ok(())
}

fn json<T: DeserializeOwned>(path: &str, answer: Answer) -> Result<T> {
    accepted(&answer)?;
    serde_json::from_slice(&answer.body).map_err(|e| Error::BadAnswer(format!("{path}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_that_could_break_the_header_is_refused() {
        assert_eq!(bearer("ok-token").expect("plain"), "Bearer ok-token");
        assert!(matches!(bearer("t\r\nX-Evil: 1"), Err(Error::BadToken)));
        assert!(matches!(bearer(""), Err(Error::BadToken)));
    }
}
