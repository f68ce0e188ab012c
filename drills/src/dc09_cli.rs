//! `drills dc09`: sends SIA DC-09 frames to a receiver, as an alarm panel would, and prints
//! each answer (for a person trying a receiver, and for the tests).

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs, UdpSocket};
use std::process::ExitCode;
use std::time::Duration;

use alert_hub::protocol::dc09::{Key, Reply, Route, Token, compose, read_reply};
use anyhow::{Context, bail};
use time::{OffsetDateTime, PrimitiveDateTime};

/// How long the sender waits for each answer.
const ANSWER_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, clap::Args)]
pub struct Dc09 {
    /// The receiver's address, host:port (TCP unless --udp).
    #[arg(long)]
    to: String,
    /// The panel's account number (hexadecimal digits).
    #[arg(long)]
    account: String,
    /// An AES key (32, 48 or 64 hexadecimal digits): the frames are sent encrypted.
    #[arg(long)]
    key: Option<String>,
    /// Sends over UDP, one frame a datagram.
    #[arg(long)]
    udp: bool,
    /// A Contact ID event, "Q EEE GG CCC" (e.g. "1 110 01 003"); repeat for more frames.
    #[arg(long = "code")]
    codes: Vec<String>,
    /// A SIA DCS event block (e.g. "Nri1/FA003"); repeat for more frames.
    #[arg(long = "sia")]
    sia: Vec<String>,
    /// Sends a NULL supervision frame (a heartbeat) after the events.
    #[arg(long)]
    null: bool,
    /// The first frame's sequence number; each further frame takes the next.
    #[arg(long, default_value_t = 1)]
    seq: u16,
    /// The receiver number (R), hexadecimal.
    #[arg(long)]
    receiver: Option<String>,
    /// The line prefix (L), hexadecimal.
    #[arg(long, default_value = "0")]
    prefix: String,
    /// The frames' time, UTC, as YYYY-MM-DDTHH:MM:SSZ (now otherwise): the same time and
    /// sequence send the same frame again.
    #[arg(long)]
    at: Option<String>,
    /// Sends frames without a timestamp (only unencrypted frames may omit it).
    #[arg(long)]
    no_timestamp: bool,
}

/// Sends every frame asked for, in order, and prints each answer; fails when an answer is not
/// `ACK`.
pub fn send(args: Dc09) -> anyhow::Result<ExitCode> {
    let key = args
        .key
        .as_deref()
        .map(Key::from_hex)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--key: {e}"))?;
    if !args.account.bytes().all(|b| b.is_ascii_hexdigit()) || args.account.len() < 3 {
        bail!("--account {:?}: 3 to 16 hexadecimal digits", args.account);
    }
    let at = match &args.at {
        Some(text) => {
            let parsed =
                OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                    .with_context(|| {
                        format!("--at {text:?}: write it like 2026-12-05T12:40:00Z")
                    })?;
            parsed.to_offset(time::UtcOffset::UTC)
        }
        None => OffsetDateTime::now_utc(),
    };
    let stamp = (!args.no_timestamp).then(|| PrimitiveDateTime::new(at.date(), at.time()));
    let mut frames = Vec::new();
    for code in &args.codes {
        frames.push((Token::ContactId, contact_id_data(&args.account, code)?));
    }
    for block in &args.sia {
        frames.push((Token::SiaDcs, format!("#{}|{block}", args.account)));
    }
    if args.null || frames.is_empty() {
        frames.push((Token::Null, String::new()));
    }
    let mut link = Link::open(&args.to, args.udp)?;
    let mut all_acked = true;
    for (n, (token, data)) in frames.iter().enumerate() {
        let seq = (usize::from(args.seq) + n) % 10_000;
        let route = Route {
            seq: format!("{seq:04}"),
            receiver: args.receiver.clone(),
            prefix: Some(args.prefix.clone()),
            account: args.account.clone(),
        };
        let seed = OffsetDateTime::now_utc()
            .unix_timestamp_nanos()
            .to_le_bytes();
        let frame = compose(token, &route, data, stamp, key.as_ref(), &seed);
        let answer = link.exchange(frame.as_bytes())?;
        let shown = match answer.as_deref().map(read_reply) {
            None => {
                all_acked = false;
                "no answer".to_string()
            }
            Some(Ok((reply, answered))) => {
                all_acked &= reply == Reply::Ack;
                format!("{} {answered}", reply.as_str())
            }
            Some(Err(e)) => {
                all_acked = false;
                format!("unreadable answer: {e}")
            }
        };
        println!("{} {} {:?}: {shown}", route.seq, token.as_str(), data);
    }
    Ok(if all_acked {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `#acct|QEEE GG CCC` from a code written with or without spaces.
fn contact_id_data(account: &str, code: &str) -> anyhow::Result<String> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != 9 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        bail!(
            "--code {code:?}: write a Contact ID event as \"Q EEE GG CCC\", e.g. \"1 110 01 003\""
        );
    }
    Ok(format!(
        "#{account}|{} {} {}",
        &digits[..4],
        &digits[4..6],
        &digits[6..]
    ))
}

/// The way to the receiver.
enum Link {
    Tcp(TcpStream),
    Udp(UdpSocket),
}

impl Link {
    fn open(to: &str, udp: bool) -> anyhow::Result<Link> {
        let addr = to
            .to_socket_addrs()
            .with_context(|| format!("--to {to:?}: host:port"))?
            .next()
            .with_context(|| format!("--to {to:?}: no address"))?;
        if udp {
            let bind = if addr.is_ipv4() {
                "0.0.0.0:0"
            } else {
                "[::]:0"
            };
            let socket = UdpSocket::bind(bind).context("UDP socket")?;
            socket
                .connect(addr)
                .with_context(|| format!("UDP to {addr}"))?;
            socket.set_read_timeout(Some(ANSWER_WAIT))?;
            Ok(Link::Udp(socket))
        } else {
            let stream = TcpStream::connect_timeout(&addr, ANSWER_WAIT)
                .with_context(|| format!("connecting to {addr}"))?;
            stream.set_read_timeout(Some(ANSWER_WAIT))?;
            stream.set_nodelay(true)?;
            Ok(Link::Tcp(stream))
        }
    }

    /// Sends a frame and returns the answer frame, `None` when none came in time.
    fn exchange(&mut self, frame: &[u8]) -> anyhow::Result<Option<Vec<u8>>> {
        match self {
            Link::Udp(socket) => {
                socket.send(frame).context("sending")?;
                let mut buf = vec![0u8; 8192];
                match socket.recv(&mut buf) {
                    Ok(n) => Ok(Some(buf[..n].to_vec())),
                    Err(e) if is_timeout(&e) => Ok(None),
                    Err(e) => Err(e).context("receiving"),
                }
            }
            Link::Tcp(stream) => {
                stream.write_all(frame).context("sending")?;
                let mut answer = Vec::new();
                let mut byte = [0u8; 1];
                loop {
                    match stream.read(&mut byte) {
                        Ok(0) => return Ok(None),
                        Ok(_) => {
                            if answer.is_empty() && byte[0] != b'\n' {
                                continue;
                            }
                            answer.push(byte[0]);
                            if byte[0] == b'\r' {
                                return Ok(Some(answer));
                            }
                        }
                        Err(e) if is_timeout(&e) => return Ok(None),
                        Err(e) => return Err(e).context("receiving"),
                    }
                }
            }
        }
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}
