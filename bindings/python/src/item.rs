//! The item responses a notification client reads after an event (`GetItem`, `FindItem`,
//! `SyncFolderItems`): calendar items with their GlobalObjectIds. Values are copied into each
//! object (these responses are small).

use ews_notify::{
    CalendarItem, ExtendedFieldUri, ExtendedProperty, FindItemResponseMessage,
    GetItemResponseMessage, Mailbox, SyncChange, SyncFolderItemsResponseMessage,
};
use ews_notify::{MessageXml, ResponseClass, ResponseCode, ResponseStatus};
use pyo3::prelude::*;

use crate::event::PyObjectId;
use crate::goid::PyGlobalObjectId;
use crate::json;
use crate::repr::quote_opt;

/// The canonical JSON name core gives a unit-like enum value (`"RecurringMaster"`, `"create"`).
fn canonical_name<T: serde::Serialize>(value: &T) -> PyResult<String> {
    let text = json::to_json(value)?;
    Ok(text.trim_matches('"').to_owned())
}

fn class_name(class: ResponseClass) -> PyResult<String> {
    canonical_name(&class)
}

fn pairs(xml: Option<&MessageXml<'_>>) -> Option<Vec<(String, String)>> {
    xml.map(|xml| {
        xml.entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    })
}

fn code(code: Option<&ResponseCode<'_>>) -> Option<String> {
    code.map(|c| c.as_str().to_owned())
}

