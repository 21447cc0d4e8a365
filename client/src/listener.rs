//! The push listener: an HTTP endpoint Exchange POSTs `SendNotification` to.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::https::{ListenerTls, TlsListener};
use super::{Client, Error, EventStream, Mailbox, Origin, Watch, establish};
use ews_notify::envelope::{Body, ResponseClass};
use ews_notify::event::EventKind;
use ews_notify::request::{SubscribeRequest, SubscriptionStatus, send_notification_result};

/// Settings of the push listener.
#[derive(Debug, Clone, PartialEq, Eq)]
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
            tls: None,
        }
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
    });
    let app = Router::new()
        .route(&format!("/{}", options.secret), post(notify))
        .layer(DefaultBodyLimit::max(options.max_body_bytes))
        .with_state(shared.clone());
    match &options.tls {
        Some(tls) => serve(TlsListener::new(listener, tls)?, app),
        None => serve(listener, app),
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

/// Serves `app` on `listener` in the background.
fn serve<L>(listener: L, app: Router)
where
    L: axum::serve::Listener,
    L::Addr: std::fmt::Debug,
{
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::warn!(error = %e, "push listener stopped");
        }
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

async fn notify(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let env = match ews_notify::parse_notification(&body) {
        Ok(env) => env,
        Err(e) => {
            tracing::info!(error = %e, "ews push: unreadable request");
            return (StatusCode::BAD_REQUEST, e.to_string()).into_response();
        }
    };
    let Body::SendNotification(messages) = &env.body else {
        return (StatusCode::BAD_REQUEST, "not a SendNotification").into_response();
    };
    for m in messages {
        let ids: Vec<&str> = m
            .notifications
            .iter()
            .map(|n| n.subscription_id.as_ref())
            .collect();
        for n in &m.notifications {
            let slot_index = lock(&shared.by_subscription)
                .get(n.subscription_id.as_ref())
                .copied();
            let Some(i) = slot_index else {
                // Not a subscription of ours (any more): tell the server to stop.
                return answer(SubscriptionStatus::Unsubscribe);
            };
            let mut slot = shared.slots[i].lock().await;
            if slot.subscription.as_deref() != Some(n.subscription_id.as_ref()) {
                return answer(SubscriptionStatus::Unsubscribe);
            }
            slot.last_seen = Instant::now();
            for e in &n.events {
                if let Some(w) = &e.watermark {
                    slot.mb.position.watermark = Some(w.to_string());
                }
                if e.kind != EventKind::Status
                    && slot
                        .mb
                        .deliver(e.clone().into_owned(), Origin::Notification)
                        .await
                        .is_err()
                {
                    // The consumer is gone: stop this subscription.
                    return answer(SubscriptionStatus::Unsubscribe);
                }
            }
        }
        if m.response_class == ResponseClass::Error {
            // For example ErrorReadEventsFailed: this subscription cannot go on; re-create it.
            let code = m
                .response_code
                .as_ref()
                .map_or_else(|| "Error".to_string(), |c| c.as_str().to_string());
            let named = m
                .message_xml
                .as_ref()
                .and_then(|x| x.get("SubscriptionId"))
                .map(str::to_string);
            let target = named
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
