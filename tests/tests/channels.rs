//! The outside notification channels against real receivers on loopback: HTTP webhook receivers
//! started in the test, and an SMTP server run with Debian's `python3-aiosmtpd`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use alert_hub::notify::message::{
    ChannelError, Notice, WebhookFailure, email_body, email_subject, webhook_body,
};
use time::macros::datetime;

fn fire_alarm() -> Notice {
    Notice {
        incident: "INC-20250314-0007".into(),
        priority: "P1".into(),
        kind: "fire.alarm".into(),
        site_id: "green-garden".into(),
        site_name: "Green Garden".into(),
        location: "Green Garden / B2 / 7F / 7F east corridor".into(),
        summary: "P1 fire alarm at Green Garden B2 7F east corridor, confirmed by two detectors"
            .into(),
        summary_zh: "P1 火警：Green Garden / B2 / 7F / 7F east corridor，两个探测器确认".into(),
        level: 1,
        contact_id: "c-wang".into(),
        contact_name: "王伟 Wang Wei".into(),
        drill: None,
        ack_url: Some("http://hub.local/ack/INC-20250314-0007?t=abc".into()),
        at: datetime!(2025-03-14 09:26:53 +08:00),
    }
}

use system_tests::outside::closed_port;

mod webhook {
    use super::*;
    use alert_hub::notify::webhook::{WebhookSettings, post_webhook};
    use axum::Router;
    use axum::body::Bytes;
    use axum::http::{HeaderMap, StatusCode};
    use axum::routing::post;
    use tokio::io::AsyncReadExt;
    use tokio::sync::mpsc;

    fn quick(retries: u32) -> WebhookSettings {
        WebhookSettings {
            timeout: Duration::from_secs(5),
            retries,
            retry_delay: Duration::from_millis(10),
        }
    }

