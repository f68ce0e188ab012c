//! The plan format: the default plan's calendar, each form of `when`, and every kind of bad
//! input reported at its file and line.

use time::macros::date;

use super::*;

const FILE: &str = "plans/test.toml";

fn sites(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| (*s).to_owned()).collect()
}

fn default_calendar(year: i32) -> Vec<CalendarEntry> {
    Plan::default_plan()
        .expect("the default plan parses")
        .calendar(year, &sites(&["green-garden", "river-court"]))
}

fn of<'c>(calendar: &'c [CalendarEntry], entry: &str, site: &str) -> Vec<&'c CalendarEntry> {
    calendar
        .iter()
        .filter(|c| c.plan_entry == entry && c.site == site)
        .collect()
}

/// One entry with the given `when` (and any extra lines), as a plan file.
fn entry(extra: &str) -> String {
    format!(
        "[[entries]]\nid = \"drill\"\nname = {{ zh = \"演练\", en = \"Drill\" }}\n\
         kind = \"flood\"\nexercise = \"functional\"\n{extra}\n"
    )
}

fn dues(text: &str, year: i32) -> Vec<Date> {
    let plan = Plan::parse(text, FILE).expect("parses");
    plan.calendar(year, &sites(&["s"]))
        .into_iter()
        .map(|c| c.due)
        .collect()
}

/// The problems of a file that must be refused, as printed.
fn refused(text: &str) -> Vec<String> {
    let error = Plan::parse(text, FILE).expect_err("refused");
    assert!(!error.problems.is_empty());
    error.problems.iter().map(ToString::to_string).collect()
}

/// Asserts that `text` has one problem, which begins with `expected` after the file name.
fn refused_only(text: &str, expected: &str) {
    let problems = refused(text);
    let wanted = format!("{FILE}:{expected}");
    assert_eq!(problems.len(), 1, "{text}: {problems:?}");
    assert!(
        problems[0].starts_with(&wanted),
        "{}\n{wanted}",
        problems[0]
    );
}

#[test]
fn the_default_plan_gives_each_site_nineteen_drills_a_year() {
    let calendar = default_calendar(2027);
    assert_eq!(calendar.len(), 2 * 19);
    for site in ["green-garden", "river-court"] {
        let fire = of(&calendar, "fire-evacuation", site);
        assert_eq!(fire.len(), 1);
        assert_eq!(fire[0].due, date!(2027 - 03 - 31));
        assert_eq!(fire[0].id, format!("2027-q1-fire-evacuation-{site}"));
        assert_eq!(fire[0].kind, DrillKind::FireEvacuation);
        assert_eq!(fire[0].exercise, ExerciseType::FullScale);
        assert_eq!(fire[0].scenario.as_deref(), Some("fire-evacuation"));

        let lift: Vec<Date> = of(&calendar, "lift-rescue", site)
            .iter()
            .map(|c| c.due)
            .collect();
        assert_eq!(lift, [date!(2027 - 06 - 30), date!(2027 - 12 - 31)]);
        assert_eq!(
            of(&calendar, "lift-rescue", site)[0].id,
            format!("2027-q2-lift-rescue-{site}")
        );

        let first_aid = of(&calendar, "first-aid", site);
        assert_eq!(first_aid.len(), 12);
        assert_eq!(first_aid[1].due, date!(2027 - 02 - 28));
        assert_eq!(first_aid[1].id, format!("2027-m02-first-aid-{site}"));
        assert!(
            first_aid
                .iter()
                .all(|c| c.due.next_day().is_some_and(|d| d.day() == 1))
        );

        let due = |entry: &str| of(&calendar, entry, site)[0].due;
        assert_eq!(due("flood"), date!(2027 - 09 - 30));
        assert_eq!(due("public-security"), date!(2027 - 12 - 31));
        assert_eq!(due("gas-leak"), date!(2027 - 10 - 31));
        assert_eq!(due("combined"), date!(2027 - 12 - 20));
        assert_eq!(
            of(&calendar, "combined", site)[0].exercise,
            ExerciseType::FullScale
        );
        assert_eq!(of(&calendar, "gas-leak", site)[0].kind, DrillKind::GasLeak);
    }
    let mut ids: Vec<&str> = calendar.iter().map(|c| c.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), calendar.len(), "calendar ids are unique");
}

