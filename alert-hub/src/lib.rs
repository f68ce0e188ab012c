//! The alert hub: device ingest, the durable store, incidents and the live console feed.

pub mod api;
pub mod config;
pub mod core;
pub mod error;
pub mod feed;
pub mod incident;
pub mod ingest;
pub mod metrics;
pub mod notify;
pub mod protocol;
pub mod server;
pub mod store;
