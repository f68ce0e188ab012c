//! The names of protocol values (kinds, states, roles, refusals), key help, and the sentences
//! of the incident log, in both languages.

use alert_hub::protocol::{
    Actor, AttemptStatus, CallOutcome, Callee, EventKind, IncidentEvent, IncidentState,
    IncidentView, PlaybookView, RefusalCode, Reply, Role, StepStatus,
};

use super::{Lang, S};
use crate::action::{Intent, Screen};

/// The name of an event kind, short enough for a board column.
pub fn kind_name(kind: EventKind, lang: Lang) -> &'static str {
    let (zh, en) = kind.names();
    lang.pick(zh, en)
}

/// The name of an incident state.
pub fn state_name(state: IncidentState, lang: Lang) -> &'static str {
    let (zh, en) = match state {
        IncidentState::New => ("未确认", "new"),
        IncidentState::Acknowledged => ("已确认", "acked"),
        IncidentState::InProgress => ("处理中", "active"),
        IncidentState::Resolved => ("已处理", "resolved"),
        IncidentState::Closed => ("已关闭", "closed"),
    };
    lang.pick(zh, en)
}

/// The name of a playbook step's status.
pub fn step_status_name(status: StepStatus, lang: Lang) -> &'static str {
    let (zh, en) = match status {
        StepStatus::Pending => ("待办", "pending"),
        StepStatus::Current => ("当前", "current"),
        StepStatus::Overdue => ("超时", "OVERDUE"),
        StepStatus::Done => ("完成", "done"),
        StepStatus::Skipped => ("已跳过", "skipped"),
        StepStatus::NotTaken => ("未选分支", "not taken"),
    };
    lang.pick(zh, en)
}

/// The name of a notification attempt's outcome.
pub fn attempt_status_name(status: AttemptStatus, lang: Lang) -> &'static str {
    let (zh, en) = match status {
        AttemptStatus::Sending => ("发送中", "sending"),
        AttemptStatus::Delivered => ("已送达", "delivered"),
        AttemptStatus::Failed => ("失败", "FAILED"),
        AttemptStatus::Acknowledged => ("已应答", "acknowledged"),
    };
    lang.pick(zh, en)
}

/// What came of a phone call.
pub fn outcome_name(outcome: CallOutcome, lang: Lang) -> &'static str {
    let (zh, en) = outcome.names();
    lang.pick(zh, en)
}

/// The name of an operator role.
pub fn role_name(role: Role, lang: Lang) -> &'static str {
    let (zh, en) = role.names();
    lang.pick(zh, en)
}

/// Why the hub refused a command, in the operator's language: its sentence, or what the code
/// means when it sent none.
pub fn refusal_text(reply: &Reply, lang: Lang) -> String {
    match (&reply.message, reply.error) {
        (Some(message), _) => lang.of(message).to_string(),
        (None, Some(code)) => refusal_name(code, lang).to_string(),
        (None, None) => String::new(),
    }
}

/// What a refusal code means, when the hub sent no message of its own.
pub fn refusal_name(code: RefusalCode, lang: Lang) -> &'static str {
    let (zh, en) = match code {
        RefusalCode::BadCommand => ("无法识别的操作", "the hub could not read the command"),
        RefusalCode::NotPermitted => ("当前角色无权执行", "your role may not do this"),
        RefusalCode::UnknownIncident => ("没有这个事件", "no such incident"),
        RefusalCode::InvalidState => (
            "事件当前状态不允许",
            "the incident's state does not allow it",
        ),
        RefusalCode::NeedsSecondOperator => {
            ("需要第二名值班员确认", "a second operator must confirm")
        }
        RefusalCode::Unavailable => (
            "中心暂时无法保存，未做更改",
            "the hub could not store it; nothing changed",
        ),
    };
    lang.pick(zh, en)
}

