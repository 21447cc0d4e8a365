//! Connections of our own for NTLM: one hyper HTTP/1.1 client per TCP (or TLS) connection, so
//! that the three handshake messages and the requests after them share the connection the
//! server authenticated.

use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper::header::{AUTHORIZATION, CONTENT_LENGTH, HOST, HeaderMap, WWW_AUTHENTICATE};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};

use super::failure::{Failure, classify};
use super::proxy::Route;
use crate::Error;
use crate::auth::ntlm::Credentials;
use crate::auth::ntlm::channel_binding::tls_server_end_point;
use crate::auth::ntlm::message::{Authenticate, Challenge, negotiate};

/// Where requests go, taken apart once.
struct Endpoint {
    /// Host to connect to (an IPv6 address without brackets).
    host: String,
    port: u16,
    /// `Host` header.
    authority: String,
    /// Path and query of the request line.
    path: String,
    /// `MsvAvTargetName`: `HTTP/host`.
    spn: String,
}

struct Connection {
    sender: SendRequest<Full<Bytes>>,
    authenticated: bool,
    /// `MsvAvChannelBindings` of this connection (zeros over plain HTTP).
    channel_bindings: [u8; 16],
}

type Idle = Arc<Mutex<Vec<Connection>>>;

/// What a request on a pooled, authenticated connection came to.
enum Reused {
    Answer(hyper::Response<Incoming>),
    /// The server wants the connection authenticated again.
    Unauthorized,
    /// The connection had closed; the request was not sent.
    Stale,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The NTLM-authenticated connections to one EWS endpoint.
pub(crate) struct Pool {
    credentials: Credentials,
    endpoint: Endpoint,
    /// The proxy tunnel connections go through, if any.
    route: Option<Route>,
    tls: Option<tokio_rustls::TlsConnector>,
    idle: Idle,
    max_idle: usize,
}

/// The HTTP authentication schemes that carry NTLM tokens. IIS offers both; `Negotiate`
/// accepts a raw NTLM token where only it is enabled.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Ntlm,
    Negotiate,
}

impl Scheme {
    fn name(self) -> &'static str {
        match self {
            Self::Ntlm => "NTLM",
            Self::Negotiate => "Negotiate",
        }
    }
}

