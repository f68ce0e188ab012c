//! The words of the reports screen: the sign-off queue, the report being read, and a
//! manager's review written and signed off.

use alert_hub::protocol::ReviewRecord;
use time::UtcOffset;

use super::Lang;
use crate::screens::reports::draft::DraftError;
use crate::text;

/// The screen's name.
pub fn reports_name(lang: Lang) -> &'static str {
    lang.pick("报表", "Reports")
}

/// The queue's title with its length.
pub fn awaiting_title(count: usize, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("待签字确认 {count}"),
        Lang::En => format!("Awaiting sign-off {count}"),
    }
}

/// The queue's section title.
pub fn awaiting_list(lang: Lang) -> &'static str {
    lang.pick(
        "待经理签字确认的事件",
        "Incidents awaiting a manager's sign-off",
    )
}

pub fn nothing_awaits(lang: Lang) -> &'static str {
    lang.pick("没有待签字确认的事件", "No incident awaits sign-off")
}

/// Where a queued incident's review stands.
pub fn review_state(review: Option<&ReviewRecord>, offset: UtcOffset, lang: Lang) -> String {
    let written = review.and_then(|r| r.history.last());
    match (written, lang) {
        (None, Lang::Zh) => "未写复盘".into(),
        (None, Lang::En) => "no review yet".into(),
        (Some(c), Lang::Zh) => format!("{} 已写 {}", c.by, text::date_time(c.at, offset)),
        (Some(c), Lang::En) => format!("written by {} {}", c.by, text::date_time(c.at, offset)),
    }
}

/// The pane's title: the month's report or one incident's.
pub fn month_title(month: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{month} 月报"),
        Lang::En => format!("Monthly report {month}"),
    }
}

pub fn incident_title(id: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{id} 事后报告"),
        Lang::En => format!("Post-incident report {id}"),
    }
}

/// The heading of the review section in the hub's post-incident report.
pub fn review_heading(lang: Lang) -> &'static str {
    lang.pick("事后复盘", "Review")
}

/// The keys of the screen, on its last line.
pub fn reports_hint(lang: Lang) -> &'static str {
    lang.pick(
        "Enter 阅读报告  m 本月  [ ] 上月/下月  r 根本原因  f 促成因素  n 整改措施  s 签字  g 刷新  PgUp/PgDn 翻页",
        "Enter read  m this month  [ ] month before/after  r root cause  f factor  n action  s sign off  g refresh  PgUp/PgDn scroll",
    )
}

/// The prompts of the review's edits.
pub fn root_cause_prompt(id: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{id} 的根本原因"),
        Lang::En => format!("Root cause of {id}"),
    }
}

pub fn factor_prompt(id: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{id} 的促成因素（一条）"),
        Lang::En => format!("A contributing factor of {id}"),
    }
}

pub fn action_prompt(id: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{id} 的整改措施：措施 / 负责人 / 完成日期 YYYY-MM-DD"),
        Lang::En => format!("Corrective action of {id}: action / owner / due YYYY-MM-DD"),
    }
}

/// The question before a sign-off, which cannot be taken back.
pub fn sign_off_question(id: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => {
            format!("签字确认 {id} 的复盘？签字后即为正式记录，不能再修改。y 签字，其他键取消")
        }
        Lang::En => format!(
            "Sign off the review of {id}? It is then the record and cannot change. y signs, any other key cancels"
        ),
    }
}

pub fn review_saved(id: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{id} 的复盘已保存"),
        Lang::En => format!("The review of {id} is saved"),
    }
}

pub fn signed_off(id: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{id} 的复盘已签字确认"),
        Lang::En => format!("The review of {id} is signed off"),
    }
}

pub fn not_a_reviewer(lang: Lang) -> &'static str {
    lang.pick(
        "只有经理或管理员可以撰写或签字确认复盘",
        "Only a manager or an admin writes or signs off a review",
    )
}

pub fn nothing_selected(lang: Lang) -> &'static str {
    lang.pick(
        "先在待签字列表中选择一起事件",
        "Select an incident awaiting sign-off first",
    )
}

/// Why a typed edit was not sent.
pub fn draft_error(error: &DraftError, lang: Lang) -> String {
    match (error, lang) {
        (DraftError::Empty, Lang::Zh) => "内容为空，未保存".into(),
        (DraftError::Empty, Lang::En) => "Nothing typed: nothing saved".into(),
        (DraftError::NoRootCause, Lang::Zh) => "请先写根本原因（r）".into(),
        (DraftError::NoRootCause, Lang::En) => "Write the root cause first (r)".into(),
        (DraftError::ActionParts, Lang::Zh) => "整改措施要写成：措施 / 负责人 / YYYY-MM-DD".into(),
        (DraftError::ActionParts, Lang::En) => {
            "Write the action as: action / owner / YYYY-MM-DD".into()
        }
        (DraftError::BadDate(d), Lang::Zh) => {
            format!("“{d}”不是日期：完成日期写成 YYYY-MM-DD，例如 2026-12-31")
        }
        (DraftError::BadDate(d), Lang::En) => {
            format!("\"{d}\" is not a date: write the due date as YYYY-MM-DD, e.g. 2026-12-31")
        }
    }
}
