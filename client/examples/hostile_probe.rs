//! Runs one probe of the client against a hostile server (the test suite's hostile front for
//! the simulator) for a while and reports what the client did: requests sent, updates seen,
//! peak RSS. One probe per process, so the peak RSS is the probe's own.
//!
//! ```text
//! cargo run --release -p ews-notify-client --example hostile_probe -- PROBE SECONDS
//! ```
//!
//! PROBE is one of `pull-endless`, `pull-502`, `pull-cut`, `pull-more-events`,
//! `pull-catch-up`, `streaming-hang`, `streaming-trickle`, `streaming-500`, `streaming-html`,
//! `streaming-cut`, `push-idle`. The client runs with its defaults, a 1 s pull interval, a
//! 5 s request timeout and a 5 s streaming heartbeat deadline.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/hostile/mod.rs"]
mod hostile;

use std::time::{Duration, Instant};

use ews_notify_client::{
    Client, PushOptions, StreamingOptions, Update, Watch, listen_push, watch_pull, watch_streaming,
};
use ews_sim::{Config, NewItem, Simulator};
use hostile::{Hostile, Misbehaviour};

const MAILBOX: &str = "probe@example.com";
/// The probe stops early once the process holds this much memory.
const RSS_STOP_KIB: u64 = 1 << 20;

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let probe = args.get(1).cloned().unwrap_or_else(|| "pull-502".into());
    let seconds: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let sim = Simulator::start(Config::default()).await.unwrap();
    sim.add_mailbox(MAILBOX);
    let front = Hostile::start(sim.url()).await;
    let client = Client::builder(front.url())
        .request_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let options = StreamingOptions {
        heartbeat_deadline: Duration::from_secs(5),
        ..StreamingOptions::default()
    };
    let start = Instant::now();
    let baseline_rss = rss_kib("VmRSS:");
    if probe == "push-idle" {
        return push_idle(&client, seconds).await;
    }
    let streaming = probe.starts_with("streaming");
    if probe == "pull-catch-up" {
        // The first start's baseline catch-up meets a server that never ends its range.
        front.misbehave(&["SyncFolderItems"], Misbehaviour::SyncNeverEnds);
    }
    let mut stream = if streaming {
        watch_streaming(&client, vec![Watch::calendar(MAILBOX)], options).remove(0)
    } else {
        watch_pull(&client, Watch::calendar(MAILBOX), Duration::from_secs(1))
    };
    // Let the watch start against a behaving server, then turn hostile.
    while sim.stats().subscriptions < 1 && start.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let before = if probe == "pull-catch-up" {
        0
    } else {
        front.total()
    };
    let what = match probe.as_str() {
        "pull-endless" => (vec![], Misbehaviour::Endless),
        "pull-502" => (vec![], Misbehaviour::Status(502)),
        "pull-cut" => (vec![], Misbehaviour::Cut),
        "pull-more-events" => (vec!["GetEvents"], Misbehaviour::MoreEventsForever),
        "pull-catch-up" => (vec!["SyncFolderItems"], Misbehaviour::SyncNeverEnds),
        "streaming-hang" => (vec!["GetStreamingEvents"], Misbehaviour::Hang),
        "streaming-trickle" => (vec!["GetStreamingEvents"], Misbehaviour::Trickle),
        "streaming-500" => (vec![], Misbehaviour::Status(500)),
        "streaming-html" => (vec![], Misbehaviour::Html),
        "streaming-cut" => (vec![], Misbehaviour::Cut),
        other => panic!("unknown probe {other}"),
    };
    front.misbehave(&what.0, what.1);
    if streaming {
        // The current connection ends, so the next one meets the hostile server.
        sim.inject(ews_sim::Fault::CloseStreamEarly);
    }
    sim.create_item(MAILBOX, NewItem::single("during the probe"));
    let (mut events, mut recoveries, mut failed) = (0u64, 0u64, None);
    let end = start + Duration::from_secs(seconds);
    let mut peak = 0;
    while Instant::now() < end {
        peak = peak.max(rss_kib("VmRSS:"));
        if peak > RSS_STOP_KIB {
            break;
        }
        match tokio::time::timeout(Duration::from_millis(50), stream.next()).await {
            Ok(Some(Update::Event(_))) => events += 1,
            Ok(Some(Update::Recovery { .. })) => recoveries += 1,
            Ok(Some(Update::Failed { error, .. })) => failed = Some(error),
            Ok(None) => tokio::time::sleep(Duration::from_millis(50)).await,
            Err(_) => {}
        }
    }
    println!(
        "probe={probe} seconds={:.1} requests={} events={events} recoveries={recoveries} failed={:?} peak_rss_mib={} baseline_rss_mib={}",
        start.elapsed().as_secs_f64(),
        front.total() - before,
        failed,
        rss_kib("VmHWM:").max(peak) / 1024,
        baseline_rss / 1024,
    );
}

/// Opens 300 idle connections to a push listener, waits `seconds`, and counts how many the
/// listener still holds open, then times one legitimate request.
async fn push_idle(client: &Client, seconds: u64) {
    use tokio::io::AsyncReadExt;
    let listener = listen_push(
        client,
        vec![Watch::calendar(MAILBOX)],
        PushOptions::new(([127, 0, 0, 1], 0).into(), "probe-secret"),
    )
    .await
    .unwrap();
    let addr = listener
        .url()
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let mut idle = Vec::new();
    for _ in 0..300 {
        if let Ok(s) = tokio::net::TcpStream::connect(&addr).await {
            idle.push(s);
        }
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let mut open = 0;
    for s in &mut idle {
        let mut b = [0u8; 1];
        // A closed connection reads 0 bytes at once; an open idle one would block.
        if tokio::time::timeout(Duration::from_millis(5), s.read(&mut b))
            .await
            .is_err()
        {
            open += 1;
        }
    }
    let t = Instant::now();
    let answer = reqwest::Client::new()
        .post(listener.url())
        .body("<x/>")
        .send()
        .await
        .map(|r| r.status().as_u16());
    println!(
        "probe=push-idle seconds={seconds} idle_connections=300 still_open={open} legit_answer={answer:?} legit_ms={} peak_rss_mib={}",
        t.elapsed().as_millis(),
        rss_kib("VmHWM:") / 1024
    );
}
