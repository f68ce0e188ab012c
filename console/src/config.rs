//! The console's settings: command line, environment and TOML file, validated once into [`Config`].
//!
//! Precedence: defaults < config file < environment (`CONSOLE_HUB`, `CONSOLE_TOKEN`,
//! `CONSOLE_CA`, `CONSOLE_LANG`) < command line.
//!
//! The hub may be given as several addresses (an active hub and its standbys): `--hub a,b` or
//! `--hub a --hub b`, `CONSOLE_HUB=a,b`, or `hub = ["a", "b"]` in the file.

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use hub_client::HubAddresses;
use serde::Deserialize;
use time::UtcOffset;
use toml::Spanned;

use crate::error::{Error, Result};
use crate::strings::Lang;

/// The command line of the `console` binary.
#[derive(Debug, Clone, Default, Parser)]
#[command(
    name = "console",
    version,
    about = "The control-room console of the alert hub."
)]
pub struct Cli {
    /// The hub's address, e.g. `http://127.0.0.1:7400` (the hub's default; ws:// works too).
    /// Several hubs (an active one and its standbys): `--hub a,b` or `--hub a --hub b`; the
    /// console uses the one that answers and moves on when it stops answering.
    #[arg(long, value_name = "ADDRESS[,ADDRESS…]")]
    pub hub: Vec<String>,
    /// The operator's token for the hub.
    #[arg(long)]
    pub token: Option<String>,
    /// A CA certificate file (PEM) trusted besides the system's roots, for an https:// hub.
    #[arg(long = "ca", value_name = "FILE", global = true)]
    pub ca: Option<PathBuf>,
    /// `zh` or `en`; a key toggles it at run time.
    #[arg(long, global = true)]
    pub lang: Option<String>,
    /// A TOML config file with `hub`, `token`, `ca_file`, `lang`, `utc_offset` and `stderr_log`.
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// Where to write what libraries print to stderr while the screen is up.
    #[arg(long, value_name = "FILE", global = true)]
    pub stderr_log: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<CliCommand>,
}

/// Subcommands of the `console` binary.
#[derive(Debug, Clone, Subcommand)]
pub enum CliCommand {
    /// Starts the hub in-process on a temporary data directory, feeds it a scripted minute
    /// from simulated devices (with one drill), and signs in as the demo operator `op-li`.
    Demo,
}

/// The validated settings the console runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Where the hubs are (one, or an active hub and its standbys, in the order to try them),
    /// and which CA file they are trusted by besides the system's roots.
    pub hubs: HubAddresses,
    pub token: String,
    pub lang: Lang,
    /// The offset the clock and all times are shown in.
    pub utc_offset: UtcOffset,
    pub stderr_log: Option<PathBuf>,
}

/// The config file as written; every key is optional and unknown keys are refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    hub: Option<Spanned<RawHubs>>,
    token: Option<String>,
    /// Relative to the config file.
    ca_file: Option<Spanned<PathBuf>>,
    lang: Option<Spanned<String>>,
    utc_offset: Option<Spanned<String>>,
    stderr_log: Option<PathBuf>,
}

/// `hub = "a"` or `hub = ["a", "b"]`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawHubs {
    One(String),
    Several(Vec<String>),
}

impl RawHubs {
    fn into_values(self) -> Vec<String> {
        match self {
            RawHubs::One(one) => vec![one],
            RawHubs::Several(several) => several,
        }
    }
}

pub use alert_hub::config::{DEFAULT_UTC_OFFSET, parse_offset};

