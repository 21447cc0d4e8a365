//! The pull loop against answers captured from gromox 3.10 (tests/corpus/regressions/issue-21-*,
//! tests/corpus/items/gromox_*),
//! replayed by a small HTTP server: no watermark in Subscribe, the GetEvents message named
//! `m:x`, and an old subscription id that now belongs to another mailbox (ErrorAccessDenied),
//! as after a gromox restart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use ews_notify::EventKind;
use ews_notify_client::{Client, Origin, Recovery, Update, Watch, watch_pull};

fn fixture(name: &str) -> String {
    let path = if name.starts_with("sync") {
        format!(
            "{}/../tests/corpus/items/gromox_{}.xml",
            env!("CARGO_MANIFEST_DIR"),
            name.replace('-', "_")
        )
    } else {
        format!(
            "{}/../tests/corpus/regressions/issue-21-gromox-{name}.xml",
            env!("CARGO_MANIFEST_DIR")
        )
    };
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[derive(Default)]
struct Seen {
    subscribe: usize,
    get_events: usize,
    sync: usize,
    watermarks_sent: Vec<String>,
}

async fn answer(State(seen): State<Arc<Mutex<Seen>>>, body: String) -> String {
    let mut seen = seen.lock().unwrap();
    if body.contains("<m:Subscribe>") {
        seen.subscribe += 1;
        fixture("subscribe-pull-without-watermark")
    } else if body.contains("<m:SyncFolderItems>") {
        seen.sync += 1;
        // The first call is the baseline; the next ones find the item created meanwhile.
        if seen.sync == 1 {
            fixture("sync-folder-items-empty")
        } else {
            fixture("sync-folder-items-one-created")
        }
    } else if body.contains("<m:GetEvents>") {
        seen.get_events += 1;
        if let Some(w) = body.split("<m:Watermark>").nth(1) {
            seen.watermarks_sent
                .push(w.split('<').next().unwrap_or_default().to_string());
        }
        // First an event, then the id is another mailbox's (a restart gave it away).
        if seen.get_events == 1 {
            fixture("get-events-message-named-x")
        } else if seen.get_events == 2 {
            fixture("get-events-id-of-another-mailbox")
        } else {
            fixture("get-events-message-named-x")
        }
    } else {
        String::from("unexpected request")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_follows_gromox_without_watermarks_and_leaves_a_taken_id() {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let app = Router::new()
        .route("/EWS/Exchange.asmx", post(answer))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = Client::builder(format!("http://{addr}/EWS/Exchange.asmx"))
        .basic("alice@example.test", "Secret123")
        .build()
        .unwrap();
    let mut stream = watch_pull(
        &client,
        Watch::calendar("alice@example.test"),
        Duration::from_millis(10),
    );
    let mut notified = 0;
    let mut caught_up = None;
    let mut created_from_catch_up = 0;
    while caught_up.is_none() || notified < 2 {
        let update = tokio::time::timeout(Duration::from_secs(20), stream.next())
            .await
            .expect("an update")
            .expect("the stream goes on");
        match update {
            Update::Event(d) => {
                assert_eq!(d.position.watermark, None, "gromox gives no watermark");
                assert!(
                    d.position.sync_state.is_some(),
                    "the position is the sync state"
                );
                match d.origin {
                    Origin::Notification => {
                        if d.event.kind == EventKind::Created {
                            notified += 1;
                        }
                    }
                    Origin::CatchUp => created_from_catch_up += 1,
                }
            }
            Update::Recovery {
                recovery: Recovery::CaughtUp { changes, .. },
                ..
            } => caught_up = Some(changes),
            Update::Recovery { .. } => {}
            Update::Failed { error, .. } => panic!("the pull loop stopped: {error}"),
        }
    }
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen.subscribe, 2,
        "a new subscription after ErrorAccessDenied on a server without watermarks"
    );
    assert!(seen.sync >= 2, "a baseline, then a catch-up");
    assert_eq!(
        caught_up,
        Some(1),
        "the catch-up found the item created meanwhile"
    );
    // The start's own catch-up may bring the item too: a repeat, marked as a catch-up.
    assert!(
        created_from_catch_up >= 1,
        "the item created meanwhile came from a catch-up"
    );
    assert!(
        seen.watermarks_sent.iter().all(|w| w == "AA=="),
        "no watermark was ever given, so none is invented per call: {:?}",
        seen.watermarks_sent
    );
}
