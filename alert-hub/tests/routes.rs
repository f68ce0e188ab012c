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
        (Method::PUT, "/v1/drills/x/analysis"),
        (Method::POST, "/v1/drills/x/actions"),
        (Method::POST, "/v1/drills/x/actions/A1"),
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

/// What a caller gets from a route: refused for want of a token (401), refused for their role
/// (403), or let through to the handler (any other status).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Unauthorized,
    Forbidden,
    Allowed,
}

/// The callers of the table, in its column order.
const CALLERS: [(&str, Option<&str>); 7] = [
    ("nobody", None),
    ("a bad token", Some("no-such-token-at-all")),
    ("a device", Some(SOURCE)),
    ("an operator", Some(OPERATOR)),
    ("a safety officer", Some(SAFETY_OFFICER)),
    ("a manager", Some(MANAGER)),
    ("an admin", Some(ADMIN)),
];

/// Every method and path the hub serves, and what each caller of [`CALLERS`] gets from it:
/// `U` 401, `F` 403, `A` allowed past every check. A route the hub serves that is missing here,
/// or one here the hub does not serve, fails the test.
const TABLE: &[(&str, &str, &str)] = &[
    // Devices only: a source token and nothing else.
    ("GET", "/v1/devices", "UUAUUUU"),
    // Every operator role, never a device.
    ("GET", "/v1/console", "UUUAAAA"),
    // Public: health checks, and the acknowledgement link whose path is its own proof.
    ("GET", "/healthz", "AAAAAAA"),
    ("GET", "/readyz", "AAAAAAA"),
    ("GET", "/metrics", "UUUAAAA"),
    ("GET", "/v1/sites", "UUUAAAA"),
    ("GET", "/v1/incidents", "UUUAAAA"),
    ("GET", "/v1/incidents/{id}", "UUUAAAA"),
    ("GET", "/v1/events", "UUUAAAA"),
    ("GET", "/v1/handovers", "UUUAAAA"),
    ("GET", "/v1/on-test", "UUUAAAA"),
    ("GET", "/v1/ack/{incident}/{contact}/{token}", "AAAAAAA"),
    ("GET", "/v1/incidents/{id}/report", "UUUAAAA"),
    ("GET", "/v1/incidents/{id}/cap", "UUUAAAA"),
    ("GET", "/v1/reports/month", "UUUAAAA"),
    ("GET", "/v1/incidents/{id}/review", "UUUAAAA"),
    // Reviews are written and signed off by managers and admins.
    ("PUT", "/v1/incidents/{id}/review", "UUUFFAA"),
    ("POST", "/v1/incidents/{id}/review/sign-off", "UUUFFAA"),
    ("GET", "/v1/reviews/awaiting", "UUUAAAA"),
    ("GET", "/v1/drills", "UUUAAAA"),
    // Drills and their calendar are run by safety officers and admins.
    ("POST", "/v1/drills", "UUUFAFA"),
    ("GET", "/v1/drills/records", "UUUAAAA"),
    ("GET", "/v1/drills/{id}/record", "UUUAAAA"),
    ("POST", "/v1/drills/{id}/end", "UUUFAFA"),
    ("POST", "/v1/drills/{id}/abort", "UUUFAFA"),
    ("POST", "/v1/drills/{id}/events", "UUUFAFA"),
    ("GET", "/v1/drills/{id}/report", "UUUAAAA"),
    ("GET", "/v1/drills/calendar", "UUUAAAA"),
    ("POST", "/v1/drills/calendar", "UUUFAFA"),
    ("POST", "/v1/drills/calendar/{entry}/move", "UUUFAFA"),
    ("POST", "/v1/drills/calendar/{entry}/cancel", "UUUFAFA"),
    ("GET", "/v1/drills/calendar/edits", "UUUAAAA"),
    ("GET", "/v1/drills/coverage", "UUUAAAA"),
    // After-action analyses and improvement plans: read by all, written by safety officers
    // and admins.
    ("GET", "/v1/drills/actions", "UUUAAAA"),
    ("GET", "/v1/drills/{id}/analysis", "UUUAAAA"),
    ("PUT", "/v1/drills/{id}/analysis", "UUUFAFA"),
    ("POST", "/v1/drills/{id}/actions", "UUUFAFA"),
    ("POST", "/v1/drills/{id}/actions/{action}", "UUUFAFA"),
    // The audit tree is for every operator to check; backups are an admin's.
    ("GET", "/v1/audit/checkpoint", "UUUAAAA"),
    ("GET", "/v1/audit/key", "UUUAAAA"),
    ("GET", "/v1/audit/proof", "UUUAAAA"),
    ("POST", "/v1/admin/backup", "UUUFFFA"),
];

fn class(status: StatusCode) -> Class {
    match status {
        StatusCode::UNAUTHORIZED => Class::Unauthorized,
        StatusCode::FORBIDDEN => Class::Forbidden,
        _ => Class::Allowed,
    }
}

fn expected(letter: char) -> Class {
    match letter {
        'U' => Class::Unauthorized,
        'F' => Class::Forbidden,
        'A' => Class::Allowed,
        other => panic!("unknown letter {other:?} in the table"),
    }
}

/// Issue 10, item 5: the 401/403 table over every route and every role.
#[tokio::test]
async fn every_route_and_role_gets_what_the_table_says() {
    let served: Vec<(String, &str)> = server::served()
        .into_iter()
        .map(|s| (s.method.to_string(), s.path))
        .collect();
    let listed: Vec<(String, &str)> = TABLE
        .iter()
        .map(|(method, path, _)| (method.to_string(), *path))
        .collect();
    let missing: Vec<_> = served.iter().filter(|s| !listed.contains(s)).collect();
    let stale: Vec<_> = listed.iter().filter(|l| !served.contains(l)).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "routes served but not in the table: {missing:?}; in the table but not served: {stale:?}"
    );
    assert_eq!(served.len(), listed.len(), "each route once in the table");

    let data = tempfile::tempdir().expect("tempdir");
    let (hub, _stop) = hub(data.path());
    let mut wrong = Vec::new();
    for (method, path, row) in TABLE {
        assert_eq!(
            row.len(),
            CALLERS.len(),
            "{method} {path}: one letter a caller"
        );
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let uri = concrete(path);
        for ((caller, token), letter) in CALLERS.iter().zip(row.chars()) {
            let got = status(&hub, method.clone(), &uri, *token).await;
            assert_ne!(got, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            if class(got) != expected(letter) {
                wrong.push(format!(
                    "{method} {path} by {caller}: {got}, the table says {:?}",
                    expected(letter)
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
