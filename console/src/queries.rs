//! Questions the console asks the hub outside the live feed: past incidents for the history
//! screen and an incident's full log. Behind a small trait so the hub's HTTP API can be wired
//! in later (`GET /v1/incidents/{id}` and a history query) without touching the screens.

use std::collections::HashMap;
use std::future::Future;

use alert_hub::protocol::{IncidentView, LogEntry};

/// The hub's query API as the console uses it. Errors are sentences for the operator.
pub trait HubQueries: Send + Sync + 'static {
    /// Past incidents, for the history screen.
    fn history(&self) -> impl Future<Output = Result<Vec<IncidentView>, String>> + Send;
    /// The full log of one incident, oldest first.
    fn incident_log(&self, id: &str) -> impl Future<Output = Result<Vec<LogEntry>, String>> + Send;
}

/// The hub does not offer these queries yet; every call says so.
#[derive(Debug, Clone, Copy, Default)]
pub struct NotOffered;

/// What `NotOffered` answers.
pub const NOT_OFFERED: &str = "the hub does not offer this query yet";

impl HubQueries for NotOffered {
    async fn history(&self) -> Result<Vec<IncidentView>, String> {
        Err(NOT_OFFERED.to_string())
    }

    async fn incident_log(&self, _id: &str) -> Result<Vec<LogEntry>, String> {
        Err(NOT_OFFERED.to_string())
    }
}

/// Answers from data the console was given: for tests, demos and a history file.
#[derive(Debug, Clone, Default)]
pub struct Fixed {
    pub history: Vec<IncidentView>,
    pub logs: HashMap<String, Vec<LogEntry>>,
}

impl HubQueries for Fixed {
    async fn history(&self) -> Result<Vec<IncidentView>, String> {
        Ok(self.history.clone())
    }

    async fn incident_log(&self, id: &str) -> Result<Vec<LogEntry>, String> {
        Ok(self.logs.get(id).cloned().unwrap_or_default())
    }
}
