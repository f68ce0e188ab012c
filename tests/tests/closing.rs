//! How the hub ends connections: a close code and reason that say what happened (issue 15,
//! item 2), and every answer sent before a device's close is honoured (item 6).
#![allow(clippy::expect_used, clippy::unwrap_used)]

use futures_util::{SinkExt, StreamExt};
use hub_client::{CONSOLE_PATH, DEVICES_PATH, Socket};
use system_tests::{
    Device, HubProcess, PATIENCE, connect, event, fast_panel_config, get_json, tokens,
};
use tokio::io::AsyncWriteExt;
use tokio_tungstenite::MaybeTlsStream;
use tokio_tungstenite::tungstenite::Message;

/// A client frame as it goes on the wire, masked unless `masked` is false. `claimed` overrides
/// the payload length in the header (to announce a frame far larger than what follows).
fn frame(opcode: u8, payload: &[u8], masked: bool, claimed: Option<u64>) -> Vec<u8> {
    let mask = [0x11, 0x22, 0x33, 0x44];
    let len = claimed.unwrap_or(payload.len() as u64);
    let mask_bit = if masked { 0x80 } else { 0 };
    let mut out = vec![0x80 | opcode];
    if len < 126 {
        out.push(mask_bit | len as u8);
    } else if len <= u64::from(u16::MAX) {
        out.push(mask_bit | 126);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(mask_bit | 127);
        out.extend_from_slice(&len.to_be_bytes());
    }
    if masked {
        out.extend_from_slice(&mask);
        out.extend(payload.iter().zip(mask.iter().cycle()).map(|(b, m)| b ^ m));
    } else {
        out.extend_from_slice(payload);
    }
    out
}

/// Writes raw bytes under an open WebSocket, as a broken client would.
async fn write_raw(ws: &mut Socket, bytes: &[u8]) {
    let MaybeTlsStream::Plain(tcp) = ws.get_mut() else {
        panic!("a plain TCP connection");
    };
    tcp.write_all(bytes).await.unwrap();
    tcp.flush().await.unwrap();
}

/// The close code and reason the hub ends `ws` with, skipping anything sent before it.
async fn close_of(ws: &mut Socket) -> (u16, String) {
    loop {
        let message = tokio::time::timeout(PATIENCE, ws.next())
            .await
            .expect("the hub closes in time");
        match message {
            Some(Ok(Message::Close(Some(close)))) => {
                return (close.code.into(), close.reason.to_string());
            }
            Some(Ok(Message::Close(None))) | None => panic!("closed without a code"),
            Some(Ok(_)) => continue,
            Some(Err(e)) => panic!("connection failed instead of closing: {e}"),
        }
    }
}

/// Opens a device and a console connection and sends the same raw bytes on each; returns the
/// close each got.
async fn closes_for(bytes: &[u8]) -> Vec<(u16, String)> {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let mut closes = Vec::new();
    for (path, token) in [
        (DEVICES_PATH, tokens::FIRE_PANEL_GG),
        (CONSOLE_PATH, tokens::OPERATOR_LI),
    ] {
        let mut ws = connect(&hub, path, Some(token)).await.unwrap();
        write_raw(&mut ws, bytes).await;
        closes.push(close_of(&mut ws).await);
    }
    closes
}

fn assert_closed(closes: &[(u16, String)], code: u16, says: &str) {
    for (got, reason) in closes {
        assert_eq!(*got, code, "{reason}");
        assert!(reason.contains(says), "{reason:?} should say {says:?}");
        assert!(!reason.contains("shutting down"), "{reason}");
    }
}

#[tokio::test]
async fn a_text_frame_that_is_not_utf8_is_closed_with_1007() {
    let closes = closes_for(&frame(0x1, &[0x7b, 0xff, 0xfe, 0x7d], true, None)).await;
    assert_closed(&closes, 1007, "UTF-8");
}

#[tokio::test]
async fn an_unmasked_client_frame_is_closed_with_1002() {
    let closes = closes_for(&frame(0x1, b"{}", false, None)).await;
    assert_closed(&closes, 1002, "protocol");
}

#[tokio::test]
async fn a_frame_header_above_the_limit_is_closed_with_1009() {
    let closes = closes_for(&frame(0x1, b"", true, Some(1 << 40))).await;
    assert_closed(&closes, 1009, "larger");
}

/// Sends 200 events at once on a fire panel of `hub`, then ends the connection with `end`;
/// returns how many answers came back and how many events were stored.
async fn answers_before(end: End) -> (usize, usize) {
    let dir = tempfile::tempdir().unwrap();
    let config = fast_panel_config(dir.path(), 10_000);
    let hub = HubProcess::start_with(&config, &dir.path().join("data"));
    let mut device = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    for n in 0..200 {
        let frame = event(&format!("e{n}"), "fire.trouble", "panel", "B2");
        device
            .ws
            .feed(Message::text(frame.to_string()))
            .await
            .unwrap();
    }
    match end {
        End::CloseFrame => device.ws.send(Message::Close(None)).await.unwrap(),
        End::HalfClose => {
            device.ws.flush().await.unwrap();
            let MaybeTlsStream::Plain(tcp) = device.ws.get_mut() else {
                panic!("a plain TCP connection");
            };
            tcp.shutdown().await.unwrap();
        }
    }
    let mut answered = 0;
    while let Ok(Some(Ok(message))) = tokio::time::timeout(PATIENCE, device.ws.next()).await {
        match message {
            Message::Text(_) => answered += 1,
            Message::Close(_) => break,
            _ => {}
        }
    }
    let stored = get_json(&hub, "/v1/events?after=0&limit=1000").await;
    (answered, stored.as_array().map_or(0, Vec::len))
}

enum End {
    CloseFrame,
    HalfClose,
}

#[tokio::test]
async fn events_followed_at_once_by_a_close_frame_are_all_answered() {
    assert_eq!(answers_before(End::CloseFrame).await, (200, 200));
}

#[tokio::test]
async fn events_followed_at_once_by_a_tcp_half_close_are_all_answered() {
    assert_eq!(answers_before(End::HalfClose).await, (200, 200));
}
