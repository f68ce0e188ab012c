//! Made-up but realistic control-room data for tests, snapshots and the board benchmark.

use alert_hub::protocol::{
    ActionStatus, Actor, AttemptStatus, AttemptView, Bilingual, CalendarEntry, CalendarItem,
    CalendarStatus, CallView, Callee, Change, ChoiceView, ConsoleMessage, DrillKind, DrillView,
    EventKind, ExerciseType, ImprovementAction, IncidentEvent, IncidentState, IncidentView,
    InputView, LevelView, ListedAction, Location, LogEntry, NotificationsView, OnTestView,
    OperatorInfo, PhoneEntry, PlaybookView, Role, StepStatus, StepView,
};
use time::{Duration, OffsetDateTime};

/// The fixed "now" of the samples: 2026-11-22 23:40 in Beijing.
pub const T0: OffsetDateTime = time::macros::datetime!(2026-11-22 15:40:00 UTC);

/// The id of the drill that runs in the sample scene.
pub const DRILL_ID: &str = "drill-2026-q4";

fn bi(zh: &str, en: &str) -> Bilingual {
    Bilingual {
        zh: zh.into(),
        en: en.into(),
    }
}

/// A fresh, unacknowledged incident of `kind` at `site`, opened at [`T0`].
pub fn incident(id: &str, kind: EventKind, site: &str) -> IncidentView {
    let location = Location {
        site: site.into(),
        building: Some("B2".into()),
        floor: Some("7".into()),
        zone: Some("7F east corridor".into()),
    };
    IncidentView::opened(id.into(), kind, location, T0, "smoke-B2-07F-03", "fp-gg")
}

fn step(id: &str, zh: &str, en: &str, due: Option<i64>, status: StepStatus) -> StepView {
    StepView {
        id: id.into(),
        instruction: bi(zh, en),
        role: "operator".into(),
        due_at: due.map(|m| T0 + Duration::minutes(m)),
        status,
        choices: Vec::new(),
        inputs: Vec::new(),
        skippable: false,
        calls: Vec::new(),
        done_by: None,
        done_at: None,
        chosen: None,
        skip_reason: None,
    }
}

/// `incident` with the fire playbook under way (first step current) and a notification tree.
pub fn with_playbook(mut incident: IncidentView) -> IncidentView {
    let mut confirm = step(
        "confirm",
        "以最快方式确认报警（监控画面或派人到场）",
        "Confirm the alarm by the fastest means (camera or a guard on site)",
        Some(3),
        StepStatus::Current,
    );
    confirm.choices = vec![
        ChoiceView {
            id: "real".into(),
            label: bi("真实火情", "Real fire"),
        },
        ChoiceView {
            id: "false".into(),
            label: bi("误报", "False alarm"),
        },
    ];
    let mut call = step(
        "call-119",
        "拨打119：地址、起火部位、燃烧物、火势、报警人姓名电话",
        "Call 119: address, where, what is burning, how large, your name and phone",
        Some(5),
        StepStatus::Pending,
    );
    call.skippable = true;
    call.calls = vec![calling(
        "fire_brigade",
        bi("消防救援（119）", "Fire brigade (119)"),
        vec![PhoneEntry {
            callee: Callee::Party("fire_brigade".into()),
            name: None,
            phone: Some("119".into()),
        }],
    )];
    let mut evacuate = step(
        "evacuate",
        "启动疏散广播，组织人员疏散",
        "Start the evacuation announcement and evacuate",
        Some(8),
        StepStatus::Pending,
    );
    evacuate.inputs = vec![InputView {
        id: "people".into(),
        label: bi("疏散人数", "People evacuated"),
        value: None,
    }];
    let mut guard = step(
        "guard",
        "派保安到现场",
        "Send a guard to the scene",
        None,
        StepStatus::Done,
    );
    guard.done_by = Some("op-zhang".into());
    guard.done_at = Some(T0 + Duration::seconds(40));
    incident.playbook = Some(PlaybookView {
        id: "fire-alarm".into(),
        title: bi("火警处置", "Fire alarm"),
        steps: vec![guard, confirm, call, evacuate],
        current: Some("confirm".into()),
        last_done: Some("guard".into()),
    });
    incident.notifications = Some(NotificationsView {
        tree: "fire-default".into(),
        level: 1,
        attempts: vec![
            attempt(0, "duty-guard", "console", AttemptStatus::Delivered, 5),
            attempt(0, "security-lead", "webhook", AttemptStatus::Failed, 6),
            attempt(1, "site-manager", "email", AttemptStatus::Sending, 125),
        ],
        next_escalation_at: Some(T0 + Duration::minutes(5)),
        acknowledged_by: None,
        levels: fire_levels(),
    });
    incident
}

