//! The alert-hub binary: reads the command line and configuration, then runs the hub.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use alert_hub::config::HubConfig;
use alert_hub::report::month::Month;
use alert_hub::report::month::render::MonthFormat;
use alert_hub::report::render::Format;
use alert_hub::report_cli;
use alert_hub::server::{ServeOptions, serve, shutdown_signal};
use clap::{Parser, Subcommand};

/// Allocates with jemalloc, whose background thread hands freed pages back to the system
/// after a second (`.cargo/config.toml`), also while the hub is idle: with mimalloc, which
/// returns them only when the freeing thread allocates again, the hub held 128 MiB idle at
/// 1,000,000 events against 68 (`cargo bench -p system-tests --bench resources`). The system
/// allocator is not used: the core thread, which frees much of what the connection tasks
/// allocated, spent a quarter of its time in its malloc and arena locks.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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

/// The servers of `--store nats://...`.
#[derive(Debug, Clone)]
struct NatsCluster(Vec<String>);

fn nats_cluster(url: &str) -> Result<NatsCluster, String> {
    alert_hub::config::nats_store(url).map(NatsCluster)
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
        /// Journal every batch to a NATS JetStream cluster (three replicas) before it is
        /// stored and acknowledged: nats://HOST:PORT[,HOST:PORT...]. Without it (and without
        /// `[store] nats`), sled in the data directory alone.
        #[arg(long, env = "ALERT_HUB_STORE", value_parser = nats_cluster)]
        store: Option<NatsCluster>,
        /// With --store: the URL devices and consoles reach this hub at, which the standbys
        /// name while it is active (over `[store] advertise`; the listen address otherwise).
        #[arg(long, env = "ALERT_HUB_ADVERTISE", value_parser = alert_hub::config::advertised)]
        advertise: Option<String>,
    },
    /// Validates a site configuration and prints every problem with its file, line and field.
    Check {
        #[arg(long, env = "ALERT_HUB_CONFIG")]
        config: PathBuf,
    },
    /// Re-reads every stored event and incident-log entry of a stopped hub's data directory,
    /// recomputes the audit tree, and checks it against the stored tree and the latest signed
    /// checkpoint; names the first entry that does not match and exits non-zero.
    Verify {
        /// The data directory of a hub that is not running.
        #[arg(long, env = "ALERT_HUB_DATA")]
        data: PathBuf,
        /// The configuration the hub ran with, for its `[audit] key` (the data directory's
        /// `audit.key` otherwise).
        #[arg(long, env = "ALERT_HUB_CONFIG")]
        config: Option<PathBuf>,
        /// The verifier key to check the checkpoint with, as `GET /v1/audit/key` gives it
        /// (`<name>+<hash>+<key>`); without it, the key file's.
        #[arg(long)]
        key: Option<String>,
    },
    /// Has a running hub write a consistent backup of its store to FILE (on the hub's
    /// machine) while it keeps taking events. Admins only.
    Backup {
        /// Where the hub writes the backup; it must not exist yet.
        #[arg(long)]
        to: PathBuf,
        /// The running hub's address, e.g. http://127.0.0.1:7400.
        #[arg(long, env = "ALERT_HUB_URL", default_value = "http://127.0.0.1:7400")]
        hub: String,
        /// An admin's token.
        #[arg(long, env = "ALERT_HUB_TOKEN")]
        token: String,
    },
    /// Moves events received more than `[retention] days` ago and incidents closed before
    /// then from a stopped hub's store to compressed files in DATA/archive/, and prints what
    /// it moved. A running hub does this itself at start and once a day.
    Archive {
        /// The data directory of a hub that is not running.
        #[arg(long, env = "ALERT_HUB_DATA")]
        data: PathBuf,
        /// The configuration the hub runs with, for its `[retention] days` (400 otherwise).
        #[arg(long, env = "ALERT_HUB_CONFIG")]
        config: Option<PathBuf>,
        /// Archive as if it were this time (RFC 3339), e.g. to see what a day will move.
        #[arg(long)]
        now: Option<String>,
    },
    /// Restores a backup into a new data directory, then verifies its audit tree.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
        /// The data directory to restore into; it must be missing or empty.
        #[arg(long)]
        data: PathBuf,
        /// The configuration the hub runs with, for its `[audit] key`.
        #[arg(long, env = "ALERT_HUB_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Prints a report: from the data directory of a stopped hub (--data with --config), or
    /// from a running hub (--hub with --token).
    Report {
        #[command(subcommand)]
        report: ReportCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ReportCommand {
    /// The post-incident report of one incident.
    Incident {
        /// The incident, e.g. INC-000042.
        id: String,
        /// html, md or json.
        #[arg(long, default_value = "html")]
        format: String,
        /// zh or en.
        #[arg(long, default_value = "zh")]
        lang: String,
        #[command(flatten)]
        source: SourceArgs,
    },
    /// The monthly report for managers.
    Month {
        /// The month, as YYYY-MM (e.g. 2026-11).
        month: String,
        /// Only this site's incidents and drills.
        #[arg(long)]
        site: Option<String>,
        /// html, md, json or csv.
        #[arg(long, default_value = "html")]
        format: String,
        /// zh or en.
        #[arg(long, default_value = "zh")]
        lang: String,
        #[command(flatten)]
        source: SourceArgs,
    },
}

/// `zh` or `en`, or says what was wrong.
fn parse_lang(lang: &str) -> anyhow::Result<playbooks::Lang> {
    match lang {
        "zh" => Ok(playbooks::Lang::Zh),
        "en" => Ok(playbooks::Lang::En),
        other => anyhow::bail!("--lang must be zh or en, not \"{other}\""),
    }
}

/// Where a report's data comes from.
#[derive(Debug, clap::Args)]
struct SourceArgs {
    /// The data directory of a hub that is not running.
    #[arg(long, requires = "config", conflicts_with = "hub")]
    data: Option<PathBuf>,
    /// The configuration the hub ran with (for its playbooks).
    #[arg(long, env = "ALERT_HUB_CONFIG")]
    config: Option<PathBuf>,
    /// A running hub's address, e.g. http://127.0.0.1:7400.
    #[arg(long, requires = "token")]
    hub: Option<String>,
    /// An operator's token for --hub.
    #[arg(long, env = "ALERT_HUB_TOKEN")]
    token: Option<String>,
    /// A CA certificate file (PEM) trusted besides the system's roots, for an https:// hub.
    #[arg(long = "ca", value_name = "FILE", requires = "hub")]
    ca: Option<PathBuf>,
}

impl SourceArgs {
    fn source(self) -> anyhow::Result<report_cli::Source> {
        match (self.data, self.config, self.hub, self.token) {
            (Some(dir), Some(config), None, _) => Ok(report_cli::Source::Data { dir, config }),
            (None, _, Some(address), Some(token)) => {
                let mut address = hub_client::HubAddress::parse(&address)?;
                if let Some(ca) = &self.ca {
                    address = address.with_ca_file(ca)?;
                }
                Ok(report_cli::Source::Hub { address, token })
            }
            _ => anyhow::bail!(
                "say where the report comes from: --data DIR --config FILE for a stopped hub, \
                 or --hub ADDRESS --token TOKEN for a running one"
            ),
        }
    }
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
            if let Some(files) = &loaded.tls.files {
                alert_hub::tls::server_config(files)?;
            }
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
        Command::Report {
            report:
                ReportCommand::Incident {
                    id,
                    format,
                    lang,
                    source,
                },
        } => {
            let Some(format) = Format::parse(&format) else {
                anyhow::bail!("--format must be html, md or json, not \"{format}\"");
            };
            let lang = parse_lang(&lang)?;
            let text = report_cli::incident(&source.source()?, &id, format, lang)?;
            std::io::stdout().write_all(text.as_bytes())?;
            Ok(())
        }
        Command::Report {
            report:
                ReportCommand::Month {
                    month,
                    site,
                    format,
                    lang,
                    source,
                },
        } => {
            let month = Month::parse(&month)?;
            let Some(format) = MonthFormat::parse(&format) else {
                anyhow::bail!("--format must be html, md, json or csv, not \"{format}\"");
            };
            let lang = parse_lang(&lang)?;
            let site = site.as_deref().filter(|s| !s.is_empty());
            let text = report_cli::month(&source.source()?, month, site, format, lang)?;
            std::io::stdout().write_all(text.as_bytes())?;
            Ok(())
        }
        Command::Verify { data, config, key } => verify(&data, config.as_deref(), key.as_deref()),
        Command::Backup { to, hub, token } => backup(&to, &hub, &token),
        Command::Archive { data, config, now } => archive(&data, config.as_deref(), now.as_deref()),
        Command::Restore { from, data, config } => {
            let counts = alert_hub::store::backup::restore(&from, &data)?;
            println!(
                "restored {} records and {} files from {} into {}",
                counts.records,
                counts.files,
                from.display(),
                data.display()
            );
            verify(&data, config.as_deref(), None)
        }
        Command::Serve {
            config,
            data,
            listen,
            store,
            advertise,
        } => {
            let mut loaded = HubConfig::load(&config)?;
            if advertise.is_some() {
                loaded.store_advertise = advertise;
            }
            let runtime = tokio::runtime::Runtime::new()?;
            let options = ServeOptions {
                data,
                listen,
                store_cluster: store.map(|c| c.0),
            };
            let scheme = if loaded.tls.files.is_some() {
                "https"
            } else {
                "http"
            };
            let ready = move |addr| announce(scheme, addr);
            let served = runtime.block_on(async {
                let stop = shutdown_signal();
                serve(options, loaded, ready, stop).await
            });
            // A core still retrying a write must not hold the exit back.
            runtime.shutdown_timeout(std::time::Duration::from_secs(5));
            served?;
            Ok(())
        }
    }
}

