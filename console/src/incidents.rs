//! The open incidents as the hub last told us, kept in board order as they change.
//!
//! Sorting and filtering happen here, when a change arrives, never when a frame is drawn: the
//! board draws a slice of [`IncidentStore::visible`] and looks each row up by id.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use alert_hub::protocol::{IncidentView, LogEntry, Priority, Standing, StepStatus};
use time::OffsetDateTime;

/// The most log entries the console keeps per incident; the hub keeps the full log.
pub const LOG_LIMIT: usize = 500;

pub use alert_hub::protocol::BoardKey;

/// How many active incidents there are per priority and how many of those are
/// unacknowledged; resolved ones (awaiting their close) and signals on test are counted apart,
/// never with the alarms.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub open: [usize; 4],
    pub unacknowledged: [usize; 4],
    pub resolved: usize,
    pub on_test: usize,
}

impl Counts {
    fn change(&mut self, key: &BoardKey, add: bool) {
        let i = key.priority as usize - 1;
        let bump = |n: &mut usize| *n = if add { *n + 1 } else { n.saturating_sub(1) };
        match key.standing {
            Standing::Active => {
                bump(&mut self.open[i]);
                if !key.acknowledged {
                    bump(&mut self.unacknowledged[i]);
                }
            }
            Standing::Resolved => bump(&mut self.resolved),
            Standing::OnTest => bump(&mut self.on_test),
        }
    }

    /// The number of open incidents of priority `p`.
    pub fn open(&self, p: Priority) -> usize {
        self.open[p as usize - 1]
    }

    /// The number of unacknowledged incidents of priority `p`.
    pub fn unacknowledged(&self, p: Priority) -> usize {
        self.unacknowledged[p as usize - 1]
    }
}

/// A playbook step with a deadline that is not done yet.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Deadline {
    pub due_at: OffsetDateTime,
    pub incident: String,
    pub step: String,
}

/// The open incidents, their board order, the site filter, and the log entries received.
#[derive(Debug, Default)]
pub struct IncidentStore {
    by_id: HashMap<String, IncidentView>,
    order: Vec<BoardKey>,
    site_filter: Option<String>,
    filtered: Vec<BoardKey>,
    counts: Counts,
    filtered_counts: Counts,
    unacknowledged_p1: BTreeSet<String>,
    deadlines: BTreeSet<Deadline>,
    sites: BTreeMap<String, usize>,
    drills: BTreeMap<String, usize>,
    logs: HashMap<String, Vec<LogEntry>>,
}

impl IncidentStore {
    /// Replaces everything with a snapshot's incidents (closed ones are left out).
    pub fn replace_all(&mut self, incidents: Vec<IncidentView>) {
        let filter = self.site_filter.take();
        let logs = std::mem::take(&mut self.logs);
        *self = IncidentStore::default();
        let mut open: Vec<IncidentView> = incidents
            .into_iter()
            .filter(|i| i.state.is_open())
            .collect();
        open.sort_by(IncidentView::board_order);
        open.dedup_by(|a, b| a.id == b.id);
        self.order = open.iter().map(IncidentView::board_key).collect();
        for incident in open {
            self.index(&incident, true);
            self.by_id.insert(incident.id.clone(), incident);
        }
        self.logs = logs;
        self.logs.retain(|id, _| self.by_id.contains_key(id));
        self.set_site_filter(filter);
    }

    /// Records the incident as it stands now; a closed incident leaves the board. A change
    /// without a checklist or a call-out keeps the one already held (the hub sends each only
    /// when it changes).
    pub fn upsert(&mut self, mut incident: IncidentView) {
        if let Some(old) = self.by_id.get(&incident.id) {
            if incident.playbook.is_none() {
                incident.playbook = old.playbook.clone();
            }
            if incident.notifications.is_none() {
                incident.notifications = old.notifications.clone();
            }
        }
        self.remove_indexes(&incident.id);
        if !incident.state.is_open() {
            self.by_id.remove(&incident.id);
            self.logs.remove(&incident.id);
            return;
        }
        let key = IncidentView::board_key(&incident);
        insert_sorted(&mut self.order, key.clone());
        if self.matches_filter(&incident) {
            insert_sorted(&mut self.filtered, key);
        }
        self.index(&incident, true);
        self.by_id.insert(incident.id.clone(), incident);
    }

