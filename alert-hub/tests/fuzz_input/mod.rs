//! What the fuzz tests and the `fuzz_frames` bench feed the hub's readers: valid device frames
//! of every kind, the demo configuration, and a mutator that damages them the way broken
//! firmware, a bad gateway or an attacker would (flipped bytes, truncation, splices, huge
//! numbers, deep nesting, invalid UTF-8, over-long texts). Deterministic for a given seed.
#![allow(dead_code)]

/// Every event kind a device may send, and the ones it may not (the reader must refuse those
/// with a message, not fail).
pub const KINDS: [&str; 24] = [
    "fire.alarm",
    "fire.prealarm",
    "fire.supervisory",
    "fire.trouble",
    "fire.restore",
    "access.forced",
    "access.held_open",
    "access.denied",
    "access.tamper",
    "access.duress",
    "access.restore",
    "elevator.entrapment",
    "elevator.released",
    "elevator.fault",
    "elevator.restore",
    "heartbeat",
    "comms.lost",
    "manual.gas_leak",
    "manual.flood",
    "manual.medical",
    "manual.public_security",
    "fire.unknown",
    "",
    "FIRE.ALARM",
];

/// The site the frames are sent for, the only one their source may report for.
pub const SITE: &str = "green-garden";

/// A valid frame of each kind (some with every optional field, a drill id and a `detail`),
/// and a few that are valid JSON but not valid frames.
pub fn seed_frames() -> Vec<String> {
    let mut frames = Vec::new();
    for (n, kind) in KINDS.iter().enumerate() {
        frames.push(format!(
            r#"{{"id":"fp:{n:06}","kind":"{kind}","device":"smoke-B2-07F-{n:02}","site":"{SITE}","building":"B2","floor":"7","zone":"7F east corridor","at":"2026-11-22T23:40:00+08:00","drill":null,"detail":{{"loop":3,"address":117,"obscuration_pct_per_m":4.25,"points":[117,118],"sensitivity":{{"day":2,"night":1}}}}}}"#
        ));
        frames.push(format!(
            r#"{{"id":"d{n}","kind":"{kind}","device":"door-{n}","site":"{SITE}","at":"2026-01-01T00:00:00Z","drill":"DRL-000001"}}"#
        ));
    }
    frames.push(r#"{"id":"x","kind":"heartbeat","device":"d","site":"riverside-plaza","at":"2026-01-01T00:00:00Z","drill":null}"#.into());
    frames.push(r#"[{"id":"x"}]"#.into());
    frames.push(r#"{"id":"\ud83d\ude92 \u0000","kind":"fire.alarm","device":"d","site":"green-garden","at":"2026-02-30T25:61:00+08:00","drill":null,"detail":null}"#.into());
    frames
}

/// The demo site configuration as shipped.
pub fn demo_config() -> &'static str {
    include_str!("../../examples/demo-site.toml")
}

/// A small, fast, deterministic generator (xorshift64*).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng((seed ^ 0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Numbers no field expects: too big for any integer, beyond a double, negative zero, not
/// numbers at all.
const HUGE_NUMBERS: [&str; 9] = [
    "18446744073709551616",
    "-9223372036854775809",
    "1e999",
    "-1e-999",
    "99999999999999999999999999999999999999999999999999999999999999999999999999999999",
    "-0",
    "NaN",
    "Infinity",
    "0x10",
];

/// Byte sequences that are not UTF-8 (a lone continuation byte, an over-long NUL, a UTF-16
/// surrogate, a cut four-byte character, bytes never used).
const NOT_UTF8: [&[u8]; 6] = [
    b"\x80",
    b"\xc0\x80",
    b"\xed\xa0\x80",
    b"\xf0\x9f\x9a",
    b"\xff\xfe",
    b"\xf5\x80\x80\x80",
];

/// JSON texts that are awkward rather than broken: escapes of lone surrogates and NUL,
/// duplicate keys, and values of the wrong type.
const ODD_JSON: [&str; 8] = [
    r#""\ud800""#,
    r#""\u0000""#,
    r#""\"""#,
    "null",
    "true",
    "[]",
    "{}",
    r#"{"id":"a","id":"b"}"#,
];

/// One damaged copy of `seeds[i]` for a random `i`: one to four mutations in a row.
pub fn mutated(rng: &mut Rng, seeds: &[String]) -> Vec<u8> {
    let mut bytes = rng.pick(seeds).as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        mutate(rng, &mut bytes, seeds);
    }
    bytes
}

/// Applies one mutation to `bytes`.
pub fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>, seeds: &[String]) {
    let len = bytes.len();
    let at = if len == 0 { 0 } else { rng.below(len + 1) };
    match rng.below(12) {
        0 if len > 0 => {
            let i = rng.below(len);
            bytes[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = rng.below(len);
            bytes[i] = *rng.pick(b"{}[]\",:\\0123456789.eE+-tfn \n\x00\x7f");
        }
        2 => bytes.truncate(at),
        3 if len > 0 => {
            let end = (at + 1 + rng.below(16)).min(len);
            bytes.drain(at.min(end)..end);
        }
        4 => {
            let other = rng.pick(seeds).as_bytes();
            let from = rng.below(other.len() + 1);
            bytes.truncate(at);
            bytes.extend_from_slice(&other[from..]);
        }
        5 => replace_number(rng, bytes),
        6 => {
            let depth = *rng.pick(&[64, 127, 128, 129, 1_000, 20_000]);
            let (open, close) = if rng.below(2) == 0 {
                ("[".repeat(depth), "]".repeat(depth))
            } else {
                ("{\"a\":".repeat(depth), "}".repeat(depth))
            };
            let nested = format!("{open}1{close}");
            replace_value(rng, bytes, nested.as_bytes());
        }
        7 => {
            let bad = rng.pick(&NOT_UTF8);
            bytes.splice(at..at, bad.iter().copied());
        }
        8 => {
            let odd = rng.pick(&ODD_JSON);
            replace_value(rng, bytes, odd.as_bytes());
        }
        9 => {
            let long = format!("\"{}\"", "座".repeat(*rng.pick(&[85, 86, 300, 30_000])));
            replace_value(rng, bytes, long.as_bytes());
        }
        10 if len > 0 => {
            let end = (at + 1 + rng.below(64)).min(len);
            let copy: Vec<u8> = bytes[at.min(end)..end].to_vec();
            for _ in 0..1 + rng.below(8) {
                bytes.splice(at..at, copy.iter().copied());
            }
        }
        _ => {
            let n = 1 + rng.below(8);
            let noise: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
            bytes.splice(at..at, noise);
        }
    }
}

/// Replaces a run of digits with a number no field expects.
fn replace_number(rng: &mut Rng, bytes: &mut Vec<u8>) {
    let digits: Vec<usize> = (0..bytes.len())
        .filter(|&i| bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_digit()))
        .collect();
    let huge = rng.pick(&HUGE_NUMBERS).as_bytes();
    if digits.is_empty() {
        bytes.extend_from_slice(huge);
        return;
    }
    let start = *rng.pick(&digits);
    let end = (start..bytes.len())
        .find(|&i| !bytes[i].is_ascii_digit())
        .unwrap_or(bytes.len());
    bytes.splice(start..end, huge.iter().copied());
}

/// Replaces the value after a random `:` or `=` (up to the next `,`, `}` or line end) with
/// `value`.
fn replace_value(rng: &mut Rng, bytes: &mut Vec<u8>, value: &[u8]) {
    let colons: Vec<usize> = (0..bytes.len())
        .filter(|&i| bytes[i] == b':' || bytes[i] == b'=')
        .collect();
    if colons.is_empty() {
        bytes.extend_from_slice(value);
        return;
    }
    let start = *rng.pick(&colons) + 1;
    let end = (start..bytes.len())
        .find(|&i| matches!(bytes[i], b',' | b'}' | b'\n'))
        .unwrap_or(bytes.len());
    bytes.splice(start..end, value.iter().copied());
}
