//! A service account following many mailboxes: the client impersonates each mailbox
//! (`ExchangeImpersonation`) and routes each request to it (`X-AnchorMailbox`), and the
//! simulator, which refuses requests that open a mailbox without impersonating it, checks both
//! on every request.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use ews_notify::EventKind;
use ews_notify_client::{
    Client, EventStream, StreamingOptions, Update, Watch, watch_pull, watch_streaming,
};
use ews_sim::{Config, NewItem, Simulator};

mod common;
mod ews_schema;
use common::subscribed;

const STREAMED: [&str; 3] = ["ann@example.com", "ben@example.com", "cat@example.com"];
const PULLED: &str = "dan@example.com";

fn config() -> Config {
    Config {
        require_impersonation: true,
        record_requests: true,
        ..Config::default()
    }
}

fn impersonating(mailbox: &str) -> Watch {
    let mut w = Watch::calendar(mailbox);
    w.impersonate = true;
    w
}

/// The next update that is not a folder event nor a recovery report (a first start's
/// catch-up reports itself) (bounded: 10 s).
async fn next_item_update(stream: &mut EventStream) -> Update {
    for _ in 0..100 {
        match tokio::time::timeout(Duration::from_millis(100), stream.next()).await {
            Ok(Some(Update::Event(d))) if d.event.item_id.is_none() => {}
            Ok(Some(Update::Recovery { .. })) => {}
            Ok(Some(u)) => return u,
            Ok(None) => panic!("stream ended"),
            Err(_) => {}
        }
    }
    panic!("nothing within 10 s")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_request_impersonates_and_anchors_the_mailbox_it_opens() {
    let sim = Simulator::start(config()).await.unwrap();
    for m in STREAMED.iter().chain([&PULLED]) {
        sim.add_mailbox(m);
    }
    let client = Client::builder(sim.url()).build().unwrap();
    let mut streams = watch_streaming(
        &client,
        STREAMED.iter().map(|m| impersonating(m)).collect(),
        StreamingOptions::default(),
    );
    streams.push(watch_pull(
        &client,
        impersonating(PULLED),
        Duration::from_millis(50),
    ));
    subscribed(&sim, 4).await;
    let mailboxes: Vec<&str> = STREAMED.iter().copied().chain([PULLED]).collect();
    for (m, stream) in mailboxes.iter().zip(&mut streams) {
        let item = sim.create_item(m, NewItem::single("x")).unwrap();
        match next_item_update(stream).await {
            Update::Event(d) => {
                assert_eq!(d.mailbox, *m);
                assert_eq!(d.event.kind, EventKind::Created);
                assert_eq!(d.event.item_id.unwrap().id, item.id);
            }
            other => panic!("{m}: {other:?}"),
        }
        // GetItem for the item, as that mailbox too.
        let bound = client.bind(&impersonating(m), &item.id).await.unwrap();
        assert_eq!(bound.unwrap().subject.as_deref(), Some("x"));
    }
    let stats = sim.stats();
    assert_eq!(stats.impersonation_refusals, 0, "{stats:?}");
    assert_eq!(stats.anchor_mismatches, 0, "{stats:?}");
    let log = sim.request_log();
    for r in &log {
        let acting = r.impersonated.as_deref().unwrap().to_ascii_lowercase();
        let anchor = r.anchor.as_deref().unwrap().to_ascii_lowercase();
        assert!(r.mailboxes.contains(&acting), "{r:?}");
        if r.operation != "GetStreamingEvents" {
            assert_eq!(r.mailboxes, std::slice::from_ref(&acting), "{r:?}");
        }
        // The streaming group's Subscribe requests and connection are routed through its
        // anchor, the alphabetically first mailbox; everything else through the mailbox itself.
        let grouped = matches!(r.operation.as_str(), "Subscribe" | "GetStreamingEvents")
            && STREAMED.contains(&acting.as_str());
        let expected = if grouped {
            STREAMED[0]
        } else {
            acting.as_str()
        };
        assert_eq!(anchor, expected, "{r:?}");
    }
    // Every mailbox was subscribed, caught up and bound as itself.
    for op in ["Subscribe", "SyncFolderItems", "GetItem"] {
        for m in &mailboxes {
            assert!(
                log.iter()
                    .any(|r| r.operation == op && r.impersonated.as_deref() == Some(*m)),
                "no {op} as {m}"
            );
        }
    }
    assert!(log.iter().any(|r| r.operation == "GetEvents"));
    assert!(
        log.iter()
            .any(|r| r.operation == "GetStreamingEvents" && r.mailboxes.len() == STREAMED.len())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_impersonation_the_service_account_is_refused() {
    let sim = Simulator::start(config()).await.unwrap();
    sim.add_mailbox(PULLED);
    let client = Client::builder(sim.url()).build().unwrap();
    let mut stream = watch_pull(&client, Watch::calendar(PULLED), Duration::from_millis(50));
    match next_item_update(&mut stream).await {
        Update::Failed { mailbox, error } => {
            assert_eq!(mailbox, PULLED);
            assert!(error.contains("ErrorAccessDenied"), "{error}");
        }
        other => panic!("{other:?}"),
    }
    let stats = sim.stats();
    assert!(stats.impersonation_refusals >= 1, "{stats:?}");
    assert_eq!(stats.subscriptions, 0);
    let log = sim.request_log();
    assert!(!log.is_empty());
    assert!(
        log.iter()
            .all(|r| r.refused && r.impersonated.is_none() && r.mailboxes == [PULLED])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn impersonating_another_mailbox_is_refused_and_a_wrong_anchor_counted() {
    use ews_notify::request::{ExchangeVersion, FolderId, RequestHeader, SyncFolderItemsRequest};
    let sim = Simulator::start(config()).await.unwrap();
    sim.add_mailbox(PULLED);
    sim.add_mailbox(STREAMED[0]);
    // Opens dan's calendar while impersonating ann, anchored on ann.
    let xml =
        SyncFolderItemsRequest::new(FolderId::distinguished("calendar").with_mailbox(PULLED), 10)
            .header(RequestHeader::new(ExchangeVersion::Exchange2013).impersonate_smtp(STREAMED[0]))
            .build()
            .unwrap();
    let body = reqwest_post(&sim.url(), &xml, STREAMED[0]).await;
    let env = ews_notify::parse_notification(body.as_bytes()).unwrap();
    let ews_notify::Body::SyncFolderItemsResponse(m) = &env.body else {
        panic!("{body}")
    };
    assert_eq!(
        m[0].status.response_code.as_ref().map(|c| c.as_str()),
        Some("ErrorAccessDenied")
    );
    // The refusal is a valid EWS answer (checked when an EWS schema is at hand).
    if let Some(dir) = ews_schema::dir() {
        assert_schema_valid(&body, &dir.join("soap-envelope.xsd"));
    }
    let stats = sim.stats();
    assert_eq!(stats.impersonation_refusals, 1);
    assert_eq!(stats.anchor_mismatches, 1);
}

/// Asserts that xmllint finds `body` valid against `schema`.
fn assert_schema_valid(body: &str, schema: &std::path::Path) {
    let mut lint = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(schema)
        .arg("-")
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("xmllint is installed (apt libxml2-utils)");
    std::io::Write::write_all(&mut lint.stdin.take().unwrap(), body.as_bytes()).unwrap();
    let out = lint.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}\n{body}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// POSTs `xml` with `X-AnchorMailbox: anchor` and returns the body.
async fn reqwest_post(url: &str, xml: &str, anchor: &str) -> String {
    reqwest::Client::new()
        .post(url)
        .header("X-AnchorMailbox", anchor)
        .header("Content-Type", "text/xml; charset=utf-8")
        .body(xml.to_string())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}
