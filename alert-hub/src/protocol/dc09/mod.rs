//! SIA DC-09 (ANSI/SIA DC-09) as alarm panels send it: frames with their CRC, length and
//! AES encryption, the receiver's answers, and Contact ID and SIA DCS data mapped to the event
//! kinds of device protocol v1. Pure: no sockets, no clocks.

mod answer;
mod contact_id;
mod crc;
mod crypto;
mod frame;
mod mapping;
mod sia;

pub use answer::{Reply, ack, compose, duh, nak, read_reply};
pub use contact_id::parse_contact_id;
pub use crc::crc16;
pub use crypto::{Key, decode_hex, encode_hex};
pub use frame::{
    Content, Frame, MAX_FRAME_BYTES, Route, Token, enclose, envelope, parse_frame, timestamp_text,
};
pub use mapping::{Meaning, Signal, TroubleKinds, contact_id_meaning, sia_meaning};
pub use sia::parse_sia;

/// The panel's own words for a code the receiver did not map, from the `detail` it wrote for
/// the event (`{"dc09": {"message": "ADM-CID", "event": "1628 01 015", "unknown": true, …}}`):
/// `ADM-CID 1628 01 015`. `None` for any other detail.
pub fn unknown_code_of(detail: &super::Detail) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(detail.as_json()).ok()?;
    let dc09 = value.get("dc09")?;
    if dc09.get("unknown")?.as_bool() != Some(true) {
        return None;
    }
    let message = dc09.get("message")?.as_str()?;
    let event = dc09.get("event")?.as_str()?;
    Some(format!("{message} {event}"))
}

/// Why a frame cannot be read. Offsets count bytes from the frame's `<LF>`, or, for
/// [`FrameError::Decrypted`] and [`FrameError::NotText`], from the start of the decrypted text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("not a DC-09 frame: it must begin with LF and end with CR (byte {offset} is {byte:?})")]
    NotFramed { offset: usize, byte: Option<u8> },
    #[error("byte {offset}: the CRC field must be 4 hexadecimal digits")]
    BadCrcField { offset: usize },
    #[error("byte {offset}: the length field must be 0 and 3 hexadecimal digits")]
    BadLengthField { offset: usize },
    #[error("the length field says {declared} bytes but {actual} follow it")]
    WrongLength { declared: usize, actual: usize },
    #[error("the CRC field says {declared:04X} but the message's CRC is {computed:04X}")]
    WrongCrc { declared: u16, computed: u16 },
    #[error("byte {offset}: {what}")]
    Header { offset: usize, what: &'static str },
    #[error("byte {offset}: {what}")]
    Content { offset: usize, what: String },
    #[error("byte {offset}: the encrypted part must be hexadecimal digits")]
    BadHex { offset: usize },
    #[error("the encrypted part has {len} bytes, not a whole number of 16-byte blocks")]
    BadCipherLength { len: usize },
    #[error("the decrypted text has no | after its padding (wrong key?)")]
    BadPadding,
    #[error("byte {at} of the decrypted text is not printable (wrong key?)")]
    NotText { at: usize },
    #[error("byte {offset} of the decrypted text: {what}")]
    Decrypted { offset: usize, what: String },
    #[error("the frame is encrypted but the account has no key")]
    NoKey,
}

impl FrameError {
    /// True when the frame's framing, length or CRC is wrong: such a frame gets no answer,
    /// since nothing in it can be trusted.
    pub fn is_unanswered(&self) -> bool {
        matches!(
            self,
            FrameError::NotFramed { .. }
                | FrameError::BadCrcField { .. }
                | FrameError::BadLengthField { .. }
                | FrameError::WrongLength { .. }
                | FrameError::WrongCrc { .. }
        )
    }

    /// True when the frame could not be decrypted: answered with `NAK`.
    pub fn is_undecryptable(&self) -> bool {
        matches!(
            self,
            FrameError::BadHex { .. }
                | FrameError::BadCipherLength { .. }
                | FrameError::BadPadding
                | FrameError::NotText { .. }
                | FrameError::Decrypted { .. }
        )
    }
}

#[cfg(test)]
mod tests;
