//! The reports over HTTP: `GET /v1/incidents/{id}/report?format=html|md|json&lang=zh|en`, and
//! a manager's review of an incident (`/v1/incidents/{id}/review`, signed off with
//! `/v1/incidents/{id}/review/sign-off`; those awaiting it at `GET /v1/reviews/awaiting?days=`),
//! and the monthly report
//! (`GET /v1/reports/month?month=2026-11&site=&format=html|md|json|csv&lang=zh|en`).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use time::UtcOffset;

use crate::access::{Access, Route, get, post, route};
use crate::api_error::ApiError;
use crate::core::Request;
use crate::hub::Hub;
use crate::incident::{Action, Refusal, check_permission};
use crate::protocol::{AwaitingSignOff, OperatorInfo, RefusalCode, Review, ReviewRecord};
use crate::report::month::render::MonthFormat;
use crate::report::month::{self, Month};
use crate::report::render::{self, Format};
use crate::review::ReviewCommand;
use crate::review_queue;
use playbooks::Lang;

/// The clock the pages show times in: the control room's, China Standard Time.
pub const PAGE_OFFSET: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// The routes of the reports.
pub fn routes() -> Vec<Route> {
    vec![
        route(
            "/v1/incidents/{id}/report",
            Access::Operator,
            get(incident_report),
        ),
        route("/v1/reports/month", Access::Operator, get(month_report)),
        route(
            "/v1/incidents/{id}/cap",
            Access::Operator,
            get(incident_cap),
        ),
        route(
            "/v1/incidents/{id}/review",
            Access::Operator,
            get(review).put(write_review),
        ),
        route(
            "/v1/incidents/{id}/review/sign-off",
            Access::Operator,
            post(sign_off),
        ),
        route("/v1/reviews/awaiting", Access::Operator, get(awaiting)),
    ]
}

#[derive(Debug, Deserialize)]
pub(crate) struct ReportQuery {
    format: Option<String>,
    lang: Option<String>,
}

/// Reads `format` (default `html`) and `lang` (default `zh`), or says what was wrong.
pub(crate) fn read_query(query: &ReportQuery) -> Result<(Format, playbooks::Lang), ApiError> {
    let format = match query.format.as_deref() {
        None => Format::Html,
        Some(text) => Format::parse(text).ok_or_else(|| {
            ApiError::bad_request(format!("format must be html, md or json, not \"{text}\""))
        })?,
    };
    let lang = match query.lang.as_deref() {
        None | Some("zh") => playbooks::Lang::Zh,
        Some("en") => playbooks::Lang::En,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "lang must be zh or en, not \"{other}\""
            )));
        }
    };
    Ok((format, lang))
}

async fn incident_report(
    State(hub): State<Arc<Hub>>,
    Path(id): Path<String>,
    Query(query): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let (format, lang) = read_query(&query)?;
    // The checkpoint the report names covers every entry it shows.
    if let Some(checkpoints) = hub.checkpoints.get() {
        checkpoints.sign_if_grown().map_err(ApiError::internal)?;
    }
    let report = crate::report::of_stored(hub.store.as_ref(), &hub.config, &id)
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found(format!("no incident {id}")))?;
    let body = match format {
        Format::Html => render::html(&report, lang, PAGE_OFFSET),
        Format::Markdown => render::markdown(&report, lang, PAGE_OFFSET),
        Format::Json => render::json(&report),
    };
    Ok(([(header::CONTENT_TYPE, format.content_type())], body).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct MonthQuery {
    month: Option<String>,
    site: Option<String>,
    format: Option<String>,
    lang: Option<String>,
}

/// Reads a monthly report's query, or says what was wrong.
fn read_month_query(query: &MonthQuery) -> Result<(Month, MonthFormat, Lang), ApiError> {
    let month = query.month.as_deref().ok_or_else(|| {
        ApiError::bad_request("month is missing: give month=YYYY-MM, e.g. month=2026-11")
    })?;
    let month = Month::parse(month).map_err(|e| ApiError::bad_request(format!("month: {e}")))?;
    let format = match query.format.as_deref() {
        None => MonthFormat::Html,
        Some(text) => MonthFormat::parse(text).ok_or_else(|| {
            ApiError::bad_request(format!(
                "format must be html, md, json or csv, not \"{text}\""
            ))
        })?,
    };
    let (_, lang) = read_query(&ReportQuery {
        format: None,
        lang: query.lang.clone(),
    })?;
    Ok((month, format, lang))
}

async fn month_report(
    State(hub): State<Arc<Hub>>,
    Query(query): Query<MonthQuery>,
) -> Result<Response, ApiError> {
    let (month, format, lang) = read_month_query(&query)?;
    // As for an incident's report: the checkpoint it names covers every entry it counts.
    if let Some(checkpoints) = hub.checkpoints.get() {
        checkpoints.sign_if_grown().map_err(ApiError::internal)?;
    }
    let site = query.site.as_deref().filter(|s| !s.is_empty());
    let report = month::stored::report(hub.store.as_ref(), &hub.config, month, site, PAGE_OFFSET)
        .map_err(ApiError::internal)?;
    let body = month::render::render(&report, format, lang);
    Ok(([(header::CONTENT_TYPE, format.content_type())], body).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct AwaitingQuery {
    days: Option<String>,
}

/// The incidents opened in the last `days` (default 92, at most 400) awaiting sign-off.
async fn awaiting(
    State(hub): State<Arc<Hub>>,
    Query(query): Query<AwaitingQuery>,
) -> Result<Json<Vec<AwaitingSignOff>>, ApiError> {
    let days = match query.days.as_deref() {
        None => review_queue::DEFAULT_DAYS,
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=review_queue::MAX_DAYS).contains(d))
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "days must be a whole number from 1 to {}, not \"{text}\"",
                    review_queue::MAX_DAYS
                ))
            })?,
    };
    let now = time::OffsetDateTime::now_utc();
    review_queue::stored(hub.store.as_ref(), days, now)
        .map(Json)
        .map_err(ApiError::internal)
}

