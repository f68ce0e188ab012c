//! The drill calendar over HTTP: each site's year with every entry's status, edits (add, move,
//! cancel, each with a reason) by a safety officer or an admin, and the year's coverage.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use time::{Date, OffsetDateTime};
use tokio::sync::oneshot;

use crate::access::{Access, Route, get, post, route};
use crate::api_error::ApiError;
use crate::calendar::{CalendarCommand, CalendarRefusal, generated, statuses};
use crate::core::Request;
use crate::hub::Hub;
use crate::incident::{Action, permitted};
use crate::protocol::{
    Bilingual, CalendarEdit, CalendarEntry, CalendarItem, Coverage, DrillKind, ExerciseType,
    OperatorInfo, SiteCalendar,
};

/// The routes of the drill calendar.
pub fn routes() -> Vec<Route> {
    vec![
        route(
            "/v1/drills/calendar",
            Access::Operator,
            get(calendar).post(add_entry),
        ),
        route(
            "/v1/drills/calendar/{entry}/move",
            Access::Operator,
            post(move_entry),
        ),
        route(
            "/v1/drills/calendar/{entry}/cancel",
            Access::Operator,
            post(cancel_entry),
        ),
        route("/v1/drills/calendar/edits", Access::Operator, get(edits)),
        route("/v1/drills/coverage", Access::Operator, get(coverage)),
    ]
}

#[derive(Debug, Deserialize)]
struct CalendarQuery {
    site: Option<String>,
    year: Option<i32>,
}

/// The hub's calendar of `site` for `year`: as stored, or as the plan makes it when the hub
/// has not run in that year.
pub fn site_calendar(hub: &Hub, site: &str, year: i32) -> Result<SiteCalendar, ApiError> {
    match hub.store.calendar(site, year).map_err(ApiError::internal)? {
        Some(calendar) => Ok(calendar),
        None => {
            let sites = [site.to_owned()];
            Ok(generated(
                site,
                year,
                hub.config.drill_plan.calendar(year, &sites),
                None,
            ))
        }
    }
}

/// The site and year whose calendar holds `entry`: the year its id starts with (`2027-…`),
/// else this year.
pub fn find_entry(hub: &Hub, entry: &str) -> Result<Option<SiteCalendar>, ApiError> {
    let year = entry
        .get(..4)
        .and_then(|y| y.parse::<i32>().ok())
        .unwrap_or_else(|| OffsetDateTime::now_utc().year());
    for site in &hub.config.sites {
        let calendar = site_calendar(hub, &site.id, year)?;
        if calendar.entries.iter().any(|e| e.id == entry) {
            return Ok(Some(calendar));
        }
    }
    Ok(None)
}

fn known_site(hub: &Hub, site: &str) -> Result<(), ApiError> {
    if hub.config.site(site).is_some() {
        return Ok(());
    }
    let known: Vec<&str> = hub.config.sites.iter().map(|s| s.id.as_str()).collect();
    Err(ApiError::bad_request(format!(
        "unknown site \"{site}\": this hub serves {}",
        known.join(", ")
    )))
}

/// `GET /v1/drills/calendar?site=&year=`: every entry of the year (of one site, or of every
/// site) with its status today, by due date.
async fn calendar(
    State(hub): State<Arc<Hub>>,
    Query(query): Query<CalendarQuery>,
) -> Result<Json<Vec<CalendarItem>>, ApiError> {
    let today = OffsetDateTime::now_utc().date();
    let year = query.year.unwrap_or(today.year());
    let sites: Vec<String> = match query.site {
        Some(site) => {
            known_site(&hub, &site)?;
            vec![site]
        }
        None => hub.config.sites.iter().map(|s| s.id.clone()).collect(),
    };
    let records = hub.store.drill_records().map_err(ApiError::internal)?;
    let mut items = Vec::new();
    for site in &sites {
        items.extend(statuses(&site_calendar(&hub, site, year)?, &records, today));
    }
    items.sort_by_key(|a| a.entry.due);
    Ok(Json(items))
}

/// `GET /v1/drills/calendar/edits?site=&year=`: every edit of the year's calendars (of one
/// site, or of every site), oldest first, each with who made it, when and why.
async fn edits(
    State(hub): State<Arc<Hub>>,
    Query(query): Query<CalendarQuery>,
) -> Result<Json<Vec<CalendarEdit>>, ApiError> {
    let year = query
        .year
        .unwrap_or_else(|| OffsetDateTime::now_utc().year());
    let sites: Vec<String> = match query.site {
        Some(site) => {
            known_site(&hub, &site)?;
            vec![site]
        }
        None => hub.config.sites.iter().map(|s| s.id.clone()).collect(),
    };
    let mut edits = Vec::new();
    for site in &sites {
        edits.extend(site_calendar(&hub, site, year)?.log);
    }
    edits.sort_by_key(|e| e.at);
    Ok(Json(edits))
}

/// `GET /v1/drills/coverage?year=`.
async fn coverage(
    State(hub): State<Arc<Hub>>,
    Query(query): Query<CalendarQuery>,
) -> Result<Json<Coverage>, ApiError> {
    let year = query
        .year
        .unwrap_or_else(|| OffsetDateTime::now_utc().year());
    let sites: Vec<String> = hub.config.sites.iter().map(|s| s.id.clone()).collect();
    let calendars = sites
        .iter()
        .map(|site| site_calendar(&hub, site, year))
        .collect::<Result<Vec<_>, _>>()?;
    let records = hub.store.drill_records().map_err(ApiError::internal)?;
    let config = &hub.config;
    Ok(Json(crate::coverage::coverage(
        year,
        &sites,
        &calendars,
        &records,
        &config.shifts,
        config.utc_offset,
    )))
}

