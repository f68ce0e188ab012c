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
    let waits: Vec<u64> = (1..=8)
        .map(|a| BACKOFF.wait(a).as_millis() as u64)
        .collect();
    assert_eq!(waits, [100, 200, 400, 800, 1600, 2000, 2000, 2000]);
    assert_eq!(BACKOFF.wait(u32::MAX), MAX_BACKOFF);
}

/// The link's settings for one hub and `token`.
fn link_config(hub: HubAddress, token: &str) -> LinkConfig {
    LinkConfig {
        in_use: watch::channel(hub.clone()).0,
        hubs: hub.into(),
        token: token.into(),
    }
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
    let link = tokio::spawn(run(link_config(hub, "secret"), since_rx, cmd_rx, act_tx));

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
    let link = tokio::spawn(run(link_config(hub, "t"), since_rx, cmd_rx, act_tx));
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
        link_config(hub, "wrong-token"),
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

/// A link to the hubs listening at `listeners`, in that order, and its channels.
struct TwoHubs {
    since: watch::Sender<Option<u64>>,
    commands: mpsc::UnboundedSender<LinkCommand>,
    actions: mpsc::UnboundedReceiver<Action>,
    in_use: watch::Receiver<HubAddress>,
    link: tokio::task::JoinHandle<()>,
}

fn link_to(addrs: &[std::net::SocketAddr]) -> TwoHubs {
    let list: Vec<String> = addrs.iter().map(|a| format!("ws://{a}")).collect();
    let hubs = HubAddresses::from_values(&list).unwrap();
    let (in_use_tx, in_use) = watch::channel(hubs.first().clone());
    let (since, since_rx) = watch::channel(None);
    let (commands, cmd_rx) = mpsc::unbounded_channel();
    let (act_tx, actions) = mpsc::unbounded_channel();
    let config = LinkConfig {
        hubs,
        token: "t".into(),
        in_use: in_use_tx,
    };
    let link = tokio::spawn(run(config, since_rx, cmd_rx, act_tx));
    TwoHubs {
        since,
        commands,
        actions,
        in_use,
        link,
    }
}

#[tokio::test]
async fn a_standby_refusing_with_503_is_passed_over_for_the_next_hub() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let standby = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let active = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (standby_addr, active_addr) = (standby.local_addr().unwrap(), active.local_addr().unwrap());
    let refusing = tokio::spawn(async move {
        loop {
            let (mut tcp, _) = standby.accept().await.unwrap();
            let mut request = [0u8; 2048];
            let _ = tcp.read(&mut request).await;
            let body = r#"{"error":"standby","message":"this hub is a standby"}"#;
            let answer = format!(
                "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = tcp.write_all(answer.as_bytes()).await;
        }
    });
    let mut hubs = link_to(&[standby_addr, active_addr]);
    let Action::LinkDown {
        reason,
        next,
        retry_in,
        ..
    } = next_action(&mut hubs.actions).await
    else {
        panic!("the standby's refusal is reported");
    };
    assert!(
        matches!(reason, LinkTrouble::Refused { status: 503, .. }),
        "{reason:?}"
    );
    assert_eq!(
        next,
        Some(active_addr.to_string()),
        "moving to the next hub"
    );
    assert!(retry_in.is_some());
    let seen: Seen = Arc::default();
    let _ws = accept(&active, &seen).await;
    let Action::LinkUp { hub, .. } = next_action(&mut hubs.actions).await else {
        panic!("connected to the active hub");
    };
    assert_eq!(
        hub,
        Some(active_addr.to_string()),
        "the hub in use is named"
    );
    assert_eq!(hubs.in_use.borrow().authority(), active_addr.to_string());
    hubs.link.abort();
    refusing.abort();
}

#[tokio::test]
async fn a_resync_stays_on_its_hub_and_a_lost_hub_is_left_for_the_next_with_a_fresh_snapshot() {
    let first = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let second = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (first_addr, second_addr) = (first.local_addr().unwrap(), second.local_addr().unwrap());
    let mut hubs = link_to(&[first_addr, second_addr]);
    let seen: Seen = Arc::default();
    let ws = accept(&first, &seen).await;
    assert!(matches!(
        next_action(&mut hubs.actions).await,
        Action::LinkUp { .. }
    ));
    hubs.since.send(Some(41)).unwrap();

    // A gap: the console asks to resume, and does so on the same hub after what it has.
    hubs.commands.send(LinkCommand::Reconnect).unwrap();
    let Action::LinkDown { next, .. } = next_action(&mut hubs.actions).await else {
        panic!("the resync drops the connection");
    };
    assert_eq!(next, None, "a resync stays on its hub");
    drop(ws);
    let ws = accept(&first, &seen).await;
    assert!(matches!(
        next_action(&mut hubs.actions).await,
        Action::LinkUp { .. }
    ));

    // The hub dies: the next one is asked for a whole snapshot, not for what follows 41.
    drop(ws);
    drop(first);
    let Action::LinkDown { next, .. } = next_action(&mut hubs.actions).await else {
        panic!("the drop is reported");
    };
    assert_eq!(next, Some(second_addr.to_string()));
    let _ws = accept(&second, &seen).await;
    let Action::LinkUp { hub, .. } = next_action(&mut hubs.actions).await else {
        panic!("connected to the second hub");
    };
    assert_eq!(hub, Some(second_addr.to_string()));
    assert_eq!(hubs.in_use.borrow().authority(), second_addr.to_string());
    let paths: Vec<String> = seen.lock().unwrap().iter().map(|s| s.0.clone()).collect();
    assert_eq!(
        paths,
        ["/v1/console", "/v1/console?since=41", "/v1/console"],
        "resumed on the same hub, a snapshot from another"
    );
    hubs.link.abort();
}
