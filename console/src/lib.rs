//! The terminal control-room console: alarm board, incident view, history, hand-over and on-test screens.
