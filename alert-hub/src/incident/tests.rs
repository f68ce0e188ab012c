//! Given / when / then tests of correlation and the incident state machine: no sockets, no clock.

use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::*;
use crate::protocol::{DeviceEvent, IncidentEvent, IncidentState, Priority, RefusalCode, Role};

pub(crate) const T0: OffsetDateTime = datetime!(2026-11-22 23:40:00 +08:00);

pub(crate) struct Given {
    pub(crate) book: IncidentBook,
    seq: u64,
}

fn library() -> playbooks::Library {
    playbooks::Library::bundled().expect("the bundled library is valid")
}

fn setup() -> Setup {
    Setup {
        library: std::sync::Arc::new(library()),
        contacts: Vec::new(),
        sites: Vec::new(),
        stall_after: Duration::minutes(10),
        shift_lead_role: "duty_manager".into(),
        drill_control_role: "safety_officer".into(),
    }
}

pub(crate) fn given() -> Given {
    Given {
        book: IncidentBook::new(std::sync::Arc::new(setup()), Vec::new(), 0),
        seq: 0,
    }
}

/// One incident rebuilt from its past events, for given / when / then tests of its commands.
pub(crate) struct GivenIncident {
    pub(crate) incident: Incident,
    setup: Setup,
}

/// The incident `past` makes: the first event is its `Opened`, the rest are applied in order.
pub(crate) fn given_events(past: &[IncidentEvent]) -> GivenIncident {
    let (opened, rest) = past.split_first().expect("an Opened event first");
    let mut incident = Incident::from_opened(opened).expect("an Opened event first");
    for event in rest {
        incident.apply(event, T0);
    }
    GivenIncident {
        incident,
        setup: setup(),
    }
}

/// What a command yielded: the events, or the refusal.
#[must_use]
pub(crate) struct Then(Result<Vec<IncidentEvent>, Refusal>);

impl GivenIncident {
    /// Operator `who` sends `command` at `T0`.
    pub(crate) fn when(&self, command: IncidentCommand, who: &str) -> Then {
        let operator = OperatorRef {
            id: who,
            role: Role::Operator,
        };
        Then(self.incident.handle(&command, operator, &self.setup, T0))
    }
}

impl Then {
    /// The command yields exactly `expected`.
    pub(crate) fn then(self, expected: Vec<IncidentEvent>) {
        assert_eq!(self.0, Ok(expected));
    }

    /// The command is refused with `code` and a sentence in both languages; gives the English.
    pub(crate) fn then_refused(self, code: RefusalCode) -> String {
        let refusal = self.0.expect_err("refused");
        assert_eq!(refusal.code, code, "{:?}", refusal.message);
        assert!(
            !refusal.message.zh.is_ascii(),
            "no Chinese sentence: {:?}",
            refusal.message
        );
        refusal.message.en
    }
}

#[derive(Clone)]
pub(crate) struct Ev {
    kind: EventKind,
    device: &'static str,
    zone: Option<&'static str>,
    site: &'static str,
    drill: Option<&'static str>,
    source: &'static str,
    at: OffsetDateTime,
}

pub(crate) fn ev(kind: EventKind, device: &'static str, zone: &'static str) -> Ev {
    Ev {
        kind,
        device,
        zone: Some(zone),
        site: "green-garden",
        drill: None,
        source: "fp-b2",
        at: T0,
    }
}

impl Ev {
    pub(crate) fn at(mut self, at: OffsetDateTime) -> Ev {
        self.at = at;
        self
    }
    pub(crate) fn drill(mut self, drill: &'static str) -> Ev {
        self.drill = Some(drill);
        self
    }
    pub(super) fn source(mut self, source: &'static str) -> Ev {
        self.source = source;
        self
    }
}

impl Given {
    pub(crate) fn event(&mut self, e: Ev) -> Vec<Applied> {
        self.seq += 1;
        let stored = StoredEvent {
            seq: self.seq,
            source: e.source.to_string(),
            received_at: e.at,
            event: DeviceEvent {
                id: format!("{}:{}", e.source, self.seq),
                kind: e.kind,
                device: e.device.to_string(),
                site: e.site.to_string(),
                building: Some("B2".into()),
                floor: Some("7".into()),
                zone: e.zone.map(str::to_string),
                at: e.at,
                drill: e.drill.map(str::to_string),
                detail: crate::protocol::Detail::null(),
            },
        };
        self.book.record(&stored, false)
    }

