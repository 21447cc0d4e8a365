//! Calendar items read from `GetItem`, `FindItem` and `SyncFolderItems` responses.
//!
//! A notification names an item by id only; these responses say which meeting it is: times,
//! recurrence role, organizer, `UID`, and the two GlobalObjectId extended properties, decoded.
//! The requests that ask for exactly these properties are in [`crate::request`].
//!
//! See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/calendaritem>.

use std::borrow::Cow;

use serde::Serialize;

use super::event::ObjectId;
use super::status::ResponseStatus;
use super::{own, own_opt};
use crate::goid::GlobalObjectId;

/// `CalendarItemType`: the item's role in a series.
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/calendaritemtype>.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum CalendarItemType<'a> {
    /// `Single`: not part of a series.
    Single,
    /// `Occurrence`: an unmodified instance of a series (only in a `CalendarView`).
    Occurrence,
    /// `Exception`: a modified instance of a series.
    Exception,
    /// `RecurringMaster`: the series itself.
    RecurringMaster,
    /// A value outside the schema, kept verbatim (trimmed).
    #[serde(untagged)]
    Other(Cow<'a, str>),
}

impl<'a> CalendarItemType<'a> {
    /// Reads a trimmed value.
    pub fn parse(text: Cow<'a, str>) -> Self {
        match text.as_ref() {
            "Single" => Self::Single,
            "Occurrence" => Self::Occurrence,
            "Exception" => Self::Exception,
            "RecurringMaster" => Self::RecurringMaster,
            _ => Self::Other(text),
        }
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> CalendarItemType<'static> {
        match self {
            Self::Single => CalendarItemType::Single,
            Self::Occurrence => CalendarItemType::Occurrence,
            Self::Exception => CalendarItemType::Exception,
            Self::RecurringMaster => CalendarItemType::RecurringMaster,
            Self::Other(s) => CalendarItemType::Other(own(s)),
        }
    }
}

/// A `Mailbox` (the organizer's).
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/mailbox>.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Mailbox<'a> {
    /// `Name`: the display name.
    pub name: Option<Cow<'a, str>>,
    /// `EmailAddress`: for `SMTP` routing, the SMTP address.
    pub email_address: Option<Cow<'a, str>>,
    /// `RoutingType`, e.g. `SMTP` or `EX`.
    pub routing_type: Option<Cow<'a, str>>,
    /// `MailboxType`, e.g. `Mailbox`, `OneOff`.
    pub mailbox_type: Option<Cow<'a, str>>,
}

impl Mailbox<'_> {
    /// A copy that owns its text.
    pub fn into_owned(self) -> Mailbox<'static> {
        Mailbox {
            name: own_opt(self.name),
            email_address: own_opt(self.email_address),
            routing_type: own_opt(self.routing_type),
            mailbox_type: own_opt(self.mailbox_type),
        }
    }
}

/// `ExtendedFieldURI`: which MAPI property an [`ExtendedProperty`] holds, attributes verbatim.
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/extendedfielduri>.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ExtendedFieldUri<'a> {
    /// `DistinguishedPropertySetId`, e.g. `Meeting`.
    pub distinguished_property_set_id: Option<Cow<'a, str>>,
    /// `PropertySetId`: a property set GUID.
    pub property_set_id: Option<Cow<'a, str>>,
    /// `PropertyTag`, e.g. `0x0E08`.
    pub property_tag: Option<Cow<'a, str>>,
    /// `PropertyName`: a named property's name.
    pub property_name: Option<Cow<'a, str>>,
    /// `PropertyId`: a named property's numeric id, as written (decimal).
    pub property_id: Option<Cow<'a, str>>,
    /// `PropertyType`, e.g. `Binary`, `String`.
    pub property_type: Option<Cow<'a, str>>,
}

/// The `Meeting` property set (PSETID_Meeting), by GUID ([MS-OXPROPS] 1.3.2).
const PSETID_MEETING: &str = "6ED8DA90-450B-101B-98DA-00AA003F1305";

