//! A standby hub's surface: it listens on its address but serves no device or console.
//! `/healthz` answers 503 with JSON saying it stands by and which hub is active; every other
//! request, WebSocket upgrades included, 503 with a sentence naming the active hub. Each
//! response closes its connection, so that a client asks again once this hub has taken over.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tokio::sync::watch;

use crate::store::journal::Holder;

/// What a standby knows: its own id and the active hub it last saw.
#[derive(Debug, Clone)]
pub struct Standing {
    /// This hub's id.
    pub hub: String,
    /// The active hub, `None` while no hub holds the lease.
    pub active: watch::Receiver<Option<Holder>>,
}

/// The standby's `/healthz` body.
#[derive(Debug, Serialize)]
struct Health<'a> {
    status: &'static str,
    hub: &'a str,
    active: Option<&'a Holder>,
}

/// Every route of a standby hub.
pub fn router(standing: Standing) -> Router {
    Router::new().fallback(answer).with_state(standing)
}

async fn answer(State(standing): State<Standing>, request: Request) -> Response {
    let active = standing.active.borrow().clone();
    let close = [(header::CONNECTION, "close")];
    if request.uri().path() == "/healthz" || request.uri().path() == "/readyz" {
        let health = Health {
            status: "standby",
            hub: &standing.hub,
            active: active.as_ref(),
        };
        let body = serde_json::to_string(&health).unwrap_or_default();
        let json = [(header::CONTENT_TYPE, "application/json")];
        return (StatusCode::SERVICE_UNAVAILABLE, close, json, body + "\n").into_response();
    }
    (
        StatusCode::SERVICE_UNAVAILABLE,
        close,
        sentence(&standing.hub, active.as_ref()),
    )
        .into_response()
}

/// What a standby says to every request but `/healthz`.
fn sentence(me: &str, active: Option<&Holder>) -> String {
    match active {
        Some(active) => format!(
            "this hub ({me}) is a standby; the active hub is {} at {}\n",
            active.hub, active.address
        ),
        None => format!(
            "this hub ({me}) is a standby; no hub is active at the moment, and this one takes \
             over as soon as it can\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    async fn call(router: Router, path: &str, upgrade: bool) -> (StatusCode, String, bool) {
        let mut request = axum::http::Request::builder().uri(path);
        if upgrade {
            request = request
                .header(header::CONNECTION, "upgrade")
                .header(header::UPGRADE, "websocket");
        }
        let request = request.body(axum::body::Body::empty()).expect("request");
        let response = router.oneshot(request).await.expect("answered");
        let status = response.status();
        let closes = response
            .headers()
            .get(header::CONNECTION)
            .is_some_and(|v| v == "close");
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned(), closes)
    }

    #[tokio::test]
    async fn a_standby_names_the_active_hub_on_every_route_and_serves_none() {
        let (tx, active) = watch::channel(None);
        let router = router(Standing {
            hub: "b2".into(),
            active,
        });
        let (status, body, _) = call(router.clone(), "/healthz", false).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            body,
            "{\"status\":\"standby\",\"hub\":\"b2\",\"active\":null}\n"
        );

        tx.send_replace(Some(Holder {
            hub: "a1".into(),
            address: "http://10.0.0.5:7400".into(),
        }));
        let (_, body, _) = call(router.clone(), "/healthz", false).await;
        let health: serde_json::Value = serde_json::from_str(&body).expect("json");
        assert_eq!(health["active"]["hub"], "a1");
        assert_eq!(health["active"]["address"], "http://10.0.0.5:7400");
        for (path, upgrade) in [
            ("/v1/devices", true),
            ("/v1/console", true),
            ("/v1/events", false),
        ] {
            let (status, body, closes) = call(router.clone(), path, upgrade).await;
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
            assert_eq!(
                body,
                "this hub (b2) is a standby; the active hub is a1 at http://10.0.0.5:7400\n"
            );
            assert!(closes, "{path} keeps its connection open");
        }
    }
}
