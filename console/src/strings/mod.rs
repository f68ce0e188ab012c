//! Every piece of operator-facing text, in Chinese and English, in one place.

mod drills;
mod names;
mod reports;
mod shift;

pub use drills::*;
pub use names::*;
pub use reports::*;
pub use shift::*;

use alert_hub::protocol::Bilingual;
use serde::Deserialize;

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

    /// The same language as the playbooks and the hub's sentences name it.
    pub fn text(self) -> playbooks::Lang {
        match self {
            Lang::Zh => playbooks::Lang::Zh,
            Lang::En => playbooks::Lang::En,
        }
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
    IncidentId,
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
    AwaitingClose,
    ResolveReason,
    ReportPrompt,
    ReportNoNote,
    ReportUnknownKind,
    ReportNoSite,
    ReportDrillOrReal,
    ReportWhichDrill,
    ReportNoDrill,
    LateBy,
    DueClock,
    DueIn,
    Newest,
    OpenIt,
    NoUnacknowledgedP1,
    OnTestSignals,
    ResolveBeforeClose,
    CloseIncident,
    ConfirmCloseOf,
    RequestedBy,
    ConfirmCloseKeys,
    CloseAsked,
    NoOpenIncidents,
    Connected,
    ConnectedTo,
    Connecting,
    ReconnectingSince,
    MovingTo,
    MovedTo,
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
    NextEscalationAt,
    DueAt,
    EscalationStopped,
    Level,
    Log,
    LogEmpty,
    LogPartial,
    ReadOnly,
    Overdue,
    ChooseWith,
    InputWith,
    Devices,
    /// The panel's own words for a code the hub does not map.
    PanelCode,
    CloseRequested,
    Search,
    SearchHint,
    NoHistory,
    HistoryLoading,
    ThisShift,
    Opened,
    OpenIncidents,
    OverdueSteps,
    NoOverdueSteps,
    Outgoing,
    Incoming,
    SignHint,
    HandOverSent,
    HandOverRecorded,
    HandOverNeedsIncoming,
    NothingToUndo,
    NothingRecorded,
    CorrectWhich,
    NoSuchValue,
    HandOverSameOperator,
    HandOverConfirmed,
    HandOverNote,
    HandsOverToYou,
    ConfirmWithNote,
    NothingToConfirm,
    PastHandOvers,
    NoHandOvers,
    Confirmed,
    Withdrawn,
    SignedOnOneConsole,
    You,
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
    PutOnTestPrompt,
    OnTestNoSource,
    OnTestNoMinutes,
    OnTestMinutesRange,
    OnTestNoReason,
    NoTestSelected,
    ConfirmEndTest,
    ConfirmEndTestKeys,
    Note,
    SkipReason,
    ResolveSummary,
    InputValue,
    IncomingId,
    HandOverNoteFor,
    TakeOverNote,
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
    HubBehind,
    Resyncing,
    StoreFailing,
    StoreFailingHint,
    StoreRecovered,
    DrillStarted,
    DrillEnded,
    DrillsUnknown,
    OnTestUnknown,
    Step,
    TextRequired,
    Hub,
    CallLabel,
    NoNumber,
    DrillStandIn,
    NobodyToCall,
    LogCallTitle,
    EscCancels,
    CallWhom,
    CallOutcome,
    AnswerAcknowledges,
    CallNote,
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
            S::Priority => ("级", "P"),
            S::IncidentId => ("编号", "Id"),
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
            S::AwaitingClose => ("待关闭", "to close"),
            S::ResolveReason => (
                "第一步尚未完成，须说明办结原因",
                "The first step is not done: say why you resolve",
            ),
            S::ReportPrompt => (
                "开启事件：[演练|真实] 类型 项目 [楼栋/楼层/位置]: 报告内容（类型：燃气 水浸 急救 治安 火警 困人 胁迫）",
                "open an incident: [drill|real] KIND SITE [BUILDING/FLOOR/ZONE]: WHAT WAS REPORTED (kinds: gas flood medical security fire lift duress)",
            ),
            S::ReportNoNote => (
                "冒号后要写报告内容，未发送",
                "Write what was reported after a colon; nothing was sent",
            ),
            S::ReportUnknownKind => ("不认识的事件类型，未发送", "Unknown kind; nothing was sent"),
            S::ReportNoSite => (
                "没有填写项目，未发送",
                "No site was typed; nothing was sent",
            ),
            S::ReportDrillOrReal => (
                "该项目正在演练：报告前加“演练”（drill）或“真实”（real），未发送",
                "A drill is running at this site: start the report with drill or real; nothing was sent",
            ),
            S::ReportWhichDrill => (
                "该项目有多个演练在进行：写 drill=演练编号，未发送",
                "Several drills run at this site: write drill=ID; nothing was sent",
            ),
            S::ReportNoDrill => (
                "该项目没有演练在进行，未发送",
                "No drill is running at this site; nothing was sent",
            ),
            S::LateBy => ("已超", "late"),
            S::DueClock => ("截止", "due"),
            S::DueIn => ("剩", "in"),
            S::Newest => ("最新", "newest"),
            S::OpenIt => ("查看", "to open it"),
            S::NoUnacknowledgedP1 => ("没有未确认的一级报警", "No unacknowledged P1"),
            S::OnTestSignals => ("测试信号", "on test"),
            S::ResolveBeforeClose => (
                "只有已办结的事件才能关闭：先按 r 办结",
                "Only a resolved incident can be closed: resolve it first (r)",
            ),
            S::CloseIncident => ("关闭事件", "Close"),
            S::ConfirmCloseOf => ("确认关闭", "Confirm the close of"),
            S::RequestedBy => ("申请人", "requested by"),
            S::ConfirmCloseKeys => ("y 关闭 / n 取消", "y close / n cancel"),
            S::CloseAsked => (
                "申请关闭，须另一名值班员确认：在该事件上按 x",
                "asks to close it; a second operator confirms with x on it",
            ),
            S::NoOpenIncidents => ("没有未关闭的事件", "No open incidents"),
            S::Connected => ("已连接", "connected"),
            S::ConnectedTo => ("已连接", "connected to"),
            S::Connecting => ("正在连接", "connecting"),
            S::ReconnectingSince => ("断线重连中，自", "reconnecting since"),
            S::MovingTo => ("改连备用中心", "moving to"),
            S::MovedTo => (
                "已改连另一中心，正在重新加载全部数据",
                "Moved to another hub: reloading everything from",
            ),
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
            S::SoundBellOnly => ("声音：仅终端铃声", "sound: bell only"),
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
            S::NextEscalationAt => ("下次升级时间", "next escalation at"),
            S::DueAt => ("截止", "due at"),
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
            S::ChooseWith => ("按数字选择", "press a number"),
            S::InputWith => ("按 i 填写", "press i to fill in"),
            S::Devices => ("探测器", "devices"),
            S::PanelCode => ("报警主机代码", "panel code"),
            S::CloseRequested => ("待第二人确认关闭", "close awaits 2nd operator"),
            S::Search => ("搜索", "Search"),
            S::SearchHint => (
                "按 / 输入项目、类型或日期（如 2026-11-22）",
                "press / to type a site, kind or date (e.g. 2026-11-22)",
            ),
            S::NoHistory => ("没有符合的历史事件", "No past incidents match"),
            S::HistoryLoading => ("正在加载…", "loading…"),
            S::ThisShift => ("本班", "This shift"),
            S::Opened => ("发生时间", "Opened"),
            S::OpenIncidents => ("未关闭事件", "Open incidents"),
            S::OverdueSteps => ("超时步骤", "Overdue steps"),
            S::NoOverdueSteps => ("没有超时步骤", "No overdue steps"),
            S::Outgoing => ("交班人", "Outgoing"),
            S::Incoming => ("接班人", "Incoming"),
            S::SignHint => (
                "i 接班人工号  n 交班说明  s 签字交班  c 确认交给你的交接班",
                "i incoming id  n note  s sign the hand-over  c confirm a hand-over to you",
            ),
            S::HandOverSent => ("已提交，等待中心确认", "sent, waiting for the hub"),
            S::HandOverRecorded => ("交接已签字，", "hand-over signed,"),
            S::NothingToUndo => ("没有可撤销的步骤", "no step done to undo"),
            S::NothingRecorded => ("还没有记录任何数值", "no value recorded yet"),
            S::CorrectWhich => ("更正哪一项（输入编号）：", "Correct which (number):"),
            S::NoSuchValue => ("没有这个编号的记录值", "no recorded value has that number"),
            S::HandOverNeedsIncoming => ("请填写接班人工号", "enter the incoming operator's id"),
            S::HandOverConfirmed => (
                "已确认接班，本班由你值守",
                "hand-over confirmed: the shift is yours",
            ),
            S::HandOverNote => ("说明", "Note"),
            S::HandsOverToYou => ("向你交班", "hands the shift over to you"),
            S::ConfirmWithNote => ("填写接班说明并确认", "confirm with your note"),
            S::NothingToConfirm => (
                "没有待你确认的交接班",
                "no hand-over awaits your confirmation",
            ),
            S::PastHandOvers => ("交接记录", "Past hand-overs"),
            S::NoHandOvers => ("还没有交接记录", "No hand-overs yet"),
            S::Confirmed => ("已确认", "confirmed"),
            S::Withdrawn => ("已撤回", "withdrawn"),
            S::SignedOnOneConsole => ("同一控制台签署", "signed on one console"),
            S::You => ("本人", "you"),
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
            S::PutOnTestPrompt => (
                "设为测试：来源 [设备] 分钟 原因…",
                "put on test: SOURCE [DEVICE] MINUTES REASON…",
            ),
            S::OnTestNoSource => (
                "没有填写来源，未发送",
                "No source was typed; nothing was sent",
            ),
            S::OnTestNoMinutes => (
                "来源（和设备）之后要填写分钟数，未发送",
                "The minutes must follow the source (and device); nothing was sent",
            ),
            S::OnTestMinutesRange => (
                "测试时长必须是 1–480 分钟，未发送",
                "The minutes must be 1–480; nothing was sent",
            ),
            S::OnTestNoReason => (
                "必须填写原因，未发送",
                "A reason is required; nothing was sent",
            ),
            S::NoTestSelected => ("没有选中测试项", "Nothing on test is selected"),
            S::ConfirmEndTest => ("提前结束测试", "End the test of"),
            S::ConfirmEndTestKeys => ("y 结束 / n 取消", "y end it / n cancel"),
            S::Note => ("备注", "Note"),
            S::SkipReason => ("跳过原因", "Reason to skip"),
            S::ResolveSummary => ("处理结果（可不填）", "Resolution summary (optional)"),
            S::InputValue => ("填写", "Value"),
            S::IncomingId => ("接班人工号", "Incoming operator id"),
            S::HandOverNoteFor => ("给接班人的交班说明", "Note for the incoming operator"),
            S::TakeOverNote => (
                "接班说明（可留空）",
                "Your note on taking the shift (may be empty)",
            ),
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
            S::HubBehind => (
                "中心的数据比本控制台旧，正在重新加载全部数据",
                "The hub is behind this console's picture: reloading everything",
            ),
            S::Resyncing => ("中心要求重新同步", "The hub is resending everything"),
            S::StoreFailing => ("中心无法存储事件", "THE HUB CANNOT STORE EVENTS"),
            S::StoreFailingHint => (
                "新报警会被拒收并由设备重发，请立即通知系统管理员",
                "new alarms are refused and resent by the devices: call the system administrator now",
            ),
            S::StoreRecovered => ("中心已恢复存储事件", "The hub stores events again"),
            S::DrillStarted => ("演练开始", "Drill started"),
            S::DrillEnded => ("演练结束", "Drill ended"),
            S::DrillsUnknown => (
                "无法获取正在进行的演练",
                "Could not check which drills are running",
            ),
            S::OnTestUnknown => ("无法获取测试中的设备", "Could not check what is on test"),
            S::Step => ("步骤", "Step"),
            S::TextRequired => (
                "没有填写内容，未发送",
                "Nothing was typed; nothing was sent",
            ),
            S::Hub => ("中心", "hub"),
            S::CallLabel => ("致电", "Call"),
            S::NoNumber => ("无号码", "no number"),
            S::DrillStandIn => ("演练扮演者", "DRILL stand-in"),
            S::NobodyToCall => (
                "当前步骤和通知级别没有可拨打的对象",
                "The current step and notification level call nobody",
            ),
            S::LogCallTitle => ("记录电话呼叫", "Log a phone call"),
            S::EscCancels => ("Esc 取消", "Esc cancels"),
            S::CallWhom => ("拨打了谁？按数字", "Whom did you call? Press a number"),
            S::CallOutcome => ("结果如何？", "What came of it?"),
            S::AnswerAcknowledges => (
                "视为其确认，通知停止升级",
                "counts as their acknowledgement: the call-out stops escalating",
            ),
            S::CallNote => (
                "通话备注（可不填，回车发送）",
                "Note on the call (optional, Enter sends)",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn playbook_log_lines_name_choices_and_inputs_by_their_labels() {
        use alert_hub::protocol::IncidentEvent;
        use playbooks::RunEvent;
        let fire = crate::sample::with_playbook(crate::sample::incident(
            "INC-1",
            alert_hub::protocol::EventKind::FireAlarm,
            "green-garden",
        ));
        let playbook = fire.playbook.as_ref();
        let at = crate::sample::T0;
        let chose = IncidentEvent::Playbook {
            run: RunEvent::ChoiceMade {
                step: "confirm".into(),
                choice: "real".into(),
                by: "op-li".into(),
                at,
            },
        };
        assert_eq!(event_text(&chose, Lang::En, playbook), "chose Real fire");
        let recorded = IncidentEvent::Playbook {
            run: RunEvent::InputRecorded {
                step: "evacuate".into(),
                input: "people".into(),
                value: "120".into(),
                previous: None,
                by: "op-li".into(),
                at,
            },
        };
        assert_eq!(
            event_text(&recorded, Lang::Zh, playbook),
            "记录 疏散人数: 120"
        );
        let corrected = IncidentEvent::Playbook {
            run: RunEvent::InputRecorded {
                step: "evacuate".into(),
                input: "people".into(),
                value: "112".into(),
                previous: Some("120".into()),
                by: "op-li".into(),
                at,
            },
        };
        assert_eq!(
            event_text(&corrected, Lang::En, playbook),
            "corrected People evacuated: 120 → 112",
            "a correction shows the value it replaced"
        );
        let undone = IncidentEvent::Playbook {
            run: RunEvent::StepReopened {
                step: "confirm".into(),
                by: "op-li".into(),
                at,
            },
        };
        assert_eq!(
            event_text(&undone, Lang::En, playbook),
            "undid step (to do again) 2 “Confirm the alarm by the fastest means”"
        );
        assert_eq!(
            event_text(&chose, Lang::En, None),
            "chose real",
            "without the checklist, the id"
        );
    }

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
