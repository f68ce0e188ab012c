//! What the console's screen (read through tmux) says, for tests that run the real console.

/// The board is the current picture of the hub at `addr`: connected to it, signed in as op-li,
/// nothing marked stale.
pub fn live_on(screen: &str, addr: &str) -> bool {
    screen.contains(&format!("● connected to {addr}"))
        && screen.contains("op-li")
        && !screen.contains("STALE")
        && !screen.contains("SYNCHRONISING")
}