#[test]
fn the_calendar_runs_by_due_day_then_site_and_comes_out_the_same_each_time() {
    let calendar = default_calendar(2027);
    assert_eq!(calendar, default_calendar(2027));
    for pair in calendar.windows(2) {
        assert!(
            pair[0].due <= pair[1].due,
            "{} before {}",
            pair[0].id,
            pair[1].id
        );
    }
    assert_eq!(calendar[0].id, "2027-m01-first-aid-green-garden");
    assert_eq!(calendar[1].id, "2027-m01-first-aid-river-court");
    let leap = default_calendar(2028);
    assert!(leap.iter().any(|c| c.due == date!(2028 - 02 - 29)));
    assert!(
        default_calendar(2027)
            .iter()
            .all(|c| c.id.starts_with("2027-") && c.due.year() == 2027)
    );
}

#[test]
fn a_site_given_twice_counts_once() {
    let plan = Plan::default_plan().expect("parses");
    let once = plan.calendar(2027, &sites(&["a"]));
    let twice = plan.calendar(2027, &sites(&["a", "a"]));
    assert_eq!(once, twice);
    assert!(plan.calendar(2027, &[]).is_empty());
}

#[test]
fn each_form_of_when_falls_due_as_it_says() {
    assert_eq!(
        dues(&entry("when = { quarter = 2 }"), 2027),
        [date!(2027 - 06 - 30)]
    );
    assert_eq!(
        dues(&entry("when = { month = 2 }"), 2028),
        [date!(2028 - 02 - 29)]
    );
    assert_eq!(
        dues(&entry("when = { month = 11, day = 15 }"), 2027),
        [date!(2027 - 11 - 15)]
    );
    assert_eq!(
        dues(
            &entry("when = { every = \"quarter\", month = 2, day = 15 }"),
            2027
        ),
        [
            date!(2027 - 02 - 15),
            date!(2027 - 05 - 15),
            date!(2027 - 08 - 15),
            date!(2027 - 11 - 15)
        ]
    );
    assert_eq!(
        dues(&entry("when = { every = \"6 months\", month = 4 }"), 2027),
        [date!(2027 - 04 - 30), date!(2027 - 10 - 31)]
    );
    assert_eq!(
        dues(&entry("when = { every = \"month\", day = 1 }"), 2027).len(),
        12
    );
    let once = entry("when = { date = \"2027-03-15\" }");
    assert_eq!(dues(&once, 2027), [date!(2027 - 03 - 15)]);
    assert!(
        dues(&once, 2028).is_empty(),
        "a dated drill is not repeated"
    );
}

#[test]
fn a_dated_or_quarterly_drill_is_named_by_its_quarter() {
    let plan = Plan::parse(&entry("when = { date = \"2027-08-02\" }"), FILE).expect("parses");
    let calendar = plan.calendar(2027, &sites(&["green-garden"]));
    assert_eq!(calendar[0].id, "2027-q3-drill-green-garden");
    assert_eq!(calendar[0].scenario, None);
}

#[test]
fn an_entry_for_some_sites_is_held_only_there() {
    let text = entry("when = { quarter = 1 }\nsites = [\"green-garden\"]");
    let plan = Plan::parse(&text, FILE).expect("parses");
    let calendar = plan.calendar(2027, &sites(&["green-garden", "river-court"]));
    assert_eq!(calendar.len(), 1);
    assert_eq!(calendar[0].site, "green-garden");
    assert_eq!(plan.check_sites(&sites(&["green-garden"])), Ok(()));
    let error = plan
        .check_sites(&sites(&["river-court"]))
        .expect_err("an unknown site");
    assert_eq!(
        error.to_string(),
        "plans/test.toml:7: entries[0].sites: \"green-garden\" is not a site of this hub \
         (its sites are river-court)"
    );
}

#[test]
fn a_kind_that_is_not_a_drill_kind_is_refused_with_its_line() {
    let text = entry("when = { quarter = 1 }").replace("\"flood\"", "\"flod\"");
    assert_eq!(
        refused(&text),
        [
            "plans/test.toml:4: entries[0].kind: \"flod\" is not a drill kind (one of \
          fire_evacuation, lift_rescue, flood, public_security, gas_leak, first_aid, combined)"
        ]
    );
    let text = entry("when = { quarter = 1 }").replace("functional", "live");
    assert_eq!(
        refused(&text),
        [
            "plans/test.toml:5: entries[0].exercise: \"live\" is not an exercise type (one of \
          tabletop, functional, full_scale)"
        ]
    );
}

#[test]
fn unknown_fields_are_refused_where_they_stand() {
    let problems = refused(&entry("when = { quarter = 1 }\nscenaro = \"x\""));
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].starts_with("plans/test.toml:7: "),
        "{problems:?}"
    );
    assert!(
        problems[0].contains("unknown field `scenaro`"),
        "{problems:?}"
    );
    let problems = refused(&entry("when = { quater = 1 }"));
    assert!(
        problems[0].starts_with("plans/test.toml:6: "),
        "{problems:?}"
    );
    assert!(
        problems[0].contains("unknown field `quater`"),
        "{problems:?}"
    );
    let problems = refused(&format!(
        "title = \"x\"\n{}",
        entry("when = { quarter = 1 }")
    ));
    assert!(
        problems[0].starts_with("plans/test.toml:1: "),
        "{problems:?}"
    );
}

