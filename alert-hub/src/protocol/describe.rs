//! Incident-log entries as sentences an operator or a manager reads, in Chinese or English:
//! the console's log and the reports say the same thing the same way. Steps, choices and
//! inputs are named by their words and labels from the checklist when it is at hand.

use playbooks::Lang;

use super::{Actor, Bilingual, Callee, EventKind, IncidentEvent, PlaybookView};

/// The text of `lang` from a pair.
pub fn pick<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// The text in `lang`, or in the other language when that one is empty.
pub fn of(lang: Lang, text: &Bilingual) -> &str {
    let (first, second) = match lang {
        Lang::Zh => (&text.zh, &text.en),
        Lang::En => (&text.en, &text.zh),
    };
    if first.is_empty() { second } else { first }
}

/// An event kind's name in `lang`.
pub fn kind_name(kind: EventKind, lang: Lang) -> &'static str {
    let (zh, en) = kind.names();
    pick(lang, zh, en)
}

/// The entry in both languages.
pub fn event_both(event: &IncidentEvent, playbook: Option<&PlaybookView>) -> Bilingual {
    Bilingual {
        zh: event_text(event, Lang::Zh, playbook),
        en: event_text(event, Lang::En, playbook),
    }
}

/// How a notification went out, as the operator says it; an unknown channel by its id.
pub fn channel_name(channel: &str, lang: Lang) -> &str {
    match channel {
        "console" => pick(lang, "控制台", "console"),
        "webhook" => pick(lang, "网络回调", "webhook"),
        "email" => pick(lang, "邮件", "email"),
        "phone" => pick(lang, "电话", "phone"),
        other => other,
    }
}

