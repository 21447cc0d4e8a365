//! `ews-notify watch` and `ews-notify listen` end to end: the binary against the EWS simulator
//! (a test double) on 127.0.0.1, reading its JSON lines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

use ews_sim::{Config, LogKind, NewItem, Simulator};
use serde_json::Value;

const ALICE: &str = "alice@example.com";
const BOB: &str = "bob@example.com";

mod process;
use process::{Running, spawn, subscribed};

async fn simulator(config: Config) -> Simulator {
    let sim = Simulator::start(config).await.unwrap();
    sim.add_mailbox(ALICE);
    sim.add_mailbox(BOB);
    sim
}

/// Every line has these keys (shown sorted: serde_json's map sorts them).
const KEYS: &[&str] = &["event", "mailbox", "origin", "position"];

/// What the simulator generated for `mailbox`, as (event kind, item or folder id), in order.
fn generated(sim: &Simulator, mailbox: &str) -> Vec<(String, String)> {
    sim.generated(mailbox)
        .into_iter()
        .map(|e| {
            let kind = match e.kind {
                LogKind::Created => "created",
                LogKind::Modified | LogKind::FolderModified => "modified",
                LogKind::Deleted => "deleted",
                LogKind::Moved => "moved",
            };
            (kind.to_string(), e.item_id.or(e.folder_id).unwrap())
        })
        .collect()
}

/// The lines printed for `mailbox`, as (event kind, item or folder id), in order; checks the
/// shape of each line on the way.
fn printed(lines: &[Value], mailbox: &str) -> Vec<(String, String)> {
    lines
        .iter()
        .filter(|l| l["mailbox"] == mailbox)
        // A start catches up from its baseline once subscribed, so an item made right after
        // the subscription may come once more as a catch-up; every change must still come as a
        // notification, in order.
        .filter(|l| l["origin"] != "catchUp")
        .map(|l| {
            let keys: Vec<&str> = l.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys, KEYS, "{l}");
            assert_eq!(l["origin"], "notification", "{l}");
            assert!(l["position"].is_object(), "{l}");
            let e = &l["event"];
            let id = e["itemId"]["id"].as_str().or(e["folderId"]["id"].as_str());
            (
                e["kind"].as_str().unwrap().to_string(),
                id.unwrap().to_string(),
            )
        })
        .collect()
}