impl ExtendedFieldUri<'_> {
    /// Whether this names the binary property `property_id` of the `Meeting` property set (by
    /// name or by GUID).
    pub fn is_meeting_binary(&self, property_id: u32) -> bool {
        let in_meeting_set = self
            .distinguished_property_set_id
            .as_deref()
            .is_some_and(|s| s.trim() == "Meeting")
            || self
                .property_set_id
                .as_deref()
                .is_some_and(|s| s.trim().eq_ignore_ascii_case(PSETID_MEETING));
        let id = self
            .property_id
            .as_deref()
            .and_then(|s| s.trim().parse::<u32>().ok());
        let binary = self
            .property_type
            .as_deref()
            .is_some_and(|s| s.trim() == "Binary");
        in_meeting_set && binary && id == Some(property_id)
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> ExtendedFieldUri<'static> {
        ExtendedFieldUri {
            distinguished_property_set_id: own_opt(self.distinguished_property_set_id),
            property_set_id: own_opt(self.property_set_id),
            property_tag: own_opt(self.property_tag),
            property_name: own_opt(self.property_name),
            property_id: own_opt(self.property_id),
            property_type: own_opt(self.property_type),
        }
    }
}

/// An `ExtendedProperty`: a MAPI property by its URI, with its value as text.
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/extendedproperty>.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ExtendedProperty<'a> {
    /// `ExtendedFieldURI`.
    pub field_uri: ExtendedFieldUri<'a>,
    /// `Value`, verbatim (base64 for binary properties). `None` for array properties.
    pub value: Option<Cow<'a, str>>,
    /// `Values/Value`, for array properties. Empty otherwise.
    pub values: Vec<Cow<'a, str>>,
}

impl ExtendedProperty<'_> {
    /// A copy that owns its text.
    pub fn into_owned(self) -> ExtendedProperty<'static> {
        ExtendedProperty {
            field_uri: self.field_uri.into_owned(),
            value: own_opt(self.value),
            values: self.values.into_iter().map(own).collect(),
        }
    }
}

/// One item of a response: a `CalendarItem`, or another item kind read the same way (a
/// `MeetingRequest` carries the same calendar fields). Fields the item does not carry are
/// `None`.
///
/// Texts borrow from the input unless escaped; times are verbatim `xs:dateTime` text. The two
/// GlobalObjectIds are decoded (base64 decoding allocates, so they own their bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct CalendarItem<'a> {
    /// The element's local name: `CalendarItem`, `MeetingRequest`, `Message`, ...
    pub element: Cow<'a, str>,
    /// `ItemId`.
    pub item_id: Option<ObjectId<'a>>,
    /// `ParentFolderId`.
    pub parent_folder_id: Option<ObjectId<'a>>,
    /// `ItemClass`, e.g. `IPM.Appointment`.
    pub item_class: Option<Cow<'a, str>>,
    /// `Subject`.
    pub subject: Option<Cow<'a, str>>,
    /// `Start`, verbatim.
    pub start: Option<Cow<'a, str>>,
    /// `End`, verbatim.
    pub end: Option<Cow<'a, str>>,
    /// `IsRecurring`: true for occurrences and exceptions of a series (and, on some servers,
    /// for the master).
    pub is_recurring: Option<bool>,
    /// `CalendarItemType`.
    pub calendar_item_type: Option<CalendarItemType<'a>>,
    /// `RecurrenceId`: the original start of an occurrence or exception, verbatim.
    pub recurrence_id: Option<Cow<'a, str>>,
    /// `OriginalStart`, verbatim.
    pub original_start: Option<Cow<'a, str>>,
    /// `LastModifiedTime`, verbatim.
    pub last_modified_time: Option<Cow<'a, str>>,
    /// `Organizer/Mailbox`.
    pub organizer: Option<Mailbox<'a>>,
    /// `UID`: the iCalendar UID of the meeting.
    pub uid: Option<Cow<'a, str>>,
    /// PidLidGlobalObjectId (`Meeting` property 0x3), decoded; serialized as the GOID summary.
    /// A value that does not decode stays in [`CalendarItem::extended_properties`] instead.
    #[serde(serialize_with = "ser_goid")]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<crate::goid::GoidSummary>")
    )]
    pub global_object_id: Option<GlobalObjectId<'static>>,
    /// PidLidCleanGlobalObjectId (`Meeting` property 0x23), decoded, as above.
    #[serde(serialize_with = "ser_goid")]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<crate::goid::GoidSummary>")
    )]
    pub clean_global_object_id: Option<GlobalObjectId<'static>>,
    /// Every other `ExtendedProperty`, in document order.
    pub extended_properties: Vec<ExtendedProperty<'a>>,
    /// Child elements this crate does not read, by local name (`{namespace}local` outside
    /// the EWS namespaces), in document order. Serialized only when not empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown_elements: Vec<Cow<'a, str>>,
}

