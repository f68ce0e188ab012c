//! The hub's signed checkpoints of its audit tree: signed at start, at least every minute while
//! the tree grows, and once more after the core has stopped on shutdown; the latest is kept in
//! the store and served at `GET /v1/audit/checkpoint`, with the key that verifies it at
//! `GET /v1/audit/key` (both for operators).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::watch;

use crate::access::{Access, Route, route};
use crate::api_error::ApiError;
use crate::audit::checkpoint::{Checkpoint, SignedCheckpoint};
use crate::audit::note::{NoteSigner, NoteVerifier};
use crate::error::StoreError;
use crate::hub::{Hub, stopped};
use crate::store::Store;

/// How often the tree is checkpointed while it grows.
pub const EVERY: Duration = Duration::from_secs(60);

/// Signs checkpoints of the store's committed tree with the hub's key.
#[derive(Debug)]
pub struct Checkpointer {
    store: Arc<dyn Store>,
    signer: NoteSigner,
    /// The size of the last checkpoint kept.
    last: Mutex<Option<u64>>,
}

impl Checkpointer {
    pub fn new(store: Arc<dyn Store>, signer: NoteSigner) -> Checkpointer {
        Checkpointer {
            store,
            signer,
            last: Mutex::new(None),
        }
    }

    /// The key that verifies this hub's checkpoints.
    pub fn verifier(&self) -> NoteVerifier {
        self.signer.verifier()
    }

    /// Signs and keeps a checkpoint of the committed tree unless the last one kept (by this
    /// hub, or in the store by this key) is of the same size; returns the one signed.
    pub fn sign_if_grown(&self) -> Result<Option<SignedCheckpoint>, StoreError> {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if last.is_none() {
            *last = self
                .store
                .checkpoint()?
                .and_then(|note| SignedCheckpoint::open(&note, &self.verifier()).ok())
                .map(|s| s.checkpoint.size);
        }
        let (size, root) = self.store.audit_tree()?;
        if *last == Some(size) {
            return Ok(None);
        }
        let checkpoint = Checkpoint {
            origin: self.signer.name().to_string(),
            size,
            root,
        };
        let signed = checkpoint
            .sign(&self.signer)
            .map_err(|e| StoreError::Damaged {
                key: "C".into(),
                message: e.to_string(),
            })?;
        self.store.keep_checkpoint(&signed.note)?;
        *last = Some(size);
        tracing::debug!(size, "signed an audit checkpoint");
        Ok(Some(signed))
    }
}

/// Signs a checkpoint every [`EVERY`] while the tree grows, until shutdown.
pub async fn run(checkpointer: Arc<Checkpointer>, mut shutdown: watch::Receiver<bool>) {
    let mut interval = tokio::time::interval(EVERY);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = interval.tick() => {
                let signer = checkpointer.clone();
                match tokio::task::spawn_blocking(move || signer.sign_if_grown()).await {
                    Ok(Err(e)) => tracing::error!(error = %e, "cannot keep an audit checkpoint"),
                    Err(e) => tracing::error!(error = %e, "the audit checkpoint task failed"),
                    Ok(Ok(_)) => {}
                }
            }
            _ = stopped(&mut shutdown) => return,
        }
    }
}

/// The routes of the audit checkpoints.
pub fn routes() -> Vec<Route> {
    vec![
        route("/v1/audit/checkpoint", Access::Operator, get(checkpoint)),
        route("/v1/audit/key", Access::Operator, get(key)),
    ]
}

fn text(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

/// The latest signed checkpoint, as its signed note.
async fn checkpoint(State(hub): State<Arc<Hub>>) -> Result<Response, ApiError> {
    let note = hub.store.checkpoint().map_err(ApiError::internal)?;
    note.map(text)
        .ok_or_else(|| ApiError::not_found("no audit checkpoint has been signed yet".into()))
}

/// The verifier key of the hub's checkpoints: `<name>+<key hash>+<base64 key>`.
async fn key(State(hub): State<Arc<Hub>>) -> Result<Response, ApiError> {
    let checkpointer = hub
        .checkpoints
        .get()
        .ok_or_else(|| ApiError::not_found("this hub signs no audit checkpoints".into()))?;
    Ok(text(format!("{}\n", checkpointer.verifier().to_text())))
}
