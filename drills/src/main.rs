//! The drills binary: a thin wrapper around the `drills` library.

fn main() {}