/// `incident` (with the fire playbook) once the alarm was confirmed as a real fire: the call
/// to 119 is the current step.
pub fn at_call_119(mut incident: IncidentView) -> IncidentView {
    if let Some(playbook) = incident.playbook.as_mut() {
        for step in &mut playbook.steps {
            match step.id.as_str() {
                "confirm" => {
                    step.status = StepStatus::Done;
                    step.chosen = Some("real".into());
                    step.done_by = Some("op-zhang".into());
                    step.done_at = Some(T0 + Duration::seconds(70));
                }
                "call-119" => step.status = StepStatus::Current,
                _ => {}
            }
        }
        playbook.current = Some("call-119".into());
    }
    incident
}

/// A party called by role, with whom to dial for it.
fn calling(role: &str, name: Bilingual, numbers: Vec<PhoneEntry>) -> CallView {
    let outside = role == "fire_brigade";
    CallView {
        role: role.into(),
        name,
        outside,
        numbers,
    }
}

fn contact(id: &str, name: &str, phone: Option<&str>) -> PhoneEntry {
    PhoneEntry {
        callee: Callee::Contact(id.into()),
        name: Some(name.into()),
        phone: phone.map(str::to_string),
    }
}

/// The levels of the sample fire's tree: the guard and the security lead, then the site
/// manager, then the project manager (who has no phone on file).
fn fire_levels() -> Vec<LevelView> {
    let level = |level: u32, calls: Vec<CallView>| LevelView {
        tree: "fire-alarm".into(),
        level,
        calls,
    };
    vec![
        level(
            0,
            vec![
                calling(
                    "security_guard",
                    bi("保安员", "Security guard"),
                    vec![contact(
                        "duty-guard",
                        "Zhang Hao 张浩",
                        Some("138 0000 0005"),
                    )],
                ),
                calling(
                    "security_lead",
                    bi("保安班长", "Security shift leader"),
                    vec![contact(
                        "security-lead",
                        "Zhou Qiang 周强",
                        Some("138 0000 0001"),
                    )],
                ),
            ],
        ),
        level(
            1,
            vec![calling(
                "duty_manager",
                bi("值班经理", "Duty manager"),
                vec![contact(
                    "site-manager",
                    "Wang Gang 王刚",
                    Some("139 0000 0002"),
                )],
            )],
        ),
        level(
            2,
            vec![calling(
                "project_manager",
                bi("项目经理", "Project manager"),
                vec![contact("pm-liu", "Liu Yang 刘洋", None)],
            )],
        ),
    ]
}

fn attempt(level: u32, contact: &str, channel: &str, status: AttemptStatus, s: i64) -> AttemptView {
    AttemptView {
        attempt: u64::try_from(s).unwrap_or(0),
        tree: "fire-alarm".into(),
        level,
        contact: contact.into(),
        channel: channel.into(),
        status,
        at: T0 + Duration::seconds(s),
        detail: (status == AttemptStatus::Failed).then(|| Bilingual {
            zh: "应答 HTTP 502".into(),
            en: "answered HTTP 502".into(),
        }),
        call: None,
    }
}

/// `n` varied open incidents, deterministic, opened over the hours before `t0`.
pub fn many(n: usize, t0: OffsetDateTime) -> Vec<IncidentView> {
    const KINDS: [EventKind; 9] = [
        EventKind::FireTrouble,
        EventKind::AccessHeldOpen,
        EventKind::CommsLost,
        EventKind::FirePrealarm,
        EventKind::ElevatorFault,
        EventKind::AccessTamper,
        EventKind::FireSupervisory,
        EventKind::AccessForced,
        EventKind::FireAlarm,
    ];
    const SITES: [&str; 5] = [
        "green-garden",
        "east-lake",
        "river-view",
        "north-gate",
        "sunrise",
    ];
    (0..n)
        .map(|i| {
            let mut inc = incident(&format!("INC-{i:06}"), KINDS[i % KINDS.len()], SITES[i % 5]);
            inc.opened_at = t0 - Duration::seconds((i as i64 * 37) % 86_400);
            inc.last_event_at = inc.opened_at;
            inc.location.building = Some(format!("B{}", i % 7 + 1));
            inc.location.floor = Some(format!("{}", i % 30 + 1));
            inc.event_count = (i % 11) as u64 + 1;
            if i % 3 == 0 {
                inc.state = IncidentState::Acknowledged;
                inc.owner = Some("op-li".into());
            }
            inc.flapping = i % 17 == 0;
            inc.on_test = i % 23 == 0;
            inc
        })
        .collect()
}

