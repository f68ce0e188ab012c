//! The alert hub: device ingest, the durable store, incidents and the live console feed.

pub mod config;
pub mod error;
pub mod incident;
pub mod protocol;
pub mod store;
