//! Shift hand-overs: the outgoing operator signs one for a named incoming operator, who takes
//! the shift by confirming it from their own sign-in, so a hand-over is never recorded on one
//! person's word. Pure state: the core stores and announces what these functions return.

use time::OffsetDateTime;

use crate::incident::Refusal;
use crate::protocol::{HandOverRecord, HandOverStatus, OverdueStep, RefusalCode};

/// How many of the latest hand-overs the consoles are sent (awaiting ones always are).
pub const SHOWN: usize = 20;

/// A hand-over the outgoing operator signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signing<'a> {
    pub outgoing: &'a str,
    pub incoming: &'a str,
    pub note: &'a str,
    pub open_incidents: Vec<String>,
    pub overdue_steps: &'a [OverdueStep],
}

/// Every hand-over, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HandOvers {
    records: Vec<HandOverRecord>,
}

impl HandOvers {
    /// The hand-overs as stored, in any order.
    pub fn new(mut records: Vec<HandOverRecord>) -> HandOvers {
        records.sort_by_key(|r| r.seq);
        HandOvers { records }
    }

    /// What the consoles are shown: the latest [`SHOWN`] and every one still awaiting its
    /// incoming operator, oldest first.
    pub fn shown(&self) -> Vec<HandOverRecord> {
        let from = self.records.len().saturating_sub(SHOWN);
        self.records
            .iter()
            .enumerate()
            .filter(|(i, r)| *i >= from || r.status == HandOverStatus::Awaiting)
            .map(|(_, r)| r.clone())
            .collect()
    }

    /// Signs a hand-over; `on_duty` tells who may take a shift. Returns the records changed:
    /// the outgoing operator's earlier hand-over awaiting confirmation, now withdrawn, and the
    /// new one.
    pub fn sign(
        &mut self,
        signing: Signing<'_>,
        on_duty: impl Fn(&str) -> bool,
        now: OffsetDateTime,
    ) -> Result<Vec<HandOverRecord>, Refusal> {
        let Signing {
            outgoing,
            incoming,
            note,
            open_incidents,
            overdue_steps,
        } = signing;
        let incoming = incoming.trim();
        if incoming.is_empty() {
            return Err(Refusal::new(
                RefusalCode::BadCommand,
                "请填写接班值班员。",
                "Name the incoming operator.",
            ));
        }
        if incoming == outgoing {
            return Err(Refusal::new(
                RefusalCode::NeedsSecondOperator,
                "交班和接班须是两个不同的人。",
                "The outgoing and the incoming operator must be two different people.",
            ));
        }
        if !on_duty(incoming) {
            return Err(Refusal::new(
                RefusalCode::BadCommand,
                format!("“{incoming}”不是本控制室的值班员。"),
                format!("\"{incoming}\" is not an operator of this control room."),
            ));
        }
        let mut changed: Vec<HandOverRecord> = self
            .records
            .iter_mut()
            .filter(|r| r.outgoing == outgoing && r.status == HandOverStatus::Awaiting)
            .map(|r| {
                r.status = HandOverStatus::Withdrawn { at: now };
                r.clone()
            })
            .collect();
        let record = HandOverRecord {
            seq: self.records.last().map_or(1, |r| r.seq + 1),
            outgoing: outgoing.to_string(),
            incoming: incoming.to_string(),
            at: now,
            note: note.trim().to_string(),
            open_incidents,
            overdue_steps: overdue_steps.to_vec(),
            status: HandOverStatus::Awaiting,
        };
        self.records.push(record.clone());
        changed.push(record);
        Ok(changed)
    }

