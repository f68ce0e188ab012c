//! The wire types of the hub, shared by every client: device protocol v1, the console feed and
//! drill planning.
//!
//! Device protocol v1 is an external contract (see DESIGN.md): field names, kind names and nack
//! codes here must never change. The console feed is ours and may grow by adding optional fields.

mod console;
pub mod describe;
mod detail;
mod device;
mod drill;
mod incident;
mod review;

pub use console::*;
pub use detail::Detail;
pub use device::*;
pub use drill::*;
pub use incident::*;
pub use review::*;

#[cfg(test)]
mod tests;
