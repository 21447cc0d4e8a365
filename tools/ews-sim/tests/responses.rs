//! Every kind of response the simulator sends is valid against Exchange's schema (xmllint with
//! `../shared/ews-schema/soap-envelope.xsd`) and reads with the core parser. Requests are made
//! with the core request builders.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;
use std::time::Duration;

use ews_notify::Body;
use ews_notify::request::{
    EventType, FolderId, GetEventsRequest, GetItemRequest, GetStreamingEventsRequest, ItemRef,
    SubscribeRequest, SyncFolderItemsRequest, UnsubscribeRequest,
};
use ews_notify::{ConnectionStatus, EventKind, ResponseClass, ResponseCode};
use ews_sim::{Config, Fault, Faults, NewItem, Simulator};

const MAILBOX: &str = "alice@example.com";

mod ews_schema;

fn xmllint(xml: &[u8], schema: &std::path::Path, name: &str) {
    let dir = std::env::temp_dir().join(format!("ews-sim-responses-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.xml"));
    std::fs::write(&file, xml).unwrap();
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema)
        .arg(&file)
        .output()
        .expect("xmllint is installed (apt libxml2-utils)");
    assert!(
        out.status.success(),
        "{name} does not validate:\n{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(xml)
    );
}

/// Validates a response envelope against the SOAP + EWS schema (when there is one: the test
/// still reads every response with the core parser without it).
///
/// One known difference between Exchange and its own schema is mapped back first: a
/// streaming `Notification` comes in the messages namespace (`m:`), as Exchange sends it (see
/// the seeds' capture), where the schema declares it in the types namespace.
fn valid(xml: &[u8], name: &str) {
    let Some(dir) = ews_schema::dir() else {
        return;
    };
    let text = if String::from_utf8_lossy(xml).contains("GetStreamingEventsResponse") {
        String::from_utf8_lossy(xml)
            .replace("<m:Notification>", "<t:Notification>")
            .replace("</m:Notification>", "</t:Notification>")
    } else {
        String::from_utf8_lossy(xml).into_owned()
    };
    xmllint(text.as_bytes(), &dir.join("soap-envelope.xsd"), name);
}

/// SOAP faults live in the SOAP namespace, which `soap-envelope.xsd` does not let into the
/// Body; validate them with the SOAP 1.1 Fault definition (SOAP 1.1, section 4.4) instead,
/// importing the same EWS schema for the detail.
fn valid_fault(xml: &[u8], name: &str) {
    let Some(dir) = ews_schema::dir() else {
        return;
    };
    let xsd = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="http://schemas.xmlsoap.org/soap/envelope/"
  targetNamespace="http://schemas.xmlsoap.org/soap/envelope/" elementFormDefault="qualified">
  <xs:import namespace="http://www.w3.org/XML/1998/namespace" schemaLocation="{x}"/>
  <xs:import namespace="http://schemas.microsoft.com/exchange/services/2006/types" schemaLocation="{t}"/>
  <xs:element name="Envelope"><xs:complexType><xs:sequence>
    <xs:element name="Body"><xs:complexType><xs:sequence>
      <xs:element name="Fault"><xs:complexType><xs:sequence>
        <xs:element name="faultcode" type="xs:QName" form="unqualified"/>
        <xs:element name="faultstring" form="unqualified"><xs:complexType><xs:simpleContent>
          <xs:extension base="xs:string"><xs:attribute ref="xml:lang"/></xs:extension>
        </xs:simpleContent></xs:complexType></xs:element>
        <xs:element name="faultactor" type="xs:anyURI" form="unqualified" minOccurs="0"/>
        <xs:element name="detail" form="unqualified" minOccurs="0"><xs:complexType><xs:sequence>
          <xs:any processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
        </xs:sequence></xs:complexType></xs:element>
      </xs:sequence></xs:complexType></xs:element>
    </xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>"#,
        x = dir.join("xml.xsd").display(),
        t = dir.join("types.xsd").display(),
    );
    let tmp = std::env::temp_dir().join(format!("ews-sim-fault-{}.xsd", std::process::id()));
    std::fs::write(&tmp, xsd).unwrap();
    xmllint(xml, &tmp, name);
}

struct Http {
    client: reqwest::Client,
    url: String,
}

impl Http {
    async fn post(&self, xml: &str) -> (u16, Vec<u8>) {
        let r = self
            .client
            .post(&self.url)
            .header("Content-Type", "text/xml; charset=utf-8")
            .header("X-AnchorMailbox", MAILBOX)
            .body(xml.to_string())
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.bytes().await.unwrap().to_vec())
    }
}

fn calendar() -> FolderId {
    FolderId::distinguished("calendar").with_mailbox(MAILBOX)
}

