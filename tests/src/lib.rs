//! The end-to-end harness: starts the real binaries on port 0 with a temporary data directory.