/// A note log entry, for tests of the log.
pub fn note_entry(seq: u64, incident: &str, text: &str) -> LogEntry {
    LogEntry {
        seq,
        incident: incident.into(),
        at: T0 + Duration::seconds(seq as i64),
        actor: Actor::Operator {
            id: "op-zhang".into(),
        },
        event: IncidentEvent::NoteAdded {
            operator: "op-zhang".into(),
            text: text.into(),
        },
    }
}

/// The operator of the sample scene.
pub fn operator() -> OperatorInfo {
    OperatorInfo {
        id: "op-zhang".into(),
        name: "张伟".into(),
        role: Role::Operator,
    }
}

/// The sample control-room scene: a real fire alarm with its playbook, a drill entrapment, an
/// acknowledged forced door, a flapping supervisory signal and a device on test.
pub fn scene() -> ConsoleMessage {
    let mut fire = with_playbook(incident("INC-0107", EventKind::FireAlarm, "green-garden"));
    fire.opened_at = T0 - Duration::minutes(2);
    fire.event_count = 3;
    fire.devices.push("smoke-B2-07F-04".into());
    fire.confirmed_by_two_detectors = true;

    let mut drill = incident("INC-0108", EventKind::ElevatorEntrapment, "east-lake");
    drill.drill = Some(DRILL_ID.into());
    drill.opened_at = T0 - Duration::minutes(6);
    drill.location = Location {
        site: "east-lake".into(),
        building: Some("A1".into()),
        floor: None,
        zone: Some("3号电梯轿厢".into()),
    };
    drill.devices = vec!["lift-A1-3".into()];

    let mut forced = incident("INC-0099", EventKind::AccessForced, "green-garden");
    forced.state = IncidentState::Acknowledged;
    forced.owner = Some("op-li".into());
    forced.opened_at = T0 - Duration::minutes(48);
    forced.location.zone = Some("地下车库北门".into());
    forced.location.floor = Some("B1".into());

    let mut supervisory = incident("INC-0090", EventKind::FireSupervisory, "river-view");
    supervisory.flapping = true;
    supervisory.flap_count = 6;
    supervisory.on_test = true;
    supervisory.event_count = 14;
    supervisory.opened_at = T0 - Duration::hours(3);

    ConsoleMessage::Snapshot {
        seq: 1200,
        operator: operator(),
        incidents: vec![supervisory, forced, drill, fire],
        on_test: vec![
            OnTestView {
                source: "fp-river-view".into(),
                device: Some("flow-switch-B1".into()),
                authorised_by: "safety-wang".into(),
                reason: "喷淋系统年检".into(),
                since: T0 - Duration::hours(2),
                until: T0 + Duration::minutes(7),
            },
            OnTestView {
                source: "acs-north-gate".into(),
                device: None,
                authorised_by: "safety-wang".into(),
                reason: "controller firmware upgrade".into(),
                since: T0 - Duration::minutes(30),
                until: T0 + Duration::hours(2),
            },
        ],
        drills: vec![DrillView::new(
            DRILL_ID,
            bi(
                "第四季度电梯困人救援演练",
                "Q4 lift entrapment rescue drill",
            ),
            T0 - Duration::minutes(10),
        )],
    }
}

/// Changes to the scene's fire alarm, so its log has something to show.
pub fn scene_changes() -> Vec<ConsoleMessage> {
    let ConsoleMessage::Snapshot { incidents, .. } = scene() else {
        return Vec::new();
    };
    let Some(fire) = incidents.into_iter().find(|i| i.id == "INC-0107") else {
        return Vec::new();
    };
    let events = [
        (
            Actor::Device {
                source: "fp-b2".into(),
                device: "smoke-B2-07F-04".into(),
            },
            IncidentEvent::EventJoined {
                event_seq: 88_001,
                event_id: "fp-b2:000124".into(),
                kind: EventKind::FireAlarm,
                device: "smoke-B2-07F-04".into(),
                zone: Some("7F east corridor".into()),
                more: 0,
                last_event_seq: None,
            },
        ),
        (
            Actor::Hub,
            IncidentEvent::ConfirmedByTwoDetectors {
                devices: vec!["smoke-B2-07F-03".into(), "smoke-B2-07F-04".into()],
            },
        ),
        (
            Actor::Operator {
                id: "op-zhang".into(),
            },
            IncidentEvent::NoteAdded {
                operator: "op-zhang".into(),
                text: "监控画面可见烟雾 smoke visible on camera 7F-E".into(),
            },
        ),
    ];
    events
        .into_iter()
        .enumerate()
        .map(|(i, (actor, event))| {
            let seq = 1201 + i as u64;
            ConsoleMessage::Change {
                seq,
                change: Box::new(Change {
                    entry: LogEntry {
                        seq,
                        incident: fire.id.clone(),
                        at: T0 - Duration::seconds(90 - 30 * i as i64),
                        actor,
                        event,
                    },
                    incident: fire.clone(),
                }),
            }
        })
        .collect()
}