fn ser_goid<S: serde::Serializer>(
    goid: &Option<GlobalObjectId<'static>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match goid {
        Some(g) => g.summary().serialize(s),
        None => s.serialize_none(),
    }
}

impl<'a> CalendarItem<'a> {
    /// An item named `element` with nothing read yet.
    pub fn new(element: Cow<'a, str>) -> Self {
        Self {
            element,
            item_id: None,
            parent_folder_id: None,
            item_class: None,
            subject: None,
            start: None,
            end: None,
            is_recurring: None,
            calendar_item_type: None,
            recurrence_id: None,
            original_start: None,
            last_modified_time: None,
            organizer: None,
            uid: None,
            global_object_id: None,
            clean_global_object_id: None,
            extended_properties: Vec::new(),
            unknown_elements: Vec::new(),
        }
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> CalendarItem<'static> {
        CalendarItem {
            element: own(self.element),
            item_id: self.item_id.map(ObjectId::into_owned),
            parent_folder_id: self.parent_folder_id.map(ObjectId::into_owned),
            item_class: own_opt(self.item_class),
            subject: own_opt(self.subject),
            start: own_opt(self.start),
            end: own_opt(self.end),
            is_recurring: self.is_recurring,
            calendar_item_type: self.calendar_item_type.map(CalendarItemType::into_owned),
            recurrence_id: own_opt(self.recurrence_id),
            original_start: own_opt(self.original_start),
            last_modified_time: own_opt(self.last_modified_time),
            organizer: self.organizer.map(Mailbox::into_owned),
            uid: own_opt(self.uid),
            global_object_id: self.global_object_id,
            clean_global_object_id: self.clean_global_object_id,
            extended_properties: self
                .extended_properties
                .into_iter()
                .map(ExtendedProperty::into_owned)
                .collect(),
            unknown_elements: self.unknown_elements.into_iter().map(own).collect(),
        }
    }
}

/// A `GetItemResponseMessage`: the status fields every response message has, and its items.
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getitemresponsemessage>.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct GetItemResponseMessage<'a> {
    /// The status fields, flattened into this message's JSON.
    #[serde(flatten)]
    pub status: ResponseStatus<'a>,
    /// `Items`, in document order.
    pub items: Vec<CalendarItem<'a>>,
    /// Child elements this crate does not read. Serialized only when not empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown_elements: Vec<Cow<'a, str>>,
}

/// A `FindItemResponseMessage`: status, paging of the `RootFolder`, and its items.
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/finditemresponsemessage>.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct FindItemResponseMessage<'a> {
    /// The status fields, flattened into this message's JSON.
    #[serde(flatten)]
    pub status: ResponseStatus<'a>,
    /// `RootFolder/@TotalItemsInView`.
    pub total_items_in_view: Option<u32>,
    /// `RootFolder/@IncludesLastItemInRange`: false when more pages follow.
    pub includes_last_item_in_range: Option<bool>,
    /// `RootFolder/@IndexedPagingOffset`: where the next page starts.
    pub indexed_paging_offset: Option<u32>,
    /// `RootFolder/Items`, in document order.
    pub items: Vec<CalendarItem<'a>>,
    /// Child elements this crate does not read (for example grouped results). Serialized only
    /// when not empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown_elements: Vec<Cow<'a, str>>,
}

