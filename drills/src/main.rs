//! The drills binary: a thin wrapper around the `drills` library.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alert_hub::protocol::{DrillEnding, DrillOutcome};
use anyhow::{Context, bail};
use clap::{Parser, Subcommand, ValueEnum};
use drills::calendar;
use drills::load::{self, LoadPlan};
use drills::mix::{MixPlan, Profile};
use drills::run::{self, Ended, RunOptions};

mod after_action_cli;
mod dc09_cli;
/// Allocates as `alert-hub serve` does (see its `main.rs`): the load generator is as fast as the hub.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Debug, Parser)]
#[command(
    name = "drills",
    version,
    about = "Drills and the device simulator of the operations console"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sends a realistic mix of device events to a hub and reports acks, nacks and latency.
    Simulate(Simulate),
    /// Checks every drill scenario (`*.toml`) of a directory against the playbook library.
    Check(Check),
    /// Runs a drill from a scenario file: registers it, injects its events at their times,
    /// and asks to end it (a second safety officer confirms). Ctrl-C aborts it.
    Run(Run),
    /// Asks to end a running drill, or confirms another safety officer's request to.
    End(End),
    /// Aborts a running drill at once, with the reason.
    Abort(Abort),
    /// Sends SIA DC-09 frames (Contact ID, SIA DCS or NULL) to a receiver, as an alarm panel
    /// would, and prints each answer; fails unless every answer is ACK.
    Dc09(dc09_cli::Dc09),
    /// Prints the year's drill calendar of a hub, or moves, cancels or adds an entry.
    Plan(Plan),
    /// Fetches the after-action report of an ended drill.
    Report(after_action_cli::Report),
    /// Lists the corrective actions of every drill, or only the overdue ones.
    Actions(after_action_cli::Actions),
    /// Writes the analysis of one objective of an ended drill (safety officers and admins).
    Analysis(after_action_cli::Analysis),
    /// Adds or updates a corrective action of a drill's improvement plan.
    #[command(subcommand)]
    Action(after_action_cli::ActionCommand),
}

/// How to reach the hub as a safety officer or an admin.
#[derive(Debug, clap::Args)]
struct HubArgs {
    /// The hub's address, e.g. http://127.0.0.1:7400.
    #[arg(long, env = "DRILLS_HUB")]
    hub: String,
    /// An operator's token: a safety officer's or an admin's to run drills or change a plan.
    #[arg(long, env = "DRILLS_TOKEN")]
    token: String,
    /// A CA certificate file (PEM) trusted besides the system's roots, for an https:// hub.
    #[arg(long = "ca", value_name = "FILE", env = "DRILLS_CA")]
    ca: Option<PathBuf>,
}

impl HubArgs {
    fn address(&self) -> anyhow::Result<hub_client::HubAddress> {
        hub_address(&self.hub, self.ca.as_deref())
    }
}

/// The hub at `hub`, trusting the CA file `ca` besides the system's roots when given.
fn hub_address(hub: &str, ca: Option<&std::path::Path>) -> anyhow::Result<hub_client::HubAddress> {
    let address = hub_client::HubAddress::parse(hub)?;
    Ok(match ca {
        Some(ca) => address.with_ca_file(ca)?,
        None => address,
    })
}

