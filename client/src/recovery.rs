//! The recovery algorithm the modes share: subscribe (from the last watermark when there is
//! one), fall back to a fresh subscription plus a SyncFolderItems catch-up when the server
//! refused the watermark, and run that catch-up to the end of the range.

use std::time::Duration;

use ews_notify::{Body, Envelope, Event, EventKind, ResponseCode, SyncChangeKind};

use crate::delivery::{Mailbox, Origin, Recovery};
use crate::{Client, Error};

/// Subscribes `mb` in the given mode, routed through `route`'s affinity (`X-AnchorMailbox` and
/// its cookie): the mailbox itself, or the anchor of its streaming group. `Ok(Err(code))` when
/// the server refused with an EWS code.
pub(crate) async fn subscribe(
    client: &Client,
    mb: &Mailbox,
    route: &str,
    mut req: ews_notify::request::SubscribeRequest,
    watermark: Option<&str>,
) -> Result<Result<(String, Option<String>), ResponseCode<'static>>, Error> {
    req = req
        .folder(mb.watch.folder_id())
        .event_types(mb.watch.event_types.iter().copied())
        .header(mb.watch.header());
    if let Some(w) = watermark {
        req = req.watermark(w.to_string());
    }
    let xml = req.build()?;
    let body = client.call(&xml, Some(route)).await?;
    let env = ews_notify::parse_notification(&body)?;
    let Some(m) = env.body.response_messages().first() else {
        return Err(fault_error(&env));
    };
    match (&m.status.response_code, &m.subscription_id) {
        (Some(ResponseCode::NoError) | None, Some(id)) => Ok(Ok((
            id.to_string(),
            m.watermark.as_ref().map(ToString::to_string),
        ))),
        (Some(code), _) => Ok(Err(code.clone().into_owned())),
        (None, None) => Err(Error::ews("missing SubscriptionId", None)),
    }
}

pub(crate) fn fault_error(env: &Envelope<'_>) -> Error {
    match &env.body {
        Body::Fault(f) => Error::ews(
            f.response_code.as_ref().map_or_else(
                || f.fault_code.as_deref().unwrap_or("fault"),
                |c| c.as_str(),
            ),
            f.fault_string.as_deref(),
        ),
        _ => Error::ews("empty response", None),
    }
}

/// Runs SyncFolderItems from the mailbox's sync state to the end; delivers each change as a
/// catch-up event when `deliver` is set. Returns the number of changes.
pub(crate) async fn catch_up(
    client: &Client,
    mb: &mut Mailbox,
    deliver: bool,
) -> Result<usize, Error> {
    catch_up_except(client, mb, deliver, &|_| false).await
}

