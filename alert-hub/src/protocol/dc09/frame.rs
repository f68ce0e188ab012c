//! DC-09 frames: `<LF>CRC0LLL"ID"seq[Rrcvr][Lpref]#acct[data]…[_timestamp]<CR>`, read with
//! their CRC and length checked, and opened (decrypted when `*`-encrypted) into their content.

use time::PrimitiveDateTime;
use time::macros::format_description;

use super::FrameError;
use super::crc::crc16;
use super::crypto::{Key, open};

/// The longest frame the receiver reads, in bytes: the length field holds at most 0xFFF.
pub const MAX_FRAME_BYTES: usize = 10 + 0xFFF;

/// What a frame's ID token says it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// `SIA-DCS`: SIA DC-03 data.
    SiaDcs,
    /// `ADM-CID`: Ademco Contact ID (SIA DC-05) data.
    ContactId,
    /// `NULL`: a supervision message with no event.
    Null,
    /// Any other token, as written (`ACK`, `SIA-CID`, …): understood as DC-09, not supported.
    Other(String),
}

impl Token {
    fn read(name: &str) -> Token {
        match name {
            "SIA-DCS" => Token::SiaDcs,
            "ADM-CID" => Token::ContactId,
            "NULL" => Token::Null,
            other => Token::Other(other.to_string()),
        }
    }

    /// The token as written in a frame.
    pub fn as_str(&self) -> &str {
        match self {
            Token::SiaDcs => "SIA-DCS",
            Token::ContactId => "ADM-CID",
            Token::Null => "NULL",
            Token::Other(name) => name,
        }
    }
}

/// The routing part of a frame, echoed in its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Four decimal digits, as written.
    pub seq: String,
    /// `R` hexadecimal digits, without the `R`.
    pub receiver: Option<String>,
    /// `L` hexadecimal digits, without the `L`.
    pub prefix: Option<String>,
    /// The account, 3 to 16 hexadecimal digits, without the `#`.
    pub account: String,
}

/// A frame whose CRC and length are right and whose header reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub token: Token,
    /// True for a `*`-encrypted frame.
    pub encrypted: bool,
    pub route: Route,
    /// What follows the first `[`: the clear content, or the cipher text in hexadecimal.
    body: String,
    /// The byte offset of `body` in the frame.
    body_at: usize,
}

/// A frame's content: its data, any extended data blocks, and its timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    /// What is between the first `[` and its `]`, e.g. `#1234|1110 01 003`.
    pub data: String,
    /// Each `[…]` block after the data, without its brackets (`X…` longitude, `V…` link…).
    pub extended: Vec<String>,
    /// The frame's time, UTC, when it has one.
    pub timestamp: Option<PrimitiveDateTime>,
}

/// Reads a frame from its `<LF>` to its `<CR>` inclusive. CRC and length are checked before
/// anything else is read; every error names the byte offset (from the `<LF>`) it is about.
pub fn parse_frame(bytes: &[u8]) -> Result<Frame, FrameError> {
    read_header(envelope(bytes)?, 9)
}

/// The message of a frame (from its first `"` to before its `<CR>`) once its framing, length
/// and CRC are right.
pub fn envelope(bytes: &[u8]) -> Result<&str, FrameError> {
    if bytes.first() != Some(&b'\n') {
        return Err(not_framed(bytes, 0));
    }
    let end = bytes.len().saturating_sub(1);
    if end < 9 || bytes.get(end) != Some(&b'\r') {
        return Err(not_framed(bytes, end));
    }
    let crc = hex_field(&bytes[1..5]).ok_or(FrameError::BadCrcField { offset: 1 })?;
    if bytes[5] != b'0' {
        return Err(FrameError::BadLengthField { offset: 5 });
    }
    let declared = hex_field(&bytes[6..9]).ok_or(FrameError::BadLengthField { offset: 6 })?;
    let message = &bytes[9..end];
    if usize::from(declared) != message.len() {
        return Err(FrameError::WrongLength {
            declared: usize::from(declared),
            actual: message.len(),
        });
    }
    let computed = crc16(message);
    if computed != crc {
        return Err(FrameError::WrongCrc {
            declared: crc,
            computed,
        });
    }
    std::str::from_utf8(message).map_err(|e| FrameError::Header {
        offset: 9 + e.valid_up_to(),
        what: "not ASCII text",
    })
}

fn not_framed(bytes: &[u8], offset: usize) -> FrameError {
    FrameError::NotFramed {
        offset,
        byte: bytes.get(offset).copied(),
    }
}

fn hex_field(digits: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(digits).ok()?;
    if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u16::from_str_radix(text, 16).ok()
}

/// A cursor over the message part of a frame, keeping the frame offset of each byte.
struct Cursor<'a> {
    text: &'a str,
    at: usize,
    base: usize,
}

impl<'a> Cursor<'a> {
    fn offset(&self) -> usize {
        self.base + self.at
    }

    fn rest(&self) -> &'a str {
        self.text.get(self.at..).unwrap_or("")
    }

    fn eat(&mut self, c: char) -> bool {
        let hit = self.rest().starts_with(c);
        if hit {
            self.at += 1;
        }
        hit
    }

    /// Takes the longest run of characters matching `keep`, at most `max`.
    fn take(&mut self, max: usize, keep: impl Fn(u8) -> bool) -> &'a str {
        let n = self
            .rest()
            .bytes()
            .take(max)
            .take_while(|&b| keep(b))
            .count();
        let taken = self.rest().get(..n).unwrap_or("");
        self.at += n;
        taken
    }

    fn fail(&self, what: &'static str) -> FrameError {
        self.fail_at(self.at, what)
    }

    /// An error about the field that began at `at` (an index into the message).
    fn fail_at(&self, at: usize, what: &'static str) -> FrameError {
        FrameError::Header {
            offset: self.base + at,
            what,
        }
    }
}

