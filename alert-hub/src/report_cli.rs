//! `alert-hub report incident ID` and `alert-hub report month YYYY-MM`: a report read from the
//! data directory of a stopped hub, or asked of a running one over its API. The same pages
//! either way.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::config::HubConfig;
use crate::report::month::Month;
use crate::report::month::render::MonthFormat;
use crate::report::render::{self, Format};
use crate::reports_api::PAGE_OFFSET;
use crate::store::SledStore;

/// Where the report's data comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The data directory of a hub that is not running, with its configuration (for the
    /// playbooks its incidents ran).
    Data { dir: PathBuf, config: PathBuf },
    /// A running hub's API (with the CA file it is trusted by, if any), with an operator's
    /// token.
    Hub {
        address: hub_client::HubAddress,
        token: String,
    },
}

/// The post-incident report of `id` in `format` and `lang`, as text.
pub fn incident(
    source: &Source,
    id: &str,
    format: Format,
    lang: playbooks::Lang,
) -> anyhow::Result<String> {
    match source {
        Source::Data { dir, config } => {
            let (config, store) = open(dir, config)?;
            let Some(report) = crate::report::of_stored(&store, &config, id)? else {
                bail!("{} has no incident {id}", dir.display());
            };
            Ok(match format {
                Format::Html => render::html(&report, lang, PAGE_OFFSET),
                Format::Markdown => render::markdown(&report, lang, PAGE_OFFSET),
                Format::Json => render::json(&report),
            })
        }
        Source::Hub { address, token } => {
            let lang = lang_name(lang);
            let format = match format {
                Format::Html => "html",
                Format::Markdown => "md",
                Format::Json => "json",
            };
            let path = format!("/v1/incidents/{id}/report?format={format}&lang={lang}");
            ask(address, token, &path)
        }
    }
}

/// The monthly report of `month` (at `site`) in `format` and `lang`, as text.
pub fn month(
    source: &Source,
    month: Month,
    site: Option<&str>,
    format: MonthFormat,
    lang: playbooks::Lang,
) -> anyhow::Result<String> {
    match source {
        Source::Data { dir, config } => {
            let (config, store) = open(dir, config)?;
            let report =
                crate::report::month::stored::report(&store, &config, month, site, PAGE_OFFSET)?;
            Ok(crate::report::month::render::render(&report, format, lang))
        }
        Source::Hub { address, token } => {
            let site = site
                .map(|s| format!("&site={}", query_escape(s)))
                .unwrap_or_default();
            let path = format!(
                "/v1/reports/month?month={month}{site}&format={}&lang={}",
                format.as_str(),
                lang_name(lang)
            );
            ask(address, token, &path)
        }
    }
}

/// The configuration and the store of a stopped hub.
fn open(dir: &Path, config: &Path) -> anyhow::Result<(HubConfig, SledStore)> {
    let config = HubConfig::load(config)?;
    let store = SledStore::open(dir).with_context(|| {
        format!(
            "cannot read {}; if a hub is running on it, ask that hub with --hub and --token",
            dir.display()
        )
    })?;
    Ok((config, store))
}

fn lang_name(lang: playbooks::Lang) -> &'static str {
    match lang {
        playbooks::Lang::Zh => "zh",
        playbooks::Lang::En => "en",
    }
}

/// A query value with everything but unreserved characters percent-encoded.
fn query_escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// The body of a GET of `path` from `hub`, or what it answered instead.
fn ask(hub: &hub_client::HubAddress, token: &str, path: &str) -> anyhow::Result<String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let answer = runtime.block_on(hub.request(hyper::Method::GET, path, Some(token), None))?;
    let body = String::from_utf8_lossy(&answer.body).into_owned();
    if answer.status != 200 {
        bail!("the hub at {hub} answered {}: {body}", answer.status);
    }
    Ok(body)
}
