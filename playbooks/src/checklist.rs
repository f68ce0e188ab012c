//! A playbook printed as a numbered checklist for people, in Chinese or English; all of this
//! text, and nothing else the crate prints, lives here.

use std::fmt::Write;

use crate::library::Library;
use crate::model::{Flow, InputKind, NotifyAction, Playbook, Step};
use crate::text::Lang;

/// The words of the checklist in one language.
struct Words {
    triggered_by: &'static str,
    role: &'static str,
    deadline: &'static str,
    after_start: &'static str,
    starts_tree: &'static str,
    extends_tree: &'static str,
    choices: &'static str,
    step: &'static str,
    end: &'static str,
    then: &'static str,
    records: &'static str,
    required: &'static str,
    skippable: &'static str,
    external: &'static str,
    calls: &'static str,
    number: &'static str,
    text: &'static str,
    time: &'static str,
    sep: &'static str,
    /// Brackets and the list comma around a note such as "(time, required)".
    open: &'static str,
    close: &'static str,
    comma: &'static str,
    /// Units of a deadline: hours, minutes, seconds.
    units: [&'static str; 3],
}

const ZH: Words = Words {
    triggered_by: "触发事件",
    role: "负责",
    deadline: "时限",
    after_start: "（自事件开始）",
    starts_tree: "启动通知树",
    extends_tree: "追加通知树",
    choices: "选择",
    step: "第 {} 步",
    end: "结束",
    then: "然后",
    records: "记录",
    required: "必填",
    skippable: "可跳过（须说明原因）",
    external: "外部单位",
    calls: "致电",
    number: "数字",
    text: "文字",
    time: "时间",
    sep: "：",
    open: "（",
    close: "）",
    comma: "，",
    units: ["小时", "分钟", "秒"],
};

const EN: Words = Words {
    triggered_by: "Triggered by",
    role: "Role",
    deadline: "Deadline",
    after_start: " after the incident starts",
    starts_tree: "Starts notification tree",
    extends_tree: "Extends notification tree",
    choices: "Choices",
    step: "step {}",
    end: "end",
    then: "Then",
    records: "Records",
    required: "required",
    skippable: "May be skipped (with a reason)",
    external: "outside party",
    calls: "Calls",
    number: "number",
    text: "text",
    time: "time",
    sep: ": ",
    open: " (",
    close: ")",
    comma: ", ",
    units: [" h ", " min ", " s "],
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// The playbook as a numbered checklist: each step's instruction, role, deadline, notification,
/// inputs, choices and where they lead. Role and tree names come from `library`.
pub fn render(playbook: &Playbook, library: &Library, lang: Lang) -> String {
    let w = words(lang);
    let mut out = String::new();
    let _ = writeln!(out, "{}  [{}]", playbook.title.get(lang), playbook.id);
    let _ = writeln!(
        out,
        "{}{}{}",
        w.triggered_by,
        w.sep,
        playbook.triggers.join(", ")
    );
    for (i, step) in playbook.steps.iter().enumerate() {
        out.push('\n');
        render_step(&mut out, playbook, library, lang, i, step);
    }
    out
}

fn render_step(
    out: &mut String,
    playbook: &Playbook,
    library: &Library,
    lang: Lang,
    i: usize,
    step: &Step,
) {
    let w = words(lang);
    let _ = writeln!(out, "{}. {}", i + 1, step.instruction.get(lang));
    let role_name = |id: &str| {
        let role = library.roles().get(id);
        let name = role.map_or(id.to_owned(), |r| r.name.get(lang).to_owned());
        match role {
            Some(r) if r.external => format!("{name}{}{}{}", w.open, w.external, w.close),
            _ => name,
        }
    };
    let _ = write!(out, "   {}{}{}", w.role, w.sep, role_name(&step.role));
    if let Some(deadline) = step.deadline {
        let _ = write!(
            out,
            "   {}{}{}{}",
            w.deadline,
            w.sep,
            spell(deadline, w),
            w.after_start
        );
    }
    out.push('\n');
    if let Some(notify) = &step.notify {
        let verb = match notify.action {
            NotifyAction::Start => w.starts_tree,
            NotifyAction::Extend => w.extends_tree,
        };
        let title = library.tree(&notify.tree).map_or("", |t| t.title.get(lang));
        let _ = writeln!(
            out,
            "   {verb}{}{}{}{title}{}",
            w.sep, notify.tree, w.open, w.close
        );
    }
    if !step.calls.is_empty() {
        let parties: Vec<String> = step
            .calls
            .iter()
            .map(|id| {
                let phone = library.roles().get(id).and_then(|r| r.phone.as_deref());
                match phone {
                    Some(phone) => format!("{} ☎ {phone}", role_name(id)),
                    None => role_name(id),
                }
            })
            .collect();
        let _ = writeln!(out, "   {}{}{}", w.calls, w.sep, parties.join(w.comma));
    }
    for input in &step.inputs {
        let kind = match input.kind {
            InputKind::Number => w.number,
            InputKind::Text => w.text,
            InputKind::Time => w.time,
        };
        let required = if input.required {
            format!("{}{}", w.comma, w.required)
        } else {
            String::new()
        };
        let label = input.label.get(lang);
        let _ = writeln!(
            out,
            "   {}{}{label}{}{kind}{required}{}",
            w.records, w.sep, w.open, w.close
        );
    }
    if step.skippable {
        let _ = writeln!(out, "   {}", w.skippable);
    }
    let target = |next: Option<&str>| match next.and_then(|id| playbook.step_index(id)) {
        Some(index) => w.step.replace("{}", &(index + 1).to_string()),
        None => w.end.to_owned(),
    };
    match &step.flow {
        Flow::Choices(choices) => {
            let _ = writeln!(out, "   {}{}", w.choices, w.sep.trim_end());
            for choice in choices {
                let _ = writeln!(
                    out,
                    "     - {} -> {}",
                    choice.label.get(lang),
                    target(choice.next.as_deref())
                );
            }
        }
        Flow::Next(id) if playbook.step_index(id) != Some(i + 1) => {
            let _ = writeln!(out, "   {}{}{}", w.then, w.sep, target(Some(id)));
        }
        Flow::End if i + 1 < playbook.steps.len() => {
            let _ = writeln!(out, "   {}{}{}", w.then, w.sep, w.end);
        }
        Flow::Next(_) | Flow::End => {}
    }
}

/// A deadline in words, e.g. `1 h 30 min` or `1小时30分钟`.
fn spell(duration: time::Duration, w: &Words) -> String {
    let mut seconds = duration.whole_seconds().max(0);
    let mut out = String::new();
    for (unit, size) in w.units.iter().zip([3600, 60, 1]) {
        if seconds >= size {
            out.push_str(&(seconds / size).to_string());
            out.push_str(unit);
            seconds %= size;
        }
    }
    out.trim_end().to_owned()
}
