//! Client behaviours against the simulator: bearer token refresh on 401, the shared back-off,
//! resuming from a persisted position.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ews_notify_client::{Client, Origin, Position, Update, Watch, watch_pull};
use ews_sim::{Config, Faults, NewItem, Simulator};

mod common;
use common::{events, subscribed};

const MAILBOX: &str = "carol@example.com";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bearer_token_is_refreshed_after_a_401() {
    let sim = Simulator::start(Config {
        bearer_token: Some("token-1".into()),
        ..Config::default()
    })
    .await
    .unwrap();
    sim.add_mailbox(MAILBOX);
    let asked = Arc::new(AtomicUsize::new(0));
    let asked2 = asked.clone();
    let client = Client::builder(sim.url())
        .bearer(Arc::new(move |refresh: bool| {
            let n = asked2.fetch_add(1, Ordering::SeqCst);
            // The first token is right; after the server rotates it, a refresh gives the new one.
            Ok(if refresh || n == 0 {
                format!("token-{}", if n == 0 { 1 } else { 2 })
            } else {
                "stale".into()
            })
        }))
        .build()
        .unwrap();
    let mut stream = watch_pull(&client, Watch::calendar(MAILBOX), Duration::from_millis(20));
    subscribed(&sim, 1).await;
    sim.create_item(MAILBOX, NewItem::single("a")).unwrap();
    let got = events(&mut stream, 2).await;
    assert_eq!(
        got.iter().filter(|u| matches!(u, Update::Event(_))).count(),
        2
    );
    sim.set_bearer_token(Some("token-2".into()));
    sim.create_item(MAILBOX, NewItem::single("b")).unwrap();
    let got = events(&mut stream, 2).await;
    assert!(
        !got.iter().any(|u| matches!(u, Update::Failed { .. })),
        "the loop went on: {got:?}"
    );
    assert_eq!(
        got.iter().filter(|u| matches!(u, Update::Event(_))).count(),
        2
    );
    assert!(
        sim.stats().unauthorized >= 1,
        "the old token was refused once"
    );
    assert_eq!(
        asked.load(Ordering::SeqCst),
        2,
        "asked once, then refreshed once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_watch_waits_out_every_back_off() {
    // One mailbox, one request at a time: no request may arrive while a back-off runs.
    let sim = Simulator::start(Config {
        seed: 3,
        faults: Faults {
            server_busy_fault: 150,
            server_busy_message: 150,
            back_off: Duration::from_millis(30),
            ..Faults::default()
        },
        ..Config::default()
    })
    .await
    .unwrap();
    sim.add_mailbox(MAILBOX);
    let client = Client::builder(sim.url())
        .max_attempts(1000)
        .build()
        .unwrap();
    let mut stream = watch_pull(&client, Watch::calendar(MAILBOX), Duration::from_millis(10));
    subscribed(&sim, 1).await;
    for i in 0..10 {
        sim.create_item(MAILBOX, NewItem::single(&format!("m{i}")))
            .unwrap();
    }
    let got = events(&mut stream, 20).await;
    assert_eq!(
        got.iter().filter(|u| matches!(u, Update::Event(_))).count(),
        20
    );
    let stats = sim.stats();
    assert!(stats.faults >= 1, "the server throttled at least once");
    assert_eq!(
        stats.back_off_violations, 0,
        "a request came during a back-off"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persisted_position_resumes_without_loss() {
    let sim = Simulator::start(Config::default()).await.unwrap();
    sim.add_mailbox(MAILBOX);
    let client = Client::builder(sim.url()).build().unwrap();
    let mut stream = watch_pull(&client, Watch::calendar(MAILBOX), Duration::from_millis(10));
    subscribed(&sim, 1).await;
    sim.create_item(MAILBOX, NewItem::single("before")).unwrap();
    let got = events(&mut stream, 2).await;
    let position: Position = match got.iter().rev().find_map(|u| match u {
        Update::Event(d) => Some(d.position.clone()),
        _ => None,
    }) {
        Some(p) => p,
        None => panic!("no event before the stop: {got:?}"),
    };
    drop(stream);
    // Changes while nobody watches, and the server forgets the subscription.
    let b = sim
        .create_item(MAILBOX, NewItem::single("while stopped"))
        .unwrap();
    sim.forget_subscriptions(MAILBOX);
    let mut stream = watch_pull(
        &client,
        Watch::calendar(MAILBOX).from_position(position),
        Duration::from_millis(10),
    );
    let got = events(&mut stream, 2).await;
    let created: Vec<_> = got
        .iter()
        .filter_map(|u| match u {
            Update::Event(d) if d.origin == Origin::Notification => d.event.item_id.clone(),
            _ => None,
        })
        .collect();
    assert_eq!(
        created.len(),
        1,
        "the item created while stopped, once: {got:?}"
    );
    assert_eq!(created[0].id, b.id.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_listener_refuses_strangers() {
    use ews_notify_client::{PushOptions, listen_push};
    let sim = Simulator::start(Config::default()).await.unwrap();
    sim.add_mailbox(MAILBOX);
    let client = Client::builder(sim.url()).build().unwrap();
    let mut options = PushOptions::new(([127, 0, 0, 1], 0).into(), "the-secret");
    options.max_body_bytes = 4096;
    let listener = listen_push(&client, vec![Watch::calendar(MAILBOX)], options)
        .await
        .unwrap();
    let url = listener.url().to_string();
    let base = url.trim_end_matches("/the-secret").to_string();
    let http = reqwest::Client::new();
    let stranger =
        ews_sim::soap::send_notification("bm90LW91cnM=", "AQAAAA==", &[], false, &|_| {
            "AQAAAA==".to_string()
        });
    // No secret in the path.
    let r = http
        .post(&base)
        .body(stranger.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let r = http
        .post(format!("{base}/wrong"))
        .body(stranger.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    // A subscription the listener does not know: told to unsubscribe.
    let r = http.post(&url).body(stranger).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("<m:SubscriptionStatus>Unsubscribe</m:SubscriptionStatus>"),
        "{body}"
    );
    // Too large.
    let r = http.post(&url).body(vec![b' '; 8192]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 413);
    // Not a SendNotification.
    let r = http.post(&url).body("<x/>").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_stream_is_reopened_after_the_heartbeat_deadline() {
    use ews_notify_client::{Recovery, StreamingOptions, watch_streaming};
    let sim = Simulator::start(Config {
        heartbeat: Duration::from_millis(50),
        ..Config::default()
    })
    .await
    .unwrap();
    sim.add_mailbox(MAILBOX);
    let client = Client::builder(sim.url()).build().unwrap();
    let mut streams = watch_streaming(
        &client,
        vec![Watch::calendar(MAILBOX)],
        StreamingOptions {
            heartbeat_deadline: Duration::from_millis(400),
            ..StreamingOptions::default()
        },
    );
    let mut stream = streams.remove(0);
    subscribed(&sim, 1).await;
    sim.inject(ews_sim::Fault::StallStream);
    let item = sim
        .create_item(MAILBOX, NewItem::single("during the stall"))
        .unwrap();
    let got = events(&mut stream, 2).await;
    let reconnected = got.iter().any(|u| {
        matches!(u, Update::Recovery { recovery: Recovery::Reconnected { reason }, .. }
            if reason.contains("heartbeat"))
    });
    assert!(
        reconnected,
        "the client gave up on the silent connection: {got:?}"
    );
    let delivered = got.iter().any(|u| {
        matches!(u, Update::Event(d) if d.event.item_id.as_ref().is_some_and(|i| i.id == item.id.as_str()))
    });
    assert!(
        delivered,
        "the item created during the stall arrived: {got:?}"
    );
    assert_eq!(sim.stats().faults, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bind_fetches_the_item_with_its_global_object_ids() {
    use ews_notify::goid::GlobalObjectId;
    let sim = Simulator::start(Config::default()).await.unwrap();
    sim.add_mailbox(MAILBOX);
    let client = Client::builder(sim.url()).build().unwrap();
    let watch = Watch::calendar(MAILBOX);
    let series = sim
        .create_item(MAILBOX, NewItem::recurring("weekly"))
        .unwrap();
    let orphan = sim
        .create_item(
            MAILBOX,
            NewItem {
                kind: ews_sim::CalendarKind::Exception,
                uid: Some(series.uid.clone()),
                instance_date: time::Date::from_calendar_date(2026, time::Month::January, 13).ok(),
                ..NewItem::single("one occurrence")
            },
        )
        .unwrap();
    let item = client
        .bind(&watch, &orphan.id)
        .await
        .unwrap()
        .expect("the item exists");
    let goid = item.global_object_id.expect("GlobalObjectId");
    assert_eq!(goid.as_bytes(), orphan.goid.as_slice());
    assert_eq!(
        goid.instance_date().map(|d| d.to_string()).as_deref(),
        Some("2026-01-13")
    );
    let series_goid = GlobalObjectId::from_bytes(&series.goid).unwrap();
    assert!(
        ews_notify::goid::same_meeting(&goid, &series_goid),
        "the orphan instance is the same meeting as its series"
    );
    assert!(sim.delete_item(MAILBOX, &orphan.id));
    assert!(
        client.bind(&watch, &orphan.id).await.unwrap().is_none(),
        "deleted: no item"
    );
}

/// Collects updates until `done` holds for them (bounded: 10 s).
async fn until(
    stream: &mut ews_notify_client::EventStream,
    got: &mut Vec<Update>,
    done: impl Fn(&[Update]) -> bool,
) {
    for _ in 0..200 {
        if done(got) {
            return;
        }
        if let Ok(Some(u)) = tokio::time::timeout(Duration::from_millis(50), stream.next()).await {
            got.push(u);
        }
    }
    panic!("waited in vain: {got:?}");
}

fn has_item(got: &[Update], id: &str, origin: Origin) -> bool {
    got.iter().any(|u| {
        matches!(u, Update::Event(d)
            if d.origin == origin && d.event.item_id.as_ref().is_some_and(|i| i.id == id))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_stream_replays_only_what_its_stream_did_not_bring() {
    use ews_notify_client::{Recovery, StreamingOptions, watch_streaming};
    let sim = Simulator::start(Config {
        heartbeat: Duration::from_millis(50),
        ..Config::default()
    })
    .await
    .unwrap();
    sim.add_mailbox(MAILBOX);
    let client = Client::builder(sim.url()).build().unwrap();
    let mut stream = watch_streaming(
        &client,
        vec![Watch::calendar(MAILBOX)],
        StreamingOptions::default(),
    )
    .remove(0);
    subscribed(&sim, 1).await;
    let a = sim.create_item(MAILBOX, NewItem::single("a")).unwrap().id;
    let b = sim.create_item(MAILBOX, NewItem::single("b")).unwrap().id;
    let mut got = Vec::new();
    until(&mut stream, &mut got, |g| {
        has_item(g, &a, Origin::Notification) && has_item(g, &b, Origin::Notification)
    })
    .await;
    // A clean end: the sync state moves up to here. (The first start's catch-up may have
    // brought a and b too, as the subscription came up: count from here.)
    let caught_up = |g: &[Update]| {
        g.iter()
            .filter(|u| {
                matches!(
                    u,
                    Update::Recovery {
                        recovery: Recovery::CaughtUp { .. },
                        ..
                    }
                )
            })
            .count()
    };
    let before = caught_up(&got);
    sim.inject(ews_sim::Fault::CloseStreamEarly);
    until(&mut stream, &mut got, |g| caught_up(g) > before).await;
    let from = got.len();
    let c = sim.create_item(MAILBOX, NewItem::single("c")).unwrap().id;
    until(&mut stream, &mut got, |g| {
        has_item(g, &c, Origin::Notification)
    })
    .await;
    // A broken connection: the catch-up replays neither what came before the clean end nor
    // what the stream brought since.
    sim.inject(ews_sim::Fault::DropMidEnvelope);
    let d = sim.create_item(MAILBOX, NewItem::single("d")).unwrap().id;
    until(&mut stream, &mut got, |g| {
        has_item(g, &d, Origin::Notification) || has_item(g, &d, Origin::CatchUp)
    })
    .await;
    until(&mut stream, &mut got, |g| {
        g.iter().any(|u| {
            matches!(u, Update::Recovery { recovery: Recovery::Reconnected { reason }, .. }
                if !reason.contains("busy"))
        })
    })
    .await;
    let after = &got[from..];
    for (name, id) in [("a", &a), ("b", &b), ("c", &c)] {
        assert!(
            !has_item(after, id, Origin::CatchUp),
            "{name} was replayed by a catch-up: {:#?}",
            after
                .iter()
                .map(|u| match u {
                    Update::Event(d) => format!(
                        "{:?} {:?} {:?}",
                        d.origin,
                        d.event.kind,
                        d.event.item_id.as_ref().map(|i| (&i.id, &i.change_key))
                    ),
                    other => format!("{other:?}"),
                })
                .collect::<Vec<_>>()
        );
    }
}
