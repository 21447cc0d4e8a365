//! The HTTP client: endpoint, credentials, TLS, a shared back-off and bounded concurrency per
//! server, and the affinity cookie per mailbox.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::Error;
use super::http::{Failure, Response, classify};
use super::ntlm;
use ews_notify::envelope::{Body, Envelope};
use ews_notify::fault::ResponseCode;
use ews_notify::request::HttpHeaders;

/// Returns a bearer token; `refresh` is `true` after the server refused the previous one.
pub type TokenProvider = Arc<dyn Fn(bool) -> Result<String, String> + Send + Sync>;

#[derive(Clone)]
enum Auth {
    None,
    Basic {
        user: String,
        password: String,
    },
    Bearer {
        provider: TokenProvider,
        current: Arc<Mutex<Option<String>>>,
    },
    /// Set by the builder; the connection pool is made in [`ClientBuilder::build`].
    Ntlm {
        login: String,
        password: String,
    },
    NtlmPool(Arc<ntlm::connection::Pool>),
}

/// Builds a [`Client`].
pub struct ClientBuilder {
    endpoint: String,
    auth: Auth,
    ca_pem: Vec<Vec<u8>>,
    proxy: Option<String>,
    max_concurrency: usize,
    request_timeout: Duration,
    max_attempts: u32,
    unavailable_back_off: Duration,
}

impl ClientBuilder {
    /// HTTP Basic credentials.
    #[must_use]
    pub fn basic(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.auth = Auth::Basic {
            user: user.into(),
            password: password.into(),
        };
        self
    }

    /// OAuth bearer tokens from `provider`, asked again with `refresh = true` on a 401.
    #[must_use]
    pub fn bearer(mut self, provider: TokenProvider) -> Self {
        self.auth = Auth::Bearer {
            provider,
            current: Arc::new(Mutex::new(None)),
        };
        self
    }

    /// NTLM (NTLMv2) credentials, as on-premises Exchange offers them: `login` is
    /// `DOMAIN\\user`, or a UPN `user@domain.example`. NTLM authenticates a connection, so
    /// requests then go over connections of the client's own, each authenticated once and
    /// kept while the server keeps it; over TLS the authentication carries the connection's
    /// channel bindings (Exchange's Extended Protection) and a MIC.
    #[must_use]
    pub fn ntlm(mut self, login: impl Into<String>, password: impl Into<String>) -> Self {
        self.auth = Auth::Ntlm {
            login: login.into(),
            password: password.into(),
        };
        self
    }

    /// Also trusts this CA certificate (PEM), for servers with a private CA.
    #[must_use]
    pub fn add_ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_pem.push(pem.into());
        self
    }

    /// Sends every request through this HTTP proxy (`http://host:port`, credentials as
    /// `http://user:password@host:port`) instead of the one the environment names
    /// (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, less `NO_PROXY`), which is used by default.
    /// NTLM connections go through the proxy as `CONNECT` tunnels (for `http://` endpoints
    /// too), since NTLM authenticates one connection end to end.
    #[must_use]
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// Most requests in flight to the server at once (streaming connections included).
    /// Default 16.
    #[must_use]
    pub fn max_concurrency(mut self, n: usize) -> Self {
        self.max_concurrency = n.max(1);
        self
    }

    /// Time allowed for one ordinary request (not a streaming connection). Default 100 s, the
    /// EWS Managed API's.
    #[must_use]
    pub fn request_timeout(mut self, t: Duration) -> Self {
        self.request_timeout = t;
        self
    }

    /// Attempts per request through busy answers, 503s and network errors. Default 30.
    #[must_use]
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Wait after an HTTP 503 (which carries no back-off). Default 1 s.
    #[must_use]
    pub fn unavailable_back_off(mut self, t: Duration) -> Self {
        self.unavailable_back_off = t;
        self
    }

    /// The client.
    ///
    /// # Errors
    /// [`Error::Network`] when TLS cannot be set up, a CA certificate does not parse, or the
    /// proxy URL is not usable.
    pub fn build(self) -> Result<Client, Error> {
        // reqwest is built without a bundled crypto provider; use ring unless the application
        // installed one already (the error then only says so).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut b = reqwest::Client::builder();
        for pem in &self.ca_pem {
            b = b
                .add_root_certificate(reqwest::Certificate::from_pem(pem).map_err(Error::network)?);
        }
        if let Some(url) = &self.proxy {
            b = b.proxy(reqwest::Proxy::all(url.as_str()).map_err(Error::network)?);
        }
        let http = b.build().map_err(Error::network)?;
        let auth = match self.auth {
            Auth::Ntlm { login, password } => {
                let credentials = ntlm::Credentials::new(&login, password, String::new());
                let tls = if self.endpoint.starts_with("https:") {
                    Some(tls_config(&self.ca_pem)?)
                } else {
                    None
                };
                Auth::NtlmPool(Arc::new(ntlm::connection::Pool::new(
                    &self.endpoint,
                    credentials,
                    tls,
                    self.proxy.as_deref(),
                    self.max_concurrency,
                )?))
            }
            other => other,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                endpoint: self.endpoint,
                auth,
                back_off_until: Mutex::new(None),
                permits: Semaphore::new(self.max_concurrency),
                cookies: Mutex::new(HashMap::new()),
                request_timeout: self.request_timeout,
                max_attempts: self.max_attempts,
                unavailable_back_off: self.unavailable_back_off,
            }),
        })
    }
}

