//! What one notification says, rendered for the outside channels (a webhook's JSON, an e-mail's
//! subject and bilingual body), and the error a channel returns when it cannot deliver.

use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

use crate::protocol::Bilingual;

/// One call to one contact about one incident, at one level of its notification tree.
#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    /// The incident's id.
    pub incident: String,
    /// `P1` (most urgent) to `P4`.
    pub priority: String,
    /// The event kind that opened the incident, e.g. `fire.alarm`.
    pub kind: String,
    pub site_id: String,
    pub site_name: String,
    /// The place from the site down, e.g. `Green Garden / B2 / 7F / 7F east corridor`.
    pub location: String,
    /// One line for a person, e.g. `P1 fire.alarm at Green Garden / B2 / 7F east corridor`.
    pub summary: String,
    /// The same line in Chinese, e.g. `P1 火警：Green Garden / B2 / 7F east corridor`.
    pub summary_zh: String,
    /// The notification tree's level that made this call, from 1.
    pub level: u32,
    pub contact_id: String,
    pub contact_name: String,
    /// The drill's id when the incident is part of a drill; `None` for a real incident.
    pub drill: Option<String>,
    /// Where the contact can acknowledge, when the hub offers one.
    pub ack_url: Option<String>,
    /// When the hub made the call.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// Why an outside channel did not deliver a notice; each reads as one sentence for the incident
/// log, in both languages ([`ChannelError::said`]); `Display` is the English, for the hub's log.
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    /// The webhook's address cannot be used, so nothing was sent.
    #[error("webhook {url}: {}", reason.en)]
    WebhookAddress { url: String, reason: Bilingual },
    /// Every attempt to post to the webhook failed; `failure` is how the last one did.
    #[error("webhook {url}: {failure} after {}", attempts_text(*attempts))]
    Webhook {
        url: String,
        failure: WebhookFailure,
        attempts: u32,
    },
    /// The e-mail could not be built (e.g. an address is not valid), so nothing was sent.
    #[error("e-mail to {to}: {}", reason.en)]
    EmailInvalid { to: String, reason: Bilingual },
    /// The SMTP server could not be reached or did not accept the message.
    #[error("e-mail to {to} via smtp {server}: {}", reason.en)]
    Email {
        to: String,
        server: String,
        reason: Bilingual,
    },
}

impl ChannelError {
    /// The sentence for the incident log, in Chinese and English.
    pub fn said(&self) -> Bilingual {
        let zh = match self {
            ChannelError::WebhookAddress { url, reason } => {
                format!("网络回调 {url}：{}", reason.zh)
            }
            ChannelError::Webhook {
                url,
                failure,
                attempts,
            } => format!(
                "网络回调 {url}：{}（共尝试 {attempts} 次）",
                failure.said().zh
            ),
            ChannelError::EmailInvalid { to, reason } => format!("发往 {to} 的邮件：{}", reason.zh),
            ChannelError::Email { to, server, reason } => {
                format!("经 SMTP {server} 发往 {to} 的邮件：{}", reason.zh)
            }
        };
        Bilingual {
            zh,
            en: self.to_string(),
        }
    }
}

/// How one attempt to post to a webhook failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookFailure {
    /// No connection could be made or the connection broke, e.g. `connection refused`.
    Connection(Bilingual),
    /// The receiver did not finish answering within the attempt's time limit.
    Timeout(Duration),
    /// The receiver answered with a status other than 2xx; `body` is the start of its answer.
    Status { code: u16, body: String },
}

impl WebhookFailure {
    /// Whether another attempt may succeed: connection failures, timeouts and 5xx answers.
    pub fn is_retryable(&self) -> bool {
        match self {
            WebhookFailure::Connection(_) | WebhookFailure::Timeout(_) => true,
            WebhookFailure::Status { code, .. } => *code >= 500,
        }
    }
}

impl WebhookFailure {
    /// How the attempt failed, in Chinese and English.
    pub fn said(&self) -> Bilingual {
        let zh = match self {
            WebhookFailure::Connection(reason) => reason.zh.clone(),
            WebhookFailure::Timeout(limit) => format!("{}内无应答", seconds(*limit)),
            WebhookFailure::Status { code, body } if body.is_empty() => format!("应答 HTTP {code}"),
            WebhookFailure::Status { code, body } => format!("应答 HTTP {code}（{body}）"),
        };
        Bilingual {
            zh,
            en: self.to_string(),
        }
    }
}

/// A time limit as people say it: `5 秒`, `1.5 秒`.
pub(crate) fn seconds(limit: Duration) -> String {
    format!("{} 秒", limit.as_secs_f64())
}

