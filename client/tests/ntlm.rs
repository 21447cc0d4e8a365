//! The client's NTLM against the simulator (a test double) authenticating as IIS does: per
//! connection, NTLMv2 checked with the MIC, and over TLS with the connection's channel
//! bindings (Exchange's Extended Protection).
//!
//! The simulator's server side of NTLM (`tools/ews-sim/src/server/ntlm`) is written apart from
//! the client's codec (`auth::ntlm`) and shares no code with it: it computes the expected
//! NTLMv2 response, MIC and channel-binding hash on its own, so these tests are an independent
//! check of the codec, not the codec checking itself. Keep it that way: never make the
//! simulator call the client's NTLM code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use ews_notify_client::{
    Client, ClientBuilder, EventStream, StreamingOptions, Update, Watch, watch_pull,
    watch_streaming,
};
use ews_sim::proxy::ConnectProxy;
use ews_sim::tls::{TestPki, tls_front};
use ews_sim::{Config, Fault, NewItem, NtlmAccount, Simulator};

mod common;
use common::{events, stats_until, subscribed};

const PASSWORD: &str = "Sommer2026!";

fn account(certificate: Option<Vec<u8>>) -> NtlmAccount {
    NtlmAccount {
        domain: "CONTOSO".into(),
        user: "svc-sync".into(),
        password: PASSWORD.into(),
        channel_binding_certificate: certificate,
    }
}

/// A client logging on as the simulator's account, `CONTOSO\\svc-sync`, with `password`.
fn ntlm_client_with(url: impl Into<String>, password: &str) -> ClientBuilder {
    Client::builder(url).ntlm(r"CONTOSO\svc-sync", password)
}

/// A client logging on with the account's password.
fn ntlm_client(url: impl Into<String>) -> ClientBuilder {
    ntlm_client_with(url, PASSWORD)
}

/// Follows `mailbox`'s calendar by pulling every 50 ms.
fn poll(client: &Client, mailbox: &str) -> EventStream {
    watch_pull(client, Watch::calendar(mailbox), Duration::from_millis(50))
}

async fn simulator(account: NtlmAccount) -> Simulator {
    Simulator::start(Config {
        ntlm: Some(account),
        ..Config::default()
    })
    .await
    .unwrap()
}

fn event_ids(updates: &[Update]) -> Vec<String> {
    updates
        .iter()
        .filter_map(|u| match u {
            Update::Event(d) => d.event.item_id.as_ref().map(|i| i.id.to_string()),
            _ => None,
        })
        .collect()
}

