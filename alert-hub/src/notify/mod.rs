//! Outside notification channels: what a notice says, and how it reaches a webhook or a mailbox.

pub mod ack_link;
pub mod dispatch;
pub mod email;
pub mod message;
pub mod webhook;