/// [`catch_up`], without delivering the changes `delivered` says already reached the stream
/// (as notifications of the same item version).
pub(crate) async fn catch_up_except(
    client: &Client,
    mb: &mut Mailbox,
    deliver: bool,
    delivered: &(dyn Fn(&Event<'static>) -> bool + Send + Sync),
) -> Result<usize, Error> {
    let from = mb.position.sync_state.clone();
    let policy = client.retry_policy();
    let mut count = 0;
    // Pages in a row that said "more" but brought nothing and left the sync state as it was.
    let mut stalls = 0u32;
    loop {
        let mut req = ews_notify::request::SyncFolderItemsRequest::new(mb.watch.folder_id(), 512)
            .header(mb.watch.header());
        if let Some(s) = &mb.position.sync_state {
            req = req.sync_state(s.clone());
        }
        let body = client.call(&req.build()?, Some(&mb.watch.mailbox)).await?;
        let env = ews_notify::parse_notification(&body)?;
        let Body::SyncFolderItemsResponse(messages) = &env.body else {
            return Err(fault_error(&env));
        };
        let Some(answer) = messages.first() else {
            return Err(Error::ews("empty SyncFolderItemsResponse", None));
        };
        match &answer.status.response_code {
            None | Some(ResponseCode::NoError) => {}
            Some(ResponseCode::ErrorInvalidSyncStateData) if mb.position.sync_state.is_some() => {
                // Start over from scratch: every item comes again as a creation.
                mb.position.sync_state = None;
                continue;
            }
            Some(code) => {
                return Err(Error::ews(
                    code.as_str(),
                    answer.status.message_text.as_deref(),
                ));
            }
        }
        let Some(state) = &answer.sync_state else {
            return Err(Error::ews("missing SyncState", None));
        };
        let unchanged = mb.position.sync_state.as_deref() == Some(state.as_ref());
        mb.position.sync_state = Some(state.to_string());
        if deliver {
            for c in &answer.changes {
                let kind = match c.kind {
                    SyncChangeKind::Create => EventKind::Created,
                    SyncChangeKind::Update => EventKind::Modified,
                    SyncChangeKind::Delete => EventKind::Deleted,
                    // A read flag is not a calendar change.
                    _ => continue,
                };
                let id = c
                    .item
                    .as_ref()
                    .and_then(|i| i.item_id.as_ref())
                    .or(c.item_id.as_ref());
                let Some(id) = id else { continue };
                let event = Event {
                    item_id: Some(id.clone().into_owned()),
                    ..Event::new(kind)
                };
                if !delivered(&event) {
                    mb.deliver(event, Origin::CatchUp).await?;
                }
            }
        }
        count += answer.changes.len();
        if answer.includes_last_item_in_range != Some(false) {
            break;
        }
        if unchanged && answer.changes.is_empty() {
            // "More to come", with nothing and the same state: a server making no progress.
            if !policy.allows(stalls) {
                return Err(Error::NoProgress(format!(
                    "SyncFolderItems said IncludesLastItemInRange=false {} times in a row with \
                     no change and the same sync state",
                    stalls + 1
                )));
            }
            let wait = policy.delay(stalls);
            stalls += 1;
            tracing::warn!(mailbox = %mb.watch.mailbox, stalls, wait_ms = wait.as_millis() as u64, "ews: catch-up makes no progress; pausing");
            tokio::time::sleep(wait).await;
        } else {
            stalls = 0;
        }
    }
    if deliver {
        let to = mb.position.sync_state.clone().unwrap_or_default();
        mb.recovery(Recovery::CaughtUp {
            from,
            to,
            changes: count,
        })
        .await?;
    }
    Ok(count)
}

/// Makes a pull or push subscription (`make` gives the request): from the last watermark when
/// there is one, else fresh; a refused watermark falls back to a fresh subscription and a
/// catch-up.
pub(crate) async fn establish(
    client: &Client,
    mb: &mut Mailbox,
    make: &(dyn Fn() -> ews_notify::request::SubscribeRequest + Send + Sync),
    reason: Option<String>,
) -> Result<String, Error> {
    if let Some(w) = mb.position.watermark.clone() {
        match subscribe(client, mb, &mb.watch.mailbox, make(), Some(&w)).await? {
            Ok((id, _)) => {
                mb.recovery(Recovery::Resubscribed {
                    from_watermark: true,
                    reason,
                })
                .await?;
                return Ok(id);
            }
            Err(code) => {
                tracing::info!(mailbox = %mb.watch.mailbox, code = code.as_str(), "ews: watermark refused; catching up");
            }
        }
        let (id, wm) = fresh(client, mb, make).await?;
        mb.recovery(Recovery::Resubscribed {
            from_watermark: false,
            reason: Some("watermark refused".into()),
        })
        .await?;
        mb.position.watermark = wm;
        catch_up(client, mb, true).await?;
        return Ok(id);
    }
    if mb.position.sync_state.is_none() {
        // First start: a baseline taken *before* subscribing, then a catch-up from it once
        // the subscription is up. Changes between the two (a Subscribe retried after its
        // answer was lost leaves them with a subscription nobody reads) come as catch-up
        // changes; a later catch-up also covers what the subscription saw but never
        // delivered.
        catch_up(client, mb, false).await?;
        let (id, wm) = fresh(client, mb, make).await?;
        mb.position.watermark = wm;
        catch_up(client, mb, true).await?;
        return Ok(id);
    }
    // Resuming from a sync state only: subscribe, then catch up from it.
    let (id, wm) = fresh(client, mb, make).await?;
    mb.position.watermark = wm;
    catch_up(client, mb, true).await?;
    Ok(id)
}

async fn fresh(
    client: &Client,
    mb: &Mailbox,
    make: &(dyn Fn() -> ews_notify::request::SubscribeRequest + Send + Sync),
) -> Result<(String, Option<String>), Error> {
    match subscribe(client, mb, &mb.watch.mailbox, make(), None).await? {
        Ok(x) => Ok(x),
        Err(code) => Err(Error::ews(code.as_str(), Some("Subscribe refused"))),
    }
}

/// A pause that never busy-loops.
pub(crate) fn at_least(d: Duration) -> Duration {
    d.max(Duration::from_millis(1))
}
