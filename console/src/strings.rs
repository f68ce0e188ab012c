//! Every piece of operator-facing text, in Chinese and English, in one place.

use alert_hub::protocol::{
    Actor, AttemptStatus, Bilingual, EventKind, IncidentEvent, IncidentState, RefusalCode, Role,
    StepStatus,
};
use serde::Deserialize;

use crate::action::{Intent, Screen};

/// The language the console speaks; a key toggles it at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The other language.
    pub fn toggled(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// Picks the text of this language from a pair.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// The text of this language from a bilingual value, falling back to the other language
    /// when this one is empty.
    pub fn of(self, text: &Bilingual) -> &str {
        let (first, second) = match self {
            Lang::Zh => (&text.zh, &text.en),
            Lang::En => (&text.en, &text.zh),
        };
        if first.is_empty() { second } else { first }
    }

    /// Reads `zh`/`en` (and the common spellings `zh-CN`, `cn`, `english`), case-insensitive.
    pub fn parse(text: &str) -> Option<Lang> {
        match text.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh_cn" | "cn" | "chinese" => Some(Lang::Zh),
            "en" | "en-us" | "en_us" | "en-gb" | "english" => Some(Lang::En),
            _ => None,
        }
    }
}

/// A fixed piece of operator-facing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum S {
    Board,
    Incident,
    History,
    HandOver,
    OnTest,
    Priority,
    Kind,
    Location,
    Age,
    State,
    Events,
    Owner,
    Marks,
    Drill,
    DrillRunning,
    AllSites,
    Site,
    Shown,
    New,
    Unacknowledged,
    UnacknowledgedP1,
    NoOpenIncidents,
    Connected,
    Connecting,
    ReconnectingSince,
    StaleBoard,
    AwaitingSnapshot,
    Attempt,
    NotSignedIn,
    Muted,
    SoundBellOnly,
    HelpHint,
    Keys,
    PressAnyKey,
    ConfirmQuit,
    Playbook,
    NoPlaybook,
    Notifications,
    NoNotifications,
    NextEscalationIn,
    EscalationStopped,
    Level,
    Log,
    LogEmpty,
    LogPartial,
    ReadOnly,
    Overdue,
    Due,
    ChooseWith,
    InputWith,
    Devices,
    TwoDetectors,
    Flapping,
    OnTestMark,
    Restored,
    CloseRequested,
    Search,
    SearchHint,
    NoHistory,
    HistoryLoading,
    Opened,
    OpenIncidents,
    OverdueSteps,
    NoOverdueSteps,
    Outgoing,
    Incoming,
    SignHint,
    HandOverSent,
    HandOverRecorded,
    HandOverNeedsBoth,
    HandOverSameOperator,
    Source,
    Device,
    WholeSource,
    AuthorisedBy,
    Reason,
    Since,
    Until,
    Remaining,
    Expired,
    NothingOnTest,
    Note,
    SkipReason,
    ResolveSummary,
    InputValue,
    OutgoingId,
    IncomingId,
    Refused,
    NotConnected,
    NotSent,
    NoAnswer,
    Sent,
    Done,
    IncidentGone,
    NoCurrentStep,
    NotSkippable,
    NoSuchChoice,
    NoInputs,
    NoSelection,
    AlreadyAcknowledged,
    FeedGap,
    Resyncing,
    Step,
    TextRequired,
    Hub,
}