    fn remove_indexes(&mut self, id: &str) {
        let Some(old) = self.by_id.get(id).cloned() else {
            return;
        };
        let key = IncidentView::board_key(&old);
        remove_sorted(&mut self.order, &key);
        if self.matches_filter(&old) {
            remove_sorted(&mut self.filtered, &key);
        }
        self.index(&old, false);
    }

    fn index(&mut self, incident: &IncidentView, add: bool) {
        let key = IncidentView::board_key(incident);
        self.counts.change(&key, add);
        if self.matches_filter(incident) {
            self.filtered_counts.change(&key, add);
        }
        if key.priority == Priority::P1 && incident.is_alarming() {
            if add {
                self.unacknowledged_p1.insert(key.id.clone());
            } else {
                self.unacknowledged_p1.remove(&key.id);
            }
        }
        count(&mut self.sites, &incident.location.site, add);
        if let Some(drill) = &incident.drill {
            count(&mut self.drills, drill, add);
        }
        for deadline in deadlines_of(incident) {
            if add {
                self.deadlines.insert(deadline);
            } else {
                self.deadlines.remove(&deadline);
            }
        }
    }

    fn matches_filter(&self, incident: &IncidentView) -> bool {
        self.site_filter
            .as_deref()
            .is_some_and(|site| incident.location.site == site)
    }

    /// Shows only one site's incidents on the board (`None` shows every site).
    pub fn set_site_filter(&mut self, site: Option<String>) {
        self.site_filter = site;
        self.filtered.clear();
        self.filtered_counts = Counts::default();
        if let Some(site) = &self.site_filter {
            self.filtered = self
                .order
                .iter()
                .filter(|k| {
                    self.by_id
                        .get(&k.id)
                        .is_some_and(|i| &i.location.site == site)
                })
                .cloned()
                .collect();
            for key in &self.filtered {
                self.filtered_counts.change(key, true);
            }
        }
    }

    /// The site the board is filtered to, if any.
    pub fn site_filter(&self) -> Option<&str> {
        self.site_filter.as_deref()
    }

    /// The sites with open incidents, in name order.
    pub fn sites(&self) -> impl Iterator<Item = &str> {
        self.sites.keys().map(String::as_str)
    }

    /// The drills that open incidents belong to, by id.
    pub fn drill_ids(&self) -> impl Iterator<Item = &str> {
        self.drills.keys().map(String::as_str)
    }

    /// The board rows in order, after the site filter.
    pub fn visible(&self) -> &[BoardKey] {
        if self.site_filter.is_some() {
            &self.filtered
        } else {
            &self.order
        }
    }

    /// Every open incident's key in board order, whatever the filter.
    pub fn in_board_order(&self) -> &[BoardKey] {
        &self.order
    }

    /// Counts over every open incident, whatever the filter.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// Counts over the rows the filter shows.
    pub fn visible_counts(&self) -> Counts {
        if self.site_filter.is_some() {
            self.filtered_counts
        } else {
            self.counts
        }
    }

    /// The ids of the unacknowledged P1 incidents, which keep the alarm sounding.
    pub fn unacknowledged_p1(&self) -> &BTreeSet<String> {
        &self.unacknowledged_p1
    }

    /// The position of an incident among the visible rows.
    pub fn position(&self, id: &str) -> Option<usize> {
        let key = IncidentView::board_key(self.by_id.get(id)?);
        self.visible().binary_search(&key).ok()
    }

    /// One open incident by id.
    pub fn get(&self, id: &str) -> Option<&IncidentView> {
        self.by_id.get(id)
    }

    /// All open incidents, in no particular order.
    pub fn all(&self) -> impl Iterator<Item = &IncidentView> {
        self.by_id.values()
    }

    /// The number of open incidents, whatever the filter.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// True when no incident is open.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Steps whose deadline has passed at `now` and that are not done, most overdue first.
    pub fn overdue(&self, now: OffsetDateTime) -> impl Iterator<Item = &Deadline> {
        self.deadlines.iter().take_while(move |d| d.due_at < now)
    }

    /// Keeps a log entry received on the feed (ignoring one already kept).
    pub fn record_log(&mut self, entry: LogEntry) {
        if !self.by_id.contains_key(&entry.incident) {
            return;
        }
        let log = self.logs.entry(entry.incident.clone()).or_default();
        merge_entries(log, vec![entry]);
    }