fn read_header(text: &str, base: usize) -> Result<Frame, FrameError> {
    let mut c = Cursor { text, at: 0, base };
    if !c.eat('"') {
        return Err(c.fail("the ID token must begin with \""));
    }
    let encrypted = c.eat('*');
    let name = c.take(32, |b| b != b'"');
    if name.is_empty() || !c.eat('"') {
        return Err(c.fail("the ID token must be a name between quotes, e.g. \"SIA-DCS\""));
    }
    let token = Token::read(name);
    let start = c.at;
    let seq = c.take(4, |b| b.is_ascii_digit());
    if seq.len() != 4 {
        return Err(c.fail_at(start, "the sequence number must be 4 decimal digits"));
    }
    let receiver = optional_hex(
        &mut c,
        'R',
        6,
        "the receiver after R must be 1 to 6 hex digits",
    )?;
    let prefix = optional_hex(
        &mut c,
        'L',
        6,
        "the prefix after L must be 1 to 6 hex digits",
    )?;
    if !c.eat('#') {
        return Err(c.fail("the account must follow as # and 3 to 16 hex digits"));
    }
    let start = c.at;
    let account = c.take(16, |b| b.is_ascii_hexdigit());
    if account.len() < 3 {
        return Err(c.fail_at(start, "the account after # must be 3 to 16 hex digits"));
    }
    if !c.eat('[') {
        return Err(c.fail("the data must begin with ["));
    }
    Ok(Frame {
        token,
        encrypted,
        route: Route {
            seq: seq.to_string(),
            receiver,
            prefix,
            account: account.to_string(),
        },
        body: c.rest().to_string(),
        body_at: c.offset(),
    })
}

fn optional_hex(
    c: &mut Cursor<'_>,
    mark: char,
    max: usize,
    what: &'static str,
) -> Result<Option<String>, FrameError> {
    if !c.eat(mark) {
        return Ok(None);
    }
    let digits = c.take(max, |b| b.is_ascii_hexdigit());
    if digits.is_empty() {
        return Err(c.fail(what));
    }
    Ok(Some(digits.to_string()))
}

impl Frame {
    /// The frame's content: decrypted with `key` when the frame is encrypted. An encrypted
    /// frame needs a key and must carry a timestamp.
    pub fn open(&self, key: Option<&Key>) -> Result<Content, FrameError> {
        if !self.encrypted {
            return read_content(&self.body, self.body_at, false);
        }
        let key = key.ok_or(FrameError::NoKey)?;
        let text = open(key, &self.body, self.body_at)?;
        // Offsets in decrypted text are counted from its first character after the padding.
        read_content(&text, 0, true).map_err(|e| match e {
            FrameError::Content { offset, what } => FrameError::Decrypted { offset, what },
            other => other,
        })
    }
}

/// `data]` then `[ext]`… then `_HH:MM:SS,MM-DD-YYYY`, the timestamp required when `sealed`.
fn read_content(text: &str, base: usize, sealed: bool) -> Result<Content, FrameError> {
    let fail = |offset: usize, what: &str| FrameError::Content {
        offset: base + offset,
        what: what.to_string(),
    };
    let close = text
        .find(']')
        .ok_or_else(|| fail(text.len(), "the data has no closing ]"))?;
    let data = text[..close].to_string();
    if data.contains('[') {
        return Err(fail(data.find('[').unwrap_or(0), "[ inside the data"));
    }
    let mut at = close + 1;
    let mut extended = Vec::new();
    while text[at..].starts_with('[') {
        let end = text[at..]
            .find(']')
            .ok_or_else(|| fail(at, "an extended data block has no closing ]"))?;
        extended.push(text[at + 1..at + end].to_string());
        at += end + 1;
    }
    let rest = &text[at..];
    let timestamp = if rest.is_empty() {
        if sealed {
            return Err(fail(at, "an encrypted frame must end with a timestamp"));
        }
        None
    } else {
        let Some(stamp) = rest.strip_prefix('_') else {
            return Err(fail(
                at,
                "after the data only [blocks] and _timestamp may follow",
            ));
        };
        let format = format_description!("[hour]:[minute]:[second],[month]-[day]-[year]");
        let parsed = PrimitiveDateTime::parse(stamp, format)
            .map_err(|_| fail(at, "the timestamp must be _HH:MM:SS,MM-DD-YYYY"))?;
        Some(parsed)
    };
    Ok(Content {
        data,
        extended,
        timestamp,
    })
}

/// Wraps a message (from its first `"`) into a frame: `<LF>`, CRC, length, message, `<CR>`.
pub fn enclose(message: &str) -> String {
    format!(
        "\n{:04X}0{:03X}{message}\r",
        crc16(message.as_bytes()),
        message.len()
    )
}

/// The timestamp as DC-09 writes it: `_HH:MM:SS,MM-DD-YYYY`.
pub fn timestamp_text(at: PrimitiveDateTime) -> String {
    format!(
        "_{:02}:{:02}:{:02},{:02}-{:02}-{:04}",
        at.hour(),
        at.minute(),
        at.second(),
        u8::from(at.month()),
        at.day(),
        at.year()
    )
}
