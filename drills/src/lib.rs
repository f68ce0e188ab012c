//! Drills: calendar, scenarios, the scenario runner and device simulator, scoring and after-action reports.
