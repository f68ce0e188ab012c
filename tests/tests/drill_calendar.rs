//! The drill calendar on a real hub: made from the shipped plan at first start, moved,
//! cancelled and added to over HTTP by a safety officer (an operator is refused with a
//! sentence), kept across a restart; a drill started for an entry and ended by two people
//! makes it done and shows in the coverage; a plan file with an error stops the hub at start
//! with its file and line.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use serde_json::{Value, json};
use system_tests::{HubProcess, binary, demo_without_contacts, get_json, http, tokens};
use time::format_description::well_known::Rfc3339;

const GG: &str = "green-garden";

/// The control room's date today (the demo configuration's clock, +08:00), as the hub has it.
fn today() -> time::Date {
    time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date()
}

fn year() -> i32 {
    today().year()
}

fn item<'a>(calendar: &'a Value, id: &str) -> &'a Value {
    calendar
        .as_array()
        .expect("a list")
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("{id} is not on the calendar: {calendar}"))
}

async fn post(hub: &HubProcess, path: &str, token: &str, body: Value) -> (u16, String) {
    http(hub.addr, "POST", path, Some(token), Some(&body.to_string())).await
}

#[tokio::test]
async fn the_calendar_is_made_from_the_plan_edited_and_a_completed_drill_marks_it_done() {
    let data = tempfile::tempdir().unwrap();
    let mut hub = HubProcess::start(data.path());
    let y = year();
    let lift = format!("{y}-q2-lift-rescue-{GG}");
    let flood = format!("{y}-q3-flood-{GG}");
    let calendar_path = format!("/v1/drills/calendar?site={GG}&year={y}");

    // Made from the default plan: every entry of the site, each with a status.
    let calendar = get_json(&hub, &calendar_path).await;
    let entries = calendar.as_array().expect("a list");
    assert!(
        entries.len() >= 12 + 6,
        "monthly first aid and the rest: {calendar}"
    );
    assert!(entries.iter().all(|e| e["site"] == GG));
    assert_eq!(item(&calendar, &lift)["due"], format!("{y}-06-30"));
    let status = item(&calendar, &lift)["status"]
        .as_str()
        .unwrap()
        .to_owned();
    // A hub first started after the entry's day has no record of it either way.
    let june_30 = time::Date::from_calendar_date(year(), time::Month::June, 30).unwrap();
    let expected = if today() > june_30 {
        "before_records"
    } else {
        "due"
    };
    assert_eq!(status, expected);

    // An operator may not edit it, and is told who may.
    let moved = json!({"due": format!("{y}-07-15"), "reason": "lift modernised in June"});
    let move_path = format!("/v1/drills/calendar/{lift}/move");
    let (code, said) = post(&hub, &move_path, tokens::OPERATOR_LI, moved.clone()).await;
    assert_eq!(code, 403, "{said}");
    assert!(
        said.contains("only a safety officer or an admin may change the drill calendar"),
        "{said}"
    );

    // The safety officer moves one, cancels one and adds one, each with a reason.
    let (code, said) = post(&hub, &move_path, tokens::SAFETY_OFFICER, moved).await;
    assert_eq!(code, 200, "{said}");
    let (code, said) = post(
        &hub,
        &format!("/v1/drills/calendar/{flood}/cancel"),
        tokens::SAFETY_OFFICER,
        json!({"reason": "basement closed for works"}),
    )
    .await;
    assert_eq!(code, 200, "{said}");
    let extra = format!("{y}-extra-night-fire-{GG}");
    let add = json!({
        "id": extra, "site": GG,
        "name": {"zh": "夜班消防演练", "en": "Night-shift fire drill"},
        "kind": "fire_evacuation", "exercise": "functional",
        "due": format!("{y}-12-31"), "reason": "the night shift never drilled"
    });
    let (code, said) = post(
        &hub,
        "/v1/drills/calendar",
        tokens::SAFETY_OFFICER,
        add.clone(),
    )
    .await;
    assert_eq!(code, 201, "{said}");
    let (code, said) = post(&hub, "/v1/drills/calendar", tokens::SAFETY_OFFICER, add).await;
    assert_eq!(code, 409, "added twice: {said}");

    // The edits are stored: they outlive a restart.
    hub.restart();
    let calendar = get_json(&hub, &calendar_path).await;
    assert_eq!(item(&calendar, &lift)["due"], format!("{y}-07-15"));
    assert_eq!(item(&calendar, &flood)["status"], "cancelled");
    assert_eq!(
        item(&calendar, &flood)["reason"],
        "basement closed for works"
    );
    assert_eq!(item(&calendar, &extra)["due"], format!("{y}-12-31"));

    // Each edit is kept with who made it and why.
    let edits = get_json(
        &hub,
        &format!("/v1/drills/calendar/edits?site={GG}&year={y}"),
    )
    .await;
    let edits = edits.as_array().expect("a list");
    let changes: Vec<(&str, &str, &str)> = edits
        .iter()
        .map(|e| {
            let entry = e["entry"]["id"].as_str().or(e["entry"].as_str()).unwrap();
            (
                e["change"].as_str().unwrap(),
                entry,
                e["by"].as_str().unwrap(),
            )
        })
        .collect();
    let so = "so-zhao";
    assert_eq!(
        changes,
        [
            ("moved", lift.as_str(), so),
            ("cancelled", flood.as_str(), so),
            ("added", extra.as_str(), so)
        ]
    );
    assert_eq!(edits[0]["reason"], "lift modernised in June");
    assert_eq!(edits[0]["from"], format!("{y}-06-30"));

    // A drill may only carry an entry that is on the calendar.
    let start = |entry: &str| {
        json!({
            "id": "lift-drill-1", "name": {"zh": "电梯困人救援演练", "en": "Lift rescue drill"},
            "site": GG, "kind": "lift_rescue", "calendar_entry": entry
        })
    };
    let (code, said) = post(&hub, "/v1/drills", tokens::SAFETY_OFFICER, start("nope")).await;
    assert_eq!(code, 400, "{said}");
    let message = serde_json::from_str::<Value>(&said).expect("a JSON error")["message"].clone();
    assert_eq!(
        message,
        "calendar entry \"nope\" is not on any site's drill calendar: \
         GET /v1/drills/calendar lists them"
    );
    let (code, said) = post(&hub, "/v1/drills", tokens::SAFETY_OFFICER, start(&lift)).await;
    assert_eq!(code, 201, "{said}");

    // Ended by two people, it makes the entry done, linked to the drill.
    let end = "/v1/drills/lift-drill-1/end";
    let (code, said) = post(&hub, end, tokens::SAFETY_OFFICER, json!({})).await;
    assert_eq!(code, 202, "{said}");
    let calendar = get_json(&hub, &calendar_path).await;
    assert_ne!(
        item(&calendar, &lift)["status"],
        "done",
        "one person does not end a drill"
    );
    let (code, said) = post(&hub, end, tokens::ADMIN, json!({})).await;
    assert_eq!(code, 200, "{said}");
    let calendar = get_json(&hub, &calendar_path).await;
    assert_eq!(item(&calendar, &lift)["status"], "done");
    assert_eq!(item(&calendar, &lift)["drill"], "lift-drill-1");

    // The coverage counts it in Q3 (where it was moved) at Green Garden, with its shift.
    let coverage = get_json(&hub, &format!("/v1/drills/coverage?year={y}")).await;
    let q3 = coverage["quarters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["site"] == GG && q["quarter"] == 3)
        .expect("Q3 at Green Garden");
    assert_eq!(q3["done"][0]["entry"], lift);
    assert_eq!(q3["done"][0]["drill"], "lift-drill-1");
    assert_eq!(q3["done"][0]["people"], "admin + so-zhao");
    let record = get_json(&hub, "/v1/drills/lift-drill-1/record").await;
    let started = record["drill"]["started_at"]
        .as_str()
        .expect("when it started");
    let started = time::OffsetDateTime::parse(started, &Rfc3339).expect("RFC 3339");
    let started = started.to_offset(time::macros::offset!(+8));
    let shift = ["00:00–08:00", "08:00–16:00", "16:00–00:00"][usize::from(started.hour() / 8)];
    assert_eq!(
        q3["done"][0]["shift"], shift,
        "the default shift the drill began in"
    );
    assert_eq!(coverage["shifts_drilled"], json!([shift]));
    assert_eq!(coverage["shifts"].as_array().map(Vec::len), Some(3));
    assert_eq!(coverage["sites_drilled"], 1);
    assert_eq!(coverage["sites"], 2);
}

#[test]
fn a_plan_file_with_an_error_stops_the_hub_at_start_with_its_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let plan = "[[entries]]\nid = \"lift\"\nname = { zh = \"电梯\", en = \"Lift\" }\n\
                kind = \"lift_resuce\"\nexercise = \"functional\"\nwhen = { quarter = 2 }\n";
    std::fs::write(dir.path().join("bad-plan.toml"), plan).unwrap();
    let config = dir.path().join("site.toml");
    let text = format!(
        "{}\n[drills]\nplan = \"bad-plan.toml\"\n",
        demo_without_contacts()
    );
    std::fs::write(&config, text).unwrap();
    let out = std::process::Command::new(binary("alert-hub"))
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .arg("--data")
        .arg(dir.path().join("data"))
        .output()
        .expect("alert-hub runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad-plan.toml:4:"), "{stderr}");
    assert!(stderr.contains("lift_resuce"), "{stderr}");
}

