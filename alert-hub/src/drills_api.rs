//! Drills over HTTP: start one (from a scenario, at a site, scored on its objectives), end it
//! with two people, abort it with a reason, and read the records of drills that ended.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use tokio::sync::oneshot;

use crate::access::{Access, Route, get, post, route};
use crate::api_error::ApiError;
use crate::core::Request;
use crate::drill::{DrillCommand, DrillEvent, DrillRefusal};
use crate::hub::Hub;
use crate::incident::{Action, permitted};
use crate::protocol::{DrillEnding, DrillRecord, DrillView, OperatorInfo, StartDrill};

/// The routes of the drills.
pub fn routes() -> Vec<Route> {
    vec![
        route(
            "/v1/drills",
            Access::Operator,
            get(drills).post(start_drill),
        ),
        route("/v1/drills/records", Access::Operator, get(records)),
        route("/v1/drills/{id}/record", Access::Operator, get(record)),
        route("/v1/drills/{id}/end", Access::Operator, post(end_drill)),
        route("/v1/drills/{id}/abort", Access::Operator, post(abort_drill)),
        route(
            "/v1/drills/{id}/events",
            Access::Operator,
            post(crate::drill_inject::inject),
        ),
        route(
            "/v1/drills/{id}/report",
            Access::Operator,
            get(after_action),
        ),
    ]
}

async fn drills(State(hub): State<Arc<Hub>>) -> Result<Json<Vec<DrillView>>, ApiError> {
    Ok(Json(hub.store.drills().map_err(ApiError::internal)?))
}

async fn records(State(hub): State<Arc<Hub>>) -> Result<Json<Vec<DrillRecord>>, ApiError> {
    Ok(Json(hub.store.drill_records().map_err(ApiError::internal)?))
}

async fn record(
    State(hub): State<Arc<Hub>>,
    Path(id): Path<String>,
) -> Result<Json<DrillRecord>, ApiError> {
    hub.store
        .drill_records()
        .map_err(ApiError::internal)?
        .into_iter()
        .find(|r| r.drill.id == id)
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no drill {id} has ended")))
}

/// `GET /v1/drills/{id}/report?format=html|md|json&lang=zh|en`: the after-action report.
async fn after_action(
    State(hub): State<Arc<Hub>>,
    Path(id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<crate::reports_api::ReportQuery>,
) -> Result<axum::response::Response, ApiError> {
    use crate::report::after_action;
    use crate::report::render::Format;
    use axum::response::IntoResponse;
    let (format, lang) = crate::reports_api::read_query(&query)?;
    let today = time::OffsetDateTime::now_utc()
        .to_offset(hub.config.utc_offset)
        .date();
    let report = crate::report::after_action_of_stored(hub.store.as_ref(), &hub.config, &id, today)
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found(format!("no drill {id} has ended")))?;
    let offset = crate::reports_api::PAGE_OFFSET;
    let body = match format {
        Format::Html => after_action::html(&report, lang, offset),
        Format::Markdown => after_action::markdown(&report, lang, offset),
        Format::Json => serde_json::to_string_pretty(&report).map_err(ApiError::internal)?,
    };
    Ok((
        [(axum::http::header::CONTENT_TYPE, format.content_type())],
        body,
    )
        .into_response())
}

/// The id of `operator`, asking to start or end a drill (`action`), when the permission table
/// lets their role.
pub(crate) fn drill_operator(operator: OperatorInfo, action: Action) -> Result<String, ApiError> {
    if permitted(operator.role, action) {
        Ok(operator.id)
    } else {
        Err(ApiError::forbidden(format!(
            "only a safety officer or an admin may start or end drills; {} may not",
            operator.id
        )))
    }
}