    pub(super) fn command(
        &mut self,
        id: &str,
        command: IncidentCommand,
        who: &str,
        role: Role,
    ) -> Result<Vec<Applied>, Refusal> {
        self.book
            .command(id, &command, OperatorRef { id: who, role }, T0)
    }

    /// An operator acknowledges and resolves incident `id`.
    pub(super) fn acknowledge_and_resolve(&mut self, id: &str) {
        self.command(id, IncidentCommand::Acknowledge, "op-li", Role::Operator)
            .expect("ack");
        let resolve = IncidentCommand::Resolve {
            summary: Some("checked on camera: false alarm".into()),
        };
        self.command(id, resolve, "op-li", Role::Operator)
            .expect("resolve");
    }

    pub(super) fn only_incident(&self) -> &Incident {
        assert_eq!(self.book.len(), 1, "expected exactly one open incident");
        self.book.iter().next().expect("one incident")
    }
}

/// Device event `e1` of `kind` from `dev-1` in zone `7F` at `site`, received at `T0`, in
/// `drill` if given.
pub(crate) fn stored_event(kind: EventKind, site: &str, drill: Option<&str>) -> StoredEvent {
    StoredEvent {
        seq: 1,
        source: "fp".into(),
        received_at: T0,
        event: DeviceEvent {
            id: "e1".into(),
            kind,
            device: "dev-1".into(),
            site: site.into(),
            building: None,
            floor: None,
            zone: Some("7F".into()),
            at: T0,
            drill: drill.map(str::to_string),
            detail: crate::protocol::Detail::null(),
        },
    }
}

fn events(applied: &[Applied]) -> Vec<&IncidentEvent> {
    applied.iter().map(|a| &a.event).collect()
}

pub(super) fn opened_id(applied: &[Applied]) -> String {
    match applied.first().map(|a| &a.event) {
        Some(IncidentEvent::Opened { view, .. }) => view.id.clone(),
        other => panic!("expected Opened, got {other:?}"),
    }
}

#[test]
fn a_fire_alarm_opens_a_new_p1_incident() {
    let mut g = given();
    let applied = g.event(ev(EventKind::FireAlarm, "smoke-1", "7F east"));
    assert_eq!(opened_id(&applied), "INC-000001");
    let i = g.only_incident();
    assert_eq!(i.view.priority, Priority::P1);
    assert_eq!(i.view.state, IncidentState::New);
    assert_eq!(i.view.event_count, 1);
}

#[test]
fn heartbeats_and_denied_access_open_nothing() {
    let mut g = given();
    assert!(g.event(ev(EventKind::Heartbeat, "panel", "-")).is_empty());
    assert!(
        g.event(ev(EventKind::AccessDenied, "door-1", "lobby"))
            .is_empty()
    );
    assert!(g.book.is_empty());
}

#[test]
fn a_second_detector_in_the_zone_confirms_the_fire() {
    let mut g = given();
    g.event(ev(EventKind::FireAlarm, "smoke-1", "7F east"));
    g.event(ev(EventKind::FireAlarm, "smoke-1", "7F east"));
    assert!(
        !g.only_incident().view.confirmed_by_two_detectors,
        "same detector twice is not two"
    );
    let applied = g.event(ev(EventKind::FireAlarm, "smoke-2", "7F east"));
    assert!(events(&applied).iter().any(|e| matches!(
        e,
        IncidentEvent::ConfirmedByTwoDetectors { devices } if devices == &["smoke-1", "smoke-2"]
    )));
    assert!(g.only_incident().view.confirmed_by_two_detectors);
}

