//! Reports managers read, computed from the incident log the hub already keeps: the
//! post-incident report of one incident ([`incident`]) and how it is laid out as a page
//! ([`render`]), and the monthly report ([`month`]). Pure: the data comes in, the report goes out.

pub mod after_action;
pub mod drill;
pub mod improvement;
pub mod incident;
pub mod month;
pub mod render;
pub mod targets;

pub use incident::{CheckpointMark, IncidentReport, Milestone, MilestoneKind, Verdict};

#[cfg(test)]
mod golden_tests;

/// The post-incident report of incident `id` as the store has it, with its playbook from the
/// hub's `config`; `None` for an incident the store does not know.
pub fn of_stored(
    store: &dyn crate::store::Store,
    config: &crate::config::HubConfig,
    id: &str,
) -> Result<Option<IncidentReport>, crate::error::StoreError> {
    let Some(mut incident) = store.incident(id)? else {
        return Ok(None);
    };
    let setup = crate::incident::Setup::of(config);
    let library = &config.library;
    incident.refresh_playbook(&setup);
    incident.refresh_levels(&setup);
    let log = store.incident_log(id)?;
    let view = incident.full_view();
    let playbook = view.playbook.as_ref().and_then(|p| library.playbook(&p.id));
    let review = store.review(id)?;
    let mut report = IncidentReport::build(&view, &log, playbook, review);
    report.checkpoint = store
        .checkpoint()?
        .as_deref()
        .and_then(CheckpointMark::of_note);
    Ok(Some(report))
}

/// The after-action report of drill `id` from the store, once the drill has ended, with its
/// actions overdue as of `today`; `None` for a drill that has not ended (or never ran).
pub fn after_action_of_stored(
    store: &dyn crate::store::Store,
    config: &crate::config::HubConfig,
    id: &str,
    today: time::Date,
) -> Result<Option<after_action::AfterActionReport>, crate::error::StoreError> {
    let Some(record) = store
        .drill_records()?
        .into_iter()
        .find(|r| r.drill.id == id)
    else {
        return Ok(None);
    };
    let setup = crate::incident::Setup::of(config);
    let mut incidents = Vec::new();
    for incident_id in &record.incidents {
        let Some(mut incident) = store.incident(incident_id)? else {
            continue;
        };
        incident.refresh_playbook(&setup);
        incidents.push((incident.full_view(), store.incident_log(incident_id)?));
    }
    let site_name = record
        .drill
        .site
        .as_deref()
        .and_then(|s| config.site(s))
        .map(|s| s.name.clone());
    let plan = store.after_action(id)?;
    Ok(Some(after_action::AfterActionReport::build(
        record, site_name, &incidents, plan, today,
    )))
}
