//! Meeting events over the network: binds the items of a mailbox's events in batches (one
//! `GetItem` for up to [`BIND_BATCH_SIZE`] ids) and feeds the correlator of
//! `ews-notify-meetings`, which names the meeting behind each event.
//!
//! ```no_run
//! # async fn run() -> Result<(), ews_notify_client::Error> {
//! use ews_notify_client::{Client, Watch, watch_pull};
//! use ews_notify_client::meetings::{MeetingStream, MeetingUpdate};
//!
//! let client = Client::builder("https://mail.example.com/EWS/Exchange.asmx")
//!     .basic("svc", "secret")
//!     .build()?;
//! let watch = Watch::calendar("alice@example.com");
//! let events = watch_pull(&client, watch.clone(), std::time::Duration::from_secs(10));
//! let mut meetings = MeetingStream::new(client, watch, events);
//! while let Some(update) = meetings.next().await {
//!     if let MeetingUpdate::Meeting(m) = update {
//!         println!("{}", m.to_json());
//!     }
//! }
//! # Ok(()) }
//! ```

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use ews_notify_meetings::Incoming;
pub use ews_notify_meetings::{
    BIND_BATCH_SIZE, Bound, Change, Correlator, IgnoreReason, Ignored, MeetingEvent, MemoryStore,
    Origin as MeetingOrigin, Store,
};

use super::{Client, Error, EventStream, Origin, Position, Recovery, Update, Watch};

/// Most events taken into one batch (the ids among them are bound `BIND_BATCH_SIZE` at a time).
const MAX_BATCH_EVENTS: usize = 512;

/// Binds `ids` in the mailbox of `watch`: one `GetItem` per [`BIND_BATCH_SIZE`] ids, asking for
/// the meeting shape ([`ews_notify_meetings::get_item_request`]). One answer per id, in order.
///
/// # Errors
/// Network, HTTP and parse errors, and a fault or an unexpected body for a whole request.
pub async fn bind_items(
    client: &Client,
    watch: &Watch,
    ids: &[String],
) -> Result<Vec<Bound>, Error> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(BIND_BATCH_SIZE) {
        let xml = ews_notify_meetings::get_item_request(chunk, watch.header())?;
        let body = client.call(&xml, Some(&watch.mailbox)).await?;
        match ews_notify_meetings::read_get_item_response(&body, chunk) {
            Ok(answers) => out.extend(answers),
            Err(ews_notify_meetings::ReadError::Parse(e)) => return Err(e.into()),
            Err(_) => {
                let env = ews_notify::parse_notification(&body)?;
                return Err(crate::recovery::fault_error(&env));
            }
        }
    }
    Ok(out)
}

/// What a [`MeetingStream`] yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeetingUpdate {
    /// A meeting event (boxed: it is much larger than the other variants).
    Meeting(Box<MeetingEvent>),
    /// An item event that gave no meeting event, and why.
    Ignored {
        /// The mailbox.
        mailbox: String,
        /// The event and the reason.
        ignored: Ignored,
    },
    /// A `GetItem` failed as a whole; the batch's events were reported from the map with
    /// reason `noAnswer`.
    BindFailed {
        /// The mailbox.
        mailbox: String,
        /// Why.
        error: String,
    },
    /// A recovery step of the event stream.
    Recovery {
        /// The mailbox.
        mailbox: String,
        /// What was done.
        recovery: Recovery,
    },
    /// The event stream or the correlator stopped (the stream ends after this).
    Failed {
        /// The mailbox.
        mailbox: String,
        /// Why.
        error: String,
    },
}

/// The meeting events of one mailbox: an [`EventStream`] correlated batch by batch.
pub struct MeetingStream<S: Store = MemoryStore> {
    events: EventStream,
    client: Client,
    watch: Watch,
    correlator: Correlator<S>,
    ready: VecDeque<MeetingUpdate>,
    ended: bool,
    position: Position,
}

impl MeetingStream<MemoryStore> {
    /// Correlates `events` (the stream of `watch`) with an in-memory map.
    pub fn new(client: Client, watch: Watch, events: EventStream) -> Self {
        Self::with_correlator(client, watch, events, Correlator::new())
    }
}

impl<S: Store> MeetingStream<S> {
    /// Correlates `events` with `correlator` (a durable store keeps the map across restarts).
    pub fn with_correlator(
        client: Client,
        watch: Watch,
        events: EventStream,
        correlator: Correlator<S>,
    ) -> Self {
        Self {
            events,
            client,
            position: watch.position.clone(),
            watch,
            correlator,
            ready: VecDeque::new(),
            ended: false,
        }
    }

    /// The correlator (its store holds the map).
    pub fn correlator(&self) -> &Correlator<S> {
        &self.correlator
    }

