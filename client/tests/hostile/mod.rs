//! A hostile front for the simulator: a small HTTP server on 127.0.0.1 that forwards each EWS
//! request to a [`ews_sim::Simulator`] when told to behave, and otherwise misbehaves the way a
//! broken server or proxy does (hangs before the headers, trickles bytes, sends an endless
//! body, answers 500 / 502 / HTML, cuts a body short, says `MoreEvents` or
//! `IncludesLastItemInRange=false` forever). It counts the requests it receives, so tests can
//! bound the client's request rate by counts.
//!
//! The HTTP side is written by hand on a `TcpStream` (one request per connection, then
//! `Connection: close`): a misbehaving server must be free to break HTTP itself.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the front misbehaves for the requests a [`Rule`] covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misbehaviour {
    /// Reads the request and never answers (the connection stays open).
    Hang,
    /// Answers 200 with a chunked body, then one space every 5 ms, forever.
    Trickle,
    /// Answers 200 with a chunked body of 64 KiB chunks of spaces, forever, as fast as read.
    Endless,
    /// Answers this status with an HTML page (a proxy's error page).
    Status(u16),
    /// Answers 200 with an HTML page.
    Html,
    /// Forwards, then sends half of the simulator's body under the full `Content-Length` and
    /// closes the connection.
    Cut,
    /// GetEvents: forwards, and rewrites `MoreEvents` to `true`.
    MoreEventsForever,
    /// SyncFolderItems: answers the request's own sync state back, no changes and
    /// `IncludesLastItemInRange=false`.
    SyncNeverEnds,
}

/// A misbehaviour and the EWS operations it applies to (all when `kinds` is empty).
#[derive(Debug, Clone)]
pub struct Rule {
    pub kinds: Vec<&'static str>,
    pub what: Misbehaviour,
}

struct Shared {
    upstream: String,
    http: reqwest::Client,
    rule: Mutex<Option<Rule>>,
    counts: Mutex<HashMap<&'static str, u64>>,
    total: AtomicU64,
    hostile: AtomicU64,
    open: AtomicU64,
    peak_open: AtomicU64,
}

/// The running front.
#[derive(Clone)]
pub struct Hostile {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

/// The EWS operations the front tells apart, by the body's first element.
const KINDS: [&str; 7] = [
    "GetStreamingEvents",
    "GetEvents",
    "SyncFolderItems",
    "Subscribe",
    "Unsubscribe",
    "GetItem",
    "FindItem",
];

fn kind_of(body: &[u8]) -> &'static str {
    let text = String::from_utf8_lossy(body);
    KINDS
        .iter()
        .filter_map(|k| text.find(&format!(":{k}>")).map(|at| (at, *k)))
        .min()
        .map_or("other", |(_, k)| k)
}

