//! The scenario checks, one rule at a time, each reported at its file, line and field.

use super::*;

const FILE: &str = "scenarios/lift.toml";

const LIFT: &str = r#"id = "lift"
name = { zh = "电梯困人", en = "Lift" }
summary = { zh = "一人被困", en = "One person trapped" }
kind = "lift_rescue"
exercise = "functional"
playbook = "elevator-entrapment"

[[events]]
at = "0s"
kind = "elevator.entrapment"
device = "lift-B1-2"
building = "B1"

[[events]]
at = "25m"
kind = "elevator.released"
device = "lift-B1-2"

[[prompts]]
at = "0s"
say = { zh = "请勿真实呼叫维保单位", en = "Do not call the real maintenance company" }

[[objectives]]
id = "acknowledge"
name = { zh = "确认", en = "Acknowledged" }
target = "60s"
measure = { type = "acknowledged" }

[[objectives]]
id = "maintenance"
name = { zh = "通知维保", en = "Maintenance called" }
target = "3m"
measure = { type = "step_done", step = "call-maintenance" }

[[objectives]]
id = "all-well"
name = { zh = "身体状况", en = "Health checked" }
target = "10m"
measure = { type = "choice_made", step = "water-first-aid", choice = "all-well" }
"#;

fn library() -> Library {
    Library::bundled().expect("the bundled library loads")
}

fn parse(text: &str) -> Result<Scenario, LoadError> {
    Scenario::parse(text, FILE, &library())
}

/// `LIFT` with `from` replaced by `to`; `from` must be in it.
fn lift_with(from: &str, to: &str) -> String {
    assert!(LIFT.contains(from), "{from:?} is not in the scenario");
    LIFT.replacen(from, to, 1)
}

/// Every problem of a scenario that must be refused, as printed.
fn refused(text: &str) -> Vec<String> {
    let error = parse(text).expect_err("refused");
    error.problems.iter().map(ToString::to_string).collect()
}

/// Asserts that the one problem of `text` is `expected` (after the file name).
fn refused_once(text: &str, expected: &str) {
    let problems = refused(text);
    assert_eq!(problems, [format!("{FILE}:{expected}")]);
}

#[test]
fn a_valid_scenario_reads_into_its_timeline_and_objectives() {
    let scenario = parse(LIFT).expect("valid");
    assert_eq!(scenario.id, "lift");
    assert_eq!(scenario.kind, DrillKind::LiftRescue);
    assert_eq!(scenario.exercise, ExerciseType::Functional);
    assert_eq!(scenario.playbook, "elevator-entrapment");
    let times: Vec<u32> = scenario.events.iter().map(|e| e.at_secs).collect();
    assert_eq!(times, [0, 25 * 60]);
    assert_eq!(scenario.events[0].kind, EventKind::ElevatorEntrapment);
    assert_eq!(scenario.events[0].building.as_deref(), Some("B1"));
    assert_eq!(scenario.prompts[0].open, None);
    assert_eq!(scenario.objectives.len(), 3);
    assert_eq!(scenario.objectives[0].target_secs, 60);
    assert_eq!(
        scenario.objectives[1].measure,
        alert_hub::protocol::Measure::StepDone {
            playbook: "elevator-entrapment".into(),
            step: "call-maintenance".into(),
        }
    );
    assert_eq!(
        scenario.objectives[2].measure,
        alert_hub::protocol::Measure::ChoiceMade {
            playbook: "elevator-entrapment".into(),
            step: "water-first-aid".into(),
            choice: "all-well".into(),
        }
    );
    assert_eq!(scenario.families(), BTreeSet::from([Family::Elevator]));
}

#[test]
fn the_id_is_the_file_name() {
    let error = Scenario::parse(LIFT, "scenarios/lift-rescue.toml", &library()).expect_err("id");
    assert_eq!(
        error.to_string(),
        "scenarios/lift-rescue.toml:1: id: \"lift\" is not the file's name \"lift-rescue\": a \
         plan names a scenario by its file, so the id is the file name without .toml"
    );
}

#[test]
fn kind_and_exercise_are_names_of_their_sets() {
    refused_once(
        &lift_with("\"lift_rescue\"", "\"lift\""),
        "4: kind: \"lift\" is not a drill kind (one of fire_evacuation, lift_rescue, flood, \
         public_security, gas_leak, first_aid, combined)",
    );
    refused_once(
        &lift_with("\"functional\"", "\"drill\""),
        "5: exercise: \"drill\" is not an exercise type (one of tabletop, functional, full_scale)",
    );
    refused_once(
        &lift_with("{ zh = \"一人被困\",", "{ zh = \"\","),
        "3: summary.zh: is empty; both languages are required",
    );
}

