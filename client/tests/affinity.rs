//! Affinity of a streaming group: the simulator keeps each subscription on the mailbox server
//! its Subscribe request was routed to, and a GetStreamingEvents connection only knows the
//! subscriptions of the server it reaches. The client anchors a group on its alphabetically
//! first mailbox, subscribes it first, and replays its `X-BackEndOverrideCookie` for every
//! other Subscribe of the group and for the connection.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use ews_notify::request::{EventType, FolderId, GetStreamingEventsRequest, SubscribeRequest};
use ews_notify::streaming::StreamSplitter;
use ews_notify::{Body, EventKind};
use ews_notify_client::{Client, EventStream, StreamingOptions, Update, Watch, watch_streaming};
use ews_sim::{Config, NewItem, Simulator};

mod common;
use common::subscribed;

/// In the order they are added (so on servers 0, 1, 0, 1) and watched; `amy` is the anchor.
const GROUP: [&str; 4] = [
    "zoe@example.com",
    "yan@example.com",
    "amy@example.com",
    "bob@example.com",
];
const ANCHOR: &str = "amy@example.com";

/// Waits (bounded: 10 s) for the created event of `item`, skipping everything else.
async fn created(stream: &mut EventStream, item: &str) {
    for _ in 0..100 {
        match tokio::time::timeout(Duration::from_millis(100), stream.next()).await {
            Ok(Some(Update::Event(d)))
                if d.event.kind == EventKind::Created
                    && d.event.item_id.as_ref().is_some_and(|i| i.id == item) =>
            {
                return;
            }
            Ok(Some(Update::Failed { error, .. })) => panic!("{error}"),
            Ok(None) => panic!("stream ended"),
            _ => {}
        }
    }
    panic!("no created event for {item} within 10 s")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streaming_group_lives_on_its_anchors_server() {
    let sim = Simulator::start(Config {
        record_requests: true,
        ..Config::default()
    })
    .await
    .unwrap();
    for m in GROUP {
        sim.add_mailbox(m);
    }
    let client = Client::builder(sim.url()).build().unwrap();
    let mut streams = watch_streaming(
        &client,
        GROUP.iter().map(|m| Watch::calendar(*m)).collect(),
        StreamingOptions {
            connection_timeout_minutes: 1,
            ..StreamingOptions::default()
        },
    );
    subscribed(&sim, 4).await;
    for (m, stream) in GROUP.iter().zip(&mut streams) {
        let item = sim.create_item(m, NewItem::single("x")).unwrap();
        created(stream, &item.id).await;
    }
    // A subscription the server lost is re-created on the same server, through the anchor.
    sim.forget_subscriptions(GROUP[3]);
    let item = sim.create_item(GROUP[3], NewItem::single("y")).unwrap();
    created(&mut streams[3], &item.id).await;
    assert!(sim.stats().subscriptions >= 5);

    assert_eq!(sim.stats().affinity_misses, 0, "{:?}", sim.stats());
    let log = sim.request_log();
    let subscribes: Vec<_> = log.iter().filter(|r| r.operation == "Subscribe").collect();
    assert_eq!(
        subscribes[0].mailboxes,
        [ANCHOR],
        "the anchor subscribes first"
    );
    for r in &subscribes {
        assert_eq!(r.anchor.as_deref(), Some(ANCHOR), "{r:?}");
    }
    let connections: Vec<_> = log
        .iter()
        .filter(|r| r.operation == "GetStreamingEvents")
        .collect();
    assert!(!connections.is_empty());
    for r in connections {
        assert_eq!(r.anchor.as_deref(), Some(ANCHOR), "{r:?}");
    }
}

/// POSTs `xml` with `X-AnchorMailbox` and an optional cookie; returns the `Set-Cookie` value
/// and the response.
async fn post(
    url: &str,
    xml: &str,
    anchor: &str,
    cookie: Option<&str>,
) -> (Option<String>, reqwest::Response) {
    let mut rb = reqwest::Client::new()
        .post(url)
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("X-AnchorMailbox", anchor)
        .header("X-PreferServerAffinity", "true")
        .body(xml.to_string());
    if let Some(c) = cookie {
        rb = rb.header("Cookie", format!("X-BackEndOverrideCookie={c}"));
    }
    let r = rb.send().await.unwrap();
    let set = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("X-BackEndOverrideCookie="))
        .and_then(|v| v.split(';').next())
        .map(str::to_string);
    (set, r)
}

/// Subscribes `mailbox` (streaming) routed through `anchor`; returns the id and the cookie.
async fn subscribe(
    url: &str,
    mailbox: &str,
    anchor: &str,
    cookie: Option<&str>,
) -> (String, String) {
    let xml = SubscribeRequest::streaming()
        .folder(FolderId::distinguished("calendar").with_mailbox(mailbox))
        .event_type(EventType::Created)
        .build()
        .unwrap();
    let (set, r) = post(url, &xml, anchor, cookie).await;
    let body = r.bytes().await.unwrap();
    let env = ews_notify::parse_notification(&body).unwrap();
    let id = env.body.response_messages()[0]
        .subscription_id
        .as_ref()
        .unwrap()
        .to_string();
    (id, set.unwrap())
}

/// Opens a connection for `ids` and returns the subscription ids its first envelope refuses.
async fn refused_ids(url: &str, ids: &[&str], anchor: &str, cookie: &str) -> Vec<String> {
    let xml = GetStreamingEventsRequest::new(ids.iter().copied(), 1)
        .build()
        .unwrap();
    let (_, mut r) = post(url, &xml, anchor, Some(cookie)).await;
    let mut splitter = StreamSplitter::new();
    for _ in 0..100 {
        let chunk = tokio::time::timeout(Duration::from_secs(5), r.chunk())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        splitter.feed(&chunk).unwrap();
        if let Some(env) = splitter.next_envelope().unwrap() {
            let env = ews_notify::parse_notification(&env).unwrap();
            let Body::GetStreamingEventsResponse(m) = &env.body else {
                panic!("{env:?}")
            };
            return m[0]
                .error_subscription_ids
                .iter()
                .map(ToString::to_string)
                .collect();
        }
    }
    panic!("no envelope")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_knows_only_the_subscriptions_of_the_server_it_reaches() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = Simulator::start(Config::default()).await.unwrap();
    sim.add_mailbox("amy@example.com"); // server 0
    sim.add_mailbox("bob@example.com"); // server 1
    let url = sim.url();
    // Each mailbox subscribed through itself: the two subscriptions live on two servers.
    let (amy, amy_cookie) = subscribe(&url, "amy@example.com", "amy@example.com", None).await;
    let (bob, bob_cookie) = subscribe(&url, "bob@example.com", "bob@example.com", None).await;
    assert_ne!(amy_cookie, bob_cookie);
    let refused = refused_ids(&url, &[&amy, &bob], "amy@example.com", &amy_cookie).await;
    assert_eq!(refused, [bob]);
    assert_eq!(sim.stats().affinity_misses, 1);
    // Bob subscribed again through the anchor with its cookie: both on one server.
    let (bob2, cookie) = subscribe(
        &url,
        "bob@example.com",
        "amy@example.com",
        Some(&amy_cookie),
    )
    .await;
    assert_eq!(cookie, amy_cookie);
    let refused = refused_ids(&url, &[&amy, &bob2], "amy@example.com", &amy_cookie).await;
    assert!(refused.is_empty(), "{refused:?}");
    assert_eq!(sim.stats().affinity_misses, 1);
}