#[derive(Debug, clap::Args)]
struct Run {
    /// The scenario file, e.g. drills/scenarios/lift-rescue.toml.
    scenario: PathBuf,
    /// The site the drill is held at (one the hub serves).
    #[arg(long)]
    site: String,
    #[command(flatten)]
    hub: HubArgs,
    /// Plays the scenario this many times faster than written (2 halves every wait).
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
    /// Sends nothing from devices: opens the scenario's incident as a drill report and prints
    /// the scenario's clock for the console to walk the playbook.
    #[arg(long)]
    tabletop: bool,
    /// The drill's id; by default SCENARIO-SITE-YYYYMMDDTHHMMSS.
    #[arg(long)]
    id: Option<String>,
    /// A site's playbook directory, laid over the bundled library as the hub does.
    #[arg(long)]
    playbooks: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct End {
    /// The drill's id.
    id: String,
    #[command(flatten)]
    hub: HubArgs,
}

#[derive(Debug, clap::Args)]
struct Abort {
    /// The drill's id.
    id: String,
    /// Why it stops (a real alarm, a runner that failed).
    #[arg(long)]
    reason: String,
    #[command(flatten)]
    hub: HubArgs,
}

#[derive(Debug, clap::Args)]
struct Plan {
    /// The hub's address, as it prints it: http://127.0.0.1:7400.
    #[arg(long, env = "DRILLS_HUB", global = true)]
    hub: Option<String>,
    /// An operator token; editing takes a safety officer's or an admin's.
    #[arg(long, env = "DRILLS_TOKEN", global = true)]
    token: Option<String>,
    /// A CA certificate file (PEM) trusted besides the system's roots, for an https:// hub.
    #[arg(long = "ca", value_name = "FILE", env = "DRILLS_CA", global = true)]
    ca: Option<PathBuf>,
    /// Only this site's entries (every site's otherwise).
    #[arg(long)]
    site: Option<String>,
    /// The year (this year otherwise).
    #[arg(long)]
    year: Option<i32>,
    /// The language of drill names and statuses.
    #[arg(long, value_enum, default_value_t = LangArg::En, global = true)]
    lang: LangArg,
    #[command(subcommand)]
    edit: Option<PlanEdit>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LangArg {
    En,
    Zh,
}

#[derive(Debug, Subcommand)]
enum PlanEdit {
    /// Moves an entry to a new due date within its year, saying why.
    Move {
        /// The entry's id, as the table shows it.
        entry: String,
        /// The new due date, YYYY-MM-DD.
        #[arg(long)]
        due: String,
        /// Why it moves; kept with the calendar.
        #[arg(long)]
        reason: String,
    },
    /// Cancels an entry, saying why.
    Cancel {
        /// The entry's id, as the table shows it.
        entry: String,
        /// Why it is cancelled; kept with the calendar.
        #[arg(long)]
        reason: String,
    },
    /// Adds an entry the plan lacks, saying why.
    Add {
        /// A new id: letters, digits and - _ . only.
        entry: String,
        /// The site it is held at.
        #[arg(long)]
        site: String,
        /// Its name in Chinese.
        #[arg(long)]
        name_zh: String,
        /// Its name in English.
        #[arg(long)]
        name_en: String,
        /// fire_evacuation, lift_rescue, flood, public_security, gas_leak, first_aid or combined.
        #[arg(long)]
        kind: String,
        /// tabletop, functional or full_scale.
        #[arg(long, default_value = "functional")]
        exercise: String,
        /// The due date, YYYY-MM-DD.
        #[arg(long)]
        due: String,
        /// A scenario (a file stem in drills/scenarios/).
        #[arg(long)]
        scenario: Option<String>,
        /// Why it is added; kept with the calendar.
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, clap::Args)]
struct Check {
    /// The directory of scenarios, e.g. drills/scenarios.
    dir: PathBuf,
    /// A site's playbook directory, laid over the bundled library as the hub does.
    #[arg(long)]
    playbooks: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct Simulate {
    /// The hub's address, as it prints it: http://127.0.0.1:7400 (or ws://…, or host:port).
    /// Several hubs (an active one and its standbys): `--hub a,b` or `--hub a --hub b`; each
    /// source uses the first that takes it, moves to the next when its connection is lost,
    /// and sends again what got no answer.
    #[arg(
        long,
        env = "DRILLS_HUB",
        required = true,
        value_name = "ADDRESS[,ADDRESS…]"
    )]
    hub: Vec<String>,
    /// A source token; repeat it to simulate several sources, one connection each.
    #[arg(long = "token", env = "DRILLS_TOKEN", required = true)]
    tokens: Vec<String>,
    /// A CA certificate file (PEM) trusted besides the system's roots, for a wss:// hub.
    #[arg(long = "ca", value_name = "FILE", env = "DRILLS_CA")]
    ca: Option<PathBuf>,
    /// Events a second in total; 0 sends as fast as the hub answers.
    #[arg(long)]
    rate: f64,
    /// How many seconds to send for.
    #[arg(long)]
    duration: f64,
    /// The site the simulated devices belong to (must be configured on the hub).
    #[arg(long, default_value = "green-garden")]
    site: String,
    /// About how many devices each source simulates.
    #[arg(long, default_value_t = 120)]
    devices: usize,
    /// Frames a connection may send ahead of the hub's answers.
    #[arg(long, default_value_t = load::DEFAULT_WINDOW)]
    window: usize,
    /// Which events to send.
    #[arg(long, value_enum, default_value_t = MixArg::Realistic)]
    mix: MixArg,
    /// Fixes the mix; the same seed and run id send the same events again (as duplicates).
    #[arg(long)]
    seed: Option<u64>,
    /// Prefixes every event id; defaults to one made from the seed.
    #[arg(long)]
    run_id: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum MixArg {
    /// Mostly heartbeats and troubles, some access events, rare alarms, restores after alarms.
    Realistic,
    /// Only events that open or join incidents.
    Incidents,
    /// Only heartbeats.
    Supervision,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("drills: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Simulate(args) => simulate(args),
        Command::Check(args) => check(args),
        Command::Run(args) => run_drill(args),
        Command::End(args) => end_drill(args),
        Command::Abort(args) => abort_drill(args),
        Command::Plan(args) => plan(args),
        Command::Dc09(args) => dc09_cli::send(args),
        Command::Report(args) => after_action_cli::report(args),
        Command::Actions(args) => after_action_cli::actions(args),
        Command::Analysis(args) => after_action_cli::analysis(args),
        Command::Action(after_action_cli::ActionCommand::Add(args)) => {
            after_action_cli::add_action(args)
        }
        Command::Action(after_action_cli::ActionCommand::Update(args)) => {
            after_action_cli::update_action(args)
        }
    }
}

/// The bundled playbook library, with a site's directory laid over it.
fn library(overrides: Option<&PathBuf>) -> Result<playbooks::Library, playbooks::LoadError> {
    let library = playbooks::Library::bundled()?;
    match overrides {
        Some(dir) => library.with_overrides(dir),
        None => Ok(library),
    }
}

/// Checks the scenario (problems as `file:line: field: what`), then plays it.
fn run_drill(args: Run) -> anyhow::Result<ExitCode> {
    if !(args.speed.is_finite() && args.speed > 0.0) {
        bail!("--speed must be a positive number (1 plays the scenario in real time)");
    }
    let text = std::fs::read_to_string(&args.scenario)
        .with_context(|| format!("cannot read {}", args.scenario.display()))?;
    let file_name = args.scenario.display().to_string();
    let checked = library(args.playbooks.as_ref())
        .and_then(|library| drills::scenario::Scenario::parse(&text, &file_name, &library));
    let scenario = match checked {
        Ok(scenario) => scenario,
        Err(error) => {
            for problem in &error.problems {
                eprintln!("{problem}");
            }
            return Ok(ExitCode::FAILURE);
        }
    };
    let options = RunOptions {
        hub: args.hub.address()?,
        token: args.hub.token,
        site: args.site,
        speed: args.speed,
        tabletop: args.tabletop,
        id: args.id,
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the runtime")?;
    let ended = runtime.block_on(async {
        // Ctrl-C is caught from the start, so it always aborts the drill rather than the program.
        let (interrupted, stop) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = interrupted.send(());
            }
        });
        tokio::task::yield_now().await;
        let stop = async {
            if stop.await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        run::play(&scenario, &options, stop).await
    })?;
    match ended {
        Ended::EndRequested { .. } => Ok(ExitCode::SUCCESS),
        Ended::Aborted { .. } => Ok(ExitCode::from(run::INTERRUPTED)),
    }
}

fn end_drill(args: End) -> anyhow::Result<ExitCode> {
    let hub = args.hub.address()?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the runtime")?;
    let ending = runtime.block_on(run::end(&hub, &args.hub.token, &args.id))?;
    println!("{}", said(&args.id, &ending));
    Ok(ExitCode::SUCCESS)
}

fn abort_drill(args: Abort) -> anyhow::Result<ExitCode> {
    let hub = args.hub.address()?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the runtime")?;
    let ending = runtime.block_on(run::abort(&hub, &args.hub.token, &args.id, &args.reason))?;
    println!("{}", said(&args.id, &ending));
    Ok(ExitCode::SUCCESS)
}

/// Where drill `id`'s end stands, as a sentence.
fn said(id: &str, ending: &DrillEnding) -> String {
    match ending {
        DrillEnding::EndRequested { by } => format!(
            "{by} asked to end drill {id}; a second safety officer or admin confirms with: drills end {id}"
        ),
        DrillEnding::Ended {
            outcome:
                DrillOutcome::Completed {
                    ended_by,
                    confirmed_by,
                },
        } => format!(
            "drill {id} ended: asked by {ended_by}, confirmed by {confirmed_by}; its report: GET /v1/drills/{id}/report"
        ),
        DrillEnding::Ended {
            outcome: DrillOutcome::Aborted { by, reason },
        } => format!("drill {id} aborted by {by}: {reason}"),
    }
}

/// Prints the calendar, or makes the edit asked for and prints the site's calendar after it.
fn plan(args: Plan) -> anyhow::Result<ExitCode> {
    let (Some(hub), Some(token)) = (&args.hub, &args.token) else {
        bail!("drills plan needs --hub URL and --token T (or DRILLS_HUB and DRILLS_TOKEN)");
    };
    let hub = hub_address(hub, args.ca.as_deref())?;
    let lang = match args.lang {
        LangArg::En => calendar::Lang::En,
        LangArg::Zh => calendar::Lang::Zh,
    };
    if let Some(PlanEdit::Move { due, .. } | PlanEdit::Add { due, .. }) = &args.edit {
        check_date(due)?;
    }
    let runtime = tokio::runtime::Runtime::new().context("cannot start the runtime")?;
    let items = runtime.block_on(async {
        match args.edit {
            None => calendar::fetch(&hub, token, args.site.as_deref(), args.year).await,
            Some(PlanEdit::Move { entry, due, reason }) => {
                calendar::move_entry(&hub, token, &entry, &due, &reason).await
            }
            Some(PlanEdit::Cancel { entry, reason }) => {
                calendar::cancel_entry(&hub, token, &entry, &reason).await
            }
            Some(PlanEdit::Add {
                entry,
                site,
                name_zh,
                name_en,
                kind,
                exercise,
                due,
                scenario,
                reason,
            }) => {
                let entry = calendar::NewEntry {
                    id: entry,
                    site,
                    name: alert_hub::protocol::Bilingual {
                        zh: name_zh,
                        en: name_en,
                    },
                    kind,
                    exercise,
                    due,
                    scenario,
                    reason,
                };
                calendar::add_entry(&hub, token, &entry).await
            }
        }
    })?;
    print!("{}", calendar::table(&items, lang));
    Ok(ExitCode::SUCCESS)
}

/// Refuses a date that is not `YYYY-MM-DD` before anything is sent.
fn check_date(due: &str) -> anyhow::Result<()> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(due, format) {
        Ok(_) => Ok(()),
        Err(e) => bail!("--due {due:?} is not a date YYYY-MM-DD: {e}"),
    }
}