impl Pool {
    /// A pool for `endpoint`; `tls` is required for `https://` endpoints. Connections go
    /// through `proxy`, else through the environment's proxy for the endpoint, if any.
    pub(crate) fn new(
        endpoint: &str,
        credentials: Credentials,
        tls: Option<Arc<rustls::ClientConfig>>,
        proxy: Option<&str>,
        max_idle: usize,
    ) -> Result<Self, Error> {
        let url = reqwest::Url::parse(endpoint).map_err(Error::network)?;
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            other => return Err(Error::Network(format!("unsupported URL scheme {other}"))),
        };
        let host_text = url.host_str().unwrap_or_default();
        if host_text.is_empty() {
            return Err(Error::Network("the endpoint URL has no host".into()));
        }
        // An IPv6 literal is bracketed in the URL and the Host header, not for connecting.
        let host = host_text
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = url
            .port_or_known_default()
            .unwrap_or(if https { 443 } else { 80 });
        let authority = match url.port() {
            Some(p) => format!("{host_text}:{p}"),
            None => host_text.to_string(),
        };
        let mut path = url.path().to_string();
        if let Some(q) = url.query() {
            path.push('?');
            path.push_str(q);
        }
        let tls = match (https, tls) {
            (true, Some(config)) => Some(tokio_rustls::TlsConnector::from(config)),
            (true, None) => return Err(Error::Network("no TLS configuration for https".into())),
            (false, _) => None,
        };
        let route = Route::find(proxy, url.scheme(), &host, port)?;
        Ok(Self {
            credentials,
            route,
            endpoint: Endpoint {
                spn: format!("HTTP/{}", host.to_ascii_lowercase()),
                host,
                port,
                authority,
                path,
            },
            tls,
            idle: Arc::new(Mutex::new(Vec::new())),
            max_idle: max_idle.max(1),
        })
    }

    /// Sends one POST of `body` with `headers` on an authenticated connection, authenticating
    /// one first when needed. The answer's status is whatever the server said after the
    /// handshake; a 401 to the AUTHENTICATE message is [`Error::Auth`].
    pub(crate) async fn send(
        &self,
        body: &str,
        headers: &[(&'static str, String)],
    ) -> Result<Response, Failure> {
        let mut conn = match self.checkout() {
            Some(c) => c,
            None => self.connect().await?,
        };
        if conn.authenticated {
            match self.reuse(&mut conn, body, headers).await? {
                Reused::Answer(resp) => return Ok(self.response(resp, conn)),
                Reused::Unauthorized if !conn.sender.is_closed() => conn.authenticated = false,
                Reused::Unauthorized | Reused::Stale => conn = self.connect().await?,
            }
        }
        self.authenticate(conn, body, headers).await
    }

    /// Sends the request on an authenticated connection from the pool. A connection the
    /// server closed while it was idle (IIS closes them after two minutes) is
    /// [`Reused::Stale`] when the request never left, so it goes on a new connection at once.
    async fn reuse(
        &self,
        conn: &mut Connection,
        body: &str,
        headers: &[(&'static str, String)],
    ) -> Result<Reused, Failure> {
        if conn.sender.ready().await.is_err() {
            return Ok(Reused::Stale);
        }
        match conn
            .sender
            .try_send_request(self.request(body, headers, None)?)
            .await
        {
            Ok(resp) if resp.status() == hyper::StatusCode::UNAUTHORIZED => {
                tracing::debug!("ews: 401 on an NTLM connection; authenticating it again");
                drain(resp).await?;
                Ok(Reused::Unauthorized)
            }
            Ok(resp) => Ok(Reused::Answer(resp)),
            Err(mut e) => match e.take_message() {
                Some(_) => Ok(Reused::Stale),
                None => Err(classify(e.error())),
            },
        }
    }

    /// NEGOTIATE → CHALLENGE → AUTHENTICATE with the request, on `conn`.
    async fn authenticate(
        &self,
        mut conn: Connection,
        body: &str,
        headers: &[(&'static str, String)],
    ) -> Result<Response, Failure> {
        let negotiate = negotiate();
        let mut scheme = Scheme::Ntlm;
        let (challenge_bytes, resp) = loop {
            // The first leg carries no body: the request is sent whole with AUTHENTICATE.
            let token = Some((scheme, negotiate.as_slice()));
            let resp = exchange(&mut conn, self.request("", headers, token)?).await?;
            if resp.status() != hyper::StatusCode::UNAUTHORIZED {
                // This server asks nothing of this connection; send the request itself.
                drain(resp).await?;
                conn.authenticated = true;
                let resp = exchange(&mut conn, self.request(body, headers, None)?).await?;
                return Ok(self.response(resp, conn));
            }
            match challenge_token(resp.headers(), scheme) {
                Ok(bytes) => break (bytes, resp),
                Err(offered) if scheme == Scheme::Ntlm && offers(&offered, Scheme::Negotiate) => {
                    drain(resp).await?;
                    scheme = Scheme::Negotiate;
                }
                Err(offered) => {
                    return Err(Failure::Other(Error::Auth(format!(
                        "the server offers no NTLM challenge (WWW-Authenticate: {offered})"
                    ))));
                }
            }
        };
        drain(resp).await?;
        if conn.sender.is_closed() {
            return Err(Failure::Other(Error::Auth(
                "the server closed the connection after its NTLM challenge (NTLM needs the \
                 connection kept alive)"
                    .into(),
            )));
        }
        let challenge = Challenge::parse(&challenge_bytes).map_err(|e| Failure::Other(e.into()))?;
        let c = &self.credentials;
        let authenticate = Authenticate {
            user: &c.user,
            domain: &c.domain,
            password: &c.password,
            workstation: &c.workstation,
            negotiate: &negotiate,
            challenge_bytes: &challenge_bytes,
            challenge: &challenge,
            client_challenge: random_challenge()?,
            now_filetime: filetime_now(),
            channel_bindings: conn.channel_bindings,
            target_name: &self.endpoint.spn,
        }
        .build()
        .map_err(|e| Failure::Other(e.into()))?;
        let token = Some((scheme, authenticate.as_slice()));
        let resp = exchange(&mut conn, self.request(body, headers, token)?).await?;
        if resp.status() == hyper::StatusCode::UNAUTHORIZED {
            return Err(Failure::Other(Error::Auth(
                "the server refused the NTLM credentials".into(),
            )));
        }
        conn.authenticated = true;
        Ok(self.response(resp, conn))
    }

    fn checkout(&self) -> Option<Connection> {
        let mut idle = lock(&self.idle);
        while let Some(c) = idle.pop() {
            if !c.sender.is_closed() {
                return Some(c);
            }
        }
        None
    }

    async fn connect(&self) -> Result<Connection, Failure> {
        if let Some(route) = &self.route {
            return self.open(route.connect().await?).await;
        }
        let e = &self.endpoint;
        let tcp = tokio::net::TcpStream::connect((e.host.as_str(), e.port))
            .await
            .map_err(|err| classify(&err))?;
        let _ = tcp.set_nodelay(true);
        self.open(tcp).await
    }

    /// HTTP/1.1 on `stream` (a TCP connection to the server, or a proxy's tunnel to it), in
    /// TLS for an `https://` endpoint.
    async fn open<S>(&self, stream: S) -> Result<Connection, Failure>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let e = &self.endpoint;
        let Some(tls) = &self.tls else {
            return handshake(stream, [0; 16]).await;
        };
        let name = rustls::pki_types::ServerName::try_from(e.host.clone())
            .map_err(|err| Failure::Other(Error::network(err)))?;
        let stream = tls
            .connect(name, stream)
            .await
            .map_err(|err| classify(&err))?;
        let bindings = stream
            .get_ref()
            .1
            .peer_certificates()
            .and_then(|chain| chain.first())
            .map_or([0; 16], |cert| tls_server_end_point(cert));
        handshake(stream, bindings).await
    }

    fn request(
        &self,
        body: &str,
        headers: &[(&'static str, String)],
        token: Option<(Scheme, &[u8])>,
    ) -> Result<hyper::Request<Full<Bytes>>, Failure> {
        let mut b = hyper::Request::post(self.endpoint.path.as_str())
            .header(HOST, self.endpoint.authority.as_str())
            .header(CONTENT_LENGTH, body.len());
        for (name, value) in headers {
            b = b.header(*name, value.as_str());
        }
        if let Some((scheme, token)) = token {
            b = b.header(
                AUTHORIZATION,
                format!("{} {}", scheme.name(), B64.encode(token)),
            );
        }
        b.body(Full::new(Bytes::copy_from_slice(body.as_bytes())))
            .map_err(|e| Failure::Other(Error::network(e)))
    }

    fn response(&self, head: hyper::Response<Incoming>, conn: Connection) -> Response {
        Response {
            head,
            connection: Some(conn),
            idle: self.idle.clone(),
            max_idle: self.max_idle,
        }
    }
}

/// Opens an HTTP/1.1 client on `stream` and drives it in the background.
async fn handshake<S>(stream: S, channel_bindings: [u8; 16]) -> Result<Connection, Failure>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| classify(&e))?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            tracing::debug!(error = %e, "ews: NTLM connection ended");
        }
    });
    Ok(Connection {
        sender,
        authenticated: false,
        channel_bindings,
    })
}

async fn exchange(
    conn: &mut Connection,
    req: hyper::Request<Full<Bytes>>,
) -> Result<hyper::Response<Incoming>, Failure> {
    conn.sender.ready().await.map_err(|e| classify(&e))?;
    conn.sender
        .send_request(req)
        .await
        .map_err(|e| classify(&e))
}

/// Reads a body to its end, so that the connection can carry the next request.
async fn drain(resp: hyper::Response<Incoming>) -> Result<(), Failure> {
    resp.into_body()
        .collect()
        .await
        .map(drop)
        .map_err(|e| classify(&e))
}

/// The decoded token of `WWW-Authenticate: <scheme> <base64>`, or the offered schemes (for
/// the error message) when there is none.
fn challenge_token(headers: &HeaderMap, scheme: Scheme) -> Result<Vec<u8>, String> {
    let mut offered = Vec::new();
    for value in headers.get_all(WWW_AUTHENTICATE) {
        let Ok(text) = value.to_str() else { continue };
        for offer in text.split(',') {
            let offer = offer.trim();
            let (name, token) = offer.split_once(' ').unwrap_or((offer, ""));
            if name.eq_ignore_ascii_case(scheme.name()) && !token.trim().is_empty() {
                if let Ok(bytes) = B64.decode(token.trim()) {
                    return Ok(bytes);
                }
            }
            offered.push(name.to_string());
        }
    }
    Err(if offered.is_empty() {
        "none".into()
    } else {
        offered.join(", ")
    })
}

fn offers(offered: &str, scheme: Scheme) -> bool {
    offered
        .split(", ")
        .any(|s| s.eq_ignore_ascii_case(scheme.name()))
}

fn random_challenge() -> Result<[u8; 8], Failure> {
    let mut c = [0u8; 8];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut c)
        .map_err(|_| Failure::Other(Error::Auth("no random bytes for NTLM".into())))?;
    Ok(c)
}

