//! The demo's outside parties on loopback: a pager that takes every webhook notice and a mailbox
//! that takes every e-mail (plain SMTP), each on a free port, so that the demo's notices are
//! delivered as on a site whose channels work. The demo's hub is pointed at them; each notice
//! they take is logged (the demo's log file), its content is dropped.

use std::net::SocketAddr;

use alert_hub::config::{HubConfig, Smtp};
use axum::Router;
use axum::http::{StatusCode, Uri};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The running pager and mailbox; they stop when this is dropped.
#[derive(Debug)]
pub struct DemoOutside {
    /// Where the pager takes `POST`s.
    pub pager: SocketAddr,
    /// Where the mailbox speaks SMTP.
    pub mailbox: SocketAddr,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for DemoOutside {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl DemoOutside {
    /// Starts both on free loopback ports.
    pub async fn start() -> std::io::Result<DemoOutside> {
        let pager = TcpListener::bind(("127.0.0.1", 0)).await?;
        let mailbox = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addrs = (pager.local_addr()?, mailbox.local_addr()?);
        let app = Router::new().fallback(page);
        let pager_task = tokio::spawn(async move {
            if let Err(e) = axum::serve(pager, app).await {
                tracing::warn!(error = %e, "the demo pager stopped");
            }
        });
        let mailbox_task = tokio::spawn(accept_mail(mailbox));
        Ok(DemoOutside {
            pager: addrs.0,
            mailbox: addrs.1,
            tasks: vec![pager_task, mailbox_task],
        })
    }

    /// Points every contact's webhook at the pager (keeping the address's path, which names
    /// the contact) and the hub's e-mail at the mailbox.
    pub fn serve(&self, config: &mut HubConfig) {
        for contact in &mut config.contacts {
            if let Some(url) = contact.webhook.as_mut() {
                *url = format!("http://{}{}", self.pager, path_of(url));
            }
        }
        let from = config
            .notify
            .smtp
            .as_ref()
            .map_or("control-room@demo.example".to_string(), |s| s.from.clone());
        config.notify.smtp = Some(Smtp {
            host: self.mailbox.ip().to_string(),
            port: self.mailbox.port(),
            from,
        });
    }
}

/// The path of an `http://` address, `/` when it has none.
fn path_of(url: &str) -> &str {
    let rest = url.strip_prefix("http://").unwrap_or(url);
    rest.find('/').map_or("/", |at| &rest[at..])
}

/// Takes one webhook notice.
async fn page(uri: Uri) -> StatusCode {
    tracing::info!(path = %uri.path(), "the demo pager took a notice");
    StatusCode::NO_CONTENT
}

async fn accept_mail(listener: TcpListener) {
    loop {
        match listener.accept().await {
            Ok((socket, _)) => {
                tokio::spawn(async move {
                    if let Err(e) = smtp_session(socket).await {
                        tracing::warn!(error = %e, "a demo mailbox session failed");
                    }
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, "the demo mailbox cannot accept");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}

/// One SMTP conversation, the smallest a plain client needs: greeting, EHLO/HELO, MAIL, RCPT,
/// DATA up to the lone dot, RSET, NOOP, QUIT. Every message is accepted and dropped.
pub async fn smtp_session(socket: impl AsyncRead + AsyncWrite + Unpin) -> std::io::Result<()> {
    let (read, mut write) = tokio::io::split(socket);
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 demo mailbox ready\r\n").await?;
    let mut to = Vec::new();
    while let Some(line) = lines.next_line().await? {
        let verb = line.get(..4).unwrap_or(&line).to_ascii_uppercase();
        let answer: &[u8] = match verb.as_str() {
            "EHLO" | "HELO" => b"250 demo mailbox\r\n",
            "MAIL" | "RSET" | "NOOP" => b"250 OK\r\n",
            "RCPT" => {
                to.push(line.get(8..).unwrap_or("").trim().to_string());
                b"250 OK\r\n"
            }
            "DATA" => {
                write
                    .write_all(b"354 end the message with a lone dot\r\n")
                    .await?;
                while let Some(body) = lines.next_line().await? {
                    if body == "." {
                        break;
                    }
                }
                tracing::info!(to = %to.join(", "), "the demo mailbox took an e-mail");
                to.clear();
                b"250 OK: taken\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 not implemented\r\n",
        };
        write.write_all(answer).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::Duration;

    use alert_hub::config::DEMO_CONFIG;
    use alert_hub::notify::email::{SmtpSettings, send_email};
    use alert_hub::notify::webhook::{WebhookSettings, post_webhook};

    use super::*;

    #[tokio::test]
    async fn the_pager_and_the_mailbox_take_what_the_hub_sends() {
        let outside = DemoOutside::start().await.unwrap();
        let mut config = HubConfig::parse(DEMO_CONFIG, Path::new("demo-site.toml")).unwrap();
        outside.serve(&mut config);
        let contact = &config.contacts[0];
        let url = contact.webhook.clone().unwrap();
        assert_eq!(
            url,
            format!("http://{}/pager/{}", outside.pager, contact.id)
        );
        let settings = WebhookSettings {
            timeout: Duration::from_secs(5),
            retries: 0,
            retry_delay: Duration::from_millis(10),
        };
        let body = serde_json::json!({ "incident": "INC-1" });
        let delivered = post_webhook(&url, &body, &settings).await.unwrap();
        assert_eq!(delivered.status, 204);
        let smtp = config.notify.smtp.clone().unwrap();
        assert_eq!(smtp.port, outside.mailbox.port());
        let smtp = SmtpSettings {
            host: smtp.host,
            port: smtp.port,
            from: smtp.from,
            timeout: Duration::from_secs(5),
        };
        let to = contact.email.clone().unwrap();
        send_email(&smtp, &to, "P1 火警 INC-1", "a notice\n.\nwith a dot line")
            .await
            .unwrap();
    }

    #[test]
    fn a_path_is_kept_and_a_bare_address_gets_the_root() {
        assert_eq!(path_of("http://127.0.0.1:7480/pager/gg"), "/pager/gg");
        assert_eq!(path_of("http://10.0.0.5:8080"), "/");
    }
}
