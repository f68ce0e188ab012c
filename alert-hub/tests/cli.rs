//! The alert-hub command line: configuration problems stop the start with file, line and field.
#![allow(clippy::expect_used)]

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

fn check(text: &str) -> (bool, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("site.toml");
    std::fs::write(&config, text).expect("write");
    let out = hub()
        .args(["check", "--config"])
        .arg(&config)
        .output()
        .expect("runs");
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), said)
}

/// Issue 15, item 4: a source token equal to the admin's plus a trailing space signed in as
/// the admin, because presented tokens were trimmed.
#[test]
fn check_refuses_a_token_with_a_trailing_space() {
    let demo = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/demo-site.toml"
    ))
    .expect("demo config");
    let text = demo.replace(
        "token = \"demo-fire-panel-green-garden\"",
        "token = \"demo-admin-token-0001 \"",
    );
    let (valid, said) = check(&text);
    assert!(!valid, "{said}");
    assert!(
        said.contains("sources[0].token: a token must not begin or end with a space"),
        "{said}"
    );
}

#[test]
fn check_refuses_an_empty_configuration() {
    let (valid, said) = check("");
    assert!(!valid, "{said}");
    assert!(said.contains("site.toml:1: sites: "), "{said}");
    assert!(!said.contains("valid\n"), "{said}");
}
