//! The client against hostile servers: a front for the simulator (`hostile/mod.rs`) that hangs,
//! trickles, sends endless or cut bodies, answers 500 / 502 / HTML, or says "more" forever.
//! In every mode the client must recover (or fail with a clear error), ask at a bounded rate,
//! and lose no event once the server behaves again. Rates are asserted as counts of requests
//! during a hostile spell, with short retry settings; never as times.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod hostile;

use std::time::Duration;

use ews_notify_client::{
    Client, Error, EventStream, RetryPolicy, StreamingOptions, Update, Watch, watch_pull,
    watch_streaming,
};
use ews_sim::{Config, NewItem, Simulator};
use hostile::{Hostile, Misbehaviour};

const MAILBOX: &str = "dana@example.com";

/// A hostile spell lasts this long; the request bound below is for it.
const SPELL: Duration = Duration::from_millis(600);

/// Most requests of one loop in a [`SPELL`] with the test retry policy (waits of at least
/// 10 ms, 20 ms, 40 ms, then 50 ms each: about 15 in 600 ms). Without a pause, the same spell
/// brings hundreds or thousands.
const BOUND: u64 = 40;

fn policy() -> RetryPolicy {
    RetryPolicy {
        initial: Duration::from_millis(20),
        max: Duration::from_millis(100),
        max_retries: None,
    }
}

fn client(url: &str) -> Client {
    Client::builder(url)
        .request_timeout(Duration::from_millis(500))
        .retry(policy())
        .build()
        .unwrap()
}

fn streaming_options() -> StreamingOptions {
    StreamingOptions {
        heartbeat_deadline: Duration::from_millis(300),
        ..StreamingOptions::default()
    }
}

async fn setup() -> (Simulator, Hostile) {
    let sim = Simulator::start(Config {
        heartbeat: Duration::from_millis(50),
        ..Config::default()
    })
    .await
    .unwrap();
    sim.add_mailbox(MAILBOX);
    let front = Hostile::start(sim.url()).await;
    (sim, front)
}

/// Collects updates until the event for `item` arrives (bounded: 15 s); fails on a
/// `Failed` update or the end of the stream.
async fn until_item(stream: &mut EventStream, item: &str) -> Vec<Update> {
    let mut got = Vec::new();
    for _ in 0..300 {
        match tokio::time::timeout(Duration::from_millis(50), stream.next()).await {
            Ok(Some(u)) => {
                let done = matches!(&u, Update::Event(d)
                    if d.event.item_id.as_ref().is_some_and(|i| i.id == item));
                let failed = matches!(u, Update::Failed { .. });
                got.push(u);
                assert!(!failed, "the watch gave up: {got:?}");
                if done {
                    return got;
                }
            }
            Ok(None) => panic!("the stream ended: {got:?}"),
            Err(_) => {}
        }
    }
    panic!("the item {item} never arrived: {got:?}");
}

