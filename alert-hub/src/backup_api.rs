//! Backups of a running hub over HTTP: `POST /v1/admin/backup` with `{"to": "<absolute path>"}`
//! has the hub write a consistent snapshot of its store (see `store::backup`) to a new file on
//! its own machine, readable by its owner only. Admins only.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Extension, State};
use axum::http::StatusCode;

use crate::access::{Access, Route, post, route};
use crate::api_error::ApiError;
use crate::hub::Hub;
use crate::protocol::{BackupRequest, BackupWritten, OperatorInfo, Role};
use crate::store::backup::write_to;

/// The routes of backups.
pub fn routes() -> Vec<Route> {
    vec![route("/v1/admin/backup", Access::Operator, post(backup))]
}

async fn backup(
    State(hub): State<Arc<Hub>>,
    Extension(operator): Extension<OperatorInfo>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<BackupWritten>), ApiError> {
    if operator.role != Role::Admin {
        return Err(ApiError::forbidden(format!(
            "only an admin may back up the hub; {} may not",
            operator.id
        )));
    }
    let request: BackupRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!(
            "a backup request is {{\"to\": \"<absolute path>\"}}: {e}"
        ))
    })?;
    let to = request.to;
    if !to.is_absolute() || to.file_name().is_none() {
        return Err(ApiError::bad_request(format!(
            "to: \"{}\" is not an absolute path to a file",
            to.display()
        )));
    }
    if to.exists() {
        return Err(ApiError::conflict(format!(
            "to: {} exists already; a backup never overwrites a file",
            to.display()
        )));
    }
    let store = hub.store.clone();
    let target = to.clone();
    let written = tokio::task::spawn_blocking(move || write_to(store.as_ref(), &target))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| {
            tracing::error!(error = %e, file = %to.display(), "the backup failed");
            ApiError::bad_request(format!("the backup to {} failed: {e}", to.display()))
        })?;
    tracing::info!(
        file = %to.display(),
        records = written.records,
        bytes = written.bytes,
        by = %operator.id,
        "backed up the store"
    );
    Ok((
        StatusCode::CREATED,
        Json(BackupWritten {
            file: to,
            records: written.records,
            files: written.files,
            bytes: written.bytes,
        }),
    ))
}