    /// The correlator, when the stream is no longer needed (to resume with it later).
    pub fn into_correlator(self) -> Correlator<S> {
        self.correlator
    }

    /// The position after the last event correlated: persist it with the store, and resume
    /// from it ([`Watch::from_position`]) so no event is lost between the two.
    pub fn position(&self) -> &Position {
        &self.position
    }

    /// The next update; `None` when the event stream ended.
    pub async fn next(&mut self) -> Option<MeetingUpdate> {
        loop {
            if let Some(u) = self.ready.pop_front() {
                return Some(u);
            }
            if self.ended {
                return None;
            }
            let Some(first) = self.events.next().await else {
                self.ended = true;
                continue;
            };
            let mut batch = Vec::new();
            let mut after = None;
            match first {
                Update::Event(d) => batch.push(*d),
                other => after = Some(other),
            }
            // Take what is already waiting, without waiting: one GetItem for all of it.
            while after.is_none() && batch.len() < MAX_BATCH_EVENTS {
                match try_next(&mut self.events) {
                    Poll::Ready(Some(Update::Event(d))) => batch.push(*d),
                    Poll::Ready(Some(other)) => after = Some(other),
                    Poll::Ready(None) => {
                        self.ended = true;
                        break;
                    }
                    Poll::Pending => break,
                }
            }
            if !batch.is_empty() {
                self.correlate(batch).await;
            }
            if let Some(u) = after {
                self.ready.push_back(pass_on(u));
            }
        }
    }

    async fn correlate(&mut self, batch: Vec<super::Delivered>) {
        let mailbox = self.watch.mailbox.clone();
        let calendar = self.watch.folder.eq_ignore_ascii_case("calendar");
        let mut incoming = Vec::with_capacity(batch.len());
        for d in batch {
            self.position = d.position.clone();
            // A subscription on the calendar sees events of items in it: the folder they name
            // (the source folder of a move) is a calendar folder.
            if calendar {
                let folder = match d.event.kind {
                    ews_notify::EventKind::Moved => d.event.old_parent_folder_id.as_ref(),
                    _ => d.event.parent_folder_id.as_ref(),
                };
                if let Some(f) = folder {
                    if let Err(e) = self.correlator.declare_calendar_folder(&mailbox, &f.id) {
                        self.fail(&mailbox, e.to_string());
                        return;
                    }
                }
            }
            incoming.push(Incoming {
                event: d.event,
                origin: match d.origin {
                    Origin::Notification => MeetingOrigin::Notification,
                    Origin::CatchUp => MeetingOrigin::CatchUp,
                },
            });
        }
        let pending = match self.correlator.accept(&mailbox, incoming) {
            Ok(b) => b,
            Err(e) => return self.fail(&mailbox, e.to_string()),
        };
        let ids = pending.items_to_bind().to_vec();
        let answers = if ids.is_empty() {
            Vec::new()
        } else {
            match bind_items(&self.client, &self.watch, &ids).await {
                Ok(a) => a,
                Err(e) => {
                    self.ready.push_back(MeetingUpdate::BindFailed {
                        mailbox: mailbox.clone(),
                        error: e.to_string(),
                    });
                    Vec::new()
                }
            }
        };
        match self.correlator.bound(pending, answers) {
            Ok(resolved) => {
                for m in resolved.events {
                    self.ready.push_back(MeetingUpdate::Meeting(Box::new(m)));
                }
                for ignored in resolved.ignored {
                    self.ready.push_back(MeetingUpdate::Ignored {
                        mailbox: mailbox.clone(),
                        ignored,
                    });
                }
            }
            Err(e) => self.fail(&mailbox, e.to_string()),
        }
    }

    fn fail(&mut self, mailbox: &str, error: String) {
        self.ready.push_back(MeetingUpdate::Failed {
            mailbox: mailbox.to_string(),
            error,
        });
        self.ended = true;
    }
}

/// A non-event update, passed on.
fn pass_on(u: Update) -> MeetingUpdate {
    match u {
        Update::Recovery { mailbox, recovery } => MeetingUpdate::Recovery { mailbox, recovery },
        Update::Failed { mailbox, error } => MeetingUpdate::Failed { mailbox, error },
        // Events are batched before this is called; never reached.
        Update::Event(d) => MeetingUpdate::Failed {
            mailbox: d.mailbox,
            error: "an event outside a batch".into(),
        },
    }
}

/// The next update if one is waiting, without waiting.
fn try_next(events: &mut EventStream) -> Poll<Option<Update>> {
    let mut cx = Context::from_waker(std::task::Waker::noop());
    futures_core::Stream::poll_next(Pin::new(events), &mut cx)
}
