//! The terminal control-room console: alarm board, incident view, history, hand-over and
//! on-test screens, fed live by the alert hub.
//!
//! The shape: terminal keys, timer ticks and hub messages become one [`action::Action`];
//! [`update::update`] applies it to the [`state::State`] and returns [`action::Effect`]s for
//! the runtime to carry out; [`screens::render`] draws the state. Only the runtime (`app`,
//! `connection`, `tui`, `sound::player`) does input or output.

pub mod action;
pub mod app;
pub mod config;
pub mod connection;
pub mod demo;
pub mod error;
pub mod feed;
pub mod incidents;
pub mod keys;
pub mod link_trouble;
pub mod markdown_view;
pub mod outgoing;
pub mod queries;
pub mod sample;
pub mod screens;
pub mod shift;
pub mod sound;
pub mod state;
pub mod strings;
pub mod text;
pub mod tui;
pub mod update;

pub use error::{Error, Result};