fn strings(values: &[std::borrow::Cow<'_, str>]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

/// The organizer of a calendar item (`Mailbox`). Frozen.
#[pyclass(name = "Mailbox", module = "ews_notify", frozen, eq)]
#[derive(PartialEq)]
pub struct PyMailbox {
    value: Mailbox<'static>,
}

#[pymethods]
impl PyMailbox {
    /// `Name`.
    #[getter]
    fn name(&self) -> Option<&str> {
        self.value.name.as_deref()
    }
    /// `EmailAddress`.
    #[getter]
    fn email_address(&self) -> Option<&str> {
        self.value.email_address.as_deref()
    }
    /// `RoutingType`, e.g. ``"SMTP"``.
    #[getter]
    fn routing_type(&self) -> Option<&str> {
        self.value.routing_type.as_deref()
    }
    /// `MailboxType`.
    #[getter]
    fn mailbox_type(&self) -> Option<&str> {
        self.value.mailbox_type.as_deref()
    }
    fn __repr__(&self) -> String {
        format!(
            "Mailbox(name={}, email_address={})",
            quote_opt(self.value.name.as_deref()),
            quote_opt(self.value.email_address.as_deref())
        )
    }
}

/// Which MAPI property an :class:`ExtendedProperty` holds (``ExtendedFieldURI``), verbatim.
/// Frozen.
#[pyclass(name = "ExtendedFieldUri", module = "ews_notify", frozen, eq)]
#[derive(PartialEq)]
pub struct PyExtendedFieldUri {
    value: ExtendedFieldUri<'static>,
}

#[pymethods]
impl PyExtendedFieldUri {
    /// `DistinguishedPropertySetId`, e.g. ``"Meeting"``.
    #[getter]
    fn distinguished_property_set_id(&self) -> Option<&str> {
        self.value.distinguished_property_set_id.as_deref()
    }
    /// `PropertySetId` (a GUID).
    #[getter]
    fn property_set_id(&self) -> Option<&str> {
        self.value.property_set_id.as_deref()
    }
    /// `PropertyTag`.
    #[getter]
    fn property_tag(&self) -> Option<&str> {
        self.value.property_tag.as_deref()
    }
    /// `PropertyName`.
    #[getter]
    fn property_name(&self) -> Option<&str> {
        self.value.property_name.as_deref()
    }
    /// `PropertyId`, as text.
    #[getter]
    fn property_id(&self) -> Option<&str> {
        self.value.property_id.as_deref()
    }
    /// `PropertyType`, e.g. ``"Binary"``.
    #[getter]
    fn property_type(&self) -> Option<&str> {
        self.value.property_type.as_deref()
    }
    fn __repr__(&self) -> String {
        format!(
            "ExtendedFieldUri(distinguished_property_set_id={}, property_id={}, property_type={})",
            quote_opt(self.value.distinguished_property_set_id.as_deref()),
            quote_opt(self.value.property_id.as_deref()),
            quote_opt(self.value.property_type.as_deref())
        )
    }
}

/// An ``ExtendedProperty``: a MAPI property by its URI, with its value as text. Frozen.
#[pyclass(name = "ExtendedProperty", module = "ews_notify", frozen, eq)]
#[derive(PartialEq)]
pub struct PyExtendedProperty {
    value: ExtendedProperty<'static>,
}

#[pymethods]
impl PyExtendedProperty {
    /// Which property.
    #[getter]
    fn field_uri(&self) -> PyExtendedFieldUri {
        PyExtendedFieldUri {
            value: self.value.field_uri.clone(),
        }
    }
    /// `Value` (single-valued properties).
    #[getter]
    fn value(&self) -> Option<&str> {
        self.value.value.as_deref()
    }
    /// `Values` (multi-valued properties); empty otherwise.
    #[getter]
    fn values(&self) -> Vec<&str> {
        self.value.values.iter().map(AsRef::as_ref).collect()
    }
    fn __repr__(&self) -> String {
        format!(
            "<ExtendedProperty property_id={} value={}>",
            quote_opt(self.value.field_uri.property_id.as_deref()),
            quote_opt(self.value.value.as_deref())
        )
    }
}

fn object_id(id: Option<&ews_notify::ObjectId<'_>>) -> Option<PyObjectId> {
    id.map(PyObjectId::from_core)
}

/// One calendar item of an item response (a ``CalendarItem``, or another item kind read the
/// same way). Times are verbatim ``xs:dateTime`` text. Frozen.
#[pyclass(name = "CalendarItem", module = "ews_notify", frozen, eq)]
#[derive(PartialEq)]
pub struct PyCalendarItem {
    value: CalendarItem<'static>,
}

impl PyCalendarItem {
    fn new(value: &CalendarItem<'static>) -> Self {
        Self {
            value: value.clone(),
        }
    }
}

#[pymethods]
impl PyCalendarItem {
    /// Local name of the item element, e.g. ``"CalendarItem"``.
    #[getter]
    fn element(&self) -> &str {
        &self.value.element
    }
    /// `ItemId`.
    #[getter]
    fn item_id(&self) -> Option<PyObjectId> {
        object_id(self.value.item_id.as_ref())
    }
    /// `ParentFolderId`.
    #[getter]
    fn parent_folder_id(&self) -> Option<PyObjectId> {
        object_id(self.value.parent_folder_id.as_ref())
    }
    /// `ItemClass`, e.g. ``"IPM.Appointment"``.
    #[getter]
    fn item_class(&self) -> Option<&str> {
        self.value.item_class.as_deref()
    }
    /// `Subject`.
    #[getter]
    fn subject(&self) -> Option<&str> {
        self.value.subject.as_deref()
    }
    /// `Start`, verbatim.
    #[getter]
    fn start(&self) -> Option<&str> {
        self.value.start.as_deref()
    }
    /// `End`, verbatim.
    #[getter]
    fn end(&self) -> Option<&str> {
        self.value.end.as_deref()
    }
    /// `IsRecurring`.
    #[getter]
    fn is_recurring(&self) -> Option<bool> {
        self.value.is_recurring
    }
    /// `CalendarItemType` as in the canonical JSON (``"Single"``, ``"Occurrence"``,
    /// ``"Exception"``, ``"RecurringMaster"``, or another value verbatim).
    #[getter]
    fn calendar_item_type(&self) -> PyResult<Option<String>> {
        self.value
            .calendar_item_type
            .as_ref()
            .map(canonical_name)
            .transpose()
    }
    /// `RecurrenceId`, verbatim.
    #[getter]
    fn recurrence_id(&self) -> Option<&str> {
        self.value.recurrence_id.as_deref()
    }
    /// `OriginalStart`, verbatim.
    #[getter]
    fn original_start(&self) -> Option<&str> {
        self.value.original_start.as_deref()
    }
    /// `LastModifiedTime`, verbatim.
    #[getter]
    fn last_modified_time(&self) -> Option<&str> {
        self.value.last_modified_time.as_deref()
    }
    /// `Organizer`.
    #[getter]
    fn organizer(&self) -> Option<PyMailbox> {
        self.value
            .organizer
            .as_ref()
            .map(|m| PyMailbox { value: m.clone() })
    }
    /// `UID` (the iCalendar UID).
    #[getter]
    fn uid(&self) -> Option<&str> {
        self.value.uid.as_deref()
    }
    /// PidLidGlobalObjectId, decoded, when the item carries it.
    #[getter]
    fn global_object_id(&self) -> Option<PyGlobalObjectId> {
        self.value
            .global_object_id
            .clone()
            .map(PyGlobalObjectId::from)
    }
    /// PidLidCleanGlobalObjectId, decoded, when the item carries it.
    #[getter]
    fn clean_global_object_id(&self) -> Option<PyGlobalObjectId> {
        self.value
            .clean_global_object_id
            .clone()
            .map(PyGlobalObjectId::from)
    }
    /// The other extended properties, in document order.
    #[getter]
    fn extended_properties(&self) -> Vec<PyExtendedProperty> {
        self.value
            .extended_properties
            .iter()
            .map(|p| PyExtendedProperty { value: p.clone() })
            .collect()
    }
    /// Child elements the parser does not read, by local name.
    #[getter]
    fn unknown_elements(&self) -> Vec<String> {
        strings(&self.value.unknown_elements)
    }
    /// The canonical JSON of this item (compact).
    fn to_json(&self) -> PyResult<String> {
        json::to_json(&self.value)
    }
    /// The canonical JSON as Python values (camelCase keys).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json::to_dict(py, &self.to_json()?)
    }
    fn __repr__(&self) -> String {
        format!(
            "<CalendarItem {} subject={} start={}>",
            self.value.element,
            quote_opt(self.value.subject.as_deref()),
            quote_opt(self.value.start.as_deref())
        )
    }
}

/// One change of a ``SyncFolderItems`` response. Attributes a kind does not carry are ``None``.
/// Frozen.
#[pyclass(name = "SyncChange", module = "ews_notify", frozen, eq)]
#[derive(PartialEq)]
pub struct PySyncChange {
    value: SyncChange<'static>,
}

#[pymethods]
impl PySyncChange {
    /// ``"create"``, ``"update"``, ``"delete"`` or ``"readFlagChange"``.
    #[getter]
    fn kind(&self) -> PyResult<String> {
        canonical_name(&self.value.kind)
    }
    /// The item (create and update).
    #[getter]
    fn item(&self) -> Option<PyCalendarItem> {
        self.value.item.as_ref().map(PyCalendarItem::new)
    }
    /// The item that is gone (delete) or whose read flag changed.
    #[getter]
    fn item_id(&self) -> Option<PyObjectId> {
        object_id(self.value.item_id.as_ref())
    }
    /// `IsRead` (read flag changes).
    #[getter]
    fn is_read(&self) -> Option<bool> {
        self.value.is_read
    }
    /// The canonical JSON of this change (compact).
    fn to_json(&self) -> PyResult<String> {
        json::to_json(&self.value)
    }
    /// The canonical JSON as Python values (camelCase keys).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json::to_dict(py, &self.to_json()?)
    }
    fn __repr__(&self) -> PyResult<String> {
        Ok(format!("<SyncChange {}>", self.kind()?))
    }
}

