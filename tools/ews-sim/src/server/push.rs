//! Push delivery: the simulator POSTs `SendNotification` to each push subscription's URL.
//!
//! Modelled on Exchange's documented behaviour: pending events go out as soon as they exist,
//! at most [`PUSH_BATCH`] per request; with nothing to send, a `StatusEvent` goes out every
//! `StatusFrequency` minutes. A request counts as delivered only when the listener answers
//! `SendNotificationResult` with `OK` (then the next one starts from there); `Unsubscribe`
//! ends the subscription. Any other answer (an HTTP error, a refused connection, an
//! unreadable body) is retried after half a minute, then after 1, 2, 4, ... minutes, as long
//! as the retries fit in `StatusFrequency` minutes; after that the subscription is dropped,
//! as Exchange does (the client notices the silence and re-creates it). Minutes are
//! [`Config::minute`](crate::Config::minute) long.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Shared, faults, lock};
use crate::read::read_request;
use crate::{ids, soap};

/// Most events in one SendNotification.
pub const PUSH_BATCH: usize = 50;

/// What the listener answered.
enum Answer {
    Ok,
    Unsubscribe,
    Failed(String),
}

async fn post(http: &reqwest::Client, url: &str, body: String) -> Answer {
    let resp = match http
        .post(url)
        .header("Content-Type", "text/xml; charset=utf-8")
        .body(body)
        .send()
        .await
    {
        Ok(r) => r,
        Err(e) => return Answer::Failed(e.to_string()),
    };
    let status = resp.status();
    let Ok(bytes) = resp.bytes().await else {
        return Answer::Failed("answer cut short".into());
    };
    if !status.is_success() {
        return Answer::Failed(format!("HTTP {status}"));
    }
    match read_request(&bytes) {
        Ok(r) if r.operation == "SendNotificationResult" => {
            match r.text("SubscriptionStatus").unwrap_or_default() {
                "OK" => Answer::Ok,
                "Unsubscribe" => Answer::Unsubscribe,
                other => Answer::Failed(format!("SubscriptionStatus {other:?}")),
            }
        }
        Ok(r) => Answer::Failed(format!("unexpected answer {}", r.operation)),
        Err(e) => Answer::Failed(e),
    }
}

/// Delivers one push subscription until it ends.
pub(super) async fn deliver(shared: Arc<Shared>, id: String, url: String, status_frequency: u32) {
    let mut http = reqwest::Client::builder();
    if let Some(ca) = &shared.push_ca {
        http = http.add_root_certificate(ca.clone());
    }
    let http = http.build().unwrap_or_default();
    let mut changed = shared.changed.subscribe();
    let minute = shared.config.minute;
    let period = minute * status_frequency.max(1);
    let mut last_sent = Instant::now();
    loop {
        let (pending, guid) = {
            let st = lock(&shared.state);
            (st.peek_push(&id, PUSH_BATCH), st.guid_of(&id))
        };
        let (Some((previous, events, reached, more)), Some(guid)) = (pending, guid) else {
            return; // unsubscribed or forgotten
        };
        if events.is_empty() && last_sent.elapsed() < period {
            let wait = period.saturating_sub(last_sent.elapsed());
            tokio::select! {
                _ = changed.changed() => {}
                _ = tokio::time::sleep(wait) => {}
            }
            continue;
        }
        if shared
            .take_injected(|f| *f == super::Fault::ReadEventsFailed)
            .is_some()
            || shared.chance(faults(&shared).read_events_failed)
        {
            // The seed's capture: the events are lost, the listener is told, the subscription
            // is gone.
            shared.count(|s| s.faults += 1);
            lock(&shared.state).subscriptions.remove(&id);
            let _ = post(&http, &url, soap::send_notification_read_events_failed(&id)).await;
            return;
        }
        let body =
            soap::send_notification(&id, &previous, &events, more, &|p| ids::watermark(&guid, p));
        let mut retry = minute / 2;
        let mut spent = Duration::ZERO;
        loop {
            if shared.chance(faults(&shared).forget_subscription) {
                if lock(&shared.state).subscriptions.remove(&id).is_some() {
                    shared.count(|s| s.faults += 1);
                    tracing::debug!(subscription = %id, "ews-sim fault: push subscription forgotten");
                }
                return;
            }
            match post(&http, &url, body.clone()).await {
                Answer::Ok => {
                    lock(&shared.state).ack_push(&id, reached);
                    shared.count(|s| s.push_deliveries += 1);
                    break;
                }
                Answer::Unsubscribe => {
                    lock(&shared.state).subscriptions.remove(&id);
                    return;
                }
                Answer::Failed(why) => {
                    shared.count(|s| s.push_failures += 1);
                    if spent + retry > period {
                        tracing::debug!(subscription = %id, %why, "ews-sim: push retries exhausted; subscription dropped");
                        lock(&shared.state).subscriptions.remove(&id);
                        return;
                    }
                    tokio::time::sleep(retry).await;
                    spent += retry;
                    retry *= 2;
                }
            }
        }
        last_sent = Instant::now();
    }
}
