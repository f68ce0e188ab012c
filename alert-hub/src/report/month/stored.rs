//! The monthly report from the store: the incidents opened in the month and the month before
//! by the opening-time index, each decoded only as far as the report needs (its view and its
//! playbook run, not its notification trees or device lists), the log of tests and the drill
//! records with their scores.

use time::UtcOffset;

use super::{DrillSummary, IncidentFacts, Month, MonthInput, MonthReport};
use crate::config::HubConfig;
use crate::error::StoreError;
use crate::protocol::{DrillOutcome, IncidentView};
use crate::store::Store;

/// The parts of a stored incident the report reads.
#[derive(serde::Deserialize)]
struct Slim {
    view: IncidentView,
    #[serde(default)]
    playbook: Option<String>,
    #[serde(default)]
    run_events: Vec<playbooks::RunEvent>,
}

/// The facts of the incidents opened in `month` and the month before, oldest first.
pub fn facts(
    store: &dyn Store,
    library: &playbooks::Library,
    month: Month,
    offset: UtcOffset,
) -> Result<Vec<IncidentFacts>, StoreError> {
    let mut facts = Vec::new();
    let (from, to) = (month.previous().start(offset), month.end(offset));
    store.each_incident_opened(from, to, &mut |json| {
        let slim: Slim = serde_json::from_slice(json).map_err(|source| StoreError::Corrupt {
            key: "an incident".into(),
            source,
        })?;
        let playbook = slim.playbook.as_deref().and_then(|id| library.playbook(id));
        facts.push(IncidentFacts::of_run(
            &slim.view,
            &slim.run_events,
            playbook,
        ));
        Ok(())
    })?;
    Ok(facts)
}

/// The drills that ended in the month (at `site`, when one is given), each with its score.
pub fn drills(
    store: &dyn Store,
    config: &HubConfig,
    month: Month,
    site: Option<&str>,
    offset: UtcOffset,
) -> Result<Vec<DrillSummary>, StoreError> {
    let (from, to) = (month.start(offset), month.end(offset));
    let mut out = Vec::new();
    for record in store.drill_records()? {
        if !(from..to).contains(&record.ended_at)
            || site.is_some_and(|s| record.drill.site.as_deref() != Some(s))
        {
            continue;
        }
        // Only the score is read here, which does not depend on the day actions fall overdue.
        let ended = record.ended_at.to_offset(offset).date();
        let score = crate::report::after_action_of_stored(store, config, &record.drill.id, ended)?
            .map(|report| report.score.score);
        out.push(DrillSummary {
            id: record.drill.id.clone(),
            name: record.drill.name.clone(),
            site: record.drill.site.clone(),
            scenario: record.drill.scenario.clone(),
            ended_at: record.ended_at,
            completed: matches!(record.outcome, DrillOutcome::Completed { .. }),
            score,
        });
    }
    Ok(out)
}

/// The monthly report of `month` (at `site`) from the store.
pub fn report(
    store: &dyn Store,
    config: &HubConfig,
    month: Month,
    site: Option<&str>,
    offset: UtcOffset,
) -> Result<MonthReport, StoreError> {
    let incidents = facts(store, &config.library, month, offset)?;
    let on_test = store.on_test_log()?;
    let drills = drills(store, config, month, site, offset)?;
    let mut report = MonthReport::build(&MonthInput {
        month,
        site,
        offset,
        incidents: &incidents,
        on_test: &on_test,
        drills: &drills,
    });
    report.checkpoint = store
        .checkpoint()?
        .as_deref()
        .and_then(crate::report::incident::CheckpointMark::of_note);
    Ok(report)
}