#[test]
fn a_when_out_of_range_or_mixed_up_says_what_to_write() {
    let cases = [
        (
            "when = { quarter = 5 }",
            "entries[0].when.quarter: 5 is not a quarter: give 1 to 4",
        ),
        (
            "when = { month = 13 }",
            "entries[0].when.month: 13 is not a month: give 1 to 12",
        ),
        (
            "when = { month = 4, day = 31 }",
            "entries[0].when.day: 31 is not a day of April: give 1 to 30",
        ),
        (
            "when = { month = 2, day = 29 }",
            "entries[0].when.day: 29 is not a day of February: give 1 to 28",
        ),
        (
            "when = { every = \"fortnight\" }",
            "entries[0].when.every: \"fortnight\" is not a repeat (one of \"month\", \"quarter\", \"6 months\")",
        ),
        (
            "when = { every = \"month\", month = 3 }",
            "entries[0].when.month: a monthly entry falls due every month; leave month out",
        ),
        (
            "when = { every = \"6 months\", month = 7 }",
            "entries[0].when.month: 7 is not the first month of a repeat every 6 months: give 1 to 6",
        ),
        (
            "when = { every = \"month\", day = 30 }",
            "entries[0].when.day: 30 is not a day of a repeating entry (which every month has; \
             leave day out for the month's last day): give 1 to 28",
        ),
        (
            "when = { date = \"2027-02-30\" }",
            "entries[0].when.date: \"2027-02-30\" is not a date; write it as \"2027-03-15\"",
        ),
        (
            "when = { quarter = 1, date = \"2027-03-15\" }",
            "entries[0].when: quarter and date cannot be combined: give one of them",
        ),
        (
            "when = { quarter = 1, day = 3 }",
            "entries[0].when.day: a quarter falls due on its last day; for another day give month and day",
        ),
        (
            "when = { day = 3 }",
            "entries[0].when: say when: { quarter = 1 }",
        ),
        (
            "when = { quarter = -1 }",
            "entries[0].when.quarter: -1 is not a quarter: give 1 to 4",
        ),
    ];
    for (when, expected) in cases {
        refused_only(&entry(when), &format!("6: {expected}"));
    }
}

#[test]
fn sites_are_all_or_a_list_of_distinct_ids() {
    let cases = [
        (
            "sites = \"some\"",
            "entries[0].sites: \"some\" is not a list of sites",
        ),
        ("sites = []", "entries[0].sites: [] is not a list of sites"),
        (
            "sites = [\"a\", \"a\"]",
            "entries[0].sites[1]: site \"a\" is listed twice",
        ),
        (
            "sites = [\"a\", 3]",
            "entries[0].sites[1]: 3 is not a site id",
        ),
    ];
    for (sites, expected) in cases {
        let text = entry(&format!("when = {{ quarter = 1 }}\n{sites}"));
        refused_only(&text, &format!("7: {expected}"));
    }
}

#[test]
fn ids_names_and_scenarios_are_checked_and_every_problem_is_listed_in_line_order() {
    let text = format!(
        "{}{}",
        entry("when = { quarter = 1 }\nscenario = \"Fire Drill\""),
        entry("when = { quarter = 9 }").replace("\"演练\"", "\" \"")
    );
    assert_eq!(
        refused(&text),
        [
            "plans/test.toml:7: entries[0].scenario: \"Fire Drill\" is not an id: use lowercase \
             letters, digits, '-' and '_'",
            "plans/test.toml:9: entries[1].id: plan entry \"drill\" is already defined on line 2",
            "plans/test.toml:10: entries[1].name.zh: is empty; both languages are required",
            "plans/test.toml:13: entries[1].when.quarter: 9 is not a quarter: give 1 to 4",
        ]
    );
}

#[test]
fn a_file_that_is_not_a_plan_is_refused_with_its_line() {
    assert_eq!(
        refused(""),
        ["plans/test.toml:1: entries: a plan needs at least one [[entries]]"]
    );
    let problems = refused("[[entries]]\nid = \"x\"\nkind = \n");
    assert!(
        problems[0].starts_with("plans/test.toml:3: "),
        "{problems:?}"
    );
    let missing = entry("").replace("kind = \"flood\"\n", "");
    let problems = refused(&missing);
    assert!(
        problems[0].starts_with("plans/test.toml:1: entries[0]"),
        "{problems:?}"
    );
    assert!(problems[0].contains("missing field"), "{problems:?}");
}
