//! The alert hub: device ingest, the durable store, incidents and the live console feed.

pub mod access;
pub mod api;
pub mod api_error;
pub mod calendar;
pub mod calendar_api;
pub mod close;
pub mod config;
pub mod connections;
pub mod core;
pub mod coverage;
pub mod drill;
pub mod drill_inject;
pub mod drill_plan;
pub mod drills_api;
pub mod error;
pub mod feed;
pub mod handover;
pub mod health;
pub mod hub;
pub mod incident;
pub mod ingest;
#[cfg(unix)]
pub mod limits;
pub mod metrics;
pub mod notify;
pub mod on_test;
pub mod pages;
pub mod protocol;
pub mod report;
pub mod report_cli;
pub mod reports_api;
pub mod review;
pub mod review_queue;
pub mod secret;
pub mod server;
pub mod store;