fn subscribe(mode: SubscribeRequest) -> String {
    mode.folder(calendar())
        .event_type(EventType::Created)
        .event_type(EventType::Modified)
        .event_type(EventType::Deleted)
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_kind_validates_and_parses() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = Simulator::start(Config {
        heartbeat: Duration::from_millis(100),
        minute: Duration::from_millis(400),
        ..Config::default()
    })
    .await
    .unwrap();
    sim.add_mailbox(MAILBOX);
    let http = Http {
        client: reqwest::Client::new(),
        url: sim.url(),
    };
    let mut kinds = 0;

    // Pull subscription.
    let (status, body) = http.post(&subscribe(SubscribeRequest::pull(10))).await;
    assert_eq!(status, 200);
    valid(&body, "subscribe_pull");
    let env = ews_notify::parse_notification(&body).unwrap();
    let m = &env.body.response_messages()[0];
    let id = m.subscription_id.as_ref().unwrap().to_string();
    let wm0 = m.watermark.as_ref().unwrap().to_string();
    kinds += 1;

    // Calendar changes, including a recurring series split as in the seed.
    let a = sim.create_item(MAILBOX, NewItem::single("one")).unwrap();
    sim.modify_item(MAILBOX, &a.id, "one, moved").unwrap();
    let series = sim
        .create_item(MAILBOX, NewItem::recurring("weekly"))
        .unwrap();
    let (past, cont) = sim
        .split_series(MAILBOX, &series.id, "2026-01-13T09:00:00Z")
        .unwrap();
    assert_eq!(
        past.goid, series.goid,
        "the past part keeps the GlobalObjectId"
    );
    assert_ne!(
        cont.goid, series.goid,
        "the continued series gets a new GlobalObjectId"
    );
    assert!(sim.delete_item(MAILBOX, &a.id));

    // GetEvents with events.
    let (_, body) = http
        .post(&GetEventsRequest::new(&id, &wm0).build().unwrap())
        .await;
    valid(&body, "get_events");
    let env = ews_notify::parse_notification(&body).unwrap();
    assert!(matches!(env.body, Body::GetEventsResponse(_)));
    let n = &env.body.response_messages()[0].notifications[0];
    assert_eq!(
        n.events.len(),
        12,
        "6 item changes, each with a folder ModifiedEvent"
    );
    assert_eq!(n.events[0].kind, EventKind::Created);
    let wm1 = n
        .events
        .last()
        .unwrap()
        .watermark
        .as_ref()
        .unwrap()
        .to_string();
    kinds += 1;

    // GetEvents with nothing new: a StatusEvent.
    let (_, body) = http
        .post(&GetEventsRequest::new(&id, &wm1).build().unwrap())
        .await;
    valid(&body, "get_events_status");
    let env = ews_notify::parse_notification(&body).unwrap();
    let n = &env.body.response_messages()[0].notifications[0];
    assert_eq!(n.events[0].kind, EventKind::Status);
    assert_eq!(n.more_events, Some(false));
    kinds += 1;

    // More than 50 events: MoreEvents.
    for i in 0..30 {
        sim.create_item(MAILBOX, NewItem::single(&format!("bulk {i}")))
            .unwrap();
    }
    let (_, body) = http
        .post(&GetEventsRequest::new(&id, &wm1).build().unwrap())
        .await;
    valid(&body, "get_events_more");
    let env = ews_notify::parse_notification(&body).unwrap();
    let n = &env.body.response_messages()[0].notifications[0];
    assert_eq!(n.events.len(), 50, "at most 50 events per answer");
    assert_eq!(n.more_events, Some(true));
    kinds += 1;

    // A watermark the server does not know: an error response message.
    let (_, body) = http
        .post(&GetEventsRequest::new(&id, "AQAAAA==").build().unwrap())
        .await;
    valid(&body, "get_events_error");
    let env = ews_notify::parse_notification(&body).unwrap();
    let m = &env.body.response_messages()[0];
    assert_eq!(m.status.response_class, ResponseClass::Error);
    assert_eq!(
        m.status.response_code,
        Some(ResponseCode::ErrorInvalidWatermark)
    );
    kinds += 1;

    // Streaming: a body of several envelopes, events, keep-alives, then Closed.
    let (_, body) = http.post(&subscribe(SubscribeRequest::streaming())).await;
    valid(&body, "subscribe_streaming");
    let env = ews_notify::parse_notification(&body).unwrap();
    let sid = env.body.response_messages()[0]
        .subscription_id
        .as_ref()
        .unwrap()
        .to_string();
    let writer = {
        let url_sim = &sim;
        let b = sim
            .create_item(MAILBOX, NewItem::single("streamed"))
            .unwrap();
        url_sim
            .modify_item(MAILBOX, &b.id, "streamed again")
            .unwrap();
        b
    };
    let (_, body) = http
        .post(
            &GetStreamingEventsRequest::new([sid.clone()], 1)
                .build()
                .unwrap(),
        )
        .await;
    let envelopes: Vec<&[u8]> = ews_notify::streaming::split(&body)
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        envelopes.len() >= 2,
        "events, keep-alives and Closed in one body"
    );
    let mut saw_events = false;
    let mut saw_keep_alive = false;
    for (i, e) in envelopes.iter().enumerate() {
        valid(e, &format!("streaming_{i}"));
        let env = ews_notify::parse_notification(e).unwrap();
        let m = &env.body.response_messages()[0];
        if m.notifications.is_empty() && m.connection_status == Some(ConnectionStatus::Ok) {
            saw_keep_alive = true;
        }
        saw_events |= m.notifications.iter().flat_map(|n| &n.events).any(|ev| {
            ev.item_id
                .as_ref()
                .is_some_and(|id| id.id == writer.id.as_str())
        });
    }
    let last = ews_notify::parse_notification(envelopes.last().unwrap()).unwrap();
    assert_eq!(
        last.body.response_messages()[0].connection_status,
        Some(ConnectionStatus::Closed)
    );
    assert!(saw_events && saw_keep_alive);
    kinds += 3;

    // Streaming for an unknown subscription: ErrorSubscriptionIds.
    let (_, body) = http
        .post(
            &GetStreamingEventsRequest::new(["bm8tc3VjaA=="], 1)
                .build()
                .unwrap(),
        )
        .await;
    let env_bytes: Vec<&[u8]> = ews_notify::streaming::split(&body)
        .collect::<Result<_, _>>()
        .unwrap();
    valid(env_bytes[0], "streaming_error_ids");
    let env = ews_notify::parse_notification(env_bytes[0]).unwrap();
    assert_eq!(
        env.body.response_messages()[0].error_subscription_ids,
        vec!["bm8tc3VjaA=="]
    );
    kinds += 1;

    // SyncFolderItems, GetItem, FindItem.
    let (_, body) = http
        .post(
            &SyncFolderItemsRequest::new(calendar(), 512)
                .build()
                .unwrap(),
        )
        .await;
    valid(&body, "sync_folder_items");
    let env = ews_notify::parse_notification(&body).unwrap();
    assert!(matches!(env.body, Body::SyncFolderItemsResponse(_)));
    let (_, body) = http
        .post(
            &GetItemRequest::new([ItemRef::id(cont.id.clone())])
                .build()
                .unwrap(),
        )
        .await;
    valid(&body, "get_item");
    let env = ews_notify::parse_notification(&body).unwrap();
    assert!(matches!(env.body, Body::GetItemResponse(_)));
    let (_, body) = http
        .post(
            &ews_notify::request::FindItemRequest::by_clean_goid(
                ews_notify::goid::GlobalObjectId::from_bytes(&series.clean_goid)
                    .unwrap()
                    .to_base64(),
            )
            .folder(calendar())
            .build()
            .unwrap(),
        )
        .await;
    valid(&body, "find_item");
    let env = ews_notify::parse_notification(&body).unwrap();
    assert!(matches!(env.body, Body::FindItemResponse(_)));
    kinds += 3;

    // Unsubscribe.
    let (_, body) = http
        .post(&UnsubscribeRequest::new(&id).build().unwrap())
        .await;
    valid(&body, "unsubscribe");
    assert!(matches!(
        ews_notify::parse_notification(&body).unwrap().body,
        Body::UnsubscribeResponse(_)
    ));
    kinds += 1;

    // Throttling, response-message form.
    sim.set_faults(Faults {
        server_busy_message: 1000,
        back_off: Duration::from_millis(25),
        ..Faults::default()
    });
    let (_, body) = http
        .post(&GetEventsRequest::new(&id, &wm1).build().unwrap())
        .await;
    sim.set_faults(Faults::default());
    valid(&body, "busy_message");
    let env = ews_notify::parse_notification(&body).unwrap();
    let m = &env.body.response_messages()[0];
    assert_eq!(m.status.response_code, Some(ResponseCode::ErrorServerBusy));
    assert_eq!(m.status.back_off_milliseconds, Some(25));
    kinds += 1;

    // Throttling, SOAP fault form.
    sim.inject(Fault::ServerBusy(Duration::from_millis(40)));
    let (status, body) = http
        .post(&GetEventsRequest::new(&id, &wm1).build().unwrap())
        .await;
    assert_eq!(status, 500);
    valid_fault(&body, "busy_fault");
    let env = ews_notify::parse_notification(&body).unwrap();
    match env.body {
        Body::Fault(f) => assert_eq!(f.back_off_milliseconds, Some(40)),
        other => panic!("expected a fault, got {}", other.kind()),
    }
    kinds += 1;

    // The push request the simulator sends to listeners: with events, and a status-only one.
    let generated = sim.generated(MAILBOX);
    let wm = |p: u64| ews_sim::ids::watermark(&ews_sim::ids::decode_watermark(&wm0).unwrap().0, p);
    for (name, events) in [
        ("push_events", &generated[..4]),
        ("push_status", &generated[..0]),
    ] {
        let xml = ews_sim::soap::send_notification(&id, &wm0, events, false, &wm);
        valid(xml.as_bytes(), name);
        let env = ews_notify::parse_notification(xml.as_bytes()).unwrap();
        let n = &env.body.response_messages()[0].notifications[0];
        assert_eq!(n.events.len(), events.len().max(1));
    }
    kinds += 2;

    // HTTP 503 has no SOAP body to validate.
    sim.inject(Fault::Http503);
    let (status, _) = http
        .post(&GetEventsRequest::new(&id, &wm1).build().unwrap())
        .await;
    assert_eq!(status, 503);

    assert_eq!(kinds, 17, "every response kind was checked");
}