/// The three item response messages, as one frozen Python class: the status fields they share,
/// ``items`` (GetItem, FindItem), the FindItem paging fields, and ``sync_state`` and
/// ``changes`` (SyncFolderItems). Attributes a kind does not carry are ``None`` (or empty).
#[pyclass(name = "ItemResponseMessage", module = "ews_notify", frozen, eq)]
#[derive(PartialEq)]
pub struct PyItemResponseMessage {
    inner: ItemMessage,
}

#[derive(PartialEq)]
enum ItemMessage {
    GetItem(GetItemResponseMessage<'static>),
    FindItem(FindItemResponseMessage<'static>),
    SyncFolderItems(SyncFolderItemsResponseMessage<'static>),
}

impl PyItemResponseMessage {
    /// Every item response message of `body`, in order (none for other kinds).
    pub fn all(body: &ews_notify::Body<'static>) -> Vec<Self> {
        use ews_notify::Body;
        let wrap = |inner| Self { inner };
        match body {
            Body::GetItemResponse(m) => m
                .iter()
                .cloned()
                .map(ItemMessage::GetItem)
                .map(wrap)
                .collect(),
            Body::FindItemResponse(m) => m
                .iter()
                .cloned()
                .map(ItemMessage::FindItem)
                .map(wrap)
                .collect(),
            Body::SyncFolderItemsResponse(m) => m
                .iter()
                .cloned()
                .map(ItemMessage::SyncFolderItems)
                .map(wrap)
                .collect(),
            _ => Vec::new(),
        }
    }

    fn status(&self) -> &ResponseStatus<'static> {
        match &self.inner {
            ItemMessage::GetItem(m) => &m.status,
            ItemMessage::FindItem(m) => &m.status,
            ItemMessage::SyncFolderItems(m) => &m.status,
        }
    }
}

#[pymethods]
impl PyItemResponseMessage {
    /// ``"getItem"``, ``"findItem"`` or ``"syncFolderItems"``.
    #[getter]
    fn kind(&self) -> &'static str {
        match &self.inner {
            ItemMessage::GetItem(_) => "getItem",
            ItemMessage::FindItem(_) => "findItem",
            ItemMessage::SyncFolderItems(_) => "syncFolderItems",
        }
    }
    /// ``"Success"``, ``"Warning"`` or ``"Error"``.
    #[getter]
    fn response_class(&self) -> PyResult<String> {
        class_name(self.status().response_class)
    }
    /// `ResponseCode` as EWS spells it, or ``None``.
    #[getter]
    fn response_code(&self) -> Option<String> {
        code(self.status().response_code.as_ref())
    }
    /// `MessageText`, verbatim.
    #[getter]
    fn message_text(&self) -> Option<&str> {
        self.status().message_text.as_deref()
    }
    /// `DescriptiveLinkKey`, verbatim.
    #[getter]
    fn descriptive_link_key(&self) -> Option<&str> {
        self.status().descriptive_link_key.as_deref()
    }
    /// `MessageXml` as ``(name, value)`` pairs in document order, or ``None``.
    #[getter]
    fn message_xml(&self) -> Option<Vec<(String, String)>> {
        pairs(self.status().message_xml.as_ref())
    }
    /// `BackOffMilliseconds` from `MessageXml`, when present and valid.
    #[getter]
    fn back_off_milliseconds(&self) -> Option<u64> {
        self.status().back_off_milliseconds
    }
    /// Child elements the parser does not read, by local name.
    #[getter]
    fn unknown_elements(&self) -> Vec<String> {
        let unknown = match &self.inner {
            ItemMessage::GetItem(m) => &m.unknown_elements,
            ItemMessage::FindItem(m) => &m.unknown_elements,
            ItemMessage::SyncFolderItems(m) => &m.unknown_elements,
        };
        strings(unknown)
    }
    /// The items (GetItem and FindItem; empty for SyncFolderItems, see ``changes``).
    #[getter]
    fn items(&self) -> Vec<PyCalendarItem> {
        let items = match &self.inner {
            ItemMessage::GetItem(m) => &m.items,
            ItemMessage::FindItem(m) => &m.items,
            ItemMessage::SyncFolderItems(_) => return Vec::new(),
        };
        items.iter().map(PyCalendarItem::new).collect()
    }
    /// `TotalItemsInView` (FindItem).
    #[getter]
    fn total_items_in_view(&self) -> Option<u32> {
        match &self.inner {
            ItemMessage::FindItem(m) => m.total_items_in_view,
            _ => None,
        }
    }
    /// `IncludesLastItemInRange` (FindItem and SyncFolderItems).
    #[getter]
    fn includes_last_item_in_range(&self) -> Option<bool> {
        match &self.inner {
            ItemMessage::FindItem(m) => m.includes_last_item_in_range,
            ItemMessage::SyncFolderItems(m) => m.includes_last_item_in_range,
            ItemMessage::GetItem(_) => None,
        }
    }
    /// `IndexedPagingOffset` (FindItem).
    #[getter]
    fn indexed_paging_offset(&self) -> Option<u32> {
        match &self.inner {
            ItemMessage::FindItem(m) => m.indexed_paging_offset,
            _ => None,
        }
    }
    /// `SyncState` (SyncFolderItems): pass it to the next ``sync_folder_items_request``.
    #[getter]
    fn sync_state(&self) -> Option<&str> {
        match &self.inner {
            ItemMessage::SyncFolderItems(m) => m.sync_state.as_deref(),
            _ => None,
        }
    }
    /// The changes (SyncFolderItems; empty otherwise).
    #[getter]
    fn changes(&self) -> Vec<PySyncChange> {
        match &self.inner {
            ItemMessage::SyncFolderItems(m) => m
                .changes
                .iter()
                .map(|c| PySyncChange { value: c.clone() })
                .collect(),
            _ => Vec::new(),
        }
    }
    /// The canonical JSON of this message (compact).
    fn to_json(&self) -> PyResult<String> {
        match &self.inner {
            ItemMessage::GetItem(m) => json::to_json(m),
            ItemMessage::FindItem(m) => json::to_json(m),
            ItemMessage::SyncFolderItems(m) => json::to_json(m),
        }
    }
    /// The canonical JSON as Python values (camelCase keys).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json::to_dict(py, &self.to_json()?)
    }
    fn __repr__(&self) -> PyResult<String> {
        let status = self.status();
        Ok(format!(
            "<ItemResponseMessage {} {} {}>",
            self.kind(),
            class_name(status.response_class)?,
            code(status.response_code.as_ref()).unwrap_or_default()
        ))
    }
}