/// What a key does, for the help and the key hints.
pub fn intent_help(intent: Intent, lang: Lang) -> &'static str {
    let (zh, en) = match intent {
        Intent::Quit => ("退出", "quit"),
        Intent::ConfirmQuit => ("确认退出", "confirm quit"),
        Intent::CancelQuit => ("取消", "cancel"),
        Intent::ToggleHelp => ("帮助", "help"),
        Intent::ToggleLanguage => ("English", "中文"),
        Intent::ToggleMute => ("静音一分钟/取消静音", "mute a minute / unmute"),
        Intent::Show(screen) => return screen_name(screen, lang),
        Intent::NextScreen => ("下一屏", "next screen"),
        Intent::Back => ("返回", "back"),
        Intent::Up => ("上移", "up"),
        Intent::Down => ("下移", "down"),
        Intent::PageUp => ("上一页", "page up"),
        Intent::PageDown => ("下一页", "page down"),
        Intent::First => ("第一条", "first"),
        Intent::Last => ("最后一条", "last"),
        Intent::Open => ("打开事件", "open incident"),
        Intent::CycleSiteFilter => ("按项目筛选", "filter by site"),
        Intent::Acknowledge => ("确认报警", "acknowledge"),
        Intent::CompleteStep => ("完成当前步骤", "complete step"),
        Intent::Choose(_) => ("选择", "choose"),
        Intent::EnterInput => ("填写", "fill in"),
        Intent::Skip => ("跳过（需原因）", "skip (reason)"),
        Intent::Note => ("备注", "note"),
        Intent::EscalateNow => ("立即升级通知", "escalate now"),
        Intent::LogCall => ("记录电话呼叫", "log a phone call"),
        Intent::Resolve => ("处理完毕", "resolve"),
        Intent::Search => ("搜索", "search"),
        Intent::Refresh => ("刷新", "refresh"),
        Intent::EditOutgoing => ("交班人工号", "outgoing id"),
        Intent::EditIncoming => ("接班人工号", "incoming id"),
        Intent::SignHandOver => ("双方签字提交", "sign and send"),
        Intent::PutOnTest => ("设为测试", "put on test"),
        Intent::EndTest => ("提前结束测试", "end test early"),
        Intent::ConfirmEndTest => ("确认结束测试", "confirm end of test"),
        Intent::CancelEndTest => ("取消", "cancel"),
        Intent::Close => ("关闭已办结事件", "close a resolved incident"),
        Intent::Report => ("开启报告事件", "report an incident"),
        Intent::JumpToAlarm => (
            "查看最新未确认一级报警",
            "open the newest unacknowledged P1",
        ),
        Intent::ConfirmClose => ("确认关闭", "confirm close"),
        Intent::CancelClose => ("取消", "cancel"),
    };
    lang.pick(zh, en)
}

/// Who made a log entry.
pub fn actor_text(actor: &Actor, lang: Lang) -> String {
    match actor {
        Actor::Device { device, .. } => device.clone(),
        Actor::Operator { id } => id.clone(),
        Actor::Hub => lang.pick("中心", "hub").to_string(),
    }
}

/// The operator an incident-log event names, if any.
pub fn event_operator(event: &IncidentEvent) -> Option<&str> {
    use IncidentEvent::*;
    match event {
        Acknowledged { operator }
        | NoteAdded { operator, .. }
        | Resolved { operator, .. }
        | CloseRequested { operator }
        | Closed { operator, .. }
        | CalledByPhone { operator, .. } => Some(operator),
        _ => None,
    }
}