impl S {
    /// The text in the given language.
    pub fn get(self, lang: Lang) -> &'static str {
        let (zh, en) = self.pair();
        lang.pick(zh, en)
    }

    fn pair(self) -> (&'static str, &'static str) {
        match self {
            S::Board => ("报警总览", "Alarm board"),
            S::Incident => ("事件", "Incident"),
            S::History => ("历史", "History"),
            S::HandOver => ("交接班", "Shift hand-over"),
            S::OnTest => ("测试中", "On test"),
            S::Priority => ("级", "Pri"),
            S::Kind => ("类型", "Kind"),
            S::Location => ("位置", "Location"),
            S::Age => ("时长", "Age"),
            S::State => ("状态", "State"),
            S::Events => ("次", "Ev"),
            S::Owner => ("负责人", "Owner"),
            S::Marks => ("标记", "Marks"),
            S::Drill => ("演练", "DRILL"),
            S::DrillRunning => ("演练进行中", "DRILL RUNNING"),
            S::AllSites => ("全部项目", "all sites"),
            S::Site => ("项目", "site"),
            S::Shown => ("条显示", "shown"),
            S::New => ("新", "new"),
            S::Unacknowledged => ("未确认", "unacknowledged"),
            S::UnacknowledgedP1 => ("一级报警未确认", "UNACKNOWLEDGED P1"),
            S::NoOpenIncidents => ("没有未关闭的事件", "No open incidents"),
            S::Connected => ("已连接", "connected"),
            S::Connecting => ("正在连接", "connecting"),
            S::ReconnectingSince => ("断线重连中，自", "reconnecting since"),
            S::StaleBoard => (
                "数据可能已过时：与中心的连接已断开",
                "STALE: not connected to the hub, this may be out of date",
            ),
            S::AwaitingSnapshot => (
                "正在同步：等待中心发送完整数据",
                "SYNCHRONISING: waiting for the hub's full picture",
            ),
            S::Attempt => ("第几次", "attempt"),
            S::NotSignedIn => ("未登录", "not signed in"),
            S::Muted => ("已静音", "muted"),
            S::SoundBellOnly => ("无声卡：仅终端铃声", "no audio: bell only"),
            S::HelpHint => ("? 帮助", "? help"),
            S::Keys => ("按键", "Keys"),
            S::PressAnyKey => ("按任意键关闭", "press any key to close"),
            S::ConfirmQuit => (
                "退出控制台？报警将不再显示。 y 退出 / n 取消",
                "Quit the console? Alarms will no longer show. y quit / n cancel",
            ),
            S::Playbook => ("处置流程", "Playbook"),
            S::NoPlaybook => ("尚无处置流程", "No playbook yet"),
            S::Notifications => ("通知", "Notifications"),
            S::NoNotifications => ("尚无通知", "No notifications yet"),
            S::NextEscalationIn => ("下次升级", "next escalation in"),
            S::EscalationStopped => ("已停止升级", "escalation stopped"),
            S::Level => ("级别", "level"),
            S::Log => ("事件日志", "Incident log"),
            S::LogEmpty => ("本次运行尚未收到日志", "No log entries received yet"),
            S::LogPartial => (
                "仅显示本控制台收到的记录",
                "showing entries this console received",
            ),
            S::ReadOnly => ("只读", "read-only"),
            S::Overdue => ("超时", "OVERDUE"),
            S::Due => ("剩余", "due in"),
            S::ChooseWith => ("按数字选择", "press a number"),
            S::InputWith => ("按 i 填写", "press i to fill in"),
            S::Devices => ("探测器", "devices"),
            S::TwoDetectors => ("双探确认", "2 detectors"),
            S::Flapping => ("反复", "flapping"),
            S::OnTestMark => ("测试", "test"),
            S::Restored => ("已恢复", "restored"),
            S::CloseRequested => ("待第二人确认关闭", "close awaits 2nd operator"),
            S::Search => ("搜索", "Search"),
            S::SearchHint => (
                "按 / 输入项目、类型或日期（如 2026-11-22）",
                "press / to type a site, kind or date (e.g. 2026-11-22)",
            ),
            S::NoHistory => ("没有符合的历史事件", "No past incidents match"),
            S::HistoryLoading => ("正在加载…", "loading…"),
            S::Opened => ("发生时间", "Opened"),
            S::OpenIncidents => ("未关闭事件", "Open incidents"),
            S::OverdueSteps => ("超时步骤", "Overdue steps"),
            S::NoOverdueSteps => ("没有超时步骤", "No overdue steps"),
            S::Outgoing => ("交班人", "Outgoing"),
            S::Incoming => ("接班人", "Incoming"),
            S::SignHint => (
                "o 交班人工号  i 接班人工号  s 双方签字提交",
                "o outgoing id  i incoming id  s sign and send",
            ),
            S::HandOverSent => ("已提交，等待中心确认", "sent, waiting for the hub"),
            S::HandOverRecorded => ("交接已记录", "hand-over recorded"),
            S::HandOverNeedsBoth => (
                "交班人和接班人都要填写工号",
                "both the outgoing and the incoming operator must enter their ids",
            ),
            S::HandOverSameOperator => (
                "交班人和接班人不能是同一人",
                "the outgoing and incoming operator must be different people",
            ),
            S::Source => ("来源", "Source"),
            S::Device => ("设备", "Device"),
            S::WholeSource => ("整个来源", "whole source"),
            S::AuthorisedBy => ("批准人", "Authorised by"),
            S::Reason => ("原因", "Reason"),
            S::Since => ("开始", "Since"),
            S::Until => ("结束", "Until"),
            S::Remaining => ("剩余", "Left"),
            S::Expired => ("已到期", "expired"),
            S::NothingOnTest => ("没有处于测试状态的设备", "Nothing is on test"),
            S::Note => ("备注", "Note"),
            S::SkipReason => ("跳过原因", "Reason to skip"),
            S::ResolveSummary => ("处理结果（可不填）", "Resolution summary (optional)"),
            S::InputValue => ("填写", "Value"),
            S::OutgoingId => ("交班人工号", "Outgoing operator id"),
            S::IncomingId => ("接班人工号", "Incoming operator id"),
            S::Refused => ("中心拒绝", "Refused by the hub"),
            S::NotConnected => (
                "未连接中心，操作没有发送",
                "Not connected to the hub: the command was not sent",
            ),
            S::NotSent => ("操作未能发送", "The command could not be sent"),
            S::NoAnswer => (
                "中心未答复，请检查结果",
                "No answer from the hub yet: check the result",
            ),
            S::Sent => ("已发送", "sent"),
            S::Done => ("完成", "done"),
            S::IncidentGone => ("该事件已关闭", "That incident has been closed"),
            S::NoCurrentStep => ("没有当前步骤", "There is no current step"),
            S::NotSkippable => ("这一步不能跳过", "This step cannot be skipped"),
            S::NoSuchChoice => ("没有这个选项", "No such choice"),
            S::NoInputs => ("这一步没有要填写的内容", "This step has nothing to fill in"),
            S::NoSelection => ("没有选中事件", "No incident selected"),
            S::AlreadyAcknowledged => ("已经确认过", "Already acknowledged"),
            S::FeedGap => (
                "数据有缺漏，正在重新同步",
                "Missed an update: resynchronising",
            ),
            S::Resyncing => ("中心要求重新同步", "The hub is resending everything"),
            S::Step => ("步骤", "Step"),
            S::TextRequired => (
                "没有填写内容，未发送",
                "Nothing was typed; nothing was sent",
            ),
            S::Hub => ("中心", "hub"),
        }
    }
}

