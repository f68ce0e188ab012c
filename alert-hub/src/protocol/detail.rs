//! A device event's `detail`: the JSON object kept exactly as the device wrote it.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// The `detail` of a device event: a JSON object byte for byte as the device sent it (every
/// digit of every number, its key order and spacing), or `null` when the device sent none.
/// The hub stores and serves it as it is and never reads numbers out of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Detail(Box<RawValue>);

impl Detail {
    /// No detail: `null`.
    pub fn null() -> Detail {
        Detail(RawValue::NULL.to_owned())
    }

    /// The detail as the device wrote it, taken from the frame as it is.
    pub fn from_raw(raw: &RawValue) -> Detail {
        Detail(raw.to_owned())
    }

    /// The JSON text, exactly as the device wrote it.
    pub fn as_json(&self) -> &str {
        self.0.get()
    }

    pub fn is_null(&self) -> bool {
        self.as_json() == "null"
    }

    /// Whether it is a JSON object (the only shape a device may send besides `null`).
    pub fn is_object(&self) -> bool {
        self.as_json().starts_with('{')
    }
}

impl Default for Detail {
    fn default() -> Detail {
        Detail::null()
    }
}

/// Two details are equal when their text is: the same numbers written differently differ.
impl PartialEq for Detail {
    fn eq(&self, other: &Detail) -> bool {
        self.as_json() == other.as_json()
    }
}

/// A detail the hub or a simulator builds itself, written compactly.
impl From<serde_json::Value> for Detail {
    fn from(value: serde_json::Value) -> Detail {
        serde_json::value::to_raw_value(&value).map_or_else(|_| Detail::null(), Detail)
    }
}
