//! `ews-notify watch --ca-file`: the EWS simulator (a test double) behind a TLS front whose
//! certificate a private CA made at test time. Without the CA the client refuses the server
//! (and says why, at once); with `--ca-file` it follows the mailbox, with `--ntlm` too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use ews_sim::proxy::ConnectProxy;
use ews_sim::tls::{TestPki, tls_front};
use ews_sim::{Config, LogKind, NewItem, NtlmAccount, Simulator};

const MAILBOX: &str = "frank@example.com";
const PASSWORD: &str = "Winter2026!";

/// Writes the CA of `pki` to a file for `--ca-file`.
fn ca_file(pki: &TestPki, name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ews-notify-tls-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("ca.pem");
    std::fs::write(&path, &pki.ca_pem).unwrap();
    path
}

/// Runs `watch` in pull mode until `count` events; returns (exit code, stdout lines, stderr).
async fn watch(
    url: &str,
    ca_file: Option<&std::path::Path>,
    extra: &[&str],
    count: u32,
    sim: &Simulator,
) -> (Option<i32>, Vec<String>, String) {
    let mut args = vec![
        "watch".to_string(),
        "--url".into(),
        url.into(),
        "--mode".into(),
        "pull".into(),
        "--poll-ms".into(),
        "100".into(),
        "--mailbox".into(),
        MAILBOX.into(),
        "--count".into(),
        count.to_string(),
    ];
    if let Some(f) = ca_file {
        args.push("--ca-file".into());
        args.push(f.display().to_string());
    }
    args.extend(extra.iter().map(ToString::to_string));
    let mut child = Command::new(env!("CARGO_BIN_EXE_ews-notify"))
        .args(&args)
        .env("EWS_TEST_PASSWORD", PASSWORD)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<_>>()
    });
    // Make the changes once the subscription is up (a refused client never subscribes).
    let before = sim.stats().subscriptions;
    for _ in 0..200 {
        if sim.stats().subscriptions > before || child.try_wait().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if sim.stats().subscriptions > before {
        let item = sim
            .create_item(MAILBOX, NewItem::single("over TLS"))
            .unwrap();
        assert_eq!(item.subject, "over TLS");
    }
    let mut code = None;
    for _ in 0..300 {
        if let Some(status) = child.try_wait().unwrap() {
            code = Some(status.code());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let Some(code) = code else {
        let _ = child.kill();
        panic!("watch still running after 15 s");
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    (code, reader.join().unwrap(), stderr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_trusts_a_private_ca_only_with_ca_file() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = Simulator::start(Config::default()).await.unwrap();
    sim.add_mailbox(MAILBOX);
    let pki = TestPki::new().unwrap();
    let front = tls_front(&pki, sim.addr()).await.unwrap();
    let url = format!("https://127.0.0.1:{}/EWS/Exchange.asmx", front.port());

    // Without the CA: refused at the handshake, reported at once, nothing subscribed.
    let (code, lines, stderr) = watch(&url, None, &[], 1, &sim).await;
    assert_eq!(code, Some(4), "a server failure: {stderr}");
    assert!(lines.is_empty(), "{lines:?}");
    assert!(
        stderr.contains(&format!("failed {MAILBOX}: network error")),
        "{stderr}"
    );
    assert!(stderr.to_lowercase().contains("certificate"), "{stderr}");
    assert_eq!(sim.stats().requests, 0);

    // With the CA: the created item and the folder change arrive.
    let ca = ca_file(&pki, "basic");
    let (code, lines, stderr) = watch(&url, Some(&ca), &[], 2, &sim).await;
    assert_eq!(code, Some(0), "{stderr}");
    let generated = sim.generated(MAILBOX);
    assert_eq!(generated.len(), 2);
    assert_eq!(generated[0].kind, LogKind::Created);
    let first: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(first["event"]["kind"], "created");
    assert_eq!(
        first["event"]["itemId"]["id"].as_str(),
        generated[0].item_id.as_deref()
    );
    assert_eq!(lines.len(), 2);
    assert!(sim.stats().requests > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_ntlm_authenticates_with_the_connections_channel_bindings() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let pki = TestPki::new().unwrap();
    let sim = Simulator::start(Config {
        ntlm: Some(NtlmAccount {
            domain: "CONTOSO".into(),
            user: "svc-sync".into(),
            password: PASSWORD.into(),
            channel_binding_certificate: Some(pki.certificate_der.clone()),
        }),
        ..Config::default()
    })
    .await
    .unwrap();
    sim.add_mailbox(MAILBOX);
    let front = tls_front(&pki, sim.addr()).await.unwrap();
    let url = format!("https://localhost:{}/EWS/Exchange.asmx", front.port());
    let ca = ca_file(&pki, "ntlm");
    let login = [
        "--user",
        r"CONTOSO\svc-sync",
        "--password-env",
        "EWS_TEST_PASSWORD",
    ];

    // As Basic, the same credentials get nowhere: the server wants NTLM.
    let (code, lines, stderr) = watch(&url, Some(&ca), &login, 1, &sim).await;
    assert_eq!(code, Some(4), "a server failure: {stderr}");
    assert!(lines.is_empty(), "{lines:?}");
    assert!(stderr.contains("refused the credentials"), "{stderr}");

    let ntlm = [login.as_slice(), &["--ntlm"]].concat();
    let (code, lines, stderr) = watch(&url, Some(&ca), &ntlm, 2, &sim).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(lines.len(), 2, "{lines:?}");
    let first: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(first["event"]["kind"], "created");
    let stats = sim.stats();
    assert_eq!(stats.ntlm_authentications, 1, "{stats:?}");
    assert_eq!(stats.ntlm_channel_bindings_verified, 1, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_goes_through_the_proxy_it_is_given() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = Simulator::start(Config::default()).await.unwrap();
    sim.add_mailbox(MAILBOX);
    let pki = TestPki::new().unwrap();
    let front = tls_front(&pki, sim.addr()).await.unwrap();
    let proxy = ConnectProxy::start(None).await.unwrap();
    let url = format!("https://localhost:{}/EWS/Exchange.asmx", front.port());
    let ca = ca_file(&pki, "proxy");
    let (code, lines, stderr) = watch(&url, Some(&ca), &["--proxy", &proxy.url()], 2, &sim).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(lines.len(), 2, "{lines:?}");
    // Basic goes through reqwest, which tunnels https:// requests with CONNECT too.
    assert!(proxy.tunnels() >= 1);
}