async fn lines(cli: &mut Running, n: usize) -> Vec<Value> {
    let mut got = Vec::new();
    for _ in 0..n {
        got.push(cli.line().await);
    }
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_streaming_prints_each_mailboxs_events_in_order() {
    let sim = simulator(Config::default()).await;
    let url = sim.url();
    let mut cli = spawn(
        &[
            "watch",
            "--url",
            &url,
            "--user",
            "svc",
            "--password-env",
            "EWS_TEST_PASSWORD",
            "--mode",
            "streaming",
            "--mailbox",
            ALICE,
            "--mailbox",
            BOB,
            "--count",
            "8",
        ],
        &[("EWS_TEST_PASSWORD", "secret")],
    );
    subscribed(&sim, 2, &cli).await;
    let a = sim.create_item(ALICE, NewItem::single("a")).unwrap();
    let b = sim.create_item(BOB, NewItem::single("b")).unwrap();
    sim.modify_item(ALICE, &a.id, "a (moved)").unwrap();
    sim.delete_item(BOB, &b.id);
    // Each change is an item event and a folder event: 4 per mailbox.
    let got = lines(&mut cli, 8).await;
    assert_eq!(cli.exit_code().await, Some(0), "stderr: {}", cli.stderr());
    let alice = printed(&got, ALICE);
    assert_eq!(alice, generated(&sim, ALICE));
    assert_eq!(alice[0], ("created".to_string(), a.id.clone()));
    assert_eq!(alice[2], ("modified".to_string(), a.id));
    let bob = printed(&got, BOB);
    assert_eq!(bob, generated(&sim, BOB));
    assert_eq!(bob[2], ("deleted".to_string(), b.id));
    // The event is the parser's canonical event JSON, with its own watermark key.
    assert!(
        got[0]["event"]
            .as_object()
            .unwrap()
            .contains_key("watermark")
    );
    // Streaming positions carry the baseline sync state taken before subscribing.
    assert!(got[0]["position"]["syncState"].is_string(), "{:?}", got[0]);
    // Streaming subscriptions have no watermark: a resumption starts from the sync state.
    assert_eq!(
        got[0]["position"]["resumeFrom"], "syncState",
        "{:?}",
        got[0]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_pull_with_a_bearer_token_prints_positions_to_resume_from() {
    let sim = simulator(Config {
        bearer_token: Some("tok-1".into()),
        ..Config::default()
    })
    .await;
    let url = sim.url();
    let mut cli = spawn(
        &[
            "watch",
            "--url",
            &url,
            "--bearer-env",
            "EWS_TEST_TOKEN",
            "--mode",
            "pull",
            "--poll-ms",
            "100",
            "--mailbox",
            ALICE,
            "--count",
            "4",
        ],
        &[("EWS_TEST_TOKEN", "tok-1")],
    );
    subscribed(&sim, 1, &cli).await;
    let a = sim.create_item(ALICE, NewItem::single("a")).unwrap();
    sim.modify_item(ALICE, &a.id, "a2").unwrap();
    let got = lines(&mut cli, 4).await;
    assert_eq!(cli.exit_code().await, Some(0), "stderr: {}", cli.stderr());
    assert_eq!(printed(&got, ALICE), generated(&sim, ALICE));
    // Pull positions are the event's own watermark, and they move forward.
    let marks: Vec<&str> = got
        .iter()
        .map(|l| l["position"]["watermark"].as_str().unwrap())
        .collect();
    for (l, m) in got.iter().zip(&marks) {
        assert_eq!(l["event"]["watermark"].as_str(), Some(*m));
        assert_eq!(l["position"]["resumeFrom"], "watermark", "{l:?}");
    }
    let mut unique = marks.clone();
    unique.dedup();
    assert_eq!(unique.len(), 4, "{marks:?}");
    assert_eq!(sim.stats().unauthorized, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_impersonates_each_mailbox_for_a_service_account() {
    // The simulator refuses any request that opens a mailbox without impersonating it.
    let sim = simulator(Config {
        require_impersonation: true,
        ..Config::default()
    })
    .await;
    let url = sim.url();
    let mut cli = spawn(
        &[
            "watch",
            "--url",
            &url,
            "--user",
            "svc",
            "--password-env",
            "EWS_TEST_PASSWORD",
            "--impersonate",
            "--mailbox",
            ALICE,
            "--mailbox",
            BOB,
            "--count",
            "4",
        ],
        &[("EWS_TEST_PASSWORD", "secret")],
    );
    subscribed(&sim, 2, &cli).await;
    sim.create_item(ALICE, NewItem::single("a")).unwrap();
    sim.create_item(BOB, NewItem::single("b")).unwrap();
    let got = lines(&mut cli, 4).await;
    assert_eq!(cli.exit_code().await, Some(0), "stderr: {}", cli.stderr());
    assert_eq!(printed(&got, ALICE), generated(&sim, ALICE));
    assert_eq!(printed(&got, BOB), generated(&sim, BOB));
    let stats = sim.stats();
    assert_eq!(stats.impersonation_refusals, 0, "{stats:?}");
    assert_eq!(stats.anchor_mismatches, 0, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_fails_with_exit_4_when_the_token_is_refused() {
    let sim = simulator(Config {
        bearer_token: Some("right".into()),
        ..Config::default()
    })
    .await;
    let url = sim.url();
    let mut cli = spawn(
        &[
            "watch",
            "--url",
            &url,
            "--bearer-env",
            "EWS_TEST_TOKEN",
            "--mode",
            "pull",
            "--mailbox",
            ALICE,
        ],
        &[("EWS_TEST_TOKEN", "wrong")],
    );
    assert_eq!(cli.exit_code().await, Some(4), "a server failure");
    let stderr = cli.stderr();
    assert!(
        stderr.contains(&format!("failed {ALICE}: authentication failed")),
        "{stderr}"
    );
    assert!(sim.stats().unauthorized >= 2, "asked once, refreshed once");
}

#[test]
fn watch_refuses_a_missing_password_variable() {
    let out = Command::new(env!("CARGO_BIN_EXE_ews-notify"))
        .args([
            "watch",
            "--url",
            "http://127.0.0.1:9/EWS/Exchange.asmx",
            "--user",
            "u",
            "--password-env",
            "EWS_TEST_UNSET_VARIABLE",
            "--mailbox",
            ALICE,
        ])
        .env_remove("EWS_TEST_UNSET_VARIABLE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a usage error");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("EWS_TEST_UNSET_VARIABLE is not set"),
        "{stderr}"
    );
}

/// `listen` on 127.0.0.1 behind the secret in `EWS_TEST_SECRET` for BOB, until `count`
/// events.
fn listen_args<'a>(url: &'a str, count: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "listen",
        "--bind",
        "127.0.0.1",
        "--port",
        "0",
        "--secret-env",
        "EWS_TEST_SECRET",
        "--url",
        url,
        "--mailbox",
        BOB,
        "--count",
        count,
    ];
    args.extend_from_slice(extra);
    args
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_receives_push_notifications_behind_its_secret() {
    let sim = simulator(Config::default()).await;
    let url = sim.url();
    let mut cli = spawn(
        &listen_args(&url, "4", &[]),
        &[("EWS_TEST_SECRET", "s3cret")],
    );
    subscribed(&sim, 1, &cli).await;
    let b = sim.create_item(BOB, NewItem::single("b")).unwrap();
    sim.modify_item(BOB, &b.id, "b2").unwrap();
    let got = lines(&mut cli, 4).await;
    assert_eq!(cli.exit_code().await, Some(0), "stderr: {}", cli.stderr());
    let bob = printed(&got, BOB);
    assert_eq!(bob, generated(&sim, BOB));
    assert_eq!(bob[0], ("created".to_string(), b.id));
    let stderr = cli.stderr();
    let listening = stderr
        .lines()
        .find_map(|l| l.strip_prefix("listening at "))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        listening.starts_with("http://127.0.0.1:") && listening.ends_with("/<secret>"),
        "{listening}"
    );
    assert!(
        !stderr.contains("s3cret"),
        "the secret is never printed: {stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_serves_https_with_tls_cert_and_key() {
    let pki = ews_sim::tls::TestPki::new().unwrap();
    let dir = std::env::temp_dir().join(format!("ews-notify-listen-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, &pki.certificate_pem).unwrap();
    std::fs::write(&key, &pki.key_pem).unwrap();
    let sim = simulator(Config {
        push_ca_pem: Some(pki.ca_pem.clone()),
        ..Config::default()
    })
    .await;
    let url = sim.url();
    let (cert, key) = (cert.display().to_string(), key.display().to_string());
    let mut cli = spawn(
        &listen_args(&url, "2", &["--tls-cert", &cert, "--tls-key", &key]),
        &[("EWS_TEST_SECRET", "s3cret")],
    );
    subscribed(&sim, 1, &cli).await;
    let b = sim.create_item(BOB, NewItem::single("b")).unwrap();
    let got = lines(&mut cli, 2).await;
    assert_eq!(cli.exit_code().await, Some(0), "stderr: {}", cli.stderr());
    assert_eq!(printed(&got, BOB)[0], ("created".to_string(), b.id));
    let stderr = cli.stderr();
    assert!(
        stderr.contains("listening at https://127.0.0.1:"),
        "{stderr}"
    );
    assert!(sim.stats().push_deliveries >= 1);
}

#[test]
fn listen_refuses_a_secret_that_is_not_a_path_segment() {
    let out = Command::new(env!("CARGO_BIN_EXE_ews-notify"))
        .args([
            "listen",
            "--port",
            "0",
            "--secret-env",
            "EWS_TEST_SECRET",
            "--url",
            "http://127.0.0.1:9/",
            "--mailbox",
            ALICE,
        ])
        .env("EWS_TEST_SECRET", "a/b")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "a secret that is not a path segment is a usage error"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--secret-env"), "{stderr}");
    assert!(
        !stderr.contains("a/b"),
        "the secret is never printed: {stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_takes_its_secret_from_a_file_never_from_argv() {
    // On the command line, the secret would show in `ps`: there is no option for it.
    let out = Command::new(env!("CARGO_BIN_EXE_ews-notify"))
        .args([
            "listen",
            "--port",
            "0",
            "--secret",
            "s3cret",
            "--url",
            "http://127.0.0.1:9/",
            "--mailbox",
            ALICE,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "clap refuses --secret");
    // From a file.
    let path = std::env::temp_dir().join(format!("ews-notify-secret-{}", std::process::id()));
    std::fs::write(&path, "from-a-file\n").unwrap();
    let sim = simulator(Config::default()).await;
    let url = sim.url();
    let file = path.display().to_string();
    let mut args = listen_args(&url, "1", &["--secret-file", &file]);
    // listen_args names --secret-env; take it out for this run.
    let at = args.iter().position(|a| *a == "--secret-env").unwrap();
    args.drain(at..at + 2);
    let mut cli = spawn(&args, &[]);
    subscribed(&sim, 1, &cli).await;
    let b = sim.create_item(BOB, NewItem::single("b")).unwrap();
    let got = lines(&mut cli, 1).await;
    assert_eq!(cli.exit_code().await, Some(0), "stderr: {}", cli.stderr());
    assert_eq!(printed(&got, BOB)[0], ("created".to_string(), b.id));
    let stderr = cli.stderr();
    assert!(!stderr.contains("from-a-file"), "never printed: {stderr}");
    let _ = std::fs::remove_file(&path);
    // Missing file: a clear error.
    let out = Command::new(env!("CARGO_BIN_EXE_ews-notify"))
        .args([
            "listen",
            "--port",
            "0",
            "--secret-file",
            "/nonexistent/secret",
        ])
        .args(["--url", "http://127.0.0.1:9/", "--mailbox", ALICE])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "an unreadable secret file is an I/O error"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/secret"));
}
