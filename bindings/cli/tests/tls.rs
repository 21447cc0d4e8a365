//! `ews-notify watch --ca-file`: the EWS simulator (a test double) behind a TLS front whose
//! certificate a private CA made at test time. Without the CA the client refuses the server
//! (and says why, at once); with `--ca-file` it follows the mailbox.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use ews_sim::{Config, LogKind, NewItem, Simulator};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

const MAILBOX: &str = "frank@example.com";

/// A CA (its PEM) and a certificate it signed for 127.0.0.1 / localhost, with its key.
struct Pki {
    ca_pem: String,
    server: rustls::ServerConfig,
}

fn pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "ews-notify test CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let server = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        server,
    }
}

/// A TLS front on 127.0.0.1 that forwards each connection to `backend` in plain HTTP.
async fn tls_front(config: rustls::ServerConfig, backend: SocketAddr) -> SocketAddr {
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A refused handshake ends here: the client closed the connection.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut up) = tokio::net::TcpStream::connect(backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut up).await;
            });
        }
    });
    addr
}

fn backend(sim: &Simulator) -> SocketAddr {
    let url = sim.url();
    let host = url
        .strip_prefix("http://")
        .and_then(|r| r.split('/').next())
        .unwrap();
    host.parse().unwrap()
}

/// Runs `watch` in pull mode until `count` events; returns (exit code, stdout lines, stderr).
async fn watch(
    url: &str,
    ca_file: Option<&std::path::Path>,
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
    let mut child = Command::new(env!("CARGO_BIN_EXE_ews-notify"))
        .args(&args)
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
    let pki = pki();
    let front = tls_front(pki.server, backend(&sim)).await;
    let url = format!("https://127.0.0.1:{}/EWS/Exchange.asmx", front.port());

    // Without the CA: refused at the handshake, reported at once, nothing subscribed.
    let (code, lines, stderr) = watch(&url, None, 1, &sim).await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(lines.is_empty(), "{lines:?}");
    assert!(
        stderr.contains(&format!("failed {MAILBOX}: network error")),
        "{stderr}"
    );
    assert!(stderr.to_lowercase().contains("certificate"), "{stderr}");
    assert_eq!(sim.stats().requests, 0);

    // With the CA: the created item and the folder change arrive.
    let dir = std::env::temp_dir().join(format!("ews-notify-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, &pki.ca_pem).unwrap();
    let (code, lines, stderr) = watch(&url, Some(&ca_file), 2, &sim).await;
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