impl std::fmt::Display for WebhookFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WebhookFailure::Connection(reason) => f.write_str(&reason.en),
            WebhookFailure::Timeout(limit) => write!(f, "no answer within {limit:?}"),
            WebhookFailure::Status { code, body } => {
                write!(f, "answered HTTP {code}")?;
                if let Some(reason) = hyper::StatusCode::from_u16(*code)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                {
                    write!(f, " {reason}")?;
                }
                if !body.is_empty() {
                    write!(f, " ({body})")?;
                }
                Ok(())
            }
        }
    }
}

fn attempts_text(attempts: u32) -> String {
    if attempts == 1 {
        "1 attempt".to_string()
    } else {
        format!("{attempts} attempts")
    }
}

/// Why a connection or exchange failed, in a few words: a plain phrase for the innermost I/O
/// error in `error`'s chain (e.g. `connection refused`), or else the innermost error's message.
pub(crate) fn failure_reason(error: &(dyn std::error::Error + 'static)) -> Bilingual {
    let mut innermost = error;
    loop {
        if let Some(io) = innermost.downcast_ref::<std::io::Error>() {
            return io_reason(io);
        }
        match innermost.source() {
            Some(source) => innermost = source,
            None => {
                let text = innermost.to_string();
                return Bilingual {
                    zh: format!("出错：{text}"),
                    en: text,
                };
            }
        }
    }
}

fn io_reason(error: &std::io::Error) -> Bilingual {
    use std::io::ErrorKind;
    let (zh, en) = match error.kind() {
        ErrorKind::ConnectionRefused => ("连接被拒绝", "connection refused"),
        ErrorKind::ConnectionReset => ("连接被重置", "connection reset"),
        ErrorKind::ConnectionAborted => ("连接中断", "connection aborted"),
        ErrorKind::NotConnected => ("未连接", "not connected"),
        ErrorKind::AddrNotAvailable => ("地址不可用", "address not available"),
        ErrorKind::TimedOut => ("连接超时", "connection timed out"),
        ErrorKind::UnexpectedEof => ("应答前连接已关闭", "connection closed before the answer"),
        _ => {
            let text = error.to_string();
            return Bilingual {
                zh: format!("网络出错：{text}"),
                en: text,
            };
        }
    };
    Bilingual {
        zh: zh.to_string(),
        en: en.to_string(),
    }
}

/// The JSON a webhook receives: every field of the notice under its own name, `at` in RFC 3339,
/// and `"drill": true` with the drill's id in `drill_id` for a drill (`false` and `null` for a
/// real incident), so a receiver can tell a drill from a real call by one field.
pub fn webhook_body(notice: &Notice) -> Value {
    json!({
        "incident": notice.incident,
        "priority": notice.priority,
        "kind": notice.kind,
        "site_id": notice.site_id,
        "site_name": notice.site_name,
        "location": notice.location,
        "summary": notice.summary,
        "summary_zh": notice.summary_zh,
        "level": notice.level,
        "contact_id": notice.contact_id,
        "contact_name": notice.contact_name,
        "drill": notice.drill.is_some(),
        "drill_id": notice.drill,
        "ack_url": notice.ack_url,
        "at": rfc3339(notice.at),
    })
}

/// The e-mail's subject on one line: `[DRILL 演练] ` first for a drill, then
/// `[P1] fire.alarm — <site> / <location>` (the site is not repeated when the location already
/// starts with it).
pub fn email_subject(notice: &Notice) -> String {
    let drill = if notice.drill.is_some() {
        "[DRILL 演练] "
    } else {
        ""
    };
    let subject = format!(
        "{drill}[{}] {} — {}",
        notice.priority,
        notice.kind,
        place(notice)
    );
    one_line(&subject)
}

/// The e-mail's plain-text body, in Chinese and English: a drill warning first for a drill, the
/// summary, where, when, the incident, the level, who it is for, and how to acknowledge.
pub fn email_body(notice: &Notice) -> String {
    let mut lines = Vec::new();
    if let Some(drill) = &notice.drill {
        lines.push("【演练】这是演练通知，不是真实事件。".to_string());
        lines.push("[DRILL] This is a drill notice, not a real incident.".to_string());
        lines.push(format!("演练 Drill: {drill}"));
        lines.push(String::new());
    }
    lines.push(one_line(&notice.summary_zh));
    lines.push(one_line(&notice.summary));
    lines.push(String::new());
    lines.push(format!("地点 Where: {}", place(notice)));
    lines.push(format!("时间 When: {}", readable_time(notice.at)));
    lines.push(format!(
        "事件 Incident: {} ({} {})",
        notice.incident, notice.priority, notice.kind
    ));
    lines.push(format!(
        "通知级别 Level: 第 {} 级 / level {}",
        notice.level, notice.level
    ));
    lines.push(format!(
        "致 To: {} ({})",
        notice.contact_name, notice.contact_id
    ));
    lines.push(String::new());
    match &notice.ack_url {
        Some(url) => {
            lines.push(format!("确认 请打开 / acknowledge: {url}"));
        }
        None => {
            lines.push("请联系控制室确认。".to_string());
            lines.push("Please acknowledge with the control room.".to_string());
        }
    }
    lines.push(String::new());
    let mut body = lines.join("\n");
    body.push('\n');
    body
}

/// The site and location as one path, without repeating the site.
fn place(notice: &Notice) -> String {
    if notice.location.starts_with(&notice.site_name) || notice.site_name.is_empty() {
        notice.location.clone()
    } else if notice.location.is_empty() {
        notice.site_name.clone()
    } else {
        format!("{} / {}", notice.site_name, notice.location)
    }
}

/// `text` with every control character (line breaks included) turned into a space.
pub(crate) fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// RFC 3339, falling back to UTC and then to the plain display for times RFC 3339 cannot hold.
fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339)
        .or_else(|_| at.to_offset(time::UtcOffset::UTC).format(&Rfc3339))
        .unwrap_or_else(|_| at.to_string())
}

