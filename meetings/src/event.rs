//! The meeting event: what the correlator emits, and its canonical JSON.
//!
//! Serialized with `serde` in the field order below, keys in camelCase, absent values as `null`
//! (never omitted), like every canonical shape of the project (`docs/canonical-json.md`). The
//! rules behind each [`Change`] are in `docs/meetings.md`.

use serde::{Deserialize, Serialize};

/// The value of a meeting event's `kind` key: always `"meeting"`, so a consumer reading mixed
/// lines (item events and meeting events) can tell them apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum MeetingKind {
    /// `"meeting"`.
    #[default]
    Meeting,
}

/// What happened to the meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Change {
    /// A calendar item for a meeting appeared in the calendar (`CreatedEvent`, `CopiedEvent`, or
    /// a move into the calendar of an item not tracked before).
    Created,
    /// The meeting's item changed (`ModifiedEvent`, or a `CreatedEvent` for an item already
    /// tracked, as a catch-up gives), and nothing more specific applies.
    Updated,
    /// The meeting became cancelled (`IsCancelled`, or the `asfCanceled` bit of
    /// `AppointmentState`).
    Cancelled,
    /// The meeting's item was deleted (`DeletedEvent`): the facts come from the map, since
    /// Exchange no longer has the item.
    Deleted,
    /// The meeting's item left the calendar for a folder that is not a calendar, as a soft
    /// delete does (`MovedEvent` into Deleted Items).
    RemovedFromCalendar,
    /// The meeting's item moved from one calendar folder to another (`MovedEvent`): its
    /// `ItemId` changed, the meeting did not.
    Moved,
    /// One occurrence of a series changed (an exception was made or edited); `instanceDate` says
    /// which.
    OccurrenceChanged,
    /// One occurrence of a series was deleted; `instanceDate` says which.
    OccurrenceDeleted,
    /// Exchange split the series: the item now holds a new meeting (a new GlobalObjectId) from
    /// the split date on, and the earlier part keeps the old one. See [`Split`].
    SeriesSplit,
    /// Something happened to an item that cannot be named: it was gone before it could be read
    /// and it was never tracked. `reason` says why; never dropped without a trace.
    Unresolved,
}

impl Change {
    /// The JSON name: `created`, `updated`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Cancelled => "cancelled",
            Self::Deleted => "deleted",
            Self::RemovedFromCalendar => "removedFromCalendar",
            Self::Moved => "moved",
            Self::OccurrenceChanged => "occurrenceChanged",
            Self::OccurrenceDeleted => "occurrenceDeleted",
            Self::SeriesSplit => "seriesSplit",
            Self::Unresolved => "unresolved",
        }
    }
}

/// The key that joins every copy of one meeting, in every mailbox: the organizer's item, the
/// attendees' items, the series, its exceptions and orphan instances.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MeetingKey {
    /// PidLidCleanGlobalObjectId, base64 ([MS-OXOCAL] 2.2.1.28): the GlobalObjectId with its
    /// instance date zeroed.
    pub clean_global_object_id: String,
    /// The iCalendar UID ([MS-OXCICAL] 2.1.3.1.1.20.26): the item's `UID`, or the uppercase hex
    /// of the clean GlobalObjectId when the item has none.
    pub ical_uid: String,
}

/// The organizer, as `CalendarItem/Organizer/Mailbox` gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Organizer {
    /// `Name`.
    pub name: Option<String>,
    /// `EmailAddress` (SMTP for `SMTP` routing, a legacy DN for `EX`).
    pub email_address: Option<String>,
}

/// `CalendarItemType`, in the JSON's camelCase.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum ItemType {
    /// `Single`: a meeting that is not a series.
    Single,
    /// `Occurrence`: an unmodified instance.
    Occurrence,
    /// `Exception`: a modified instance (or an orphan instance).
    Exception,
    /// `RecurringMaster`: the series.
    RecurringMaster,
    /// A value outside the schema, verbatim.
    #[serde(untagged)]
    Other(String),
}

