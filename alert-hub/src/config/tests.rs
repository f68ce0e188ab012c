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
    let hex: String = secret::digest(real)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
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

/// A site with its outside parties, then a contact: the outside party's table starts on line 4.
fn with_phones(outside: &str, contact_phone: &str) -> String {
    format!(
        "{SITE}[[sites.outside]]\n{outside}\n\n\
         [[contacts]]\nid = \"wang\"\nname = \"Wang\"\nrole = \"duty_manager\"\n{contact_phone}\n"
    )
}

const LIFT_CO: &str =
    "role = \"elevator_maintenance\"\nname = \"Otis Shanghai\"\nphone = \"400-820-0000\"";

#[test]
fn contacts_and_outside_parties_have_phone_numbers() {
    let text = with_phones(LIFT_CO, "phone = \"+86 (21) 5555-0100\"");
    let config = HubConfig::parse(&text, Path::new("site.toml")).expect("valid");
    assert_eq!(
        config.contacts[0].phone.as_deref(),
        Some("+86 (21) 5555-0100")
    );
    let site = config.site("gg").expect("site");
    let lift = site
        .outside_party("elevator_maintenance")
        .expect("lift company");
    assert_eq!(
        (lift.name.as_str(), lift.phone.as_str()),
        ("Otis Shanghai", "400-820-0000")
    );
    assert_eq!(site.outside_party("gas_company"), None);
}

#[test]
fn a_phone_that_is_not_a_number_is_refused_where_it_is() {
    let text = with_phones(LIFT_CO, "phone = \"call Wang\"");
    assert_eq!(
        problems(&text),
        "site.toml:13: contacts[0].phone: \"call Wang\" is not a phone number: use digits, \
         spaces, +, - and parentheses (e.g. \"+86 21 5555 0100\" or \"400-820-0000\")"
    );
    let text = with_phones(&LIFT_CO.replace("400-820-0000", "400+820"), "");
    assert!(
        problems(&text).starts_with("site.toml:7: sites[0].outside[0].phone: \"400+820\" is not"),
        "{}",
        problems(&text)
    );
    for good in ["119", "+86 21 5555 0100", "(021) 5555-0100"] {
        assert!(is_phone_number(good), "{good}");
    }
    for bad in [
        "",
        "-",
        "+",
        "12+3",
        " 119",
        "119 ",
        "一一九",
        &"1".repeat(33),
    ] {
        assert!(!is_phone_number(bad), "{bad:?}");
    }
}

#[test]
fn an_outside_party_is_an_outside_role_named_once_per_site() {
    let text = with_phones(&LIFT_CO.replace("elevator_maintenance", "duty_manager"), "");
    assert!(
        problems(&text).starts_with(
            "site.toml:5: sites[0].outside[0].role: role \"duty_manager\" is not an outside party"
        ),
        "{}",
        problems(&text)
    );
    let text = with_phones(&LIFT_CO.replace("elevator_maintenance", "plumber"), "");
    assert_eq!(
        problems(&text),
        "site.toml:5: sites[0].outside[0].role: role \"plumber\" is not a role of the playbook \
         library"
    );
    let twice = format!("{LIFT_CO}\n\n[[sites.outside]]\n{LIFT_CO}");
    assert_eq!(
        problems(&with_phones(&twice, "")),
        "site.toml:10: sites[0].outside[1].role: the site already names its \
         \"elevator_maintenance\""
    );
}

#[test]
fn a_party_a_step_calls_without_a_number_at_a_site_is_a_warning() {
    let config =
        HubConfig::parse(&with_phones(LIFT_CO, ""), Path::new("site.toml")).expect("valid");
    let warned = |role: &str| {
        config
            .warnings
            .iter()
            .find(|w| w.starts_with(&format!("site \"gg\": \"{role}\" has no phone number")))
            .cloned()
    };
    assert_eq!(warned("elevator_maintenance"), None, "the site names it");
    assert_eq!(warned("fire_brigade"), None, "119 is in the library");
    assert_eq!(
        warned("gas_company").as_deref(),
        Some(
            "site \"gg\": \"gas_company\" has no phone number (called by gas-leak/call-gas-company): \
             add [[sites.outside]] with role = \"gas_company\" and its phone"
        )
    );
    let manager = warned("duty_manager").expect("wang has no phone");
    assert!(
        manager.ends_with("give a contact holding \"duty_manager\" at this site a phone"),
        "{manager}"
    );
    let text = with_phones(LIFT_CO, "phone = \"138 0000 0001\"");
    let config = HubConfig::parse(&text, Path::new("site.toml")).expect("valid");
    assert!(
        !config
            .warnings
            .iter()
            .any(|w| w.contains("\"duty_manager\" has no phone")),
        "{:?}",
        config.warnings
    );
}

