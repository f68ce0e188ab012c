//! The names of protocol values (kinds, states, roles, refusals), key help, and the sentences
//! of the incident log, in both languages.

use alert_hub::protocol::describe;
use alert_hub::protocol::{
    Actor, AttemptStatus, CallOutcome, EventKind, IncidentEvent, IncidentState, IncidentView,
    PlaybookView, RefusalCode, Reply, Role, StepStatus,
};

use super::{Lang, S};
use crate::action::{Intent, Screen};
use crate::sound::player::{BellReason, Output};

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
        RefusalCode::DrillNotRunning => (
            "该演练没有在这个项目进行",
            "that drill is not running at that site",
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
        Intent::UndoStep => ("撤销上一步", "undo the step done last"),
        Intent::CorrectValue => ("更正记录值", "correct a recorded value"),
        Intent::Note => ("备注", "note"),
        Intent::EscalateNow => ("立即升级通知", "escalate now"),
        Intent::LogCall => ("记录电话呼叫", "log a phone call"),
        Intent::Resolve => ("处理完毕", "resolve"),
        Intent::Search => ("搜索", "search"),
        Intent::Refresh => ("刷新", "refresh"),
        Intent::EditIncoming => ("接班人工号", "incoming id"),
        Intent::EditHandOverNote => ("交班说明", "note"),
        Intent::SignHandOver => ("签字交班", "sign the hand-over"),
        Intent::ConfirmHandOver => ("确认接班", "confirm a hand-over to you"),
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
        Intent::ShowMonth => ("本月报表", "this month's report"),
        Intent::EarlierMonth => ("上一个月", "a month earlier"),
        Intent::LaterMonth => ("下一个月", "a month later"),
        Intent::WriteRootCause => ("写根本原因", "write the root cause"),
        Intent::AddFactor => ("加促成因素", "add a contributing factor"),
        Intent::AddAction => ("加整改措施", "add a corrective action"),
        Intent::SignOff => ("签字确认复盘", "sign off the review"),
        Intent::ConfirmSignOff => ("确认签字", "confirm sign-off"),
        Intent::CancelSignOff => ("取消", "cancel"),
    };
    lang.pick(zh, en)
}

/// How a notification went out, as the operator says it; an unknown channel by its id.
pub fn channel_name(channel: &str, lang: Lang) -> &str {
    describe::channel_name(channel, lang.text())
}

/// Who made a log entry.
pub fn actor_text(actor: &Actor, lang: Lang) -> String {
    describe::actor_text(actor, lang.text())
}

/// The operator an incident-log event names, if any.
pub fn event_operator(event: &IncidentEvent) -> Option<&str> {
    describe::event_operator(event)
}

/// One incident-log entry as a sentence, without its actor (the log line shows that).
pub fn event_text(event: &IncidentEvent, lang: Lang, playbook: Option<&PlaybookView>) -> String {
    describe::event_text(event, lang.text(), playbook)
}

/// A step as the operator knows it: its number on the checklist and the start of its words.
pub fn step_label(playbook: Option<&PlaybookView>, step: &str, lang: Lang) -> String {
    describe::step_label(playbook, step, lang.text())
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
        Screen::Reports => super::reports_name(lang),
        Screen::Drills => super::DrillText::Screen.get(lang),
    }
}

/// What cues sound through, and why the bell when it is the bell.
pub fn output_text(output: Output, lang: Lang) -> &'static str {
    let (zh, en) = match output {
        Output::Aplay => ("声音：aplay", "sound: aplay"),
        Output::Bell(BellReason::NoPlayer) => (
            "声音：终端铃声（未找到 ALSA 播放器）",
            "sound: terminal bell (no ALSA player found)",
        ),
        Output::Bell(BellReason::NoDevice) => (
            "声音：终端铃声（aplay 打不开声卡）",
            "sound: terminal bell (aplay opened no sound device)",
        ),
        Output::Bell(BellReason::PlayerFailed) => (
            "声音：终端铃声（aplay 出错）",
            "sound: terminal bell (aplay failed)",
        ),
    };
    lang.pick(zh, en)
}