async fn start_drill(
    State(hub): State<Arc<Hub>>,
    Extension(operator): Extension<OperatorInfo>,
    body: Result<Json<StartDrill>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<DrillView>), ApiError> {
    let by = drill_operator(operator, Action::StartDrill)?;
    let Json(body) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let valid_id = !body.id.is_empty()
        && body.id.len() <= crate::ingest::MAX_TEXT_BYTES
        && body
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c));
    if !valid_id {
        return Err(ApiError::bad_request(
            "a drill id is letters, digits and - _ . : only",
        ));
    }
    if let Some(site) = &body.site
        && hub.config.site(site).is_none()
    {
        let known: Vec<&str> = hub.config.sites.iter().map(|s| s.id.as_str()).collect();
        return Err(ApiError::bad_request(format!(
            "unknown site \"{site}\": this hub serves {}",
            known.join(", ")
        )));
    }
    if let Some(entry) = &body.calendar_entry {
        let calendar = crate::calendar_api::find_entry(&hub, entry)?;
        let Some(calendar) = calendar else {
            return Err(ApiError::bad_request(format!(
                "calendar entry \"{entry}\" is not on any site's drill calendar: \
                 GET /v1/drills/calendar lists them"
            )));
        };
        if let Some(site) = &body.site
            && *site != calendar.site
        {
            return Err(ApiError::bad_request(format!(
                "calendar entry \"{entry}\" is a drill of {}, not of {site}",
                calendar.site
            )));
        }
    }
    let mut drill = DrillView::new(body.id, body.name, time::OffsetDateTime::now_utc());
    drill.site = body.site;
    drill.scenario = body.scenario;
    drill.kind = body.kind;
    drill.exercise = body.exercise;
    drill.objectives = body.objectives;
    drill.calendar_entry = body.calendar_entry;
    let command = DrillCommand::Start {
        drill: Box::new(drill),
        by,
    };
    let events = drill_command(&hub, command).await?;
    let started = events.into_iter().find_map(|event| match event {
        DrillEvent::DrillStarted { drill, .. } => Some(drill),
        _ => None,
    });
    let drill = started.ok_or_else(|| ApiError::internal("a started drill has no view"))?;
    Ok((StatusCode::CREATED, Json(drill)))
}

fn ending(events: Vec<DrillEvent>) -> Result<DrillEnding, ApiError> {
    events
        .into_iter()
        .find_map(|event| match event {
            DrillEvent::EndRequested { by, .. } => Some(DrillEnding::EndRequested { by }),
            DrillEvent::DrillEnded { outcome, .. } => Some(DrillEnding::Ended { outcome }),
            DrillEvent::DrillStarted { .. } => None,
        })
        .ok_or_else(|| ApiError::internal("a drill's end changed nothing"))
}

async fn end_drill(
    State(hub): State<Arc<Hub>>,
    Extension(operator): Extension<OperatorInfo>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<DrillEnding>), ApiError> {
    let by = drill_operator(operator, Action::EndDrill)?;
    let ending = ending(drill_command(&hub, DrillCommand::End { id, by }).await?)?;
    let status = match ending {
        DrillEnding::EndRequested { .. } => StatusCode::ACCEPTED,
        DrillEnding::Ended { .. } => StatusCode::OK,
    };
    Ok((status, Json(ending)))
}

#[derive(Debug, Deserialize)]
struct AbortDrill {
    reason: String,
}

async fn abort_drill(
    State(hub): State<Arc<Hub>>,
    Extension(operator): Extension<OperatorInfo>,
    Path(id): Path<String>,
    body: Result<Json<AbortDrill>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<DrillEnding>, ApiError> {
    let by = drill_operator(operator, Action::EndDrill)?;
    let Json(body) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let command = DrillCommand::Abort {
        id,
        by,
        reason: body.reason,
    };
    Ok(Json(ending(drill_command(&hub, command).await?)?))
}

/// Sends a drill command to the core: what happened, or why not.
async fn drill_command(hub: &Hub, command: DrillCommand) -> Result<Vec<DrillEvent>, ApiError> {
    let (reply, rx) = oneshot::channel();
    let request = Request::Drill { command, reply };
    hub.core.send(request).await.map_err(ApiError::internal)?;
    rx.await
        .map_err(ApiError::internal)?
        .map_err(|refusal| match refusal {
            DrillRefusal::AlreadyRunning(_) | DrillRefusal::SamePerson { .. } => {
                ApiError::conflict(refusal.to_string())
            }
            DrillRefusal::NotRunning(_) => ApiError::not_found(refusal.to_string()),
            DrillRefusal::ReasonRequired(_) => ApiError::bad_request(refusal.to_string()),
        })
}
