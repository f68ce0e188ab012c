//! The terminal: entering and leaving the alternate screen, the input thread that turns
//! terminal events into actions, and keeping stray stderr output (ALSA's, for one) off the
//! screen while it is up.

use std::path::Path;

use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{self, Event};
use tokio::sync::mpsc::UnboundedSender;

use crate::action::Action;

/// Enters raw mode and the alternate screen; a panic restores the terminal first.
pub fn enter() -> std::io::Result<DefaultTerminal> {
    ratatui::try_init()
}

/// Leaves the alternate screen and raw mode.
pub fn leave() {
    ratatui::restore();
}

/// Reads terminal events on a thread of its own and sends keys and resizes as actions; the
/// thread ends when the receiver is gone.
pub fn spawn_input(actions: UnboundedSender<Action>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("terminal-input".into())
        .spawn(move || {
            loop {
                let action = match event::read() {
                    Ok(Event::Key(key)) => Action::Key(key),
                    Ok(Event::Resize(width, height)) => Action::Resize { width, height },
                    Ok(_) => continue,
                    Err(_) => break,
                };
                if actions.send(action).is_err() {
                    break;
                }
            }
        })
        .map(|_| ())
}

/// While alive, the process's stderr goes to a file (or nowhere); dropping it puts stderr back.
#[derive(Debug)]
pub struct StderrRedirect {
    #[cfg(unix)]
    saved: std::os::fd::OwnedFd,
}

/// Sends stderr to `log` (or `/dev/null`) until the returned guard is dropped. Returns `None`
/// (stderr untouched) when the file cannot be opened.
pub fn redirect_stderr(log: Option<&Path>) -> Option<StderrRedirect> {
    #[cfg(unix)]
    {
        let target = match log {
            Some(path) => std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path),
            None => std::fs::OpenOptions::new().write(true).open("/dev/null"),
        }
        .ok()?;
        let saved = nix::unistd::dup(std::io::stderr()).ok()?;
        nix::unistd::dup2_stderr(&target).ok()?;
        Some(StderrRedirect { saved })
    }
    #[cfg(not(unix))]
    {
        let _ = log;
        None
    }
}

impl Drop for StderrRedirect {
    fn drop(&mut self) {
        #[cfg(unix)]
        let _ = nix::unistd::dup2_stderr(&self.saved);
    }
}
