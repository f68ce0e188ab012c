//! The alert-hub command line: configuration problems stop the start with file, line and field.

use std::process::Command;

fn hub() -> Command {
    Command::new(env!("CARGO_BIN_EXE_alert-hub"))
}

#[test]
fn check_accepts_the_demo_configuration() {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo-site.toml");
    let out = hub()
        .args(["check", "--config", demo])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 sites, 8 sources, 5 operators"));
}

#[test]
fn serve_refuses_a_bad_configuration_naming_file_line_and_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("site.toml");
    std::fs::write(
        &config,
        "[[sites]]\nid = \"gg\"\nname = \"G\"\n\n[[sources]]\nid = \"fp\"\nsite = \"gg\"\nkind = \"fire_panel\"\ntoken = \"0123456789abcdef\"\nheartbeat_secs = \"often\"\n",
    )
    .expect("write");
    let data = dir.path().join("data");
    let out = hub()
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .arg("--data")
        .arg(&data)
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("site.toml:10: sources[0].heartbeat_secs: "),
        "{stderr}"
    );
    assert!(
        !data.exists(),
        "nothing is created when the configuration is refused"
    );
}

#[test]
fn check_prints_the_warnings_serve_would_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("site.toml");
    // No contacts at all: no level of any notification tree can be answered.
    std::fs::write(
        &config,
        "[[sites]]\nid = \"gg\"\nname = \"G\"\n\n[[sources]]\nid = \"fp\"\nsite = \"gg\"\nkind = \"fire_panel\"\ntoken = \"0123456789abcdef\"\n",
    )
    .expect("write");
    let out = hub()
        .args(["check", "--config"])
        .arg(&config)
        .output()
        .expect("runs");
    assert!(out.status.success(), "warnings do not refuse the file");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("site.toml: warning: "), "{stdout}");
    assert!(stdout.contains("valid"), "{stdout}");
}

#[test]
fn version_is_printed() {
    let out = hub().arg("--version").output().expect("runs");
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("alert-hub "), "{stdout}");
}
