//! What the clock makes happen in the core: tests ending, playbook deadlines, escalations,
//! stalled P1s and silent sources.

use time::OffsetDateTime;

use super::State;
use super::batch::Pending;
use crate::protocol::Actor;

impl State {
    pub(super) fn supervise(&mut self, now: OffsetDateTime, pending: &mut Pending) {
        self.supervise_tests(now, pending);
        let overdue = self.book.tick(now);
        self.record(overdue, &Actor::Hub, now, pending);
        for lost in self.supervision.check(now) {
            tracing::warn!(source = %lost.source, "source silent for three heartbeat intervals");
            let applied = self.book.comms_lost(&lost.source, &lost.site, now);
            self.record(applied, &crate::protocol::Actor::Hub, now, pending);
        }
    }
}
