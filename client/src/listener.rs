//! The push listener: an HTTP endpoint Exchange POSTs `SendNotification` to.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body as HttpBody, Bytes};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use ews_notify::request::{SubscribeRequest, SubscriptionStatus, send_notification_result};
use ews_notify::{Body, Event, EventKind, ResponseClass};

use crate::delivery::{Mailbox, Origin};
use crate::http::tls_listener::{ListenerTls, TlsListener};
use crate::recovery::establish;
use crate::{Client, Error, EventStream, Watch};

/// Settings of the push listener. Its `Debug` output never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct PushOptions {
    /// Address to listen on, e.g. `0.0.0.0:8080` (`127.0.0.1:0`: any free port).
    pub bind: SocketAddr,
    /// Base URL the server reaches the listener at, without the secret (default
    /// `http://{bound address}`).
    pub public_url: Option<String>,
    /// Path segment every notification URL carries; requests without it get 404. Use URL-safe
    /// characters.
    pub secret: String,
    /// `StatusFrequency` asked for, 1-1440 minutes.
    pub status_frequency_minutes: u32,
    /// A subscription that sends nothing for this long is re-created. Default: twice
    /// `StatusFrequency`.
    pub silence_after: Option<Duration>,
    /// Largest request body accepted (413 above). Default 4 MiB.
    pub max_body_bytes: usize,
    /// Time a connection has to send a complete request head, counted from when it opened
    /// or its previous answer went out: it closes slow senders and idle keep-alive
    /// connections alike, so they cannot hold file descriptors. Default 30 s.
    pub header_timeout: Duration,
    /// Time a request has to send its whole body once its head is in (408 after). Default
    /// 30 s.
    pub body_timeout: Duration,
    /// Most connections open at once (TLS handshakes included); more wait in the kernel's
    /// backlog until one closes. Default 256.
    pub max_connections: usize,
    /// Most request bodies parsed at once, each on tokio's blocking pool rather than on the
    /// async workers. Default 2.
    pub max_parallel_parses: usize,
    /// Serve HTTPS with this certificate (the default URL then starts `https://`); the server
    /// must trust its issuer. Default: plain HTTP, for a listener behind a TLS reverse proxy.
    pub tls: Option<ListenerTls>,
}

impl PushOptions {
    /// Listening on `bind` with `secret` in the path and a 1-minute `StatusFrequency`.
    pub fn new(bind: SocketAddr, secret: impl Into<String>) -> Self {
        Self {
            bind,
            public_url: None,
            secret: secret.into(),
            status_frequency_minutes: 1,
            silence_after: None,
            max_body_bytes: 4 << 20,
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(30),
            max_connections: 256,
            max_parallel_parses: 2,
            tls: None,
        }
    }
}

impl std::fmt::Debug for PushOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushOptions")
            .field("bind", &self.bind)
            .field("public_url", &self.public_url)
            .field("secret", &"<redacted>")
            .field("status_frequency_minutes", &self.status_frequency_minutes)
            .field("silence_after", &self.silence_after)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("header_timeout", &self.header_timeout)
            .field("body_timeout", &self.body_timeout)
            .field("max_connections", &self.max_connections)
            .field("max_parallel_parses", &self.max_parallel_parses)
            .field("tls", &self.tls)
            .finish()
    }
}

/// A running push listener. Dropping it keeps the server running until its streams are
/// dropped; call [`PushListener::url`] for the address subscriptions point at.
pub struct PushListener {
    url: String,
    /// One stream per watch, in order.
    pub streams: Vec<EventStream>,
}

impl PushListener {
    /// The notification URL (with the secret) given to the server.
    pub fn url(&self) -> &str {
        &self.url
    }
}

struct Slot {
    mb: Mailbox,
    subscription: Option<String>,
    last_seen: Instant,
}

struct Shared {
    client: Client,
    url: String,
    status_frequency: u32,
    slots: Vec<Mutex<Slot>>,
    by_subscription: StdMutex<HashMap<String, usize>>,
    max_body_bytes: usize,
    body_timeout: Duration,
    parses: Semaphore,
}

fn lock<T>(m: &StdMutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    fn request(&self) -> SubscribeRequest {
        SubscribeRequest::push(self.url.clone(), self.status_frequency)
    }

    /// (Re)creates the push subscription of slot `i`.
    async fn subscribe(
        &self,
        i: usize,
        slot: &mut Slot,
        reason: Option<String>,
    ) -> Result<(), Error> {
        let id = establish(&self.client, &mut slot.mb, &|| self.request(), reason).await?;
        rebind(
            &mut lock(&self.by_subscription),
            slot.subscription.take(),
            &id,
            i,
        );
        slot.subscription = Some(id);
        slot.last_seen = Instant::now();
        Ok(())
    }
}

/// Points subscription id `new` at slot `i`, forgetting the slot's `old` id only while it
/// still names this slot: some servers (gromox) hand out ids again after a restart, so another
/// slot's new subscription may already hold the string this slot used before.
fn rebind(map: &mut HashMap<String, usize>, old: Option<String>, new: &str, i: usize) {
    if let Some(old) = old {
        if map.get(&old) == Some(&i) {
            map.remove(&old);
        }
    }
    map.insert(new.to_string(), i);
}

