//! FindItem restricted by GlobalObjectId: the simulator applies the `IsEqualTo` the request
//! builders write, so finding a meeting by its CleanGlobalObjectId returns the series, its
//! exceptions and orphan instances, and nothing else.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ews_notify::request::{FindItemRequest, FolderId};
use ews_notify::{Body, GlobalObjectId};
use ews_sim::{CalendarKind, Config, NewItem, Simulator};
use time::{Date, Month};

const MAILBOX: &str = "erin@example.com";

fn instance(uid: &str, day: u8, subject: &str) -> NewItem {
    NewItem {
        kind: CalendarKind::Exception,
        uid: Some(uid.to_string()),
        instance_date: Date::from_calendar_date(2026, Month::January, day).ok(),
        ..NewItem::single(subject)
    }
}

/// Sends `xml` and returns the response's code and the ids of the items found.
async fn find(sim: &Simulator, xml: &str) -> (Option<String>, BTreeSet<String>) {
    let body = reqwest::Client::new()
        .post(sim.url())
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("X-AnchorMailbox", MAILBOX)
        .body(xml.to_string())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let env = ews_notify::parse_notification(&body).unwrap();
    let Body::FindItemResponse(messages) = &env.body else {
        panic!("{}", String::from_utf8_lossy(&body))
    };
    let m = &messages[0];
    let ids = m
        .items
        .iter()
        .map(|i| i.item_id.as_ref().unwrap().id.to_string())
        .collect();
    (
        m.status
            .response_code
            .as_ref()
            .map(|c| c.as_str().to_string()),
        ids,
    )
}

fn calendar() -> FolderId {
    FolderId::distinguished("calendar").with_mailbox(MAILBOX)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn find_by_clean_goid_returns_the_series_its_exception_and_the_orphan_only() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = Simulator::start(Config::default()).await.unwrap();
    sim.add_mailbox(MAILBOX);
    let series = sim
        .create_item(MAILBOX, NewItem::recurring("weekly sync"))
        .unwrap();
    let exception = sim
        .create_item(MAILBOX, instance(&series.uid, 13, "weekly sync (moved)"))
        .unwrap();
    let orphan = sim
        .create_item(MAILBOX, instance(&series.uid, 20, "weekly sync (orphan)"))
        .unwrap();
    // Not of this meeting: another series with its exception, a single meeting, and an
    // instance of this meeting that was deleted.
    let other = sim
        .create_item(MAILBOX, NewItem::recurring("retro"))
        .unwrap();
    sim.create_item(MAILBOX, instance(&other.uid, 13, "retro (moved)"))
        .unwrap();
    sim.create_item(MAILBOX, NewItem::single("1:1")).unwrap();
    let gone = sim
        .create_item(
            MAILBOX,
            instance(&series.uid, 27, "weekly sync (cancelled)"),
        )
        .unwrap();
    assert!(sim.delete_item(MAILBOX, &gone.id));
    assert_eq!(series.clean_goid, orphan.clean_goid);
    assert_ne!(series.clean_goid, other.clean_goid);

    let meeting: BTreeSet<String> = [&series, &exception, &orphan]
        .iter()
        .map(|i| i.id.clone())
        .collect();
    let by_clean = FindItemRequest::by_clean_goid(STANDARD.encode(&series.clean_goid))
        .folder(calendar())
        .build()
        .unwrap();
    assert_eq!(
        find(&sim, &by_clean).await,
        (Some("NoError".into()), meeting.clone())
    );

    // From an exception's GlobalObjectId (with its instance date): the same meeting.
    let goid = GlobalObjectId::from_bytes(&exception.goid).unwrap();
    assert!(goid.instance_date().is_some());
    let by_goid = FindItemRequest::by_goid(&goid)
        .folder(calendar())
        .build()
        .unwrap();
    assert_eq!(
        find(&sim, &by_goid).await,
        (Some("NoError".into()), meeting)
    );

    // The other series is found by its own clean GOID, and an unknown one finds nothing.
    let by_other = FindItemRequest::by_clean_goid(STANDARD.encode(&other.clean_goid))
        .folder(calendar())
        .build()
        .unwrap();
    assert_eq!(find(&sim, &by_other).await.1.len(), 2);
    let mut unknown = series.clean_goid.clone();
    let last = unknown.len() - 1;
    unknown[last] ^= 0xff;
    let by_unknown = FindItemRequest::by_clean_goid(STANDARD.encode(&unknown))
        .folder(calendar())
        .build()
        .unwrap();
    assert_eq!(
        find(&sim, &by_unknown).await,
        (Some("NoError".into()), BTreeSet::new())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restriction_the_simulator_does_not_model_is_refused_not_ignored() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = Simulator::start(Config::default()).await.unwrap();
    sim.add_mailbox(MAILBOX);
    let series = sim
        .create_item(MAILBOX, NewItem::recurring("weekly sync"))
        .unwrap();
    let xml = FindItemRequest::by_clean_goid(STANDARD.encode(&series.clean_goid))
        .folder(calendar())
        .build()
        .unwrap();
    let restriction = xml.find("<m:Restriction>").unwrap();
    let (shape, rest) = xml.split_at(restriction);
    // Another named property of the same set.
    let other_property = format!(
        "{shape}{}",
        rest.replacen(r#"PropertyId="35""#, r#"PropertyId="36""#, 1)
    );
    assert_ne!(other_property, xml);
    let (code, items) = find(&sim, &other_property).await;
    assert_eq!(code.as_deref(), Some("ErrorInvalidRequest"));
    assert!(items.is_empty());
    // Another operator.
    let other_operator = xml.replace("t:IsEqualTo>", "t:IsNotEqualTo>");
    assert_eq!(
        find(&sim, &other_operator).await.0.as_deref(),
        Some("ErrorInvalidRequest")
    );
}