impl Hostile {
    /// Starts a front for the EWS endpoint `upstream` (the simulator's URL), behaving.
    pub async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            upstream,
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
            rule: Mutex::new(None),
            counts: Mutex::new(HashMap::new()),
            total: AtomicU64::new(0),
            hostile: AtomicU64::new(0),
            open: AtomicU64::new(0),
            peak_open: AtomicU64::new(0),
        });
        let s = shared.clone();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let s = s.clone();
                tokio::spawn(async move {
                    let open = s.open.fetch_add(1, Ordering::SeqCst) + 1;
                    s.peak_open.fetch_max(open, Ordering::SeqCst);
                    let _ = serve(&s, tcp).await;
                    s.open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Self { addr, shared }
    }

    /// The URL clients use instead of the simulator's.
    pub fn url(&self) -> String {
        format!("http://{}/EWS/Exchange.asmx", self.addr)
    }

    /// Misbehaves from now on for the `kinds` of request (all when empty).
    pub fn misbehave(&self, kinds: &[&'static str], what: Misbehaviour) {
        *self.shared.rule.lock().unwrap() = Some(Rule {
            kinds: kinds.to_vec(),
            what,
        });
    }

    /// Forwards everything from now on.
    pub fn behave(&self) {
        *self.shared.rule.lock().unwrap() = None;
    }

    /// Requests received so far, of every kind.
    pub fn total(&self) -> u64 {
        self.shared.total.load(Ordering::SeqCst)
    }

    /// Requests of `kind` received so far.
    pub fn count(&self, kind: &str) -> u64 {
        self.shared
            .counts
            .lock()
            .unwrap()
            .get(kind)
            .copied()
            .unwrap_or(0)
    }

    /// Requests that got a hostile answer so far.
    pub fn hostile_answers(&self) -> u64 {
        self.shared.hostile.load(Ordering::SeqCst)
    }

    /// Most connections open at once so far.
    pub fn peak_open(&self) -> u64 {
        self.shared.peak_open.load(Ordering::SeqCst)
    }
}

/// Reads one request: head and a `Content-Length` body.
async fn read_request(tcp: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = tcp.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let len = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < len {
        let n = tcp.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some((head, body))
}

async fn serve(s: &Shared, mut tcp: TcpStream) -> std::io::Result<()> {
    let Some((head, body)) = read_request(&mut tcp).await else {
        return Ok(());
    };
    let kind = kind_of(&body);
    s.total.fetch_add(1, Ordering::SeqCst);
    *s.counts.lock().unwrap().entry(kind).or_default() += 1;
    let rule = s
        .rule
        .lock()
        .unwrap()
        .clone()
        .filter(|r| r.kinds.is_empty() || r.kinds.contains(&kind));
    let Some(rule) = rule else {
        return forward(s, &mut tcp, &head, body, None).await;
    };
    s.hostile.fetch_add(1, Ordering::SeqCst);
    match rule.what {
        Misbehaviour::Hang => {
            // Keep the connection open until the client goes away.
            let mut sink = [0u8; 1024];
            while tcp.read(&mut sink).await? > 0 {}
            Ok(())
        }
        Misbehaviour::Trickle => {
            tcp.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n",
            )
            .await?;
            loop {
                tcp.write_all(b"1\r\n \r\n").await?;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
        Misbehaviour::Endless => {
            tcp.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n",
            )
            .await?;
            let mut piece = b"10000\r\n".to_vec();
            piece.extend(std::iter::repeat_n(b' ', 0x10000));
            piece.extend_from_slice(b"\r\n");
            loop {
                tcp.write_all(&piece).await?;
            }
        }
        Misbehaviour::Status(status) => html(&mut tcp, status).await,
        Misbehaviour::Html => html(&mut tcp, 200).await,
        what @ (Misbehaviour::Cut | Misbehaviour::MoreEventsForever) => {
            forward(s, &mut tcp, &head, body, Some(what)).await
        }
        Misbehaviour::SyncNeverEnds => {
            let text = String::from_utf8_lossy(&body);
            let state = text
                .split_once("<m:SyncState>")
                .and_then(|(_, rest)| rest.split_once("</m:SyncState>"))
                .map_or("hostile-state", |(state, _)| state)
                .to_string();
            let answer = format!(
                r#"<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:SyncFolderItemsResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages><m:SyncFolderItemsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:SyncState>{state}</m:SyncState><m:IncludesLastItemInRange>false</m:IncludesLastItemInRange><m:Changes/></m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse></s:Body></s:Envelope>"#
            );
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                answer.len()
            );
            tcp.write_all(head.as_bytes()).await?;
            tcp.write_all(answer.as_bytes()).await
        }
    }
}

async fn html(tcp: &mut TcpStream, status: u16) -> std::io::Result<()> {
    let page = "<html><body><h1>Bad gateway</h1><p>The proxy could not reach the server.</p></body></html>";
    let head = format!(
        "HTTP/1.1 {status} Hostile\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        page.len()
    );
    tcp.write_all(head.as_bytes()).await?;
    tcp.write_all(page.as_bytes()).await
}

/// Forwards the request to the simulator and relays its answer, chunk by chunk (streaming
/// answers included), changed as `what` says.
async fn forward(
    s: &Shared,
    tcp: &mut TcpStream,
    head: &str,
    body: Vec<u8>,
    what: Option<Misbehaviour>,
) -> std::io::Result<()> {
    let mut rb = s.http.post(&s.upstream).body(body);
    for line in head.lines().skip(1) {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let k = k.trim();
        if ["host", "content-length", "connection", "transfer-encoding"]
            .iter()
            .any(|h| k.eq_ignore_ascii_case(h))
        {
            continue;
        }
        rb = rb.header(k, v.trim());
    }
    let Ok(mut resp) = rb.send().await else {
        return html(tcp, 502).await;
    };
    let mut out = format!("HTTP/1.1 {} Relayed\r\n", resp.status().as_u16());
    for (k, v) in resp.headers() {
        if ["content-type", "set-cookie", "www-authenticate"].contains(&k.as_str()) {
            out.push_str(&format!("{}: {}\r\n", k, v.to_str().unwrap_or_default()));
        }
    }
    out.push_str("Connection: close\r\n");
    match what {
        Some(Misbehaviour::Cut) => {
            let whole = resp.bytes().await.unwrap_or_default();
            out.push_str(&format!("Content-Length: {}\r\n\r\n", whole.len().max(2)));
            tcp.write_all(out.as_bytes()).await?;
            tcp.write_all(&whole[..whole.len() / 2]).await?;
            tcp.shutdown().await
        }
        Some(Misbehaviour::MoreEventsForever) => {
            let whole = resp.bytes().await.unwrap_or_default();
            let text = String::from_utf8_lossy(&whole)
                .replace("MoreEvents>false<", "MoreEvents>true<")
                .into_bytes();
            out.push_str(&format!("Content-Length: {}\r\n\r\n", text.len()));
            tcp.write_all(out.as_bytes()).await?;
            tcp.write_all(&text).await
        }
        _ => {
            out.push_str("Transfer-Encoding: chunked\r\n\r\n");
            tcp.write_all(out.as_bytes()).await?;
            while let Ok(Some(c)) = resp.chunk().await {
                tcp.write_all(format!("{:x}\r\n", c.len()).as_bytes())
                    .await?;
                tcp.write_all(&c).await?;
                tcp.write_all(b"\r\n").await?;
            }
            tcp.write_all(b"0\r\n\r\n").await
        }
    }
}
