//! An incident's notification trees: who each level calls and over which channels, escalation
//! when nobody acknowledges, re-alerting an acknowledged P1 that makes no progress, and the
//! drill rule (a drill calls the drill's own contacts only, never an outside party).

use playbooks::{Channel, NotificationTree, Recipient};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Incident, Setup};
use crate::config::Contact;
use crate::protocol::{
    AttemptStatus, AttemptView, Bilingual, CallOutcome, IncidentEvent, IncidentState,
    NotificationsView, PhoneCall, Priority,
};

/// One level of a tree to call: which, how many times already, whether the tree escalates
/// after it, and the number of its first attempt.
struct LevelCall<'a> {
    tree: &'a str,
    level: u32,
    repeat: u32,
    escalating: bool,
    first: u64,
}

/// A tree running for an incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeRun {
    pub tree: String,
    pub level: u32,
    pub repeat: u32,
    /// When the next level is called; `None` once acknowledged or exhausted.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub next_at: Option<OffsetDateTime>,
    pub exhausted: bool,
}

/// The pseudo-tree of one-off notices (a skipped step told to the shift lead).
pub const NOTICE_TREE: &str = "notice";

/// The channel of a phone call an operator logged.
pub const PHONE_CHANNEL: &str = "phone";

impl Incident {
    /// Starts a tree from its first level, unless it is already running or the incident's
    /// source is on test (its events are shown, but nobody is called).
    pub fn start_tree(&self, setup: &Setup, tree: &str, now: OffsetDateTime) -> Vec<IncidentEvent> {
        if self.view.on_test || self.trees.iter().any(|t| t.tree == tree) {
            return Vec::new();
        }
        // A tree started once the incident is acknowledged informs; it does not escalate.
        let escalating = self.view.state == IncidentState::New;
        let call = LevelCall {
            tree,
            level: 0,
            repeat: 0,
            escalating,
            first: self.next_attempt,
        };
        self.call_level(setup, call, now)
    }

    /// Calls the next level of every tree whose escalation time has passed.
    pub fn escalate(&self, setup: &Setup, now: OffsetDateTime) -> Vec<IncidentEvent> {
        let due: Vec<&TreeRun> = self
            .trees
            .iter()
            .filter(|t| t.next_at.is_some_and(|at| now >= at))
            .collect();
        self.next_levels(setup, due, now)
    }

    /// The next level of each of `runs`, their attempts numbered one after another.
    fn next_levels(
        &self,
        setup: &Setup,
        runs: Vec<&TreeRun>,
        now: OffsetDateTime,
    ) -> Vec<IncidentEvent> {
        let mut events = Vec::new();
        for run in runs {
            let numbered = events
                .iter()
                .filter(|e| matches!(e, IncidentEvent::NotificationAttempted { .. }))
                .count();
            let first = self.next_attempt + numbered as u64;
            events.extend(self.next_level(setup, run, first, now));
        }
        events
    }

    /// Calls the next level of every tree not exhausted, at once (an operator's "escalate now",
    /// or a stalled P1).
    pub fn escalate_now(&self, setup: &Setup, now: OffsetDateTime) -> Vec<IncidentEvent> {
        let running: Vec<&TreeRun> = self.trees.iter().filter(|t| !t.exhausted).collect();
        self.next_levels(setup, running, now)
    }

    /// An acknowledged P1 with no step done for the stall time: acknowledge again, and the
    /// trees call their next level.
    pub fn stalled(&self, setup: &Setup, now: OffsetDateTime) -> Vec<IncidentEvent> {
        let working = matches!(
            self.view.state,
            IncidentState::Acknowledged | IncidentState::InProgress
        );
        let Some(since) = self.last_progress_at else {
            return Vec::new();
        };
        if self.view.priority != Priority::P1 || !working || now - since < setup.stall_after {
            return Vec::new();
        }
        let minutes = u64::try_from(setup.stall_after.whole_minutes()).unwrap_or(0);
        let mut events = vec![IncidentEvent::StallReAlerted { minutes }];
        events.extend(self.escalate_now(setup, now));
        events
    }

    /// Tells everyone holding `role` (a skipped step goes to the shift lead), once.
    pub fn notice(&self, setup: &Setup, role: &str) -> Vec<IncidentEvent> {
        if self.view.on_test {
            return Vec::new();
        }
        let channels = [Channel::Console, Channel::Webhook, Channel::Email];
        let recipients = [Recipient::Role(role.to_string())];
        self.attempts(
            setup,
            NOTICE_TREE,
            0,
            &recipients,
            &channels,
            self.next_attempt,
        )
    }

