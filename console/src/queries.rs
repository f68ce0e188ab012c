//! Questions the console asks the hub outside the live feed: past incidents for the history
//! screen, an incident's full log, the drills running now, the year's drill calendar, and for
//! the reports screen the incidents awaiting sign-off, reports in Markdown and a manager's
//! review written and signed off. Behind a small trait so tests
//! and screens need no hub; [`HubHttp`] asks the real one over its HTTP API.

use std::collections::HashMap;
use std::future::Future;

use alert_hub::protocol::{
    AwaitingSignOff, CalendarItem, DrillView, EventKind, IncidentView, ListedAction, LogEntry,
    OnTestView, Review, ReviewRecord,
};
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::watch;

use hub_client::{HubAddress, encode};

/// What the history screen asks for; `None` leaves that side open. The hub matches `from`
/// inclusively and `to` exclusively against the time an incident opened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    pub site: Option<String>,
    pub kind: Option<EventKind>,
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
}

impl HistoryFilter {
    /// The path and query string of `GET /v1/incidents` for this filter (open and closed).
    pub fn path(&self) -> String {
        let mut path = "/v1/incidents?state=all".to_string();
        if let Some(site) = &self.site {
            path.push_str(&format!("&site={}", encode(site)));
        }
        if let Some(kind) = self.kind {
            path.push_str(&format!("&kind={}", encode(kind.as_str())));
        }
        for (name, at) in [("from", self.from), ("to", self.to)] {
            if let Some(text) = at.and_then(|t| t.format(&Rfc3339).ok()) {
                path.push_str(&format!("&{name}={}", encode(&text)));
            }
        }
        path
    }
}

/// The hub's query API as the console uses it. Errors are sentences for the operator.
pub trait HubQueries: Send + Sync + 'static {
    /// Incidents that opened within the filter, open and closed, for the history screen.
    fn history(
        &self,
        filter: &HistoryFilter,
    ) -> impl Future<Output = Result<Vec<IncidentView>, String>> + Send;
    /// One incident as the hub has it now (its playbook and notifications included) and its
    /// full log, oldest first.
    fn incident(&self, id: &str) -> impl Future<Output = Result<IncidentRecord, String>> + Send;
    /// The drills running now.
    fn drills(&self) -> impl Future<Output = Result<Vec<DrillView>, String>> + Send;
    /// The sources and devices on test now.
    fn on_test(&self) -> impl Future<Output = Result<Vec<OnTestView>, String>> + Send;
    /// The corrective actions of ended drills that are past due and not done.
    fn overdue_actions(&self) -> impl Future<Output = Result<Vec<ListedAction>, String>> + Send;
    /// The incidents awaiting a manager's sign-off, most urgent first.
    fn awaiting_sign_off(
        &self,
    ) -> impl Future<Output = Result<Vec<AwaitingSignOff>, String>> + Send;
    /// A report in Markdown, by its path and query.
    fn report(&self, path: &str) -> impl Future<Output = Result<String, String>> + Send;
    /// Writes the review of `incident` (the whole of it); the review as the hub keeps it.
    fn write_review(
        &self,
        incident: &str,
        review: &Review,
    ) -> impl Future<Output = Result<ReviewRecord, String>> + Send;
    /// Signs off the review of `incident`.
    fn sign_off(&self, incident: &str)
    -> impl Future<Output = Result<ReviewRecord, String>> + Send;
    /// The drill calendar of `year` of every site of the hub, by due date, with statuses.
    fn calendar(&self, year: i32)
    -> impl Future<Output = Result<Vec<CalendarItem>, String>> + Send;
}

/// The hub's HTTP API, asked with the operator's token.
#[derive(Debug, Clone)]
pub struct HubHttp {
    hub: watch::Receiver<HubAddress>,
    token: String,
}

impl HubHttp {
    /// Queries the hub at `hub` as the holder of `token`.
    pub fn new(hub: HubAddress, token: &str) -> HubHttp {
        HubHttp::following(watch::channel(hub).1, token)
    }

    /// Queries whichever hub `hub` holds at the time of each question (the one the feed is
    /// connected to, among several) as the holder of `token`.
    pub fn following(hub: watch::Receiver<HubAddress>, token: &str) -> HubHttp {
        HubHttp {
            hub,
            token: token.to_string(),
        }
    }

    /// The hub asked now.
    fn hub(&self) -> HubAddress {
        self.hub.borrow().clone()
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, String> {
        self.hub()
            .get_json(path, &self.token)
            .await
            .map_err(|e| e.to_string())
    }
}

/// `GET /v1/incidents/{id}`: the incident as it stands, with its playbook (finished or not)
/// and notifications, and its log.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct IncidentRecord {
    pub incident: IncidentView,
    pub log: Vec<LogEntry>,
}

/// The part of `GET /v1/on-test` (`{"current": […], "history": […]}`) the console uses.
#[derive(Debug, Deserialize)]
struct OnTestNow {
    current: Vec<OnTestView>,
}

