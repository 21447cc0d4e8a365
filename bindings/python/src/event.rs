//! `Notification`, `Event` and `ObjectId`: views into a parsed envelope.

use std::sync::Arc;

use ews_notify::{Envelope, Event, EventKind, Notification, ObjectId};
use pyo3::prelude::*;

use crate::json;
use crate::repr::{py_bool, quote, quote_opt};

/// A parsed envelope shared by every object read from it.
pub type Shared = Arc<Envelope<'static>>;

/// One `Notification`: the events of one subscription since `previous_watermark`.
///
/// Read from a parsed :class:`Envelope` (``envelope.response_messages[i].notifications[j]``);
/// frozen. Every attribute is read from the parsed envelope when accessed.
#[pyclass(name = "Notification", module = "ews_notify", frozen, eq)]
pub struct PyNotification {
    env: Shared,
    message: usize,
    index: usize,
}

impl PartialEq for PyNotification {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl PyNotification {
    pub fn new(env: Shared, message: usize, index: usize) -> Self {
        Self {
            env,
            message,
            index,
        }
    }

    // Indices are set only by the code that enumerates the same parsed (immutable) envelope.
    fn get(&self) -> &Notification<'_> {
        &self.env.body.response_messages()[self.message].notifications[self.index]
    }
}

#[pymethods]
impl PyNotification {
    /// `SubscriptionId`.
    #[getter]
    fn subscription_id(&self) -> &str {
        &self.get().subscription_id
    }

    /// `PreviousWatermark`, or ``None`` (streaming notifications omit it).
    #[getter]
    fn previous_watermark(&self) -> Option<&str> {
        self.get().previous_watermark.as_deref()
    }

    /// `MoreEvents`, or ``None`` when absent (streaming notifications omit it).
    #[getter]
    fn more_events(&self) -> Option<bool> {
        self.get().more_events
    }

    /// The events, in document order.
    #[getter]
    fn events(&self) -> Vec<PyEvent> {
        (0..self.get().events.len())
            .map(|e| PyEvent {
                env: Arc::clone(&self.env),
                message: self.message,
                notification: self.index,
                index: e,
            })
            .collect()
    }

    /// The canonical JSON of this notification (compact).
    fn to_json(&self) -> PyResult<String> {
        json::to_json(self.get())
    }

    /// The canonical JSON as Python values (camelCase keys).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json::to_dict(py, &self.to_json()?)
    }

    fn __repr__(&self) -> String {
        let n = self.get();
        format!(
            "<Notification subscription_id={} events={} more_events={}>",
            quote(&n.subscription_id),
            n.events.len(),
            py_bool(n.more_events),
        )
    }
}

/// One event. Attributes an event kind does not carry are ``None``.
#[pyclass(name = "Event", module = "ews_notify", frozen, eq)]
pub struct PyEvent {
    env: Shared,
    message: usize,
    notification: usize,
    index: usize,
}

impl PartialEq for PyEvent {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl PyEvent {
    fn get(&self) -> &Event<'_> {
        &self.env.body.response_messages()[self.message].notifications[self.notification].events
            [self.index]
    }
}