/// Builds the config from the command line, the optional file it names and the environment
/// (read through `env`, so tests need not touch the process environment).
pub fn resolve(cli: &Cli, env: &dyn Fn(&str) -> Option<String>) -> Result<Config> {
    let (file, path, source) = match &cli.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| Error::ReadConfig {
                path: path.clone(),
                source,
            })?;
            let raw: RawFile = toml::from_str(&text).map_err(|e| Error::ParseConfig {
                path: path.clone(),
                message: e.to_string(),
            })?;
            (raw, path.clone(), text)
        }
        None => (RawFile::default(), PathBuf::new(), String::new()),
    };
    let at = |span: std::ops::Range<usize>| file_origin(&path, &source, span.start);

    let mut hub = file
        .hub
        .map(|s| (at(s.span()), s.into_inner().into_values()));
    let mut token = file.token.map(|t| ("config file".to_string(), t));
    let folder = path.parent().unwrap_or(Path::new(""));
    let mut ca = file.ca_file.map(|s| {
        let origin = at(s.span());
        (origin, folder.join(s.into_inner()).display().to_string())
    });
    let mut lang = file.lang.map(|s| (at(s.span()), s.into_inner()));
    let offset = file.utc_offset.map(|s| (at(s.span()), s.into_inner()));

    layer_list(
        &mut hub,
        env("CONSOLE_HUB").into_iter().collect(),
        "CONSOLE_HUB",
    );
    layer(&mut token, env("CONSOLE_TOKEN"), "CONSOLE_TOKEN");
    layer(&mut ca, env("CONSOLE_CA"), "CONSOLE_CA");
    layer(&mut lang, env("CONSOLE_LANG"), "CONSOLE_LANG");
    layer_list(&mut hub, cli.hub.clone(), "--hub");
    layer(&mut token, cli.token.clone(), "--token");
    let cli_ca = cli.ca.as_ref().map(|p| p.display().to_string());
    layer(&mut ca, cli_ca, "--ca");
    layer(&mut lang, cli.lang.clone(), "--lang");

    let (hub_origin, hub) = hub.ok_or(Error::MissingSetting {
        field: "hub",
        flag: "--hub",
        env: "CONSOLE_HUB",
    })?;
    let (_, token) = token.ok_or(Error::MissingSetting {
        field: "token",
        flag: "--token",
        env: "CONSOLE_TOKEN",
    })?;
    let hubs = HubAddresses::from_values(&hub).map_err(|e| Error::InvalidSetting {
        origin: hub_origin,
        field: "hub",
        message: e.to_string(),
    })?;
    let hubs = match ca {
        None => hubs,
        Some((origin, file)) => hubs
            .with_ca_file(&file)
            .map_err(|e| Error::InvalidSetting {
                origin,
                field: "ca_file",
                message: e.to_string(),
            })?,
    };
    Ok(Config {
        hubs,
        token,
        lang: match lang {
            None => Lang::default(),
            Some((origin, text)) => Lang::parse(&text).ok_or(Error::InvalidSetting {
                origin,
                field: "lang",
                message: format!("is {text:?}; use \"zh\" or \"en\""),
            })?,
        },
        utc_offset: match offset {
            None => DEFAULT_UTC_OFFSET,
            Some((origin, text)) => parse_offset(&text).ok_or(Error::InvalidSetting {
                origin,
                field: "utc_offset",
                message: format!("is {text:?}; write it like \"+08:00\""),
            })?,
        },
        stderr_log: cli.stderr_log.clone().or(file.stderr_log),
    })
}

fn layer(slot: &mut Option<(String, String)>, value: Option<String>, origin: &str) {
    if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
        *slot = Some((origin.to_string(), value));
    }
}

/// Like [`layer`] for a setting that may be given several times: the values replace those of
/// a lower layer together, unless they are all blank.
fn layer_list(slot: &mut Option<(String, Vec<String>)>, values: Vec<String>, origin: &str) {
    if values.iter().any(|v| !v.trim().is_empty()) {
        *slot = Some((origin.to_string(), values));
    }
}