#[test]
fn an_alarm_storm_of_five_thousand_events_yields_one_incident_per_zone() {
    let mut g = given();
    let zones = ["7F east", "7F west", "8F east", "8F west"];
    let devices = ["smoke-1", "smoke-2", "smoke-3", "heat-4", "smoke-5"];
    for n in 0..5000 {
        let at = T0 + Duration::milliseconds(n);
        g.event(
            ev(
                EventKind::FireAlarm,
                devices[n as usize % 5],
                zones[n as usize % 4],
            )
            .at(at),
        );
    }
    assert_eq!(g.book.len(), 4);
    let total: u64 = g.book.iter().map(|i| i.view.event_count).sum();
    assert_eq!(total, 5000, "every event is counted in some incident");
}

#[test]
fn a_storm_across_hundreds_of_zones_still_yields_a_handful() {
    let mut g = given();
    for n in 0..5000u32 {
        let zone: &'static str = Box::leak(format!("zone-{}", n % 300).into_boxed_str());
        let at = T0 + Duration::milliseconds(n.into());
        g.event(ev(EventKind::FireAlarm, "smoke", zone).at(at));
    }
    assert_eq!(g.book.len(), book::STORM_OPENS);
    let total: u64 = g.book.iter().map(|i| i.view.event_count).sum();
    assert_eq!(total, 5000);
}

#[test]
fn a_flapping_detector_stays_one_incident_marked_flapping() {
    let mut g = given();
    for n in 0..5 {
        let at = T0 + Duration::seconds(n * 10);
        g.event(ev(EventKind::FireTrouble, "loop-1", "B1").at(at));
        g.event(ev(EventKind::FireRestore, "loop-1", "B1").at(at + Duration::seconds(5)));
    }
    let i = g.only_incident();
    assert!(i.view.flapping);
    assert_eq!(i.view.flap_count, 4);
    assert_eq!(i.view.event_count, 10);
}

#[test]
fn a_restore_moves_towards_resolution_but_never_closes() {
    let mut g = given();
    g.event(ev(EventKind::ElevatorEntrapment, "lift-3", "car 3"));
    let applied = g.event(ev(EventKind::ElevatorReleased, "lift-3", "car 3"));
    assert!(matches!(
        applied[0].event,
        IncidentEvent::RestoreReceived { .. }
    ));
    let i = g.only_incident();
    assert!(i.view.restored);
    assert_eq!(
        i.view.state,
        IncidentState::New,
        "only an operator acknowledges and closes"
    );
}

#[test]
fn doors_released_by_a_fire_alarm_join_the_fire_incident() {
    let mut g = given();
    let fire = opened_id(&g.event(ev(EventKind::FireAlarm, "smoke-1", "7F east")));
    let applied = g.event(ev(EventKind::AccessForced, "door-7", "stairs").source("ac-1"));
    assert_eq!(applied[0].view.id, fire);
    g.event(ev(EventKind::AccessHeldOpen, "door-8", "lobby").source("ac-1"));
    assert_eq!(g.book.len(), 1);
}

#[test]
fn without_a_fire_alarm_a_forced_door_opens_a_p2() {
    let mut g = given();
    g.event(ev(EventKind::FireTrouble, "loop-1", "B1"));
    g.event(ev(EventKind::AccessForced, "door-7", "stairs").source("ac-1"));
    let door = g
        .book
        .iter()
        .find(|i| i.class == Class::Door)
        .expect("door incident");
    assert_eq!(door.view.priority, Priority::P2);
}

#[test]
fn drill_events_never_join_a_real_incident_and_real_never_join_a_drill() {
    let mut g = given();
    let real = opened_id(&g.event(ev(EventKind::FireAlarm, "smoke-1", "7F east")));
    let drill = g.event(ev(EventKind::FireAlarm, "smoke-1", "7F east").drill("q1-evac"));
    let drill_id = opened_id(&drill);
    assert_ne!(real, drill_id);
    assert_eq!(drill[0].view.drill.as_deref(), Some("q1-evac"));
    let real_again = g.event(ev(EventKind::FireAlarm, "smoke-2", "7F east"));
    assert_eq!(real_again[0].view.id, real);
    assert_eq!(real_again[0].view.drill, None);
    let door = g.event(ev(EventKind::AccessForced, "door-1", "x").drill("q1-evac"));
    assert_eq!(
        door[0].view.id, drill_id,
        "drill doors join the drill fire only"
    );
}

