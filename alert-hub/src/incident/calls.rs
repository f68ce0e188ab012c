//! Calling by phone: whom a playbook step or a tree level means at the incident's site and at
//! what numbers (a drill's own contacts for a drill, never a real outside party), and the
//! operator's record of a call, which may count as a contact's acknowledgement of the call-out.

use playbooks::Recipient;

use super::{Incident, MAX_NOTE_CHARS, Refusal, Setup};
use crate::protocol::{
    Bilingual, CallOutcome, CallView, Callee, IncidentEvent, LevelView, PhoneEntry, RefusalCode,
};

/// The level of a running tree that calls someone.
struct LevelHit {
    tree: String,
    level: u32,
    /// The tree has called this level already.
    reached: bool,
    /// The tree is still escalating (nobody has acknowledged, it is not exhausted).
    escalating: bool,
}

impl Incident {
    /// Whom `role` means for this incident, with their numbers: for an outside party its number
    /// at the site, then any contact holding the role there; for a role of people the contacts
    /// holding it. In a drill, an outside party is played by the drill contacts of the drill
    /// control role, and only drill contacts are listed.
    pub(super) fn call_view(&self, setup: &Setup, role: &str) -> CallView {
        let found = setup.library.roles().get(role);
        let outside = found.is_none_or(|r| r.external);
        let name = found.map_or_else(
            || Bilingual {
                zh: role.to_string(),
                en: role.to_string(),
            },
            |r| Bilingual {
                zh: r.name.zh.clone(),
                en: r.name.en.clone(),
            },
        );
        let holders = if outside && self.view.drill.is_some() {
            Recipient::Role(setup.drill_control_role.clone())
        } else {
            Recipient::Role(role.to_string())
        };
        let mut numbers = Vec::new();
        if outside && self.view.drill.is_none() {
            numbers.push(self.party_entry(setup, role));
        }
        numbers.extend(
            self.contacts_for(setup, &holders)
                .into_iter()
                .map(|c| PhoneEntry {
                    callee: Callee::Contact(c.id.clone()),
                    name: Some(c.name.clone()),
                    phone: c.phone.clone(),
                }),
        );
        CallView {
            role: role.to_string(),
            name,
            outside,
            numbers,
        }
    }

    /// An outside party at the incident's site: the site's own name and number, or the
    /// library's number for the role (119), or no number.
    fn party_entry(&self, setup: &Setup, role: &str) -> PhoneEntry {
        let site = setup.sites.iter().find(|s| s.id == self.view.location.site);
        match site.and_then(|s| s.outside_party(role)) {
            Some(party) => PhoneEntry {
                callee: Callee::Party(role.to_string()),
                name: Some(party.name.clone()),
                phone: Some(party.phone.clone()),
            },
            None => PhoneEntry {
                callee: Callee::Party(role.to_string()),
                name: None,
                phone: setup
                    .library
                    .roles()
                    .get(role)
                    .and_then(|r| r.phone.clone()),
            },
        }
    }

    /// Whom one recipient of a tree level means for this incident.
    fn recipient_view(&self, setup: &Setup, recipient: &Recipient) -> CallView {
        match recipient {
            Recipient::Role(role) => self.call_view(setup, role),
            Recipient::Contact(id) => {
                let role = setup
                    .contacts
                    .iter()
                    .find(|c| c.id == *id)
                    .map_or(id.as_str(), |c| c.role.as_str());
                let mut view = self.call_view(setup, role);
                view.numbers = self
                    .contacts_for(setup, recipient)
                    .into_iter()
                    .map(|c| PhoneEntry {
                        callee: Callee::Contact(c.id.clone()),
                        name: Some(c.name.clone()),
                        phone: c.phone.clone(),
                    })
                    .collect();
                view
            }
        }
    }

    /// Refreshes whom each level of the running trees calls (as this incident may use them:
    /// without outside parties for a drill).
    pub fn refresh_levels(&mut self, setup: &Setup) {
        let mut levels = Vec::new();
        for run in &self.trees {
            let Some(tree) = self.tree_for_this_incident(setup, &run.tree) else {
                continue;
            };
            for (n, level) in tree.levels.iter().enumerate() {
                levels.push(LevelView {
                    tree: run.tree.clone(),
                    level: u32::try_from(n).unwrap_or(u32::MAX),
                    calls: level
                        .recipients
                        .iter()
                        .map(|r| self.recipient_view(setup, r))
                        .collect(),
                });
            }
        }
        if let Some(notifications) = self.view.notifications.as_mut() {
            notifications.levels = levels;
        }
    }

