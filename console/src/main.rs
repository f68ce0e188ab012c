//! The console binary: a thin wrapper around the `console` library.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use console::config::{self, Cli, CliCommand};
use console::queries::HubHttp;
use console::sound::player::SoundOutput;
use console::{app, tui};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(CliCommand::Demo) = cli.command {
        eprintln!("console demo needs the hub: the embedded demo hub is not wired in yet.");
        return ExitCode::from(2);
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("console: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let config = config::resolve(&cli, &|name| std::env::var(name).ok())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;

    let log = config
        .stderr_log
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("console-stderr.log"));
    // Sound libraries (ALSA) print to stderr; keep that off the screen from here on.
    let redirect = tui::redirect_stderr(Some(&log));
    let queries = Arc::new(HubHttp::new(&config.hub, &config.token));
    let sound = SoundOutput::open();
    let mut terminal = tui::enter().context("entering the terminal's alternate screen")?;
    let result = runtime.block_on(app::run(config, queries, sound, &mut terminal));
    tui::leave();
    drop(redirect);
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    result.context("the console stopped")
}
