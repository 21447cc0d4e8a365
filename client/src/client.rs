//! The HTTP client: endpoint, credentials, TLS, a shared back-off and bounded concurrency per
//! server, and the affinity cookie per mailbox.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::Instant;

use ews_notify::request::HttpHeaders;
use ews_notify::{Body, Envelope, ResponseCode};

use crate::Error;
use crate::auth::ntlm::Credentials;
use crate::http::failure::{Failure, classify};
use crate::http::ntlm::Pool;
use crate::http::response::Response;
use crate::retry::RetryPolicy;

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
    NtlmPool(Arc<Pool>),
}

impl std::fmt::Debug for Auth {
    /// Names the kind of credentials and the user, never a password or a token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::Basic { user, .. } => f
                .debug_struct("Basic")
                .field("user", user)
                .finish_non_exhaustive(),
            Self::Bearer { .. } => f.debug_struct("Bearer").finish_non_exhaustive(),
            Self::Ntlm { login, .. } => f
                .debug_struct("Ntlm")
                .field("login", login)
                .finish_non_exhaustive(),
            Self::NtlmPool(_) => f.debug_struct("Ntlm").finish_non_exhaustive(),
        }
    }
}

/// Builds a [`Client`]. Its `Debug` output never shows a password, a token or proxy
/// credentials.
pub struct ClientBuilder {
    endpoint: String,
    auth: Auth,
    ca_pem: Vec<Vec<u8>>,
    proxy: Option<String>,
    max_concurrency: usize,
    request_timeout: Duration,
    retry: RetryPolicy,
    unavailable_back_off: Duration,
    max_response_bytes: usize,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("endpoint", &self.endpoint)
            .field("auth", &self.auth)
            .field("proxy", &self.proxy.as_deref().map(redact_url))
            .field("max_concurrency", &self.max_concurrency)
            .field("request_timeout", &self.request_timeout)
            .field("retry", &self.retry)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish_non_exhaustive()
    }
}

