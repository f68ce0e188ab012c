//! `alert-hub report incident ID`: a report read from the data directory of a stopped hub, or
//! asked of a running one over its API. The same pages either way.

use std::path::PathBuf;

use anyhow::{Context, bail};

use crate::config::HubConfig;
use crate::report::render::{self, Format};
use crate::reports_api::PAGE_OFFSET;
use crate::store::SledStore;

/// Where the report's data comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The data directory of a hub that is not running, with its configuration (for the
    /// playbooks its incidents ran).
    Data { dir: PathBuf, config: PathBuf },
    /// A running hub's API, with an operator's token.
    Hub { address: String, token: String },
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
            let config = HubConfig::load(config)?;
            let store = SledStore::open(dir).with_context(|| {
                format!(
                    "cannot read {}; if a hub is running on it, ask that hub with --hub and --token",
                    dir.display()
                )
            })?;
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
            let hub = hub_client::HubAddress::parse(address)?;
            let lang = match lang {
                playbooks::Lang::Zh => "zh",
                playbooks::Lang::En => "en",
            };
            let format = match format {
                Format::Html => "html",
                Format::Markdown => "md",
                Format::Json => "json",
            };
            let path = format!("/v1/incidents/{id}/report?format={format}&lang={lang}");
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let answer =
                runtime.block_on(hub.request(hyper::Method::GET, &path, Some(token), None))?;
            let body = String::from_utf8_lossy(&answer.body).into_owned();
            if answer.status != 200 {
                bail!("the hub at {hub} answered {}: {body}", answer.status);
            }
            Ok(body)
        }
    }
}