/// One incident-log entry as a sentence, without its actor (the log line shows that).
pub fn event_text(event: &IncidentEvent, lang: Lang, playbook: Option<&PlaybookView>) -> String {
    use IncidentEvent::*;
    match event {
        Opened { view, .. } => format!(
            "{} {}",
            lang.pick("事件开启", "opened"),
            kind_name(view.kind, lang)
        ),
        Reopened { kind } => format!(
            "{} ({})",
            lang.pick("再次报警，需重新确认", "alarmed again: acknowledge again"),
            kind_name(*kind, lang)
        ),
        Playbook { run } => run_text(run, lang, playbook),
        NotificationLevelCalled {
            tree,
            level,
            repeat,
            ..
        } => format!(
            "{} {tree} {} {}{}",
            lang.pick("通知", "calling"),
            lang.pick("第", "level"),
            level + 1,
            if *repeat > 0 {
                format!(" ({} {repeat})", lang.pick("重复", "repeat"))
            } else {
                String::new()
            }
        ),
        NotificationAttempted {
            contact, channel, ..
        } => {
            format!("{} {contact} · {channel}", lang.pick("呼叫", "calling"))
        }
        NotificationDelivered { attempt, detail } => format!(
            "{} #{attempt}{}",
            lang.pick("已送达", "delivered"),
            detail
                .as_ref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default()
        ),
        NotificationFailed { attempt, error } => {
            format!(
                "{} #{attempt}: {error}",
                lang.pick("通知失败", "notification failed")
            )
        }
        NotificationsAcknowledged { by } => {
            format!(
                "{} {by}",
                lang.pick("通知已确认，停止升级：", "call-out acknowledged by")
            )
        }
        NotificationsExhausted { tree } => format!(
            "{} {tree}",
            lang.pick(
                "通知已全部呼叫，无人确认",
                "every level called, nobody acknowledged"
            )
        ),
        CalledByPhone {
            callee,
            name,
            number,
            outcome,
            note,
            acknowledged,
            ..
        } => format!(
            "{} {}{}{}{}{}{}",
            lang.pick("电话呼叫", "phoned"),
            party_name(playbook, callee, lang).unwrap_or(name),
            number.as_ref().map(|n| format!(" {n}")).unwrap_or_default(),
            lang.pick("：", ": "),
            outcome_name(*outcome, lang),
            if *acknowledged {
                lang.pick("，视为确认", ", counts as their acknowledgement")
            } else {
                ""
            },
            note.as_ref().map(|n| format!(" — {n}")).unwrap_or_default()
        ),
        StallReAlerted { minutes } => format!(
            "{} {minutes} {}",
            lang.pick("已确认但无进展", "acknowledged but no progress for"),
            lang.pick("分钟，请重新确认", "min: acknowledge again")
        ),
        EventJoined {
            kind, zone, more, ..
        } => format!(
            "{} {}{}{}",
            lang.pick("报告", "reported"),
            kind_name(*kind, lang),
            if *more > 0 {
                format!(" ×{}", more + 1)
            } else {
                String::new()
            },
            zone.as_ref().map(|z| format!(" · {z}")).unwrap_or_default()
        ),
        PriorityRaised { kind, from, to } => format!(
            "{} {from} → {to} ({})",
            lang.pick("升级", "priority raised"),
            kind_name(*kind, lang)
        ),
        ConfirmedByTwoDetectors { devices } => format!(
            "{}: {}",
            lang.pick("双探测器确认", "confirmed by two detectors"),
            devices.join(", ")
        ),
        FlappingDetected { flap_count } => {
            format!("{} ×{flap_count}", lang.pick("反复报警", "flapping"))
        }
        RestoreReceived { kind, device } => format!("{} ({device})", kind_name(*kind, lang)),
        CommsRestored { source } => {
            format!("{} {source}", lang.pick("通信恢复", "comms restored"))
        }
        Acknowledged { .. } => lang.pick("确认报警", "acknowledged").to_string(),
        NoteAdded { text, .. } => format!("{}: {text}", S::Note.get(lang)),
        Resolved { summary, .. } => format!(
            "{}{}",
            lang.pick("处理完毕", "resolved"),
            summary
                .as_ref()
                .map(|s| format!(": {s}"))
                .unwrap_or_default()
        ),
        CloseRequested { .. } => lang.pick("申请关闭", "asked to close").to_string(),
        Closed { confirmed_by, .. } => format!(
            "{}{}",
            lang.pick("关闭", "closed"),
            confirmed_by
                .as_ref()
                .map(|c| format!(" ({} {c})", lang.pick("确认人", "confirmed by")))
                .unwrap_or_default()
        ),
    }
}

