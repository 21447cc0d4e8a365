//! `watch --meetings`, `listen --meetings` and `demo --json` end to end: the binary against the
//! EWS simulator (a test double) on 127.0.0.1, reading its meeting JSON lines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

use ews_sim::{Config, NewItem, Simulator};
use serde_json::Value;

const ALICE: &str = "alice@example.com";

/// The keys of a meeting event, in the canonical order.
const KEYS: &[&str] = &[
    "kind",
    "eventId",
    "change",
    "mailbox",
    "meeting",
    "instanceDate",
    "itemType",
    "itemId",
    "previousItemId",
    "globalObjectId",
    "subject",
    "organizer",
    "start",
    "end",
    "lastModifiedTime",
    "split",
    "reason",
    "cause",
];

mod process;
use process::{Running, spawn, subscribed};

/// Checks a line's keys and order from its text (serde_json's map would sort them).
fn check_shape(text: &str) {
    let mut at = 0;
    for k in KEYS {
        let pos = text[at..]
            .find(&format!("\"{k}\":"))
            .unwrap_or_else(|| panic!("{k} missing or out of order: {text}"));
        at += pos;
    }
}

fn clean_of(bytes: &[u8]) -> String {
    ews_notify::GlobalObjectId::from_vec(bytes.to_vec())
        .unwrap()
        .clean()
        .to_base64()
}

async fn single_meeting_lifecycle(sim: &Simulator, cli: &mut Running) {
    let item = sim.create_item(ALICE, NewItem::single("Budget")).unwrap();
    let created = cli.line().await;
    sim.modify_item(ALICE, &item.id, "Budget (moved)").unwrap();
    let updated = cli.line().await;
    sim.delete_item(ALICE, &item.id);
    let deleted = cli.line().await;
    let key = clean_of(&item.clean_goid);
    for (line, change) in [
        (&created, "created"),
        (&updated, "updated"),
        (&deleted, "deleted"),
    ] {
        assert_eq!(line["kind"], "meeting", "{line}");
        assert_eq!(line["change"], change, "{line}");
        assert_eq!(line["mailbox"], ALICE, "{line}");
        assert_eq!(line["itemId"], item.id.as_str(), "{line}");
        assert_eq!(
            line["meeting"]["cleanGlobalObjectId"],
            key.as_str(),
            "{line}"
        );
        assert_eq!(line["meeting"]["icalUid"], item.uid.as_str(), "{line}");
    }
    assert_eq!(
        deleted["subject"], "Budget (moved)",
        "the delete is named from the map"
    );
    assert_eq!(deleted["cause"]["eventKind"], "deleted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_meetings_prints_meeting_events() {
    let sim = Simulator::start(Config::default()).await.unwrap();
    sim.add_mailbox(ALICE);
    let url = sim.url();
    let mut cli = spawn(
        &[
            "watch",
            "--url",
            &url,
            "--mode",
            "pull",
            "--poll-ms",
            "20",
            "--mailbox",
            ALICE,
            "--meetings",
            "--count",
            "3",
        ],
        &[],
    );
    subscribed(&sim, 1, &cli).await;
    single_meeting_lifecycle(&sim, &mut cli).await;
    assert_eq!(cli.exit_code().await, Some(0), "stderr: {}", cli.stderr());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_meetings_prints_meeting_events() {
    let sim = Simulator::start(Config::default()).await.unwrap();
    sim.add_mailbox(ALICE);
    let url = sim.url();
    let mut cli = spawn(
        &[
            "listen",
            "--url",
            &url,
            "--port",
            "0",
            "--bind",
            "127.0.0.1",
            "--secret-env",
            "EWS_TEST_SECRET",
            "--mailbox",
            ALICE,
            "--meetings",
            "--count",
            "3",
        ],
        &[("EWS_TEST_SECRET", "s3cret")],
    );
    subscribed(&sim, 1, &cli).await;
    single_meeting_lifecycle(&sim, &mut cli).await;
    assert_eq!(cli.exit_code().await, Some(0), "stderr: {}", cli.stderr());
}

#[test]
fn demo_json_prints_every_meeting_event_as_a_json_line() {
    let out = Command::new(env!("CARGO_BIN_EXE_ews-notify"))
        .args(["demo", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 15, "meeting lines went missing: {text}");
    let mut changes = std::collections::BTreeSet::new();
    for l in &lines {
        check_shape(l);
        let v: Value = serde_json::from_str(l).unwrap();
        changes.insert(v["change"].as_str().unwrap().to_string());
    }
    for c in ["created", "updated", "deleted", "seriesSplit"] {
        assert!(changes.contains(c), "no {c} in {changes:?}");
    }
    // Narration stays off stdout.
    assert!(!text.contains("---"));
}
