//! An incident as an OASIS CAP 1.2 `<alert>`, for agencies and systems that read the Common
//! Alerting Protocol. Pure: the incident and the site's settings come in, the XML goes out.
//!
//! One message per incident: its identifier is the sender and the incident id, stable however
//! often it is exported, and `sent` is when the incident opened, in the site's offset (CAP's
//! pattern accepts `+08:00` but not `Z`, nor fractions of a second). Drill incidents are
//! `Exercise` with the drill named in `<note>`; every other incident is `Actual`.

use time::{OffsetDateTime, UtcOffset};

use crate::markup::escape;
use crate::protocol::{EventKind, IncidentState, IncidentView, Priority};

/// The CAP 1.2 namespace.
pub const NAMESPACE: &str = "urn:oasis:names:tc:emergency:cap:1.2";

/// The hub's side of a CAP message: who sends it and the site's offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapSettings<'a> {
    /// `[hub] cap_sender`.
    pub sender: &'a str,
    /// `[hub] utc_offset`.
    pub offset: UtcOffset,
    /// The site's name, when the configuration knows the site.
    pub site_name: Option<&'a str>,
}

/// A time as CAP writes it: `2026-11-22T23:40:00+08:00`, whole seconds, never `Z`.
pub fn cap_time(at: OffsetDateTime, offset: UtcOffset) -> String {
    let t = at.to_offset(offset);
    let (h, m, _) = offset.as_hms();
    let sign = if offset.is_negative() { '-' } else { '+' };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        h.unsigned_abs(),
        m.unsigned_abs(),
    )
}

/// The CAP category of a kind: Fire, Safety, Security or Infra; Other for a panel code the
/// hub does not map.
pub fn category(kind: EventKind) -> &'static str {
    use EventKind::*;
    match kind {
        FireAlarm | FirePrealarm | FireRestore => "Fire",
        FireSupervisory | FireTrouble => "Infra",
        AccessForced | AccessHeldOpen | AccessDenied | AccessTamper | AccessDuress
        | AccessRestore | PublicSecurity => "Security",
        ElevatorEntrapment | ElevatorReleased | GasLeak | Medical => "Safety",
        ElevatorFault | ElevatorRestore | Heartbeat | CommsLost | Flood => "Infra",
        UnknownCode => "Other",
    }
}

/// Urgency: `Immediate` while the incident is being handled, `Past` once resolved.
pub fn urgency(state: IncidentState) -> &'static str {
    match state {
        IncidentState::Resolved | IncidentState::Closed => "Past",
        _ => "Immediate",
    }
}

/// Severity from the priority: P1 `Extreme`, P2 `Severe`, P3 `Moderate`, P4 `Minor`.
pub fn severity(priority: Priority) -> &'static str {
    match priority {
        Priority::P1 => "Extreme",
        Priority::P2 => "Severe",
        Priority::P3 => "Moderate",
        Priority::P4 => "Minor",
    }
}

/// Certainty: `Observed` when confirmed by two detectors, reported by a person or taken in
/// hand by an operator; `Possible` for a pre-alarm nobody has looked at; `Likely` otherwise.
pub fn certainty(view: &IncidentView) -> &'static str {
    let reported_by_person = matches!(
        view.kind,
        EventKind::GasLeak | EventKind::Flood | EventKind::Medical | EventKind::PublicSecurity
    );
    let handled = view.state != IncidentState::New;
    if view.confirmed_by_two_detectors || reported_by_person || handled {
        "Observed"
    } else if view.kind == EventKind::FirePrealarm {
        "Possible"
    } else {
        "Likely"
    }
}