/// Starts a push listener, subscribes every watch to it, and returns a stream per watch.
///
/// # Errors
/// [`Error::Network`] when the address cannot be bound; any error of the first subscriptions.
pub async fn listen_push(
    client: &Client,
    watches: Vec<Watch>,
    options: PushOptions,
) -> Result<PushListener, Error> {
    let listener = tokio::net::TcpListener::bind(options.bind)
        .await
        .map_err(Error::network)?;
    let addr = listener.local_addr().map_err(Error::network)?;
    let scheme = if options.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let base = options
        .public_url
        .clone()
        .unwrap_or_else(|| format!("{scheme}://{addr}"));
    let url = format!("{}/{}", base.trim_end_matches('/'), options.secret);
    let mut streams = Vec::with_capacity(watches.len());
    let mut slots = Vec::with_capacity(watches.len());
    for w in watches {
        let (mb, s) = Mailbox::new(w);
        streams.push(s);
        slots.push(Mutex::new(Slot {
            mb,
            subscription: None,
            last_seen: Instant::now(),
        }));
    }
    let shared = Arc::new(Shared {
        client: client.clone(),
        url: url.clone(),
        status_frequency: options.status_frequency_minutes.clamp(1, 1440),
        slots,
        by_subscription: StdMutex::new(HashMap::new()),
        max_body_bytes: options.max_body_bytes,
        body_timeout: options.body_timeout,
        parses: Semaphore::new(options.max_parallel_parses.max(1)),
    });
    let app = Router::new()
        .route(&format!("/{}", options.secret), post(notify))
        .with_state(shared.clone());
    let connections = Arc::new(Semaphore::new(options.max_connections.max(1)));
    let header_timeout = options.header_timeout;
    match &options.tls {
        Some(tls) => {
            let mut tls = TlsListener::new(listener, tls, connections)?;
            tokio::spawn(async move {
                while let Some((io, permit)) = tls.accept().await {
                    spawn_connection(io, app.clone(), permit, header_timeout);
                }
            });
        }
        None => {
            tokio::spawn(async move {
                loop {
                    let Ok(permit) = connections.clone().acquire_owned().await else {
                        return;
                    };
                    match listener.accept().await {
                        Ok((tcp, _)) => {
                            let _ = tcp.set_nodelay(true);
                            spawn_connection(tcp, app.clone(), permit, header_timeout);
                        }
                        Err(e) => {
                            // Out of file descriptors and the like: wait, as axum does.
                            tracing::warn!(error = %e, "push listener: accept failed");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    }
                }
            });
        }
    }
    for (i, slot) in shared.slots.iter().enumerate() {
        let mut slot = slot.lock().await;
        shared.subscribe(i, &mut slot, None).await?;
    }
    let silence = options.silence_after.unwrap_or(Duration::from_secs(
        120 * u64::from(shared.status_frequency),
    ));
    tokio::spawn(watchdog(shared, silence));
    Ok(PushListener { url, streams })
}

/// Serves one connection with `app` (HTTP/1.1, keep-alive) until it closes; the permit, one
/// of the listener's `max_connections`, goes with it. hyper's header timeout starts whenever
/// the connection waits for a request head, so it also closes idle connections.
fn spawn_connection<I>(io: I, app: Router, permit: OwnedSemaphorePermit, header_timeout: Duration)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    tokio::spawn(async move {
        let service = hyper_util::service::TowerToHyperService::new(app);
        let served = hyper::server::conn::http1::Builder::new()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(header_timeout)
            .serve_connection(hyper_util::rt::TokioIo::new(io), service)
            .await;
        if let Err(e) = served {
            tracing::debug!(error = %e, "push listener: connection ended");
        }
        drop(permit);
    });
}

/// Re-creates subscriptions that went silent for longer than `silence`.
async fn watchdog(shared: Arc<Shared>, silence: Duration) {
    let tick = (silence / 4).max(Duration::from_millis(10));
    loop {
        tokio::time::sleep(tick).await;
        let mut alive = false;
        for (i, slot) in shared.slots.iter().enumerate() {
            let mut slot = slot.lock().await;
            if slot.mb.tx.is_closed() {
                continue;
            }
            alive = true;
            if slot.last_seen.elapsed() > silence {
                tracing::info!(mailbox = %slot.mb.watch.mailbox, "ews push: subscription silent; re-creating it");
                if let Err(e) = shared.subscribe(i, &mut slot, Some("silent".into())).await {
                    slot.mb.fail(&e).await;
                }
            }
        }
        if !alive {
            return;
        }
    }
}

fn answer(status: SubscriptionStatus) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        send_notification_result(status),
    )
        .into_response()
}

