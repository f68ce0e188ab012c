//! The hub's signed checkpoints of its audit tree: signed at start, at least every minute while
//! the tree grows, and once more after the core has stopped on shutdown; the latest is kept in
//! the store and served at `GET /v1/audit/checkpoint`, with the key that verifies it at
//! `GET /v1/audit/key`, and the inclusion proof of one event or log entry in the tree of that
//! checkpoint at `GET /v1/audit/proof?event=SEQ` or `?log=SEQ` (all for operators).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tokio::sync::watch;

use crate::access::{Access, Route, get, route};
use crate::api_error::ApiError;
use crate::audit::checkpoint::{Checkpoint, SignedCheckpoint};
use crate::audit::note::{NoteSigner, NoteVerifier};
use crate::error::StoreError;
use crate::hub::{Hub, stopped};
use crate::protocol::InclusionProof;
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
        route("/v1/audit/proof", Access::Operator, get(proof)),
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

/// Which entry to prove: `event=SEQ` or `log=SEQ`.
#[derive(Debug, serde::Deserialize)]
pub struct ProofQuery {
    event: Option<u64>,
    log: Option<u64>,
}

async fn proof(
    State(hub): State<Arc<Hub>>,
    axum::extract::Query(query): axum::extract::Query<ProofQuery>,
) -> Result<axum::Json<InclusionProof>, ApiError> {
    use crate::audit::merkle::{hex, inclusion_proof, root_of};
    use crate::audit::verify::Entry;
    let entry = match (query.event, query.log) {
        (Some(seq), None) => Entry::Event(seq),
        (None, Some(seq)) => Entry::Log(seq),
        _ => {
            return Err(ApiError::bad_request(
                "say which entry to prove: event=SEQ or log=SEQ",
            ));
        }
    };
    let note = hub
        .store
        .checkpoint()
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("no audit checkpoint has been signed yet".into()))?;
    let checkpoint = Checkpoint::parse(&note).map_err(ApiError::internal)?;
    let store = hub.store.clone();
    let size = checkpoint.size;
    let found = tokio::task::spawn_blocking(move || store.audit_leaves(entry, size))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let Some((index, leaves)) = found else {
        return Err(ApiError::not_found(format!(
            "{entry} is not in the tree of the latest checkpoint ({size} leaves)"
        )));
    };
    if root_of(&leaves) != checkpoint.root {
        return Err(ApiError::internal(
            "the recorded leaves do not give the checkpoint's root; run alert-hub verify",
        ));
    }
    let position = usize::try_from(index).map_err(ApiError::internal)?;
    let (Some(path), Some(leaf)) = (inclusion_proof(&leaves, position), leaves.get(position))
    else {
        return Err(ApiError::internal("the leaf is past the tree"));
    };
    Ok(axum::Json(InclusionProof {
        entry: entry.to_string(),
        leaf_index: index,
        tree_size: size,
        leaf_hash: hex(leaf),
        proof: path.iter().map(hex).collect(),
        root: hex(&checkpoint.root),
        checkpoint: note,
    }))
}
