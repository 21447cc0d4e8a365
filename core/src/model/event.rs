//! Notifications and the events they carry.
//!
//! See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/notification-ex15websvcsotherref>.

use std::borrow::Cow;

use serde::Serialize;

use super::{own, own_opt};

/// One `Notification`: the events of one subscription since `previous_watermark`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
///
/// Serialized as a plain string: `"created"`, ..., and `"unknown"` for [`EventKind::Unknown`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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
    Unknown(Cow<'a, str>),
}

impl EventKind<'_> {
    /// The canonical JSON name: `status`, `newMail`, ..., `unknown`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::NewMail => "newMail",
            Self::Created => "created",
            Self::Deleted => "deleted",
            Self::Modified => "modified",
            Self::Moved => "moved",
            Self::Copied => "copied",
            Self::FreeBusyChanged => "freeBusyChanged",
            Self::Unknown(_) => "unknown",
        }
    }
}

impl Serialize for EventKind<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// An item or folder id with its change key (`ItemId`, `FolderId`, `ParentFolderId`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ObjectId<'a> {
    /// `Id` attribute. Borrowed unless escaped.
    pub id: Cow<'a, str>,
    /// `ChangeKey` attribute, when present.
    pub change_key: Option<Cow<'a, str>>,
}

/// One event. Fields an event kind does not carry are `None`.
///
/// Serialized in the field order below. An [`EventKind::Unknown`] event also gets a `"name"`
/// key (the element's local name) right after `"kind"`, and `"unknownElements"` appears only
/// when not empty.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// Child elements this crate does not read, by local name (`{namespace}local` outside the
    /// EWS types namespace), in document order.
    pub unknown_elements: Vec<Cow<'a, str>>,
}

impl Serialize for Event<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("kind", &self.kind)?;
        if let EventKind::Unknown(name) = &self.kind {
            map.serialize_entry("name", name)?;
        }
        map.serialize_entry("watermark", &self.watermark)?;
        map.serialize_entry("timestamp", &self.timestamp)?;
        map.serialize_entry("itemId", &self.item_id)?;
        map.serialize_entry("folderId", &self.folder_id)?;
        map.serialize_entry("parentFolderId", &self.parent_folder_id)?;
        map.serialize_entry("oldItemId", &self.old_item_id)?;
        map.serialize_entry("oldFolderId", &self.old_folder_id)?;
        map.serialize_entry("oldParentFolderId", &self.old_parent_folder_id)?;
        map.serialize_entry("unreadCount", &self.unread_count)?;
        if !self.unknown_elements.is_empty() {
            map.serialize_entry("unknownElements", &self.unknown_elements)?;
        }
        map.end()
    }
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

impl Notification<'_> {
    /// A copy that owns its text.
    pub fn into_owned(self) -> Notification<'static> {
        Notification {
            subscription_id: own(self.subscription_id),
            previous_watermark: own_opt(self.previous_watermark),
            more_events: self.more_events,
            events: self.events.into_iter().map(Event::into_owned).collect(),
        }
    }
}

impl EventKind<'_> {
    /// The kind named by an event element's local name (`CreatedEvent`), or `None`.
    pub fn from_element(local: &str) -> Option<EventKind<'static>> {
        Some(match local {
            "StatusEvent" => EventKind::Status,
            "NewMailEvent" => EventKind::NewMail,
            "CreatedEvent" => EventKind::Created,
            "DeletedEvent" => EventKind::Deleted,
            "ModifiedEvent" => EventKind::Modified,
            "MovedEvent" => EventKind::Moved,
            "CopiedEvent" => EventKind::Copied,
            "FreeBusyChangedEvent" => EventKind::FreeBusyChanged,
            _ => return None,
        })
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> EventKind<'static> {
        match self {
            Self::Status => EventKind::Status,
            Self::NewMail => EventKind::NewMail,
            Self::Created => EventKind::Created,
            Self::Deleted => EventKind::Deleted,
            Self::Modified => EventKind::Modified,
            Self::Moved => EventKind::Moved,
            Self::Copied => EventKind::Copied,
            Self::FreeBusyChanged => EventKind::FreeBusyChanged,
            Self::Unknown(name) => EventKind::Unknown(own(name)),
        }
    }
}

impl ObjectId<'_> {
    /// A copy that owns its text.
    pub fn into_owned(self) -> ObjectId<'static> {
        ObjectId {
            id: own(self.id),
            change_key: own_opt(self.change_key),
        }
    }
}

impl<'a> Event<'a> {
    /// An event of `kind` with every field absent.
    pub fn new(kind: EventKind<'a>) -> Self {
        Self {
            kind,
            watermark: None,
            timestamp: None,
            item_id: None,
            folder_id: None,
            parent_folder_id: None,
            old_item_id: None,
            old_folder_id: None,
            old_parent_folder_id: None,
            unread_count: None,
            unknown_elements: Vec::new(),
        }
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> Event<'static> {
        Event {
            kind: self.kind.into_owned(),
            watermark: own_opt(self.watermark),
            timestamp: own_opt(self.timestamp),
            item_id: self.item_id.map(ObjectId::into_owned),
            folder_id: self.folder_id.map(ObjectId::into_owned),
            parent_folder_id: self.parent_folder_id.map(ObjectId::into_owned),
            old_item_id: self.old_item_id.map(ObjectId::into_owned),
            old_folder_id: self.old_folder_id.map(ObjectId::into_owned),
            old_parent_folder_id: self.old_parent_folder_id.map(ObjectId::into_owned),
            unread_count: self.unread_count,
            unknown_elements: self.unknown_elements.into_iter().map(own).collect(),
        }
    }
}
