//! Scenario files as written: serde shapes with spans, before any check beyond field names and
//! types.

use playbooks::RawText;
use serde::Deserialize;
use toml::Spanned;

/// One scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScenario {
    pub id: Spanned<String>,
    pub name: Spanned<RawText>,
    pub summary: Spanned<RawText>,
    pub kind: Spanned<String>,
    pub exercise: Spanned<String>,
    pub playbook: Spanned<String>,
    #[serde(default)]
    pub events: Vec<Spanned<RawEvent>>,
    #[serde(default)]
    pub prompts: Vec<Spanned<RawPrompt>>,
    #[serde(default)]
    pub objectives: Vec<Spanned<RawObjective>>,
}

/// `[[events]]`: what a device sends, and when.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEvent {
    pub at: Spanned<String>,
    pub kind: Spanned<String>,
    pub device: Spanned<String>,
    pub building: Option<String>,
    pub floor: Option<String>,
    pub zone: Option<String>,
}

/// `[[prompts]]`: what the runner tells the people playing, and the incident they open.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPrompt {
    pub at: Spanned<String>,
    pub say: Spanned<RawText>,
    pub open: Option<Spanned<String>>,
    pub building: Option<Spanned<String>>,
    pub floor: Option<Spanned<String>>,
    pub zone: Option<Spanned<String>>,
}

/// `[[objectives]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawObjective {
    pub id: Spanned<String>,
    pub name: Spanned<RawText>,
    pub target: Spanned<String>,
    pub measure: Spanned<RawMeasure>,
}

/// `measure = { type = "step_done", step = "…" }`; which fields go with which type is checked
/// later, so that a missing one is reported in words rather than as a serde variant.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMeasure {
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    pub playbook: Option<Spanned<String>>,
    pub step: Option<Spanned<String>>,
    pub choice: Option<Spanned<String>>,
}
