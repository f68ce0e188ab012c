//! Feeds generated and damaged frames to `read_frame`, the device frame reader, and counts
//! panics (the target is 0) and refusals without a message (also 0), with the rate in frames a
//! second. Valid frames of every kind are mutated: flipped and replaced bytes, truncation,
//! splices of two frames, huge numbers, deep nesting, invalid UTF-8 and over-long texts.
//!
//! `cargo bench -p alert-hub --bench fuzz_frames` runs 10,000,000 frames; `cargo test -p
//! alert-hub --bench fuzz_frames` runs a short 20,000. A count and a seed may be given after
//! `--`: `cargo bench -p alert-hub --bench fuzz_frames -- 1000000 42`.

#[path = "../tests/fuzz_input/mod.rs"]
mod fuzz_input;

use std::hint::black_box;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;
use std::time::Instant;

use alert_hub::ingest::read_frame;
use fuzz_input::{Rng, SITE, mutated, seed_frames};

const LONG_RUN: u64 = 10_000_000;
const SHORT_RUN: u64 = 20_000;

/// What came of feeding the frames.
#[derive(Debug, Default)]
struct Tally {
    accepted: u64,
    refused: u64,
    not_utf8: u64,
    panics: u64,
    silent_refusals: u64,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let benching = args.iter().any(|a| a == "--bench");
    let mut numbers = args.iter().filter_map(|a| a.parse::<u64>().ok());
    let frames = numbers
        .next()
        .unwrap_or(if benching { LONG_RUN } else { SHORT_RUN });
    let seed = numbers.next().unwrap_or(0x5eed);

    // A panic is counted, not printed for each frame; the first one is shown below.
    std::panic::set_hook(Box::new(|_| {}));
    let seeds = seed_frames();
    let mut rng = Rng::new(seed);
    let mut tally = Tally::default();
    let mut first_panic: Option<String> = None;
    let started = Instant::now();
    for n in 0..frames {
        // One frame in sixteen is a seed as it is, so that acceptance is exercised too.
        let bytes = if n % 16 == 0 {
            seeds[(n / 16) as usize % seeds.len()].as_bytes().to_vec()
        } else {
            mutated(&mut rng, &seeds)
        };
        // The socket refuses a text frame that is not UTF-8 before the reader sees it; what
        // is left of it after replacement is still fed to the reader.
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                tally.not_utf8 += 1;
                String::from_utf8_lossy(e.as_bytes()).into_owned()
            }
        };
        match catch_unwind(AssertUnwindSafe(|| {
            black_box(read_frame(black_box(&text), |site| site == SITE))
        })) {
            Ok(Ok(_)) => tally.accepted += 1,
            Ok(Err(nack)) if nack.message.trim().is_empty() => tally.silent_refusals += 1,
            Ok(Err(_)) => tally.refused += 1,
            Err(_) => {
                tally.panics += 1;
                first_panic.get_or_insert(text);
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "fuzz_frames: {frames} frames (seed {seed}) in {elapsed:.1} s, {:.0} frames/s",
        frames as f64 / elapsed
    );
    println!(
        "  accepted {}, refused with a message {}, not UTF-8 {}, refused without a message {} \
         (target 0), panics {} (target 0)",
        tally.accepted, tally.refused, tally.not_utf8, tally.silent_refusals, tally.panics
    );
    if let Some(frame) = first_panic {
        let shown: String = frame.chars().take(400).collect();
        println!("  first frame that panicked: {shown:?}");
    }
    if tally.panics == 0 && tally.silent_refusals == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
