//! Configuration validation: every problem names the file, line and field.

use std::path::Path;

use super::*;

fn problems(text: &str) -> String {
    match HubConfig::parse(text, Path::new("site.toml")) {
        Ok(_) => panic!("expected the configuration to be refused"),
        Err(e) => e.to_string(),
    }
}

const SITE: &str = "[[sites]]\nid = \"gg\"\nname = \"Green Garden\"\n";

#[test]
fn the_demo_configuration_is_valid_and_has_every_role() {
    let config = HubConfig::parse(DEMO_CONFIG, &demo_config_path()).expect("demo config is valid");
    assert_eq!(config.sites.len(), 2);
    assert_eq!(config.sources.len(), 8);
    for role in [
        Role::Operator,
        Role::SafetyOfficer,
        Role::Manager,
        Role::Admin,
    ] {
        assert!(
            config.operators.values().any(|o| o.role == role),
            "{role:?}"
        );
    }
    assert_eq!(
        config.principal("demo-fire-panel-green-garden"),
        Some(&Principal::Source("fp-gg".into()))
    );
    assert_eq!(config.principal("not a token"), None);
}

#[test]
fn a_source_on_an_undefined_site_is_named_with_its_line() {
    let text = format!(
        "{SITE}\n[[sources]]\nid = \"fp\"\nsite = \"nowhere\"\nkind = \"fire_panel\"\ntoken = \"0123456789abcdef\"\n"
    );
    let message = problems(&text);
    assert_eq!(
        message,
        "site.toml:7: sources[0].site: site \"nowhere\" is not defined in [[sites]]"
    );
}

#[test]
fn an_unknown_field_is_refused_with_its_line() {
    let text = format!("{SITE}colour = \"red\"\n");
    let message = problems(&text);
    assert!(
        message.starts_with("site.toml:4: sites[0].colour: "),
        "{message}"
    );
    assert!(message.contains("unknown field"), "{message}");
}

#[test]
fn an_unknown_table_after_an_array_is_named_as_itself() {
    let text = format!(
        "{SITE}[[operators]]\nid = \"op\"\nname = \"Op\"\nrole = \"operator\"\n\
         token = \"0123456789abcdef\"\n\n[colour]\nhue = \"red\"\n"
    );
    let message = problems(&text);
    assert!(message.starts_with("site.toml:10: colour: "), "{message}");
    assert!(!message.contains("operators[0]"), "{message}");
}

#[test]
fn a_key_of_a_single_table_is_named_under_it() {
    let text = format!("{SITE}[notify]\nstall_minutes = 5\ncolour = \"red\"\n");
    let message = problems(&text);
    assert!(
        message.starts_with("site.toml:6: notify.colour: "),
        "{message}"
    );
}

#[test]
fn a_heartbeat_interval_longer_than_three_days_is_refused() {
    let text = format!(
        "{SITE}[[sources]]\nid = \"fp\"\nsite = \"gg\"\nkind = \"fire_panel\"\n\
         token = \"0123456789abcdef\"\nheartbeat_secs = 9223372036854775807\n"
    );
    let message = problems(&text);
    assert!(
        message.starts_with("site.toml:9: sources[0].heartbeat_secs: must be at most 259200"),
        "{message}"
    );
}

#[test]
fn an_unknown_source_kind_is_refused() {
    let text = format!(
        "{SITE}[[sources]]\nid = \"fp\"\nsite = \"gg\"\nkind = \"toaster\"\ntoken = \"0123456789abcdef\"\n"
    );
    let message = problems(&text);
    assert!(
        message.starts_with("site.toml:7: sources[0].kind: "),
        "{message}"
    );
    assert!(message.contains("toaster"), "{message}");
}

#[test]
fn duplicate_ids_and_shared_tokens_are_each_reported() {
    let op = |id: &str| {
        format!(
            "[[operators]]\nid = \"{id}\"\nname = \"N\"\nrole = \"operator\"\ntoken = \"same-token-0123456\"\n"
        )
    };
    let text = format!("{SITE}{}{}", op("op-a"), op("op-a"));
    let message = problems(&text);
    assert!(
        message.contains("site.toml:10: operators[1].id: id \"op-a\" is used twice"),
        "{message}"
    );
    assert!(
        message.contains(
            "site.toml:13: operators[1].token: this token is already used by operators[0] \
             (line 8)"
        ),
        "{message}"
    );
}