/// The incident as an OASIS CAP 1.2 alert (`application/cap+xml`).
async fn incident_cap(
    State(hub): State<Arc<Hub>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let incident = hub
        .store
        .incident(&id)
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found(format!("no incident {id}")))?;
    let view = incident.full_view();
    let settings = crate::cap::CapSettings {
        sender: &hub.config.cap_sender,
        offset: hub.config.utc_offset,
        site_name: hub
            .config
            .site(&view.location.site)
            .map(|s| s.name.as_str()),
    };
    let body = crate::cap::alert(&view, &settings);
    Ok((
        [(header::CONTENT_TYPE, "application/cap+xml; charset=utf-8")],
        body,
    )
        .into_response())
}

async fn review(
    State(hub): State<Arc<Hub>>,
    Path(id): Path<String>,
) -> Result<Json<ReviewRecord>, ApiError> {
    hub.store
        .review(&id)
        .map_err(ApiError::internal)?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no review of {id} has been written")))
}

async fn write_review(
    State(hub): State<Arc<Hub>>,
    Extension(operator): Extension<OperatorInfo>,
    Path(id): Path<String>,
    body: Result<Json<Review>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<ReviewRecord>, ApiError> {
    check_permission(operator.role, Action::ReviewIncident).map_err(refused)?;
    let Json(review) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    reviewed(&hub, id, ReviewCommand::Write(review), operator.id).await
}

async fn sign_off(
    State(hub): State<Arc<Hub>>,
    Extension(operator): Extension<OperatorInfo>,
    Path(id): Path<String>,
) -> Result<Json<ReviewRecord>, ApiError> {
    check_permission(operator.role, Action::ReviewIncident).map_err(refused)?;
    reviewed(&hub, id, ReviewCommand::SignOff, operator.id).await
}

/// Sends a review command to the core and answers with the review as it stands after.
async fn reviewed(
    hub: &Hub,
    incident: String,
    command: ReviewCommand,
    by: String,
) -> Result<Json<ReviewRecord>, ApiError> {
    let (reply, rx) = tokio::sync::oneshot::channel();
    let request = Request::Review {
        incident,
        command,
        by,
        reply,
    };
    hub.core.send(request).await.map_err(ApiError::internal)?;
    rx.await
        .map_err(ApiError::internal)?
        .map(Json)
        .map_err(refused)
}

/// A refusal as an HTTP error: its English sentence under the status that fits its code.
fn refused(refusal: Refusal) -> ApiError {
    let message = refusal.message.en;
    match refusal.code {
        RefusalCode::NotPermitted => ApiError::forbidden(message),
        RefusalCode::UnknownIncident => ApiError::not_found(message),
        RefusalCode::InvalidState | RefusalCode::NeedsSecondOperator => ApiError::conflict(message),
        RefusalCode::Unavailable => ApiError::internal(message),
        _ => ApiError::bad_request(message),
    }
}