/// The TLS settings of the NTLM connections: the platform's roots plus the added CAs, as
/// reqwest's own, and HTTP/1.1 (NTLM authenticates one connection, which HTTP/2 would share).
fn tls_config(ca_pem: &[Vec<u8>]) -> Result<Arc<rustls::ClientConfig>, Error> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = Vec::new();
    for pem in ca_pem {
        for cert in CertificateDer::pem_slice_iter(pem) {
            roots.push(cert.map_err(Error::network)?);
        }
    }
    let verifier = if roots.is_empty() {
        rustls_platform_verifier::Verifier::new(provider.clone())
    } else {
        rustls_platform_verifier::Verifier::new_with_extra_roots(roots, provider.clone())
    }
    .map_err(Error::network)?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(Error::network)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

struct Inner {
    http: reqwest::Client,
    endpoint: String,
    auth: Auth,
    back_off_until: Mutex<Option<Instant>>,
    permits: Semaphore,
    cookies: Mutex<HashMap<String, String>>,
    request_timeout: Duration,
    max_attempts: u32,
    unavailable_back_off: Duration,
}

/// An EWS client for one server. Cheap to clone; clones share the back-off, the concurrency
/// limit and the affinity cookies.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Client {
    /// A builder for the EWS endpoint, e.g. `https://mail.example.com/EWS/Exchange.asmx`.
    pub fn builder(endpoint: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            endpoint: endpoint.into(),
            auth: Auth::None,
            ca_pem: Vec::new(),
            proxy: None,
            max_concurrency: 16,
            request_timeout: Duration::from_secs(100),
            max_attempts: 30,
            unavailable_back_off: Duration::from_secs(1),
        }
    }

    /// Waits out the server's back-off, if one is running.
    async fn wait_back_off(&self) {
        loop {
            let until = *lock(&self.inner.back_off_until);
            match until {
                Some(t) if t > Instant::now() => tokio::time::sleep_until(t).await,
                _ => return,
            }
        }
    }

    /// Makes every request to this server wait `d` (never shortens a running back-off).
    pub(crate) fn back_off(&self, d: Duration) {
        let t = Instant::now() + d;
        let mut until = lock(&self.inner.back_off_until);
        if until.is_none_or(|u| u < t) {
            *until = Some(t);
        }
    }

    fn token(&self, refresh: bool) -> Result<Option<String>, Error> {
        match &self.inner.auth {
            Auth::Bearer { provider, current } => {
                let mut cur = lock(current);
                if refresh || cur.is_none() {
                    *cur = Some(provider(refresh).map_err(Error::Auth)?);
                }
                Ok(cur.clone())
            }
            _ => Ok(None),
        }
    }

    /// The HTTP headers of a request routed through `mailbox`'s affinity.
    fn headers(&self, mailbox: Option<&str>) -> Result<Vec<(&'static str, String)>, Error> {
        let mut headers = HttpHeaders::new();
        if let Some(m) = mailbox {
            headers = headers.anchor_mailbox(m).prefer_server_affinity(true);
            if let Some(c) = lock(&self.inner.cookies).get(&m.to_ascii_lowercase()) {
                headers = headers.backend_override_cookie(c.clone());
            }
        }
        Ok(headers.build()?)
    }

    /// One attempt at a request, on the HTTP client the credentials call for. `timeout`
    /// bounds the whole exchange, body included (none for a streaming connection).
    async fn attempt(
        &self,
        xml: &str,
        mailbox: Option<&str>,
        refresh: bool,
        timeout: Option<Duration>,
    ) -> Result<Response, Failure> {
        let headers = self.headers(mailbox).map_err(Failure::Other)?;
        let start = Instant::now();
        if let Auth::NtlmPool(pool) = &self.inner.auth {
            let send = pool.send(xml, &headers);
            let response = match timeout {
                Some(d) => tokio::time::timeout(d, send)
                    .await
                    .map_err(|_| Failure::Timeout(d))??,
                None => send.await?,
            };
            let deadline = timeout.map(|d| (start + d, d));
            return Ok(Response::Ntlm { response, deadline });
        }
        let mut rb = self
            .inner
            .http
            .post(&self.inner.endpoint)
            .body(xml.to_string());
        for (name, value) in headers {
            rb = rb.header(name, value);
        }
        rb = match &self.inner.auth {
            Auth::Basic { user, password } => rb.basic_auth(user, Some(password)),
            Auth::Bearer { .. } => match self.token(refresh).map_err(Failure::Other)? {
                Some(t) => rb.bearer_auth(t),
                None => rb,
            },
            _ => rb,
        };
        if let Some(d) = timeout {
            rb = rb.timeout(d);
        }
        rb.send()
            .await
            .map(Response::Pooled)
            .map_err(|e| match timeout {
                Some(d) if e.is_timeout() => Failure::Timeout(d),
                _ => classify(&e),
            })
    }

    fn remember_cookie(&self, mailbox: Option<&str>, resp: &Response) {
        let Some(m) = mailbox else { return };
        for v in resp.headers().get_all(reqwest::header::SET_COOKIE) {
            let Ok(v) = v.to_str() else { continue };
            if let Some(rest) = v.strip_prefix("X-BackEndOverrideCookie=") {
                let value = rest.split(';').next().unwrap_or_default().to_string();
                lock(&self.inner.cookies).insert(m.to_ascii_lowercase(), value);
            }
        }
    }

    /// Sends one request and returns the HTTP response once its status is acceptable (200, or
    /// 500 which carries SOAP faults). Handles 401 (refresh the token once) and 503 (back off
    /// and retry). `streaming` requests have no overall timeout.
    pub(crate) async fn send(
        &self,
        xml: &str,
        mailbox: Option<&str>,
        streaming: bool,
    ) -> Result<Response, Error> {
        let mut refresh = false;
        let mut attempts = 0;
        let timeout = (!streaming).then_some(self.inner.request_timeout);
        loop {
            attempts += 1;
            self.wait_back_off().await;
            let resp = {
                let _permit = self
                    .inner
                    .permits
                    .acquire()
                    .await
                    .map_err(|_| Error::Closed)?;
                self.attempt(xml, mailbox, refresh, timeout).await
            };
            let resp = match resp {
                Ok(r) => r,
                Err(Failure::Network(text)) if attempts < self.inner.max_attempts => {
                    tracing::debug!(error = %text, "ews request failed; retrying");
                    tokio::time::sleep(self.inner.unavailable_back_off).await;
                    continue;
                }
                // Asking again cannot make the server's certificate trusted.
                Err(f) => return Err(f.into_error()),
            };
            let status = resp.status();
            match status {
                200 | 500 => {
                    self.remember_cookie(mailbox, &resp);
                    return Ok(resp);
                }
                401 if !refresh && matches!(self.inner.auth, Auth::Bearer { .. }) => {
                    tracing::info!("ews: 401, refreshing the bearer token");
                    refresh = true;
                }
                401 => return Err(Error::Auth("the server refused the credentials".into())),
                503 if attempts < self.inner.max_attempts => {
                    tracing::info!("ews: HTTP 503, backing off");
                    self.back_off(self.inner.unavailable_back_off);
                }
                _ => return Err(Error::Status { status }),
            }
        }
    }

    /// Sends a request and returns the whole body, retrying through `ErrorServerBusy` (fault or
    /// response message) after its `BackOffMilliseconds`, and through dropped connections.
    pub(crate) async fn call(&self, xml: &str, mailbox: Option<&str>) -> Result<Vec<u8>, Error> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let resp = self.send(xml, mailbox, false).await?;
            let body = match resp.bytes().await {
                Ok(b) => b,
                Err(e) if attempts < self.inner.max_attempts => {
                    tracing::debug!(error = %e, "ews answer cut short; asking again");
                    continue;
                }
                Err(e) => return Err(e),
            };
            match busy_back_off(&body) {
                Some(d) if attempts < self.inner.max_attempts => {
                    tracing::info!(
                        back_off_ms = d.as_millis() as u64,
                        "ews: ErrorServerBusy, backing off"
                    );
                    self.back_off(d);
                }
                _ => return Ok(body),
            }
        }
    }
}

