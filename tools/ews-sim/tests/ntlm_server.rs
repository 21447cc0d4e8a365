//! The simulator's NTLM over HTTP, byte by byte: hand-written HTTP/1.1 on raw TCP connections,
//! so it is clear which connection each request goes over (an HTTP client's pool would hide
//! that). NTLM authenticates a connection: NEGOTIATE → CHALLENGE → AUTHENTICATE on one, then
//! requests on it need no credentials, and the same AUTHENTICATE on another is refused.
//! The AUTHENTICATE comes from a small client written here from [MS-NLMP] sections 2.2.1 and
//! 3.3.2.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ews_notify::request::{EventType, FolderId, GetEventsRequest, SubscribeRequest};
use ews_sim::{Config, Fault, NtlmAccount, Simulator};
use hmac::{Hmac, KeyInit, Mac};
use md4::{Digest, Md4};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const MAILBOX: &str = "ntlm@example.com";
const USER: &str = "svc-sync";
const DOMAIN: &str = "CONTOSO";
const PASSWORD: &str = "Sommer2026!";

// --- HTTP/1.1 by hand. ---

/// One answer: status, headers (names lower case), body.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// One TCP connection to the simulator.
struct Connection {
    stream: TcpStream,
    read: Vec<u8>,
}

impl Connection {
    async fn open(sim: &Simulator) -> Self {
        Self {
            stream: TcpStream::connect(sim.addr()).await.unwrap(),
            read: Vec::new(),
        }
    }

    /// POSTs `body` with an optional `Authorization` and reads the answer by Content-Length.
    async fn post(&mut self, authorization: Option<&str>, body: &str) -> Reply {
        let mut head = format!(
            "POST /EWS/Exchange.asmx HTTP/1.1\r\nHost: 127.0.0.1\r\n\
             Content-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\n",
            body.len()
        );
        if let Some(a) = authorization {
            head.push_str(&format!("Authorization: {a}\r\n"));
        }
        head.push_str("\r\n");
        self.stream.write_all(head.as_bytes()).await.unwrap();
        self.stream.write_all(body.as_bytes()).await.unwrap();
        tokio::time::timeout(Duration::from_secs(10), self.reply())
            .await
            .expect("an answer within 10 s")
    }

    async fn reply(&mut self) -> Reply {
        let end = loop {
            if let Some(i) = self.read.windows(4).position(|w| w == b"\r\n\r\n") {
                break i;
            }
            self.fill().await;
        };
        let head = String::from_utf8(self.read[..end].to_vec()).unwrap();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .map(|l| {
                let (n, v) = l.split_once(':').unwrap();
                (n.trim().to_ascii_lowercase(), v.trim().to_string())
            })
            .collect();
        let len: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .map(|(_, v)| v.parse().unwrap())
            .expect("answers carry Content-Length");
        while self.read.len() < end + 4 + len {
            self.fill().await;
        }
        let body = self.read[end + 4..end + 4 + len].to_vec();
        self.read.drain(..end + 4 + len);
        Reply {
            status,
            headers,
            body,
        }
    }

    async fn fill(&mut self) {
        let mut chunk = [0u8; 4096];
        let n = self.stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the server closed the connection");
        self.read.extend_from_slice(&chunk[..n]);
    }

    /// True when the server has closed its side (read sees end of stream).
    async fn closed_by_server(&mut self) -> bool {
        let mut chunk = [0u8; 16];
        let read = tokio::time::timeout(Duration::from_secs(5), self.stream.read(&mut chunk));
        matches!(read.await, Ok(Ok(0)) | Ok(Err(_)))
    }
}

// --- An NTLMv2 client, just enough for the test. ---

type HmacMd5 = Hmac<md5::Md5>;