#[test]
fn the_expected_playbook_exists_and_is_started_by_the_scenario() {
    let problems = refused(&lift_with(
        "playbook = \"elevator-entrapment\"",
        "playbook = \"lift\"",
    ));
    assert!(
        problems[0].starts_with(&format!(
            "{FILE}:6: playbook: the library has no playbook \"lift\" (it has access-duress, "
        )),
        "{problems:?}"
    );
    let problems = refused(&lift_with(
        "playbook = \"elevator-entrapment\"",
        "playbook = \"flood\"",
    ));
    assert_eq!(
        problems[0],
        format!(
            "{FILE}:6: playbook: playbook \"flood\" is not started by the scenario's events or \
             prompts (they start elevator-entrapment); a prompt with open = \"manual.flood\" \
             starts it"
        )
    );
    let problems = refused(&lift_with(
        "playbook = \"elevator-entrapment\"",
        "playbook = \"fire-alarm\"",
    ));
    assert_eq!(
        problems[0],
        format!(
            "{FILE}:6: playbook: playbook \"fire-alarm\" is not started by the scenario's events \
             or prompts (they start elevator-entrapment); an event of kind \"fire.alarm\" starts it"
        )
    );
}

#[test]
fn events_are_of_kinds_a_device_sends() {
    let problems = refused(&lift_with("\"elevator.entrapment\"", "\"manual.gas_leak\""));
    assert_eq!(
        problems[1],
        format!(
            "{FILE}:10: events[0].kind: \"manual.gas_leak\" is opened by an operator, not sent by \
             a device: add a [[prompts]] entry with open = \"manual.gas_leak\" that asks for it"
        ),
        "{problems:?}"
    );
    let problems = refused(&lift_with("\"elevator.released\"", "\"comms.lost\""));
    assert_eq!(
        problems,
        [format!(
            "{FILE}:16: events[1].kind: \"comms.lost\" is raised by the hub itself, never sent by \
             a device"
        )]
    );
    let problems = refused(&lift_with("\"elevator.released\"", "\"elevator.rescued\""));
    assert!(
        problems[0].starts_with(&format!(
            "{FILE}:16: events[1].kind: \"elevator.rescued\" is not a kind a device sends (one of \
             fire.alarm, fire.prealarm,"
        )),
        "{problems:?}"
    );
    refused_once(
        &lift_with(
            "device = \"lift-B1-2\"\nbuilding",
            "device = \" \"\nbuilding",
        ),
        "11: events[0].device: is empty: name the device that sends the event, e.g. \
         \"smoke-B2-07F-03\"",
    );
}

#[test]
fn events_come_in_time_order_within_thirty_minutes() {
    refused_once(
        &lift_with("at = \"25m\"", "at = \"31m\""),
        "15: events[1].at: 31m is later than 30m: a scenario's script runs for 30 minutes at most",
    );
    let swapped = lift_with(
        "at = \"0s\"\nkind = \"elevator.entrapment\"",
        "at = \"26m\"\nkind = \"elevator.entrapment\"",
    );
    let problems = refused(&swapped);
    assert_eq!(
        problems[0],
        format!(
            "{FILE}:15: events[1].at: 25m comes before the 26m of the one above it: list them in \
             time order"
        )
    );
    refused_once(
        &lift_with("at = \"25m\"", "at = \"25 m\""),
        "15: events[1].at: \"25 m\" is not a duration; write e.g. \"90s\", \"3m\", \"2h\" or \"1h30m\"",
    );
}

#[test]
fn a_prompt_opens_an_incident_by_hand_only_of_a_kind_with_a_playbook() {
    let text = lift_with(
        "say = { zh = \"请勿真实呼叫维保单位\", en = \"Do not call the real maintenance company\" }",
        "say = { zh = \"有人晕倒\", en = \"Someone fainted\" }\nopen = \"manual.medical\"\nbuilding = \"B1\"",
    );
    let text = text.replace(
        "measure = { type = \"acknowledged\" }",
        "measure = { type = \"step_done\", playbook = \"medical\", step = \"call-120\" }",
    );
    let scenario = parse(&text).expect("valid");
    let open = scenario.prompts[0].open.as_ref().expect("opens");
    assert_eq!(open.kind, EventKind::Medical);
    assert_eq!(open.building.as_deref(), Some("B1"));
    assert_eq!(scenario.objectives[0].measure.playbook(), Some("medical"));

    refused_once(
        &lift_with(
            "en = \"Do not call the real maintenance company\" }",
            "en = \"Do not call\" }\nzone = \"lift 2\"",
        ),
        "22: prompts[0].zone: says where an incident opened by hand is: only with open",
    );
    let problems = refused(&lift_with(
        "en = \"Do not call the real maintenance company\" }",
        "en = \"Do not call\" }\nopen = \"elevator.released\"",
    ));
    assert!(
        problems[0].starts_with(&format!(
            "{FILE}:22: prompts[0].open: \"elevator.released\" is not a kind an operator opens \
             (one of manual.gas_leak, manual.flood, manual.medical, manual.public_security, or"
        )),
        "{problems:?}"
    );
}

