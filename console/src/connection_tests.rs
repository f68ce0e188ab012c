//! Tests of the feed link against a real WebSocket server on a loopback port.

use std::sync::{Arc, Mutex};

use alert_hub::protocol::{Command, ConsoleMessage};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

use super::*;
use crate::outgoing::command;
use crate::sample;

#[test]
fn backoff_doubles_up_to_two_seconds() {
    let waits: Vec<u64> = (1..=8).map(|a| backoff(a).as_millis() as u64).collect();
    assert_eq!(waits, [100, 200, 400, 800, 1600, 2000, 2000, 2000]);
    assert_eq!(backoff(u32::MAX), MAX_BACKOFF);
}

type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// Accepts one connection, records its path and authorization, and hands back the socket.
/// (The callback's error type is tungstenite's, hence the allowance.)
#[allow(clippy::result_large_err)]
async fn accept(
    listener: &TcpListener,
    seen: &Seen,
) -> tokio_tungstenite::WebSocketStream<tokio::net::TcpStream> {
    let (tcp, _) = listener.accept().await.unwrap();
    let seen = seen.clone();
    tokio_tungstenite::accept_hdr_async(tcp, move |req: &Request, resp: Response| {
        let auth = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        seen.lock().unwrap().push((req.uri().to_string(), auth));
        Ok(resp)
    })
    .await
    .unwrap()
}

async fn next_action(rx: &mut mpsc::UnboundedReceiver<Action>) -> Action {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("an action in time")
        .expect("the link is running")
}

#[tokio::test]
async fn the_link_authenticates_relays_sends_and_resumes_after_the_last_seq() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hub = HubAddress::parse(&format!("ws://{}", listener.local_addr().unwrap())).unwrap();
    let seen: Seen = Arc::default();
    let (since_tx, since_rx) = watch::channel(None);
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    let (act_tx, mut act_rx) = mpsc::unbounded_channel();
    let link = tokio::spawn(run(
        LinkConfig {
            hub,
            token: "secret".into(),
        },
        since_rx,
        cmd_rx,
        act_tx,
    ));

    let mut ws = accept(&listener, &seen).await;
    assert!(matches!(
        next_action(&mut act_rx).await,
        Action::LinkUp { .. }
    ));
    let snapshot = serde_json::to_string(&sample::scene()).unwrap();
    ws.send(Message::text(snapshot)).await.unwrap();
    let Action::Hub(message) = next_action(&mut act_rx).await else {
        panic!("expected the snapshot");
    };
    let ConsoleMessage::Snapshot { seq, .. } = *message else {
        panic!("expected the snapshot");
    };
    since_tx.send(Some(seq)).unwrap();

    let ack = command(
        "r-1".into(),
        Command::Acknowledge {
            incident: "INC-0107".into(),
        },
    );
    cmd_tx.send(LinkCommand::Send(ack.clone())).unwrap();
    let frame = ws.next().await.unwrap().unwrap();
    assert_eq!(frame.into_text().unwrap().as_str(), ack.to_json());

    drop(ws);
    let Action::LinkDown {
        attempt, retry_in, ..
    } = next_action(&mut act_rx).await
    else {
        panic!("expected the link to go down");
    };
    assert_eq!(attempt, 1);
    assert!(
        retry_in.is_some_and(|r| r <= MAX_BACKOFF),
        "a hub that went away is tried again"
    );

    let _ws = accept(&listener, &seen).await;
    assert!(matches!(
        next_action(&mut act_rx).await,
        Action::LinkUp { .. }
    ));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen[0],
        ("/v1/console".into(), "Bearer secret".into()),
        "no picture yet: ask for a snapshot"
    );
    assert_eq!(seen[1].0, format!("/v1/console?since={seq}"));
    link.abort();
}

#[tokio::test]
async fn commands_while_disconnected_come_back_as_not_sent() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hub = HubAddress::parse(&format!("ws://{}", listener.local_addr().unwrap())).unwrap();
    drop(listener);
    let (_since_tx, since_rx) = watch::channel(None);
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    let (act_tx, mut act_rx) = mpsc::unbounded_channel();
    let link = tokio::spawn(run(
        LinkConfig {
            hub,
            token: "t".into(),
        },
        since_rx,
        cmd_rx,
        act_tx,
    ));
    assert!(matches!(
        next_action(&mut act_rx).await,
        Action::LinkDown { attempt: 1, .. }
    ));
    let note = command(
        "r-9".into(),
        Command::AddNote {
            incident: "INC-1".into(),
            text: "x".into(),
        },
    );
    cmd_tx.send(LinkCommand::Send(note)).unwrap();
    loop {
        match next_action(&mut act_rx).await {
            Action::NotSent { request, .. } => {
                assert_eq!(request, "r-9");
                break;
            }
            Action::LinkDown { .. } => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
    link.abort();
}

#[tokio::test]
async fn a_refused_token_is_said_in_words_and_not_tried_again() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hub = HubAddress::parse(&format!("ws://{}", listener.local_addr().unwrap())).unwrap();
    let attempts = Arc::new(Mutex::new(0u32));
    let counted = attempts.clone();
    let server = tokio::spawn(async move {
        loop {
            let (mut tcp, _) = listener.accept().await.unwrap();
            *counted.lock().unwrap() += 1;
            let mut request = [0u8; 2048];
            let _ = tcp.read(&mut request).await;
            let body = r#"{"error":"unauthorized","message":"a valid bearer token is required"}"#;
            let answer = format!(
                "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = tcp.write_all(answer.as_bytes()).await;
        }
    });
    let (_since_tx, since_rx) = watch::channel(None);
    let (_cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    let (act_tx, mut act_rx) = mpsc::unbounded_channel();
    let link = tokio::spawn(run(
        LinkConfig {
            hub,
            token: "wrong-token".into(),
        },
        since_rx,
        cmd_rx,
        act_tx,
    ));
    let Action::LinkDown {
        retry_in, reason, ..
    } = next_action(&mut act_rx).await
    else {
        panic!("the link reports the refusal");
    };
    assert_eq!(retry_in, None, "a refused token is not retried");
    assert_eq!(reason, LinkTrouble::TokenRefused { status: 401 });
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(*attempts.lock().unwrap(), 1, "one attempt only");
    link.abort();
    server.abort();
}
