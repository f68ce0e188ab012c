//! `drills report`, `actions`, `analysis` and `action`: a drill's after-action report and its
//! improvement plan from the command line, over the hub's HTTP API.

use std::path::PathBuf;
use std::process::ExitCode;

use alert_hub::protocol::{
    ActionStatus, ActionUpdate, AfterActionRecord, ListedAction, NewAction, ObjectiveAnalysis,
};
use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use drills::after_action::{self, ReportFormat};
use hub_client::{HubAddress, Method};

use crate::{HubArgs, LangArg};

#[derive(Debug, clap::Args)]
pub(crate) struct Report {
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
pub(crate) enum FormatArg {
    Md,
    Html,
    Json,
}

#[derive(Debug, clap::Args)]
pub(crate) struct Actions {
    #[command(flatten)]
    hub: HubArgs,
    /// Only actions not done and past their due date.
    #[arg(long)]
    overdue: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct Analysis {
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
pub(crate) enum ActionCommand {
    /// Adds a corrective action; prints its id.
    Add(AddAction),
    /// Changes an action's status, due date or owner.
    Update(UpdateAction),
}

#[derive(Debug, clap::Args)]
pub(crate) struct AddAction {
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
pub(crate) struct UpdateAction {
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

pub(crate) fn report(args: Report) -> anyhow::Result<ExitCode> {
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

pub(crate) fn actions(args: Actions) -> anyhow::Result<ExitCode> {
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

pub(crate) fn analysis(args: Analysis) -> anyhow::Result<ExitCode> {
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

pub(crate) fn add_action(args: AddAction) -> anyhow::Result<ExitCode> {
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

pub(crate) fn update_action(args: UpdateAction) -> anyhow::Result<ExitCode> {
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
