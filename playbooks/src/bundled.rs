//! The bundled library's files, compiled into the crate so that a hub needs no files on disk.

/// Every file of `playbooks/library/`, by name. A test checks this against the directory.
pub(crate) const BUNDLED: &[(&str, &str)] = &[
    (
        "access-duress.toml",
        include_str!("../library/access-duress.toml"),
    ),
    (
        "access-forced.toml",
        include_str!("../library/access-forced.toml"),
    ),
    (
        "access-held-open.toml",
        include_str!("../library/access-held-open.toml"),
    ),
    (
        "access-tamper.toml",
        include_str!("../library/access-tamper.toml"),
    ),
    (
        "comms-lost.toml",
        include_str!("../library/comms-lost.toml"),
    ),
    (
        "elevator-entrapment.toml",
        include_str!("../library/elevator-entrapment.toml"),
    ),
    (
        "elevator-fault.toml",
        include_str!("../library/elevator-fault.toml"),
    ),
    (
        "fire-alarm.toml",
        include_str!("../library/fire-alarm.toml"),
    ),
    (
        "fire-prealarm.toml",
        include_str!("../library/fire-prealarm.toml"),
    ),
    (
        "fire-supervisory.toml",
        include_str!("../library/fire-supervisory.toml"),
    ),
    (
        "fire-trouble.toml",
        include_str!("../library/fire-trouble.toml"),
    ),
    ("flood.toml", include_str!("../library/flood.toml")),
    ("gas-leak.toml", include_str!("../library/gas-leak.toml")),
    ("medical.toml", include_str!("../library/medical.toml")),
    (
        "public-security.toml",
        include_str!("../library/public-security.toml"),
    ),
    ("roles.toml", include_str!("../library/roles.toml")),
    ("trees.toml", include_str!("../library/trees.toml")),
];
