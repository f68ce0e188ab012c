//! What a receiver answers (`ACK`, `NAK`, `DUH`) and what a transmitter sends, as whole frames,
//! and reading an answer back.

use time::PrimitiveDateTime;

use super::FrameError;
use super::crypto::{Key, seal};
use super::frame::{Route, Token, enclose, envelope, timestamp_text};

/// A receiver's answer to a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// Stored (or already stored): the transmitter may forget the frame.
    Ack,
    /// Refused for its time or because it could not be decrypted: resend with the right time.
    Nak,
    /// Understood as DC-09, but not something this receiver takes.
    Duh,
}

impl Reply {
    pub fn as_str(self) -> &'static str {
        match self {
            Reply::Ack => "ACK",
            Reply::Nak => "NAK",
            Reply::Duh => "DUH",
        }
    }
}

/// The routing fields of a frame written back: `seq[Rrcvr][Lpref]#acct`.
fn route_text(route: &Route) -> String {
    let mut out = route.seq.clone();
    if let Some(r) = &route.receiver {
        out.push('R');
        out.push_str(r);
    }
    if let Some(l) = &route.prefix {
        out.push('L');
        out.push_str(l);
    }
    out.push('#');
    out.push_str(&route.account);
    out
}

/// `ACK` with the frame's sequence, receiver, prefix and account. For an encrypted frame the
/// answer is encrypted too (`*ACK`, with the receiver's time); `pad_seed` draws its padding.
pub fn ack(route: &Route, key: Option<&Key>, now: PrimitiveDateTime, pad_seed: &[u8]) -> String {
    let route = route_text(route);
    match key {
        None => enclose(&format!("\"ACK\"{route}[]")),
        Some(key) => {
            let sealed = seal(key, &format!("]{}", timestamp_text(now)), pad_seed);
            enclose(&format!("\"*ACK\"{route}[{sealed}"))
        }
    }
}

/// `NAK` with the receiver's time, so that the transmitter can correct its clock.
pub fn nak(now: PrimitiveDateTime) -> String {
    enclose(&format!("\"NAK\"0000R0L0A0[]{}", timestamp_text(now)))
}

/// `DUH` with the frame's routing when it could be read, else zeros.
pub fn duh(route: Option<&Route>) -> String {
    match route {
        Some(route) => enclose(&format!("\"DUH\"{}[]", route_text(route))),
        None => enclose("\"DUH\"0000R0L0A0[]"),
    }
}

/// An event or supervision frame as a transmitter sends it: `data` between the brackets
/// (e.g. `#1234|1110 01 003`), encrypted with `key` when given, with timestamp `at`.
pub fn compose(
    token: &Token,
    route: &Route,
    data: &str,
    at: Option<PrimitiveDateTime>,
    key: Option<&Key>,
    pad_seed: &[u8],
) -> String {
    let stamp = at.map(timestamp_text).unwrap_or_default();
    let route = route_text(route);
    match key {
        None => enclose(&format!("\"{}\"{route}[{data}]{stamp}", token.as_str())),
        Some(key) => {
            let sealed = seal(key, &format!("{data}]{stamp}"), pad_seed);
            enclose(&format!("\"*{}\"{route}[{sealed}", token.as_str()))
        }
    }
}

/// Reads a receiver's answer frame: which reply it is and the sequence it names.
pub fn read_reply(bytes: &[u8]) -> Result<(Reply, String), FrameError> {
    let message = envelope(bytes)?;
    let message = message
        .strip_prefix("\"*")
        .or_else(|| message.strip_prefix('"'));
    let (name, rest) = message
        .and_then(|m| m.split_once('"'))
        .ok_or(FrameError::Header {
            offset: 9,
            what: "an answer begins with its token between quotes",
        })?;
    let reply = match name {
        "ACK" => Reply::Ack,
        "NAK" => Reply::Nak,
        "DUH" => Reply::Duh,
        _ => {
            return Err(FrameError::Header {
                offset: 10,
                what: "an answer must be ACK, NAK or DUH",
            });
        }
    };
    Ok((reply, rest.chars().take(4).collect()))
}
