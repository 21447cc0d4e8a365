//! The `ews-sim` binary as a user runs it: the URL line first, a ledger line per change it
//! generated, a clean exit on SIGTERM, and `--help` documenting every flag.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_ews-sim");

fn ledger_lines(path: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("every ledger line is JSON"))
        .collect()
}

#[test]
fn binary_prints_url_writes_a_ledger_line_per_change_and_stops_on_sigterm() {
    const CHANGES: usize = 80;
    let dir = std::env::temp_dir().join(format!("ews-sim-binary-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ledger = dir.join("ledger.jsonl");
    let _ = std::fs::remove_file(&ledger);
    let mut child = Command::new(BIN)
        .args(["--addr", "127.0.0.1:0", "--mailboxes", "3"])
        .args(["--mailbox", "Alice@Example.com", "--rate", "200"])
        .args(["--changes", &CHANGES.to_string(), "--seed", "7", "--ledger"])
        .arg(&ledger)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first.trim();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/EWS/Exchange.asmx"),
        "the first line is the EWS URL: {url:?}"
    );
    let port: u16 = url["http://127.0.0.1:".len()..url.len() - "/EWS/Exchange.asmx".len()]
        .parse()
        .unwrap();
    assert_ne!(port, 0, "the URL names the port the OS picked");

    let deadline = Instant::now() + Duration::from_secs(60);
    let mut lines = ledger_lines(&ledger);
    while lines.len() < CHANGES && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        lines = ledger_lines(&ledger);
    }
    // Past --changes the generator stops: no further line may come.
    std::thread::sleep(Duration::from_millis(300));
    let lines = ledger_lines(&ledger);
    assert_eq!(lines.len(), CHANGES, "one ledger line per generated change");

    let mut positions: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut kinds = BTreeMap::new();
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["seq"], (i + 1) as u64, "seq counts the changes");
        assert_eq!(l["source"], "generator");
        for key in ["mailbox", "itemId", "change", "time", "globalObjectId"] {
            assert!(l[key].is_string(), "line {i} has {key}: {l}");
        }
        assert!(
            l["cleanGlobalObjectId"]
                .as_str()
                .is_some_and(|s| !s.is_empty()),
            "line {i} names the meeting"
        );
        let mailbox = l["mailbox"].as_str().unwrap().to_string();
        assert!(
            mailbox == "alice@example.com"
                || ["user1", "user2", "user3"]
                    .iter()
                    .any(|u| mailbox == format!("{u}@example.com")),
            "a served mailbox: {mailbox}"
        );
        let change = l["change"].as_str().unwrap().to_string();
        match change.as_str() {
            "seriesSplit" => assert!(l["split"]["pastItemId"].is_string(), "{l}"),
            "occurrenceModified" | "occurrenceDeleted" => {
                assert!(l["instanceDate"].is_string(), "{l}");
                assert!(l["occurrenceItemId"].is_string(), "{l}");
            }
            "moved" => assert!(l["oldItemId"].is_string(), "{l}"),
            _ => {}
        }
        *kinds.entry(change).or_insert(0) += 1;
        let events = l["events"].as_array().unwrap();
        assert!(!events.is_empty(), "every change logs events: {l}");
        for e in events {
            positions
                .entry(mailbox.clone())
                .or_default()
                .push(e["position"].as_u64().unwrap());
        }
    }
    // The ledger accounts for every event of every mailbox: positions run 1, 2, 3, ...
    for (mailbox, p) in &positions {
        let expected: Vec<u64> = (1..=p.len() as u64).collect();
        assert_eq!(p, &expected, "{mailbox}: the ledger covers its whole log");
    }
    for needed in [
        "created",
        "seriesCreated",
        "occurrenceModified",
        "seriesSplit",
    ] {
        assert!(
            kinds.contains_key(needed),
            "{CHANGES} changes with seed 7 include {needed}: {kinds:?}"
        );
    }

    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "ews-sim did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "clean exit on SIGTERM: {status:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_documents_every_flag() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--addr",
        "--mailbox",
        "--mailboxes",
        "--group",
        "--rate",
        "--changes",
        "--ledger",
        "--seed",
        "--minute-ms",
        "--heartbeat-ms",
        "--ntlm",
        "--require-impersonation",
        "--fault-server-busy",
        "--fault-server-busy-message",
        "--fault-http-503",
        "--fault-delay",
        "--fault-forget-subscription",
        "--fault-forget-log",
        "--fault-drop-mid-envelope",
        "--fault-close-stream-early",
        "--fault-connection-close",
        "--fault-read-events-failed",
        "--fault-back-off-ms",
        "--fault-delay-ms",
    ] {
        assert!(help.contains(flag), "--help documents {flag}");
    }
}

#[test]
fn no_mailbox_is_an_error_not_a_panic() {
    let out = Command::new(BIN).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no mailbox"), "{err}");
}