/// The back-off an `ErrorServerBusy` answer asks for, fault or response-message form.
pub(crate) fn busy_back_off(body: &[u8]) -> Option<Duration> {
    // Cheap test first: most answers are not throttling.
    if !contains(body, b"ErrorServerBusy") {
        return None;
    }
    const DEFAULT: Duration = Duration::from_secs(1);
    match ews_notify::parse_notification(body) {
        Ok(Envelope {
            body: Body::Fault(f),
            ..
        }) => {
            if f.response_code == Some(ResponseCode::ErrorServerBusy)
                || f.fault_code
                    .as_deref()
                    .is_some_and(|c| c.ends_with("ErrorServerBusy"))
            {
                return Some(
                    f.back_off_milliseconds
                        .map_or(DEFAULT, Duration::from_millis),
                );
            }
            None
        }
        Ok(env) => {
            let busy = |code: &Option<ResponseCode<'_>>, ms: Option<u64>| {
                (*code == Some(ResponseCode::ErrorServerBusy))
                    .then(|| ms.map_or(DEFAULT, Duration::from_millis))
            };
            match &env.body {
                Body::SyncFolderItemsResponse(m) => m
                    .iter()
                    .find_map(|m| busy(&m.response_code, m.back_off_milliseconds)),
                Body::GetItemResponse(m) => m
                    .iter()
                    .find_map(|m| busy(&m.response_code, m.back_off_milliseconds)),
                Body::FindItemResponse(m) => m
                    .iter()
                    .find_map(|m| busy(&m.response_code, m.back_off_milliseconds)),
                other => other
                    .response_messages()
                    .iter()
                    .find_map(|m| busy(&m.response_code, m.back_off_milliseconds)),
            }
        }
        Err(_) => None,
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

impl Client {
    /// Fetches the calendar item an event names, with its GlobalObjectId properties
    /// (`GetItem` with the request builders' calendar shape), for the mailbox of `watch`.
    /// `None` when the item no longer exists (`ErrorItemNotFound`), as after a delete.
    ///
    /// # Errors
    /// Network, HTTP and parse errors; [`Error::Ews`] for other EWS error codes.
    pub async fn bind(
        &self,
        watch: &super::Watch,
        item_id: &str,
    ) -> Result<Option<ews_notify::item::CalendarItem<'static>>, Error> {
        use ews_notify::request::{GetItemRequest, ItemRef};
        let xml = GetItemRequest::new([ItemRef::id(item_id.to_string())])
            .header(watch.header())
            .build()?;
        let body = self.call(&xml, Some(&watch.mailbox)).await?;
        let env = ews_notify::parse_notification(&body)?;
        let Body::GetItemResponse(messages) = env.body else {
            return Err(super::fault_error(&env));
        };
        let Some(m) = messages.into_iter().next() else {
            return Err(Error::ews("empty GetItemResponse", None));
        };
        match &m.response_code {
            None | Some(ResponseCode::NoError) => Ok(m
                .items
                .into_iter()
                .next()
                .map(ews_notify::item::CalendarItem::into_owned)),
            Some(ResponseCode::ErrorItemNotFound) => Ok(None),
            Some(code) => Err(Error::ews(code.as_str(), m.message_text.as_deref())),
        }
    }
}