    async fn serve(router: Router) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        addr
    }

    /// A receiver at `/hook` that answers each request with `answer(n)`, n counting from 1.
    async fn counting_receiver(
        answer: fn(u32) -> (StatusCode, &'static str),
    ) -> (SocketAddr, Arc<AtomicU32>) {
        let hits = Arc::new(AtomicU32::new(0));
        let counter = hits.clone();
        let router = Router::new().route(
            "/hook",
            post(move || {
                let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                async move { answer(n) }
            }),
        );
        (serve(router).await, hits)
    }

    #[tokio::test]
    async fn the_body_arrives_as_json_with_every_field() {
        let (tx, mut rx) = mpsc::unbounded_channel::<(HeaderMap, Bytes)>();
        let router = Router::new().route(
            "/hooks/alarm",
            post(move |headers: HeaderMap, body: Bytes| {
                let tx = tx.clone();
                async move {
                    tx.send((headers, body)).unwrap();
                    StatusCode::NO_CONTENT
                }
            }),
        );
        let addr = serve(router).await;
        let notice = Notice {
            drill: Some("2025-Q1-fire-evacuation".into()),
            ..fire_alarm()
        };
        let body = webhook_body(&notice);

        let url = format!("http://{addr}/hooks/alarm");
        let delivered = post_webhook(&url, &body, &quick(2)).await.unwrap();

        assert_eq!(delivered.attempts, 1);
        assert_eq!(delivered.status, 204);
        let (headers, raw) = rx.recv().await.unwrap();
        assert_eq!(headers["content-type"], "application/json");
        let received: serde_json::Value = serde_json::from_slice(&raw).unwrap();
        assert_eq!(received, body);
        assert_eq!(received["incident"], "INC-20250314-0007");
        assert_eq!(received["priority"], "P1");
        assert_eq!(received["kind"], "fire.alarm");
        assert_eq!(received["site_id"], "green-garden");
        assert_eq!(
            received["location"],
            "Green Garden / B2 / 7F / 7F east corridor"
        );
        assert_eq!(received["contact_name"], "王伟 Wang Wei");
        assert_eq!(received["level"], 1);
        assert_eq!(received["drill"], true);
        assert_eq!(received["drill_id"], "2025-Q1-fire-evacuation");
        assert_eq!(received["at"], "2025-03-14T09:26:53+08:00");
    }

    #[tokio::test]
    async fn two_server_errors_are_retried_to_success() {
        let (addr, hits) = counting_receiver(|n| {
            if n <= 2 {
                (StatusCode::INTERNAL_SERVER_ERROR, "busy")
            } else {
                (StatusCode::OK, "ok")
            }
        })
        .await;

        let url = format!("http://{addr}/hook");
        let delivered = post_webhook(&url, &webhook_body(&fire_alarm()), &quick(3))
            .await
            .unwrap();

        assert_eq!(delivered.attempts, 3);
        assert_eq!(delivered.status, 200);
        assert_eq!(hits.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn server_errors_past_the_retries_fail_with_the_last_status() {
        let (addr, hits) =
            counting_receiver(|_| (StatusCode::SERVICE_UNAVAILABLE, "down for maintenance")).await;

        let url = format!("http://{addr}/hook");
        let err = post_webhook(&url, &webhook_body(&fire_alarm()), &quick(2))
            .await
            .unwrap_err();

        assert_eq!(
            err.to_string(),
            format!(
                "webhook {url}: answered HTTP 503 Service Unavailable (down for maintenance) \
                 after 3 attempts"
            )
        );
        assert_eq!(hits.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_client_error_is_not_retried() {
        let (addr, hits) =
            counting_receiver(|_| (StatusCode::BAD_REQUEST, "missing field `kind`")).await;

        let url = format!("http://{addr}/hook");
        let err = post_webhook(&url, &webhook_body(&fire_alarm()), &quick(3))
            .await
            .unwrap_err();

        assert!(
            matches!(
                &err,
                ChannelError::Webhook {
                    failure: WebhookFailure::Status { code: 400, .. },
                    attempts: 1,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!(
                "webhook {url}: answered HTTP 400 Bad Request (missing field `kind`) after 1 attempt"
            )
        );
        assert_eq!(hits.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_closed_port_fails_clearly_after_its_retries() {
        let url = format!("http://127.0.0.1:{}/x", closed_port());

        let err = post_webhook(&url, &webhook_body(&fire_alarm()), &quick(2))
            .await
            .unwrap_err();

        assert_eq!(
            err.to_string(),
            format!("webhook {url}: connection refused after 3 attempts")
        );
    }

    #[tokio::test]
    async fn a_receiver_that_never_answers_times_out_on_every_attempt() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicU32::new(0));
        let counter = accepted.clone();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                held.push(socket);
            }
        });
        let settings = WebhookSettings {
            timeout: Duration::from_millis(200),
            retries: 1,
            retry_delay: Duration::from_millis(10),
        };

        let url = format!("http://{addr}/hook");
        let started = std::time::Instant::now();
        let err = post_webhook(&url, &webhook_body(&fire_alarm()), &settings)
            .await
            .unwrap_err();
        let took = started.elapsed();

        assert_eq!(
            err.to_string(),
            format!("webhook {url}: no answer within 200ms after 2 attempts")
        );
        assert!(
            took >= Duration::from_millis(400) && took < Duration::from_secs(5),
            "{took:?}"
        );
        assert_eq!(accepted.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_receiver_that_hangs_up_without_answering_is_retried() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicU32::new(0));
        let counter = accepted.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
            }
        });

        let url = format!("http://{addr}/hook");
        let err = post_webhook(&url, &webhook_body(&fire_alarm()), &quick(1))
            .await
            .unwrap_err();

        assert!(
            matches!(
                &err,
                ChannelError::Webhook {
                    failure: WebhookFailure::Connection(_),
                    attempts: 2,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(accepted.load(Ordering::SeqCst), 2);
    }
}

mod email {
    use super::*;
    use alert_hub::notify::email::{SmtpSettings, send_email};
    use std::time::Instant;

    use system_tests::outside::{SmtpServer, decode};

    fn settings(server: &SmtpServer) -> SmtpSettings {
        SmtpSettings {
            host: "127.0.0.1".into(),
            port: server.port,
            from: "控制室 Control room <hub@example.com>".into(),
            timeout: Duration::from_secs(10),
        }
    }

    #[tokio::test]
    async fn a_bilingual_drill_notice_arrives_intact() {
        let server = SmtpServer::start();
        let notice = Notice {
            drill: Some("2025-Q1-fire-evacuation".into()),
            ..fire_alarm()
        };
        let subject = email_subject(&notice);
        let body = email_body(&notice);

        send_email(
            &settings(&server),
            "王伟 <wang@example.com>",
            &subject,
            &body,
        )
        .await
        .unwrap();

        let messages = server.messages();
        assert_eq!(messages.len(), 1, "{messages:?}\n{}", server.log());
        let decoded = decode(&messages[0]);
        assert_eq!(decoded.subject, subject);
        assert!(
            decoded
                .subject
                .starts_with("[DRILL 演练] [P1] fire.alarm — Green Garden")
        );
        assert_eq!(decoded.from, "控制室 Control room <hub@example.com>");
        assert_eq!(decoded.to, "王伟 <wang@example.com>");
        assert_eq!(decoded.content_type, "text/plain; charset=utf-8");
        let received = decoded.body.replace("\r\n", "\n");
        assert_eq!(received.trim_end(), body.trim_end());
        assert!(received.contains("【演练】这是演练通知，不是真实事件。"));
        assert!(received.contains("地点 Where: Green Garden / B2 / 7F / 7F east corridor"));
        assert!(received.contains("acknowledge: http://hub.local/ack/INC-20250314-0007?t=abc"));
    }

    #[tokio::test]
    async fn a_closed_port_fails_with_the_server_named() {
        let port = closed_port();
        let smtp = SmtpSettings {
            host: "127.0.0.1".into(),
            port,
            from: "hub@example.com".into(),
            timeout: Duration::from_secs(5),
        };

        let err = send_email(&smtp, "ops@example.com", "s", "b")
            .await
            .unwrap_err();

        assert_eq!(
            err.to_string(),
            format!("e-mail to ops@example.com via smtp 127.0.0.1:{port}: connection refused")
        );
    }

    #[tokio::test]
    async fn a_server_that_never_greets_times_out() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        let smtp = SmtpSettings {
            host: "127.0.0.1".into(),
            port,
            from: "hub@example.com".into(),
            timeout: Duration::from_millis(300),
        };

        let started = Instant::now();
        let err = send_email(&smtp, "ops@example.com", "s", "b")
            .await
            .unwrap_err();

        assert_eq!(
            err.to_string(),
            format!("e-mail to ops@example.com via smtp 127.0.0.1:{port}: no answer within 300ms")
        );
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn a_bad_recipient_is_refused_without_a_server() {
        let smtp = SmtpSettings {
            host: "127.0.0.1".into(),
            port: closed_port(),
            from: "hub@example.com".into(),
            timeout: Duration::from_secs(1),
        };

        let err = send_email(&smtp, "wang at example", "s", "b")
            .await
            .unwrap_err();

        assert!(matches!(err, ChannelError::EmailInvalid { .. }), "{err:?}");
    }
}