/// A year's drill calendar of the sample sites as the hub lists it on [`T0`]: done, cancelled,
/// one overdue and the rest due.
pub fn calendar() -> Vec<CalendarItem> {
    use time::macros::date;
    let entry = |id: &str, site: &str, name: (&str, &str), kind, due: time::Date| CalendarEntry {
        id: format!("{id}-{site}"),
        site: site.into(),
        plan_entry: id.into(),
        name: bi(name.0, name.1),
        kind,
        exercise: ExerciseType::Functional,
        due,
        scenario: None,
    };
    let fire = ("一季度消防疏散演练", "Q1 fire evacuation drill");
    let lift = ("电梯困人救援演练", "Lift entrapment rescue drill");
    let flood = ("三季度水浸抢修演练", "Q3 flood and emergency repair drill");
    let gas = (
        "燃气泄漏演练（供暖季前）",
        "Gas leak drill (before the heating season)",
    );
    let aid = ("急救培训", "First-aid training");
    let security = ("四季度治安事件演练", "Q4 public-security incident drill");
    let combined = ("年终全场综合演练", "Year-end full-site combined drill");
    let done = |drill: &str| CalendarStatus::Done {
        drill: drill.into(),
    };
    let open = CalendarStatus::Due { days_left: 0 };
    let rows = [
        (
            entry(
                "2026-q1-fire",
                "green-garden",
                fire,
                DrillKind::FireEvacuation,
                date!(2026 - 03 - 31),
            ),
            done("drill-2026-q1-gg"),
        ),
        (
            entry(
                "2026-q2-lift",
                "green-garden",
                lift,
                DrillKind::LiftRescue,
                date!(2026 - 06 - 30),
            ),
            done("drill-2026-q2-lift"),
        ),
        (
            entry(
                "2026-q3-flood",
                "east-lake",
                flood,
                DrillKind::Flood,
                date!(2026 - 09 - 30),
            ),
            CalendarStatus::Cancelled {
                reason: "basement closed for works".into(),
            },
        ),
        (
            entry(
                "2026-q3-flood",
                "green-garden",
                flood,
                DrillKind::Flood,
                date!(2026 - 09 - 30),
            ),
            done("drill-2026-q3-flood"),
        ),
        (
            entry(
                "2026-q4-gas",
                "river-view",
                gas,
                DrillKind::GasLeak,
                date!(2026 - 10 - 31),
            ),
            open.clone(),
        ),
        (
            entry(
                "2026-m11-first-aid",
                "green-garden",
                aid,
                DrillKind::FirstAid,
                date!(2026 - 11 - 30),
            ),
            open.clone(),
        ),
        (
            entry(
                "2026-m11-first-aid",
                "east-lake",
                aid,
                DrillKind::FirstAid,
                date!(2026 - 11 - 30),
            ),
            open.clone(),
        ),
        (
            entry(
                "2026-q4-combined",
                "green-garden",
                combined,
                DrillKind::Combined,
                date!(2026 - 12 - 20),
            ),
            open.clone(),
        ),
        (
            entry(
                "2026-q4-security",
                "east-lake",
                security,
                DrillKind::PublicSecurity,
                date!(2026 - 12 - 31),
            ),
            open.clone(),
        ),
        (
            entry(
                "2026-q4-lift",
                "east-lake",
                lift,
                DrillKind::LiftRescue,
                date!(2026 - 12 - 31),
            ),
            open,
        ),
    ];
    rows.into_iter()
        .map(|(entry, status)| CalendarItem { entry, status })
        .collect()
}

/// A corrective action from the sample Q3 drill, due on `due` and not done; `overdue` as the
/// hub says it on [`T0`].
pub fn corrective_action(id: &str, what: &str, due: time::Date, overdue: bool) -> ListedAction {
    ListedAction {
        drill: "2026-q3-fire-evac-green-garden".into(),
        drill_name: Bilingual {
            zh: "第三季度消防疏散演练".into(),
            en: "Q3 fire evacuation drill".into(),
        },
        site: Some("green-garden".into()),
        action: ImprovementAction {
            id: id.into(),
            addresses: "evacuate".into(),
            action: what.into(),
            owner: "so-zhao".into(),
            start: due - Duration::days(30),
            due,
            status: ActionStatus::Open,
            completed: None,
        },
        overdue,
    }
}