    /// `operator` takes the shift by confirming hand-over `seq`, which must name them and
    /// still await them.
    pub fn confirm(
        &mut self,
        operator: &str,
        seq: u64,
        note: &str,
        now: OffsetDateTime,
    ) -> Result<HandOverRecord, Refusal> {
        let Some(record) = self.records.iter_mut().find(|r| r.seq == seq) else {
            return Err(Refusal::new(
                RefusalCode::BadCommand,
                format!("没有第 {seq} 号交接班。"),
                format!("There is no hand-over number {seq}."),
            ));
        };
        if record.incoming != operator {
            return Err(Refusal::new(
                RefusalCode::NotPermitted,
                format!(
                    "这次交接班交给 {}，须由其本人登录确认，不能由 {operator} 确认。",
                    record.incoming
                ),
                format!(
                    "This hand-over is to {}: only they can confirm it, signed in as themselves, not {operator}.",
                    record.incoming
                ),
            ));
        }
        if record.status != HandOverStatus::Awaiting {
            return Err(Refusal::new(
                RefusalCode::InvalidState,
                "这次交接班已确认或已撤回。",
                "This hand-over was already confirmed or withdrawn.",
            ));
        }
        record.status = HandOverStatus::Confirmed {
            at: now,
            note: note.trim().to_string(),
        };
        Ok(record.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-04 07:00 UTC);

    fn signing<'a>(outgoing: &'a str, incoming: &'a str) -> Signing<'a> {
        Signing {
            outgoing,
            incoming,
            note: " lift B2 still out ",
            open_incidents: vec!["INC-000007".into()],
            overdue_steps: &[],
        }
    }

    fn on_duty(id: &str) -> bool {
        ["op-li", "op-wang", "op-zhou"].contains(&id)
    }

    #[test]
    fn a_signed_hand_over_awaits_the_incoming_operator_and_keeps_the_note() {
        let mut h = HandOvers::default();
        let changed = h.sign(signing("op-li", "op-wang"), on_duty, NOW).unwrap();
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].seq, 1);
        assert_eq!(changed[0].status, HandOverStatus::Awaiting);
        assert_eq!(changed[0].note, "lift B2 still out");
        assert_eq!(changed[0].open_incidents, vec!["INC-000007".to_string()]);
    }

    #[test]
    fn only_the_incoming_operator_confirms_and_only_once() {
        let mut h = HandOvers::default();
        h.sign(signing("op-li", "op-wang"), on_duty, NOW).unwrap();
        let later = NOW + time::Duration::minutes(3);
        let by_outgoing = h.confirm("op-li", 1, "", later).unwrap_err();
        assert_eq!(by_outgoing.code, RefusalCode::NotPermitted);
        assert!(by_outgoing.message.en.contains("only they can confirm"));
        let by_someone_else = h.confirm("op-zhou", 1, "", later).unwrap_err();
        assert_eq!(by_someone_else.code, RefusalCode::NotPermitted);
        let done = h.confirm("op-wang", 1, " took over ", later).unwrap();
        assert_eq!(
            done.status,
            HandOverStatus::Confirmed {
                at: later,
                note: "took over".into()
            }
        );
        let again = h.confirm("op-wang", 1, "", later).unwrap_err();
        assert_eq!(again.code, RefusalCode::InvalidState);
        assert_eq!(
            h.confirm("op-wang", 9, "", later).unwrap_err().code,
            RefusalCode::BadCommand
        );
    }

    #[test]
    fn signing_again_withdraws_the_outgoing_operators_unconfirmed_hand_over() {
        let mut h = HandOvers::default();
        h.sign(signing("op-li", "op-zhou"), on_duty, NOW).unwrap();
        let changed = h.sign(signing("op-li", "op-wang"), on_duty, NOW).unwrap();
        assert_eq!(changed.len(), 2);
        assert_eq!(changed[0].seq, 1);
        assert_eq!(changed[0].status, HandOverStatus::Withdrawn { at: NOW });
        assert_eq!(changed[1].seq, 2);
        let withdrawn = h.confirm("op-zhou", 1, "", NOW).unwrap_err();
        assert_eq!(withdrawn.code, RefusalCode::InvalidState);
    }

    #[test]
    fn a_hand_over_to_oneself_or_to_someone_not_on_duty_is_refused() {
        let mut h = HandOvers::default();
        let to_self = h.sign(signing("op-li", "op-li"), on_duty, NOW).unwrap_err();
        assert_eq!(to_self.code, RefusalCode::NeedsSecondOperator);
        let manager = h
            .sign(signing("op-li", "mgr-chen"), on_duty, NOW)
            .unwrap_err();
        assert!(
            manager
                .message
                .en
                .contains("\"mgr-chen\" is not an operator")
        );
        let nobody = h.sign(signing("op-li", "  "), on_duty, NOW).unwrap_err();
        assert_eq!(nobody.code, RefusalCode::BadCommand);
        assert!(h.shown().is_empty(), "nothing refused is kept");
    }

    #[test]
    fn the_consoles_see_the_latest_and_every_awaiting_hand_over() {
        let mut h = HandOvers::default();
        h.sign(signing("op-zhou", "op-wang"), on_duty, NOW).unwrap();
        for i in 0..SHOWN + 5 {
            let (out, inc) = if i % 2 == 0 {
                ("op-li", "op-wang")
            } else {
                ("op-wang", "op-li")
            };
            let seq = h
                .sign(signing(out, inc), on_duty, NOW)
                .unwrap()
                .last()
                .unwrap()
                .seq;
            h.confirm(inc, seq, "", NOW).unwrap();
        }
        let shown = h.shown();
        assert_eq!(shown.len(), SHOWN + 1);
        assert_eq!(shown[0].seq, 1, "the oldest still awaits op-wang");
        assert_eq!(shown.last().unwrap().seq, (SHOWN + 6) as u64);
    }
}
