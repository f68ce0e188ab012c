//! The text of the drills screen and of the nearest due drill on the status line.

use alert_hub::protocol::DrillKind;

use super::Lang;
use crate::screens::drills::Standing;

/// A fixed piece of the drills screen's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrillText {
    /// The screen's name.
    Screen,
    Calendar,
    Running,
    Due,
    Site,
    Name,
    Status,
    LinkedDrill,
    StartedAt,
    StartedBy,
    NoCalendar,
    NoRunningDrills,
    Loading,
    CalendarUnknown,
    Overdue,
    DueSoon,
    DoneCount,
    OverdueActions,
}

impl DrillText {
    /// The text in the given language.
    pub fn get(self, lang: Lang) -> &'static str {
        use DrillText::*;
        let (zh, en) = match self {
            Screen => ("演练计划", "Drills"),
            Calendar => ("年度演练计划", "Drill calendar"),
            Running => ("进行中的演练", "Drills running now"),
            Due => ("到期日", "Due"),
            Site => ("项目", "Site"),
            Name => ("演练", "Drill"),
            Status => ("状态", "Status"),
            LinkedDrill => ("完成于", "Done by"),
            StartedAt => ("开始", "Started"),
            StartedBy => ("发起人", "Started by"),
            NoCalendar => ("本年度没有计划的演练", "No drills planned this year"),
            NoRunningDrills => ("当前没有进行中的演练", "No drill is running"),
            Loading => ("正在获取演练计划…", "Fetching the drill calendar…"),
            CalendarUnknown => ("无法获取演练计划", "Could not fetch the drill calendar"),
            Overdue => ("逾期", "overdue"),
            DueSoon => ("30 天内到期", "due within 30 days"),
            DoneCount => ("已完成", "done"),
            OverdueActions => ("逾期未完成的整改措施", "Corrective actions overdue"),
        };
        lang.pick(zh, en)
    }
}

/// An entry's status as the calendar lists it: `12 天后到期` / `due in 12 days`.
pub fn standing_text(standing: &Standing, lang: Lang) -> String {
    match (standing, lang) {
        (Standing::Done { .. }, Lang::Zh) => "已完成".into(),
        (Standing::Done { .. }, Lang::En) => "done".into(),
        (Standing::Cancelled { reason }, Lang::Zh) => format!("已取消：{reason}"),
        (Standing::Cancelled { reason }, Lang::En) => format!("cancelled: {reason}"),
        (Standing::Overdue { days }, Lang::Zh) => format!("已逾期 {days} 天"),
        (Standing::Overdue { days: 1 }, Lang::En) => "OVERDUE by 1 day".into(),
        (Standing::Overdue { days }, Lang::En) => format!("OVERDUE by {days} days"),
        (Standing::Due { days: 0 }, Lang::Zh) => "今天到期".into(),
        (Standing::Due { days: 0 }, Lang::En) => "due today".into(),
        (Standing::Due { days }, Lang::Zh) => format!("{days} 天后到期"),
        (Standing::Due { days: 1 }, Lang::En) => "due in 1 day".into(),
        (Standing::Due { days }, Lang::En) => format!("due in {days} days"),
        (Standing::BeforeRecords, Lang::Zh) => "无记录（早于建档）".into(),
        (Standing::BeforeRecords, Lang::En) => "no record (before the hub kept it)".into(),
    }
}

/// A drill of `kind`, short: `电梯困人演练` / `lift drill`.
pub fn kind_drill_name(kind: DrillKind, lang: Lang) -> &'static str {
    let (zh, en) = match kind {
        DrillKind::FireEvacuation => ("消防疏散演练", "fire evacuation drill"),
        DrillKind::LiftRescue => ("电梯困人演练", "lift drill"),
        DrillKind::Flood => ("水浸抢修演练", "flood drill"),
        DrillKind::PublicSecurity => ("治安事件演练", "public-security drill"),
        DrillKind::GasLeak => ("燃气泄漏演练", "gas leak drill"),
        DrillKind::FirstAid => ("急救培训", "first-aid training"),
        DrillKind::Combined => ("综合演练", "combined drill"),
    };
    lang.pick(zh, en)
}

/// The nearest due drill on the status line, by the quarter of its due date and its kind:
/// `Q2 电梯困人演练 12 天后到期` / `Q2 lift drill due in 12 days`.
pub fn nearest_text(quarter: u8, kind: DrillKind, standing: &Standing, lang: Lang) -> String {
    format!(
        "Q{quarter} {} {}",
        kind_drill_name(kind, lang),
        standing_text(standing, lang)
    )
}

/// One overdue corrective action: what, who, by when, how late, and from which drill.
pub fn overdue_action_text(
    a: &alert_hub::protocol::ListedAction,
    late_days: i64,
    lang: Lang,
) -> String {
    let drill = lang.of(&a.drill_name);
    let x = &a.action;
    match lang {
        Lang::Zh => format!(
            "{} {} · 负责人 {} · {} 到期，逾期 {late_days} 天 · {drill}",
            x.id, x.action, x.owner, x.due
        ),
        Lang::En => format!(
            "{} {} · owner {} · due {}, {late_days} days late · {drill}",
            x.id, x.action, x.owner, x.due
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_read_naturally_in_both_languages() {
        let due = Standing::Due { days: 12 };
        assert_eq!(standing_text(&due, Lang::En), "due in 12 days");
        assert_eq!(standing_text(&due, Lang::Zh), "12 天后到期");
        let late = Standing::Overdue { days: 1 };
        assert_eq!(standing_text(&late, Lang::En), "OVERDUE by 1 day");
        assert_eq!(standing_text(&late, Lang::Zh), "已逾期 1 天");
    }

    #[test]
    fn the_nearest_drill_is_named_by_quarter_and_kind() {
        let due = Standing::Due { days: 12 };
        let lift = DrillKind::LiftRescue;
        assert_eq!(
            nearest_text(2, lift, &due, Lang::En),
            "Q2 lift drill due in 12 days"
        );
        assert_eq!(
            nearest_text(2, lift, &due, Lang::Zh),
            "Q2 电梯困人演练 12 天后到期"
        );
    }
}