/// `2025-03-14 09:26:53 +08:00`, in the notice's own offset.
fn readable_time(at: OffsetDateTime) -> String {
    let format = format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second] [offset_hour sign:mandatory]:[offset_minute]"
    );
    at.format(&format).unwrap_or_else(|_| rfc3339(at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn fire_alarm() -> Notice {
        Notice {
            incident: "INC-20250314-0007".into(),
            priority: "P1".into(),
            kind: "fire.alarm".into(),
            site_id: "green-garden".into(),
            site_name: "Green Garden".into(),
            location: "Green Garden / B2 / 7F / 7F east corridor".into(),
            summary:
                "P1 fire alarm at Green Garden B2 7F east corridor, confirmed by two detectors"
                    .into(),
            summary_zh: "P1 火警：Green Garden / B2 / 7F / 7F east corridor，两个探测器确认".into(),
            level: 2,
            contact_id: "c-wang".into(),
            contact_name: "王伟 Wang Wei".into(),
            drill: None,
            ack_url: Some("http://hub.local/ack/INC-20250314-0007?t=abc".into()),
            at: datetime!(2025-03-14 09:26:53 +08:00),
        }
    }

    fn drill() -> Notice {
        Notice {
            drill: Some("2025-Q1-fire-evacuation".into()),
            ack_url: None,
            ..fire_alarm()
        }
    }

    #[test]
    fn webhook_body_carries_every_field_and_rfc3339_time() {
        let body = webhook_body(&fire_alarm());
        assert_eq!(body["incident"], "INC-20250314-0007");
        assert_eq!(body["priority"], "P1");
        assert_eq!(body["kind"], "fire.alarm");
        assert_eq!(body["site_id"], "green-garden");
        assert_eq!(body["site_name"], "Green Garden");
        assert_eq!(
            body["location"],
            "Green Garden / B2 / 7F / 7F east corridor"
        );
        assert!(body["summary"].as_str().unwrap().contains("two detectors"));
        assert!(
            body["summary_zh"]
                .as_str()
                .unwrap()
                .contains("两个探测器确认")
        );
        assert_eq!(body["level"], 2);
        assert_eq!(body["contact_id"], "c-wang");
        assert_eq!(body["contact_name"], "王伟 Wang Wei");
        assert_eq!(body["drill"], false);
        assert_eq!(body["drill_id"], Value::Null);
        assert_eq!(
            body["ack_url"],
            "http://hub.local/ack/INC-20250314-0007?t=abc"
        );
        assert_eq!(body["at"], "2025-03-14T09:26:53+08:00");
    }

    #[test]
    fn webhook_body_marks_a_drill() {
        let body = webhook_body(&drill());
        assert_eq!(body["drill"], true);
        assert_eq!(body["drill_id"], "2025-Q1-fire-evacuation");
        assert_eq!(body["ack_url"], Value::Null);
    }

    #[test]
    fn serialized_notice_has_rfc3339_time() {
        let value = serde_json::to_value(fire_alarm()).unwrap();
        assert_eq!(value["at"], "2025-03-14T09:26:53+08:00");
    }

    #[test]
    fn subject_names_priority_kind_and_place() {
        assert_eq!(
            email_subject(&fire_alarm()),
            "[P1] fire.alarm — Green Garden / B2 / 7F / 7F east corridor"
        );
    }

    #[test]
    fn drill_subject_starts_with_the_drill_marker() {
        assert_eq!(
            email_subject(&drill()),
            "[DRILL 演练] [P1] fire.alarm — Green Garden / B2 / 7F / 7F east corridor"
        );
    }

    #[test]
    fn subject_adds_the_site_when_the_location_lacks_it() {
        let notice = Notice {
            location: "L3 / car 2".into(),
            kind: "lift.entrapment".into(),
            priority: "P2".into(),
            ..fire_alarm()
        };
        assert_eq!(
            email_subject(&notice),
            "[P2] lift.entrapment — Green Garden / L3 / car 2"
        );
    }

    #[test]
    fn subject_stays_on_one_line() {
        let notice = Notice {
            location: "Green Garden / B2\r\nBcc: someone@example.com".into(),
            ..fire_alarm()
        };
        let subject = email_subject(&notice);
        assert!(
            !subject.contains('\r') && !subject.contains('\n'),
            "{subject}"
        );
    }

    #[test]
    fn body_says_what_where_when_and_how_to_acknowledge() {
        let body = email_body(&fire_alarm());
        assert!(body.starts_with(
            "P1 火警：Green Garden / B2 / 7F / 7F east corridor，两个探测器确认\n\
             P1 fire alarm at Green Garden B2 7F east corridor, confirmed by two detectors\n"
        ));
        assert!(body.contains("地点 Where: Green Garden / B2 / 7F / 7F east corridor\n"));
        assert!(body.contains("时间 When: 2025-03-14 09:26:53 +08:00\n"));
        assert!(body.contains("事件 Incident: INC-20250314-0007 (P1 fire.alarm)\n"));
        assert!(body.contains("通知级别 Level: 第 2 级 / level 2\n"));
        assert!(body.contains("致 To: 王伟 Wang Wei (c-wang)\n"));
        assert!(body.contains("acknowledge: http://hub.local/ack/INC-20250314-0007?t=abc\n"));
        assert!(!body.contains("演练"));
    }

    #[test]
    fn drill_body_warns_first_and_asks_the_control_room_without_an_ack_url() {
        let body = email_body(&drill());
        assert!(body.starts_with("【演练】这是演练通知，不是真实事件。\n"));
        assert!(body.contains("This is a drill notice, not a real incident."));
        assert!(body.contains("演练 Drill: 2025-Q1-fire-evacuation\n"));
        assert!(body.contains("Please acknowledge with the control room."));
        assert!(!body.contains("acknowledge: "));
    }

    #[test]
    fn failures_read_as_sentences() {
        let refused = ChannelError::Webhook {
            url: "http://127.0.0.1:9/x".into(),
            failure: WebhookFailure::Connection(Bilingual {
                zh: "连接被拒绝".into(),
                en: "connection refused".into(),
            }),
            attempts: 3,
        };
        assert_eq!(
            refused.to_string(),
            "webhook http://127.0.0.1:9/x: connection refused after 3 attempts"
        );
        assert_eq!(
            refused.said().zh,
            "网络回调 http://127.0.0.1:9/x：连接被拒绝（共尝试 3 次）",
            "the log reads in Chinese too"
        );
        let rejected = ChannelError::Webhook {
            url: "http://127.0.0.1:9/x".into(),
            failure: WebhookFailure::Status {
                code: 400,
                body: "missing field".into(),
            },
            attempts: 1,
        };
        assert_eq!(
            rejected.to_string(),
            "webhook http://127.0.0.1:9/x: answered HTTP 400 Bad Request (missing field) after 1 attempt"
        );
        let slow = WebhookFailure::Timeout(Duration::from_millis(1500));
        assert_eq!(slow.to_string(), "no answer within 1.5s");
        assert_eq!(slow.said().zh, "1.5 秒内无应答");
    }

    #[test]
    fn only_connection_failures_timeouts_and_5xx_are_retryable() {
        assert!(WebhookFailure::Connection(Bilingual::default()).is_retryable());
        assert!(WebhookFailure::Timeout(Duration::from_secs(1)).is_retryable());
        let status = |code| WebhookFailure::Status {
            code,
            body: String::new(),
        };
        assert!(status(503).is_retryable());
        assert!(!status(404).is_retryable());
        assert!(!status(301).is_retryable());
    }
}
