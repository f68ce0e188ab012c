//! The bundled library: it loads, it covers every incident kind, it says what DESIGN.md's domain
//! facts say, and every playbook can be walked to its end along every branch ([`walks`]).

// Helpers outside `#[test]` functions unwrap too; clippy.toml allows that only inside them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod walks;

use std::path::Path;

use playbooks::{
    Contact, Flow, INCIDENT_KINDS, InputKind, Lang, Library, NotifyAction, Playbook, Recipient,
    Run, RunCommand, RunEvent, StepStatus, checklist,
};
use time::Duration;
use time::macros::datetime;

fn bundled() -> Library {
    Library::bundled().unwrap_or_else(|error| panic!("the bundled library has problems:\n{error}"))
}

#[test]
fn the_embedded_files_are_the_library_directory() {
    let on_disk = Library::load_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("library")).unwrap();
    let embedded = bundled();
    let ids = |l: &Library| {
        l.playbooks()
            .map(|p| (p.id.clone(), p.steps.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&embedded),
        ids(&on_disk),
        "a file in library/ is missing from src/bundled.rs"
    );
    let trees = |l: &Library| {
        l.trees()
            .map(|t| (t.id.clone(), t.levels.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(trees(&embedded), trees(&on_disk));
    assert_eq!(embedded.roles(), on_disk.roles());
}

#[test]
fn every_incident_kind_starts_a_playbook() {
    let library = bundled();
    for kind in INCIDENT_KINDS {
        assert!(library.for_kind(kind).is_some(), "no playbook for {kind}");
    }
    for (kind, id) in [
        ("fire.alarm", "fire-alarm"),
        ("fire.supervisory", "fire-supervisory"),
        ("fire.trouble", "fire-trouble"),
        ("elevator.entrapment", "elevator-entrapment"),
        ("access.forced", "access-forced"),
        ("access.held_open", "access-held-open"),
        ("access.duress", "access-duress"),
        ("comms.lost", "comms-lost"),
        ("manual.gas_leak", "gas-leak"),
        ("manual.flood", "flood"),
        ("manual.public_security", "public-security"),
        ("manual.medical", "medical"),
    ] {
        assert_eq!(
            library.for_kind(kind).map(|p| p.id.as_str()),
            Some(id),
            "{kind}"
        );
    }
    let manual: Vec<&str> = library.manual_playbooks().map(|p| p.id.as_str()).collect();
    assert_eq!(manual, ["flood", "gas-leak", "medical", "public-security"]);
    assert!(library.for_kind("fire.restore").is_none());
}

#[test]
fn each_playbook_starts_its_tree_at_its_first_step_and_only_there() {
    let library = bundled();
    for playbook in library.playbooks() {
        let first = playbook.steps[0].notify.as_ref();
        assert_eq!(
            first.map(|n| n.action),
            Some(NotifyAction::Start),
            "{}: first step starts no tree",
            playbook.id
        );
        for step in &playbook.steps[1..] {
            assert_ne!(
                step.notify.as_ref().map(|n| n.action),
                Some(NotifyAction::Start),
                "{}.{}",
                playbook.id,
                step.id
            );
        }
    }
    for tree in library.trees() {
        assert!(
            library.playbooks().any(|p| p.trees().any(|t| t == tree.id)),
            "tree {} is never used",
            tree.id
        );
    }
}

#[test]
fn outside_parties_are_marked_external_and_drills_never_reach_them() {
    let library = bundled();
    let roles = library.roles();
    for id in [
        "fire_brigade",
        "police",
        "ambulance",
        "elevator_maintenance",
        "gas_company",
        "water_company",
    ] {
        assert!(
            roles.get(id).is_some_and(|r| r.external),
            "{id} must be external"
        );
    }
    for (id, phone) in [
        ("fire_brigade", "119"),
        ("police", "110"),
        ("ambulance", "120"),
    ] {
        assert_eq!(roles.get(id).and_then(|r| r.phone.as_deref()), Some(phone));
    }
    assert!(!roles.is_external("operator"));
    assert!(
        roles.is_external("no-such-role"),
        "an unknown role is treated as outside"
    );
    let contacts: Vec<Contact> = roles
        .iter()
        .map(|r| Contact::new(format!("{}-1", r.id), &r.id))
        .collect();
    for tree in library.trees() {
        let drill = tree.for_drill(roles, &contacts);
        for level in &drill.levels {
            for recipient in &level.recipients {
                let Recipient::Role(role) = recipient else {
                    continue;
                };
                assert!(
                    !roles.is_external(role),
                    "drill tree {} calls {role}",
                    tree.id
                );
            }
        }
    }
    let maintenance = library.tree("elevator-maintenance").unwrap();
    assert!(maintenance.for_drill(roles, &contacts).levels.is_empty());
    assert_eq!(library.check_contacts(&contacts), Ok(()));
}

#[test]
fn a_drill_drops_contacts_holding_outside_roles() {
    let library = bundled()
        .with_files([(
            "site/trees.toml",
            "[[trees]]\nid = \"t\"\ntitle = { zh = \"树\", en = \"T\" }\n[[trees.levels]]\ncontacts = [\"lift-co\", \"wang\"]\nchannels = [\"email\"]\nescalate_after = \"1m\"\n",
        )])
        .unwrap();
    let contacts = [
        Contact::new("lift-co", "elevator_maintenance"),
        Contact::new("wang", "duty_manager"),
    ];
    let drill = library
        .tree("t")
        .unwrap()
        .for_drill(library.roles(), &contacts);
    assert_eq!(
        drill.levels[0].recipients,
        vec![Recipient::Contact("wang".into())]
    );
}

#[test]
fn fire_alarm_follows_gb_25506() {
    let library = bundled();
    let fire = library.for_kind("fire.alarm").unwrap();
    let confirm = &fire.steps[0];
    assert_eq!(confirm.deadline, Some(Duration::minutes(3)));
    let choices: Vec<&str> = confirm.choices().iter().map(|c| c.id.as_str()).collect();
    assert_eq!(choices, ["real", "false"]);
    let call = fire.step("call-119").unwrap();
    for said in [
        "address",
        "where the fire is",
        "what is burning",
        "how large",
        "name and phone",
    ] {
        assert!(
            call.instruction.en.contains(said),
            "the 119 script lacks {said:?}"
        );
    }
    for said in ["地址", "起火位置", "燃烧物", "火势", "姓名和联系电话"] {
        assert!(
            call.instruction.zh.contains(said),
            "the 119 script lacks {said:?}"
        );
    }
    let real = walk_ids(fire, "real");
    for step in [
        "call-119",
        "start-plan",
        "evacuate",
        "guide-engines",
        "brief-fire-service",
        "assist-investigation",
    ] {
        assert!(real.contains(&step), "the real-fire branch lacks {step}");
    }
    assert!(!real.contains(&"reset"));
    assert_eq!(
        walk_ids(fire, "false"),
        ["confirm", "reset", "record-cause"]
    );
}

/// The steps from the first along `choice` of the first step, following the flow.
fn walk_ids<'p>(playbook: &'p Playbook, choice: &str) -> Vec<&'p str> {
    let mut ids = vec![playbook.steps[0].id.as_str()];
    let mut next = playbook.steps[0]
        .choice(choice)
        .and_then(|c| c.next.as_deref());
    while let Some(id) = next {
        let step = playbook.step(id).unwrap();
        ids.push(&step.id);
        next = match &step.flow {
            Flow::Next(id) => Some(id.as_str()),
            Flow::End => None,
            Flow::Choices(choices) => choices[0].next.as_deref(),
        };
    }
    ids
}

#[test]
fn elevator_entrapment_follows_the_maintenance_rules() {
    let library = bundled();
    let lift = library.for_kind("elevator.entrapment").unwrap();
    assert_eq!(lift.steps[0].id, "intercom");
    assert_eq!(
        lift.step("maintenance-arrived").unwrap().deadline,
        Some(Duration::minutes(30))
    );
    assert_eq!(
        lift.step("guard-to-car").unwrap().deadline,
        Some(Duration::minutes(15))
    );
    let release = lift.step("release").unwrap();
    let kinds: Vec<(&str, InputKind, bool)> = release
        .inputs
        .iter()
        .map(|i| (i.id.as_str(), i.kind, i.required))
        .collect();
    assert_eq!(
        kinds,
        [
            ("released_at", InputKind::Time, true),
            ("released", InputKind::Number, true)
        ]
    );
    assert!(lift.step("water-first-aid").is_some());
    assert!(lift.step("inspection").is_some());
    assert!(lift.step("notice-residents").is_some());
}

#[test]
fn every_playbook_prints_as_a_checklist_in_both_languages() {
    let library = bundled();
    for playbook in library.playbooks() {
        for lang in [Lang::Zh, Lang::En] {
            let text = checklist::render(playbook, &library, lang);
            assert!(text.starts_with(playbook.title.get(lang)));
            assert!(text.contains(&format!("\n{}. ", playbook.steps.len())));
        }
    }
    let fire = checklist::render(library.playbook("fire-alarm").unwrap(), &library, Lang::En);
    assert!(
        fire.contains("Deadline: 3 min after the incident starts"),
        "{fire}"
    );
    assert!(fire.contains("     - False alarm -> step 9"), "{fire}");
    assert!(
        fire.contains("   Calls: Fire brigade (119) (outside party) ☎ 119\n"),
        "{fire}"
    );
    assert!(
        fire.contains("   Calls: Safety officer, Duty manager\n"),
        "{fire}"
    );
}

/// Item 3 of issue 14: "call them by phone" showed no number, because no step said whom it
/// calls. Every step whose text calls an outside party names it in `calls`.
#[test]
fn every_step_that_calls_an_outside_party_names_it() {
    let library = bundled();
    let said = [
        ("119", "fire_brigade"),
        ("110", "police"),
        ("120", "ambulance"),
        ("lift maintenance company", "elevator_maintenance"),
        ("gas company's emergency line", "gas_company"),
        ("water company", "water_company"),
    ];
    let mut calling = 0;
    for playbook in library.playbooks() {
        for step in &playbook.steps {
            for (words, role) in said {
                if step.instruction.en.contains(words) {
                    assert!(
                        step.calls.iter().any(|c| c == role),
                        "{}/{} says {words:?} but does not call {role}",
                        playbook.id,
                        step.id
                    );
                }
            }
            if step.calls.iter().any(|c| library.roles().is_external(c)) {
                calling += 1;
            }
        }
    }
    assert!(calling >= 13, "only {calling} steps call an outside party");
    let lift = library.playbook("elevator-entrapment").unwrap();
    assert_eq!(
        lift.step("maintenance-arrived").unwrap().calls,
        ["elevator_maintenance", "duty_manager"],
        "a late crew is chased and the duty manager told"
    );
}

#[test]
fn a_site_overrides_a_playbook_by_id_and_may_take_over_a_kind() {
    let library = bundled();
    let site = library
        .clone()
        .with_files([
            (
                "site/medical.toml",
                "id = \"medical\"\ntitle = { zh = \"急救（本项目）\", en = \"Medical (site)\" }\ntriggers = [\"manual.medical\"]\n[[steps]]\nid = \"call-120\"\ninstruction = { zh = \"拨打120\", en = \"Call 120\" }\nrole = \"operator\"\nnotify = { start = \"medical\" }\n",
            ),
            (
                "site/fire-alarm-tower.toml",
                "id = \"fire-alarm-tower\"\ntitle = { zh = \"塔楼火警\", en = \"Tower fire alarm\" }\ntriggers = [\"fire.alarm\"]\n[[steps]]\nid = \"confirm\"\ninstruction = { zh = \"确认\", en = \"Confirm\" }\nrole = \"operator\"\ndeadline = \"3m\"\nnotify = { start = \"fire-alarm\" }\n",
            ),
        ])
        .unwrap();
    assert_eq!(site.playbook("medical").unwrap().title.en, "Medical (site)");
    assert_eq!(
        site.playbook("medical").unwrap().origin().file,
        "site/medical.toml"
    );
    assert_eq!(site.for_kind("fire.alarm").unwrap().id, "fire-alarm-tower");
    assert!(
        site.playbook("fire-alarm").is_some(),
        "the bundled playbook stays available by id"
    );
    assert_eq!(site.playbooks().count(), library.playbooks().count() + 1);
}

#[test]
fn the_responses_managers_measure_are_marked_with_their_targets() {
    use playbooks::Milestone::{Confirmed, OnSite, OutsideCalled};
    let library = bundled();
    let marked = |playbook: &str, milestone| {
        let playbook = library.playbook(playbook).unwrap();
        let steps: Vec<_> = playbook
            .steps
            .iter()
            .filter(|s| s.milestone == Some(milestone))
            .collect();
        assert_eq!(steps.len(), 1, "{} marks {milestone:?} once", playbook.id);
        (steps[0].id.as_str(), steps[0].deadline)
    };
    assert_eq!(
        marked("fire-alarm", Confirmed),
        ("confirm", Some(Duration::minutes(3)))
    );
    assert_eq!(
        marked("fire-alarm", OutsideCalled),
        ("call-119", Some(Duration::minutes(5))),
        "119 is called at once for a real fire"
    );
    assert_eq!(
        marked("elevator-entrapment", OnSite),
        ("maintenance-arrived", Some(Duration::minutes(30))),
        "the lift company is on site within 30 minutes"
    );
    assert_eq!(
        marked("elevator-entrapment", OutsideCalled).0,
        "call-maintenance"
    );
    assert_eq!(marked("gas-leak", OutsideCalled).0, "call-gas-company");
}