/// The two parts of a split series ([`Change::SeriesSplit`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Split {
    /// The meeting the series was before the split: the past part keeps it.
    pub previous_meeting: MeetingKey,
    /// The item holding the past part (a new item carrying the old GlobalObjectId), when it has
    /// been seen; `null` until then.
    pub past_item_id: Option<String>,
    /// The item holding the ongoing part: the series' item, now with a new GlobalObjectId.
    pub ongoing_item_id: String,
    /// The first day of the ongoing part (`YYYY-MM-DD`, the date of its `Start`).
    pub split_date: Option<String>,
}

/// Why a meeting event's facts are incomplete or come from the map only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Reason {
    /// `GetItem` answered `ErrorItemNotFound`: the item was gone before it could be read.
    ItemNotFound,
    /// The item was not in the map (never seen as a calendar item), so a delete cannot be named.
    NotTracked,
    /// `GetItem` gave no answer for the item (an error other than not found, or no message).
    NoAnswer,
}

/// Whether the source event came from the server's notifications or from a catch-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Origin {
    /// A notification event (push, pull or streaming).
    Notification,
    /// A `SyncFolderItems` change after a break; may repeat a change already reported.
    CatchUp,
}

/// The item-level event a meeting event comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Cause {
    /// The event's kind, as in the canonical event JSON: `created`, `modified`, `deleted`,
    /// `moved`, `copied`.
    pub event_kind: String,
    /// The event's `Watermark` (catch-up changes have none).
    pub watermark: Option<String>,
    /// The event's `TimeStamp`, verbatim (catch-up changes have none).
    pub timestamp: Option<String>,
    /// Notification or catch-up.
    pub origin: Origin,
}

/// One change to a meeting, in one mailbox.
///
/// Serialized as
/// `{"kind":"meeting","eventId","change","mailbox","meeting","instanceDate","itemType","itemId",
/// "previousItemId","globalObjectId","subject","organizer","start","end","lastModifiedTime",
/// "split","reason","cause"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MeetingEvent {
    /// Always [`MeetingKind::Meeting`].
    pub kind: MeetingKind,
    /// Deterministic id: the same source change always gives the same id, so a consumer can
    /// drop repeats (the rules are in `docs/meetings.md`). 32 lowercase hex digits.
    pub event_id: String,
    /// What happened.
    pub change: Change,
    /// The mailbox the item is in.
    pub mailbox: String,
    /// The meeting; `null` only for [`Change::Unresolved`] and for a calendar item that carries
    /// neither GlobalObjectId nor `UID`.
    pub meeting: Option<MeetingKey>,
    /// The instance concerned (`YYYY-MM-DD`, its original date); `null` for a whole series or a
    /// single meeting.
    pub instance_date: Option<String>,
    /// The item's `CalendarItemType`.
    pub item_type: Option<ItemType>,
    /// The item's `ItemId` (the new one after a move).
    pub item_id: String,
    /// The `ItemId` before a move (`moved`, `removedFromCalendar`, or `created` by a move).
    pub previous_item_id: Option<String>,
    /// PidLidGlobalObjectId, base64 ([MS-OXOCAL] 2.2.1.27): differs from the clean id for an
    /// exception or an orphan instance.
    pub global_object_id: Option<String>,
    /// `Subject`.
    pub subject: Option<String>,
    /// `Organizer`.
    pub organizer: Option<Organizer>,
    /// `Start`, verbatim (of the occurrence, for occurrence changes when known).
    pub start: Option<String>,
    /// `End`, verbatim.
    pub end: Option<String>,
    /// `LastModifiedTime`, verbatim.
    pub last_modified_time: Option<String>,
    /// Both meetings of a [`Change::SeriesSplit`]; `null` otherwise.
    pub split: Option<Split>,
    /// Why facts are missing or come from the map only; `null` when the item was read.
    pub reason: Option<Reason>,
    /// The source event.
    pub cause: Cause,
}

impl MeetingEvent {
    /// The canonical JSON: compact, keys in the order of the fields, `null` never omitted.
    pub fn to_json(&self) -> String {
        // Serializing plain strings, options and enums into a String cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}
