//! The book of open incidents and correlation: which incident a device event opens or joins.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use time::{Duration, OffsetDateTime};

use super::{Class, Incident, IncidentCommand, OperatorRef, Refusal, Report, Setup, Spot};
use crate::protocol::{
    IncidentEvent, IncidentState, IncidentView, Priority, RefusalCode, StoredEvent,
};

/// A resolved incident still takes new events of its kind for this long after its last one
/// (and reopens); after that a new incident opens.
pub const REOPEN_WINDOW: Duration = Duration::minutes(30);

/// A source that opens this many incidents of one class within [`STORM_WINDOW`] is in an alarm
/// storm: its further events of that class join its latest incident instead of opening more.
pub const STORM_OPENS: usize = 8;
pub const STORM_WINDOW: Duration = Duration::seconds(60);

/// One change made to the book: the event and the incident's view as it stands after it. The
/// view carries the checklist only when the event is a playbook event (it is large and
/// unchanged by anything else).
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub event: IncidentEvent,
    pub view: IncidentView,
}

/// Where a device event goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Open a new incident of this class.
    Open(Class),
    /// Join this open incident.
    Join(String),
    /// Mark these incidents restored.
    Restore(Vec<String>),
    /// Store the event only: it opens nothing (heartbeat, denied access, a restore of nothing).
    StoreOnly,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    drill: Option<String>,
    site: String,
    class: Class,
    spot: Spot,
}

impl Key {
    fn of(incident: &Incident) -> Key {
        Key {
            drill: incident.view.drill.clone(),
            site: incident.view.location.site.clone(),
            class: incident.class,
            spot: incident.spot.clone(),
        }
    }
}

/// A source's opens of one class, real or in one drill.
type StormKey = (String, Class, Option<String>);

/// Every open (not yet closed) incident, indexed for correlation, with the setup (playbook
/// library, contacts, re-alert rules) they follow.
#[derive(Debug)]
pub struct IncidentBook {
    setup: Arc<Setup>,
    incidents: HashMap<String, Incident>,
    by_key: HashMap<Key, String>,
    /// Open P1 fire-alarm incidents per (drill, site), oldest first: doors released by a fire
    /// alarm join it.
    fire_alarms: HashMap<(Option<String>, String), Vec<String>>,
    recent_opens: HashMap<StormKey, VecDeque<(OffsetDateTime, String)>>,
    next_number: u64,
    /// Incidents closed and not yet taken by the store.
    closed: Vec<Incident>,
}

impl IncidentBook {
    /// A book holding `incidents` (open ones; closed ones are ignored), numbering new ones after
    /// `last_number`.
    pub fn new(
        setup: Arc<Setup>,
        incidents: impl IntoIterator<Item = Incident>,
        last_number: u64,
    ) -> Self {
        let mut book = IncidentBook {
            setup,
            incidents: HashMap::new(),
            by_key: HashMap::new(),
            fire_alarms: HashMap::new(),
            recent_opens: HashMap::new(),
            next_number: last_number + 1,
            closed: Vec::new(),
        };
        for mut incident in incidents {
            if incident.view.state.is_open() {
                incident.refresh_playbook(&book.setup);
                incident.refresh_levels(&book.setup);
                book.insert(incident);
            }
        }
        book
    }

    /// The playbook library, contacts and re-alert rules the incidents follow.
    pub fn setup(&self) -> &Setup {
        &self.setup
    }

    /// The number the next incident will get.
    pub fn next_number(&self) -> u64 {
        self.next_number
    }

    /// Takes the next incident id, e.g. `INC-000042`.
    pub fn take_id(&mut self) -> String {
        let id = format!("INC-{:06}", self.next_number);
        self.next_number += 1;
        id
    }

    pub fn get(&self, id: &str) -> Option<&Incident> {
        self.incidents.get(id)
    }

    pub fn len(&self) -> usize {
        self.incidents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.incidents.is_empty()
    }

