//! The change generator and its ledger against what EWS says: a pull subscription on each
//! calendar receives exactly the ledger's events, in order; GetItem of the parts of every split
//! series returns the GOIDs the ledger names.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use ews_sim::generate::Generator;
use ews_sim::{Change, Config, Simulator};

const M: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";
const T: &str = "http://schemas.microsoft.com/exchange/services/2006/types";

async fn call(client: &reqwest::Client, url: &str, user: &str, body: &str) -> String {
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope \
xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:m=\"{M}\" xmlns:t=\"{T}\">\
<s:Body>{body}</s:Body></s:Envelope>"
    );
    client
        .post(url)
        .basic_auth(user, Some("x"))
        .body(xml)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

fn between(s: &str, a: &str, b: &str) -> String {
    let i = s.find(a).unwrap() + a.len();
    s[i..i + s[i..].find(b).unwrap()].to_string()
}

type Seen = (String, String, Option<String>);

/// Every event object and the `moreEvents` flag anywhere in a canonical JSON value.
fn walk(v: &serde_json::Value, events: &mut Vec<serde_json::Value>, more: &mut bool) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, x) in map {
                match (k.as_str(), x) {
                    ("events", serde_json::Value::Array(list)) => events.extend(list.clone()),
                    ("moreEvents", serde_json::Value::Bool(b)) => *more |= *b,
                    _ => walk(x, events, more),
                }
            }
        }
        serde_json::Value::Array(list) => {
            for x in list {
                walk(x, events, more);
            }
        }
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_subscriptions_receive_exactly_what_the_ledger_says() {
    let sim = Simulator::start(Config::default()).await.unwrap();
    let mailboxes: Vec<String> = (1..=3).map(|i| format!("user{i}@example.com")).collect();
    for m in &mailboxes {
        sim.add_mailbox(m);
    }
    let client = reqwest::Client::new();
    let url = sim.url();
    let mut subs = BTreeMap::new();
    for m in &mailboxes {
        let sub = call(
            &client,
            &url,
            m,
            "<m:Subscribe><m:PullSubscriptionRequest><t:FolderIds>\
<t:DistinguishedFolderId Id=\"calendar\"/></t:FolderIds><t:EventTypes>\
<t:EventType>CreatedEvent</t:EventType><t:EventType>ModifiedEvent</t:EventType>\
<t:EventType>MovedEvent</t:EventType><t:EventType>DeletedEvent</t:EventType></t:EventTypes>\
<t:Timeout>30</t:Timeout></m:PullSubscriptionRequest></m:Subscribe>",
        )
        .await;
        subs.insert(
            m.clone(),
            (
                between(&sub, "<m:SubscriptionId>", "<"),
                between(&sub, "<m:Watermark>", "<"),
            ),
        );
    }

    let mut generator = Generator::new(11, mailboxes.clone());
    let mut made = 0;
    for _ in 0..300 {
        made += generator.step(&sim).len();
    }
    let ledger = sim.ledger();
    assert_eq!(ledger.len(), made, "one ledger entry per change");
    let kinds: Vec<Change> = ledger.iter().map(|e| e.change).collect();
    for c in [
        Change::Created,
        Change::SeriesCreated,
        Change::Modified,
        Change::OccurrenceModified,
        Change::OccurrenceDeleted,
        Change::SeriesSplit,
        Change::Cancelled,
        Change::Moved,
        Change::Deleted,
        Change::OrphanCreated,
    ] {
        assert!(kinds.contains(&c), "300 steps with seed 11 include {c:?}");
    }

    for m in &mailboxes {
        let calendar = sim.calendar_folder_id(m).unwrap();
        let want: Vec<Seen> = ledger
            .iter()
            .filter(|e| e.mailbox == *m)
            .flat_map(|e| e.events.iter())
            .filter(|e| {
                e.parent_folder_id == calendar
                    || e.old_parent_folder_id.as_deref() == Some(calendar.as_str())
                    || e.folder_id.as_deref() == Some(calendar.as_str())
            })
            .map(|e| {
                let target = e.item_id.clone().or(e.folder_id.clone()).unwrap();
                (e.event.to_string(), target, e.old_item_id.clone())
            })
            .collect();
        let (id, mut watermark) = subs[m].clone();
        let mut got: Vec<Seen> = Vec::new();
        loop {
            let body = call(
                &client,
                &url,
                m,
                &format!(
                    "<m:GetEvents><m:SubscriptionId>{id}</m:SubscriptionId>\
<m:Watermark>{watermark}</m:Watermark></m:GetEvents>"
                ),
            )
            .await;
            // Read through the canonical JSON, the shape every binding shares.
            let env = ews_notify::parse_notification(body.as_bytes()).unwrap();
            let j: serde_json::Value = serde_json::from_str(&env.to_json()).unwrap();
            let mut events = Vec::new();
            let mut more = false;
            walk(&j, &mut events, &mut more);
            for e in events {
                if let Some(w) = e["watermark"].as_str() {
                    watermark = w.to_string();
                }
                let kind = e["kind"].as_str().unwrap().to_string();
                if kind == "status" {
                    continue;
                }
                let target = e["itemId"]["id"]
                    .as_str()
                    .or(e["folderId"]["id"].as_str())
                    .unwrap()
                    .to_string();
                let old = e["oldItemId"]["id"].as_str().map(str::to_string);
                got.push((kind, target, old));
            }
            if !more {
                break;
            }
        }
        let want: Vec<Seen> = want
            .into_iter()
            .map(|(e, t, o)| {
                let kind = match e.as_str() {
                    "CreatedEvent" => "created",
                    "ModifiedEvent" => "modified",
                    "MovedEvent" => "moved",
                    "DeletedEvent" => "deleted",
                    other => panic!("unexpected {other}"),
                };
                (kind.to_string(), t, o)
            })
            .collect();
        assert!(want.len() > 50, "{m}: the generator made changes here");
        assert_eq!(got, want, "{m}: the subscription got what the ledger says");
    }

    // Every split still present: the parts carry the GOIDs the ledger names.
    let mut splits = 0;
    for e in ledger.iter().filter(|e| e.change == Change::SeriesSplit) {
        let split = e.split.as_ref().unwrap();
        let items = sim.items(&e.mailbox);
        let past = items.iter().find(|i| i.id == split.past_item_id);
        let ongoing = items.iter().find(|i| i.id == e.item_id);
        if let (Some(past), Some(ongoing)) = (past, ongoing) {
            use base64::Engine as _;
            let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
            assert_eq!(b64(&past.goid), split.past_global_object_id);
            assert_ne!(past.goid, ongoing.goid, "the ongoing part has a new GOID");
            splits += 1;
        }
    }
    assert!(splits > 0, "some split series survive to be checked");
}