    fn next_level(
        &self,
        setup: &Setup,
        run: &TreeRun,
        first: u64,
        now: OffsetDateTime,
    ) -> Vec<IncidentEvent> {
        let Some(tree) = self.tree_for_this_incident(setup, &run.tree) else {
            return Vec::new();
        };
        let last = u32::try_from(tree.levels.len().saturating_sub(1)).unwrap_or(0);
        if run.level < last {
            let call = LevelCall {
                tree: &run.tree,
                level: run.level + 1,
                repeat: 0,
                escalating: true,
                first,
            };
            self.call_level(setup, call, now)
        } else if run.repeat < tree.repeat_last {
            let call = LevelCall {
                tree: &run.tree,
                level: last,
                repeat: run.repeat + 1,
                escalating: true,
                first,
            };
            self.call_level(setup, call, now)
        } else if run.exhausted {
            Vec::new()
        } else {
            vec![IncidentEvent::NotificationsExhausted {
                tree: run.tree.clone(),
            }]
        }
    }

    fn call_level(
        &self,
        setup: &Setup,
        call: LevelCall<'_>,
        now: OffsetDateTime,
    ) -> Vec<IncidentEvent> {
        let LevelCall {
            tree: tree_id,
            level,
            repeat,
            escalating,
            first,
        } = call;
        let Some(tree) = self.tree_for_this_incident(setup, tree_id) else {
            return Vec::new();
        };
        let Some(step) = tree.levels.get(level as usize) else {
            return Vec::new();
        };
        let mut events = vec![IncidentEvent::NotificationLevelCalled {
            tree: tree_id.to_string(),
            level,
            repeat,
            next_at: escalating.then(|| now + step.escalate_after),
        }];
        events.extend(self.attempts(
            setup,
            tree_id,
            level,
            &step.recipients,
            &step.channels,
            first,
        ));
        events
    }

    /// The tree as this incident may use it: for a drill, without any outside party.
    pub(super) fn tree_for_this_incident(
        &self,
        setup: &Setup,
        tree_id: &str,
    ) -> Option<NotificationTree> {
        let tree = setup.library.tree(tree_id)?;
        if self.view.drill.is_none() {
            return Some(tree.clone());
        }
        let known: Vec<playbooks::Contact> = setup
            .contacts
            .iter()
            .map(|c| playbooks::Contact::new(c.id.clone(), c.role.clone()))
            .collect();
        Some(tree.for_drill(setup.library.roles(), &known))
    }

    /// The contacts one recipient names for this incident: of its site, and drill contacts for
    /// a drill, real ones otherwise. An outside role is never called for a drill.
    pub(super) fn contacts_for<'s>(
        &self,
        setup: &'s Setup,
        recipient: &Recipient,
    ) -> Vec<&'s Contact> {
        let drill = self.view.drill.is_some();
        let site = &self.view.location.site;
        setup
            .contacts
            .iter()
            .filter(|c| c.drill == drill && c.site.as_ref().is_none_or(|s| s == site))
            .filter(|c| !drill || !setup.library.roles().is_external(&c.role))
            .filter(|c| match recipient {
                Recipient::Role(role) => c.role == *role,
                Recipient::Contact(id) => c.id == *id,
            })
            .collect()
    }

    fn attempts(
        &self,
        setup: &Setup,
        tree: &str,
        level: u32,
        recipients: &[Recipient],
        channels: &[Channel],
        first: u64,
    ) -> Vec<IncidentEvent> {
        let mut events = Vec::new();
        let mut attempt = first;
        let mut push = |events: &mut Vec<IncidentEvent>, contact: String, channel: &str| {
            events.push(IncidentEvent::NotificationAttempted {
                attempt,
                tree: tree.to_string(),
                level,
                contact,
                channel: channel.to_string(),
            });
            attempt += 1;
            attempt - 1
        };
        for recipient in recipients {
            let contacts = self.contacts_for(setup, recipient);
            if contacts.is_empty() {
                let who = match recipient {
                    Recipient::Role(role) => format!("role:{role}"),
                    Recipient::Contact(id) => id.clone(),
                };
                let n = push(&mut events, who.clone(), Channel::Console.as_str());
                let (kind_zh, kind_en) = if self.view.drill.is_some() {
                    ("演练联系人", "drill contact")
                } else {
                    ("联系人", "contact")
                };
                let error = Bilingual {
                    zh: format!("本项目没有 {who} 的{kind_zh}：请电话联系"),
                    en: format!("no {kind_en} for {who} at this site: call them by phone"),
                };
                events.push(IncidentEvent::NotificationFailed { attempt: n, error });
                continue;
            }
            for contact in contacts {
                for channel in channels {
                    let n = push(&mut events, contact.id.clone(), channel.as_str());
                    let missing = match channel {
                        Channel::Console => None,
                        Channel::Webhook => contact
                            .webhook
                            .is_none()
                            .then_some(("网络回调地址", "webhook address")),
                        Channel::Email => contact
                            .email
                            .is_none()
                            .then_some(("邮件地址", "e-mail address")),
                    };
                    match (channel, missing) {
                        (Channel::Console, _) => {
                            events.push(IncidentEvent::NotificationDelivered {
                                attempt: n,
                                detail: Some(Bilingual {
                                    zh: format!("请联系 {}（{}）", contact.name, contact.role),
                                    en: format!("call {} ({})", contact.name, contact.role),
                                }),
                            })
                        }
                        (_, Some((zh, en))) => events.push(IncidentEvent::NotificationFailed {
                            attempt: n,
                            error: Bilingual {
                                zh: format!("{} 没有{zh}", contact.id),
                                en: format!("{} has no {en}", contact.id),
                            },
                        }),
                        (_, None) => {}
                    }
                }
            }
        }
        events
    }
}

