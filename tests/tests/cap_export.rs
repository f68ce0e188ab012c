//! The CAP 1.2 export of a real incident and of a drill incident on a real hub, each validated
//! with `xmllint --schema` against the OASIS CAP 1.2 schema shipped in `tests/data/cap`: a real
//! fire is `Actual`, a drill fire is `Exercise` with its drill in `<note>`, both in zh and en.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;
use system_tests::{Device, HubProcess, event, http, start_drill, tokens};

fn schema() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/cap/CAP-v1.2.xsd")
}

/// Validates `xml` against the OASIS schema with xmllint, panicking with what it said.
fn assert_valid_cap(xml: &str, dir: &Path, name: &str) {
    let file = dir.join(format!("{name}.xml"));
    std::fs::write(&file, xml).unwrap();
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema())
        .arg(&file)
        .output()
        .expect("xmllint runs (Debian package libxml2-utils, installed by .ci/run)");
    assert!(
        out.status.success(),
        "{name} is not valid CAP 1.2:\n{}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn cap(hub: &HubProcess, incident: &str) -> String {
    let path = format!("/v1/incidents/{incident}/cap");
    let (status, body) = http(hub.addr, "GET", &path, Some(tokens::OPERATOR_LI), None).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

#[tokio::test]
async fn real_and_drill_incidents_export_as_valid_cap_actual_and_exercise() {
    let data = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(data.path());
    let mut panel = Device::connect(&hub, tokens::FIRE_PANEL_GG).await;
    panel
        .send(&event(
            "fa-1",
            "fire.alarm",
            "smoke-B2-07F-03",
            "7F east & stair <2>",
        ))
        .await;
    start_drill(
        &hub,
        "q4-evac",
        "四季度消防疏散演练",
        "Q4 fire evacuation drill",
    )
    .await;
    let mut drill_alarm = event("fa-d1", "fire.alarm", "smoke-B2-03F-01", "3F lobby");
    drill_alarm["drill"] = json!("q4-evac");
    panel.send(&drill_alarm).await;

    let real = cap(&hub, "INC-000001").await;
    assert_valid_cap(&real, data.path(), "real");
    assert!(real.contains("<status>Actual</status>"), "{real}");
    assert!(
        !real.contains("<note>"),
        "a real alarm carries no drill note: {real}"
    );
    assert!(real.contains("<identifier>") && real.contains("incident.INC-000001</identifier>"));
    assert!(real.contains("+08:00</sent>"), "{real}");
    assert!(real.contains("<scope>Private</scope>"));
    assert!(real.contains("<language>zh-CN</language>"));
    assert!(real.contains("<language>en-US</language>"));
    assert!(real.contains("<category>Fire</category>"));
    assert!(real.contains("<event>火警</event>") && real.contains("<event>Fire alarm</event>"));
    assert!(real.contains("<severity>Extreme</severity>"), "{real}");
    assert!(real.contains("<areaDesc>"), "{real}");
    assert!(
        real.contains("zone 7F east &amp; stair &lt;2&gt;"),
        "{real}"
    );
    assert_eq!(
        cap(&hub, "INC-000001").await,
        real,
        "the same incident, the same message"
    );

    let drill = cap(&hub, "INC-000002").await;
    assert_valid_cap(&drill, data.path(), "drill");
    assert!(drill.contains("<status>Exercise</status>"), "{drill}");
    assert!(drill.contains("<note>Drill q4-evac"), "{drill}");
    assert!(drill.contains("[DRILL] Fire alarm"), "{drill}");
    assert!(drill.contains("zone 3F lobby"), "{drill}");

    let (status, body) = http(
        hub.addr,
        "GET",
        "/v1/incidents/INC-999/cap",
        Some(tokens::OPERATOR_LI),
        None,
    )
    .await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("no incident INC-999"), "{body}");
    let (status, _) = http(hub.addr, "GET", "/v1/incidents/INC-000001/cap", None, None).await;
    assert_eq!(status, 401);
}