/// What a [`SyncChange`] says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum SyncChangeKind {
    /// `Create`: a new item; [`SyncChange::item`] holds it.
    Create,
    /// `Update`: a changed item; [`SyncChange::item`] holds it.
    Update,
    /// `Delete`: [`SyncChange::item_id`] names the item that is gone.
    Delete,
    /// `ReadFlagChange`: [`SyncChange::item_id`] and [`SyncChange::is_read`].
    ReadFlagChange,
}

/// One change in a `SyncFolderItems` response. Fields a kind does not carry are `None`.
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/changes-items>.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SyncChange<'a> {
    /// What happened.
    pub kind: SyncChangeKind,
    /// The item (`Create`, `Update`).
    pub item: Option<CalendarItem<'a>>,
    /// `ItemId` (`Delete`, `ReadFlagChange`).
    pub item_id: Option<ObjectId<'a>>,
    /// `IsRead` (`ReadFlagChange`).
    pub is_read: Option<bool>,
}

impl SyncChange<'_> {
    /// A copy that owns its text.
    pub fn into_owned(self) -> SyncChange<'static> {
        SyncChange {
            kind: self.kind,
            item: self.item.map(CalendarItem::into_owned),
            item_id: self.item_id.map(ObjectId::into_owned),
            is_read: self.is_read,
        }
    }
}

/// A `SyncFolderItemsResponseMessage`: status, the new `SyncState`, and the changes.
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/syncfolderitemsresponsemessage>.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SyncFolderItemsResponseMessage<'a> {
    /// The status fields, flattened into this message's JSON.
    #[serde(flatten)]
    pub status: ResponseStatus<'a>,
    /// `SyncState`: send it with the next `SyncFolderItems` request.
    pub sync_state: Option<Cow<'a, str>>,
    /// `IncludesLastItemInRange`: false when more changes wait.
    pub includes_last_item_in_range: Option<bool>,
    /// `Changes`, in document order.
    pub changes: Vec<SyncChange<'a>>,
    /// Child elements this crate does not read. Serialized only when not empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown_elements: Vec<Cow<'a, str>>,
}

impl GetItemResponseMessage<'_> {
    /// A copy that owns its text.
    pub fn into_owned(self) -> GetItemResponseMessage<'static> {
        GetItemResponseMessage {
            status: self.status.into_owned(),
            items: self
                .items
                .into_iter()
                .map(CalendarItem::into_owned)
                .collect(),
            unknown_elements: self.unknown_elements.into_iter().map(own).collect(),
        }
    }
}

impl FindItemResponseMessage<'_> {
    /// A copy that owns its text.
    pub fn into_owned(self) -> FindItemResponseMessage<'static> {
        FindItemResponseMessage {
            status: self.status.into_owned(),
            total_items_in_view: self.total_items_in_view,
            includes_last_item_in_range: self.includes_last_item_in_range,
            indexed_paging_offset: self.indexed_paging_offset,
            items: self
                .items
                .into_iter()
                .map(CalendarItem::into_owned)
                .collect(),
            unknown_elements: self.unknown_elements.into_iter().map(own).collect(),
        }
    }
}

impl SyncFolderItemsResponseMessage<'_> {
    /// A copy that owns its text.
    pub fn into_owned(self) -> SyncFolderItemsResponseMessage<'static> {
        SyncFolderItemsResponseMessage {
            status: self.status.into_owned(),
            sync_state: own_opt(self.sync_state),
            includes_last_item_in_range: self.includes_last_item_in_range,
            changes: self
                .changes
                .into_iter()
                .map(SyncChange::into_owned)
                .collect(),
            unknown_elements: self.unknown_elements.into_iter().map(own).collect(),
        }
    }
}
