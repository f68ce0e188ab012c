//! The `playbooks` command: check a library directory, or print a playbook as a checklist.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use clap::{Parser, Subcommand, ValueEnum};
use playbooks::{Lang, Library, LoadError, checklist};

#[derive(Parser)]
#[command(
    version,
    about = "Check playbook libraries and print playbooks as checklists"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a library directory; prints every problem and fails if there is one.
    Check {
        dir: PathBuf,
        /// Check DIR as a site's overrides laid over the bundled library.
        #[arg(long)]
        site: bool,
    },
    /// Print a playbook as a numbered checklist.
    Show {
        id: String,
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
        #[command(flatten)]
        source: Source,
    },
    /// List the playbooks and the kinds that start them.
    List {
        #[command(flatten)]
        source: Source,
    },
}

/// Which library to read: the bundled one unless told otherwise.
#[derive(clap::Args)]
struct Source {
    /// Read a complete library from this directory instead of the bundled one.
    #[arg(long, conflicts_with = "site")]
    library: Option<PathBuf>,
    /// Lay this site directory over the bundled library.
    #[arg(long)]
    site: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Zh,
    En,
}

fn main() -> anyhow::Result<ExitCode> {
    match Cli::parse().command {
        Command::Check { dir, site } => {
            let loaded = if site {
                Library::bundled().and_then(|l| l.with_overrides(&dir))
            } else {
                Library::load_dir(&dir)
            };
            match loaded {
                Ok(library) => {
                    println!(
                        "{}: {} playbooks, {} notification trees, {} roles: no problems",
                        dir.display(),
                        library.playbooks().count(),
                        library.trees().count(),
                        library.roles().iter().count()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(error) => {
                    report(&error);
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Show { id, lang, source } => {
            let library = source.load()?;
            let playbook = library.playbook(&id).ok_or_else(|| {
                let known: Vec<&str> = library.playbooks().map(|p| p.id.as_str()).collect();
                anyhow!("no playbook {id:?}; the library has {}", known.join(", "))
            })?;
            let lang = match lang {
                LangArg::Zh => Lang::Zh,
                LangArg::En => Lang::En,
            };
            print!("{}", checklist::render(playbook, &library, lang));
            Ok(ExitCode::SUCCESS)
        }
        Command::List { source } => {
            let library = source.load()?;
            for playbook in library.playbooks() {
                println!(
                    "{:<24} {:<40} {}",
                    playbook.id,
                    playbook.triggers.join(", "),
                    playbook.title.en
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

impl Source {
    fn load(&self) -> anyhow::Result<Library> {
        let loaded = match (&self.library, &self.site) {
            (Some(dir), _) => Library::load_dir(dir),
            (None, Some(site)) => Library::bundled().and_then(|l| l.with_overrides(site)),
            (None, None) => Library::bundled(),
        };
        loaded
            .map_err(|error| {
                report(&error);
                anyhow!("the library has {} problem(s)", error.problems.len())
            })
            .context("cannot load the playbook library")
    }
}

fn report(error: &LoadError) {
    for problem in &error.problems {
        eprintln!("{problem}");
    }
}