/// Runs a hostile spell of `what` on `kinds`, creating an item during it; returns the
/// requests of `counted` kind the front received during the spell and the item's id.
async fn spell(
    sim: &Simulator,
    front: &Hostile,
    kinds: &[&'static str],
    what: Misbehaviour,
    counted: &str,
) -> (u64, String) {
    front.misbehave(kinds, what);
    let before = front.count(counted);
    let item = sim
        .create_item(MAILBOX, NewItem::single("during the spell"))
        .unwrap();
    tokio::time::sleep(SPELL).await;
    let during = front.count(counted) - before;
    front.behave();
    (during, item.id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_body_is_refused_at_the_size_cap() {
    let (_sim, front) = setup().await;
    let client = Client::builder(front.url())
        .max_response_bytes(256 << 10)
        .max_retries(Some(0))
        .build()
        .unwrap();
    front.misbehave(&[], Misbehaviour::Endless);
    let e = client
        .bind(&Watch::calendar(MAILBOX), "AAMkAD")
        .await
        .expect_err("an endless body is no answer");
    assert!(
        matches!(e, Error::TooLarge { limit } if limit == 256 << 10),
        "a typed size error: {e:?}"
    );
    assert_eq!(front.total(), 1, "an over-large answer is not asked again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_watch_fails_clearly_on_an_endless_body() {
    let (_sim, front) = setup().await;
    let client = Client::builder(front.url())
        .max_response_bytes(256 << 10)
        .build()
        .unwrap();
    front.misbehave(&[], Misbehaviour::Endless);
    let mut stream = watch_pull(&client, Watch::calendar(MAILBOX), Duration::from_millis(20));
    let got = common::events(&mut stream, 1).await;
    let failed = got.iter().find_map(|u| match u {
        Update::Failed { error, .. } => Some(error.clone()),
        _ => None,
    });
    assert!(
        failed
            .as_deref()
            .is_some_and(|e| e.contains("over the limit of 262144 bytes")),
        "the watch says why it stopped: {got:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_rides_out_every_transient_failure_at_a_bounded_rate() {
    for what in [
        Misbehaviour::Status(502),
        Misbehaviour::Status(500),
        Misbehaviour::Html,
        Misbehaviour::Cut,
        Misbehaviour::Hang,
        Misbehaviour::Trickle,
    ] {
        let (sim, front) = setup().await;
        let client = client(&front.url());
        let mut stream = watch_pull(&client, Watch::calendar(MAILBOX), Duration::from_millis(20));
        common::subscribed(&sim, 1).await;
        let (during, item) = spell(&sim, &front, &[], what, "GetEvents").await;
        assert!(
            during <= BOUND,
            "{what:?}: {during} GetEvents in one spell, over {BOUND}"
        );
        assert!(front.hostile_answers() >= 1, "{what:?}: the spell was met");
        until_item(&mut stream, &item).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_pauses_while_more_events_stays_true_without_events() {
    let (sim, front) = setup().await;
    let client = client(&front.url());
    let mut stream = watch_pull(&client, Watch::calendar(MAILBOX), Duration::from_millis(20));
    common::subscribed(&sim, 1).await;
    let (during, item) = spell(
        &sim,
        &front,
        &["GetEvents"],
        Misbehaviour::MoreEventsForever,
        "GetEvents",
    )
    .await;
    assert!(
        during <= BOUND,
        "{during} GetEvents while MoreEvents stayed true, over {BOUND}"
    );
    until_item(&mut stream, &item).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catch_up_pauses_while_the_range_never_ends() {
    let (sim, front) = setup().await;
    let client = client(&front.url());
    // The first start's baseline catch-up meets a range that never ends.
    front.misbehave(&["SyncFolderItems"], Misbehaviour::SyncNeverEnds);
    let mut stream = watch_pull(&client, Watch::calendar(MAILBOX), Duration::from_millis(20));
    tokio::time::sleep(SPELL).await;
    let during = front.count("SyncFolderItems");
    assert!(
        during <= BOUND,
        "{during} SyncFolderItems with no progress, over {BOUND}"
    );
    assert_eq!(sim.stats().subscriptions, 0, "still catching up");
    front.behave();
    common::subscribed(&sim, 1).await;
    let item = sim
        .create_item(MAILBOX, NewItem::single("after the spell"))
        .unwrap();
    until_item(&mut stream, &item.id).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catch_up_without_progress_fails_once_retries_run_out() {
    let (_sim, front) = setup().await;
    let client = Client::builder(front.url())
        .retry(RetryPolicy {
            max_retries: Some(3),
            ..policy()
        })
        .build()
        .unwrap();
    front.misbehave(&["SyncFolderItems"], Misbehaviour::SyncNeverEnds);
    let mut stream = watch_pull(&client, Watch::calendar(MAILBOX), Duration::from_millis(20));
    let got = common::events(&mut stream, 1).await;
    assert!(
        got.iter().any(|u| matches!(u, Update::Failed { error, .. }
            if error.contains("no progress"))),
        "a clear error: {got:?}"
    );
    // The first answer moves the sync state (from none), so it is progress; then the first
    // page without progress and 3 retries.
    assert_eq!(front.count("SyncFolderItems"), 5, "1 + 1 + 3 retries");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transient_failure_ends_the_watch_only_after_max_retries() {
    let (sim, front) = setup().await;
    let client = Client::builder(front.url())
        .retry(RetryPolicy {
            max_retries: Some(2),
            ..policy()
        })
        .build()
        .unwrap();
    let mut stream = watch_pull(&client, Watch::calendar(MAILBOX), Duration::from_millis(20));
    common::subscribed(&sim, 1).await;
    front.misbehave(&[], Misbehaviour::Status(502));
    let got = common::events(&mut stream, 1).await;
    assert!(
        got.iter().any(|u| matches!(u, Update::Failed { error, .. }
            if error.contains("502"))),
        "the last error is given: {got:?}"
    );
    assert_eq!(front.hostile_answers(), 3, "the first try and 2 retries");
}

/// Streaming: the current connection is closed so the next one meets the hostile server.
async fn streaming_spell(what: Misbehaviour, kinds: &[&'static str], reason: Option<&str>) {
    let (sim, front) = setup().await;
    let client = client(&front.url());
    let mut stream =
        watch_streaming(&client, vec![Watch::calendar(MAILBOX)], streaming_options()).remove(0);
    common::subscribed(&sim, 1).await;
    front.misbehave(kinds, what);
    let before = front.count("GetStreamingEvents");
    sim.inject(ews_sim::Fault::CloseStreamEarly);
    let item = sim
        .create_item(MAILBOX, NewItem::single("during the spell"))
        .unwrap();
    tokio::time::sleep(SPELL).await;
    let during = front.count("GetStreamingEvents") - before;
    front.behave();
    assert!(
        during <= BOUND,
        "{what:?}: {during} streaming connections in one spell, over {BOUND}"
    );
    let mut got = until_item(&mut stream, &item.id).await;
    if let Some(reason) = reason {
        let seen = |got: &[Update]| {
            got.iter().any(|u| {
                matches!(u, Update::Recovery {
                recovery: ews_notify_client::Recovery::Reconnected { reason: r }, ..
            } if r.contains(reason))
            })
        };
        // The catch-up after the broken connection may deliver the item before the
        // reconnection is reported.
        for _ in 0..100 {
            if seen(&got) {
                break;
            }
            if let Ok(Some(u)) =
                tokio::time::timeout(Duration::from_millis(50), stream.next()).await
            {
                got.push(u);
            }
        }
        assert!(
            seen(&got),
            "{what:?}: reconnected because of {reason:?}: {got:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_without_headers_is_reopened() {
    streaming_spell(
        Misbehaviour::Hang,
        &["GetStreamingEvents"],
        Some("no headers within the heartbeat deadline"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickle_of_bytes_does_not_keep_a_stream_alive() {
    streaming_spell(
        Misbehaviour::Trickle,
        &["GetStreamingEvents"],
        Some("no envelope within the heartbeat deadline"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_stream_body_is_reopened() {
    streaming_spell(Misbehaviour::Endless, &["GetStreamingEvents"], None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streaming_reconnects_at_a_bounded_rate_through_500_html_and_cut_bodies() {
    for what in [
        Misbehaviour::Status(500),
        Misbehaviour::Status(502),
        Misbehaviour::Html,
        Misbehaviour::Cut,
    ] {
        // Only the connection misbehaves: the catch-ups between attempts succeed, so
        // nothing but the retry policy slows the reconnections down.
        streaming_spell(what, &["GetStreamingEvents"], None).await;
        // Everything misbehaves: catch-ups retry too.
        streaming_spell(what, &[], None).await;
    }
}

/// Issue 16's load: 20 pull mailboxes, a server answering `ErrorServerBusy` often. No request
/// may reach the server inside a back-off it asked for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shared_back_off_holds_for_twenty_pull_mailboxes() {
    back_off_load(1).await;
}

/// The same with 4 requests in flight at once. A request already on its way when the busy
/// answer is read still lands inside the window (the server counts it), and nothing can
/// call it back; every other request waits. So at most 3 per busy answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shared_back_off_holds_with_four_requests_in_flight() {
    back_off_load(4).await;
}

async fn back_off_load(concurrency: usize) {
    let sim = Simulator::start(Config {
        seed: 16,
        faults: ews_sim::Faults {
            server_busy_fault: 100,
            server_busy_message: 100,
            back_off: Duration::from_millis(40),
            ..ews_sim::Faults::default()
        },
        ..Config::default()
    })
    .await
    .unwrap();
    let mailboxes: Vec<String> = (0..20).map(|i| format!("m{i:02}@example.com")).collect();
    for m in &mailboxes {
        sim.add_mailbox(m);
    }
    let client = Client::builder(sim.url())
        .max_concurrency(concurrency)
        .retry(policy())
        .build()
        .unwrap();
    let mut streams: Vec<EventStream> = mailboxes
        .iter()
        .map(|m| watch_pull(&client, Watch::calendar(m), Duration::from_millis(20)))
        .collect();
    common::stats_until(&sim, |s| s.subscriptions >= 20).await;
    let mut items = Vec::new();
    for m in &mailboxes {
        items.push(sim.create_item(m, NewItem::single("busy")).unwrap().id);
    }
    for (stream, item) in streams.iter_mut().zip(&items) {
        until_item(stream, item).await;
    }
    let stats = sim.stats();
    assert!(stats.faults >= 5, "the server throttled: {stats:?}");
    let in_flight = (concurrency as u64 - 1) * stats.faults;
    assert!(
        stats.back_off_violations <= in_flight,
        "requests inside a back-off, beyond those already in flight: {stats:?}"
    );
}