/// The identifier of the incident's CAP message: stable per incident, and without the
/// spaces, commas, `<` and `&` CAP forbids (any such character becomes `_`).
pub fn identifier(sender: &str, incident: &str) -> String {
    format!("{sender}.incident.{incident}")
        .chars()
        .map(|c| {
            if c.is_whitespace() || ",<&".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// The `<alert>` of one incident, as a whole XML document.
pub fn alert(view: &IncidentView, settings: &CapSettings) -> String {
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!("<alert xmlns=\"{NAMESPACE}\">\n"));
    element(
        &mut x,
        1,
        "identifier",
        &identifier(settings.sender, &view.id),
    );
    element(&mut x, 1, "sender", settings.sender);
    element(
        &mut x,
        1,
        "sent",
        &cap_time(view.opened_at, settings.offset),
    );
    let status = if view.drill.is_some() {
        "Exercise"
    } else {
        "Actual"
    };
    element(&mut x, 1, "status", status);
    element(&mut x, 1, "msgType", "Alert");
    element(&mut x, 1, "source", &view.source);
    element(&mut x, 1, "scope", "Private");
    if let Some(drill) = &view.drill {
        let note =
            format!("Drill {drill}: an exercise, not a real alarm / 演练 {drill}：非真实警情");
        element(&mut x, 1, "note", &note);
    }
    element(&mut x, 1, "incidents", &view.id);
    for lang in [Lang::Zh, Lang::En] {
        info(&mut x, view, settings, lang);
    }
    x.push_str("</alert>\n");
    x
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    Zh,
    En,
}

impl Lang {
    fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

fn info(x: &mut String, view: &IncidentView, settings: &CapSettings, lang: Lang) {
    let (zh, en) = view.kind.names();
    let event = lang.pick(zh, en);
    let place = area_desc(view, settings, lang);
    x.push_str("  <info>\n");
    element(x, 2, "language", lang.pick("zh-CN", "en-US"));
    element(x, 2, "category", category(view.kind));
    element(x, 2, "event", event);
    element(x, 2, "urgency", urgency(view.state));
    element(x, 2, "severity", severity(view.priority));
    element(x, 2, "certainty", certainty(view));
    element(x, 2, "senderName", settings.sender);
    let drill_mark = match view.drill {
        Some(_) => lang.pick("【演练】", "[DRILL] "),
        None => "",
    };
    let colon = lang.pick("：", ": ");
    element(
        x,
        2,
        "headline",
        &format!("{drill_mark}{event}{colon}{place}"),
    );
    element(
        x,
        2,
        "description",
        &description(view, settings.offset, lang),
    );
    x.push_str("    <area>\n");
    element(x, 3, "areaDesc", &place);
    x.push_str("    </area>\n");
    x.push_str("  </info>\n");
}

/// Site, building, floor and zone, as far as the device said.
fn area_desc(view: &IncidentView, settings: &CapSettings, lang: Lang) -> String {
    let location = &view.location;
    let mut parts = vec![settings.site_name.unwrap_or(&location.site).to_string()];
    if let Some(b) = &location.building {
        parts.push(format!("{}{b}", lang.pick("楼栋 ", "building ")));
    }
    if let Some(f) = &location.floor {
        parts.push(format!("{}{f}", lang.pick("楼层 ", "floor ")));
    }
    if let Some(z) = &location.zone {
        parts.push(format!("{}{z}", lang.pick("区域 ", "zone ")));
    }
    parts.join(", ")
}

fn description(view: &IncidentView, offset: UtcOffset, lang: Lang) -> String {
    let state = match view.state {
        IncidentState::New => lang.pick("未确认", "not yet acknowledged"),
        IncidentState::Acknowledged => lang.pick("已确认", "acknowledged"),
        IncidentState::InProgress => lang.pick("处理中", "in progress"),
        IncidentState::Resolved => lang.pick("已解决", "resolved"),
        IncidentState::Closed => lang.pick("已关闭", "closed"),
    };
    let opened = cap_time(view.opened_at, offset);
    let mut lines = vec![match lang {
        Lang::Zh => format!(
            "事件 {}，优先级 {}，{state}；{opened} 开始，{} 个设备共 {} 条事件。",
            view.id, view.priority, view.device_count, view.event_count
        ),
        Lang::En => format!(
            "Incident {}, priority {}, {state}; opened {opened}; events: {}, devices: {}.",
            view.id, view.priority, view.event_count, view.device_count
        ),
    }];
    if view.confirmed_by_two_detectors {
        lines.push(
            lang.pick("已由两个探测器确认。", "Confirmed by two detectors.")
                .into(),
        );
    }
    if !view.devices.is_empty() {
        let label = lang.pick("设备：", "Devices: ");
        lines.push(format!("{label}{}", view.devices.join(", ")));
    }
    if let Some(drill) = &view.drill {
        lines.push(match lang {
            Lang::Zh => format!("这是演练 {drill} 的事件，并非真实警情。"),
            Lang::En => format!("This incident belongs to drill {drill}; it is not a real alarm."),
        });
    }
    lines.join("\n")
}

fn element(x: &mut String, depth: usize, name: &str, text: &str) {
    for _ in 0..depth {
        x.push_str("  ");
    }
    x.push_str(&format!("<{name}>{}</{name}>\n", escape(text)));
}

#[cfg(test)]
mod tests;