    /// Merges entries fetched from the hub into what was received, by sequence number.
    pub fn merge_log(&mut self, incident: &str, entries: Vec<LogEntry>) {
        let log = self.logs.entry(incident.to_string()).or_default();
        merge_entries(log, entries);
    }

    /// The log entries kept for an incident, oldest first.
    pub fn log(&self, incident: &str) -> &[LogEntry] {
        self.logs.get(incident).map_or(&[], Vec::as_slice)
    }
}

/// Merges `new` into the sorted, de-duplicated `log`, keeping the last [`LOG_LIMIT`] entries.
pub fn merge_entries(log: &mut Vec<LogEntry>, new: Vec<LogEntry>) {
    for entry in new {
        match log.binary_search_by_key(&entry.seq, |e| e.seq) {
            Ok(_) => {}
            Err(at) => log.insert(at, entry),
        }
    }
    if log.len() > LOG_LIMIT {
        log.drain(..log.len() - LOG_LIMIT);
    }
}

fn deadlines_of(incident: &IncidentView) -> impl Iterator<Item = Deadline> + '_ {
    incident
        .playbook
        .iter()
        .flat_map(|p| p.steps.iter())
        .filter(|s| {
            matches!(
                s.status,
                StepStatus::Pending | StepStatus::Current | StepStatus::Overdue
            )
        })
        .filter_map(move |s| {
            Some(Deadline {
                due_at: s.due_at?,
                incident: incident.id.clone(),
                step: s.id.clone(),
            })
        })
}

fn count(counts: &mut BTreeMap<String, usize>, name: &str, add: bool) {
    if add {
        *counts.entry(name.to_string()).or_default() += 1;
    } else if let Some(n) = counts.get_mut(name) {
        *n -= 1;
        if *n == 0 {
            counts.remove(name);
        }
    }
}

fn insert_sorted(keys: &mut Vec<BoardKey>, key: BoardKey) {
    if let Err(at) = keys.binary_search(&key) {
        keys.insert(at, key);
    }
}