/// The name of an event kind, short enough for a board column.
pub fn kind_name(kind: EventKind, lang: Lang) -> &'static str {
    use EventKind::*;
    let (zh, en) = match kind {
        FireAlarm => ("火警", "Fire alarm"),
        FirePrealarm => ("火灾预警", "Fire pre-alarm"),
        FireSupervisory => ("消防监管", "Supervisory"),
        FireTrouble => ("消防故障", "Fire trouble"),
        FireRestore => ("消防恢复", "Fire restore"),
        AccessForced => ("门被强开", "Door forced"),
        AccessHeldOpen => ("门长时间未关", "Door held open"),
        AccessDenied => ("刷卡被拒", "Access denied"),
        AccessTamper => ("门禁防拆", "Tamper"),
        AccessDuress => ("胁迫报警", "Duress"),
        AccessRestore => ("门禁恢复", "Access restore"),
        ElevatorEntrapment => ("电梯困人", "Lift entrapment"),
        ElevatorReleased => ("电梯解困", "Lift released"),
        ElevatorFault => ("电梯故障", "Lift fault"),
        ElevatorRestore => ("电梯恢复", "Lift restore"),
        Heartbeat => ("心跳", "Heartbeat"),
        CommsLost => ("通信中断", "Comms lost"),
    };
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