/// Makes `n` items in `mailbox` and checks that `stream` delivers their creations.
async fn changes_arrive(sim: &Simulator, stream: &mut EventStream, mailbox: &str, n: usize) {
    let mut made = Vec::new();
    for i in 0..n {
        let item = sim
            .create_item(mailbox, NewItem::single(&format!("ntlm {i}")))
            .unwrap();
        made.push(item.id);
    }
    // Each creation is a Created event for the item (and a Modified of the folder).
    let updates = events(stream, 2 * n).await;
    let ids = event_ids(&updates);
    for id in &made {
        assert!(ids.contains(id), "{id} missing from {updates:#?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_authenticates_one_connection_once_and_keeps_using_it() {
    let sim = simulator(account(None)).await;
    sim.add_mailbox("ada@example.com");
    // The domain in lower case: Windows compares account names without regard to case.
    let client = Client::builder(sim.url())
        .ntlm(r"contoso\svc-sync", PASSWORD)
        .build()
        .unwrap();
    let mut stream = poll(&client, "ada@example.com");
    subscribed(&sim, 1).await;
    changes_arrive(&sim, &mut stream, "ada@example.com", 3).await;
    // Let the poll go on: the CHALLENGE leg, Subscribe and at least six GetEvents.
    let stats = stats_until(&sim, |s| s.requests >= 8).await;
    // Requests go one after another on one connection: it is authenticated once.
    assert_eq!(stats.ntlm_authentications, 1, "{stats:?}");
    // The simulator sends a timestamp, as Windows does, so every AUTHENTICATE carries a MIC.
    assert_eq!(stats.ntlm_mics_verified, 1, "{stats:?}");
    assert_eq!(stats.ntlm_failures, 0, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_the_server_closed_is_authenticated_again() {
    let sim = simulator(account(None)).await;
    sim.add_mailbox("bo@example.com");
    let client = ntlm_client(sim.url()).build().unwrap();
    let mut stream = poll(&client, "bo@example.com");
    subscribed(&sim, 1).await;
    changes_arrive(&sim, &mut stream, "bo@example.com", 1).await;
    assert_eq!(sim.stats().ntlm_authentications, 1);
    sim.inject(Fault::ConnectionClose);
    // The next answer closes the connection; the poll after it needs a new one.
    let stats = stats_until(&sim, |s| s.faults >= 1 && s.ntlm_authentications >= 2).await;
    assert_eq!(stats.ntlm_authentications, 2, "{stats:?}");
    assert_eq!(stats.ntlm_failures, 0, "{stats:?}");
    // And the new connection carries the mailbox's changes.
    changes_arrive(&sim, &mut stream, "bo@example.com", 2).await;
    assert_eq!(sim.stats().ntlm_authentications, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_stops_the_watch_with_an_authentication_error() {
    let sim = simulator(account(None)).await;
    sim.add_mailbox("cy@example.com");
    let client = ntlm_client_with(sim.url(), "wrong").build().unwrap();
    let mut stream = poll(&client, "cy@example.com");
    let updates = events(&mut stream, 1).await;
    let Some(Update::Failed { error, .. }) = updates.last() else {
        panic!("expected a failure, got {updates:#?}");
    };
    assert!(error.contains("refused the NTLM credentials"), "{error}");
    let stats = sim.stats();
    assert_eq!(stats.ntlm_authentications, 0, "{stats:?}");
    // Refused at once: a refused password is not tried again and again.
    assert_eq!(stats.ntlm_failures, 1, "{stats:?}");
    assert_eq!(stats.subscriptions, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streaming_runs_over_ntlm_connections() {
    let sim = simulator(account(None)).await;
    let mailboxes = ["di@example.com", "ed@example.com", "fay@example.com"];
    for m in mailboxes {
        sim.add_mailbox(m);
    }
    let client = ntlm_client(sim.url()).build().unwrap();
    let watches = mailboxes.iter().map(|m| Watch::calendar(*m)).collect();
    let mut streams = watch_streaming(&client, watches, StreamingOptions::default());
    subscribed(&sim, 3).await;
    for (m, stream) in mailboxes.iter().zip(streams.iter_mut()) {
        changes_arrive(&sim, stream, m, 2).await;
    }
    let stats = sim.stats();
    // The streaming connection holds one authenticated connection, the other calls another.
    assert!((1..=3).contains(&stats.ntlm_authentications), "{stats:?}");
    assert_eq!(stats.ntlm_failures, 0, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_tls_the_authentication_is_bound_to_the_servers_certificate() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let pki = TestPki::new().unwrap();
    let sim = simulator(account(Some(pki.certificate_der.clone()))).await;
    sim.add_mailbox("gil@example.com");
    let front = tls_front(&pki, sim.addr()).await.unwrap();
    let url = format!("https://localhost:{}/EWS/Exchange.asmx", front.port());
    let client = ntlm_client(url)
        .add_ca_pem(pki.ca_pem.clone())
        .build()
        .unwrap();
    let mut stream = poll(&client, "gil@example.com");
    subscribed(&sim, 1).await;
    changes_arrive(&sim, &mut stream, "gil@example.com", 2).await;
    let stats = sim.stats();
    assert_eq!(stats.ntlm_authentications, 1, "{stats:?}");
    assert_eq!(stats.ntlm_channel_bindings_verified, 1, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_authentication_relayed_through_another_tls_certificate_is_refused() {
    // The server expects the bindings of its own certificate; the client reached it through
    // a front with another one (as through a TLS-terminating man in the middle).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let servers = TestPki::new().unwrap();
    let relay = TestPki::new().unwrap();
    let sim = simulator(account(Some(servers.certificate_der.clone()))).await;
    sim.add_mailbox("hal@example.com");
    let front = tls_front(&relay, sim.addr()).await.unwrap();
    let url = format!("https://localhost:{}/EWS/Exchange.asmx", front.port());
    let client = ntlm_client(url)
        .add_ca_pem(relay.ca_pem.clone())
        .build()
        .unwrap();
    let mut stream = poll(&client, "hal@example.com");
    let updates = events(&mut stream, 1).await;
    assert!(
        matches!(updates.last(), Some(Update::Failed { error, .. }) if error.contains("NTLM")),
        "{updates:#?}"
    );
    let stats = sim.stats();
    assert_eq!(stats.ntlm_authentications, 0, "{stats:?}");
    assert_eq!(stats.ntlm_failures, 1, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_a_proxy_tunnel_the_bindings_are_still_the_servers() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let pki = TestPki::new().unwrap();
    let sim = simulator(account(Some(pki.certificate_der.clone()))).await;
    sim.add_mailbox("ivy@example.com");
    let front = tls_front(&pki, sim.addr()).await.unwrap();
    let proxy = ConnectProxy::start(None).await.unwrap();
    let url = format!("https://localhost:{}/EWS/Exchange.asmx", front.port());
    let client = ntlm_client(url)
        .add_ca_pem(pki.ca_pem.clone())
        .proxy(proxy.url())
        .build()
        .unwrap();
    let mut stream = poll(&client, "ivy@example.com");
    subscribed(&sim, 1).await;
    changes_arrive(&sim, &mut stream, "ivy@example.com", 2).await;
    // One tunnel, one authenticated connection inside it, bound to the server's certificate.
    assert_eq!(proxy.tunnels(), 1);
    let stats = sim.stats();
    assert_eq!(stats.ntlm_authentications, 1, "{stats:?}");
    assert_eq!(stats.ntlm_channel_bindings_verified, 1, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_that_wants_credentials_gets_those_of_the_proxy_url() {
    let sim = simulator(account(None)).await;
    sim.add_mailbox("jo@example.com");
    let proxy = ConnectProxy::start(Some(("squid", "pw"))).await.unwrap();
    let with = |proxy_url: String| ntlm_client(sim.url()).proxy(proxy_url).build().unwrap();

    // Without them: a 407, reported at once and not tried again and again.
    let client = with(proxy.url());
    let mut stream = poll(&client, "jo@example.com");
    let updates = events(&mut stream, 1).await;
    assert!(
        matches!(updates.last(), Some(Update::Failed { error, .. }) if error.contains("407")),
        "{updates:#?}"
    );
    assert_eq!(proxy.refused(), 1);
    assert_eq!(sim.stats().requests, 0);

    // With them, in the URL: a plain-http endpoint is tunnelled too.
    let url = proxy.url().replace("http://", "http://squid:pw@");
    let client = with(url);
    let mut stream = poll(&client, "jo@example.com");
    subscribed(&sim, 1).await;
    changes_arrive(&sim, &mut stream, "jo@example.com", 1).await;
    assert_eq!(proxy.tunnels(), 1);
    assert_eq!(sim.stats().ntlm_authentications, 1);
}