impl Client {
    /// Like [`Client::call`], except that a network failure (connection refused, reset, timed
    /// out, answer cut short) is returned at once instead of retried: for a request that must
    /// not reach a restarted server unchanged, such as GetEvents on a server whose
    /// subscription ids repeat after a restart (gromox), where the old id may then name
    /// another client's new subscription. Busy answers are still waited out; a refused bearer
    /// token goes through [`Client::call`] once, which refreshes it.
    pub(crate) async fn call_once(
        &self,
        xml: &str,
        mailbox: Option<&str>,
    ) -> Result<Vec<u8>, Error> {
        loop {
            self.wait_back_off().await;
            let resp = {
                let _permit = self
                    .inner
                    .permits
                    .acquire()
                    .await
                    .map_err(|_| Error::Closed)?;
                self.attempt(xml, mailbox, false, Some(self.inner.request_timeout))
                    .await
            }
            .map_err(Failure::into_error)?;
            match resp.status() {
                200 | 500 => self.remember_cookie(mailbox, &resp),
                401 if matches!(self.inner.auth, Auth::Bearer { .. }) => {
                    return self.call(xml, mailbox).await;
                }
                401 => return Err(Error::Auth("the server refused the credentials".into())),
                status => return Err(Error::Status { status }),
            }
            let body = resp.bytes().await?;
            match busy_back_off(&body) {
                Some(d) => self.back_off(d),
                None => return Ok(body),
            }
        }
    }
}
