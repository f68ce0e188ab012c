//! Sending a notice as a plain-text UTF-8 e-mail through an SMTP server.
//!
//! The hub speaks plain SMTP only: no TLS (neither STARTTLS nor implicit TLS) and no
//! authentication, which suits a relay on the site's own network or on the same machine. A server
//! that insists on either will refuse the message, and [`send_email`] says so.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::message::{ChannelError, failure_reason, one_line, seconds};
use crate::protocol::Bilingual;

/// Where and as whom the hub sends e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    /// The SMTP server's host name or IP address.
    pub host: String,
    pub port: u16,
    /// The sender, `alerts@example.com` or `Control room <alerts@example.com>`.
    pub from: String,
    /// The most one send may take, from connecting to the server's last answer.
    pub timeout: Duration,
}

/// Sends one plain-text e-mail to `to` (`name@host` or `Name <name@host>`), in one attempt.
///
/// Subject and body may hold any Unicode text: the subject is encoded per RFC 2047 and the body
/// as UTF-8 with a transfer encoding safe for any server. Line breaks in `subject` become spaces.
/// Must run inside a tokio runtime.
pub async fn send_email(
    smtp: &SmtpSettings,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<(), ChannelError> {
    let message = build_message(&smtp.from, to, subject, body)?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.as_str())
        .port(smtp.port)
        .timeout(Some(smtp.timeout))
        .build();
    let failed = |reason: Bilingual| ChannelError::Email {
        to: to.to_string(),
        server: server_name(smtp),
        reason,
    };
    match tokio::time::timeout(smtp.timeout, transport.send(message)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(error)) => Err(failed(smtp_reason(&error, smtp.timeout))),
        Err(_) => Err(failed(no_answer(smtp.timeout))),
    }
}

fn build_message(from: &str, to: &str, subject: &str, body: &str) -> Result<Message, ChannelError> {
    let invalid = |zh: String, en: String| ChannelError::EmailInvalid {
        to: to.to_string(),
        reason: Bilingual { zh, en },
    };
    let sender: Mailbox = from.parse().map_err(|e| {
        invalid(
            format!("发件人 {from:?} 不是有效的邮件地址（{e}）"),
            format!("the sender {from:?} is not a valid address ({e})"),
        )
    })?;
    let recipient: Mailbox = to.parse().map_err(|e| {
        invalid(
            format!("不是有效的邮件地址（{e}）"),
            format!("not a valid address ({e})"),
        )
    })?;
    Message::builder()
        .from(sender)
        .to(recipient)
        .subject(one_line(subject))
        .header(ContentType::TEXT_PLAIN)
        .body(body.to_string())
        .map_err(|e| {
            invalid(
                format!("无法生成邮件（{e}）"),
                format!("cannot build the message ({e})"),
            )
        })
}

/// `host:port`, with an IPv6 address in brackets.
fn server_name(smtp: &SmtpSettings) -> String {
    if smtp.host.contains(':') {
        format!("[{}]:{}", smtp.host, smtp.port)
    } else {
        format!("{}:{}", smtp.host, smtp.port)
    }
}

fn smtp_reason(error: &lettre::transport::smtp::Error, timeout: Duration) -> Bilingual {
    let (zh, en) = if error.is_timeout() {
        return no_answer(timeout);
    } else if error.is_permanent() {
        (
            format!("服务器拒收：{error}"),
            format!("the server rejected the message: {error}"),
        )
    } else if error.is_transient() {
        (
            format!("服务器暂缓接收：{error}"),
            format!("the server deferred the message: {error}"),
        )
    } else {
        return failure_reason(error);
    };
    Bilingual { zh, en }
}

fn no_answer(timeout: Duration) -> Bilingual {
    Bilingual {
        zh: format!("{}内无应答", seconds(timeout)),
        en: format!("no answer within {timeout:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_recipient_is_refused_before_sending() {
        let err = build_message("hub@example.com", "not an address", "s", "b").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("e-mail to not an address: not a valid address"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_sender_is_refused_before_sending() {
        let err = build_message("hub@", "ops@example.com", "s", "b").unwrap_err();
        assert!(err.to_string().contains("the sender \"hub@\""), "{err}");
    }

    #[test]
    fn named_mailboxes_and_unicode_subjects_build() {
        let message = build_message(
            "控制室 Control room <hub@example.com>",
            "王伟 <wang@example.com>",
            "[DRILL 演练] [P1] fire.alarm — 绿园 / B2",
            "正文 body\n",
        )
        .unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        assert!(
            raw.is_ascii(),
            "headers and body are encoded for any server:\n{raw}"
        );
        assert!(raw.contains("Subject: [DRILL =?utf-8?b?"), "{raw}");
        assert!(
            raw.contains("Content-Type: text/plain; charset=utf-8"),
            "{raw}"
        );
    }

    #[test]
    fn line_breaks_in_a_subject_cannot_add_headers() {
        let message = build_message(
            "hub@example.com",
            "ops@example.com",
            "alarm\r\nBcc: someone@example.com",
            "b",
        )
        .unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        assert!(!raw.contains("\r\nBcc:"), "{raw}");
    }

    #[test]
    fn ipv6_servers_are_named_in_brackets() {
        let smtp = SmtpSettings {
            host: "::1".into(),
            port: 25,
            from: "hub@example.com".into(),
            timeout: Duration::from_secs(1),
        };
        assert_eq!(server_name(&smtp), "[::1]:25");
    }
}