/// Who made a log entry.
pub fn actor_text(actor: &Actor, lang: Lang) -> String {
    match actor {
        Actor::Device { device, .. } => device.clone(),
        Actor::Operator { id } => id.clone(),
        Actor::Hub => pick(lang, "中心", "hub").to_string(),
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
            pick(lang, "事件开启", "opened"),
            kind_name(view.kind, lang)
        ),
        Reopened { kind } => format!(
            "{} ({})",
            pick(
                lang,
                "再次报警，需重新确认",
                "alarmed again: acknowledge again"
            ),
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
            pick(lang, "通知", "calling"),
            pick(lang, "第", "level"),
            level + 1,
            if *repeat > 0 {
                format!(" ({} {repeat})", pick(lang, "重复", "repeat"))
            } else {
                String::new()
            }
        ),
        NotificationAttempted {
            contact, channel, ..
        } => {
            format!(
                "{} {contact} · {}",
                pick(lang, "呼叫", "calling"),
                channel_name(channel, lang)
            )
        }
        NotificationDelivered { attempt, detail } => format!(
            "{} #{attempt}{}",
            pick(lang, "已送达", "delivered"),
            detail
                .as_ref()
                .map(|d| format!(": {}", of(lang, d)))
                .unwrap_or_default()
        ),
        NotificationFailed { attempt, error } => {
            format!(
                "{} #{attempt}: {}",
                pick(lang, "通知失败", "notification failed"),
                of(lang, error)
            )
        }
        NotificationsAcknowledged { by } => {
            format!(
                "{} {by}",
                pick(lang, "通知已确认，停止升级：", "call-out acknowledged by")
            )
        }
        NotificationsExhausted { tree } => format!(
            "{} {tree}",
            pick(
                lang,
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
            pick(lang, "电话呼叫", "phoned"),
            party_name(playbook, callee, lang).unwrap_or(name),
            number.as_ref().map(|n| format!(" {n}")).unwrap_or_default(),
            pick(lang, "：", ": "),
            {
                let (zh, en) = outcome.names();
                pick(lang, zh, en)
            },
            if *acknowledged {
                pick(lang, "，视为确认", ", counts as their acknowledgement")
            } else {
                ""
            },
            note.as_ref().map(|n| format!(" — {n}")).unwrap_or_default()
        ),
        StallReAlerted { minutes } => format!(
            "{} {minutes} {}",
            pick(lang, "已确认但无进展", "acknowledged but no progress for"),
            pick(lang, "分钟，请重新确认", "min: acknowledge again")
        ),
        EventJoined {
            kind, zone, more, ..
        } => format!(
            "{} {}{}{}",
            pick(lang, "报告", "reported"),
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
            pick(lang, "升级", "priority raised"),
            kind_name(*kind, lang)
        ),
        ConfirmedByTwoDetectors { devices } => format!(
            "{}: {}",
            pick(lang, "双探测器确认", "confirmed by two detectors"),
            devices.join(", ")
        ),
        FlappingDetected { flap_count } => {
            format!("{} ×{flap_count}", pick(lang, "反复报警", "flapping"))
        }
        RestoreReceived { kind, device } => format!("{} ({device})", kind_name(*kind, lang)),
        CommsRestored { source } => {
            format!("{} {source}", pick(lang, "通信恢复", "comms restored"))
        }
        Acknowledged { .. } => pick(lang, "确认报警", "acknowledged").to_string(),
        NoteAdded { text, .. } => format!("{}: {text}", pick(lang, "备注", "Note")),
        Resolved { summary, .. } => format!(
            "{}{}",
            pick(lang, "处理完毕", "resolved"),
            summary
                .as_ref()
                .map(|s| format!(": {s}"))
                .unwrap_or_default()
        ),
        CloseRequested { .. } => pick(lang, "申请关闭", "asked to close").to_string(),
        Closed { confirmed_by, .. } => format!(
            "{}{}",
            pick(lang, "关闭", "closed"),
            confirmed_by
                .as_ref()
                .map(|c| format!(" ({} {c})", pick(lang, "确认人", "confirmed by")))
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
    (!named).then(|| of(lang, &call.name))
}

/// A choice's label in `lang` from the checklist, or its id when the checklist lacks it.
fn choice_label(playbook: Option<&PlaybookView>, step: &str, choice: &str, lang: Lang) -> String {
    playbook
        .and_then(|p| p.steps.iter().find(|s| s.id == step))
        .and_then(|s| s.choices.iter().find(|c| c.id == choice))
        .map_or_else(|| choice.to_string(), |c| of(lang, &c.label).to_string())
}

/// An input's label in `lang` from the checklist, or its id when the checklist lacks it.
fn input_label(playbook: Option<&PlaybookView>, step: &str, input: &str, lang: Lang) -> String {
    playbook
        .and_then(|p| p.steps.iter().find(|s| s.id == step))
        .and_then(|s| s.inputs.iter().find(|i| i.id == input))
        .map_or_else(|| input.to_string(), |i| of(lang, &i.label).to_string())
}

/// A step as the operator knows it: its number on the checklist and the start of its words,
/// or its id when the checklist lacks it.
pub fn step_label(playbook: Option<&PlaybookView>, step: &str, lang: Lang) -> String {
    let Some((n, view)) =
        playbook.and_then(|p| p.steps.iter().enumerate().find(|(_, s)| s.id == step))
    else {
        return step.to_string();
    };
    let head = playbooks::first_words(of(lang, &view.instruction));
    format!("{} “{head}”", n + 1)
}

/// One playbook-run entry as a sentence, with the labels of choices and inputs (not their ids)
/// when the checklist is at hand.
fn run_text(event: &playbooks::RunEvent, lang: Lang, playbook: Option<&PlaybookView>) -> String {
    use playbooks::RunEvent::*;
    match event {
        RunStarted { playbook, .. } => {
            format!("{} {playbook}", pick(lang, "预案启动", "playbook started"))
        }
        StepCompleted { step, .. } => format!(
            "{} {}",
            pick(lang, "完成步骤", "step done"),
            step_label(playbook, step, lang)
        ),
        ChoiceMade { step, choice, .. } => format!(
            "{} {}",
            pick(lang, "选择", "chose"),
            choice_label(playbook, step, choice, lang)
        ),
        InputRecorded {
            step,
            input,
            value,
            previous: None,
            ..
        } => format!(
            "{} {}: {value}",
            pick(lang, "记录", "recorded"),
            input_label(playbook, step, input, lang)
        ),
        InputRecorded {
            step,
            input,
            value,
            previous: Some(previous),
            ..
        } => format!(
            "{} {}: {previous} → {value}",
            pick(lang, "更正", "corrected"),
            input_label(playbook, step, input, lang)
        ),
        StepSkipped { step, reason, .. } => format!(
            "{} {}: {reason}",
            pick(lang, "跳过步骤", "step skipped"),
            step_label(playbook, step, lang)
        ),
        StepReopened { step, .. } => format!(
            "{} {}",
            pick(lang, "撤销步骤（重新办理）", "undid step (to do again)"),
            step_label(playbook, step, lang)
        ),
        StepOverdue { step, .. } => format!(
            "{} {}",
            pick(lang, "步骤超时", "step overdue"),
            step_label(playbook, step, lang)
        ),
        NotificationRequested { tree, .. } => {
            format!("{} {tree}", pick(lang, "启动通知", "notification started"))
        }
        RunFinished { .. } => pick(lang, "预案完成", "playbook finished").to_string(),
    }
}
