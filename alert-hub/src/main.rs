//! The alert-hub binary: a thin wrapper around the `alert_hub` library.

fn main() {}
