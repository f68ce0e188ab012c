//! Backups of a running hub over HTTP: `POST /v1/admin/backup` with `{"to": "<absolute path>"}`
//! has the hub write a consistent snapshot of its store (see `store::backup`) to a new file on
//! its own machine, readable by its owner only. Admins only.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::routing::post;

use crate::access::{Access, Route, route};
use crate::api_error::ApiError;
use crate::hub::Hub;
use crate::protocol::{BackupRequest, BackupWritten, OperatorInfo, Role};
use crate::store::backup::Counts;

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
    let written = tokio::task::spawn_blocking(move || write(store.as_ref(), &target))
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

/// Writes the backup beside `to` and renames it there once complete and on disk.
fn write(store: &dyn crate::store::Store, to: &std::path::Path) -> backup_error::Result<Counts> {
    let mut partial = to.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(&partial)?;
    let mut out = std::io::BufWriter::new(file);
    let result = store.backup(&mut out).map_err(backup_error::Error::from);
    let done = result.and_then(|counts| {
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&partial, to)?;
        Ok(counts)
    });
    if done.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    done
}

/// The errors of writing a backup file: the file's or the store's.
mod backup_error {
    pub type Result<T> = std::result::Result<T, Error>;

    #[derive(Debug, thiserror::Error)]
    pub enum Error {
        #[error(transparent)]
        Io(#[from] std::io::Error),
        #[error(transparent)]
        Store(#[from] crate::error::StoreError),
    }
}