    /// Every open incident, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &Incident> {
        self.incidents.values()
    }

    /// Decides where a stored device event goes.
    pub fn route(&self, event: &StoredEvent, now: OffsetDateTime) -> Route {
        let e = &event.event;
        if e.kind.is_restore() {
            let mut ids = Vec::new();
            for &class in Class::cleared_by(e.kind) {
                for spot in [
                    Spot::of(class, &e.device, e.building.as_deref(), e.zone.as_deref()),
                    Spot::of(class, &e.device, None, None),
                ] {
                    let key = Key {
                        drill: e.drill.clone(),
                        site: e.site.clone(),
                        class,
                        spot,
                    };
                    if let Some(id) = self.by_key.get(&key)
                        && !ids.contains(id)
                    {
                        ids.push(id.clone());
                    }
                }
            }
            return if ids.is_empty() {
                Route::StoreOnly
            } else {
                Route::Restore(ids)
            };
        }
        let Some(class) = Class::of(e.kind) else {
            return Route::StoreOnly;
        };
        if class == Class::Door
            && let Some(id) = self
                .fire_alarms
                .get(&(e.drill.clone(), e.site.clone()))
                .and_then(|ids| ids.first())
        {
            return Route::Join(id.clone());
        }
        let key = Key {
            drill: e.drill.clone(),
            site: e.site.clone(),
            class,
            spot: Spot::of(class, &e.device, e.building.as_deref(), e.zone.as_deref()),
        };
        if let Some(id) = self.by_key.get(&key)
            && self.incidents.get(id).is_some_and(|i| joinable(i, now))
        {
            return Route::Join(id.clone());
        }
        if let Some(id) = self.storm_target(&event.source, class, &e.drill, now) {
            return Route::Join(id);
        }
        Route::Open(class)
    }

    /// Routes a stored device event and applies what it changes, in order. `on_test` marks an
    /// incident it opens as opened by a source or device on test.
    pub fn record(&mut self, event: &StoredEvent, on_test: bool) -> Vec<Applied> {
        let at = event.received_at;
        match self.route(event, at) {
            Route::StoreOnly => Vec::new(),
            Route::Open(class) => {
                let id = self.take_id();
                let opened = Incident::open(id, class, &event.source, event, on_test);
                self.open_with_playbook(opened, at)
            }
            Route::Join(id) => {
                let mut applied = self.apply_all(&id, |i| i.record(event), at);
                let setup = self.setup.clone();
                applied.extend(self.apply_all(&id, |i| i.start_playbook(&setup.library, at), at));
                applied
            }
            Route::Restore(ids) => ids
                .iter()
                .flat_map(|id| self.apply_all(id, |i| i.record(event), at))
                .collect(),
        }
    }

    /// Checks an operator's command on incident `id` and applies what it changes.
    pub fn command(
        &mut self,
        id: &str,
        command: &IncidentCommand,
        operator: OperatorRef<'_>,
        now: OffsetDateTime,
    ) -> Result<Vec<Applied>, Refusal> {
        let incident = self.incidents.get(id).ok_or_else(|| {
            Refusal::new(
                RefusalCode::UnknownIncident,
                format!("没有未关闭的事件 {id}。"),
                format!("No open incident {id}."),
            )
        })?;
        let events = incident.handle(command, operator, &self.setup, now)?;
        Ok(self.apply_events(id, events, now))
    }

    /// Raises, or re-raises, the `comms.lost` incident of a source that has gone silent.
    pub fn comms_lost(&mut self, source: &str, site: &str, now: OffsetDateTime) -> Vec<Applied> {
        if let Some(incident) = self.comms_lost_of(source, site) {
            let id = incident.view.id.clone();
            return self.apply_all(&id, Incident::comms_lost_again, now);
        }
        let id = self.take_id();
        let opened = Incident::open_comms_lost(id, source, site, now);
        self.open_with_playbook(opened, now)
    }

    /// What the clock makes happen by `now`: passed deadlines (once each), trees escalating
    /// to their next level, and acknowledged P1s re-alerted for making no progress.
    pub fn tick(&mut self, now: OffsetDateTime) -> Vec<Applied> {
        let setup = self.setup.clone();
        let stall = setup.stall_after;
        let due: Vec<String> = self
            .incidents
            .values()
            .filter(|i| {
                i.next_deadline.is_some_and(|d| now > d)
                    || i.trees
                        .iter()
                        .any(|t| t.next_at.is_some_and(|at| now >= at))
                    || (i.view.priority == Priority::P1
                        && i.view.state != IncidentState::New
                        && i.last_progress_at.is_some_and(|p| now - p >= stall))
            })
            .map(|i| i.view.id.clone())
            .collect();
        let mut applied = Vec::new();
        for id in &due {
            applied.extend(self.apply_all(id, |i| i.overdue(&setup.library, now), now));
            applied.extend(self.apply_all(id, |i| i.escalate(&setup, now), now));
            applied.extend(self.apply_all(id, |i| i.stalled(&setup, now), now));
        }
        applied
    }

    /// Stops an incident's trees escalating because a contact acknowledged (by link).
    pub fn acknowledge_notifications(
        &mut self,
        id: &str,
        by: &str,
        now: OffsetDateTime,
    ) -> Vec<Applied> {
        let escalating = self
            .incidents
            .get(id)
            .is_some_and(|i| i.trees.iter().any(|t| t.next_at.is_some()));
        if !escalating {
            return Vec::new();
        }
        let event = IncidentEvent::NotificationsAcknowledged { by: by.to_string() };
        self.apply_events(id, vec![event], now)
    }

    /// Records what came of a notification attempt (delivered, or why it failed).
    pub fn delivery(
        &mut self,
        id: &str,
        event: IncidentEvent,
        now: OffsetDateTime,
    ) -> Vec<Applied> {
        self.apply_events(id, vec![event], now)
    }

    /// Opens an incident for a report an operator took, with their note, and starts its
    /// playbook; refused (nothing opened) when the report does not check.
    pub fn open_reported(
        &mut self,
        report: &Report,
        site_known: bool,
        operator: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<Applied>, Refusal> {
        let has_playbook = self.setup.library.for_kind(report.kind.as_str()).is_some();
        report.check(site_known, has_playbook)?;
        let id = self.take_id();
        let mut events = report.open(id, operator, now).into_iter();
        let Some(opened) = events.next() else {
            return Ok(Vec::new());
        };
        let mut applied = self.open_with_playbook(opened, now);
        if let Some(first) = applied.first() {
            let id = first.view.id.clone();
            applied.extend(self.apply_events(&id, events.collect(), now));
        }
        Ok(applied)
    }

    /// Opens an incident and starts the playbook for its kind.
    fn open_with_playbook(&mut self, opened: IncidentEvent, at: OffsetDateTime) -> Vec<Applied> {
        let Some(incident) = self.open(&opened) else {
            return Vec::new();
        };
        let id = incident.view.id.clone();
        let mut applied = vec![Applied {
            event: opened,
            view: incident.view.clone(),
        }];
        let setup = self.setup.clone();
        applied.extend(self.apply_all(&id, |i| i.start_playbook(&setup.library, at), at));
        applied
    }

    /// Marks the open `comms.lost` incident of a source restored, now that it speaks again.
    pub fn comms_restored(
        &mut self,
        source: &str,
        site: &str,
        now: OffsetDateTime,
    ) -> Vec<Applied> {
        match self.comms_lost_of(source, site) {
            Some(incident) => {
                let id = incident.view.id.clone();
                self.apply_all(&id, Incident::comms_restored, now)
            }
            None => Vec::new(),
        }
    }

    fn apply_all(
        &mut self,
        id: &str,
        decide: impl FnOnce(&Incident) -> Vec<IncidentEvent>,
        at: OffsetDateTime,
    ) -> Vec<Applied> {
        let Some(incident) = self.incidents.get(id) else {
            return Vec::new();
        };
        let events = decide(incident);
        self.apply_events(id, events, at)
    }

    /// Applies events in order; what an event sets off (a playbook step asking for a tree, a
    /// skipped step told to the shift lead) follows it.
    fn apply_events(
        &mut self,
        id: &str,
        events: Vec<IncidentEvent>,
        at: OffsetDateTime,
    ) -> Vec<Applied> {
        let mut queue: std::collections::VecDeque<IncidentEvent> = events.into();
        let mut applied = Vec::new();
        while let Some(event) = queue.pop_front() {
            let Some(view) = self.apply(id, &event, at) else {
                break;
            };
            if let Some(incident) = self.incidents.get(id) {
                queue.extend(self.reactions(incident, &event, at));
            }
            applied.push(Applied { event, view });
        }
        applied
    }

    fn reactions(
        &self,
        incident: &Incident,
        event: &IncidentEvent,
        at: OffsetDateTime,
    ) -> Vec<IncidentEvent> {
        use playbooks::RunEvent;
        match event {
            IncidentEvent::Playbook {
                run: RunEvent::NotificationRequested { tree, .. },
            } => incident.start_tree(&self.setup, tree, at),
            IncidentEvent::Playbook {
                run: RunEvent::StepSkipped { .. },
            } => incident.notice(&self.setup, &self.setup.shift_lead_role),
            _ => Vec::new(),
        }
    }

    /// The open `comms.lost` incident of a source, if any.
    pub fn comms_lost_of(&self, source: &str, site: &str) -> Option<&Incident> {
        let key = Key {
            drill: None,
            site: site.to_string(),
            class: Class::CommsLost,
            spot: Spot::of(Class::CommsLost, source, None, None),
        };
        self.by_key.get(&key).and_then(|id| self.incidents.get(id))
    }

    /// Adds the incident an `Opened` event describes, counting it towards `source`'s storm.
    fn open(&mut self, event: &IncidentEvent) -> Option<&Incident> {
        let incident = Incident::from_opened(event)?;
        let id = incident.view.id.clone();
        let storm_key = (
            incident.view.source.clone(),
            incident.class,
            incident.view.drill.clone(),
        );
        let opens = self.recent_opens.entry(storm_key).or_default();
        opens.push_back((incident.view.opened_at, id.clone()));
        while opens.len() > STORM_OPENS {
            opens.pop_front();
        }
        self.insert(incident);
        self.incidents.get(&id)
    }

    /// Applies an event to an open incident and keeps the indexes true; a closed incident
    /// leaves the book. Returns the incident as it stands after the event.
    fn apply(
        &mut self,
        id: &str,
        event: &IncidentEvent,
        at: OffsetDateTime,
    ) -> Option<IncidentView> {
        let incident = self.incidents.get_mut(id)?;
        incident.apply(event, at);
        let playbook_event = matches!(event, IncidentEvent::Playbook { .. });
        if playbook_event {
            incident.refresh_playbook(&self.setup);
        }
        if matches!(event, IncidentEvent::NotificationLevelCalled { .. }) {
            incident.refresh_levels(&self.setup);
        }
        // The checklist and the call-out travel only with the changes that alter them: they
        // are the largest parts of a view and a storm of joined events changes neither.
        let mut view = incident.view.summary();
        if playbook_event {
            view.playbook = incident.checklist.clone();
        }
        if is_notification(event) {
            view.notifications = incident.view.notifications.clone();
        }
        let class = incident.class;
        if view.state.is_open() {
            self.index_fire_alarm(class, &view);
        } else {
            self.remove(id);
        }
        Some(view)
    }

    /// The incidents closed since the last call, as they stood when closed.
    pub fn take_closed(&mut self) -> Vec<Incident> {
        std::mem::take(&mut self.closed)
    }

    fn insert(&mut self, incident: Incident) {
        let id = incident.view.id.clone();
        self.by_key.insert(Key::of(&incident), id.clone());
        self.index_fire_alarm(incident.class, &incident.view);
        self.incidents.insert(id, incident);
    }

    fn remove(&mut self, id: &str) {
        let Some(incident) = self.incidents.remove(id) else {
            return;
        };
        self.closed.push(incident.clone());
        let key = Key::of(&incident);
        if self.by_key.get(&key).is_some_and(|k| k == id) {
            self.by_key.remove(&key);
        }
        let site = (
            incident.view.drill.clone(),
            incident.view.location.site.clone(),
        );
        if let Some(ids) = self.fire_alarms.get_mut(&site) {
            ids.retain(|i| i != id);
        }
    }

    fn index_fire_alarm(&mut self, class: Class, view: &IncidentView) {
        if class != Class::FireAlarm || view.priority != Priority::P1 {
            return;
        }
        let site = (view.drill.clone(), view.location.site.clone());
        let ids = self.fire_alarms.entry(site).or_default();
        if !ids.contains(&view.id) {
            ids.push(view.id.clone());
        }
    }

    fn storm_target(
        &self,
        source: &str,
        class: Class,
        drill: &Option<String>,
        now: OffsetDateTime,
    ) -> Option<String> {
        let opens = self
            .recent_opens
            .get(&(source.to_string(), class, drill.clone()))?;
        let (first_at, _) = opens.front()?;
        if opens.len() < STORM_OPENS || now - *first_at > STORM_WINDOW {
            return None;
        }
        let (_, latest) = opens.back()?;
        self.incidents
            .get(latest)
            .filter(|i| joinable(i, now))
            .map(|i| i.view.id.clone())
    }
}

/// True for the events that change an incident's notification trees.
fn is_notification(event: &IncidentEvent) -> bool {
    matches!(
        event,
        IncidentEvent::NotificationLevelCalled { .. }
            | IncidentEvent::NotificationAttempted { .. }
            | IncidentEvent::NotificationDelivered { .. }
            | IncidentEvent::NotificationFailed { .. }
            | IncidentEvent::NotificationsAcknowledged { .. }
            | IncidentEvent::NotificationsExhausted { .. }
            | IncidentEvent::CalledByPhone { .. }
    )
}

/// An open incident takes new events until it is resolved; a resolved one only within the
/// reopen window.
fn joinable(incident: &Incident, now: OffsetDateTime) -> bool {
    match incident.view.state {
        IncidentState::Closed => false,
        IncidentState::Resolved => now - incident.view.last_event_at <= REOPEN_WINDOW,
        _ => true,
    }
}
