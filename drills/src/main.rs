//! The drills binary: a thin wrapper around the `drills` library.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alert_hub::protocol::{
    ActionStatus, ActionUpdate, AfterActionRecord, ListedAction, NewAction, ObjectiveAnalysis,
};
use anyhow::{Context, bail};
use clap::{Parser, Subcommand, ValueEnum};
use drills::after_action::{self, ReportFormat};
use drills::load::{self, LoadPlan};
use drills::mix::{MixPlan, Profile};
use hub_client::{HubAddress, Method};

/// Allocates as `alert-hub serve` does (see its `main.rs`): the load generator is as fast as the hub.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Fetches the after-action report of an ended drill.
    Report(Report),
    /// Lists the corrective actions of every drill, or only the overdue ones.
    Actions(Actions),
    /// Writes the analysis of one objective of an ended drill (safety officers and admins).
    Analysis(Analysis),
    /// Adds or updates a corrective action of a drill's improvement plan.
    #[command(subcommand)]
    Action(ActionCommand),
}

/// Where the hub is and who asks.
#[derive(Debug, clap::Args)]
struct HubArgs {
    /// The hub's address, e.g. http://127.0.0.1:7400.
    #[arg(long, env = "DRILLS_HUB")]
    hub: String,
    /// An operator token (a safety officer's or an admin's to write).
    #[arg(long, env = "DRILLS_TOKEN")]
    token: String,
}

#[derive(Debug, clap::Args)]
struct Report {
    /// The drill's id.
    id: String,
    #[command(flatten)]
    hub: HubArgs,
    #[arg(long, value_enum, default_value_t = FormatArg::Md)]
    format: FormatArg,
    #[arg(long, value_enum, default_value_t = LangArg::Zh)]
    lang: LangArg,
    /// Writes the report to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Md,
    Html,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LangArg {
    Zh,
    En,
}

#[derive(Debug, clap::Args)]
struct Actions {
    #[command(flatten)]
    hub: HubArgs,
    /// Only actions not done and past their due date.
    #[arg(long)]
    overdue: bool,
}

#[derive(Debug, clap::Args)]
struct Analysis {
    /// The drill's id.
    id: String,
    #[command(flatten)]
    hub: HubArgs,
    /// The objective's id.
    #[arg(long)]
    objective: String,
    /// What went well; repeat for several.
    #[arg(long = "strength")]
    strengths: Vec<String>,
    /// An area for improvement; repeat for several.
    #[arg(long = "area")]
    areas: Vec<String>,
}

#[derive(Debug, Subcommand)]
enum ActionCommand {
    /// Adds a corrective action; prints its id.
    Add(AddAction),
    /// Changes an action's status, due date or owner.
    Update(UpdateAction),
}

#[derive(Debug, clap::Args)]
struct AddAction {
    /// The drill's id.
    id: String,
    #[command(flatten)]
    hub: HubArgs,
    /// The objective id or the issue it addresses.
    #[arg(long)]
    addresses: String,
    /// What is to be done.
    #[arg(long)]
    action: String,
    #[arg(long)]
    owner: String,
    /// YYYY-MM-DD; today when left out.
    #[arg(long, value_parser = parse_date)]
    start: Option<time::Date>,
    /// YYYY-MM-DD.
    #[arg(long, value_parser = parse_date)]
    due: time::Date,
}

#[derive(Debug, clap::Args)]
struct UpdateAction {
    /// The drill's id.
    id: String,
    /// The action's id, e.g. A1.
    action: String,
    #[command(flatten)]
    hub: HubArgs,
    /// open, in_progress or done.
    #[arg(long, value_parser = parse_status)]
    status: Option<ActionStatus>,
    /// YYYY-MM-DD.
    #[arg(long, value_parser = parse_date)]
    due: Option<time::Date>,
    #[arg(long)]
    owner: Option<String>,
    /// The day a done action was done (YYYY-MM-DD); today when left out.
    #[arg(long, value_parser = parse_date)]
    completed: Option<time::Date>,
}

fn parse_date(text: &str) -> Result<time::Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, format)
        .map_err(|_| format!("\"{text}\" is not a date: write YYYY-MM-DD"))
}