#[test]
fn objectives_are_there_unique_and_within_two_hours() {
    let none = &LIFT[..LIFT.find("[[objectives]]").expect("objectives")];
    assert_eq!(
        refused(none),
        [format!(
            "{FILE}:1: objectives: a scenario needs at least one [[objectives]]: what the drill \
             is scored on"
        )]
    );
    refused_once(
        &lift_with("id = \"maintenance\"", "id = \"acknowledge\""),
        "30: objectives[1].id: objective \"acknowledge\" is already defined on line 24",
    );
    refused_once(
        &lift_with("target = \"10m\"", "target = \"3h\""),
        "38: objectives[2].target: 3h is longer than 2h: a drill is scored within two hours of \
         its start",
    );
    refused_once(
        &lift_with("target = \"60s\"", "target = \"0s\""),
        "26: objectives[0].target: \"0s\" is zero; a duration must be longer than that",
    );
}

#[test]
fn an_objective_that_could_never_be_met_is_refused() {
    let late = lift_with(
        "at = \"0s\"\nkind = \"elevator.entrapment\"",
        "at = \"2m\"\nkind = \"elevator.entrapment\"",
    );
    let late = late.replacen("at = \"0s\"\nsay", "at = \"2m\"\nsay", 1);
    refused_once(
        &late,
        "26: objectives[0].target: 60s is not after 2m, when the first incident starts: the \
         objective could never be met",
    );
    let later = late
        .replace("target = \"60s\"", "target = \"150s\"")
        .replace("target = \"3m\"", "target = \"2m\"");
    refused_once(
        &later,
        "32: objectives[1].target: 2m is not after 2m, when playbook elevator-entrapment \
         starts: the objective could never be met",
    );
}

#[test]
fn a_measure_names_what_its_type_needs_and_nothing_else() {
    refused_once(
        &lift_with("{ type = \"acknowledged\" }", "{ type = \"ack\" }"),
        "27: objectives[0].measure.type: \"ack\" is not a measure (one of acknowledged, \
         step_done, choice_made, resolved, notified)",
    );
    refused_once(
        &lift_with(
            "{ type = \"acknowledged\" }",
            "{ type = \"resolved\", step = \"release\" }",
        ),
        "27: objectives[0].measure.step: type resolved takes no step",
    );
    refused_once(
        &lift_with(
            "{ type = \"step_done\", step = \"call-maintenance\" }",
            "{ type = \"step_done\" }",
        ),
        "33: objectives[1].measure.step: type step_done needs a step",
    );
    refused_once(
        &lift_with(
            "step = \"call-maintenance\" }",
            "step = \"call-maintenance\", choice = \"yes\" }",
        ),
        "33: objectives[1].measure.choice: type step_done takes no choice",
    );
    refused_once(
        &lift_with(", choice = \"all-well\" }", " }"),
        "39: objectives[2].measure.choice: type choice_made needs a choice",
    );
}

#[test]
fn a_measured_step_and_choice_are_in_a_playbook_the_scenario_starts() {
    let problems = refused(&lift_with("\"call-maintenance\"", "\"call-maintenence\""));
    assert_eq!(
        problems,
        [format!(
            "{FILE}:33: objectives[1].measure.step: playbook \"elevator-entrapment\" has no step \
             \"call-maintenence\" (its steps are intercom, call-maintenance, guard-to-car, \
             water-first-aid, call-120, maintenance-arrived, release, inspection, \
             notice-residents)"
        )]
    );
    refused_once(
        &lift_with("choice = \"all-well\"", "choice = \"fine\""),
        "39: objectives[2].measure.choice: step \"water-first-aid\" has no choice \"fine\" (its \
         choices are unwell, all-well)",
    );
    refused_once(
        &lift_with("step = \"water-first-aid\"", "step = \"intercom\""),
        "39: objectives[2].measure.choice: step \"intercom\" of playbook \
         \"elevator-entrapment\" has no choices",
    );
    refused_once(
        &lift_with(
            "{ type = \"step_done\", step = \"call-maintenance\" }",
            "{ type = \"step_done\", playbook = \"fire-alarm\", step = \"call-119\" }",
        ),
        "33: objectives[1].measure.playbook: playbook \"fire-alarm\" is not started by the \
         scenario's events or prompts (they start elevator-entrapment); an event of kind \
         \"fire.alarm\" starts it",
    );
}

#[test]
fn unknown_fields_and_bad_toml_are_refused_with_their_line() {
    let problems = refused(&lift_with(
        "building = \"B1\"",
        "building = \"B1\"\ncolour = \"red\"",
    ));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(&format!("{FILE}:13: events[0]")),
        "{problems:?}"
    );
    assert!(
        problems[0].contains("unknown field `colour`"),
        "{problems:?}"
    );
    let problems = refused(&lift_with("target = \"3m\"", "target = 3m"));
    assert!(
        problems[0].starts_with(&format!("{FILE}:32: ")),
        "{problems:?}"
    );
}
