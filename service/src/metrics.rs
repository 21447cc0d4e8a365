//! Counters and gauges of the service, rendered in the Prometheus text format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

/// Sink latency histogram bounds, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0];

/// Everything `/metrics` shows.
#[derive(Default)]
pub struct Metrics {
    events_in: Mutex<BTreeMap<(String, &'static str, &'static str), u64>>,
    events_out: Mutex<BTreeMap<String, u64>>,
    recoveries: Mutex<BTreeMap<&'static str, u64>>,
    latency_buckets: [AtomicU64; 10],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
    /// Events waiting in the outbox.
    pub outbox_depth: AtomicU64,
    /// 1 while reading from Exchange is paused because the outbox is full.
    pub paused: AtomicU64,
    /// Seconds between the newest event's timestamp and its arrival.
    pub lag_seconds: AtomicI64,
    /// Mailboxes being followed.
    pub mailboxes_active: AtomicU64,
    /// Removed mailboxes whose state is kept for their grace period.
    pub mailboxes_removed: AtomicU64,
    /// Watches that stopped on an error (restarted after a pause).
    pub watches_failed: AtomicU64,
    /// Watch failures that were authentication refusals (HTTP 401/403).
    pub auth_failures: AtomicU64,
    /// Waits of the forwarder after a sink failure.
    pub sink_back_offs: AtomicU64,
    /// Sink failures.
    pub sink_errors: AtomicU64,
    /// Mailbox set reloads.
    pub reloads: AtomicU64,
    /// The last delivery to the sink succeeded (readiness).
    pub sink_ok: AtomicBool,
    /// Every mailbox of the set has been started (readiness).
    pub watches_started: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Metrics {
    /// One event read from Exchange.
    pub fn event_in(&self, kind: &str, mode: &'static str, origin: &'static str) {
        *lock(&self.events_in)
            .entry((kind.to_string(), mode, origin))
            .or_default() += 1;
    }

    /// Events acknowledged by the sink.
    pub fn events_out(&self, kind: &str, n: u64) {
        *lock(&self.events_out).entry(kind.to_string()).or_default() += n;
    }

    /// A recovery step of the client: `reconnect`, `resubscribe`, `catch_up`.
    pub fn recovery(&self, what: &'static str) {
        *lock(&self.recoveries).entry(what).or_default() += 1;
    }

    /// The time one sink delivery took.
    pub fn sink_latency(&self, d: std::time::Duration) {
        let s = d.as_secs_f64();
        for (i, b) in BUCKETS.iter().enumerate() {
            if s <= *b {
                self.latency_buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_micros.fetch_add(
            u64::try_from(d.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// Events read so far (all kinds, modes and origins).
    pub fn total_in(&self) -> u64 {
        lock(&self.events_in).values().sum()
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut o = String::new();
        let g = |o: &mut String, name: &str, help: &str, kind: &str| {
            let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} {kind}");
        };
        g(
            &mut o,
            "ews_notify_events_in_total",
            "Events read from Exchange.",
            "counter",
        );
        for ((kind, mode, origin), n) in lock(&self.events_in).iter() {
            let _ = writeln!(
                o,
                "ews_notify_events_in_total{{kind=\"{kind}\",mode=\"{mode}\",origin=\"{origin}\"}} {n}"
            );
        }
        g(
            &mut o,
            "ews_notify_events_out_total",
            "Events acknowledged by the sink.",
            "counter",
        );
        for (kind, n) in lock(&self.events_out).iter() {
            let _ = writeln!(o, "ews_notify_events_out_total{{kind=\"{kind}\"}} {n}");
        }
        g(
            &mut o,
            "ews_notify_recoveries_total",
            "Client recoveries by kind.",
            "counter",
        );
        for (what, n) in lock(&self.recoveries).iter() {
            let _ = writeln!(o, "ews_notify_recoveries_total{{kind=\"{what}\"}} {n}");
        }
        g(
            &mut o,
            "ews_notify_sink_latency_seconds",
            "Time of one sink delivery.",
            "histogram",
        );
        for (i, b) in BUCKETS.iter().enumerate() {
            let n = self.latency_buckets[i].load(Ordering::Relaxed);
            let _ = writeln!(
                o,
                "ews_notify_sink_latency_seconds_bucket{{le=\"{b}\"}} {n}"
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let sum = self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(
            o,
            "ews_notify_sink_latency_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(o, "ews_notify_sink_latency_seconds_sum {sum}");
        let _ = writeln!(o, "ews_notify_sink_latency_seconds_count {count}");
        let gauges: [(&str, &str, &str, i128); 10] = [
            (
                "ews_notify_outbox_depth",
                "Events waiting in the outbox.",
                "gauge",
                self.outbox_depth.load(Ordering::Relaxed).into(),
            ),
            (
                "ews_notify_reading_paused",
                "1 while reading pauses for a full outbox.",
                "gauge",
                self.paused.load(Ordering::Relaxed).into(),
            ),
            (
                "ews_notify_lag_seconds",
                "Now minus the newest event's timestamp, at its arrival.",
                "gauge",
                self.lag_seconds.load(Ordering::Relaxed).into(),
            ),
            (
                "ews_notify_watches_failed_total",
                "Watches that stopped on an error and were restarted.",
                "counter",
                self.watches_failed.load(Ordering::Relaxed).into(),
            ),
            (
                "ews_notify_auth_failures_total",
                "Watches stopped by an authentication refusal.",
                "counter",
                self.auth_failures.load(Ordering::Relaxed).into(),
            ),
            (
                "ews_notify_sink_back_offs_total",
                "Waits after a sink failure.",
                "counter",
                self.sink_back_offs.load(Ordering::Relaxed).into(),
            ),
            (
                "ews_notify_sink_errors_total",
                "Sink deliveries that failed.",
                "counter",
                self.sink_errors.load(Ordering::Relaxed).into(),
            ),
            (
                "ews_notify_mailbox_reloads_total",
                "Mailbox set reloads.",
                "counter",
                self.reloads.load(Ordering::Relaxed).into(),
            ),
            (
                "ews_notify_sink_up",
                "1 when the last sink delivery succeeded.",
                "gauge",
                i128::from(u8::from(self.sink_ok.load(Ordering::Relaxed))),
            ),
            (
                "ews_notify_ready",
                "1 when every mailbox was started and the sink is up.",
                "gauge",
                i128::from(u8::from(self.ready())),
            ),
        ];
        for (name, help, kind, v) in gauges {
            g(&mut o, name, help, kind);
            let _ = writeln!(o, "{name} {v}");
        }
        g(
            &mut o,
            "ews_notify_subscriptions",
            "Mailboxes by state.",
            "gauge",
        );
        let _ = writeln!(
            o,
            "ews_notify_subscriptions{{state=\"active\"}} {}",
            self.mailboxes_active.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            o,
            "ews_notify_subscriptions{{state=\"removed\"}} {}",
            self.mailboxes_removed.load(Ordering::Relaxed)
        );
        o
    }

    /// Ready: every mailbox started and the sink up.
    pub fn ready(&self) -> bool {
        self.watches_started.load(Ordering::Relaxed) && self.sink_ok.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn render_counts_events_by_kind_and_mode() {
        let m = Metrics::default();
        m.event_in("item.created", "pull", "notification");
        m.event_in("item.created", "pull", "notification");
        m.sink_latency(std::time::Duration::from_millis(3));
        let text = m.render();
        assert!(
            text.contains(
                "ews_notify_events_in_total{kind=\"item.created\",mode=\"pull\",origin=\"notification\"} 2"
            ),
            "{text}"
        );
        assert!(
            text.contains("ews_notify_sink_latency_seconds_bucket{le=\"0.005\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("ews_notify_sink_latency_seconds_bucket{le=\"0.001\"} 0"),
            "{text}"
        );
    }
}
