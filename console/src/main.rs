//! The console binary: a thin wrapper around the `console` library.

fn main() {}
