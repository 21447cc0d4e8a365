//! Native EWS notification client (feature `transport`): subscribe, pull, stream, resubscribe,
//! catch up with SyncFolderItems, and deliver every event as an async [`EventStream`] per
//! mailbox.
//!
//! The guarantee: every change to a watched folder reaches the stream, either as the event
//! itself ([`Origin::Notification`]) or, after a break the server could have lost events in,
//! as a catch-up change from `SyncFolderItems` ([`Origin::CatchUp`]). Catch-up changes may
//! repeat what was already delivered; they are marked so the caller can tell.
//!
//! - **Pull** ([`watch_pull`]): `GetEvents` drained through `MoreEvents`; when the subscription
//!   is gone, a new one from the last watermark; when the watermark itself is refused, a fresh
//!   subscription plus a SyncFolderItems catch-up.
//! - **Streaming** ([`watch_streaming`]): up to 200 subscriptions per `GetStreamingEvents`
//!   connection, reconnected on `Closed`; a dropped connection, a missed heartbeat deadline or
//!   a refused subscription (`ErrorSubscriptionIds`) leads to a resubscription where needed and
//!   a catch-up, since events in flight may be lost.
//! - **Throttling**: one back-off per server honouring `BackOffMilliseconds` (fault or
//!   response message form) and a bounded number of requests in flight ([`Client`]).
//!
//! Each [`Delivered`] event carries a [`Position`] to persist; [`Watch::position`] resumes from
//! it. Channels are bounded: a slow consumer slows the loop down instead of growing memory.
//!
//! - **Push** ([`listen_push`]): an axum listener that answers `SendNotificationResult` (OK,
//!   or Unsubscribe for subscriptions it does not know or no longer wants), needs a secret
//!   path segment, limits body size, and re-creates a subscription silent for longer than twice
//!   its `StatusFrequency` (from the last watermark, or fresh plus a catch-up). Plain HTTP
//!   behind a TLS reverse proxy, or HTTPS itself with a [`ListenerTls`].
//!
//! - **Affinity**: each request carries `X-AnchorMailbox`, `X-PreferServerAffinity` and the
//!   `X-BackEndOverrideCookie` the server set. A streaming group is anchored on its
//!   alphabetically first mailbox, which subscribes first; every Subscribe of the group and its
//!   `GetStreamingEvents` connection are routed through that anchor and replay its cookie, so
//!   the whole group lives on one mailbox server.
//!
//! - **Credentials** ([`ClientBuilder`]): Basic, Bearer tokens refreshed on a 401, and NTLMv2
//!   on connections of the client's own (NTLM authenticates a connection, not a request),
//!   with channel bindings over TLS for Exchange's Extended Protection. Behind an HTTP proxy
//!   ([`ClientBuilder::proxy`], or the environment's), NTLM connections are `CONNECT` tunnels.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod error;
mod http;
mod https;
mod listener;
mod ntlm;
mod proxy;
mod pull;
mod streaming;

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

pub use client::{Client, ClientBuilder, TokenProvider};
pub use error::Error;
pub use https::ListenerTls;
pub use listener::{PushListener, PushOptions, listen_push};
pub use ntlm::NtlmError;
pub use pull::watch_pull;
pub use streaming::{StreamingOptions, watch_streaming};

use ews_notify::event::Event;
use ews_notify::request::{EventType, ExchangeVersion, FolderId, RequestHeader};

/// One mailbox folder to watch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    /// SMTP address of the mailbox (sent as `X-AnchorMailbox`, and impersonated when
    /// [`Watch::impersonate`] is set).
    pub mailbox: String,
    /// Distinguished folder name, `calendar` by default.
    pub folder: String,
    /// Event types subscribed to.
    pub event_types: Vec<EventType>,
    /// Where to resume from (empty: from now on).
    pub position: Position,
    /// Send `ExchangeImpersonation` for the mailbox (a service account following many).
    pub impersonate: bool,
}

impl Watch {
    /// The calendar of `mailbox`: created, modified, deleted, moved and copied items.
    pub fn calendar(mailbox: impl Into<String>) -> Self {
        Self {
            mailbox: mailbox.into(),
            folder: "calendar".into(),
            event_types: vec![
                EventType::Created,
                EventType::Modified,
                EventType::Deleted,
                EventType::Moved,
                EventType::Copied,
            ],
            position: Position::default(),
            impersonate: false,
        }
    }