/// Runs `drills plan` against `hub` with `token` and `args`: success, standard output, errors.
fn drills_plan(hub: &HubProcess, token: &str, args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(binary("drills"))
        .arg("plan")
        .args(args)
        .args(["--hub", &format!("http://{}", hub.addr), "--token", token])
        .output()
        .expect("drills runs");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.success(), text(&out.stdout), text(&out.stderr))
}

/// The line of `table` that shows `entry`.
fn row<'a>(table: &'a str, entry: &str) -> &'a str {
    table
        .lines()
        .find(|l| l.split_whitespace().nth(2) == Some(entry))
        .unwrap_or_else(|| panic!("{entry} is not in the table:\n{table}"))
}

#[tokio::test]
async fn drills_plan_prints_the_year_and_moves_cancels_and_adds_entries() {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let y = year().to_string();
    let lift = format!("{y}-q2-lift-rescue-{GG}");
    let flood = format!("{y}-q3-flood-{GG}");
    let so = tokens::SAFETY_OFFICER;

    let (ok, table, errors) = drills_plan(&hub, so, &["--site", GG, "--year", &y]);
    assert!(ok, "{errors}");
    assert!(table.starts_with("due "), "a header first:\n{table}");
    let line = row(&table, &lift);
    assert!(line.starts_with(&format!("{y}-06-30  {GG}")), "{line}");
    assert!(line.contains("Lift"), "{line}");
    assert!(
        line.contains(" due in ") || line.contains("no record: due before the hub kept"),
        "{line}"
    );
    assert!(
        !table.contains("riverside"),
        "only the site asked for:\n{table}"
    );

    let later = format!("{y}-07-15");
    let (ok, table, errors) = drills_plan(
        &hub,
        so,
        &[
            "move",
            &lift,
            "--due",
            &later,
            "--reason",
            "lift modernised",
        ],
    );
    assert!(ok, "{errors}");
    assert!(row(&table, &lift).starts_with(&later), "{table}");

    let (ok, table, errors) =
        drills_plan(&hub, so, &["cancel", &flood, "--reason", "basement closed"]);
    assert!(ok, "{errors}");
    assert!(
        row(&table, &flood).contains("cancelled: basement closed"),
        "{table}"
    );

    let extra = format!("{y}-extra-night-fire-{GG}");
    let due = format!("{y}-12-31");
    let add = [
        "add",
        &extra,
        "--site",
        GG,
        "--name-zh",
        "夜班消防演练",
        "--name-en",
        "Night fire drill",
        "--kind",
        "fire_evacuation",
        "--due",
        &due,
        "--reason",
        "the night shift never drilled",
    ];
    let (ok, _, errors) = drills_plan(&hub, so, &add);
    assert!(ok, "{errors}");
    let (ok, table, errors) = drills_plan(&hub, so, &["--site", GG, "--lang", "zh"]);
    assert!(ok, "{errors}");
    assert!(row(&table, &extra).contains("夜班消防演练"), "{table}");

    // Refusals come back as the hub's sentence, and a bad date is refused before sending.
    let (ok, _, errors) = drills_plan(
        &hub,
        tokens::OPERATOR_LI,
        &["cancel", &lift, "--reason", "no"],
    );
    assert!(!ok);
    assert!(
        errors.contains("only a safety officer or an admin may change the drill calendar"),
        "{errors}"
    );
    let (ok, _, errors) = drills_plan(
        &hub,
        so,
        &["move", &lift, "--due", "15/07", "--reason", "x"],
    );
    assert!(!ok);
    assert!(
        errors.contains("--due \"15/07\" is not a date YYYY-MM-DD"),
        "{errors}"
    );
}
