//! The shipped drill scenarios and the `drills check` command: every scenario passes, one per
//! kind of drill, each plan entry's scenario exists and agrees with it, and a broken file is
//! reported by the real binary as `file:line: field: what`.
#![allow(clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use alert_hub::drill_plan::Plan;
use alert_hub::protocol::{DrillKind, EventKind, Measure};
use drills::scenario::{self, Scenario};
use playbooks::Library;

fn shipped_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

fn shipped() -> Vec<Scenario> {
    let library = Library::bundled().expect("the bundled library loads");
    scenario::load_dir(&shipped_dir(), &library).unwrap_or_else(|e| panic!("{e}"))
}

/// The shipped scenario with this id.
fn shipped_one(id: &str) -> Scenario {
    shipped()
        .into_iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("scenario {id} is not shipped"))
}

fn drills_check(dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drills"))
        .arg("check")
        .arg(dir)
        .output()
        .expect("drills runs")
}

#[test]
fn every_shipped_scenario_passes_and_each_kind_of_drill_has_one() {
    let scenarios = shipped();
    let kinds: Vec<DrillKind> = scenarios.iter().map(|s| s.kind).collect();
    let distinct: BTreeSet<DrillKind> = kinds.iter().copied().collect();
    assert_eq!(
        kinds.len(),
        distinct.len(),
        "one scenario per kind: {kinds:?}"
    );
    assert_eq!(distinct, BTreeSet::from(DrillKind::ALL));
}

#[test]
fn every_entry_of_the_default_plan_has_its_scenario_of_the_same_kind_and_type() {
    let scenarios = shipped();
    let plan = Plan::default_plan().expect("the default plan parses");
    for entry in &plan.entries {
        let stem = entry
            .scenario
            .as_deref()
            .expect("every default entry is scripted");
        let scenario = scenarios.iter().find(|s| s.id == stem).unwrap_or_else(|| {
            panic!("plan entry {} names scenario {stem}, not shipped", entry.id)
        });
        assert_eq!(scenario.kind, entry.kind, "{stem}");
        assert_eq!(scenario.exercise, entry.exercise, "{stem}");
    }
}

#[test]
fn the_fire_evacuation_pre_alarms_alarms_gets_a_second_detector_and_a_forced_door() {
    let fire = shipped_one("fire-evacuation");
    let timeline: Vec<(u32, EventKind, &str)> = fire
        .events
        .iter()
        .map(|e| (e.at_secs, e.kind, e.device.as_str()))
        .collect();
    assert_eq!(
        timeline[..4],
        [
            (0, EventKind::FirePrealarm, "smoke-B2-07F-03"),
            (20, EventKind::FireAlarm, "smoke-B2-07F-03"),
            (60, EventKind::FireAlarm, "smoke-B2-07F-04"),
            (120, EventKind::AccessForced, "door-B2-01F-east"),
        ]
    );
    assert_eq!(fire.events[1].zone, fire.events[2].zone, "the same zone");
    assert_eq!(fire.playbook, "fire-alarm");
}

#[test]
fn reported_emergencies_are_opened_by_hand_and_never_sent_as_device_events() {
    for scenario in shipped() {
        assert!(
            scenario
                .events
                .iter()
                .all(|e| EventKind::from_device(e.kind.as_str()).is_some()),
            "{}",
            scenario.id
        );
        let opened: Vec<EventKind> = scenario
            .prompts
            .iter()
            .filter_map(|p| p.open.as_ref().map(|o| o.kind))
            .collect();
        let expected = match scenario.kind {
            DrillKind::Flood => vec![EventKind::Flood],
            DrillKind::PublicSecurity => vec![EventKind::PublicSecurity],
            DrillKind::GasLeak => vec![EventKind::GasLeak],
            DrillKind::FirstAid | DrillKind::Combined => vec![EventKind::Medical],
            DrillKind::FireEvacuation | DrillKind::LiftRescue => vec![],
        };
        assert_eq!(opened, expected, "{}", scenario.id);
    }
}

#[test]
fn the_lift_rescue_measures_the_acknowledgement_the_call_and_the_release() {
    let lift = shipped_one("lift-rescue");
    let acknowledge = &lift.objectives[0];
    assert_eq!(acknowledge.measure, Measure::Acknowledged);
    assert!(acknowledge.target_secs <= 60);
    let steps: Vec<&str> = lift
        .objectives
        .iter()
        .filter_map(|o| match &o.measure {
            Measure::StepDone { step, .. } => Some(step.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        steps.contains(&"call-maintenance") && steps.contains(&"release"),
        "{steps:?}"
    );
}

#[test]
fn drills_check_says_ok_for_the_shipped_scenarios() {
    let output = drills_check(&shipped_dir());
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.trim(), format!("ok: {} scenarios", shipped().len()));
}

#[test]
fn drills_check_prints_the_file_and_line_of_each_problem_and_fails() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let text = std::fs::read_to_string(shipped_dir().join("lift-rescue.toml")).expect("read");
    let line = 1 + text
        .lines()
        .position(|l| l.contains("step = \"call-maintenance\""))
        .expect("the shipped scenario measures the call");
    let broken = text.replace("\"call-maintenance\"", "\"call-maintenence\"");
    std::fs::write(dir.path().join("lift-rescue.toml"), broken).expect("write");
    std::fs::copy(
        shipped_dir().join("flood.toml"),
        dir.path().join("flood.toml"),
    )
    .expect("copy");
    std::fs::write(dir.path().join("notes.txt"), "not a scenario").expect("write");

    let output = drills_check(dir.path());
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let file = dir.path().join("lift-rescue.toml");
    let expected = format!(
        "{}:{line}: objectives[2].measure.step: playbook \"elevator-entrapment\" has no step \
         \"call-maintenence\"",
        file.display()
    );
    assert!(stderr.starts_with(&expected), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn drills_check_fails_on_a_directory_without_scenarios() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let output = drills_check(dir.path());
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("no scenarios"));
    let output = drills_check(&dir.path().join("missing"));
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read"));
}