/// The id of `operator` when their role may edit drill calendars.
fn editor(operator: OperatorInfo) -> Result<String, ApiError> {
    if permitted(operator.role, Action::EditDrillCalendar) {
        Ok(operator.id)
    } else {
        Err(ApiError::forbidden(format!(
            "only a safety officer or an admin may change the drill calendar; {} may not",
            operator.id
        )))
    }
}

/// What `POST /v1/drills/calendar` takes: an entry the plan lacks, and why it is added.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AddEntry {
    id: String,
    site: String,
    name: Bilingual,
    kind: DrillKind,
    exercise: ExerciseType,
    #[serde(with = "crate::protocol::iso_date")]
    due: Date,
    scenario: Option<String>,
    /// The plan entry it stands with in coverage; its own id otherwise.
    plan_entry: Option<String>,
    reason: String,
}

async fn add_entry(
    State(hub): State<Arc<Hub>>,
    Extension(operator): Extension<OperatorInfo>,
    body: Result<Json<AddEntry>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Vec<CalendarItem>>), ApiError> {
    let by = editor(operator)?;
    let Json(body) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    known_site(&hub, &body.site)?;
    let year = body.due.year();
    let entry = CalendarEntry {
        plan_entry: body.plan_entry.unwrap_or_else(|| body.id.clone()),
        id: body.id,
        site: body.site.clone(),
        name: body.name,
        kind: body.kind,
        exercise: body.exercise,
        due: body.due,
        scenario: body.scenario,
    };
    let command = CalendarCommand::Add {
        entry,
        reason: body.reason,
    };
    let calendar = edit(&hub, body.site, year, command, by).await?;
    Ok((StatusCode::CREATED, Json(with_status(&hub, &calendar)?)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MoveEntry {
    #[serde(with = "crate::protocol::iso_date")]
    due: Date,
    reason: String,
}

async fn move_entry(
    State(hub): State<Arc<Hub>>,
    Extension(operator): Extension<OperatorInfo>,
    Path(entry): Path<String>,
    body: Result<Json<MoveEntry>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Vec<CalendarItem>>, ApiError> {
    let by = editor(operator)?;
    let Json(body) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let calendar = holding(&hub, &entry)?;
    let command = CalendarCommand::Move {
        entry,
        to: body.due,
        reason: body.reason,
    };
    let calendar = edit(&hub, calendar.site, calendar.year, command, by).await?;
    Ok(Json(with_status(&hub, &calendar)?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CancelEntry {
    reason: String,
}

async fn cancel_entry(
    State(hub): State<Arc<Hub>>,
    Extension(operator): Extension<OperatorInfo>,
    Path(entry): Path<String>,
    body: Result<Json<CancelEntry>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Vec<CalendarItem>>, ApiError> {
    let by = editor(operator)?;
    let Json(body) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let calendar = holding(&hub, &entry)?;
    let command = CalendarCommand::Cancel {
        entry,
        reason: body.reason,
    };
    let calendar = edit(&hub, calendar.site, calendar.year, command, by).await?;
    Ok(Json(with_status(&hub, &calendar)?))
}

/// The calendar that holds `entry`, or a 404 saying so.
fn holding(hub: &Hub, entry: &str) -> Result<SiteCalendar, ApiError> {
    find_entry(hub, entry)?.ok_or_else(|| {
        ApiError::not_found(format!(
            "there is no entry \"{entry}\" on any site's drill calendar"
        ))
    })
}

fn with_status(hub: &Hub, calendar: &SiteCalendar) -> Result<Vec<CalendarItem>, ApiError> {
    let records = hub.store.drill_records().map_err(ApiError::internal)?;
    Ok(statuses(
        calendar,
        &records,
        OffsetDateTime::now_utc().date(),
    ))
}

/// Sends a calendar edit to the core: the calendar after it, or why not.
async fn edit(
    hub: &Hub,
    site: String,
    year: i32,
    command: CalendarCommand,
    by: String,
) -> Result<SiteCalendar, ApiError> {
    let (reply, rx) = oneshot::channel();
    let request = Request::Calendar {
        site,
        year,
        command,
        by,
        reply,
    };
    hub.core.send(request).await.map_err(ApiError::internal)?;
    rx.await
        .map_err(ApiError::internal)?
        .map_err(|refusal| match refusal {
            CalendarRefusal::UnknownEntry { .. } => ApiError::not_found(refusal.to_string()),
            CalendarRefusal::Duplicate { .. } | CalendarRefusal::Cancelled(_) => {
                ApiError::conflict(refusal.to_string())
            }
            CalendarRefusal::Unavailable => ApiError::internal(refusal),
            CalendarRefusal::ReasonRequired(_)
            | CalendarRefusal::WrongYear { .. }
            | CalendarRefusal::WrongSite { .. }
            | CalendarRefusal::BadId(_) => ApiError::bad_request(refusal.to_string()),
        })
}
