//! The one place errors become HTTP responses: a status, a code and a sentence for the client;
//! internals are logged, never sent.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error as a client sees it: a status, a code and a sentence.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    pub fn unauthorized() -> Self {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorized",
            message: "a valid bearer token is required (Authorization: Bearer <token>)".into(),
        }
    }
    pub fn forbidden(message: String) -> Self {
        ApiError {
            status: StatusCode::FORBIDDEN,
            code: "forbidden",
            message,
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "bad_request",
            message: message.into(),
        }
    }
    pub fn not_found(message: String) -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message,
        }
    }
    pub fn conflict(message: String) -> Self {
        ApiError {
            status: StatusCode::CONFLICT,
            code: "conflict",
            message,
        }
    }
    /// A device event refused as a device would be: the protocol's nack code, and its sentence.
    pub fn nack(nack: crate::protocol::Nack) -> Self {
        use crate::protocol::NackCode;
        let status = match nack.error {
            NackCode::DrillNotRunning => StatusCode::CONFLICT,
            NackCode::StoreUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            NackCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            NackCode::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError {
            status,
            code: nack.error.as_str(),
            message: nack.message,
        }
    }
    pub fn internal(error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "request failed");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: "the hub could not complete the request; see its log".into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Body<'a> {
            error: &'a str,
            message: &'a str,
        }
        let body = Json(Body {
            error: self.code,
            message: &self.message,
        });
        let mut response = (self.status, body).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}
