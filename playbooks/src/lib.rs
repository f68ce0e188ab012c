//! Playbooks and notification trees: their formats, validation, the engine and the bundled library.