fn hmac_md5(key: &[u8], parts: &[&[u8]]) -> [u8; 16] {
    let mut mac = <HmacMd5 as KeyInit>::new_from_slice(key).unwrap();
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

const FLAGS: u32 = 0x0000_0001 // UNICODE
    | 0x0000_0004 // REQUEST_TARGET
    | 0x0000_0200 // NTLM
    | 0x0000_8000 // ALWAYS_SIGN
    | 0x0008_0000 // EXTENDED_SESSIONSECURITY
    | 0x0200_0000 // VERSION
    | 0x2000_0000 // 128
    | 0x8000_0000; // 56

fn negotiate() -> Vec<u8> {
    [
        &b"NTLMSSP\0"[..],
        &1u32.to_le_bytes(),
        &FLAGS.to_le_bytes(),
        &[0; 16],
        &[10, 0, 0x61, 0x4a, 0, 0, 0, 15],
    ]
    .concat()
}

/// The AUTHENTICATE answering `challenge`, with a MIC over the three messages.
fn authenticate(negotiate: &[u8], challenge: &[u8]) -> Vec<u8> {
    assert_eq!(&challenge[..12], b"NTLMSSP\0\x02\0\0\0", "a CHALLENGE");
    let server_challenge = &challenge[24..32];
    let flags = u32::from_le_bytes(challenge[20..24].try_into().unwrap());
    let info_len = usize::from(u16::from_le_bytes([challenge[40], challenge[41]]));
    let info_at = u32::from_le_bytes(challenge[44..48].try_into().unwrap()) as usize;
    let info = &challenge[info_at..info_at + info_len];
    // The server's pairs without EOL, MsvAvFlags = MIC present, EOL.
    let pairs = [&info[..info.len() - 4], &[6, 0, 4, 0, 2, 0, 0, 0], &[0; 4]].concat();
    let temp = [
        &[1, 1, 0, 0, 0, 0, 0, 0][..],
        &[0; 8],
        &[0x5a; 8],
        &[0; 4],
        &pairs,
        &[0; 4],
    ]
    .concat();
    let nt_hash: [u8; 16] = Md4::digest(utf16(PASSWORD)).into();
    let key = hmac_md5(&nt_hash, &[&utf16(&USER.to_uppercase()), &utf16(DOMAIN)]);
    let proof = hmac_md5(&key, &[server_challenge, &temp]);
    let session_key = hmac_md5(&key, &[&proof]);
    let payload = [
        vec![0; 24],
        [&proof[..], &temp].concat(),
        utf16(DOMAIN),
        utf16(USER),
        utf16("WS01"),
        Vec::new(),
    ];
    let mut msg = Vec::new();
    msg.extend_from_slice(b"NTLMSSP\0");
    msg.extend_from_slice(&3u32.to_le_bytes());
    let mut at = 88u32;
    for part in &payload {
        let len = u16::try_from(part.len()).unwrap();
        msg.extend_from_slice(&len.to_le_bytes());
        msg.extend_from_slice(&len.to_le_bytes());
        msg.extend_from_slice(&at.to_le_bytes());
        at += u32::from(len);
    }
    msg.extend_from_slice(&(flags & !0x4000_0000).to_le_bytes()); // no KEY_EXCH
    msg.extend_from_slice(&[10, 0, 0x61, 0x4a, 0, 0, 0, 15]);
    msg.extend_from_slice(&[0; 16]);
    msg.extend_from_slice(&payload.concat());
    let mic = hmac_md5(&session_key, &[negotiate, challenge, &msg]);
    msg[72..88].copy_from_slice(&mic);
    msg
}

// --- The tests. ---

async fn simulator() -> Simulator {
    let sim = Simulator::start(Config {
        ntlm: Some(NtlmAccount {
            domain: DOMAIN.into(),
            user: USER.into(),
            password: PASSWORD.into(),
            channel_binding_certificate: None,
        }),
        ..Config::default()
    })
    .await
    .unwrap();
    sim.add_mailbox(MAILBOX);
    sim
}

fn subscribe() -> String {
    SubscribeRequest::pull(10)
        .folder(FolderId::distinguished("calendar").with_mailbox(MAILBOX))
        .event_type(EventType::Created)
        .build()
        .unwrap()
}

/// Runs NEGOTIATE → CHALLENGE → AUTHENTICATE (carrying `body`) on `conn`; returns the
/// AUTHENTICATE header value and the answer to it.
async fn handshake(conn: &mut Connection, body: &str) -> (String, Reply) {
    let negotiate = negotiate();
    // The negotiate leg carries no body, as clients send it.
    let challenge = conn
        .post(Some(&format!("NTLM {}", BASE64.encode(&negotiate))), "")
        .await;
    assert_eq!(challenge.status, 401, "{challenge:?}");
    let offered = challenge.all("www-authenticate");
    assert_eq!(offered.len(), 1, "one challenge: {offered:?}");
    let token = offered[0]
        .strip_prefix("NTLM ")
        .expect("in the client's scheme");
    let challenge = BASE64.decode(token).unwrap();
    let authorization = format!(
        "NTLM {}",
        BASE64.encode(authenticate(&negotiate, &challenge))
    );
    let answer = conn.post(Some(&authorization), body).await;
    (authorization, answer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ntlm_authenticates_one_connection_and_only_that_one() {
    let sim = simulator().await;
    let mut first = Connection::open(&sim).await;

    // Without credentials: both schemes offered, as IIS does.
    let offer = first.post(None, &subscribe()).await;
    assert_eq!(offer.status, 401);
    assert_eq!(offer.all("www-authenticate"), ["Negotiate", "NTLM"]);

    // The handshake, the Subscribe riding on the AUTHENTICATE.
    let (authorization, subscribed) = handshake(&mut first, &subscribe()).await;
    assert_eq!(
        subscribed.status,
        200,
        "{}",
        String::from_utf8_lossy(&subscribed.body)
    );
    let env = ews_notify::parse_notification(&subscribed.body).unwrap();
    let m = &env.body.response_messages()[0];
    let id = m.subscription_id.as_ref().unwrap().to_string();
    let watermark = m.watermark.as_ref().unwrap().to_string();

    // The connection is authenticated: no credentials needed on it any more.
    let get = GetEventsRequest::new(&id, &watermark).build().unwrap();
    let events = first.post(None, &get).await;
    assert_eq!(
        events.status,
        200,
        "{}",
        String::from_utf8_lossy(&events.body)
    );
    assert!(ews_notify::parse_notification(&events.body).is_ok());

    // The same AUTHENTICATE on another connection answers no CHALLENGE there: refused.
    let mut second = Connection::open(&sim).await;
    let replayed = second.post(Some(&authorization), &get).await;
    assert_eq!(replayed.status, 401);
    assert_eq!(replayed.all("www-authenticate"), ["Negotiate", "NTLM"]);
    // ... nor is that connection authenticated afterwards.
    assert_eq!(second.post(None, &get).await.status, 401);

    let stats = sim.stats();
    assert_eq!(stats.ntlm_authentications, 1, "{stats:?}");
    assert_eq!(stats.ntlm_mics_verified, 1, "{stats:?}");
    assert_eq!(stats.ntlm_failures, 1, "{stats:?}");
    assert_eq!(stats.subscriptions, 1, "{stats:?}");
    // Offer, CHALLENGE, the refused replay, and the request after it.
    assert_eq!(stats.unauthorized, 4, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_connection_takes_its_authentication_with_it() {
    let sim = simulator().await;
    let mut first = Connection::open(&sim).await;
    let (_, subscribed) = handshake(&mut first, &subscribe()).await;
    assert_eq!(subscribed.status, 200);

    sim.inject(Fault::ConnectionClose);
    let answer = first.post(None, &subscribe()).await;
    assert_eq!(answer.status, 200, "served, then closed");
    assert_eq!(answer.all("connection"), ["close"]);
    assert!(
        first.closed_by_server().await,
        "the server closes after Connection: close"
    );

    // A new connection starts unauthenticated and authenticates on its own.
    let mut second = Connection::open(&sim).await;
    assert_eq!(second.post(None, &subscribe()).await.status, 401);
    let (_, again) = handshake(&mut second, &subscribe()).await;
    assert_eq!(again.status, 200);
    let stats = sim.stats();
    assert_eq!(stats.ntlm_authentications, 2, "{stats:?}");
    assert_eq!(stats.ntlm_failures, 0, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_negotiate_on_an_authenticated_connection_starts_over() {
    let sim = simulator().await;
    let mut conn = Connection::open(&sim).await;
    let (_, first) = handshake(&mut conn, &subscribe()).await;
    assert_eq!(first.status, 200);
    let (_, second) = handshake(&mut conn, &subscribe()).await;
    assert_eq!(second.status, 200);
    assert_eq!(sim.stats().ntlm_authentications, 2);
}
