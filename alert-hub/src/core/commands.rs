//! Console commands in the core: each checked against the permission table, then against the
//! incident, the tests or (for a shift hand-over) the roster, and logged with the operator's id.

use time::OffsetDateTime;
use tokio::sync::oneshot;

use super::State;
use super::batch::Pending;
use crate::incident::{
    Action, Applied, IncidentCommand, OperatorRef, Refusal, Report, check_permission,
};
use crate::on_test::TestCommand;
use crate::protocol::{
    Actor, Command, ConsoleRequest, HandOverRecord, OperatorInfo, OverdueStep, RefusalCode, Reply,
    Role,
};

impl State {
    pub(super) fn command(
        &mut self,
        operator: &OperatorInfo,
        request: ConsoleRequest,
        reply: oneshot::Sender<Reply>,
        now: OffsetDateTime,
        pending: &mut Pending,
    ) {
        let permission = check_permission(operator.role, Action::of(&request.command));
        let outcome = permission.and_then(|()| match &request.command {
            Command::HandOver {
                outgoing,
                incoming,
                overdue_steps,
                ..
            } => self.hand_over(operator, outgoing, incoming, overdue_steps, now, pending),
            Command::PutOnTest {
                source,
                device,
                minutes,
                reason,
            } => {
                let command = TestCommand::Start {
                    source: source.clone(),
                    device: device.clone(),
                    minutes: *minutes,
                    reason: reason.clone(),
                    by: operator.id.clone(),
                };
                self.test_command(command, now, pending)
            }
            Command::EndTest { source, device } => {
                let command = TestCommand::End {
                    source: source.clone(),
                    device: device.clone(),
                    by: operator.id.clone(),
                };
                self.test_command(command, now, pending)
            }
            command => self.decide(operator, command, now).map(|applied| {
                let actor = Actor::Operator {
                    id: operator.id.clone(),
                };
                self.record(applied, &actor, now, pending);
            }),
        });
        let answer = match outcome {
            Ok(()) => Reply {
                request: request.request,
                ok: true,
                error: None,
                message: None,
            },
            Err(refusal) => Reply {
                request: request.request,
                ok: false,
                error: Some(refusal.code),
                message: Some(refusal.message),
            },
        };
        pending.after_commit(move || drop(reply.send(answer)));
    }

    /// What a command about incidents does (opening one for a report, or acting on one), or
    /// why not; the caller records it under the operator's name.
    fn decide(
        &mut self,
        operator: &OperatorInfo,
        command: &Command,
        now: OffsetDateTime,
    ) -> Result<Vec<Applied>, Refusal> {
        if let Command::OpenIncident {
            kind,
            location,
            note,
        } = command
        {
            let report = Report {
                kind: *kind,
                location: location.clone(),
                note: note.clone(),
            };
            let site_known = self.config.site(&location.site).is_some();
            return self
                .book
                .open_reported(&report, site_known, &operator.id, now);
        }
        let Some((incident, command)) = IncidentCommand::of(command) else {
            return Err(Refusal::new(
                RefusalCode::BadCommand,
                "这个命令没有指明事件。",
                "This command names no incident.",
            ));
        };
        let who = OperatorRef {
            id: &operator.id,
            role: operator.role,
        };
        self.book.command(incident, &command, who, now)
    }

    /// Records a shift hand-over signed on `operator`'s console by both operators.
    fn hand_over(
        &mut self,
        operator: &OperatorInfo,
        outgoing: &str,
        incoming: &str,
        overdue_steps: &[OverdueStep],
        now: OffsetDateTime,
        pending: &mut Pending,
    ) -> Result<(), Refusal> {
        let on_duty = |id: &str| {
            self.operators
                .get(id)
                .is_some_and(|role| *role != Role::Manager)
        };
        if operator.id != outgoing && operator.id != incoming {
            return Err(Refusal::new(
                RefusalCode::NotPermitted,
                format!(
                    "交接班须在交班或接班值班员的控制台上签署，不能由 {} 签署。",
                    operator.id
                ),
                format!(
                    "A hand-over is signed on the console of the outgoing or the incoming operator, not {}.",
                    operator.id
                ),
            ));
        }
        if outgoing == incoming {
            return Err(Refusal::new(
                RefusalCode::NeedsSecondOperator,
                "交班和接班须是两个不同的人。",
                "The outgoing and the incoming operator must be two different people.",
            ));
        }
        for id in [outgoing, incoming] {
            if !on_duty(id) {
                return Err(Refusal::new(
                    RefusalCode::BadCommand,
                    format!("“{id}”不是本控制室的值班员。"),
                    format!("\"{id}\" is not an operator of this control room."),
                ));
            }
        }
        let mut open_incidents: Vec<_> = self.book.iter().map(|i| i.view.clone()).collect();
        open_incidents.sort_by(crate::protocol::IncidentView::board_order);
        let record = HandOverRecord {
            seq: self.next_handover,
            outgoing: outgoing.to_string(),
            incoming: incoming.to_string(),
            signed_on: operator.id.clone(),
            at: now,
            open_incidents: open_incidents.into_iter().map(|v| v.id).collect(),
            overdue_steps: overdue_steps.to_vec(),
        };
        tracing::info!(outgoing, incoming, "shift handed over");
        self.next_handover += 1;
        pending.handovers.push(record);
        Ok(())
    }
}
