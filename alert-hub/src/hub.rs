//! The state every request handler shares, and who a request's bearer token belongs to.

use std::sync::Arc;

use axum::http::HeaderMap;
use tokio::sync::watch;

use crate::config::{HubConfig, Principal, Source};
use crate::core::CoreHandle;
use crate::health::StoreHealth;
use crate::metrics::Metrics;
use crate::protocol::OperatorInfo;
use crate::store::Store;

/// What every request handler shares.
#[derive(Debug)]
pub struct Hub {
    pub config: Arc<HubConfig>,
    pub store: Arc<dyn Store>,
    pub core: CoreHandle,
    pub metrics: Arc<Metrics>,
    /// Whether events can be stored now.
    pub health: Arc<StoreHealth>,
    pub shutdown: watch::Receiver<bool>,
    /// What signs the audit checkpoints, once the hub serves with its key.
    pub checkpoints: std::sync::OnceLock<Arc<crate::checkpoints::Checkpointer>>,
}

impl Hub {
    /// The operator whose bearer token `headers` carry, if the token is an operator's.
    pub fn operator(&self, headers: &HeaderMap) -> Option<OperatorInfo> {
        let Some(Principal::Operator(id)) = self.principal(headers) else {
            return None;
        };
        let operator = self.config.operators.get(id)?;
        Some(OperatorInfo {
            id: operator.id.clone(),
            name: operator.name.clone(),
            role: operator.role,
        })
    }

    /// The source whose bearer token `headers` carry, if the token is a source's.
    pub fn source(&self, headers: &HeaderMap) -> Option<Arc<Source>> {
        let Some(Principal::Source(id)) = self.principal(headers) else {
            return None;
        };
        self.config.sources.get(id).cloned().map(Arc::new)
    }

    fn principal(&self, headers: &HeaderMap) -> Option<&Principal> {
        bearer(headers).and_then(|token| self.config.principal(token))
    }
}

/// The token after `Bearer `, exactly as presented: a token with a space around it is another
/// token, never the configured one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    value.strip_prefix("Bearer ")
}

/// Completes once the hub is shutting down.
pub async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await.map(|_| ());
}
