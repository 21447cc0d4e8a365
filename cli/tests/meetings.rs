//! `watch --meetings`, `listen --meetings` and `demo --json` end to end: the binary against the
//! EWS simulator (a test double) on 127.0.0.1, reading its meeting JSON lines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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

/// The running binary: its stdout lines as they come, its stderr collected.
struct Running {
    child: Child,
    lines: Receiver<String>,
    stderr: Arc<Mutex<String>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(args: &[&str], env: &[(&str, &str)]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ews-notify"))
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut err = child.stderr.take().unwrap();
    let stderr = Arc::new(Mutex::new(String::new()));
    let sink = stderr.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        while let Ok(n) = err.read(&mut buf) {
            if n == 0 {
                return;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    Running {
        child,
        lines,
        stderr,
    }
}

impl Running {
    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// The next stdout line as JSON (bounded wait: 20 s).
    async fn line(&mut self) -> Value {
        for _ in 0..400 {
            match self.lines.try_recv() {
                Ok(l) => return serde_json::from_str(&l).unwrap(),
                Err(TryRecvError::Disconnected) => panic!(
                    "the process ended ({:?}); stderr: {}",
                    self.child.try_wait(),
                    self.stderr()
                ),
                Err(TryRecvError::Empty) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        panic!("no line within 20 s; stderr: {}", self.stderr())
    }

    /// The exit status (bounded wait: 20 s).
    async fn exit_code(&mut self) -> Option<i32> {
        for _ in 0..400 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("still running after 20 s; stderr: {}", self.stderr())
    }
}

/// Waits (bounded) until the simulator has `n` subscriptions.
async fn subscribed(sim: &Simulator, n: u64, cli: &Running) {
    for _ in 0..400 {
        if sim.stats().subscriptions >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no subscription; stderr: {}", cli.stderr())
}

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
