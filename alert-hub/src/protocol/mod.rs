//! The wire types of the hub, shared by every client: device protocol v1 and the console feed.
//!
//! Device protocol v1 is an external contract (see DESIGN.md): field names, kind names and nack
//! codes here must never change. The console feed is ours and may grow by adding optional fields.

mod console;
mod detail;
mod device;
mod incident;
mod notifications;

pub use console::*;
pub use detail::Detail;
pub use device::*;
pub use incident::*;
pub use notifications::*;

#[cfg(test)]
mod tests;