/// An outside party's name in `lang`, from a step of the checklist that calls it: the hub
/// names a party known only by its role in both languages at once.
fn party_name<'a>(
    playbook: Option<&'a PlaybookView>,
    callee: &Callee,
    lang: Lang,
) -> Option<&'a str> {
    let Callee::Party(role) = callee else {
        return None;
    };
    let call = playbook?
        .steps
        .iter()
        .flat_map(|s| s.calls.iter())
        .find(|c| c.role == *role)?;
    let named = call
        .numbers
        .iter()
        .any(|e| e.callee == *callee && e.name.is_some());
    (!named).then(|| lang.of(&call.name))
}

/// A choice's label in `lang` from the checklist, or its id when the checklist lacks it.
fn choice_label(playbook: Option<&PlaybookView>, step: &str, choice: &str, lang: Lang) -> String {
    playbook
        .and_then(|p| p.steps.iter().find(|s| s.id == step))
        .and_then(|s| s.choices.iter().find(|c| c.id == choice))
        .map_or_else(|| choice.to_string(), |c| lang.of(&c.label).to_string())
}

/// An input's label in `lang` from the checklist, or its id when the checklist lacks it.
fn input_label(playbook: Option<&PlaybookView>, step: &str, input: &str, lang: Lang) -> String {
    playbook
        .and_then(|p| p.steps.iter().find(|s| s.id == step))
        .and_then(|s| s.inputs.iter().find(|i| i.id == input))
        .map_or_else(|| input.to_string(), |i| lang.of(&i.label).to_string())
}

/// One playbook-run entry as a sentence, with the labels of choices and inputs (not their ids)
/// when the checklist is at hand.
fn run_text(event: &playbooks::RunEvent, lang: Lang, playbook: Option<&PlaybookView>) -> String {
    use playbooks::RunEvent::*;
    match event {
        RunStarted { playbook, .. } => {
            format!("{} {playbook}", lang.pick("预案启动", "playbook started"))
        }
        StepCompleted { step, .. } => format!("{} {step}", lang.pick("完成步骤", "step done")),
        ChoiceMade { step, choice, .. } => format!(
            "{} {}",
            lang.pick("选择", "chose"),
            choice_label(playbook, step, choice, lang)
        ),
        InputRecorded {
            step, input, value, ..
        } => format!(
            "{} {}: {value}",
            lang.pick("记录", "recorded"),
            input_label(playbook, step, input, lang)
        ),
        StepSkipped { step, reason, .. } => {
            format!("{} {step}: {reason}", lang.pick("跳过步骤", "step skipped"))
        }
        StepOverdue { step, .. } => format!("{} {step}", lang.pick("步骤超时", "step overdue")),
        NotificationRequested { tree, .. } => {
            format!("{} {tree}", lang.pick("启动通知", "notification started"))
        }
        RunFinished { .. } => lang.pick("预案完成", "playbook finished").to_string(),
    }
}

/// The marks of an incident: confirmed by two detectors, flapping, on test, restored.
/// `compact` gives the short forms for a narrow board.
pub fn marks(incident: &IncidentView, lang: Lang, compact: bool) -> String {
    let flags = [
        (
            incident.confirmed_by_two_detectors,
            ("双探", "2det"),
            ("双探确认", "2 detectors"),
        ),
        (
            incident.flapping,
            ("反复", "flap"),
            ("反复报警", "flapping"),
        ),
        (incident.on_test, ("测试", "test"), ("测试中", "on test")),
        (incident.restored, ("恢复", "rstd"), ("已恢复", "restored")),
    ];
    let words: Vec<&str> = flags
        .iter()
        .filter(|(on, _, _)| *on)
        .map(|(_, short, long)| {
            let (zh, en) = if compact { short } else { long };
            lang.pick(zh, en)
        })
        .collect();
    words.join(" ")
}

/// The name of a screen.
pub fn screen_name(screen: Screen, lang: Lang) -> &'static str {
    match screen {
        Screen::Board => S::Board.get(lang),
        Screen::Incident => S::Incident.get(lang),
        Screen::History => S::History.get(lang),
        Screen::HandOver => S::HandOver.get(lang),
        Screen::OnTest => S::OnTest.get(lang),
    }
}
