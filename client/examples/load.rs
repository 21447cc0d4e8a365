//! Load run (bounded, loopback only): how many mailboxes one process follows in streaming mode,
//! and how many events per second reach the streams, against the in-process simulator.
//!
//! ```text
//! cargo run --release -p ews-notify-client --example load -- MAILBOXES ROUNDS [ntlm]
//! ```
//! Memory is the process's resident set (simulator included), read from /proc/self/status.
//! With `ntlm`, the simulator authenticates every connection with NTLMv2 (MIC checked) and the
//! client authenticates each of its connections once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ews_notify_client::{Client, StreamingOptions, Update, Watch, watch_streaming};
use ews_sim::{Config, NewItem, NtlmAccount, Simulator};

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let mailboxes: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let ntlm = args.next().as_deref() == Some("ntlm");
    let sim = Simulator::start(Config {
        heartbeat: Duration::from_secs(5),
        minute: Duration::from_secs(60),
        ntlm: ntlm.then(|| NtlmAccount {
            domain: "CONTOSO".into(),
            user: "svc-load".into(),
            password: "load-test".into(),
            channel_binding_certificate: None,
        }),
        ..Config::default()
    })
    .await
    .unwrap();
    let names: Vec<String> = (0..mailboxes)
        .map(|i| format!("user{i}@example.com"))
        .collect();
    for n in &names {
        sim.add_mailbox(n);
    }
    let rss_before = rss_kib();
    let mut client = Client::builder(sim.url()).max_concurrency(64);
    if ntlm {
        client = client.ntlm(r"CONTOSO\svc-load", "load-test");
    }
    let client = client.build().unwrap();
    let started = Instant::now();
    let streams = watch_streaming(
        &client,
        names.iter().map(Watch::calendar).collect(),
        StreamingOptions {
            heartbeat_deadline: Duration::from_secs(60),
            ..StreamingOptions::default()
        },
    );
    let delivered = Arc::new(AtomicUsize::new(0));
    for mut s in streams {
        let d = delivered.clone();
        tokio::spawn(async move {
            while let Some(u) = s.next().await {
                if matches!(u, Update::Event(_)) {
                    d.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    while (sim.stats().subscriptions as usize) < mailboxes
        || sim.stats().streaming_connections < mailboxes.div_ceil(200) as u64
    {
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "subscriptions did not come up"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let up = started.elapsed();
    let rss_up = rss_kib();
    let expected = mailboxes * rounds * 2; // an item event and a folder event per change
    let t0 = Instant::now();
    for r in 0..rounds {
        for n in &names {
            sim.create_item(n, NewItem::single(&format!("load {r}")))
                .unwrap();
        }
    }
    while delivered.load(Ordering::Relaxed) < expected {
        assert!(
            t0.elapsed() < Duration::from_secs(600),
            "events did not all arrive"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = t0.elapsed();
    let rss_end = rss_kib();
    let stats = sim.stats();
    println!(
        "{mailboxes} mailboxes in streaming mode ({} connections{}): subscribed in {:.1} s; \
{expected} events delivered in {:.2} s = {:.0} events/s; RSS {} MiB before the watches, \
{} MiB subscribed, {} MiB at the end = {:.1} KiB per mailbox (simulator included)",
        stats.streaming_connections,
        if ntlm {
            format!(
                ", NTLM: {} connections authenticated, {} refused",
                stats.ntlm_authentications, stats.ntlm_failures
            )
        } else {
            String::new()
        },
        up.as_secs_f64(),
        took.as_secs_f64(),
        expected as f64 / took.as_secs_f64(),
        rss_before / 1024,
        rss_up / 1024,
        rss_end / 1024,
        (rss_end.saturating_sub(rss_before)) as f64 / mailboxes as f64,
    );
}