/// `alert-hub verify`: prints what was verified, or fails naming what did not match.
fn verify(
    data: &std::path::Path,
    config: Option<&std::path::Path>,
    key: Option<&str>,
) -> anyhow::Result<()> {
    use alert_hub::audit::{keys, merkle};
    use alert_hub::error::StoreError;
    use alert_hub::store::DirVerifyError;
    let configured = match config {
        Some(config) => HubConfig::load(config)?.audit_key,
        None => None,
    };
    let key_path = keys::key_path(data, configured.as_deref());
    let verifier = match key {
        Some(text) => Some(
            alert_hub::audit::note::NoteVerifier::from_text(text)
                .map_err(|e| anyhow::anyhow!("--key: {e}"))?,
        ),
        None if key_path.exists() => Some(keys::read(&key_path)?.verifier()),
        None => None,
    };
    // Right after a restore in this process, sled may hold its lock for a moment longer.
    let mut attempts = 0;
    let found = loop {
        match alert_hub::store::verify_dir(data, verifier.as_ref(), &key_path) {
            Err(DirVerifyError::Store(StoreError::Locked { .. })) if attempts < 100 => {
                attempts += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => break other,
        }
    }
    .map_err(|e| anyhow::anyhow!("{} does not verify: {e}", data.display()))?;
    let checkpoint = match &found.checkpoint {
        Some(c) => format!("checkpoint size {} signed by {}", c.size, c.origin),
        None => "no checkpoint signed yet".to_string(),
    };
    println!(
        "verified {} entries, root {}, {checkpoint}",
        found.verified.entries,
        merkle::hex(&found.verified.root)
    );
    Ok(())
}

/// `alert-hub archive`: archives a stopped hub's old records and prints what moved.
fn archive(
    data: &std::path::Path,
    config: Option<&std::path::Path>,
    now: Option<&str>,
) -> anyhow::Result<()> {
    use alert_hub::store::{SledStore, Store};
    let days = match config {
        Some(config) => HubConfig::load(config)?.retention_days,
        None => alert_hub::config::DEFAULT_RETENTION_DAYS,
    };
    let now = match now {
        Some(text) => time::OffsetDateTime::parse(
            text,
            &time::format_description::well_known::Rfc3339,
        )
        .map_err(|e| {
            anyhow::anyhow!(
                "--now must be an RFC 3339 time such as 2026-12-05T08:00:00Z, not \"{text}\": {e}"
            )
        })?,
        None => time::OffsetDateTime::now_utc(),
    };
    if !data.join("db").exists() {
        anyhow::bail!("{} holds no hub store (no sled `db` file)", data.display());
    }
    let store = SledStore::open(data)?;
    let done = store.archive(now, days)?;
    println!("{done} (retention {days} days)");
    Ok(())
}

/// `alert-hub backup`: asks the running hub to write its backup to `to`.
fn backup(to: &std::path::Path, hub: &str, token: &str) -> anyhow::Result<()> {
    use alert_hub::protocol::{BackupRequest, BackupWritten};
    let to = std::path::absolute(to)?;
    let address = hub_client::HubAddress::parse(hub)?;
    let body = serde_json::to_vec(&BackupRequest { to: to.clone() })?;
    let runtime = tokio::runtime::Runtime::new()?;
    let answer = runtime.block_on(address.request_within(
        std::time::Duration::from_secs(3600),
        hyper::Method::POST,
        "/v1/admin/backup",
        Some(token),
        Some(body),
    ))?;
    if answer.status != 201 {
        anyhow::bail!(
            "the hub refused the backup ({}): {}",
            answer.status,
            answer.text()
        );
    }
    let written: BackupWritten = serde_json::from_slice(&answer.body)?;
    println!(
        "backed up {} records and {} files ({} bytes) to {}",
        written.records,
        written.files,
        written.bytes,
        written.file.display()
    );
    Ok(())
}

/// Tells whoever started the hub where it listens (tests start it on port 0 and read this).
fn announce(scheme: &str, addr: SocketAddr) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "alert-hub listening on {scheme}://{addr}");
    let _ = out.flush();
}
