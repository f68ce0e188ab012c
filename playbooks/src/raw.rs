//! The files as written: serde shapes with spans, before any check beyond field names and types.

use serde::Deserialize;
use serde::de::{Deserializer, SeqAccess, Visitor};
use toml::Spanned;

use crate::model::{Channel, InputKind};

/// A bilingual text as written, `{ zh = "…", en = "…" }`; [`crate::Findings::text`] checks
/// that neither is empty.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawText {
    pub zh: String,
    pub en: String,
}

/// One playbook file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPlaybook {
    pub id: Spanned<String>,
    pub title: Spanned<RawText>,
    pub triggers: Spanned<Vec<Spanned<String>>>,
    pub steps: Spanned<Vec<Spanned<RawStep>>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStep {
    pub id: Spanned<String>,
    pub instruction: Spanned<RawText>,
    pub role: Spanned<String>,
    pub deadline: Option<Spanned<String>>,
    pub next: Option<Spanned<String>>,
    pub end: Option<Spanned<bool>>,
    #[serde(default)]
    pub choices: Vec<Spanned<RawChoice>>,
    #[serde(default)]
    pub inputs: Vec<Spanned<RawInput>>,
    pub notify: Option<Spanned<RawNotify>>,
    pub calls: Option<Spanned<RawCalls>>,
    #[serde(default)]
    pub skippable: Option<Spanned<bool>>,
    pub milestone: Option<crate::model::Milestone>,
}

/// `calls` as written: one role id (`calls = "fire_brigade"`) or a list of them.
#[derive(Debug, Clone)]
pub(crate) enum RawCalls {
    One(String),
    Many(Vec<Spanned<String>>),
}

impl<'de> Deserialize<'de> for RawCalls {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Calls;
        impl<'de> Visitor<'de> for Calls {
            type Value = RawCalls;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a role id or a list of role ids")
            }

            fn visit_str<E: serde::de::Error>(self, role: &str) -> Result<RawCalls, E> {
                Ok(RawCalls::One(role.to_owned()))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawCalls, A::Error> {
                let mut roles = Vec::new();
                while let Some(role) = seq.next_element::<Spanned<String>>()? {
                    roles.push(role);
                }
                Ok(RawCalls::Many(roles))
            }
        }
        deserializer.deserialize_any(Calls)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawChoice {
    pub id: Spanned<String>,
    pub label: Spanned<RawText>,
    pub next: Option<Spanned<String>>,
    pub end: Option<Spanned<bool>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawInput {
    pub id: Spanned<String>,
    pub label: Spanned<RawText>,
    #[serde(rename = "type")]
    pub kind: InputKind,
    #[serde(default)]
    pub required: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNotify {
    pub start: Option<Spanned<String>>,
    pub extend: Option<Spanned<String>>,
}

/// `trees.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTrees {
    #[serde(default)]
    pub trees: Vec<Spanned<RawTree>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTree {
    pub id: Spanned<String>,
    pub title: Spanned<RawText>,
    #[serde(default)]
    pub repeat_last: u32,
    pub levels: Spanned<Vec<Spanned<RawLevel>>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLevel {
    #[serde(default)]
    pub roles: Vec<Spanned<String>>,
    #[serde(default)]
    pub contacts: Vec<Spanned<String>>,
    pub channels: Spanned<Vec<Channel>>,
    pub escalate_after: Spanned<String>,
}

/// `roles.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRoles {
    #[serde(default)]
    pub roles: Vec<Spanned<RawRole>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRole {
    pub id: Spanned<String>,
    pub name: Spanned<RawText>,
    #[serde(default)]
    pub external: bool,
    pub phone: Option<String>,
}