impl HubQueries for HubHttp {
    async fn history(&self, filter: &HistoryFilter) -> Result<Vec<IncidentView>, String> {
        self.get(&filter.path()).await
    }

    async fn incident(&self, id: &str) -> Result<IncidentRecord, String> {
        let path = format!("/v1/incidents/{}", encode(id));
        let mut record: IncidentRecord = self.get(&path).await?;
        record.log.sort_by_key(|e| e.seq);
        Ok(record)
    }

    async fn drills(&self) -> Result<Vec<DrillView>, String> {
        self.get("/v1/drills").await
    }

    async fn on_test(&self) -> Result<Vec<OnTestView>, String> {
        let now: OnTestNow = self.get("/v1/on-test").await?;
        Ok(now.current)
    }

    async fn overdue_actions(&self) -> Result<Vec<ListedAction>, String> {
        self.get("/v1/drills/actions?overdue=true").await
    }

    async fn awaiting_sign_off(&self) -> Result<Vec<AwaitingSignOff>, String> {
        self.get("/v1/reviews/awaiting").await
    }

    async fn report(&self, path: &str) -> Result<String, String> {
        self.hub()
            .text(hub_client::Method::GET, path, &self.token, None)
            .await
            .map_err(|e| e.to_string())
    }

    async fn write_review(&self, incident: &str, review: &Review) -> Result<ReviewRecord, String> {
        let path = format!("/v1/incidents/{}/review", encode(incident));
        self.hub()
            .put_json(&path, &self.token, review)
            .await
            .map_err(|e| e.to_string())
    }

    async fn sign_off(&self, incident: &str) -> Result<ReviewRecord, String> {
        let path = format!("/v1/incidents/{}/review/sign-off", encode(incident));
        self.hub()
            .post_json(&path, &self.token, &serde_json::json!({}))
            .await
            .map_err(|e| e.to_string())
    }

    async fn calendar(&self, year: i32) -> Result<Vec<CalendarItem>, String> {
        self.get(&format!("/v1/drills/calendar?year={year}")).await
    }
}

/// Answers from data the console was given: for tests, demos and a history file.
#[derive(Debug, Clone, Default)]
pub struct Fixed {
    pub history: Vec<IncidentView>,
    pub logs: HashMap<String, Vec<LogEntry>>,
    pub drills: Vec<DrillView>,
    pub on_test: Vec<OnTestView>,
    pub awaiting: Vec<AwaitingSignOff>,
    pub overdue_actions: Vec<ListedAction>,
    /// Reports in Markdown by path and query.
    pub reports: HashMap<String, String>,
    pub calendar: Vec<CalendarItem>,
}

impl HubQueries for Fixed {
    async fn history(&self, _filter: &HistoryFilter) -> Result<Vec<IncidentView>, String> {
        Ok(self.history.clone())
    }

    async fn incident(&self, id: &str) -> Result<IncidentRecord, String> {
        let incident = self
            .history
            .iter()
            .find(|i| i.id == id)
            .cloned()
            .ok_or_else(|| format!("no incident {id}"))?;
        let log = self.logs.get(id).cloned().unwrap_or_default();
        Ok(IncidentRecord { incident, log })
    }

    async fn drills(&self) -> Result<Vec<DrillView>, String> {
        Ok(self.drills.clone())
    }

    async fn on_test(&self) -> Result<Vec<OnTestView>, String> {
        Ok(self.on_test.clone())
    }

    async fn overdue_actions(&self) -> Result<Vec<ListedAction>, String> {
        Ok(self.overdue_actions.clone())
    }

    async fn awaiting_sign_off(&self) -> Result<Vec<AwaitingSignOff>, String> {
        Ok(self.awaiting.clone())
    }

    async fn report(&self, path: &str) -> Result<String, String> {
        self.reports
            .get(path)
            .cloned()
            .ok_or_else(|| format!("no report at {path}"))
    }

    async fn write_review(&self, incident: &str, _: &Review) -> Result<ReviewRecord, String> {
        Err(format!("{incident}: there is no hub here to keep a review"))
    }

    async fn sign_off(&self, incident: &str) -> Result<ReviewRecord, String> {
        Err(format!(
            "{incident}: there is no hub here to keep a sign-off"
        ))
    }

    async fn calendar(&self, year: i32) -> Result<Vec<CalendarItem>, String> {
        let of_year = |i: &&CalendarItem| i.entry.due.year() == year;
        Ok(self.calendar.iter().filter(of_year).cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::T0;

    #[test]
    fn the_history_path_carries_every_filter_encoded() {
        assert_eq!(HistoryFilter::default().path(), "/v1/incidents?state=all");
        let filter = HistoryFilter {
            site: Some("green garden".into()),
            kind: Some(EventKind::FireAlarm),
            from: Some(T0),
            to: Some(T0 + time::Duration::days(1)),
        };
        assert_eq!(
            filter.path(),
            "/v1/incidents?state=all&site=green%20garden&kind=fire.alarm\
             &from=2026-11-22T15%3A40%3A00Z&to=2026-11-23T15%3A40%3A00Z"
        );
    }
}