/// Changes the incident's trees and attempts by one notification event. Cannot fail.
pub(super) fn apply(incident: &mut Incident, event: &IncidentEvent, at: OffsetDateTime) {
    let trees = &mut incident.trees;
    let view = incident
        .view
        .notifications
        .get_or_insert_with(NotificationsView::default);
    let mut set = |n: u64, status, detail: Option<Bilingual>| {
        if let Some(a) = view.attempts.iter_mut().find(|a| a.attempt == n) {
            a.status = status;
            a.detail = detail;
        }
    };
    match event {
        IncidentEvent::NotificationLevelCalled {
            tree,
            level,
            repeat,
            next_at,
        } => {
            let run = TreeRun {
                tree: tree.clone(),
                level: *level,
                repeat: *repeat,
                next_at: *next_at,
                exhausted: false,
            };
            match trees.iter_mut().find(|t| t.tree == *tree) {
                Some(existing) => *existing = run,
                None => trees.push(run),
            }
            if next_at.is_some() {
                view.acknowledged_by = None;
            }
        }
        IncidentEvent::NotificationAttempted {
            attempt,
            tree,
            level,
            contact,
            channel,
        } => {
            view.attempts.push(AttemptView {
                attempt: *attempt,
                tree: tree.clone(),
                level: *level,
                contact: contact.clone(),
                channel: channel.clone(),
                status: AttemptStatus::Sending,
                at,
                detail: None,
                call: None,
            });
            incident.next_attempt = incident.next_attempt.max(attempt + 1);
        }
        IncidentEvent::CalledByPhone {
            attempt,
            operator,
            callee,
            name,
            number,
            outcome,
            note,
            tree,
            level,
            acknowledged,
        } => {
            let status = match (outcome, acknowledged) {
                (CallOutcome::Answered, true) => AttemptStatus::Acknowledged,
                (CallOutcome::Answered, false) => AttemptStatus::Delivered,
                _ => AttemptStatus::Failed,
            };
            view.attempts.push(AttemptView {
                attempt: *attempt,
                tree: tree.clone().unwrap_or_default(),
                level: level.unwrap_or(0),
                contact: callee.id().to_string(),
                channel: PHONE_CHANNEL.to_string(),
                status,
                at,
                detail: None,
                call: Some(PhoneCall {
                    operator: operator.clone(),
                    name: name.clone(),
                    number: number.clone(),
                    outcome: *outcome,
                    note: note.clone(),
                }),
            });
            incident.next_attempt = incident.next_attempt.max(attempt + 1);
        }
        IncidentEvent::NotificationDelivered { attempt, detail } => {
            set(*attempt, AttemptStatus::Delivered, detail.clone());
        }
        IncidentEvent::NotificationFailed { attempt, error } => {
            set(*attempt, AttemptStatus::Failed, Some(error.clone()));
        }
        IncidentEvent::NotificationsAcknowledged { by } => {
            for run in trees.iter_mut() {
                run.next_at = None;
            }
            view.acknowledged_by = Some(by.clone());
        }
        IncidentEvent::NotificationsExhausted { tree } => {
            if let Some(run) = trees.iter_mut().find(|t| t.tree == *tree) {
                run.exhausted = true;
                run.next_at = None;
            }
        }
        _ => return,
    }
    view.tree = trees
        .iter()
        .map(|t| t.tree.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    view.level = trees.iter().map(|t| t.level).max().unwrap_or(0);
    view.next_escalation_at = trees.iter().filter_map(|t| t.next_at).min();
}