#[test]
fn an_alarm_joining_an_acknowledged_trouble_raises_priority_and_needs_acknowledging_again() {
    let mut g = given();
    g.event(ev(EventKind::FirePrealarm, "smoke-1", "7F east"));
    let id = g.only_incident().view.id.clone();
    g.command(&id, IncidentCommand::Acknowledge, "op-li", Role::Operator)
        .expect("ack");
    let applied = g.event(ev(EventKind::FireAlarm, "smoke-1", "7F east"));
    assert!(events(&applied).iter().any(|e| matches!(
        e,
        IncidentEvent::PriorityRaised {
            from: Priority::P2,
            to: Priority::P1,
            ..
        }
    )));
    let i = g.only_incident();
    assert_eq!(i.view.priority, Priority::P1);
    assert_eq!(i.view.state, IncidentState::New);
}

#[test]
fn a_new_alarm_on_a_resolved_incident_reopens_it() {
    let mut g = given();
    let id = opened_id(&g.event(ev(EventKind::AccessDuress, "pad-1", "gate")));
    g.acknowledge_and_resolve(&id);
    g.event(ev(EventKind::AccessDuress, "pad-1", "gate").at(T0 + Duration::minutes(5)));
    assert_eq!(g.only_incident().view.state, IncidentState::New);
}

#[test]
fn after_the_reopen_window_a_resolved_incident_lets_a_new_one_open() {
    let mut g = given();
    let id = opened_id(&g.event(ev(EventKind::FireTrouble, "loop-1", "B1")));
    g.acknowledge_and_resolve(&id);
    let later = T0 + book::REOPEN_WINDOW + Duration::minutes(1);
    let applied = g.event(ev(EventKind::FireTrouble, "loop-1", "B1").at(later));
    assert_ne!(opened_id(&applied), id);
    assert_eq!(g.book.len(), 2);
}

#[test]
fn a_p4_closes_with_one_operator_after_resolution() {
    let mut g = given();
    let id = opened_id(&g.event(ev(EventKind::FireTrouble, "loop-1", "B1")));
    let early = g
        .command(&id, IncidentCommand::Close, "op-li", Role::Operator)
        .expect_err("early");
    assert_eq!(early.code, RefusalCode::InvalidState);
    g.acknowledge_and_resolve(&id);
    g.command(&id, IncidentCommand::Close, "op-li", Role::Operator)
        .expect("close");
    assert!(g.book.is_empty());
}

#[test]
fn commands_on_unknown_incidents_are_refused() {
    let mut g = given();
    let refusal = g
        .command(
            "INC-404",
            IncidentCommand::Acknowledge,
            "op-li",
            Role::Operator,
        )
        .expect_err("unknown");
    assert_eq!(refusal.code, RefusalCode::UnknownIncident);
}

#[test]
fn managers_may_note_and_close_but_not_acknowledge() {
    use crate::protocol::Command;
    let ack = Command::Acknowledge {
        incident: "I".into(),
    };
    let close = Command::Close {
        incident: "I".into(),
    };
    let check = |role, command| check_permission(role, Action::of(command));
    assert_eq!(
        check(Role::Manager, &ack).expect_err("no").code,
        RefusalCode::NotPermitted
    );
    assert!(check(Role::Manager, &close).is_ok());
    assert!(check(Role::Operator, &ack).is_ok());
}

#[test]
fn drills_and_tests_are_for_safety_officers_and_admins_only() {
    for action in [
        Action::StartDrill,
        Action::EndDrill,
        Action::EditDrillCalendar,
        Action::PlanImprovement,
        Action::PutOnTest,
        Action::EndTest,
    ] {
        assert!(permitted(Role::SafetyOfficer, action));
        assert!(permitted(Role::Admin, action));
        assert!(!permitted(Role::Operator, action));
        assert!(!permitted(Role::Manager, action));
    }
    let refusal = check_permission(Role::Operator, Action::PutOnTest).expect_err("no");
    assert_eq!(
        refusal.message.en,
        "An operator may not put a source on test; a safety officer or an admin must."
    );
    assert_eq!(
        refusal.message.zh,
        "值班员不能将信号源置于测试；须由安全主管或管理员操作。"
    );
}

