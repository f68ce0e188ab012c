//! The reports over HTTP: `GET /v1/incidents/{id}/report?format=html|md|json&lang=zh|en`.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use time::UtcOffset;

use crate::access::{Access, Route, route};
use crate::api_error::ApiError;
use crate::hub::Hub;
use crate::report::render::{self, Format};

/// The clock the pages show times in: the control room's, China Standard Time.
pub const PAGE_OFFSET: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// The routes of the reports.
pub fn routes() -> Vec<Route> {
    vec![route(
        "/v1/incidents/{id}/report",
        Access::Operator,
        get(incident_report),
    )]
}

#[derive(Debug, Deserialize)]
struct ReportQuery {
    format: Option<String>,
    lang: Option<String>,
}

/// Reads `format` (default `html`) and `lang` (default `zh`), or says what was wrong.
fn read_query(query: &ReportQuery) -> Result<(Format, playbooks::Lang), ApiError> {
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
    let report = crate::report::of_stored(hub.store.as_ref(), &hub.config.library, &id)
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found(format!("no incident {id}")))?;
    let body = match format {
        Format::Html => render::html(&report, lang, PAGE_OFFSET),
        Format::Markdown => render::markdown(&report, lang, PAGE_OFFSET),
        Format::Json => render::json(&report),
    };
    Ok(([(header::CONTENT_TYPE, format.content_type())], body).into_response())
}
