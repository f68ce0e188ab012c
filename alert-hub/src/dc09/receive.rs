//! What the receiver does with one frame, decided without I/O: no answer, an answer at once
//! (`NAK`, `DUH`), or events to store before the `ACK`.

use std::collections::HashMap;

use time::OffsetDateTime;

use super::events::{device_events, signals};
use crate::config::{Dc09Settings, Source};
use crate::protocol::DeviceEvent;
use crate::protocol::dc09::{FrameError, Key, Route, parse_frame};

/// What becomes of one frame.
#[derive(Debug)]
pub enum Outcome {
    /// Framing, length or CRC wrong: nothing in it can be trusted, and nothing is answered.
    Unanswered(FrameError),
    /// Refused for its time or because it cannot be decrypted: answer `NAK`.
    Nak(String),
    /// Understood as DC-09 but not taken: answer `DUH`.
    Duh(Option<Route>, String),
    /// Store these events as `source`'s, then answer `ACK` (encrypted with `key` when the
    /// frame was).
    Store {
        source: String,
        events: Vec<DeviceEvent>,
        route: Route,
        key: Option<Key>,
    },
}

/// Decides what to do with `bytes`, one frame from its `<LF>` to its `<CR>`, received at `now`.
pub fn receive(
    bytes: &[u8],
    settings: &Dc09Settings,
    sources: &HashMap<String, Source>,
    now: OffsetDateTime,
) -> Outcome {
    let frame = match parse_frame(bytes) {
        Ok(frame) => frame,
        Err(e) if e.is_unanswered() => return Outcome::Unanswered(e),
        Err(e) => return Outcome::Duh(None, e.to_string()),
    };
    let route = frame.route.clone();
    let account_number = route.account.to_ascii_uppercase();
    let Some(account) = settings.accounts.get(&account_number) else {
        return Outcome::Duh(
            Some(route),
            format!("account {account_number} is not configured"),
        );
    };
    let Some(source) = sources.get(&account.source) else {
        return Outcome::Duh(Some(route), format!("source {} is gone", account.source));
    };
    match (&account.key, frame.encrypted) {
        (Some(_), false) => {
            let why = format!("account {account_number} has a key: only encrypted frames count");
            return Outcome::Duh(Some(route), why);
        }
        (None, true) => {
            let why = format!("account {account_number} has no key for an encrypted frame");
            return Outcome::Duh(Some(route), why);
        }
        _ => {}
    }
    let content = match frame.open(account.key.as_ref()) {
        Ok(content) => content,
        Err(e) if e.is_undecryptable() => return Outcome::Nak(e.to_string()),
        Err(e) => return Outcome::Duh(Some(route), e.to_string()),
    };
    if let Some(stamp) = content.timestamp {
        let skew = (stamp.assume_utc() - now).abs();
        if skew.whole_seconds().unsigned_abs() > settings.max_skew_secs {
            return Outcome::Nak(format!(
                "the frame's time is {} s from the receiver's, more than {} s",
                skew.whole_seconds(),
                settings.max_skew_secs
            ));
        }
    }
    let signals = match signals(&frame, &content) {
        Ok(signals) => signals,
        Err(why) => return Outcome::Duh(Some(route), why),
    };
    let events = device_events(&frame, &content, &signals, account, source, now);
    Outcome::Store {
        source: account.source.clone(),
        events,
        route,
        key: account.key.clone(),
    }
}