#[test]
fn a_silent_source_raises_comms_lost_and_speaking_again_restores_it() {
    let mut g = given();
    let opened = g.book.comms_lost("fp-b2", "green-garden", T0);
    let id = opened_id(&opened);
    assert_eq!(opened[0].view.priority, Priority::P4);
    assert!(
        g.book.comms_lost("fp-b2", "green-garden", T0).is_empty(),
        "raised once"
    );
    let restored = g.book.comms_restored("fp-b2", "green-garden", T0);
    assert!(matches!(
        restored[0].event,
        IncidentEvent::CommsRestored { .. }
    ));
    let again = g
        .book
        .comms_lost("fp-b2", "green-garden", T0 + Duration::minutes(5));
    assert_eq!(again[0].view.id, id, "the same incident re-alerts");
    assert!(matches!(again[0].event, IncidentEvent::Reopened { .. }));
}

#[test]
fn the_board_puts_higher_priority_first_then_oldest_unacknowledged() {
    let mut g = given();
    g.event(ev(EventKind::FireTrouble, "loop-1", "B1"));
    let old_p1 = opened_id(&g.event(ev(EventKind::FireAlarm, "s1", "z1").at(T0)));
    let new_p1 =
        opened_id(&g.event(ev(EventKind::FireAlarm, "s2", "z2").at(T0 + Duration::minutes(1))));
    let acked_p1 =
        opened_id(&g.event(ev(EventKind::FireAlarm, "s3", "z3").at(T0 - Duration::minutes(9))));
    g.command(
        &acked_p1,
        IncidentCommand::Acknowledge,
        "op-li",
        Role::Operator,
    )
    .expect("ack");
    let mut views: Vec<_> = g.book.iter().map(|i| i.view.clone()).collect();
    views.sort_by(IncidentView::board_order);
    let order: Vec<_> = views.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(
        order[..3],
        [old_p1.as_str(), new_p1.as_str(), acked_p1.as_str()]
    );
    assert_eq!(views[3].priority, Priority::P4);
}

#[test]
fn a_real_p3_stands_above_a_drill_p1_on_the_board() {
    let mut g = given();
    let drill_p1 = opened_id(
        &g.event(
            ev(EventKind::FireAlarm, "smoke-1", "7F east")
                .drill("q1-evac")
                .at(T0 - Duration::minutes(5)),
        ),
    );
    let drill_p2 =
        opened_id(&g.event(ev(EventKind::FirePrealarm, "smoke-9", "B1 car park").drill("q1-evac")));
    let real_p3 = opened_id(&g.event(ev(EventKind::AccessHeldOpen, "door-2", "lobby")));
    let real_p1 = opened_id(&g.event(ev(EventKind::FireAlarm, "smoke-8", "3F west")));
    let mut views: Vec<_> = g.book.iter().map(|i| i.view.clone()).collect();
    views.sort_by(IncidentView::board_order);
    let order: Vec<_> = views.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(
        order,
        [
            real_p1.as_str(),
            real_p3.as_str(),
            drill_p1.as_str(),
            drill_p2.as_str()
        ]
    );
    let p3 = views.iter().find(|v| v.id == real_p3).expect("p3");
    assert_eq!(p3.priority, Priority::P3);
}

#[test]
fn among_drill_incidents_higher_priority_still_comes_first() {
    let mut g = given();
    let p3 = opened_id(&g.event(ev(EventKind::AccessHeldOpen, "door-2", "lobby").drill("d")));
    let p1 = opened_id(&g.event(ev(EventKind::FireAlarm, "smoke-8", "3F west").drill("d")));
    let mut views: Vec<_> = g.book.iter().map(|i| i.view.clone()).collect();
    views.sort_by(IncidentView::board_order);
    let order: Vec<_> = views.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(order, [p1.as_str(), p3.as_str()]);
}
