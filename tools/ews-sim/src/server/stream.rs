//! GetStreamingEvents: a long-lived chunked response carrying many envelopes.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::{Fault, Faults, Shared, check_affinity, faults, forget_maybe, lock, routed_backend};
use crate::read::Request;
use crate::soap::{self, StreamingMessage};
use crate::state::{LogEvent, SubscriptionKind};

pub(super) fn get_streaming_events(
    shared: Arc<Shared>,
    req: &Request,
    f: &Faults,
    cookie: &str,
    headers: &axum::http::HeaderMap,
) -> Response {
    let ids: Vec<String> = req
        .all_in("SubscriptionId", "SubscriptionIds")
        .map(|n| n.text.clone())
        .collect();
    let minutes: u32 = req
        .text("ConnectionTimeout")
        .and_then(|t| t.parse().ok())
        .unwrap_or(30);
    let connection = shared.next_connection.fetch_add(1, Ordering::Relaxed);
    shared.count(|s| s.streaming_connections += 1);
    for id in &ids {
        forget_maybe(&shared, f, id);
    }
    let unknown: Vec<String> = {
        let mut st = lock(&shared.state);
        let mut unknown = Vec::new();
        // The connection is served by one mailbox server; subscriptions that live on another
        // are unknown to it (what Exchange answers when a group's requests lose affinity).
        let first = ids
            .iter()
            .find_map(|id| st.subscriptions.get(id).map(|s| s.mailbox));
        let routed = first.map(|mb| routed_backend(&st, cookie, headers, mb));
        let mut backends = Vec::new();
        for id in &ids {
            match st.subscriptions.get_mut(id) {
                Some(s) if s.kind == SubscriptionKind::Streaming => {
                    let backend = s.backend;
                    if !backends.contains(&backend) {
                        backends.push(backend);
                    }
                    if Some(backend) == routed {
                        s.connection = connection;
                    } else {
                        unknown.push(id.clone());
                    }
                }
                _ => unknown.push(id.clone()),
            }
        }
        // One miss per request: a cookie serves one server, the group should live on one.
        match backends.as_slice() {
            [one] => check_affinity(&shared, *one, cookie),
            [] => {}
            _ => shared.count(|s| s.affinity_misses += 1),
        }
        unknown
    };
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    let deadline = Instant::now() + shared.config.minute * minutes.clamp(1, 30);
    let live: Vec<String> = ids.into_iter().filter(|i| !unknown.contains(i)).collect();
    tokio::spawn(stream_connection(
        shared, connection, live, unknown, deadline, tx,
    ));
    let mut r = Response::new(Body::from_stream(ReceiverStream::new(rx)));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    r
}

type Tx = mpsc::Sender<Result<Bytes, std::io::Error>>;

async fn send_envelope(tx: &Tx, shared: &Shared, body: String) -> bool {
    // Split some envelopes over two chunks, so readers must reassemble.
    let bytes = Bytes::from(body.into_bytes());
    if lock(&shared.rng).next() % 4 == 0 && bytes.len() > 2 {
        let mid = bytes.len() / 3;
        if tx.send(Ok(bytes.slice(..mid))).await.is_err() {
            return false;
        }
        return tx.send(Ok(bytes.slice(mid..))).await.is_ok();
    }
    tx.send(Ok(bytes)).await.is_ok()
}

async fn stream_connection(
    shared: Arc<Shared>,
    connection: u64,
    mut live: Vec<String>,
    unknown: Vec<String>,
    deadline: Instant,
    tx: Tx,
) {
    let mut changed = shared.changed.subscribe();
    if !unknown.is_empty() {
        // Exchange refuses the whole request when an id is unknown.
        let msg = StreamingMessage {
            error_subscription_ids: unknown,
            closed: true,
            ..Default::default()
        };
        let _ = send_envelope(&tx, &shared, soap::streaming_envelope(&msg)).await;
        return;
    }
    let heartbeat = shared.config.heartbeat;
    let mut last_sent = Instant::now();
    loop {
        let f = faults(&shared);
        if shared.take_injected(|f| *f == Fault::StallStream).is_some() {
            shared.count(|s| s.faults += 1);
            // Hold the connection open, silent, until the client drops it. Pending events stay
            // with the subscription for the next connection.
            tx.closed().await;
            return;
        }
        if shared
            .take_injected(|f| *f == Fault::CloseStreamEarly)
            .is_some()
            || shared.chance(f.close_stream_early)
        {
            shared.count(|s| s.faults += 1);
            let msg = StreamingMessage {
                closed: true,
                ..Default::default()
            };
            let _ = send_envelope(&tx, &shared, soap::streaming_envelope(&msg)).await;
            return;
        }
        if !live.is_empty()
            && (shared
                .take_injected(|f| *f == Fault::ReadEventsFailed)
                .is_some()
                || shared.chance(f.read_events_failed))
        {
            // The server lost these subscriptions' events: they are gone, and say so.
            shared.count(|s| s.faults += 1);
            {
                let mut st = lock(&shared.state);
                for id in &live {
                    st.subscriptions.remove(id);
                }
            }
            let msg = StreamingMessage {
                error_subscription_ids: std::mem::take(&mut live),
                read_events_failed: true,
                closed: true,
                ..Default::default()
            };
            let _ = send_envelope(&tx, &shared, soap::streaming_envelope(&msg)).await;
            return;
        }
        // Take what is pending, under the lock, and note subscriptions that vanished.
        let (batches, gone) = {
            let mut st = lock(&shared.state);
            let mut batches: Vec<(String, Vec<LogEvent>)> = Vec::new();
            let mut gone = Vec::new();
            live.retain(|id| match st.subscriptions.get(id) {
                None => {
                    gone.push(id.clone());
                    false
                }
                // A newer connection took this subscription over.
                Some(s) => s.connection == connection,
            });
            for id in &live {
                if let Ok(events) = st.take_streaming(id, 100) {
                    if !events.is_empty() {
                        batches.push((id.clone(), events));
                    }
                }
            }
            (batches, gone)
        };
        let closing = live.is_empty() || Instant::now() >= deadline;
        let due = last_sent.elapsed() >= heartbeat;
        if !batches.is_empty() || !gone.is_empty() || closing || due {
            let msg = StreamingMessage {
                notifications: batches
                    .iter()
                    .map(|(id, ev)| (id.as_str(), ev.clone()))
                    .collect(),
                error_subscription_ids: gone,
                closed: closing,
                read_events_failed: false,
            };
            let body = soap::streaming_envelope(&msg);
            let drop_now = !msg.notifications.is_empty()
                && (shared
                    .take_injected(|f| *f == Fault::DropMidEnvelope)
                    .is_some()
                    || shared.chance(f.drop_mid_envelope));
            if drop_now {
                shared.count(|s| s.faults += 1);
                let bytes = Bytes::from(body.into_bytes());
                let half = bytes.slice(..bytes.len() / 2);
                let _ = tx.send(Ok(half)).await;
                let _ = tx
                    .send(Err(std::io::Error::other(
                        "ews-sim fault: dropped mid-envelope",
                    )))
                    .await;
                return;
            }
            if !send_envelope(&tx, &shared, body).await || closing {
                return;
            }
            last_sent = Instant::now();
        }
        let wait = heartbeat
            .saturating_sub(last_sent.elapsed())
            .min(deadline.saturating_duration_since(Instant::now()))
            .max(Duration::from_millis(1));
        tokio::select! {
            _ = changed.changed() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = tx.closed() => return,
        }
    }
}