    /// Resumes from a persisted position.
    #[must_use]
    pub fn from_position(mut self, position: Position) -> Self {
        self.position = position;
        self
    }

    pub(crate) fn header(&self) -> RequestHeader {
        let h = RequestHeader::new(ExchangeVersion::Exchange2013);
        if self.impersonate {
            h.impersonate_smtp(self.mailbox.clone())
        } else {
            h
        }
    }

    pub(crate) fn folder_id(&self) -> FolderId {
        FolderId::distinguished(self.folder.clone()).with_mailbox(self.mailbox.clone())
    }
}

/// Where a mailbox's delivery stands: persist it, and pass it back in [`Watch::position`] to
/// resume without loss.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Position {
    /// The last watermark (pull): events after it are still to come.
    pub watermark: Option<String>,
    /// The SyncFolderItems state of the last catch-up: a resumption or a fall-back catches up
    /// from here.
    pub sync_state: Option<String>,
}

/// How an event reached the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// From the server's notifications.
    Notification,
    /// Made from a SyncFolderItems change after a break; may repeat an event already delivered.
    CatchUp,
}

/// One event for a mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// The mailbox.
    pub mailbox: String,
    /// The event. Catch-up events carry kind, item id with change key and parent folder only.
    pub event: Event<'static>,
    /// Notification or catch-up.
    pub origin: Origin,
    /// Position after this event.
    pub position: Position,
}

/// Something the client did to keep delivery whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovery {
    /// A new subscription; `from_watermark` when it resumes from the last watermark.
    Resubscribed {
        /// Resumed from the last watermark (no catch-up needed).
        from_watermark: bool,
        /// The EWS code that made it necessary, if any.
        reason: Option<String>,
    },
    /// A SyncFolderItems catch-up ran from `from` (from scratch when `None`) to `to`.
    CaughtUp {
        /// The sync state it started from.
        from: Option<String>,
        /// The sync state it reached.
        to: String,
        /// Changes delivered.
        changes: usize,
    },
    /// A streaming connection was opened again.
    Reconnected {
        /// Why the previous one ended.
        reason: String,
    },
}

/// What an [`EventStream`] yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// An event (boxed: it is much larger than the other variants).
    Event(Box<Delivered>),
    /// A recovery step, for logs and displays.
    Recovery {
        /// The mailbox concerned.
        mailbox: String,
        /// What was done.
        recovery: Recovery,
    },
    /// The loop stopped on an error it cannot recover from (the stream ends after this).
    Failed {
        /// The mailbox concerned.
        mailbox: String,
        /// Why.
        error: String,
    },
}

/// The async stream of [`Update`]s for one mailbox. Dropping it stops delivery for that
/// mailbox.
pub struct EventStream {
    rx: tokio::sync::mpsc::Receiver<Update>,
}

impl EventStream {
    pub(crate) fn new(rx: tokio::sync::mpsc::Receiver<Update>) -> Self {
        Self { rx }
    }

    /// The next update; `None` when the loop ended.
    pub async fn next(&mut self) -> Option<Update> {
        self.rx.recv().await
    }
}

impl futures_core::Stream for EventStream {
    type Item = Update;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Update>> {
        self.rx.poll_recv(cx)
    }
}

/// Capacity of each mailbox's channel.
pub(crate) const CHANNEL_CAPACITY: usize = 256;

/// Per-mailbox loop state shared by the modes.
pub(crate) struct Mailbox {
    pub watch: Watch,
    pub tx: tokio::sync::mpsc::Sender<Update>,
    pub position: Position,
}

impl Mailbox {
    pub(crate) fn new(watch: Watch) -> (Self, EventStream) {
        let (tx, rx) = tokio::sync::mpsc::channel(CHANNEL_CAPACITY);
        let position = watch.position.clone();
        (
            Self {
                watch,
                tx,
                position,
            },
            EventStream::new(rx),
        )
    }

    pub(crate) async fn send(&self, u: Update) -> Result<(), Error> {
        self.tx.send(u).await.map_err(|_| Error::Closed)
    }