/// `scheme://user:password@host` as `scheme://***@host`.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}***{}", &url[..s + 3], &url[at..]),
        _ => url.to_string(),
    }
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

    /// Attempts per request: `max_retries(Some(n - 1))`, kept for existing callers.
    #[must_use]
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.retry.max_retries = Some(n.max(1) - 1);
        self
    }

    /// Retries after a transient failure before giving up (`None`, the default: forever).
    /// Applies to every request and to streaming reconnections alike.
    #[must_use]
    pub fn max_retries(mut self, n: Option<u32>) -> Self {
        self.retry.max_retries = n;
        self
    }

    /// The whole retry policy: capped exponential back-off with jitter ([`RetryPolicy`]).
    #[must_use]
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Largest answer body read (a streaming connection counts per envelope, through
    /// [`crate::StreamingOptions`]); a larger one is refused with [`Error::TooLarge`]. Default
    /// 16 MiB, core's default input limit.
    #[must_use]
    pub fn max_response_bytes(mut self, n: usize) -> Self {
        self.max_response_bytes = n;
        self
    }

    /// Shared back-off after an HTTP 503 (which carries no `BackOffMilliseconds`). Default 1 s.
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
        if matches!(self.auth, Auth::Basic { .. }) && self.endpoint.starts_with("http:") {
            tracing::warn!(
                endpoint = %self.endpoint,
                "Basic credentials over plain http:// travel in clear text; use https://"
            );
        }
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
                let credentials = Credentials::new(&login, password, String::new());
                let tls = if self.endpoint.starts_with("https:") {
                    Some(tls_config(&self.ca_pem)?)
                } else {
                    None
                };
                Auth::NtlmPool(Arc::new(Pool::new(
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
                retry: self.retry,
                unavailable_back_off: self.unavailable_back_off,
                max_response_bytes: self.max_response_bytes,
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
    retry: RetryPolicy,
    unavailable_back_off: Duration,
    max_response_bytes: usize,
}

/// An EWS client for one server. Cheap to clone; clones share the back-off, the concurrency
/// limit and the affinity cookies.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    /// The endpoint and the kind of credentials; never a password or a token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.endpoint)
            .field("auth", &self.inner.auth)
            .finish_non_exhaustive()
    }
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
            retry: RetryPolicy::default(),
            unavailable_back_off: Duration::from_secs(1),
            max_response_bytes: ews_notify::Limits::default().max_bytes,
        }
    }

    /// The retry policy every mode follows.
    pub(crate) fn retry_policy(&self) -> RetryPolicy {
        self.inner.retry
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

    /// One attempt at a request, on the HTTP client the credentials call for. The headers
    /// must come within `headers`; `whole` bounds the whole exchange, body included (none for
    /// a streaming connection, whose body the heartbeat deadline bounds).
    async fn attempt(
        &self,
        xml: &str,
        mailbox: Option<&str>,
        refresh: bool,
        headers_within: Duration,
        whole: Option<Duration>,
    ) -> Result<Response, Failure> {
        let headers = self.headers(mailbox).map_err(Failure::Other)?;
        let start = Instant::now();
        let header_deadline = whole.map_or(headers_within, |w| w.min(headers_within));
        if let Auth::NtlmPool(pool) = &self.inner.auth {
            let response = tokio::time::timeout(header_deadline, pool.send(xml, &headers))
                .await
                .map_err(|_| Failure::Timeout(header_deadline))??;
            let deadline = whole.map(|d| (start + d, d));
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
        if let Some(d) = whole {
            rb = rb.timeout(d);
        }
        match tokio::time::timeout(header_deadline, rb.send()).await {
            Err(_) => Err(Failure::Timeout(header_deadline)),
            Ok(Ok(r)) => Ok(Response::Pooled(r)),
            Ok(Err(e)) => Err(match whole {
                Some(d) if e.is_timeout() => Failure::Timeout(d),
                _ => classify(&e),
            }),
        }
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

    /// Sorts an answer's status: `Ok` for 200 and 500 (which carries SOAP faults), the
    /// affinity cookie remembered; [`Step::Refresh`] for a first 401 with bearer tokens; an
    /// error otherwise (a 503 also starts the shared back-off).
    fn check_status(
        &self,
        resp: Response,
        mailbox: Option<&str>,
        refresh: bool,
    ) -> Result<Step<Response>, Error> {
        match resp.status() {
            200 | 500 => {
                self.remember_cookie(mailbox, &resp);
                Ok(Step::Done(resp))
            }
            401 if !refresh && matches!(self.inner.auth, Auth::Bearer { .. }) => {
                tracing::info!("ews: 401, refreshing the bearer token");
                Ok(Step::Refresh)
            }
            401 => Err(Error::Auth("the server refused the credentials".into())),
            503 => {
                tracing::info!("ews: HTTP 503, backing off");
                self.back_off(self.inner.unavailable_back_off);
                Err(Error::Status { status: 503 })
            }
            status => Err(Error::Status { status }),
        }
    }

    /// Opens a streaming connection (`GetStreamingEvents`): one attempt, whose headers must
    /// come within `headers_within`; the caller reconnects under the retry policy. The
    /// shared back-off is waited out after the permit is taken, and the permit is released
    /// once the headers are in (a streaming connection holds no permit for its life).
    pub(crate) async fn open_stream(
        &self,
        xml: &str,
        mailbox: Option<&str>,
        headers_within: Duration,
    ) -> Result<Response, Error> {
        let mut refresh = false;
        loop {
            let _permit = self
                .inner
                .permits
                .acquire()
                .await
                .map_err(|_| Error::Closed)?;
            self.wait_back_off().await;
            let resp = self
                .attempt(xml, mailbox, refresh, headers_within, None)
                .await
                .map_err(Failure::into_error)?;
            match self.check_status(resp, mailbox, refresh)? {
                Step::Done(r) => return Ok(r),
                Step::Refresh | Step::Busy => refresh = true,
            }
        }
    }

    /// One request and its whole body, under a permit: the shared back-off is waited out
    /// *after* the permit is taken, and a busy answer is read (and starts the back-off)
    /// *before* the permit is released, so that no request of this client goes out inside a
    /// back-off the server asked for, whatever the concurrency.
    async fn exchange(
        &self,
        xml: &str,
        mailbox: Option<&str>,
        refresh: bool,
    ) -> Result<Step<Vec<u8>>, Error> {
        let _permit = self
            .inner
            .permits
            .acquire()
            .await
            .map_err(|_| Error::Closed)?;
        self.wait_back_off().await;
        let timeout = self.inner.request_timeout;
        let resp = self
            .attempt(xml, mailbox, refresh, timeout, Some(timeout))
            .await
            .map_err(Failure::into_error)?;
        let resp = match self.check_status(resp, mailbox, refresh)? {
            Step::Done(r) => r,
            Step::Refresh => return Ok(Step::Refresh),
            Step::Busy => return Ok(Step::Busy),
        };
        let body = resp.bytes(self.inner.max_response_bytes).await?;
        // A body that is not an EWS envelope (a proxy's page, a body cut short) is an error
        // worth another attempt, not an answer.
        let env = ews_notify::parse_notification(&body)?;
        if let Some(d) = busy_back_off(&env) {
            tracing::info!(
                back_off_ms = d.as_millis() as u64,
                "ews: ErrorServerBusy, backing off"
            );
            self.back_off(d);
            return Ok(Step::Busy);
        }
        drop(env);
        Ok(Step::Done(body))
    }

    /// Sends a request and returns the whole body, an EWS envelope. Transient failures
    /// (timeouts, broken connections, 5xx, bodies that are not an envelope) are retried under
    /// the client's [`RetryPolicy`]; `ErrorServerBusy` (fault or response message) after its
    /// `BackOffMilliseconds`, shared by every request to the server.
    pub(crate) async fn call(&self, xml: &str, mailbox: Option<&str>) -> Result<Vec<u8>, Error> {
        let policy = self.inner.retry;
        let mut refresh = false;
        let mut retries = 0u32;
        loop {
            let error = match self.exchange(xml, mailbox, refresh).await {
                Ok(Step::Done(body)) => return Ok(body),
                Ok(Step::Refresh) => {
                    refresh = true;
                    continue;
                }
                Ok(Step::Busy) => None,
                Err(e) if e.is_transient() => Some(e),
                Err(e) => return Err(e),
            };
            if !policy.allows(retries) {
                return Err(error.unwrap_or_else(|| Error::ews("ErrorServerBusy", None)));
            }
            let wait = policy.delay(retries);
            retries += 1;
            match error {
                // The server's back-off is already shared; no wait of our own on top.
                None => {}
                Some(e) => {
                    tracing::warn!(error = %e, retry = retries, wait_ms = wait.as_millis() as u64, "ews request failed; retrying");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}

/// What one exchange came to, short of an error.
pub(crate) enum Step<T> {
    /// The answer.
    Done(T),
    /// A 401 with bearer tokens: ask again with a fresh token.
    Refresh,
    /// `ErrorServerBusy`: the shared back-off is set; ask again.
    Busy,
}

/// The back-off an `ErrorServerBusy` answer asks for, fault or response-message form.
pub(crate) fn busy_back_off(env: &Envelope<'_>) -> Option<Duration> {
    const DEFAULT: Duration = Duration::from_secs(1);
    match env {
        Envelope {
            body: Body::Fault(f),
            ..
        } => {
            if f.response_code == Some(ResponseCode::ErrorServerBusy)
                || f.fault_code.as_deref().is_some_and(|c| {
                    // A SOAP fault code is a QName (`a:ErrorServerBusy`): its local name.
                    let local = c.rsplit(':').next().unwrap_or(c);
                    ResponseCode::parse(local.into()) == ResponseCode::ErrorServerBusy
                })
            {
                return Some(
                    f.back_off_milliseconds
                        .map_or(DEFAULT, Duration::from_millis),
                );
            }
            None
        }
        env => env.body.statuses().find_map(|s| {
            (s.response_code == Some(ResponseCode::ErrorServerBusy)).then(|| {
                s.back_off_milliseconds
                    .map_or(DEFAULT, Duration::from_millis)
            })
        }),
    }
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
        watch: &crate::Watch,
        item_id: &str,
    ) -> Result<Option<ews_notify::CalendarItem<'static>>, Error> {
        use ews_notify::request::{GetItemRequest, ItemRef};
        let xml = GetItemRequest::new([ItemRef::id(item_id.to_string())])
            .header(watch.header())
            .build()?;
        let body = self.call(&xml, Some(&watch.mailbox)).await?;
        let env = ews_notify::parse_notification(&body)?;
        let Body::GetItemResponse(messages) = env.body else {
            return Err(crate::recovery::fault_error(&env));
        };
        let Some(m) = messages.into_iter().next() else {
            return Err(Error::ews("empty GetItemResponse", None));
        };
        match &m.status.response_code {
            None | Some(ResponseCode::NoError) => Ok(m
                .items
                .into_iter()
                .next()
                .map(ews_notify::CalendarItem::into_owned)),
            Some(ResponseCode::ErrorItemNotFound) => Ok(None),
            Some(code) => Err(Error::ews(code.as_str(), m.status.message_text.as_deref())),
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
        let policy = self.inner.retry;
        let mut refresh = false;
        let mut busy = 0u32;
        loop {
            match self.exchange(xml, mailbox, refresh).await? {
                Step::Done(body) => return Ok(body),
                Step::Refresh => refresh = true,
                // The shared back-off is set; the next exchange waits it out.
                Step::Busy if policy.allows(busy) => busy += 1,
                Step::Busy => return Err(Error::ews("ErrorServerBusy", None)),
            }
        }
    }
}