fn file_origin(path: &Path, source: &str, byte: usize) -> String {
    let line = source
        .get(..byte)
        .map_or(1, |before| before.matches('\n').count() + 1);
    format!("{} line {line}", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn file(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f
    }

    #[test]
    fn command_line_beats_environment_beats_file_beats_defaults() {
        let f = file("hub = \"http://file:1\"\ntoken = \"file-token\"\nlang = \"en\"\n");
        let cli = Cli {
            config: Some(f.path().to_path_buf()),
            ..Cli::default()
        };
        let from_file = resolve(&cli, &no_env).unwrap();
        assert_eq!(from_file.hubs.first().websocket_base(), "ws://file:1");
        assert_eq!(from_file.token, "file-token");
        assert_eq!(from_file.lang, Lang::En);
        assert_eq!(from_file.utc_offset, DEFAULT_UTC_OFFSET);

        let env = |k: &str| match k {
            "CONSOLE_HUB" => Some("https://env:2/".to_string()),
            "CONSOLE_LANG" => Some("zh".to_string()),
            _ => None,
        };
        let from_env = resolve(&cli, &env).unwrap();
        assert_eq!(from_env.hubs.first().websocket_base(), "wss://env:2");
        assert_eq!(from_env.token, "file-token");
        assert_eq!(from_env.lang, Lang::Zh);

        let cli = Cli {
            hub: vec!["cli:3".into()],
            lang: Some("en".into()),
            ..cli
        };
        let from_cli = resolve(&cli, &env).unwrap();
        assert_eq!(from_cli.hubs.first().websocket_base(), "ws://cli:3");
        assert_eq!(from_cli.lang, Lang::En);
    }

    #[test]
    fn several_hubs_come_from_a_file_list_a_comma_list_or_repeated_flags() {
        let hubs = |config: &Config| -> Vec<String> {
            config
                .hubs
                .iter()
                .map(|h| h.authority().to_string())
                .collect()
        };
        let f = file("token = \"t\"\nhub = [\"a:1\", \"b:2\"]\n");
        let cli = Cli {
            config: Some(f.path().to_path_buf()),
            ..Cli::default()
        };
        assert_eq!(hubs(&resolve(&cli, &no_env).unwrap()), ["a:1", "b:2"]);
        let env = |k: &str| (k == "CONSOLE_HUB").then(|| "c:3, d:4".to_string());
        assert_eq!(hubs(&resolve(&cli, &env).unwrap()), ["c:3", "d:4"]);
        let cli = Cli {
            hub: vec!["e:5".into(), "f:6,g:7".into()],
            ..cli
        };
        assert_eq!(hubs(&resolve(&cli, &env).unwrap()), ["e:5", "f:6", "g:7"]);
    }

    #[test]
    fn a_wrong_hub_in_a_list_is_named_with_the_file_line() {
        let f = file("token = \"t\"\n\nhub = [\"a:1\", \"ftp://b\"]\n");
        let cli = Cli {
            config: Some(f.path().to_path_buf()),
            ..Cli::default()
        };
        let message = resolve(&cli, &no_env).unwrap_err().to_string();
        assert!(message.contains("line 3: `hub`"), "{message}");
        assert!(
            message.contains("hub address 2 of 2 (\"ftp://b\") is not usable"),
            "{message}"
        );
    }

    #[test]
    fn a_bad_value_names_the_file_line_and_field() {
        let f = file("token = \"t\"\nhub = \"h:1\"\nlang = \"fr\"\n");
        let cli = Cli {
            config: Some(f.path().to_path_buf()),
            ..Cli::default()
        };
        let message = resolve(&cli, &no_env).unwrap_err().to_string();
        assert!(message.contains("line 3"), "{message}");
        assert!(message.contains("`lang`"), "{message}");
        assert!(
            message.contains(&f.path().display().to_string()),
            "{message}"
        );
    }

    #[test]
    fn unknown_keys_and_broken_toml_are_refused_with_a_line() {
        let f = file("hub = \"h:1\"\ntokn = \"t\"\n");
        let cli = Cli {
            config: Some(f.path().to_path_buf()),
            ..Cli::default()
        };
        let message = resolve(&cli, &no_env).unwrap_err().to_string();
        assert!(message.contains("tokn"), "{message}");
        assert!(message.contains("line 2"), "{message}");
    }

    #[test]
    fn the_ca_file_is_found_beside_the_config_file_and_a_bad_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("console.toml");
        std::fs::write(
            &config,
            "hub = \"https://hub:7400\"\ntoken = \"t\"\nca_file = \"ca.pem\"\n",
        )
        .unwrap();
        let cli = Cli {
            config: Some(config.clone()),
            ..Cli::default()
        };
        let message = resolve(&cli, &no_env).unwrap_err().to_string();
        let ca = dir.path().join("ca.pem");
        assert!(message.contains("line 3: `ca_file`"), "{message}");
        assert!(
            message.contains(&format!("the CA file {} cannot be used", ca.display())),
            "{message}"
        );
        std::fs::write(&ca, "no certificate here\n").unwrap();
        let message = resolve(&cli, &no_env).unwrap_err().to_string();
        assert!(message.contains("holds no certificate"), "{message}");
        let cli = Cli {
            ca: Some(dir.path().join("other.pem")),
            ..cli
        };
        let message = resolve(&cli, &no_env).unwrap_err().to_string();
        assert!(message.starts_with("--ca: `ca_file`"), "{message}");
    }

    #[test]
    fn hub_and_token_are_required() {
        let message = resolve(&Cli::default(), &no_env).unwrap_err().to_string();
        assert!(message.contains("--hub"), "{message}");
        let cli = Cli {
            hub: vec!["h:1".into()],
            ..Cli::default()
        };
        let message = resolve(&cli, &no_env).unwrap_err().to_string();
        assert!(message.contains("CONSOLE_TOKEN"), "{message}");
    }
}
