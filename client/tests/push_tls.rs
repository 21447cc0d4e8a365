//! The push listener serving HTTPS with a certificate of a private CA, and the simulator (a
//! test double) delivering to it as Exchange does when it trusts that CA.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use ews_notify_client::{Client, ListenerTls, PushOptions, Update, Watch, listen_push};
use ews_sim::tls::TestPki;
use ews_sim::{Config, NewItem, Simulator};

mod common;
use common::{events, stats_until, subscribed};

const MAILBOX: &str = "kim@example.com";

fn options(pki: &TestPki) -> PushOptions {
    let mut options = PushOptions::new(([127, 0, 0, 1], 0).into(), "s3cret-path");
    options.tls = Some(ListenerTls {
        certificate_chain_pem: pki.certificate_pem.clone().into_bytes(),
        private_key_pem: pki.key_pem.clone().into_bytes(),
    });
    options
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_arrive_over_https_while_a_handshake_stalls() {
    let pki = TestPki::new().unwrap();
    let sim = Simulator::start(Config {
        push_ca_pem: Some(pki.ca_pem.clone()),
        ..Config::default()
    })
    .await
    .unwrap();
    sim.add_mailbox(MAILBOX);
    let client = Client::builder(sim.url()).build().unwrap();
    let mut listener = listen_push(&client, vec![Watch::calendar(MAILBOX)], options(&pki))
        .await
        .unwrap();
    let url = listener.url().to_string();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    assert!(url.ends_with("/s3cret-path"), "{url}");
    subscribed(&sim, 1).await;

    // A client that connects and never says a word holds up nobody.
    let port = url
        .trim_start_matches("https://127.0.0.1:")
        .split('/')
        .next();
    let port: u16 = port.unwrap().parse().unwrap();
    let stalled = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();

    let item = sim
        .create_item(MAILBOX, NewItem::single("over TLS"))
        .unwrap();
    let got = events(&mut listener.streams[0], 2).await;
    let delivered = got.iter().any(|u| {
        matches!(u, Update::Event(d)
            if d.event.item_id.as_ref().is_some_and(|i| i.id == item.id))
    });
    assert!(delivered, "{got:#?}");
    // Counted once the simulator has read the listener's OK.
    stats_until(&sim, |s| s.push_deliveries >= 1).await;
    // And the stalled handshake is still pending (not timed out and closed), so the
    // notification did not wait for it.
    let mut buf = [0u8; 1];
    let pending = stalled.try_read(&mut buf);
    assert!(
        matches!(&pending, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "{pending:?}"
    );

    // Plain HTTP gets no answer from the TLS port.
    let plain = reqwest::Client::new()
        .post(url.replace("https://", "http://"))
        .timeout(Duration::from_secs(5))
        .body("<x/>")
        .send()
        .await;
    assert!(plain.is_err(), "{plain:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_that_is_no_key_is_refused_before_anything_is_subscribed() {
    let pki = TestPki::new().unwrap();
    let sim = Simulator::start(Config::default()).await.unwrap();
    sim.add_mailbox(MAILBOX);
    let client = Client::builder(sim.url()).build().unwrap();
    let mut options = options(&pki);
    if let Some(tls) = options.tls.as_mut() {
        tls.private_key_pem =
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".to_vec();
    }
    let Err(e) = listen_push(&client, vec![Watch::calendar(MAILBOX)], options).await else {
        panic!("a listener started with a broken key");
    };
    assert!(e.to_string().contains("listener TLS"), "{e}");
    assert_eq!(sim.stats().subscriptions, 0);
}