    /// The level of a running tree that calls `callee`: one already called if there is one.
    fn level_calling(&self, setup: &Setup, callee: &Callee) -> Option<LevelHit> {
        let mut hits = Vec::new();
        for run in &self.trees {
            let Some(tree) = self.tree_for_this_incident(setup, &run.tree) else {
                continue;
            };
            for (n, level) in tree.levels.iter().enumerate() {
                let calls = level.recipients.iter().any(|r| match (r, callee) {
                    (Recipient::Role(role), Callee::Party(party)) => role == party,
                    (Recipient::Contact(id), Callee::Contact(contact)) => id == contact,
                    (Recipient::Role(_), Callee::Contact(contact)) => {
                        self.contacts_for(setup, r).iter().any(|c| c.id == *contact)
                    }
                    (Recipient::Contact(_), Callee::Party(_)) => false,
                });
                if calls {
                    let level = u32::try_from(n).unwrap_or(u32::MAX);
                    hits.push(LevelHit {
                        tree: run.tree.clone(),
                        level,
                        reached: level <= run.level,
                        escalating: run.next_at.is_some(),
                    });
                }
            }
        }
        let first_reached = hits.iter().position(|h| h.reached).unwrap_or(0);
        (!hits.is_empty()).then(|| hits.swap_remove(first_reached))
    }

    /// Records a phone call `operator` made: to a contact who may be called for this incident,
    /// or (never in a drill) to an outside party of its site, at the number the hub has for
    /// them. An answered call to a contact whom an escalating tree has already called counts as
    /// their acknowledgement of the call-out, as following the link in their notice would.
    pub(super) fn log_call(
        &self,
        setup: &Setup,
        callee: &Callee,
        outcome: CallOutcome,
        note: Option<&str>,
        operator: String,
    ) -> Result<Vec<IncidentEvent>, Refusal> {
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if note.is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS) {
            return Err(Refusal::new(
                RefusalCode::BadCommand,
                format!("备注最多 {MAX_NOTE_CHARS} 个字。"),
                format!("A note may have at most {MAX_NOTE_CHARS} characters."),
            ));
        }
        let (name, number) = match callee {
            Callee::Party(role) => self.party_called(setup, role)?,
            Callee::Contact(id) => self.contact_called(setup, id)?,
        };
        let hit = self.level_calling(setup, callee);
        let acknowledged = outcome == CallOutcome::Answered
            && matches!(callee, Callee::Contact(_))
            && hit.as_ref().is_some_and(|h| h.reached && h.escalating);
        let mut events = vec![IncidentEvent::CalledByPhone {
            attempt: self.next_attempt,
            operator,
            callee: callee.clone(),
            name,
            number,
            outcome,
            note: note.map(str::to_string),
            tree: hit.as_ref().map(|h| h.tree.clone()),
            level: hit.as_ref().map(|h| h.level),
            acknowledged,
        }];
        if acknowledged {
            events.push(IncidentEvent::NotificationsAcknowledged {
                by: callee.id().to_string(),
            });
        }
        Ok(events)
    }

    /// The name and number of outside party `role` at the site; refused for a drill and for a
    /// role that is not an outside party.
    fn party_called(&self, setup: &Setup, role: &str) -> Result<(String, Option<String>), Refusal> {
        let Some(found) = setup.library.roles().get(role).filter(|r| r.external) else {
            return Err(Refusal::new(
                RefusalCode::BadCommand,
                format!("“{role}”不是外部单位。"),
                format!("\"{role}\" is not an outside party."),
            ));
        };
        if self.view.drill.is_some() {
            return Err(Refusal::new(
                RefusalCode::InvalidState,
                format!(
                    "{} 是演练事件：演练从不拨打真实的外部电话（{}），请拨打扮演该单位的演练联系人。",
                    self.view.id, found.name.zh
                ),
                format!(
                    "{} is a drill: a drill never calls a real outside party ({}); call the drill contact who plays it.",
                    self.view.id, found.name.en
                ),
            ));
        }
        let entry = self.party_entry(setup, role);
        let name = entry
            .name
            .unwrap_or_else(|| format!("{} {}", found.name.en, found.name.zh));
        Ok((name, entry.phone))
    }

    /// The name and number of contact `id`, who must be one this incident may call: of its
    /// site, a drill contact for a drill and a real one otherwise.
    fn contact_called(&self, setup: &Setup, id: &str) -> Result<(String, Option<String>), Refusal> {
        let Some(contact) = setup.contacts.iter().find(|c| c.id == id) else {
            return Err(Refusal::new(
                RefusalCode::BadCommand,
                format!("没有联系人“{id}”。"),
                format!("There is no contact \"{id}\"."),
            ));
        };
        let callable = !self
            .contacts_for(setup, &Recipient::Contact(id.to_string()))
            .is_empty();
        if callable {
            return Ok((contact.name.clone(), contact.phone.clone()));
        }
        let incident = &self.view.id;
        let site = &self.view.location.site;
        Err(if self.view.drill.is_some() {
            Refusal::new(
                RefusalCode::InvalidState,
                format!("{incident} 是演练事件：只拨打本项目的演练联系人，{id} 不是。"),
                format!(
                    "{incident} is a drill: it calls the site's drill contacts only, and {id} is not one."
                ),
            )
        } else if contact.drill {
            Refusal::new(
                RefusalCode::InvalidState,
                format!("{id} 是演练联系人：真实事件不拨打演练联系人。"),
                format!("{id} is a drill contact: a real incident does not call them."),
            )
        } else {
            Refusal::new(
                RefusalCode::InvalidState,
                format!("{id} 不负责项目 {site}。"),
                format!("{id} does not serve site {site}."),
            )
        })
    }
}
