//! No-loss proof: the client follows N simulated mailboxes on 127.0.0.1 while
//! the simulator injects faults at random (seeded), and every generated event must reach the
//! client, as the event itself or covered by a marked catch-up.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ews_notify::EventKind;
use ews_notify_client::{
    Client, Delivered, Origin, PushOptions, Recovery, RetryPolicy, StreamingOptions, Update, Watch,
    listen_push, watch_pull, watch_streaming,
};
use ews_sim::{Config, Faults, LogEvent, LogKind, NewItem, NtlmAccount, Simulator, ids};

/// A tiny seeded generator for the workload (the simulator has its own for faults).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[derive(Clone, Copy, Debug)]
enum Mode {
    Pull,
    Streaming,
    Push,
}

/// How the client authenticates. NTLM binds authentication to a connection, so its runs also
/// close connections at random: each close costs a new connection and a new handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Auth {
    Basic,
    Ntlm,
}

fn faults(mode: Mode, auth: Auth) -> Faults {
    // Streaming makes few requests (one per connection), so its per-request chances are
    // higher to inject a comparable number of faults.
    let k = match mode {
        Mode::Pull => 1,
        Mode::Streaming => 5,
        Mode::Push => 3,
    };
    Faults {
        server_busy_fault: 15 * k,
        server_busy_message: 15 * k,
        http_503: 15 * k,
        delay_chance: 15 * k,
        forget_subscription: 15 * k,
        // Forgetting the log (invalid watermarks) only matters to pull.
        forget_log: if matches!(mode, Mode::Pull) { 10 } else { 0 },
        drop_mid_envelope: 40 * k,
        close_stream_early: 20 * k,
        connection_close: if auth == Auth::Ntlm { 30 * k } else { 0 },
        back_off: Duration::from_millis(30),
        delay: Duration::from_millis(40),
        ..Faults::default()
    }
}

type Log = Arc<Mutex<Vec<Update>>>;

/// The identity of a notification event: element kind, object id, change key.
fn key_of_log(e: &LogEvent) -> (String, String, Option<String>) {
    let id = e
        .item_id
        .clone()
        .or_else(|| e.folder_id.clone())
        .unwrap_or_default();
    (e.kind.element().to_string(), id, e.change_key.clone())
}

fn key_of_delivered(d: &Delivered) -> (String, String, Option<String>) {
    let e = &d.event;
    let name = match &e.kind {
        EventKind::Created => "CreatedEvent",
        EventKind::Modified => "ModifiedEvent",
        EventKind::Deleted => "DeletedEvent",
        other => panic!("unexpected event kind {other:?}"),
    };
    let obj = e.item_id.as_ref().or(e.folder_id.as_ref()).expect("an id");
    (
        name.to_string(),
        obj.id.to_string(),
        obj.change_key.as_ref().map(ToString::to_string),
    )
}

fn sync_pos(s: &Option<String>) -> u64 {
    s.as_deref()
        .map(|s| ids::decode_sync_state(s).expect("a simulator sync state").1)
        .unwrap_or(0)
}

struct Outcome {
    generated: usize,
    by_notification: usize,
    covered_by_catch_up: usize,
    missing: Vec<String>,
    phantom: Vec<String>,
    duplicate_notifications: usize,
}

