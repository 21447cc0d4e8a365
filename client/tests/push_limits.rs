//! The push listener against hostile clients: idle and slow connections are closed, a slow
//! body gets 408, open connections are capped, and no secret shows in `Debug`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use ews_notify_client::{Client, PushListener, PushOptions, Watch, listen_push};
use ews_sim::{Config, Simulator};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod common;

const MAILBOX: &str = "erin@example.com";
const SECRET: &str = "s3cret-path-segment";

async fn listener(options: impl FnOnce(&mut PushOptions)) -> (Simulator, PushListener) {
    let sim = Simulator::start(Config::default()).await.unwrap();
    sim.add_mailbox(MAILBOX);
    let client = Client::builder(sim.url()).build().unwrap();
    let mut o = PushOptions::new(([127, 0, 0, 1], 0).into(), SECRET);
    options(&mut o);
    let l = listen_push(&client, vec![Watch::calendar(MAILBOX)], o)
        .await
        .unwrap();
    (sim, l)
}

fn addr(l: &PushListener) -> String {
    l.url()
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string()
}

/// Reads until the peer closes (bounded: 5 s); returns what it sent.
async fn read_to_close(s: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out))
        .await
        .expect("the listener closed the connection")
        .unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_slow_header_connections_are_closed() {
    let (_sim, l) = listener(|o| o.header_timeout = Duration::from_millis(200)).await;
    // Opened, then silent.
    let mut idle = TcpStream::connect(addr(&l)).await.unwrap();
    read_to_close(&mut idle).await;
    // A head that never ends.
    let mut slow = TcpStream::connect(addr(&l)).await.unwrap();
    slow.write_all(b"POST / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    read_to_close(&mut slow).await;
    // Kept alive after an answer, then idle.
    let mut kept = TcpStream::connect(addr(&l)).await.unwrap();
    kept.write_all(b"POST /wrong HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        .await
        .unwrap();
    let answer = read_to_close(&mut kept).await;
    assert!(
        answer.starts_with(b"HTTP/1.1 404"),
        "answered first: {}",
        String::from_utf8_lossy(&answer)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_slower_than_its_timeout_gets_408() {
    let (_sim, l) = listener(|o| o.body_timeout = Duration::from_millis(200)).await;
    let mut s = TcpStream::connect(addr(&l)).await.unwrap();
    let head = format!("POST /{SECRET} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n<s:Env");
    s.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf))
        .await
        .expect("an answer")
        .unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_connections_are_capped() {
    let (_sim, l) = listener(|o| {
        o.max_connections = 2;
        o.header_timeout = Duration::from_secs(30);
    })
    .await;
    let wrong = format!("http://{}/wrong", addr(&l));
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut a = TcpStream::connect(addr(&l)).await.unwrap();
    let _b = TcpStream::connect(addr(&l)).await.unwrap();
    // Both places are taken: a third connection waits in the backlog, unanswered.
    let third = http
        .post(&wrong)
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(third.is_err(), "a third connection was served: {third:?}");
    // One place frees: served.
    a.shutdown().await.unwrap();
    drop(a);
    let fourth = http
        .post(&wrong)
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .unwrap();
    assert_eq!(fourth.status().as_u16(), 404);
}

#[test]
fn no_secret_shows_in_debug() {
    let o = PushOptions::new(([127, 0, 0, 1], 0).into(), SECRET);
    let text = format!("{o:?}");
    assert!(!text.contains(SECRET), "{text}");
    assert!(text.contains("<redacted>"), "{text}");
    let b = Client::builder("https://mail.example/EWS/Exchange.asmx")
        .basic("svc", "hunter2-password")
        .proxy("http://puser:proxy-password@proxy.example:3128");
    let text = format!("{b:?}");
    assert!(
        !text.contains("hunter2-password") && !text.contains("proxy-password"),
        "{text}"
    );
    assert!(text.contains("svc"), "the user may show: {text}");
    let c = Client::builder("https://mail.example/EWS/Exchange.asmx")
        .ntlm(r"CONTOSO\svc", "ntlm-password")
        .build()
        .unwrap();
    let text = format!("{c:?}");
    assert!(!text.contains("ntlm-password"), "{text}");
}