/// The canonical `kind` string of an event (the same value as in the JSON).
fn kind_name(kind: &EventKind<'_>) -> &'static str {
    match kind {
        EventKind::Status => "status",
        EventKind::NewMail => "newMail",
        EventKind::Created => "created",
        EventKind::Deleted => "deleted",
        EventKind::Modified => "modified",
        EventKind::Moved => "moved",
        EventKind::Copied => "copied",
        EventKind::FreeBusyChanged => "freeBusyChanged",
        EventKind::Unknown(_) => "unknown",
    }
}

fn object_id(id: Option<&ObjectId<'_>>) -> Option<PyObjectId> {
    id.map(PyObjectId::from_core)
}

#[pymethods]
impl PyEvent {
    /// What happened: ``"created"``, ``"deleted"``, ``"modified"``, ``"moved"``, ``"copied"``,
    /// ``"newMail"``, ``"freeBusyChanged"``, ``"status"`` or ``"unknown"``.
    #[getter]
    fn kind(&self) -> &'static str {
        kind_name(&self.get().kind)
    }

    /// Local name of the element when ``kind`` is ``"unknown"``, else ``None``.
    #[getter]
    fn unknown_name(&self) -> Option<&str> {
        self.get().unknown_name()
    }

    /// `Watermark`: the position after this event.
    #[getter]
    fn watermark(&self) -> Option<&str> {
        self.get().watermark.as_deref()
    }

    /// `TimeStamp`, verbatim (``"2013-06-14T05:49:19Z"``).
    #[getter]
    fn timestamp(&self) -> Option<&str> {
        self.get().timestamp.as_deref()
    }

    /// `ItemId`, for item events.
    #[getter]
    fn item_id(&self) -> Option<PyObjectId> {
        object_id(self.get().item_id.as_ref())
    }

    /// `FolderId`, for folder events.
    #[getter]
    fn folder_id(&self) -> Option<PyObjectId> {
        object_id(self.get().folder_id.as_ref())
    }

    /// `ParentFolderId`.
    #[getter]
    fn parent_folder_id(&self) -> Option<PyObjectId> {
        object_id(self.get().parent_folder_id.as_ref())
    }

    /// `OldItemId` (moved and copied items).
    #[getter]
    fn old_item_id(&self) -> Option<PyObjectId> {
        object_id(self.get().old_item_id.as_ref())
    }

    /// `OldFolderId` (moved and copied folders).
    #[getter]
    fn old_folder_id(&self) -> Option<PyObjectId> {
        object_id(self.get().old_folder_id.as_ref())
    }

    /// `OldParentFolderId` (moved and copied).
    #[getter]
    fn old_parent_folder_id(&self) -> Option<PyObjectId> {
        object_id(self.get().old_parent_folder_id.as_ref())
    }

    /// `UnreadCount` (modified folder events).
    #[getter]
    fn unread_count(&self) -> Option<u32> {
        self.get().unread_count
    }

    /// The canonical JSON of this event (compact).
    fn to_json(&self) -> PyResult<String> {
        json::to_json(self.get())
    }

    /// The canonical JSON as Python values (camelCase keys).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json::to_dict(py, &self.to_json()?)
    }

    fn __repr__(&self) -> String {
        let e = self.get();
        let mut out = format!("<Event {}", kind_name(&e.kind));
        if let Some(name) = e.unknown_name() {
            out.push_str(&format!(" unknown_name={}", quote(name)));
        }
        let ids = [
            ("item_id", &e.item_id),
            ("folder_id", &e.folder_id),
            ("parent_folder_id", &e.parent_folder_id),
        ];
        for (name, id) in ids {
            if let Some(id) = id {
                out.push_str(&format!(" {name}={}", quote(&id.id)));
            }
        }
        if let Some(ts) = &e.timestamp {
            out.push_str(&format!(" timestamp={}", quote(ts)));
        }
        out.push('>');
        out
    }
}

/// An item or folder id with its change key. Frozen and hashable: equal when both parts are.
#[pyclass(name = "ObjectId", module = "ews_notify", frozen, eq, hash)]
#[derive(PartialEq, Eq, Hash)]
pub struct PyObjectId {
    id: String,
    change_key: Option<String>,
}

impl PyObjectId {
    /// A copy of a core id.
    pub fn from_core(id: &ObjectId<'_>) -> Self {
        Self {
            id: id.id.to_string(),
            change_key: id.change_key.as_deref().map(str::to_owned),
        }
    }

    /// The `Id` text.
    pub fn id_str(&self) -> &str {
        &self.id
    }

    /// The `ChangeKey` text, if any.
    pub fn change_key_str(&self) -> Option<&str> {
        self.change_key.as_deref()
    }
}

#[pymethods]
impl PyObjectId {
    /// `Id` attribute.
    #[getter]
    fn id(&self) -> &str {
        &self.id
    }

    /// `ChangeKey` attribute, or ``None``.
    #[getter]
    fn change_key(&self) -> Option<&str> {
        self.change_key.as_deref()
    }

    /// The canonical JSON of this id (compact).
    fn to_json(&self) -> PyResult<String> {
        json::to_json(&ObjectId {
            id: self.id.as_str().into(),
            change_key: self.change_key.as_deref().map(Into::into),
        })
    }

    /// The canonical JSON as Python values (camelCase keys).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json::to_dict(py, &self.to_json()?)
    }

    fn __repr__(&self) -> String {
        format!(
            "ObjectId(id={}, change_key={})",
            quote(&self.id),
            quote_opt(self.change_key.as_deref())
        )
    }
}
