//! An HTTP proxy that only tunnels (`CONNECT`), for tests of clients behind a corporate proxy:
//! it opens a TCP connection to the requested `host:port` on 127.0.0.1 and copies bytes both
//! ways, as squid does for TLS. Other methods get 405. With credentials set, a `CONNECT`
//! without the matching `Proxy-Authorization: Basic …` gets 407.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Longest request head the proxy reads.
const MAX_HEAD: usize = 16 * 1024;

/// A running tunnelling proxy.
pub struct ConnectProxy {
    addr: SocketAddr,
    tunnels: Arc<AtomicU64>,
    refused: Arc<AtomicU64>,
}

impl ConnectProxy {
    /// Starts the proxy on 127.0.0.1; with `credentials` (user, password) it requires them.
    /// It runs until the runtime stops.
    ///
    /// # Errors
    /// When the socket cannot be bound.
    pub async fn start(credentials: Option<(&str, &str)>) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let expected = credentials.map(|(user, password)| {
            format!("Basic {}", BASE64.encode(format!("{user}:{password}")))
        });
        let tunnels = Arc::new(AtomicU64::new(0));
        let refused = Arc::new(AtomicU64::new(0));
        let (t, r) = (tunnels.clone(), refused.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (expected, t, r) = (expected.clone(), t.clone(), r.clone());
                tokio::spawn(async move {
                    serve(client, expected.as_deref(), &t, &r).await;
                });
            }
        });
        Ok(Self {
            addr,
            tunnels,
            refused,
        })
    }

    /// `http://127.0.0.1:PORT`, for a client's proxy setting.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Tunnels opened so far.
    pub fn tunnels(&self) -> u64 {
        self.tunnels.load(Ordering::Relaxed)
    }

    /// Requests refused so far (407 or 405).
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

/// Serves one client connection, counting each tunnel when it opens and each refusal. `None`
/// when the client or the target went away first.
async fn serve(
    mut client: TcpStream,
    expected: Option<&str>,
    tunnels: &AtomicU64,
    refused: &AtomicU64,
) -> Option<()> {
    let head = read_head(&mut client).await?;
    let mut lines = head.split("\r\n");
    let mut request = lines.next()?.split(' ');
    let (method, target) = (request.next()?, request.next()?);
    // Each answer is counted before it is sent, so a client that has it sees it counted.
    if method != "CONNECT" {
        refused.fetch_add(1, Ordering::Relaxed);
        let _ = client
            .write_all(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            .await;
        return Some(());
    }
    if let Some(expected) = expected {
        let given = lines.find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("proxy-authorization")
                .then(|| value.trim())
        });
        if given != Some(expected) {
            refused.fetch_add(1, Ordering::Relaxed);
            let _ = client
                .write_all(
                    b"HTTP/1.1 407 Proxy Authentication Required\r\n\
                      Proxy-Authenticate: Basic realm=\"ews-sim\"\r\nContent-Length: 0\r\n\r\n",
                )
                .await;
            return Some(());
        }
    }
    // Loopback only: the host part is not resolved, whatever it names.
    let port: u16 = target.rsplit_once(':')?.1.parse().ok()?;
    let mut upstream = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
    tunnels.fetch_add(1, Ordering::Relaxed);
    client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await
        .ok()?;
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
    Some(())
}

/// Reads up to the blank line that ends a request head (the client sends nothing after it
/// before the proxy answers).
async fn read_head(client: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() >= MAX_HEAD || client.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    String::from_utf8(head).ok()
}
