//! Outside notifications from the core's side: which logged attempts go to the dispatcher, and
//! logging what came of each.

use time::OffsetDateTime;

use super::State;
use super::batch::Pending;
use crate::notify::dispatch::{Address, Delivery, Outcome};
use crate::notify::message::Notice;
use crate::protocol::{Actor, AttemptStatus, IncidentEvent, IncidentView};

impl State {
    /// The delivery a logged attempt asks for: a webhook or e-mail attempt still sending (the
    /// console channel and attempts already failed need none).
    pub(super) fn delivery_for(
        &self,
        view: &IncidentView,
        event: &IncidentEvent,
    ) -> Option<Delivery> {
        let IncidentEvent::NotificationAttempted {
            attempt,
            level,
            contact,
            channel,
            ..
        } = event
        else {
            return None;
        };
        let sending = view
            .notifications
            .as_ref()
            .and_then(|n| n.attempts.iter().find(|a| a.attempt == *attempt))
            .is_some_and(|a| a.status == AttemptStatus::Sending);
        if !sending {
            return None;
        }
        let person = self.config.contacts.iter().find(|c| c.id == *contact)?;
        let address = match channel.as_str() {
            "webhook" => Address::Webhook(person.webhook.clone()?),
            "email" => Address::Email(person.email.clone()?),
            _ => return None,
        };
        let site_name = self
            .config
            .site(&view.location.site)
            .map_or_else(|| view.location.site.clone(), |s| s.name.clone());
        let mut summary = format!("{} {} at {}", view.priority, view.kind, view.location);
        let mut summary_zh = format!(
            "{} {}：{}",
            view.priority,
            view.kind.names().0,
            view.location
        );
        if view.confirmed_by_two_detectors {
            summary.push_str(", confirmed by two detectors");
            summary_zh.push_str("，两个探测器确认");
        }
        if let Some(drill) = &view.drill {
            summary = format!("DRILL {drill}: {summary}");
            summary_zh = format!("演练 {drill}：{summary_zh}");
        }
        let notice = Notice {
            incident: view.id.clone(),
            priority: view.priority.to_string(),
            kind: view.kind.as_str().to_string(),
            site_id: view.location.site.clone(),
            site_name,
            location: view.location.to_string(),
            summary,
            summary_zh,
            level: level + 1,
            contact_id: person.id.clone(),
            contact_name: person.name.clone(),
            drill: view.drill.clone(),
            ack_url: self.links.url(&view.id, &person.id),
            at: view.last_event_at,
        };
        Some(Delivery {
            attempt: *attempt,
            address,
            notice,
        })
    }

    /// Logs what came of a delivery in its incident.
    pub(super) fn delivered(
        &mut self,
        outcome: Outcome,
        now: OffsetDateTime,
        pending: &mut Pending,
    ) {
        let event = match outcome.result {
            Ok(detail) => IncidentEvent::NotificationDelivered {
                attempt: outcome.attempt,
                detail: Some(detail),
            },
            Err(error) => {
                tracing::warn!(incident = %outcome.incident, error = %error.en, "notification failed");
                IncidentEvent::NotificationFailed {
                    attempt: outcome.attempt,
                    error,
                }
            }
        };
        let applied = self.book.delivery(&outcome.incident, event, now);
        self.record(applied, &Actor::Hub, now, pending);
    }
}