fn parse_status(text: &str) -> Result<ActionStatus, String> {
    after_action::parse_status(text)
        .ok_or_else(|| format!("\"{text}\" is not a status: open, in_progress or done"))
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
    #[arg(long, env = "DRILLS_HUB")]
    hub: String,
    /// A source token; repeat it to simulate several sources, one connection each.
    #[arg(long = "token", env = "DRILLS_TOKEN", required = true)]
    tokens: Vec<String>,
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
        Command::Report(args) => report(args),
        Command::Actions(args) => actions(args),
        Command::Analysis(args) => analysis(args),
        Command::Action(ActionCommand::Add(args)) => add_action(args),
        Command::Action(ActionCommand::Update(args)) => update_action(args),
    }
}

/// Sends one request to the hub and returns the answer's text, or the hub's sentence.
fn call(
    hub: &HubArgs,
    method: Method,
    path: &str,
    body: Option<Vec<u8>>,
) -> anyhow::Result<String> {
    let address = HubAddress::parse(&hub.hub)?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the runtime")?;
    Ok(runtime.block_on(address.text(method, path, &hub.token, body))?)
}

fn report(args: Report) -> anyhow::Result<ExitCode> {
    let format = match args.format {
        FormatArg::Md => ReportFormat::Markdown,
        FormatArg::Html => ReportFormat::Html,
        FormatArg::Json => ReportFormat::Json,
    };
    let lang = match args.lang {
        LangArg::Zh => "zh",
        LangArg::En => "en",
    };
    let path = after_action::report_path(&args.id, format, lang);
    let text = call(&args.hub, Method::GET, &path, None)?;
    match &args.out {
        Some(file) => {
            std::fs::write(file, &text)
                .with_context(|| format!("cannot write {}", file.display()))?;
            eprintln!("wrote {}", file.display());
        }
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

fn actions(args: Actions) -> anyhow::Result<ExitCode> {
    let text = call(
        &args.hub,
        Method::GET,
        after_action::list_path(args.overdue),
        None,
    )?;
    let listed: Vec<ListedAction> =
        serde_json::from_str(&text).context("the hub's list of actions could not be read")?;
    print!("{}", after_action::actions_table(&listed, args.overdue));
    Ok(ExitCode::SUCCESS)
}

fn analysis(args: Analysis) -> anyhow::Result<ExitCode> {
    let body = ObjectiveAnalysis {
        objective: args.objective,
        strengths: args.strengths,
        areas: args.areas,
    };
    let path = after_action::analysis_path(&args.id);
    let record = send(&args.hub, Method::PUT, &path, &body)?;
    println!(
        "analysis of {} written ({} objective(s) analysed)",
        args.id,
        record.analysis.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn add_action(args: AddAction) -> anyhow::Result<ExitCode> {
    let body = NewAction {
        addresses: args.addresses,
        action: args.action,
        owner: args.owner,
        start: args.start,
        due: args.due,
    };
    let path = after_action::actions_path(&args.id, None);
    let record = send(&args.hub, Method::POST, &path, &body)?;
    let added = record.actions.last().map_or("?", |a| a.id.as_str());
    println!("added {added} to the improvement plan of {}", args.id);
    Ok(ExitCode::SUCCESS)
}

fn update_action(args: UpdateAction) -> anyhow::Result<ExitCode> {
    let body = ActionUpdate {
        status: args.status,
        due: args.due,
        owner: args.owner,
        completed: args.completed,
    };
    let path = after_action::actions_path(&args.id, Some(&args.action));
    let record = send(&args.hub, Method::POST, &path, &body)?;
    if let Some(a) = record.actions.iter().find(|a| a.id == args.action) {
        println!(
            "{} {}: {}, owner {}, due {}",
            args.id,
            a.id,
            a.status.names().1,
            a.owner,
            a.due
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Sends `body` as JSON and reads the drill's after-action record back.
fn send<B: serde::Serialize>(
    hub: &HubArgs,
    method: Method,
    path: &str,
    body: &B,
) -> anyhow::Result<AfterActionRecord> {
    let body = serde_json::to_vec(body).context("cannot encode the request")?;
    let text = call(hub, method, path, Some(body))?;
    serde_json::from_str(&text).context("the hub's answer could not be read")
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
    let mut plan = LoadPlan::new(args.hub, args.tokens, mix);
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
