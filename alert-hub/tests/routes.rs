//! Every route against every kind of caller, through the router without a socket: a route
//! added without saying who may call it, or open to the wrong callers, fails here.
#![allow(clippy::expect_used)]

mod common;

use std::sync::Arc;

use alert_hub::access::Access;
use alert_hub::hub::Hub;
use alert_hub::server;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::hub;
use tower::ServiceExt;

const OPERATOR: &str = "demo-operator-li-wei";
const MANAGER: &str = "demo-manager-chen-jie";
const SAFETY_OFFICER: &str = "demo-safety-officer-zhao";
const SOURCE: &str = "demo-fire-panel-green-garden";
const ADMIN: &str = "demo-admin-token-0001";

async fn status(hub: &Arc<Hub>, method: Method, path: &str, token: Option<&str>) -> StatusCode {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let request = request.body(Body::empty()).expect("request");
    server::app(hub.clone())
        .oneshot(request)
        .await
        .expect("an answer")
        .status()
}

/// The route's path with every `{parameter}` filled in.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|part| if part.starts_with('{') { "x" } else { part })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn only_the_health_checks_and_acknowledgement_links_are_public() {
    let public: Vec<&str> = server::routes()
        .iter()
        .filter(|r| r.access == Access::Public)
        .map(|r| r.path)
        .collect();
    assert_eq!(
        public,
        [
            "/healthz",
            "/readyz",
            "/v1/ack/{incident}/{contact}/{token}"
        ]
    );
}

#[tokio::test]
async fn every_route_refuses_callers_without_the_right_kind_of_token() {
    let data = tempfile::tempdir().expect("tempdir");
    let (hub, _stop) = hub(data.path());
    for route in server::routes() {
        let path = concrete(route.path);
        let wrong_kind = match route.access {
            Access::Public => continue,
            Access::Source => OPERATOR,
            Access::Operator => SOURCE,
        };
        let mut refused = 0;
        for method in [Method::GET, Method::POST] {
            for token in [None, Some("no-such-token"), Some(wrong_kind)] {
                let status = status(&hub, method.clone(), &path, token).await;
                assert!(
                    [StatusCode::UNAUTHORIZED, StatusCode::METHOD_NOT_ALLOWED].contains(&status),
                    "{method} {path} with {token:?}: {status}"
                );
                refused += usize::from(status == StatusCode::UNAUTHORIZED);
            }
        }
        assert!(refused >= 3, "{path} refused nobody");
    }
}

#[tokio::test]
async fn the_right_kind_of_token_gets_past_the_check() {
    let data = tempfile::tempdir().expect("tempdir");
    let (hub, _stop) = hub(data.path());
    for route in server::routes() {
        let path = concrete(route.path);
        let token = match route.access {
            Access::Public => None,
            Access::Source => Some(SOURCE),
            Access::Operator => Some(OPERATOR),
        };
        let status = status(&hub, Method::GET, &path, token).await;
        assert_ne!(status, StatusCode::UNAUTHORIZED, "GET {path}");
    }
}

#[tokio::test]
async fn only_safety_officers_and_admins_run_drills() {
    let data = tempfile::tempdir().expect("tempdir");
    let (hub, _stop) = hub(data.path());
    for (method, path) in [
        (Method::POST, "/v1/drills"),
        (Method::POST, "/v1/drills/x/end"),
        (Method::POST, "/v1/drills/x/abort"),
    ] {
        for token in [OPERATOR, MANAGER] {
            let status = status(&hub, method.clone(), path, Some(token)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path} by {token}");
        }
        let status = status(&hub, method.clone(), path, Some(SAFETY_OFFICER)).await;
        assert_ne!(
            status,
            StatusCode::FORBIDDEN,
            "{method} {path} by a safety officer"
        );
    }
}

#[tokio::test]
async fn only_admins_back_up_the_hub() {
    let data = tempfile::tempdir().expect("tempdir");
    let (hub, _stop) = hub(data.path());
    for token in [OPERATOR, MANAGER, SAFETY_OFFICER] {
        let status = status(&hub, Method::POST, "/v1/admin/backup", Some(token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a backup by {token}");
    }
    let status = status(&hub, Method::POST, "/v1/admin/backup", Some(ADMIN)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an admin without a path");
}

/// Issue 15, item 4: a presented token is compared exactly, never trimmed.
#[tokio::test]
async fn a_token_with_a_space_around_it_is_refused() {
    let data = tempfile::tempdir().expect("tempdir");
    let (hub, _stop) = hub(data.path());
    for token in [
        format!("{OPERATOR} "),
        format!(" {OPERATOR}"),
        format!("{OPERATOR}\t"),
    ] {
        let status = status(&hub, Method::GET, "/v1/incidents", Some(&token)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}");
    }
    let status = status(&hub, Method::GET, "/v1/incidents", Some(OPERATOR)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn refused_sign_ins_are_counted_in_the_metrics() {
    let data = tempfile::tempdir().expect("tempdir");
    let (hub, _stop) = hub(data.path());
    for token in [None, Some("not-a-token"), Some(SOURCE)] {
        let refused = status(&hub, Method::GET, "/v1/incidents", token).await;
        assert_eq!(refused, StatusCode::UNAUTHORIZED);
    }
    let allowed = status(&hub, Method::GET, "/v1/incidents", Some(OPERATOR)).await;
    assert_eq!(allowed, StatusCode::OK);
    assert!(
        hub.metrics
            .render()
            .contains("hub_sign_ins_refused_total 3\n"),
        "three refusals, the good sign-in not counted"
    );
}