/// The name of an operator role.
pub fn role_name(role: Role, lang: Lang) -> &'static str {
    let (zh, en) = match role {
        Role::Operator => ("值班员", "operator"),
        Role::SafetyOfficer => ("安全主管", "safety officer"),
        Role::Manager => ("项目经理", "manager"),
        Role::Admin => ("管理员", "admin"),
    };
    lang.pick(zh, en)
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
        Intent::Resolve => ("处理完毕", "resolve"),
        Intent::Search => ("搜索", "search"),
        Intent::Refresh => ("刷新", "refresh"),
        Intent::EditOutgoing => ("交班人工号", "outgoing id"),
        Intent::EditIncoming => ("接班人工号", "incoming id"),
        Intent::SignHandOver => ("双方签字提交", "sign and send"),
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

/// One incident-log entry as a sentence.
pub fn event_text(event: &IncidentEvent, lang: Lang) -> String {
    use IncidentEvent::*;
    match event {
        Opened { incident, .. } => format!(
            "{} {}",
            lang.pick("事件开启", "opened"),
            kind_name(incident.kind, lang)
        ),
        EventJoined { kind, device, .. } => format!(
            "{} {} ({device})",
            lang.pick("新报告", "reported"),
            kind_name(*kind, lang)
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
        RestoreReceived { kind, device } => {
            format!("{} ({device})", kind_name(*kind, lang))
        }
        CommsRestored { source } => {
            format!("{} {source}", lang.pick("通信恢复", "comms restored"))
        }
        Acknowledged { operator } => format!("{} {operator}", lang.pick("确认", "acknowledged by")),
        NoteAdded { operator, text } => format!("{operator}: {text}"),
        Resolved { operator, summary } => format!(
            "{} {operator}{}",
            lang.pick("处理完毕", "resolved by"),
            summary
                .as_ref()
                .map(|s| format!(": {s}"))
                .unwrap_or_default()
        ),
        CloseRequested { operator } => {
            format!("{} {operator}", lang.pick("申请关闭", "close requested by"))
        }
        Closed {
            operator,
            confirmed_by,
        } => format!(
            "{} {operator}{}",
            lang.pick("关闭", "closed by"),
            confirmed_by
                .as_ref()
                .map(|c| format!(" + {c}"))
                .unwrap_or_default()
        ),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toggling_twice_returns_to_the_start() {
        assert_eq!(Lang::Zh.toggled(), Lang::En);
        assert_eq!(Lang::Zh.toggled().toggled(), Lang::Zh);
    }

    #[test]
    fn bilingual_falls_back_when_one_side_is_empty() {
        let text = Bilingual {
            zh: String::new(),
            en: "Call 119".into(),
        };
        assert_eq!(Lang::Zh.of(&text), "Call 119");
        assert_eq!(Lang::En.of(&text), "Call 119");
    }

    #[test]
    fn language_names_parse_loosely() {
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse(" EN "), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }

    #[test]
    fn drill_word_is_unmistakable_in_both_languages() {
        assert_eq!(S::Drill.get(Lang::Zh), "演练");
        assert_eq!(S::Drill.get(Lang::En), "DRILL");
    }
}