/// Now as a FILETIME: 100 ns ticks since 1601-01-01.
fn filetime_now() -> u64 {
    const UNIX_EPOCH_AS_FILETIME: u64 = 116_444_736_000_000_000;
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    UNIX_EPOCH_AS_FILETIME + since.as_secs() * 10_000_000 + u64::from(since.subsec_nanos() / 100)
}

/// An answer on an NTLM connection. The connection goes back to the pool when the body has
/// been read to its end; dropped earlier, it is closed.
pub(crate) struct Response {
    head: hyper::Response<Incoming>,
    connection: Option<Connection>,
    idle: Idle,
    max_idle: usize,
}

impl Response {
    pub(crate) fn status(&self) -> u16 {
        self.head.status().as_u16()
    }

    pub(crate) fn headers(&self) -> &HeaderMap {
        self.head.headers()
    }

    /// The next piece of the body; `None` at its end.
    pub(crate) async fn chunk(&mut self) -> Result<Option<Bytes>, Failure> {
        loop {
            match self.head.body_mut().frame().await {
                None => {
                    self.release();
                    return Ok(None);
                }
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        return Ok(Some(data));
                    }
                }
                Some(Err(e)) => {
                    self.connection = None;
                    return Err(classify(&e));
                }
            }
        }
    }

    fn release(&mut self) {
        if let Some(c) = self.connection.take() {
            let mut idle = lock(&self.idle);
            if !c.sender.is_closed() && idle.len() < self.max_idle {
                idle.push(c);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use hyper::header::HeaderValue;

    #[test]
    fn the_challenge_token_is_found_among_the_offers() {
        let mut h = HeaderMap::new();
        h.append(WWW_AUTHENTICATE, HeaderValue::from_static("Negotiate"));
        h.append(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("NTLM TlRMTVNTUAACAAAA"),
        );
        assert_eq!(
            challenge_token(&h, Scheme::Ntlm).unwrap(),
            b"NTLMSSP\0\x02\0\0\0".to_vec()
        );
        assert_eq!(
            challenge_token(&h, Scheme::Negotiate),
            Err("Negotiate, NTLM".into())
        );
        let mut h = HeaderMap::new();
        h.append(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"x\", Negotiate"),
        );
        let offered = challenge_token(&h, Scheme::Ntlm).unwrap_err();
        assert!(offers(&offered, Scheme::Negotiate), "{offered}");
        assert_eq!(
            challenge_token(&HeaderMap::new(), Scheme::Ntlm),
            Err("none".into())
        );
    }

    #[test]
    fn endpoints_are_taken_apart() {
        let c = Credentials::new("u", "p".into(), String::new());
        let p = Pool::new(
            "http://[::1]:8080/EWS/Exchange.asmx?x=1",
            c.clone(),
            None,
            None,
            4,
        )
        .unwrap();
        assert_eq!(p.endpoint.host, "::1");
        assert_eq!(p.endpoint.authority, "[::1]:8080");
        assert_eq!(p.endpoint.path, "/EWS/Exchange.asmx?x=1");
        assert_eq!(p.endpoint.spn, "HTTP/::1");
        let p = Pool::new(
            "http://Mail.Example.com/EWS/Exchange.asmx",
            c.clone(),
            None,
            None,
            4,
        )
        .unwrap();
        assert_eq!(
            (p.endpoint.port, p.endpoint.authority.as_str()),
            (80, "mail.example.com")
        );
        assert_eq!(p.endpoint.spn, "HTTP/mail.example.com");
        assert!(Pool::new("https://mail.example.com/EWS", c.clone(), None, None, 4).is_err());
        assert!(Pool::new("ftp://mail.example.com/EWS", c, None, None, 4).is_err());
    }

    #[test]
    fn filetime_is_after_2026() {
        // 2026-01-01T00:00:00Z as a FILETIME.
        assert!(filetime_now() > 134_116_992_000_000_000);
    }
}
