//! What the console sends the hub: the protocol's commands, plus the shift hand-over that the
//! protocol does not define yet.

use alert_hub::protocol::{Command, ConsoleRequest};
use serde::Serialize;
use time::OffsetDateTime;

/// One request to the hub, with the request id the console picked.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Outgoing {
    Command(ConsoleRequest),
    /// Local until the hub accepts it: sent as `{"request":..,"action":"hand_over",..}`.
    HandOver(HandOverRequest),
}

impl Outgoing {
    /// The request id the reply will carry.
    pub fn request(&self) -> &str {
        match self {
            Outgoing::Command(c) => &c.request,
            Outgoing::HandOver(h) => &h.request,
        }
    }

    /// The JSON text frame sent on the feed.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A shift hand-over signed by the outgoing and the incoming operator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HandOverRequest {
    pub request: String,
    /// Always `hand_over`.
    pub action: &'static str,
    pub outgoing: String,
    pub incoming: String,
    /// When the console signed it.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The incidents open at hand-over, in board order.
    pub open_incidents: Vec<String>,
    /// The steps overdue at hand-over.
    pub overdue_steps: Vec<OverdueStep>,
}

/// One overdue step named in a hand-over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverdueStep {
    pub incident: String,
    pub step: String,
}

/// A command with its request id, ready to send.
pub fn command(request: String, command: Command) -> Outgoing {
    Outgoing::Command(ConsoleRequest { request, command })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::T0;

    #[test]
    fn commands_keep_the_protocol_wire_shape() {
        let out = command(
            "s-1".into(),
            Command::Acknowledge {
                incident: "INC-1".into(),
            },
        );
        assert_eq!(
            out.to_json(),
            r#"{"request":"s-1","action":"acknowledge","incident":"INC-1"}"#
        );
        assert_eq!(out.request(), "s-1");
    }

    #[test]
    fn hand_over_uses_the_same_request_and_action_fields() {
        let out = Outgoing::HandOver(HandOverRequest {
            request: "s-2".into(),
            action: "hand_over",
            outgoing: "op-zhang".into(),
            incoming: "op-li".into(),
            at: T0,
            open_incidents: vec!["INC-1".into()],
            overdue_steps: vec![OverdueStep {
                incident: "INC-1".into(),
                step: "confirm".into(),
            }],
        });
        let json: serde_json::Value = serde_json::from_str(&out.to_json()).unwrap();
        assert_eq!(json["action"], "hand_over");
        assert_eq!(json["request"], "s-2");
        assert_eq!(json["at"], "2026-11-22T15:40:00Z");
        assert_eq!(json["overdue_steps"][0]["step"], "confirm");
    }
}