#[test]
fn a_token_with_leading_or_trailing_whitespace_is_refused() {
    let text = format!(
        "{SITE}[[operators]]\nid = \"admin\"\nname = \"A\"\nrole = \"admin\"\n\
         token = \"demo-admin-token-0001\"\n\
         [[sources]]\nid = \"fp\"\nsite = \"gg\"\nkind = \"fire_panel\"\n\
         token = \"demo-admin-token-0001 \"\n\
         [[operators]]\nid = \"b\"\nname = \"B\"\nrole = \"operator\"\n\
         token = \"\\tdemo-operator-token-b\"\n"
    );
    let message = problems(&text);
    assert_eq!(
        message,
        "site.toml:13: sources[0].token: a token must not begin or end with a space or other \
         whitespace\n\
         site.toml:18: operators[1].token: a token must not begin or end with a space or other \
         whitespace"
    );
}

#[test]
fn an_empty_configuration_is_refused() {
    assert_eq!(
        problems(""),
        "site.toml:1: sites: the configuration defines no [[sites]]: a hub needs at least one \
         site, its sources and its operators"
    );
    assert!(problems("# nothing yet\n").contains("defines no [[sites]]"));
}

#[test]
fn a_presented_token_is_matched_exactly() {
    let config = HubConfig::parse(DEMO_CONFIG, &demo_config_path()).expect("demo config is valid");
    assert_eq!(
        config.principal("demo-admin-token-0001"),
        Some(&Principal::Operator("admin".into()))
    );
    for near in [
        "demo-admin-token-0001 ",
        " demo-admin-token-0001",
        "demo-admin-token-0001\t",
        "demo-admin-token-000",
        "",
    ] {
        assert_eq!(config.principal(near), None, "{near:?}");
    }
}

#[test]
fn a_missing_token_a_short_token_and_a_bad_digest_are_refused() {
    let text = format!(
        "{SITE}[[operators]]\nid = \"a\"\nname = \"A\"\nrole = \"operator\"\n\
         [[operators]]\nid = \"b\"\nname = \"B\"\nrole = \"operator\"\ntoken = \"short\"\n\
         [[operators]]\nid = \"c\"\nname = \"C\"\nrole = \"operator\"\ntoken_sha256 = \"xyz\"\n"
    );
    let message = problems(&text);
    assert!(
        message.contains("site.toml:5: operators[0].token: needs a token"),
        "{message}"
    );
    assert!(
        message.contains("site.toml:12: operators[1].token: a token must have at least 16"),
        "{message}"
    );
    assert!(
        message.contains("site.toml:17: operators[2].token_sha256: must be 64 hexadecimal"),
        "{message}"
    );
}

#[test]
fn a_token_sha256_is_matched_by_its_token() {
    let digest = "b5f0ab2f4b0e0c9d1e2d2a0a76b3a1e4b1a0cf1a5e8f3a1b5f4d9b3c3e6a9f1c";
    let text = format!(
        "{SITE}[[operators]]\nid = \"a\"\nname = \"A\"\nrole = \"admin\"\ntoken_sha256 = \"{digest}\"\n"
    );
    let config = HubConfig::parse(&text, Path::new("site.toml")).expect("valid");
    assert_eq!(config.principal("anything"), None);
    let real = "correct horse battery staple";
    let hex: String = sha256(real).iter().map(|b| format!("{b:02x}")).collect();
    let text = text.replace(digest, &hex);
    let config = HubConfig::parse(&text, Path::new("site.toml")).expect("valid");
    assert_eq!(
        config.principal(real),
        Some(&Principal::Operator("a".into()))
    );
}

#[test]
fn a_zero_heartbeat_is_refused() {
    let text = format!(
        "{SITE}[[sources]]\nid = \"fp\"\nsite = \"gg\"\nkind = \"fire_panel\"\ntoken = \"0123456789abcdef\"\nheartbeat_secs = 0\n"
    );
    assert_eq!(
        problems(&text),
        "site.toml:9: sources[0].heartbeat_secs: must be greater than zero"
    );
}
