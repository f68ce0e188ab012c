//! The alert hub: device ingest, the durable store, incidents and the live console feed.

pub mod access;
pub mod api;
pub mod api_error;
pub mod close;
pub mod config;
pub mod core;
pub mod drill;
pub mod error;
pub mod feed;
pub mod health;
pub mod hub;
pub mod incident;
pub mod ingest;
pub mod metrics;
pub mod notify;
pub mod on_test;
pub mod protocol;
pub mod server;
pub mod store;

/// Every program with the hub in it allocates with mimalloc. With the system allocator the core
/// thread, which frees much of what the connection tasks allocated, spent a quarter of its time
/// in malloc and its arena locks; `cargo bench -p drills --bench hub_ingest` shows the difference.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
