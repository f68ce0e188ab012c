//! The chaos run: `cargo run --release -p system-tests --bin chaos -- --cycles 100`.
//! Each cycle starts the real hub on one data directory, streams events from several devices
//! recording every acknowledgement, kills the hub with SIGKILL at a random moment and restarts
//! it; at the end it prints acknowledged events lost (target 0), events stored twice (target 0)
//! and the restart times, and exits with a failure when anything was lost or doubled.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use system_tests::chaos::{self, Options};

const USAGE: &str = "usage: chaos [--cycles N] [--devices N] [--window N] [--seed N] \
                     [--kill-after-ms MIN-MAX] [--keep DIR]";

fn options() -> anyhow::Result<(Options, Option<std::path::PathBuf>)> {
    let mut options = Options {
        cycles: 100,
        seed: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_secs()),
        ..Options::default()
    };
    let mut keep = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value; {USAGE}"))?;
        let number = || {
            value
                .parse::<u64>()
                .with_context(|| format!("{flag} {value:?}: not a whole number"))
        };
        match flag.as_str() {
            "--cycles" => options.cycles = usize::try_from(number()?)?,
            "--devices" => options.devices = usize::try_from(number()?)?,
            "--window" => options.window = usize::try_from(number()?)?,
            "--seed" => options.seed = number()?,
            "--keep" => keep = Some(value.into()),
            "--kill-after-ms" => {
                let (low, high) = value
                    .split_once('-')
                    .and_then(|(l, h)| Some((l.parse().ok()?, h.parse().ok()?)))
                    .with_context(|| {
                        format!("--kill-after-ms {value:?}: give MIN-MAX, e.g. 100-1200")
                    })?;
                if low >= high {
                    bail!("--kill-after-ms {value:?}: MIN must be below MAX");
                }
                options.kill_after = (Duration::from_millis(low), Duration::from_millis(high));
            }
            _ => bail!("unknown option {flag:?}; {USAGE}"),
        }
    }
    if options.cycles == 0 || options.devices == 0 || options.window == 0 {
        bail!("--cycles, --devices and --window must be at least 1");
    }
    Ok((options, keep))
}

fn main() -> anyhow::Result<ExitCode> {
    let (options, keep) = options()?;
    let scratch = tempfile::tempdir()?;
    let dir = match &keep {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            dir.clone()
        }
        None => scratch.path().to_path_buf(),
    };
    println!(
        "chaos: {} cycles, {} devices, window {}, kill after {}-{} ms, seed {}, data in {}",
        options.cycles,
        options.devices,
        options.window,
        options.kill_after.0.as_millis(),
        options.kill_after.1.as_millis(),
        options.seed,
        dir.display()
    );
    let runtime = tokio::runtime::Runtime::new()?;
    let report = runtime.block_on(chaos::run(&dir, &options, |line| println!("{line}")));
    println!("{}", report.summary());
    for id in report.lost.iter().take(20) {
        println!("  lost: {id}");
    }
    for id in report.duplicates.iter().take(20) {
        println!("  stored twice: {id}");
    }
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
