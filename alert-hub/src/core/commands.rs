//! Console commands in the core: each checked against the permission table, then against the
//! incident, the tests or (for a shift hand-over) the roster, and logged with the operator's id.

use time::OffsetDateTime;
use tokio::sync::oneshot;

use super::State;
use super::batch::Pending;
use crate::handover::Signing;
use crate::incident::{
    Action, Applied, IncidentCommand, OperatorRef, Refusal, Report, check_permission,
};
use crate::on_test::TestCommand;
use crate::protocol::{
    Actor, Command, ConsoleMessage, ConsoleRequest, HandOverRecord, OperatorInfo, OverdueStep,
    RefusalCode, Reply, Role,
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
                incoming,
                note,
                overdue_steps,
                ..
            } => self.hand_over(operator, incoming, note, overdue_steps, now, pending),
            Command::ConfirmHandOver { seq, note } => self
                .handovers
                .confirm(&operator.id, *seq, note, now)
                .map(|record| {
                    tracing::info!(
                        outgoing = %record.outgoing,
                        incoming = %record.incoming,
                        "shift hand-over confirmed"
                    );
                    self.hand_overs_changed(vec![record], pending);
                }),
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
            drill,
        } = command
        {
            if let Some(drill) = drill {
                self.check_drill_report(drill, &location.site)?;
            }
            let report = Report {
                kind: *kind,
                location: location.clone(),
                note: note.clone(),
                drill: drill.clone(),
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

    /// A drill report is taken only while its drill runs at the report's site.
    fn check_drill_report(&self, drill: &str, site: &str) -> Result<(), Refusal> {
        let running = self.drills.get(drill);
        if running.is_some_and(|d| d.site.as_deref().is_none_or(|s| s == site)) {
            return Ok(());
        }
        Err(Refusal::new(
            RefusalCode::DrillNotRunning,
            format!("演练“{drill}”没有在项目“{site}”进行：这份报告不能作为演练报告。"),
            format!(
                "Drill \"{drill}\" is not running at site \"{site}\": this report cannot be filed as a drill report."
            ),
        ))
    }

    /// Records a shift hand-over signed by `operator`, the outgoing operator, with the
    /// incidents open now; it awaits the incoming operator's confirmation.
    fn hand_over(
        &mut self,
        operator: &OperatorInfo,
        incoming: &str,
        note: &str,
        overdue_steps: &[OverdueStep],
        now: OffsetDateTime,
        pending: &mut Pending,
    ) -> Result<(), Refusal> {
        let mut open_incidents: Vec<_> = self.book.iter().map(|i| i.view.clone()).collect();
        open_incidents.sort_by(crate::protocol::IncidentView::board_order);
        let signing = Signing {
            outgoing: &operator.id,
            incoming,
            note,
            open_incidents: open_incidents.into_iter().map(|v| v.id).collect(),
            overdue_steps,
        };
        let operators = &self.operators;
        let on_duty = |id: &str| operators.get(id).is_some_and(|role| *role != Role::Manager);
        let changed = self.handovers.sign(signing, on_duty, now)?;
        tracing::info!(outgoing = %operator.id, incoming, "shift hand-over signed");
        self.hand_overs_changed(changed, pending);
        Ok(())
    }

    /// Stores changed hand-overs and sends every console the list.
    fn hand_overs_changed(&self, changed: Vec<HandOverRecord>, pending: &mut Pending) {
        pending.handovers.extend(changed);
        let handovers = self.handovers.shown();
        self.announce(ConsoleMessage::HandOvers { handovers }, pending);
    }
}
