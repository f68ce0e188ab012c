//! The permission table: which roles may do what, for console commands and the API's drill
//! actions alike.

use crate::protocol::{Command, RefusalCode, Role};

use super::Refusal;

/// Everything a role may or may not be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Acknowledge,
    AddNote,
    Resolve,
    Close,
    CompleteStep,
    Choose,
    RecordInput,
    SkipStep,
    UndoStep,
    EscalateNow,
    LogCall,
    HandOver,
    OpenIncident,
    PutOnTest,
    EndTest,
    StartDrill,
    EndDrill,
    /// Add, move or cancel an entry of a site's drill calendar.
    EditDrillCalendar,
    /// Write or sign off the review of an incident (root cause, corrective actions).
    ReviewIncident,
    /// Write a drill's after-action analysis or change its improvement plan.
    PlanImprovement,
}

/// Who may do an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anyone,
    /// Operators, safety officers and admins: everyone but managers.
    OnDuty,
    SafetyOfficerOrAdmin,
    ManagerOrAdmin,
}

impl Action {
    /// The action a console command asks for.
    pub fn of(command: &Command) -> Action {
        match command {
            Command::Acknowledge { .. } => Action::Acknowledge,
            Command::AddNote { .. } => Action::AddNote,
            Command::Resolve { .. } => Action::Resolve,
            Command::Close { .. } => Action::Close,
            Command::CompleteStep { .. } => Action::CompleteStep,
            Command::Choose { .. } => Action::Choose,
            Command::RecordInput { .. } => Action::RecordInput,
            Command::SkipStep { .. } => Action::SkipStep,
            Command::UndoStep { .. } => Action::UndoStep,
            Command::EscalateNow { .. } => Action::EscalateNow,
            Command::LogCall { .. } => Action::LogCall,
            Command::HandOver { .. } | Command::ConfirmHandOver { .. } => Action::HandOver,
            Command::OpenIncident { .. } => Action::OpenIncident,
            Command::PutOnTest { .. } => Action::PutOnTest,
            Command::EndTest { .. } => Action::EndTest,
        }
    }

    /// The table. Operators, safety officers and admins run incidents. Managers review them:
    /// they may add notes and close a resolved incident after reviewing its report, but they
    /// do not acknowledge, run playbook steps, escalate or resolve from outside the control
    /// room. Tests and drills are a safety officer's or an admin's.
    fn who_may(self) -> Who {
        match self {
            Action::AddNote | Action::Close => Who::Anyone,
            Action::Acknowledge
            | Action::Resolve
            | Action::CompleteStep
            | Action::Choose
            | Action::RecordInput
            | Action::SkipStep
            | Action::UndoStep
            | Action::EscalateNow
            | Action::LogCall
            | Action::HandOver
            | Action::OpenIncident => Who::OnDuty,
            Action::PutOnTest
            | Action::EndTest
            | Action::StartDrill
            | Action::EndDrill
            | Action::EditDrillCalendar
            | Action::PlanImprovement => Who::SafetyOfficerOrAdmin,
            Action::ReviewIncident => Who::ManagerOrAdmin,
        }
    }

    /// What the action does, in Chinese and English.
    fn name(self) -> (&'static str, &'static str) {
        match self {
            Action::Acknowledge => ("确认事件", "acknowledge an incident"),
            Action::AddNote => ("添加备注", "add a note"),
            Action::Resolve => ("办结事件", "resolve an incident"),
            Action::Close => ("关闭事件", "close an incident"),
            Action::CompleteStep => ("完成预案步骤", "complete a playbook step"),
            Action::Choose => ("选择预案分支", "choose a playbook branch"),
            Action::RecordInput => ("记录预案数值", "record a playbook input"),
            Action::SkipStep => ("跳过预案步骤", "skip a playbook step"),
            Action::UndoStep => ("撤销预案步骤", "undo a playbook step"),
            Action::EscalateNow => ("升级通知树", "escalate a notification tree"),
            Action::LogCall => ("记录电话呼叫", "log a phone call"),
            Action::HandOver => ("签署或确认交接班", "sign or confirm a shift hand-over"),
            Action::OpenIncident => ("开启事件", "open an incident"),
            Action::PutOnTest => ("将信号源置于测试", "put a source on test"),
            Action::EndTest => ("结束测试", "end a test"),
            Action::StartDrill => ("开始演练", "start a drill"),
            Action::EndDrill => ("结束演练", "end a drill"),
            Action::EditDrillCalendar => ("修改演练计划", "edit the drill calendar"),
            Action::ReviewIncident => {
                ("撰写或签署事后复盘", "write or sign off an incident review")
            }
            Action::PlanImprovement => (
                "撰写演练总结或改进计划",
                "write a drill's analysis or improvement plan",
            ),
        }
    }
}

/// Whether `role` may do `action`.
pub fn permitted(role: Role, action: Action) -> bool {
    match action.who_may() {
        Who::Anyone => true,
        Who::OnDuty => role != Role::Manager,
        Who::SafetyOfficerOrAdmin => matches!(role, Role::SafetyOfficer | Role::Admin),
        Who::ManagerOrAdmin => matches!(role, Role::Manager | Role::Admin),
    }
}

/// Whether `role` may do `action`; a refusal says which role may.
pub fn check_permission(role: Role, action: Action) -> Result<(), Refusal> {
    if permitted(role, action) {
        return Ok(());
    }
    let (who_zh, who) = match action.who_may() {
        Who::SafetyOfficerOrAdmin => ("安全主管或管理员", "a safety officer or an admin"),
        Who::ManagerOrAdmin => ("项目经理或管理员", "a manager or an admin"),
        Who::Anyone | Who::OnDuty => ("值班员", "an operator on duty"),
    };
    let (role_zh, role_en) = role.names();
    let article = if role_en.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "An"
    } else {
        "A"
    };
    let (action_zh, action_en) = action.name();
    Err(Refusal::new(
        RefusalCode::NotPermitted,
        format!("{role_zh}不能{action_zh}；须由{who_zh}操作。"),
        format!("{article} {role_en} may not {action_en}; {who} must."),
    ))
}
