//! Drill calendars in the core: made from the plan for every site when the hub first starts in
//! a year, and edited by commands checked against the calendar as it stands (this batch's own
//! writes first, then the store), written with the batch.

use time::OffsetDateTime;

use super::State;
use super::batch::Pending;
use crate::calendar::{CalendarCommand, CalendarRefusal, apply, generated, handle};
use crate::config::HubConfig;
use crate::error::StoreError;
use crate::protocol::SiteCalendar;
use crate::store::{Store, WriteBatch};

/// Makes and stores the calendar of the year of `today` for every site that has none yet,
/// kept from `today`.
pub(super) fn make_missing(
    store: &dyn Store,
    config: &HubConfig,
    today: time::Date,
) -> Result<(), StoreError> {
    let year = today.year();
    let mut calendars = Vec::new();
    for site in &config.sites {
        if store.calendar(&site.id, year)?.is_none() {
            let entries = config
                .drill_plan
                .calendar(year, std::slice::from_ref(&site.id));
            tracing::info!(site = site.id, year, "drill calendar made from the plan");
            calendars.push(generated(&site.id, year, entries, Some(today)));
        }
    }
    if !calendars.is_empty() {
        store.commit(&WriteBatch {
            calendars,
            ..Default::default()
        })?;
    }
    Ok(())
}

impl State {
    /// Edits the calendar of `site` for `year` as `by` asks; the calendar as it stands after.
    pub(super) fn calendar(
        &mut self,
        site: &str,
        year: i32,
        command: CalendarCommand,
        by: &str,
        now: OffsetDateTime,
        pending: &mut Pending,
    ) -> Result<SiteCalendar, CalendarRefusal> {
        let written = pending
            .calendars
            .iter()
            .rev()
            .find(|c| c.site == site && c.year == year)
            .cloned();
        let current = match written {
            Some(calendar) => calendar,
            None => match self.store.calendar(site, year) {
                Ok(Some(calendar)) => calendar,
                Ok(None) => {
                    let site_ids = [site.to_owned()];
                    let entries = self.config.drill_plan.calendar(year, &site_ids);
                    let today = now.to_offset(self.config.utc_offset).date();
                    generated(site, year, entries, Some(today))
                }
                Err(error) => {
                    tracing::error!(%error, "cannot read a drill calendar from the store");
                    return Err(CalendarRefusal::Unavailable);
                }
            },
        };
        let edit = handle(&current, command, by, now)?;
        tracing::info!(
            site,
            year,
            by,
            entry = edit.change.entry(),
            change = ?edit.change,
            "drill calendar edited"
        );
        let mut calendar = current;
        apply(&mut calendar, edit);
        pending.calendars.push(calendar.clone());
        Ok(calendar)
    }
}
