//! The pull loop: GetEvents, drained through MoreEvents.

use std::time::Duration;

use ews_notify::request::{GetEventsRequest, SubscribeRequest};
use ews_notify::{Body, EventKind, ResponseClass};

use crate::delivery::{Mailbox, Origin};
use crate::recovery::{at_least, establish, fault_error};
use crate::{Client, Error, EventStream, Watch};

/// Pull subscription timeout asked for, in minutes.
const PULL_TIMEOUT_MINUTES: u32 = 30;

/// `Watermark` sent in GetEvents when the server gave none: without watermarks the position
/// is the SyncFolderItems state alone, and a resubscription catches up from it.
const NO_WATERMARK: &str = "AA==";

/// Follows one mailbox by pull notifications, polling every `interval` when there is nothing
/// more to fetch. The loop runs on the current tokio runtime until the stream is dropped or an
/// unrecoverable error (sent as [`crate::Update::Failed`]).
pub fn watch_pull(client: &Client, watch: Watch, interval: Duration) -> EventStream {
    let (mb, stream) = Mailbox::new(watch);
    let client = client.clone();
    tokio::spawn(async move {
        let mut mb = mb;
        if let Err(e) = run(&client, &mut mb, interval).await {
            if !matches!(e, Error::Closed) {
                mb.fail(&e).await;
            }
        }
    });
    stream
}

async fn run(client: &Client, mb: &mut Mailbox, interval: Duration) -> Result<(), Error> {
    let make = || SubscribeRequest::pull(PULL_TIMEOUT_MINUTES);
    let mut id = establish(client, mb, &make, None).await?;
    let policy = client.retry_policy();
    // `MoreEvents` answers in a row that brought no event.
    let mut stalls = 0u32;
    if mb.position.watermark.is_none() {
        tracing::info!(mailbox = %mb.watch.mailbox, "ews: the server gives no watermarks; resuming from the SyncFolderItems state");
    }
    loop {
        // A server that gives no watermarks (gromox) ignores this one; the schema needs one.
        let w = mb
            .position
            .watermark
            .clone()
            .unwrap_or_else(|| NO_WATERMARK.to_string());
        let xml = GetEventsRequest::new(id.clone(), w)
            .header(mb.watch.header())
            .build()?;
        let no_watermark = mb.position.watermark.is_none();
        let body = if no_watermark {
            // Without watermarks a lost connection may hide a server restart, after which this
            // id may name another client's new subscription (gromox counts ids from 1 again):
            // never send it again, subscribe anew and catch up from the sync state.
            match client.call_once(&xml, Some(&mb.watch.mailbox)).await {
                Ok(body) => body,
                Err(e @ (Error::Network(_) | Error::Timeout(_))) => {
                    tracing::info!(mailbox = %mb.watch.mailbox, error = %e, "ews: connection lost on a server without watermarks; subscribing anew");
                    tokio::time::sleep(at_least(interval)).await;
                    id = establish(client, mb, &make, Some("connection lost".into())).await?;
                    continue;
                }
                Err(e) => return Err(e),
            }
        } else {
            client.call(&xml, Some(&mb.watch.mailbox)).await?
        };
        let env = ews_notify::parse_notification(&body)?;
        let messages = match &env.body {
            Body::GetEventsResponse(m) => m,
            _ => return Err(fault_error(&env)),
        };
        let Some(m) = messages.first() else {
            return Err(Error::ews("empty GetEventsResponse", None));
        };
        if m.status.response_class == ResponseClass::Error {
            let code = m
                .status
                .response_code
                .as_ref()
                .map(|c| c.clone().into_owned());
            // Without watermarks, an id another mailbox's new subscription took after a
            // server restart is refused as not ours: that subscription is gone too.
            let taken = |c: &ews_notify::ResponseCode<'_>| {
                no_watermark
                    && matches!(
                        c,
                        ews_notify::ResponseCode::ErrorAccessDenied
                            | ews_notify::ResponseCode::ErrorSubscriptionAccessDenied
                    )
            };
            match code {
                Some(c) if c.requires_resubscribe() || taken(&c) => {
                    tracing::info!(mailbox = %mb.watch.mailbox, code = c.as_str(), "ews: subscription gone");
                    id = establish(client, mb, &make, Some(c.as_str().to_string())).await?;
                    continue;
                }
                other => {
                    let code =
                        other.map_or_else(|| "Error".to_string(), |c| c.as_str().to_string());
                    return Err(Error::ews(&code, m.status.message_text.as_deref()));
                }
            }
        }
        let mut more = false;
        let mut delivered = false;
        for n in &m.notifications {
            more |= n.more_events == Some(true);
            for e in &n.events {
                if let Some(w) = &e.watermark {
                    mb.position.watermark = Some(w.to_string());
                }
                if e.kind != EventKind::Status {
                    delivered = true;
                    mb.deliver(e.clone().into_owned(), Origin::Notification)
                        .await?;
                }
            }
        }
        if !more {
            stalls = 0;
            tokio::time::sleep(at_least(interval)).await;
        } else if delivered {
            stalls = 0;
        } else {
            // More to come, the server says, yet it sent nothing: drain no faster than the
            // retry policy allows, so a server that says so forever is not asked in a loop.
            let wait = policy.delay(stalls).max(at_least(interval));
            stalls = stalls.saturating_add(1);
            tracing::warn!(mailbox = %mb.watch.mailbox, stalls, wait_ms = wait.as_millis() as u64, "ews: MoreEvents without events; pausing");
            tokio::time::sleep(wait).await;
        }
    }
}
