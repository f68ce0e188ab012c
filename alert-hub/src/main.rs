//! The alert-hub binary: reads the command line and configuration, then runs the hub.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use alert_hub::config::HubConfig;
use alert_hub::server::{ServeOptions, serve, shutdown_signal};
use clap::{Parser, Subcommand};

/// Allocates with mimalloc: with the system allocator the hub's core thread, which frees much of
/// what the connection tasks allocated, spent a quarter of its time in malloc and its arena
/// locks (`cargo bench -p drills --bench hub_ingest` shows the difference).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "alert-hub",
    version,
    about = "The alert hub of the operations console"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the hub until SIGTERM or Ctrl-C.
    Serve {
        /// The site configuration (TOML).
        #[arg(long, env = "ALERT_HUB_CONFIG")]
        config: PathBuf,
        /// The data directory; created when missing.
        #[arg(long, env = "ALERT_HUB_DATA", default_value = "./hub-data")]
        data: PathBuf,
        /// The address to listen on; port 0 picks a free port (printed at start).
        #[arg(long, env = "ALERT_HUB_LISTEN", default_value = "127.0.0.1:7400")]
        listen: SocketAddr,
    },
    /// Validates a site configuration and prints every problem with its file, line and field.
    Check {
        #[arg(long, env = "ALERT_HUB_CONFIG")]
        config: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("alert-hub: {}", report(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes in one line. The hub's errors name their cause in their own
/// message, so a cause already said is not repeated.
fn report(error: &anyhow::Error) -> String {
    let mut line = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !line.contains(&cause) {
            line.push_str(": ");
            line.push_str(&cause);
        }
    }
    line
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Check { config } => {
            let loaded = HubConfig::load(&config)?;
            for warning in &loaded.warnings {
                println!("{}: warning: {warning}", config.display());
            }
            println!(
                "{}: {} sites, {} sources, {} operators: valid",
                config.display(),
                loaded.sites.len(),
                loaded.sources.len(),
                loaded.operators.len()
            );
            Ok(())
        }
        Command::Serve {
            config,
            data,
            listen,
        } => {
            let loaded = HubConfig::load(&config)?;
            let runtime = tokio::runtime::Runtime::new()?;
            let options = ServeOptions { data, listen };
            runtime.block_on(serve(options, loaded, announce, shutdown_signal()))?;
            Ok(())
        }
    }
}

/// Tells whoever started the hub where it listens (tests start it on port 0 and read this).
fn announce(addr: SocketAddr) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "alert-hub listening on http://{addr}");
    let _ = out.flush();
}
