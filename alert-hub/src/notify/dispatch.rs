//! Sends notices over the outside channels, each on its own task, and reports every outcome
//! back to the core, which logs it in the incident. A channel that fails is logged and the tree
//! goes on: nothing here waits for one channel before another.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::email::{SmtpSettings, send_email};
use super::message::{Notice, email_body, email_subject, webhook_body};
use super::webhook::{WebhookSettings, post_webhook};
use crate::config::NotifySettings;
use crate::protocol::Bilingual;

/// One attempt to deliver: where to, and what.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub attempt: u64,
    pub address: Address,
    pub notice: Notice,
}

/// An outside address of a contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    Webhook(String),
    Email(String),
}

/// What came of one delivery: `Ok` with a detail for the log, or the error sentence.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub incident: String,
    pub attempt: u64,
    pub result: Result<Bilingual, Bilingual>,
}

/// Starts the dispatcher: each delivery received is attempted at once, on its own task, and
/// its outcome goes to `report`. It stops when every sender of `deliveries` is dropped.
pub fn start(
    mut rx: mpsc::UnboundedReceiver<Delivery>,
    settings: &NotifySettings,
    report: impl Fn(Outcome) + Send + Sync + 'static,
) {
    let channels = Arc::new(Channels {
        webhook: WebhookSettings {
            timeout: settings.webhook_timeout,
            retries: settings.webhook_retries,
            retry_delay: Duration::from_millis(500),
        },
        smtp: settings.smtp.as_ref().map(|s| SmtpSettings {
            host: s.host.clone(),
            port: s.port,
            from: s.from.clone(),
            timeout: Duration::from_secs(10),
        }),
    });
    let report = Arc::new(report);
    tokio::spawn(async move {
        while let Some(delivery) = rx.recv().await {
            let channels = channels.clone();
            let report = report.clone();
            tokio::spawn(async move {
                let result = channels.deliver(&delivery).await;
                report(Outcome {
                    incident: delivery.notice.incident.clone(),
                    attempt: delivery.attempt,
                    result,
                });
            });
        }
    });
}

struct Channels {
    webhook: WebhookSettings,
    smtp: Option<SmtpSettings>,
}

impl Channels {
    async fn deliver(&self, delivery: &Delivery) -> Result<Bilingual, Bilingual> {
        let notice = &delivery.notice;
        match &delivery.address {
            Address::Webhook(url) => post_webhook(url, &webhook_body(notice), &self.webhook)
                .await
                .map(|d| Bilingual {
                    zh: format!("网络回调应答 {}（第 {} 次尝试）", d.status, d.attempts),
                    en: format!(
                        "webhook answered {} after {} attempt(s)",
                        d.status, d.attempts
                    ),
                })
                .map_err(|e| e.said()),
            Address::Email(to) => {
                let Some(smtp) = &self.smtp else {
                    return Err(Bilingual {
                        zh: format!("发往 {to} 的邮件：未配置 SMTP 服务器（[notify.smtp]）"),
                        en: format!("e-mail to {to}: no SMTP server is configured ([notify.smtp])"),
                    });
                };
                send_email(smtp, to, &email_subject(notice), &email_body(notice))
                    .await
                    .map(|()| Bilingual {
                        zh: format!("邮件已由 {}:{} 接收", smtp.host, smtp.port),
                        en: format!("e-mail accepted by {}:{}", smtp.host, smtp.port),
                    })
                    .map_err(|e| e.said())
            }
        }
    }
}
