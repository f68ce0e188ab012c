//! The hub's counters and gauges, rendered in the Prometheus text format for `GET /metrics`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use crate::protocol::NackCode;

/// Upper bounds of the ack-latency histogram buckets, in seconds.
const LATENCY_BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// Every figure the hub exports. Cheap to update from any task.
#[derive(Debug, Default)]
pub struct Metrics {
    pub received: AtomicU64,
    pub acked: AtomicU64,
    pub duplicates: AtomicU64,
    nacked: [AtomicU64; NackCode::ALL.len()],
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
    /// Open real incidents by priority, P1 first; drill incidents are never counted here.
    pub open_incidents: [AtomicU64; 4],
    /// Open drill incidents, apart from the real figures.
    pub open_drill_incidents: AtomicU64,
    pub sources_connected: AtomicI64,
    pub consoles_connected: AtomicI64,
    pub console_resyncs: AtomicU64,
    /// Requests refused for a missing, unknown or wrong kind of token.
    pub sign_ins_refused: AtomicU64,
    rate_limited: Mutex<BTreeMap<String, u64>>,
}

impl Metrics {
    pub fn nacked(&self, code: NackCode) {
        if let Some(c) = self.nacked.get(code as usize) {
            c.fetch_add(1, Relaxed);
        }
    }

    /// Counts a `rate_limited` refusal against its source.
    pub fn rate_limited(&self, source: &str) {
        self.nacked(NackCode::RateLimited);
        if let Ok(mut map) = self.rate_limited.lock() {
            *map.entry(source.to_string()).or_default() += 1;
        }
    }

    /// Records the time from a frame's arrival to its ack.
    pub fn ack_latency(&self, latency: Duration) {
        let secs = latency.as_secs_f64();
        for (bound, count) in LATENCY_BUCKETS.iter().zip(&self.latency_buckets) {
            if secs <= *bound {
                count.fetch_add(1, Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Relaxed);
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.latency_sum_micros.fetch_add(micros, Relaxed);
    }

    /// The Prometheus text exposition of every figure.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let counter = |out: &mut String, name: &str, help: &str, value: u64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
            );
        };
        counter(
            &mut out,
            "hub_events_received_total",
            "Device frames received.",
            self.received.load(Relaxed),
        );
        counter(
            &mut out,
            "hub_events_acked_total",
            "Events stored durably and acknowledged (re-sent duplicates are counted apart).",
            self.acked.load(Relaxed),
        );
        counter(
            &mut out,
            "hub_sign_ins_refused_total",
            "Requests and connections refused for a missing, unknown or wrong kind of token.",
            self.sign_ins_refused.load(Relaxed),
        );
        counter(
            &mut out,
            "hub_events_duplicate_total",
            "Re-sent event ids acknowledged as duplicates.",
            self.duplicates.load(Relaxed),
        );
        let _ = writeln!(
            out,
            "# HELP hub_events_nacked_total Device frames refused, by code.\n# TYPE hub_events_nacked_total counter"
        );
        for code in NackCode::ALL {
            let value = self
                .nacked
                .get(code as usize)
                .map_or(0, |c| c.load(Relaxed));
            let _ = writeln!(
                out,
                "hub_events_nacked_total{{code=\"{}\"}} {value}",
                code.as_str()
            );
        }
        let _ = writeln!(
            out,
            "# HELP hub_rate_limited_total Frames refused as rate_limited, by source.\n# TYPE hub_rate_limited_total counter"
        );
        if let Ok(map) = self.rate_limited.lock() {
            for (source, value) in map.iter() {
                let _ = writeln!(out, "hub_rate_limited_total{{source=\"{source}\"}} {value}");
            }
        }
        let _ = writeln!(
            out,
            "# HELP hub_ack_latency_seconds Time from a frame's arrival to its ack.\n# TYPE hub_ack_latency_seconds histogram"
        );
        for (bound, count) in LATENCY_BUCKETS.iter().zip(&self.latency_buckets) {
            let _ = writeln!(
                out,
                "hub_ack_latency_seconds_bucket{{le=\"{bound}\"}} {}",
                count.load(Relaxed)
            );
        }
        let total = self.latency_count.load(Relaxed);
        let sum = self.latency_sum_micros.load(Relaxed) as f64 / 1e6;
        let _ = writeln!(
            out,
            "hub_ack_latency_seconds_bucket{{le=\"+Inf\"}} {total}\nhub_ack_latency_seconds_sum {sum}\nhub_ack_latency_seconds_count {total}"
        );
        let _ = writeln!(
            out,
            "# HELP hub_open_incidents Open real incidents, by priority (drill incidents are not counted).\n# TYPE hub_open_incidents gauge"
        );
        for (n, gauge) in self.open_incidents.iter().enumerate() {
            let _ = writeln!(
                out,
                "hub_open_incidents{{priority=\"P{}\"}} {}",
                n + 1,
                gauge.load(Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP hub_open_drill_incidents Open drill incidents, kept apart from the real figures.\n# TYPE hub_open_drill_incidents gauge\nhub_open_drill_incidents {}",
            self.open_drill_incidents.load(Relaxed)
        );
        let gauge = |out: &mut String, name: &str, help: &str, value: i64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        };
        gauge(
            &mut out,
            "hub_sources_connected",
            "Device connections open now.",
            self.sources_connected.load(Relaxed),
        );
        gauge(
            &mut out,
            "hub_consoles_connected",
            "Console connections open now.",
            self.consoles_connected.load(Relaxed),
        );
        counter(
            &mut out,
            "hub_console_resyncs_total",
            "Consoles that fell behind and were sent a fresh snapshot.",
            self.console_resyncs.load(Relaxed),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_each_nack_code_and_the_latency_histogram() {
        let m = Metrics::default();
        m.nacked(NackCode::TooLarge);
        m.rate_limited("fp-1");
        m.ack_latency(Duration::from_micros(1500));
        let text = m.render();
        assert!(
            text.contains("hub_events_nacked_total{code=\"too_large\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("hub_events_nacked_total{code=\"rate_limited\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("hub_events_nacked_total{code=\"malformed_json\"} 0"),
            "{text}"
        );
        assert!(
            text.contains("hub_rate_limited_total{source=\"fp-1\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("hub_ack_latency_seconds_bucket{le=\"0.001\"} 0"),
            "{text}"
        );
        assert!(
            text.contains("hub_ack_latency_seconds_bucket{le=\"0.002\"} 1"),
            "{text}"
        );
    }
}
