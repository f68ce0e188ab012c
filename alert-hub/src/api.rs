//! The HTTP API: health, incidents with their logs, stored events, hand-overs, what is on
//! test, and metrics (drills and reports have their own modules).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use crate::access::{Access, Route, get, route};
use crate::api_error::ApiError;
use crate::core::Request;
use crate::hub::Hub;
use crate::protocol::{
    HandOverRecord, IncidentView, LogEntry, OnTestRecord, OnTestView, StoredEvent,
};

/// The most events one `GET /v1/events` returns.
pub const MAX_EVENTS_PAGE: usize = 10_000;

/// The routes of the HTTP API.
pub fn routes() -> Vec<Route> {
    vec![
        route("/healthz", Access::Public, get(healthz)),
        route("/readyz", Access::Public, get(healthz)),
        route("/metrics", Access::Operator, get(metrics)),
        route("/v1/sites", Access::Operator, get(sites)),
        route("/v1/incidents", Access::Operator, get(incidents)),
        route("/v1/incidents/{id}", Access::Operator, get(incident)),
        route("/v1/events", Access::Operator, get(events)),
        route("/v1/handovers", Access::Operator, get(handovers)),
        route("/v1/on-test", Access::Operator, get(on_test)),
        route(
            "/v1/ack/{incident}/{contact}/{token}",
            Access::Public,
            get(ack_link),
        ),
    ]
}

/// The sites this hub serves, in configuration order.
async fn sites(State(hub): State<Arc<Hub>>) -> Json<Vec<crate::protocol::SiteInfo>> {
    let sites = hub.config.sites.iter().map(|s| crate::protocol::SiteInfo {
        id: s.id.clone(),
        name: s.name.clone(),
    });
    Json(sites.collect())
}

/// A contact following the link in a notification: no bearer token, the link is the proof.
async fn ack_link(
    State(hub): State<Arc<Hub>>,
    Path((incident, contact, token)): Path<(String, String, String)>,
) -> Result<&'static str, ApiError> {
    let (reply, rx) = oneshot::channel();
    let request = Request::AckByLink {
        incident,
        contact,
        token,
        reply,
    };
    hub.core.send(request).await.map_err(ApiError::internal)?;
    if rx.await.map_err(ApiError::internal)? {
        Ok(
            "已确认，通知不再升级。控制室仍在处理此事件。\nAcknowledged: the call-out stops escalating. The control room is still handling the incident.\n",
        )
    } else {
        Err(ApiError::not_found("no such acknowledgement link".into()))
    }
}

/// `ok`, or 503 while the store is failing: a hub that cannot store events is not healthy.
async fn healthz(State(hub): State<Arc<Hub>>) -> (StatusCode, &'static str) {
    if hub.health.failing() {
        let says = "failing: the hub cannot store events\n";
        return (StatusCode::SERVICE_UNAVAILABLE, says);
    }
    (StatusCode::OK, "ok\n")
}

async fn metrics(State(hub): State<Arc<Hub>>) -> Response {
    let content_type = [(header::CONTENT_TYPE, "text/plain; version=0.0.4")];
    (content_type, hub.metrics.render()).into_response()
}

#[derive(Debug, Deserialize)]
struct IncidentsQuery {
    state: Option<String>,
    /// Only this site.
    site: Option<String>,
    /// Only this kind (wire name, e.g. `fire.alarm`).
    kind: Option<String>,
    /// Opened at or after this RFC 3339 time.
    from: Option<String>,
    /// Opened before this RFC 3339 time.
    to: Option<String>,
    /// `none` for real incidents only, or a drill's id for that drill's incidents only.
    drill: Option<String>,
}

fn time_param(name: &str, value: Option<&str>) -> Result<Option<time::OffsetDateTime>, ApiError> {
    use time::format_description::well_known::Rfc3339;
    value
        .map(|v| {
            time::OffsetDateTime::parse(v, &Rfc3339).map_err(|_| {
                ApiError::bad_request(format!("{name} must be an RFC 3339 time, not \"{v}\""))
            })
        })
        .transpose()
}

async fn incidents(
    State(hub): State<Arc<Hub>>,
    Query(query): Query<IncidentsQuery>,
) -> Result<Json<Vec<IncidentView>>, ApiError> {
    let open_only = match query.state.as_deref() {
        None | Some("open") => true,
        Some("all") => false,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "state must be open or all, not \"{other}\""
            )));
        }
    };
    let from = time_param("from", query.from.as_deref())?;
    let to = time_param("to", query.to.as_deref())?;
    let mut views: Vec<IncidentView> = hub
        .store
        .incidents()
        .map_err(ApiError::internal)?
        .into_iter()
        .map(|i| i.view)
        .filter(|v| !open_only || v.state.is_open())
        .filter(|v| query.site.as_ref().is_none_or(|s| v.location.site == *s))
        .filter(|v| query.kind.as_ref().is_none_or(|k| v.kind.as_str() == k))
        .filter(|v| from.is_none_or(|f| v.opened_at >= f))
        .filter(|v| to.is_none_or(|t| v.opened_at < t))
        .filter(|v| match query.drill.as_deref() {
            None => true,
            Some("none") => v.drill.is_none(),
            Some(id) => v.drill.as_deref() == Some(id),
        })
        .collect();
    views.sort_by(IncidentView::board_order);
    Ok(Json(views))
}

#[derive(Debug, Serialize)]
struct IncidentWithLog {
    incident: IncidentView,
    log: Vec<LogEntry>,
}

async fn incident(
    State(hub): State<Arc<Hub>>,
    Path(id): Path<String>,
) -> Result<Json<IncidentWithLog>, ApiError> {
    let incident = hub
        .store
        .incident(&id)
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found(format!("no incident {id}")))?;
    let mut incident = incident;
    // A past incident's steps and levels show whom they call with today's numbers.
    let setup = crate::incident::Setup::of(&hub.config);
    incident.refresh_playbook(&setup);
    incident.refresh_levels(&setup);
    let log = hub.store.incident_log(&id).map_err(ApiError::internal)?;
    Ok(Json(IncidentWithLog {
        incident: incident.full_view(),
        log,
    }))
}

#[derive(Debug, Deserialize)]
struct EventsQuery {
    after: Option<u64>,
    limit: Option<usize>,
}

async fn events(
    State(hub): State<Arc<Hub>>,
    query: Result<Query<EventsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<StoredEvent>>, ApiError> {
    let Ok(Query(query)) = query else {
        return Err(ApiError::bad_request(
            "after and limit must be whole numbers",
        ));
    };
    let limit = query.limit.unwrap_or(100).min(MAX_EVENTS_PAGE);
    let events = hub
        .store
        .events_after(query.after.unwrap_or(0), limit)
        .map_err(ApiError::internal)?;
    Ok(Json(events))
}

async fn handovers(State(hub): State<Arc<Hub>>) -> Result<Json<Vec<HandOverRecord>>, ApiError> {
    Ok(Json(hub.store.handovers().map_err(ApiError::internal)?))
}

#[derive(Debug, Serialize)]
struct OnTest {
    current: Vec<OnTestView>,
    history: Vec<OnTestRecord>,
}

async fn on_test(State(hub): State<Arc<Hub>>) -> Result<Json<OnTest>, ApiError> {
    let current = hub.store.on_test().map_err(ApiError::internal)?;
    let history = hub.store.on_test_log().map_err(ApiError::internal)?;
    Ok(Json(OnTest { current, history }))
}