/// One `SendNotificationResponseMessage`, read off the async workers and owned.
struct Pushed {
    /// `Some(code)` when the message is an error (for example `ErrorReadEventsFailed`).
    error: Option<String>,
    /// The subscription an error message names in its `MessageXml`.
    named: Option<String>,
    /// Subscription id and its events, in order.
    notifications: Vec<(String, Vec<Event<'static>>)>,
}

/// Reads a request body (on the blocking pool).
/// `Err` carries the text of a 400 answer.
fn read_pushed(body: &[u8]) -> Result<Vec<Pushed>, String> {
    let env = match ews_notify::parse_notification(body) {
        Ok(env) => env,
        Err(e) => {
            tracing::info!(error = %e, "ews push: unreadable request");
            return Err(e.to_string());
        }
    };
    let Body::SendNotification(messages) = env.body else {
        return Err("not a SendNotification".into());
    };
    Ok(messages
        .into_iter()
        .map(|m| Pushed {
            error: (m.status.response_class == ResponseClass::Error).then(|| {
                m.status
                    .response_code
                    .as_ref()
                    .map_or_else(|| "Error".to_string(), |c| c.as_str().to_string())
            }),
            named: m
                .status
                .message_xml
                .as_ref()
                .and_then(|x| x.get("SubscriptionId"))
                .map(str::to_string),
            notifications: m
                .notifications
                .into_iter()
                .map(|n| {
                    (
                        n.subscription_id.to_string(),
                        n.events.into_iter().map(Event::into_owned).collect(),
                    )
                })
                .collect(),
        })
        .collect())
}

async fn notify(State(shared): State<Arc<Shared>>, body: HttpBody) -> Response {
    let read = axum::body::to_bytes(body, shared.max_body_bytes);
    let body: Bytes = match tokio::time::timeout(shared.body_timeout, read).await {
        Err(_) => return (StatusCode::REQUEST_TIMEOUT, "body too slow").into_response(),
        Ok(Err(e)) => {
            // The length limit, or a connection that broke mid-body.
            let status = if std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
            {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::BAD_REQUEST
            };
            return (status, "unreadable body").into_response();
        }
        Ok(Ok(b)) => b,
    };
    // Parsing is CPU work: on the blocking pool, a bounded number at a time, so large
    // bodies cannot starve the async workers serving other connections.
    let Ok(_parse) = shared.parses.acquire().await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let messages = match tokio::task::spawn_blocking(move || read_pushed(&body)).await {
        Ok(Ok(m)) => m,
        Ok(Err(why)) => return (StatusCode::BAD_REQUEST, why).into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    drop(_parse);
    for m in messages {
        let ids: Vec<&str> = m.notifications.iter().map(|(id, _)| id.as_str()).collect();
        for (subscription_id, events) in &m.notifications {
            let slot_index = lock(&shared.by_subscription)
                .get(subscription_id.as_str())
                .copied();
            let Some(i) = slot_index else {
                // Not a subscription of ours (any more): tell the server to stop.
                return answer(SubscriptionStatus::Unsubscribe);
            };
            let mut slot = shared.slots[i].lock().await;
            if slot.subscription.as_deref() != Some(subscription_id.as_str()) {
                return answer(SubscriptionStatus::Unsubscribe);
            }
            slot.last_seen = Instant::now();
            for e in events {
                if let Some(w) = &e.watermark {
                    slot.mb.position.watermark = Some(w.to_string());
                }
                if e.kind != EventKind::Status
                    && slot
                        .mb
                        .deliver(e.clone(), Origin::Notification)
                        .await
                        .is_err()
                {
                    // The consumer is gone: stop this subscription.
                    return answer(SubscriptionStatus::Unsubscribe);
                }
            }
        }
        if let Some(code) = m.error {
            // For example ErrorReadEventsFailed: this subscription cannot go on; re-create it.
            let target = m
                .named
                .as_deref()
                .or(ids.first().copied())
                .and_then(|id| lock(&shared.by_subscription).get(id).copied());
            if let Some(i) = target {
                let mut slot = shared.slots[i].lock().await;
                if let Err(e) = shared.subscribe(i, &mut slot, Some(code)).await {
                    slot.mb.fail(&e).await;
                }
            }
            return answer(SubscriptionStatus::Unsubscribe);
        }
    }
    answer(SubscriptionStatus::Ok)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::rebind;

    #[test]
    fn a_reused_id_stays_with_the_slot_that_holds_it_now() {
        // Before a restart slot 0 held "1", slot 1 held "2". After it, slot 1 re-subscribes
        // first and is given "1" again; then slot 0 re-subscribes and gets "3".
        let mut map = HashMap::from([("1".to_string(), 0), ("2".to_string(), 1)]);
        rebind(&mut map, Some("2".into()), "1", 1);
        rebind(&mut map, Some("1".into()), "3", 0);
        assert_eq!(
            map.get("1"),
            Some(&1),
            "slot 0's old id must not unbind slot 1's new one"
        );
        assert_eq!(map.get("3"), Some(&0));
        assert_eq!(map.get("2"), None, "slot 1's old id is gone");
        assert_eq!(map.len(), 2);
    }

    #[test]
    fn the_same_id_given_back_to_the_same_slot_stays_bound() {
        let mut map = HashMap::from([("1".to_string(), 0)]);
        rebind(&mut map, Some("1".into()), "1", 0);
        assert_eq!(map.get("1"), Some(&0));
    }
}
