//! Waits shared by the simulator's integration tests. Every wait is bounded, so a broken
//! client fails its test instead of hanging it. Each test file uses only some of these.
#![allow(dead_code, clippy::panic)]

use std::time::Duration;

use ews_notify_client::{EventStream, Update};
use ews_sim::{Simulator, Stats};

/// Waits (bounded: 10 s) until the simulator's counters satisfy `done`; returns them.
pub async fn stats_until(sim: &Simulator, done: impl Fn(&Stats) -> bool) -> Stats {
    for _ in 0..1000 {
        let stats = sim.stats();
        if done(&stats) {
            return stats;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("waited in vain; stats {:?}", sim.stats());
}

/// Waits (bounded) until the simulator has `n` subscriptions: events before that are not
/// expected by a new watch.
pub async fn subscribed(sim: &Simulator, n: u64) {
    stats_until(sim, |s| s.subscriptions >= n).await;
}

/// Collects updates until `n` events arrived or the watch failed (bounded: 20 s).
pub async fn events(stream: &mut EventStream, n: usize) -> Vec<Update> {
    let mut out = Vec::new();
    let mut seen = 0;
    for _ in 0..200 {
        match tokio::time::timeout(Duration::from_millis(100), stream.next()).await {
            Ok(Some(u)) => {
                seen += usize::from(matches!(u, Update::Event(_)));
                let failed = matches!(u, Update::Failed { .. });
                out.push(u);
                if seen >= n || failed {
                    break;
                }
            }
            Ok(None) => break,
            Err(_) => {}
        }
    }
    out
}