#[test]
fn the_drill_control_role_must_be_a_role() {
    let text = format!("{SITE}[notify]\ndrill_control_role = \"umpire\"\n");
    assert_eq!(
        problems(&text),
        "site.toml:5: notify.drill_control_role: role \"umpire\" is not a role of the playbook \
         library"
    );
    let config = HubConfig::parse(SITE, Path::new("site.toml")).expect("valid");
    assert_eq!(config.notify.drill_control_role, "safety_officer");
}

/// Issue 14, item 10: the demo showed a wall of failed notifications and "no contact holds
/// role" warnings, because it had no contacts at all.
#[test]
fn the_demo_configuration_reaches_every_role_its_trees_call_at_both_sites() {
    let config = HubConfig::parse(DEMO_CONFIG, &demo_config_path()).expect("demo config is valid");
    assert_eq!(config.warnings, Vec::<String>::new());
    let roles = config.library.roles();
    for site in &config.sites {
        for tree in config.library.trees() {
            for level in &tree.levels {
                for recipient in &level.recipients {
                    let playbooks::Recipient::Role(role) = recipient else {
                        continue;
                    };
                    for drill in [false, true] {
                        if drill && roles.is_external(role) {
                            continue;
                        }
                        let holder = config.contacts.iter().find(|c| {
                            c.role == *role
                                && c.drill == drill
                                && c.site.as_ref().is_none_or(|s| *s == site.id)
                        });
                        let holder = holder.unwrap_or_else(|| {
                            panic!("{}: nobody holds {role} (drill {drill})", site.id)
                        });
                        assert!(
                            holder.phone.is_some() && holder.webhook.is_some(),
                            "{}",
                            holder.id
                        );
                        assert!(holder.email.is_some(), "{}", holder.id);
                    }
                }
            }
        }
        for role in ["elevator_maintenance", "gas_company", "water_company"] {
            assert!(site.outside_party(role).is_some(), "{} {role}", site.id);
        }
    }
    assert!(config.notify.smtp.is_some());
}

#[test]
fn the_hub_table_sets_the_cap_sender_and_the_offset_or_says_what_is_wrong() {
    let default = HubConfig::parse(SITE, Path::new("site.toml")).expect("valid");
    assert_eq!(default.cap_sender, DEFAULT_CAP_SENDER);
    assert_eq!(default.utc_offset, DEFAULT_UTC_OFFSET);
    let text = format!("{SITE}[hub]\ncap_sender = \"cr.example.com\"\nutc_offset = \"-05:30\"\n");
    let set = HubConfig::parse(&text, Path::new("site.toml")).expect("valid");
    assert_eq!(set.cap_sender, "cr.example.com");
    assert_eq!(
        set.utc_offset,
        time::UtcOffset::from_hms(-5, -30, 0).expect("offset")
    );
    let bad = problems(&format!(
        "{SITE}[hub]\ncap_sender = \"a, b\"\nutc_offset = \"8 hours\"\n"
    ));
    assert!(
        bad.contains("site.toml:5:") && bad.contains("hub.cap_sender"),
        "{bad}"
    );
    assert!(
        bad.contains("site.toml:6:") && bad.contains("hub.utc_offset"),
        "{bad}"
    );
}

#[test]
fn the_drill_shifts_default_to_three_of_eight_hours_or_are_read_with_their_line() {
    let default = HubConfig::parse(SITE, Path::new("site.toml")).expect("valid");
    assert_eq!(default.shifts.names().len(), 3);
    let text = format!("{SITE}[drills]\nshifts = [\"20:00\", \"08:00\"]\n");
    let set = HubConfig::parse(&text, Path::new("site.toml")).expect("valid");
    assert_eq!(set.shifts.names(), ["08:00–20:00", "20:00–08:00"]);
    let bad = problems(&format!("{SITE}[drills]\nshifts = [\"8h\"]\n"));
    assert!(
        bad.contains("site.toml:5:")
            && bad.contains("drills.shifts")
            && bad.contains("\"8h\" is not a time of day"),
        "{bad}"
    );
}