/// Prints `ok: N scenarios`, or every problem as `file:line: field: what` and fails.
fn check(args: Check) -> anyhow::Result<ExitCode> {
    let library = playbooks::Library::bundled();
    let library = match (library, &args.playbooks) {
        (Ok(library), Some(dir)) => library.with_overrides(dir),
        (library, _) => library,
    };
    let checked = library.and_then(|library| drills::scenario::load_dir(&args.dir, &library));
    match checked {
        Ok(scenarios) if scenarios.is_empty() => {
            eprintln!("{}: no scenarios (*.toml) to check", args.dir.display());
            Ok(ExitCode::FAILURE)
        }
        Ok(scenarios) => {
            println!("ok: {} scenarios", scenarios.len());
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            for problem in &error.problems {
                eprintln!("{problem}");
            }
            Ok(ExitCode::FAILURE)
        }
    }
}

fn simulate(args: Simulate) -> anyhow::Result<ExitCode> {
    if !(args.duration.is_finite() && args.duration > 0.0) {
        bail!("--duration must be a positive number of seconds");
    }
    if !(args.rate.is_finite() && args.rate >= 0.0) {
        bail!("--rate must be zero (as fast as possible) or a positive number of events a second");
    }
    let seed = args.seed.unwrap_or_else(clock_seed);
    let run_id = args
        .run_id
        .unwrap_or_else(|| format!("sim{:08x}", seed & 0xFFFF_FFFF));
    let mix = MixPlan {
        seed,
        run_id: run_id.clone(),
        stream: 0,
        site: args.site,
        devices: args.devices,
        profile: match args.mix {
            MixArg::Realistic => Profile::Realistic,
            MixArg::Incidents => Profile::Incidents,
            MixArg::Supervision => Profile::Supervision,
        },
        drill: None,
    };
    // A wrong address is said before anything is printed of the run.
    hub_client::HubAddresses::from_values(&args.hub)?;
    let mut plan = LoadPlan::new(args.hub.join(","), args.tokens, mix);
    plan.ca_file = args.ca;
    plan.rate = (args.rate > 0.0).then_some(args.rate);
    plan.duration = Duration::from_secs_f64(args.duration);
    plan.window = args.window;
    println!(
        "run {run_id} (seed {seed}): {} source(s) for {:.1} s at {}",
        plan.tokens.len(),
        args.duration,
        plan.rate
            .map_or_else(|| "full speed".to_string(), |r| format!("{r} events/s"))
    );
    let runtime = tokio::runtime::Runtime::new().context("cannot start the runtime")?;
    let report = runtime.block_on(load::run(plan))?;
    print!("{report}");
    if report.failures.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::FAILURE)
    }
}

/// A seed from the clock, so that each run sends new ids unless a seed is given.
fn clock_seed() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}