fn remove_sorted(keys: &mut Vec<BoardKey>, key: &BoardKey) {
    if let Ok(at) = keys.binary_search(key) {
        keys.remove(at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::{self, incident};
    use alert_hub::protocol::{EventKind, IncidentState};

    #[test]
    fn the_key_order_is_exactly_the_protocol_board_order() {
        let incidents = sample::many(400, sample::T0);
        for a in incidents.iter().take(60) {
            for b in &incidents {
                assert_eq!(
                    a.board_key().cmp(&b.board_key()),
                    IncidentView::board_order(a, b),
                    "{} vs {}",
                    a.id,
                    b.id
                );
            }
        }
    }

    #[test]
    fn upserts_keep_the_board_sorted_and_counted() {
        let mut store = IncidentStore::default();
        store.replace_all(sample::many(300, sample::T0));
        let mut late_p1 = incident("late-p1", EventKind::FireAlarm, "green-garden");
        late_p1.opened_at = sample::T0 + time::Duration::hours(5);
        store.upsert(late_p1);
        let mut order: Vec<_> = store.all().cloned().collect();
        order.sort_by(IncidentView::board_order);
        let ids: Vec<_> = store.visible().iter().map(|k| k.id.clone()).collect();
        assert_eq!(ids, order.iter().map(|i| i.id.clone()).collect::<Vec<_>>());
        let counts = store.counts();
        let on_test = store.all().filter(|i| i.on_test).count();
        assert!(on_test > 0, "the sample has signals on test");
        assert_eq!(counts.on_test, on_test);
        assert_eq!(
            counts.open.iter().sum::<usize>() + counts.resolved + counts.on_test,
            301
        );
        assert!(store.unacknowledged_p1().contains("late-p1"));
    }

    #[test]
    fn a_change_without_checklist_or_call_out_keeps_the_ones_held() {
        let mut store = IncidentStore::default();
        let mut first = incident("a", EventKind::FireAlarm, "s1");
        first.notifications = Some(alert_hub::protocol::NotificationsView {
            tree: "fire-alarm".into(),
            ..Default::default()
        });
        store.replace_all(vec![first]);
        let mut joined = incident("a", EventKind::FireAlarm, "s1");
        joined.event_count = 2;
        store.upsert(joined);
        let held = store.get("a").expect("still on the board");
        assert_eq!(held.event_count, 2, "the rest of the change is taken");
        assert_eq!(
            held.notifications.as_ref().map(|n| n.tree.as_str()),
            Some("fire-alarm")
        );
    }

    #[test]
    fn acknowledging_moves_a_row_and_closing_removes_it() {
        let mut store = IncidentStore::default();
        let a = incident("a", EventKind::FireAlarm, "s1");
        let mut b = incident("b", EventKind::FireAlarm, "s1");
        b.opened_at = a.opened_at + time::Duration::minutes(1);
        store.replace_all(vec![a.clone(), b.clone()]);
        assert_eq!(store.position("a"), Some(0));

        let mut acked = a.clone();
        acked.state = IncidentState::Acknowledged;
        store.upsert(acked.clone());
        assert_eq!(store.position("b"), Some(0), "unacknowledged first");
        assert_eq!(store.counts().unacknowledged(Priority::P1), 1);
        assert!(!store.unacknowledged_p1().contains("a"));

        let mut closed = acked;
        closed.state = IncidentState::Closed;
        store.upsert(closed);
        assert_eq!(store.get("a"), None);
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn resolved_and_on_test_incidents_sort_below_every_active_one_and_count_apart() {
        let mut store = IncidentStore::default();
        let mut resolved_p1 = incident("resolved-lift", EventKind::ElevatorEntrapment, "s1");
        resolved_p1.state = IncidentState::Resolved;
        let mut on_test_p1 = incident("test-smoke", EventKind::FireAlarm, "s1");
        on_test_p1.on_test = true;
        let mut trouble = incident("trouble", EventKind::FireTrouble, "s1");
        trouble.priority = Priority::P4;
        let fire = incident("fire", EventKind::FireAlarm, "s1");
        store.replace_all(vec![resolved_p1, on_test_p1, trouble, fire]);
        let order: Vec<_> = store.visible().iter().map(|k| k.id.as_str()).collect();
        assert_eq!(order, ["fire", "trouble", "resolved-lift", "test-smoke"]);
        let counts = store.counts();
        assert_eq!(counts.unacknowledged(Priority::P1), 1, "only the real fire");
        assert_eq!(counts.open(Priority::P1), 1);
        assert_eq!((counts.resolved, counts.on_test), (1, 1));
        assert_eq!(
            store.unacknowledged_p1().iter().collect::<Vec<_>>(),
            ["fire"],
            "a signal on test never sounds"
        );
    }

    #[test]
    fn the_site_filter_follows_changes() {
        let mut store = IncidentStore::default();
        store.replace_all(vec![
            incident("a", EventKind::FireAlarm, "s1"),
            incident("b", EventKind::AccessForced, "s2"),
        ]);
        store.set_site_filter(Some("s2".into()));
        assert_eq!(store.visible().len(), 1);
        store.upsert(incident("c", EventKind::FireTrouble, "s2"));
        store.upsert(incident("d", EventKind::FireTrouble, "s1"));
        assert_eq!(store.visible().len(), 2);
        assert_eq!(store.visible_counts().open(Priority::P4), 1);
        assert_eq!(store.counts().open(Priority::P4), 2);
        assert_eq!(store.sites().collect::<Vec<_>>(), ["s1", "s2"]);
    }

    #[test]
    fn overdue_steps_are_found_without_scanning() {
        let mut store = IncidentStore::default();
        let with_playbook = sample::with_playbook(incident("a", EventKind::FireAlarm, "s1"));
        store.replace_all(vec![with_playbook]);
        let now = sample::T0 + time::Duration::minutes(4);
        let overdue: Vec<_> = store.overdue(now).map(|d| d.step.clone()).collect();
        assert_eq!(overdue, ["confirm"]);
    }

    #[test]
    fn logs_merge_by_sequence_and_stay_bounded() {
        let mut log = Vec::new();
        let entries: Vec<_> = (0..(LOG_LIMIT as u64 + 10))
            .map(|seq| sample::note_entry(seq, "a", "x"))
            .collect();
        merge_entries(&mut log, entries.clone());
        merge_entries(&mut log, entries[..5].to_vec());
        assert_eq!(log.len(), LOG_LIMIT);
        assert_eq!(log[0].seq, 10);
    }
}
