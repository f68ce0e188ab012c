//! A drill's after-action analysis and improvement plan over HTTP: safety officers and admins
//! write the analysis of each objective and add and update corrective actions; everyone with
//! a token reads the plan and lists actions across drills, the overdue ones for follow-up.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use tokio::sync::oneshot;

use crate::access::{Access, Route, get, post, route};
use crate::after_action::{AfterActionCommand, AfterActionRefusal};
use crate::api_error::ApiError;
use crate::core::Request;
use crate::hub::Hub;
use crate::incident::{Action, check_permission};
use crate::protocol::{
    ActionUpdate, AfterActionRecord, ListedAction, NewAction, ObjectiveAnalysis, OperatorInfo,
};

/// The routes of drills' after-action plans.
pub fn routes() -> Vec<Route> {
    vec![
        route("/v1/drills/actions", Access::Operator, get(list_actions)),
        route(
            "/v1/drills/{id}/analysis",
            Access::Operator,
            get(after_action).put(write_analysis),
        ),
        route(
            "/v1/drills/{id}/actions",
            Access::Operator,
            post(add_action),
        ),
        route(
            "/v1/drills/{id}/actions/{action}",
            Access::Operator,
            post(update_action),
        ),
    ]
}

/// The drill's analysis and improvement plan with its log (404 before anything is written).
async fn after_action(
    State(hub): State<Arc<Hub>>,
    Path(id): Path<String>,
) -> Result<Json<AfterActionRecord>, ApiError> {
    hub.store
        .after_action(&id)
        .map_err(ApiError::internal)?
        .map(Json)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "no analysis or improvement plan of drill {id} has been written"
            ))
        })
}

/// `?overdue=true`: only actions not done and past their due date.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    #[serde(default)]
    overdue: bool,
}

/// Every corrective action of every drill (or only the overdue ones), the earliest due first.
async fn list_actions(
    State(hub): State<Arc<Hub>>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<ListedAction>>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let today = time::OffsetDateTime::now_utc()
        .to_offset(hub.config.utc_offset)
        .date();
    let records = hub.store.drill_records().map_err(ApiError::internal)?;
    let plans = hub.store.after_actions().map_err(ApiError::internal)?;
    let mut listed = Vec::new();
    for plan in plans {
        let drill = records.iter().find(|r| r.drill.id == plan.drill);
        for action in plan.actions {
            let overdue = action.is_overdue(today);
            if query.overdue && !overdue {
                continue;
            }
            listed.push(ListedAction {
                drill: plan.drill.clone(),
                drill_name: drill.map(|r| r.drill.name.clone()).unwrap_or_default(),
                site: drill.and_then(|r| r.drill.site.clone()),
                action,
                overdue,
            });
        }
    }
    listed.sort_by(|a, b| (a.action.due, &a.drill).cmp(&(b.action.due, &b.drill)));
    Ok(Json(listed))
}

async fn write_analysis(
    State(hub): State<Arc<Hub>>,
    Extension(operator): Extension<OperatorInfo>,
    Path(id): Path<String>,
    body: Result<Json<ObjectiveAnalysis>, JsonRejection>,
) -> Result<Json<AfterActionRecord>, ApiError> {
    let by = planner(operator)?;
    let Json(analysis) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let command = AfterActionCommand::WriteAnalysis(analysis);
    Ok(Json(send(&hub, id, command, by).await?))
}

async fn add_action(
    State(hub): State<Arc<Hub>>,
    Extension(operator): Extension<OperatorInfo>,
    Path(id): Path<String>,
    body: Result<Json<NewAction>, JsonRejection>,
) -> Result<(StatusCode, Json<AfterActionRecord>), ApiError> {
    let by = planner(operator)?;
    let Json(new) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let record = send(&hub, id, AfterActionCommand::AddAction(new), by).await?;
    Ok((StatusCode::CREATED, Json(record)))
}

async fn update_action(
    State(hub): State<Arc<Hub>>,
    Extension(operator): Extension<OperatorInfo>,
    Path((id, action)): Path<(String, String)>,
    body: Result<Json<ActionUpdate>, JsonRejection>,
) -> Result<Json<AfterActionRecord>, ApiError> {
    let by = planner(operator)?;
    let Json(update) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let command = AfterActionCommand::UpdateAction { action, update };
    Ok(Json(send(&hub, id, command, by).await?))
}

/// The caller's id when they may write after-action plans; 403 with a sentence otherwise.
fn planner(operator: OperatorInfo) -> Result<String, ApiError> {
    check_permission(operator.role, Action::PlanImprovement)
        .map_err(|refusal| ApiError::forbidden(refusal.message.en))?;
    Ok(operator.id)
}

/// Sends the command to the core: the record as it stands after, or why not.
async fn send(
    hub: &Hub,
    drill: String,
    command: AfterActionCommand,
    by: String,
) -> Result<AfterActionRecord, ApiError> {
    let (reply, rx) = oneshot::channel();
    let request = Request::AfterAction {
        drill,
        command,
        by,
        reply,
    };
    hub.core.send(request).await.map_err(ApiError::internal)?;
    rx.await.map_err(ApiError::internal)?.map_err(|refusal| {
        let message = refusal.to_string();
        match refusal {
            AfterActionRefusal::UnknownDrill(_) | AfterActionRefusal::UnknownAction { .. } => {
                ApiError::not_found(message)
            }
            AfterActionRefusal::StillRunning(_) => ApiError::conflict(message),
            AfterActionRefusal::UnknownObjective { .. } | AfterActionRefusal::Invalid(_) => {
                ApiError::bad_request(message)
            }
            AfterActionRefusal::Unavailable => ApiError::internal(message),
        }
    })
}
