//! Times `read_frame`, the device ingest hot path, on a typical frame with a `detail` object:
//! `cargo bench -p alert-hub --bench read_frame` (or `--profile dev` for a quick comparison).

use std::hint::black_box;
use std::time::Instant;

use alert_hub::ingest::read_frame;

const FRAME: &str = r#"{"id":"fp-b2:000123","kind":"fire.alarm","device":"smoke-B2-07F-03",
"site":"green-garden","building":"B2","floor":"7","zone":"7F east corridor",
"at":"2026-11-22T23:40:00+08:00","drill":null,
"detail":{"loop":3,"address":117,"obscuration_pct_per_m":4.25,"panel":"FP-2000",
"points":[117,118],"sensitivity":{"day":2,"night":1}}}"#;

fn main() {
    let rounds = 200_000;
    let mut best = f64::MAX;
    for _ in 0..5 {
        let started = Instant::now();
        for _ in 0..rounds {
            let event = read_frame(black_box(FRAME), |site| site == "green-garden");
            let _ = black_box(event);
        }
        best = best.min(started.elapsed().as_secs_f64());
    }
    println!(
        "read_frame: {:.0} ns a frame (best of 5 x {rounds})",
        best / f64::from(rounds) * 1e9
    );
}