/// Checks one mailbox: every generated event delivered as itself or covered by a catch-up.
fn check(generated: &[LogEvent], updates: &[Update]) -> Outcome {
    let mut notif: HashMap<(String, String, Option<String>), usize> = HashMap::new();
    // (item id) -> list of (catch-up kind, version or None for delete, window end)
    let mut catch: HashMap<String, Vec<(EventKind<'static>, Option<u32>, u64)>> = HashMap::new();
    let mut windows: Vec<(u64, u64)> = Vec::new();
    for u in updates {
        match u {
            Update::Event(d) if d.origin == Origin::Notification => {
                *notif.entry(key_of_delivered(d)).or_default() += 1;
            }
            Update::Event(d) => {
                let id = d.event.item_id.as_ref().expect("catch-up has an item id");
                let v = id.change_key.as_deref().and_then(ids::decode_change_key);
                catch.entry(id.id.to_string()).or_default().push((
                    d.event.kind.clone(),
                    v,
                    sync_pos(&d.position.sync_state),
                ));
            }
            Update::Recovery {
                recovery: Recovery::CaughtUp { from, to, .. },
                ..
            } => windows.push((sync_pos(from), sync_pos(&Some(to.clone())))),
            _ => {}
        }
    }
    let gen_keys: HashSet<_> = generated.iter().map(key_of_log).collect();
    let phantom = notif
        .keys()
        .filter(|k| !gen_keys.contains(*k))
        .map(|k| format!("{k:?}"))
        .collect();
    let duplicate_notifications = notif.values().filter(|&&n| n > 1).count();
    // Position of each item's delete, for "created and deleted inside one catch-up window".
    let deleted_at: HashMap<&str, u64> = generated
        .iter()
        .filter(|e| e.kind == LogKind::Deleted)
        .filter_map(|e| Some((e.item_id.as_deref()?, e.position)))
        .collect();
    let mut out = Outcome {
        generated: generated.len(),
        by_notification: 0,
        covered_by_catch_up: 0,
        missing: Vec::new(),
        phantom,
        duplicate_notifications,
    };
    for g in generated {
        if notif.contains_key(&key_of_log(g)) {
            out.by_notification += 1;
            continue;
        }
        let in_window = |p: u64| windows.iter().any(|&(a, b)| a < p && p <= b);
        let covered = match (&g.item_id, g.kind) {
            // A folder change is covered by any catch-up over its position.
            (None, _) => in_window(g.position),
            (Some(id), kind) => {
                let v = g.change_key.as_deref().and_then(ids::decode_change_key);
                let later = catch.get(id).is_some_and(|cs| {
                    cs.iter().any(|(k, cv, end)| {
                        *end >= g.position
                            && match (k, kind) {
                                (EventKind::Deleted, _) => true,
                                (_, LogKind::Deleted) => false,
                                _ => cv.unwrap_or(0) >= v.unwrap_or(u32::MAX),
                            }
                    })
                });
                // Created and deleted inside one catch-up window: nothing left to report.
                let vanished = deleted_at
                    .get(id.as_str())
                    .is_some_and(|&d| windows.iter().any(|&(a, b)| a < g.position && d <= b));
                later || vanished
            }
        };
        if covered {
            out.covered_by_catch_up += 1;
        } else {
            out.missing.push(format!("{g:?}"));
        }
    }
    out
}

async fn run(mode: Mode, auth: Auth, seed: u64, mailboxes: usize, rounds: usize) {
    let ntlm = NtlmAccount {
        domain: "CONTOSO".into(),
        user: "svc".into(),
        password: "secret".into(),
        channel_binding_certificate: None,
    };
    let sim = Simulator::start(Config {
        seed,
        faults: faults(mode, auth),
        ntlm: (auth == Auth::Ntlm).then_some(ntlm),
        ..Config::default()
    })
    .await
    .unwrap();
    let client = match auth {
        Auth::Basic => Client::builder(sim.url()).basic("svc", "secret"),
        Auth::Ntlm => Client::builder(sim.url()).ntlm(r"CONTOSO\svc", "secret"),
    };
    // Short retry waits: a first start's baseline that waits out long pauses while the
    // changes already flow swallows them (a new watch follows changes from the end of its
    // baseline on), and the subscription count this test waits on cannot tell.
    let client = client
        .unavailable_back_off(Duration::from_millis(20))
        .retry(RetryPolicy {
            initial: Duration::from_millis(20),
            max: Duration::from_millis(200),
            max_retries: Some(999),
        })
        .request_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let names: Vec<String> = (0..mailboxes)
        .map(|i| format!("user{i}@example.com"))
        .collect();
    for n in &names {
        sim.add_mailbox(n);
        // Something to sync from the start.
        sim.create_item(n, NewItem::single("before the watch"))
            .unwrap();
    }
    // Events from before the watch are not expected.
    let before: Vec<usize> = names.iter().map(|n| sim.generated(n).len()).collect();
    let watches: Vec<Watch> = names.iter().map(Watch::calendar).collect();
    let streams = match mode {
        Mode::Pull => watches
            .into_iter()
            .map(|w| watch_pull(&client, w, Duration::from_millis(30)))
            .collect::<Vec<_>>(),
        Mode::Streaming => watch_streaming(
            &client,
            watches,
            StreamingOptions {
                connection_timeout_minutes: 1,
                heartbeat_deadline: Duration::from_secs(2),
                ..StreamingOptions::default()
            },
        ),
        Mode::Push => {
            let mut options = PushOptions::new(([127, 0, 0, 1], 0).into(), "s3cret-path");
            // StatusFrequency 1 minute (500 ms in the simulator): silent after 3 of them.
            options.silence_after = Some(Duration::from_millis(1500));
            listen_push(&client, watches, options)
                .await
                .unwrap()
                .streams
        }
    };
    let logs: Vec<Log> = names
        .iter()
        .map(|_| Arc::new(Mutex::new(Vec::new())))
        .collect();
    for (mut s, log) in streams.into_iter().zip(logs.iter().cloned()) {
        tokio::spawn(async move {
            while let Some(u) = s.next().await {
                log.lock().unwrap().push(u);
            }
        });
    }
    // Let the subscriptions come up (bounded), then generate changes while faults fly.
    for _ in 0..100 {
        if sim.stats().subscriptions as usize >= mailboxes {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut rng = Rng(seed ^ 0xABCD);
    let mut live: Vec<Vec<String>> = vec![Vec::new(); mailboxes];
    for _ in 0..rounds {
        for (i, n) in names.iter().enumerate() {
            let r = rng.next() % 10;
            if live[i].is_empty() || r < 4 {
                let item = sim.create_item(n, NewItem::single("meeting")).unwrap();
                live[i].push(item.id);
            } else if r < 8 {
                let k = (rng.next() as usize) % live[i].len();
                sim.modify_item(n, &live[i][k], "moved").unwrap();
            } else {
                let k = (rng.next() as usize) % live[i].len();
                let id = live[i].swap_remove(k);
                assert!(sim.delete_item(n, &id));
            }
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    // Faults off; give the client a bounded time to deliver what is left.
    sim.set_faults(Faults::default());
    let mut outcomes = Vec::new();
    for _ in 0..300 {
        outcomes = names
            .iter()
            .zip(&logs)
            .zip(&before)
            .map(|((n, log), &b)| check(&sim.generated(n)[b..], &log.lock().unwrap()))
            .collect::<Vec<_>>();
        if outcomes.iter().all(|o| o.missing.is_empty()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let stats = sim.stats();
    let total: usize = outcomes.iter().map(|o| o.generated).sum();
    let by_n: usize = outcomes.iter().map(|o| o.by_notification).sum();
    let by_c: usize = outcomes.iter().map(|o| o.covered_by_catch_up).sum();
    let recoveries: usize = logs
        .iter()
        .map(|l| {
            l.lock()
                .unwrap()
                .iter()
                .filter(|u| matches!(u, Update::Recovery { .. }))
                .count()
        })
        .sum();
    let failed: Vec<String> = logs
        .iter()
        .flat_map(|l| {
            l.lock()
                .unwrap()
                .iter()
                .filter_map(|u| match u {
                    Update::Failed { mailbox, error } => Some(format!("{mailbox}: {error}")),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .collect();
    eprintln!(
        "{mode:?} {auth:?} seed {seed}: {mailboxes} mailboxes, {total} events generated, {by_n} delivered as \
notifications, {by_c} covered by catch-up; {} faults injected, {recoveries} recoveries, \
{} requests, {} streaming connections, {} push deliveries, {} NTLM authentications",
        stats.faults,
        stats.requests,
        stats.streaming_connections,
        stats.push_deliveries,
        stats.ntlm_authentications
    );
    assert!(failed.is_empty(), "watches stopped: {failed:?}");
    assert!(stats.faults > 0, "the run must have injected faults");
    if auth == Auth::Ntlm {
        // No handshake was refused. Pull and streaming make hundreds of requests, so closed
        // connections were authenticated anew; push makes a handful (its Subscribes), which
        // the draw may leave open.
        assert!(stats.ntlm_authentications >= 1, "{stats:?}");
        assert_eq!(stats.ntlm_failures, 0, "{stats:?}");
        if matches!(mode, Mode::Pull | Mode::Streaming) {
            assert!(stats.ntlm_authentications > 1, "{stats:?}");
        }
    }
    if matches!(mode, Mode::Pull | Mode::Streaming) {
        // Every GetEvents carries the X-BackEndOverrideCookie its Subscribe answer set; every
        // streaming connection the cookie of its group's anchor, through resubscriptions.
        assert_eq!(
            stats.affinity_misses, 0,
            "a request lost its affinity cookie"
        );
    }
    for (n, o) in names.iter().zip(&outcomes) {
        assert!(
            o.missing.is_empty(),
            "{n}: {} events lost: {:?}",
            o.missing.len(),
            o.missing
        );
        assert!(
            o.phantom.is_empty(),
            "{n}: delivered events never generated: {:?}",
            o.phantom
        );
        assert_eq!(
            o.duplicate_notifications, 0,
            "{n}: an event was notified twice"
        );
    }
    assert!(
        total >= mailboxes * rounds * 2,
        "every change logs an item and a folder event"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_loses_no_event_under_random_faults() {
    for seed in [7, 8, 9] {
        run(Mode::Pull, Auth::Basic, seed, 6, 40).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streaming_loses_no_event_under_random_faults() {
    for seed in [7, 8, 9] {
        run(Mode::Streaming, Auth::Basic, seed, 6, 40).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_loses_no_event_under_random_faults() {
    for seed in [7, 8, 9] {
        run(Mode::Push, Auth::Basic, seed, 6, 40).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_over_ntlm_loses_no_event_when_connections_close() {
    run(Mode::Pull, Auth::Ntlm, 10, 6, 40).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streaming_over_ntlm_loses_no_event_when_connections_close() {
    run(Mode::Streaming, Auth::Ntlm, 10, 6, 40).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_over_ntlm_loses_no_event_when_connections_close() {
    run(Mode::Push, Auth::Ntlm, 10, 6, 40).await;
}