    pub(crate) async fn recovery(&self, recovery: Recovery) -> Result<(), Error> {
        tracing::info!(mailbox = %self.watch.mailbox, ?recovery, "ews recovery");
        self.send(Update::Recovery {
            mailbox: self.watch.mailbox.clone(),
            recovery,
        })
        .await
    }

    pub(crate) async fn deliver(&self, event: Event<'static>, origin: Origin) -> Result<(), Error> {
        self.send(Update::Event(Box::new(Delivered {
            mailbox: self.watch.mailbox.clone(),
            event,
            origin,
            position: self.position.clone(),
        })))
        .await
    }

    pub(crate) async fn fail(&self, error: &Error) {
        tracing::warn!(mailbox = %self.watch.mailbox, %error, "ews watch stopped");
        let _ = self
            .send(Update::Failed {
                mailbox: self.watch.mailbox.clone(),
                error: error.to_string(),
            })
            .await;
    }
}

/// Subscribes `mb` in the given mode, routed through `route`'s affinity (`X-AnchorMailbox` and
/// its cookie): the mailbox itself, or the anchor of its streaming group. `Ok(Err(code))` when
/// the server refused with an EWS code.
pub(crate) async fn subscribe(
    client: &Client,
    mb: &Mailbox,
    route: &str,
    mut req: ews_notify::request::SubscribeRequest,
    watermark: Option<&str>,
) -> Result<Result<(String, Option<String>), String>, Error> {
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
    match (&m.response_code, &m.subscription_id) {
        (Some(ews_notify::ResponseCode::NoError) | None, Some(id)) => Ok(Ok((
            id.to_string(),
            m.watermark.as_ref().map(ToString::to_string),
        ))),
        (Some(code), _) => Ok(Err(code.as_str().to_string())),
        (None, None) => Err(Error::ews("missing SubscriptionId", None)),
    }
}

pub(crate) fn fault_error(env: &ews_notify::Envelope<'_>) -> Error {
    match &env.body {
        ews_notify::Body::Fault(f) => Error::ews(
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
    use ews_notify::event::EventKind;
    use ews_notify::item::SyncChangeKind;
    let from = mb.position.sync_state.clone();
    let mut count = 0;
    loop {
        let mut req = ews_notify::request::SyncFolderItemsRequest::new(mb.watch.folder_id(), 512)
            .header(mb.watch.header());
        if let Some(s) = &mb.position.sync_state {
            req = req.sync_state(s.clone());
        }
        let body = client.call(&req.build()?, Some(&mb.watch.mailbox)).await?;
        let env = ews_notify::parse_notification(&body)?;
        let ews_notify::Body::SyncFolderItemsResponse(messages) = &env.body else {
            return Err(fault_error(&env));
        };
        let Some(answer) = messages.first() else {
            return Err(Error::ews("empty SyncFolderItemsResponse", None));
        };
        let code = answer
            .response_code
            .as_ref()
            .map_or("NoError", ews_notify::ResponseCode::as_str);
        if code == "ErrorInvalidSyncStateData" && mb.position.sync_state.is_some() {
            // Start over from scratch: every item comes again as a creation.
            mb.position.sync_state = None;
            continue;
        }
        if code != "NoError" {
            return Err(Error::ews(code, answer.message_text.as_deref()));
        }
        let Some(state) = &answer.sync_state else {
            return Err(Error::ews("missing SyncState", None));
        };
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
                mb.deliver(event, Origin::CatchUp).await?;
            }
        }
        count += answer.changes.len();
        if answer.includes_last_item_in_range != Some(false) {
            break;
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
                tracing::info!(mailbox = %mb.watch.mailbox, %code, "ews: watermark refused; catching up");
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
        // First start: a baseline to catch up from later, taken *before* subscribing, so that
        // a later catch-up also covers events the subscription saw but never delivered.
        catch_up(client, mb, false).await?;
        let (id, wm) = fresh(client, mb, make).await?;
        mb.position.watermark = wm;
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
        Err(code) => Err(Error::ews(&code, Some("Subscribe refused"))),
    }
}

/// A pause that never busy-loops.
pub(crate) fn at_least(d: Duration) -> Duration {
    d.max(Duration::from_millis(1))
}
