//! Notifications and the events they carry.
//!
//! See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/notification-ex15websvcsotherref>.

use std::borrow::Cow;

use serde::Serialize;

/// One `Notification`: the events of one subscription since `previous_watermark`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification<'a> {
    /// `SubscriptionId`. Borrowed unless escaped.
    pub subscription_id: Cow<'a, str>,
    /// `PreviousWatermark`; absent in streaming notifications.
    pub previous_watermark: Option<Cow<'a, str>>,
    /// `MoreEvents`; `None` when absent (streaming notifications omit it).
    pub more_events: Option<bool>,
    /// The events, in document order.
    pub events: Vec<Event<'a>>,
}

/// Which kind of event an element names (`CreatedEvent` is [`EventKind::Created`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum EventKind<'a> {
    /// `StatusEvent`: a heartbeat, no item.
    Status,
    /// `NewMailEvent`
    NewMail,
    /// `CreatedEvent`
    Created,
    /// `DeletedEvent`
    Deleted,
    /// `ModifiedEvent`
    Modified,
    /// `MovedEvent`
    Moved,
    /// `CopiedEvent`
    Copied,
    /// `FreeBusyChangedEvent`
    FreeBusyChanged,
    /// An element in the notification that is not a known event, kept with its local name so it
    /// is never dropped quietly. Serialized as `"unknown"`; the name is in [`Event::unknown_name`].
    #[serde(rename = "unknown", serialize_with = "ser_unknown")]
    Unknown(Cow<'a, str>),
}

#[allow(clippy::ptr_arg)] // serde passes the field by reference
fn ser_unknown<S: serde::Serializer>(_: &Cow<'_, str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str("unknown")
}

/// An item or folder id with its change key (`ItemId`, `FolderId`, `ParentFolderId`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectId<'a> {
    /// `Id` attribute. Borrowed unless escaped.
    pub id: Cow<'a, str>,
    /// `ChangeKey` attribute, when present.
    pub change_key: Option<Cow<'a, str>>,
}

/// One event. Fields an event kind does not carry are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event<'a> {
    /// What happened.
    pub kind: EventKind<'a>,
    /// `Watermark`: the position after this event.
    pub watermark: Option<Cow<'a, str>>,
    /// `TimeStamp`, verbatim (`2013-06-14T05:49:19Z`).
    pub timestamp: Option<Cow<'a, str>>,
    /// `ItemId`, for item events.
    pub item_id: Option<ObjectId<'a>>,
    /// `FolderId`, for folder events.
    pub folder_id: Option<ObjectId<'a>>,
    /// `ParentFolderId`.
    pub parent_folder_id: Option<ObjectId<'a>>,
    /// `OldItemId` (moved and copied items).
    pub old_item_id: Option<ObjectId<'a>>,
    /// `OldFolderId` (moved and copied folders).
    pub old_folder_id: Option<ObjectId<'a>>,
    /// `OldParentFolderId` (moved and copied).
    pub old_parent_folder_id: Option<ObjectId<'a>>,
    /// `UnreadCount` (modified folder events, Exchange 2010 and later).
    pub unread_count: Option<u32>,
}

impl Event<'_> {
    /// Local name of an element that was kept as [`EventKind::Unknown`].
    pub fn unknown_name(&self) -> Option<&str> {
        match &self.kind {
            EventKind::Unknown(name) => Some(name),
            _ => None,
        }
    }
}
