//! What the console sends the hub: one protocol [`Command`] with the request id the console
//! picked, so the hub's reply can be matched to it.

use alert_hub::protocol::{Command, ConsoleRequest};

/// One request to the hub: exactly the protocol's [`ConsoleRequest`] on the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing(ConsoleRequest);

impl Outgoing {
    /// The request id the reply will carry.
    pub fn request(&self) -> &str {
        &self.0.request
    }

    /// What is asked of the hub.
    pub fn command(&self) -> &Command {
        &self.0.command
    }

    /// For a shift hand-over (`Some(false)`) or its confirmation (`Some(true)`), whose reply
    /// the hand-over screen shows; `None` for any other command.
    pub fn hand_over(&self) -> Option<bool> {
        match self.0.command {
            Command::HandOver { .. } => Some(false),
            Command::ConfirmHandOver { .. } => Some(true),
            _ => None,
        }
    }

    /// The JSON text frame sent on the feed.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_default()
    }
}

/// A command with its request id, ready to send.
pub fn command(request: String, command: Command) -> Outgoing {
    Outgoing(ConsoleRequest { request, command })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::T0;
    use alert_hub::protocol::OverdueStep;

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
        assert_eq!(out.hand_over(), None);
    }

    #[test]
    fn a_hand_over_is_the_protocol_command_and_reads_back() {
        let out = command(
            "s-2".into(),
            Command::HandOver {
                incoming: "op-li".into(),
                note: "lift B2 out".into(),
                at: T0,
                open_incidents: vec!["INC-1".into()],
                overdue_steps: vec![OverdueStep {
                    incident: "INC-1".into(),
                    step: "confirm".into(),
                }],
            },
        );
        assert_eq!(out.hand_over(), Some(false));
        let json: serde_json::Value = serde_json::from_str(&out.to_json()).unwrap();
        assert_eq!(json["action"], "hand_over");
        assert_eq!(json["request"], "s-2");
        assert_eq!(json["at"], "2026-11-22T15:40:00Z");
        assert_eq!(json["overdue_steps"][0]["step"], "confirm");
        let back: ConsoleRequest = serde_json::from_str(&out.to_json()).unwrap();
        assert_eq!(&back.command, out.command());
    }
}
