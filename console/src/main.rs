//! The console binary: a thin wrapper around the `console` library.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use console::config::{self, Cli, CliCommand, Config};
use console::demo::{self, hub::EmbeddedHub};
use console::queries::HubHttp;
use console::{app, tui};
use tokio::runtime::Runtime;

/// The embedded demo hub allocates as `alert-hub serve` does (see its `main.rs`).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(CliCommand::Demo) => run_demo(cli),
        None => run(&cli),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("console: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> anyhow::Result<Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")
}

fn run(cli: &Cli) -> anyhow::Result<()> {
    let config = config::resolve(cli, &|name| std::env::var(name).ok())?;
    let runtime = runtime()?;
    let result = run_console(&runtime, config);
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    result
}

/// Starts the embedded hub and the simulated devices, runs the console on them as the demo
/// operator (or the demo person whose token is given), then stops the hub and removes its data.
fn run_demo(mut cli: Cli) -> anyhow::Result<()> {
    let log = demo_log(&cli);
    log_to_file(&log)?;
    let runtime = runtime()?;
    let hub = runtime
        .block_on(EmbeddedHub::start())
        .context("starting the embedded demo hub")?;
    let devices = runtime.spawn(demo::devices::run(hub.address()));
    cli.hub = vec![hub.url()];
    // The demo operator, unless another of the demo site's people is asked for (the manager,
    // to try the reports screen).
    cli.token
        .get_or_insert_with(|| demo::OPERATOR_TOKEN.to_string());
    let result = config::resolve(&cli, &|name| std::env::var(name).ok())
        .map_err(anyhow::Error::from)
        .and_then(|config| run_console(&runtime, config));
    devices.abort();
    let stopped = runtime.block_on(hub.stop());
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    result?;
    stopped.with_context(|| format!("stopping the demo hub (its log: {})", log.display()))
}

/// Where the demo hub and devices log: next to the console's stderr log.
fn demo_log(cli: &Cli) -> PathBuf {
    let dir = cli
        .stderr_log
        .as_ref()
        .and_then(|p| p.parent().map(PathBuf::from))
        .unwrap_or_else(std::env::temp_dir);
    dir.join("console-demo-hub.log")
}

/// Sends `tracing` output (the embedded hub's and the devices') to `path`, never the screen.
fn log_to_file(path: &PathBuf) -> anyhow::Result<()> {
    let file = std::fs::File::create(path)
        .with_context(|| format!("creating the demo log {}", path.display()))?;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init();
    Ok(())
}

/// Runs the console UI on `config` until the operator quits.
fn run_console(runtime: &Runtime, config: Config) -> anyhow::Result<()> {
    let log = config
        .stderr_log
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("console-stderr.log"));
    // The sound player (ALSA's aplay) prints its errors to stderr; keep them off the screen
    // from here on.
    let redirect = tui::redirect_stderr(Some(&log));
    // The queries go to whichever hub the feed is connected to.
    let (in_use, hub) = tokio::sync::watch::channel(config.hubs.first().clone());
    let queries = Arc::new(HubHttp::following(hub, &config.token));
    let mut terminal = tui::enter().context("entering the terminal's alternate screen")?;
    let result = runtime.block_on(app::run(config, queries, in_use, &mut terminal));
    tui::leave();
    drop(redirect);
    result.context("the console stopped")
}
