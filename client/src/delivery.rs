//! What the client delivers and the state it keeps per mailbox: the [`Watch`] asked for, the
//! [`Position`] to persist, each [`Update`] on a mailbox's [`EventStream`].

use std::pin::Pin;
use std::task::{Context, Poll};

use ews_notify::Event;
use ews_notify::request::{EventType, ExchangeVersion, FolderId, RequestHeader};

use crate::Error;

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
