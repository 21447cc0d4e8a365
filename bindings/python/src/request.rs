//! The request builders: keyword arguments in, the SOAP request as `str` out.
//!
//! Names and values are read by core (`EventType`, `ExchangeVersion`, `SubscriptionStatus`
//! parse their own text), and every check is core's: a bad value raises `RequestError` with
//! core's code.

use ews_notify::Error;
use ews_notify::request::{
    FindItemRequest, FolderId, GetEventsRequest, GetItemRequest, GetStreamingEventsRequest,
    HttpHeaders, ItemRef, RequestHeader, SubscribeRequest, SubscriptionStatus,
    SyncFolderItemsRequest, SyncScope, UnsubscribeRequest,
    send_notification_result as core_send_notification_result,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use crate::error::to_py_err;
use crate::event::PyObjectId;

fn built(py: Python<'_>, result: Result<String, Error>) -> PyResult<String> {
    result.map_err(|e| to_py_err(py, &e))
}

fn header(version: Option<&str>, impersonate: Option<&str>) -> Result<RequestHeader, Error> {
    RequestHeader::from_text(version, impersonate)
}

fn folders(names: Vec<String>, ids: Vec<String>, mailbox: Option<&str>) -> Vec<FolderId> {
    FolderId::list(names, ids, mailbox)
}

#[allow(clippy::too_many_arguments)] // mirrors the Python keyword arguments one to one
fn subscribe(
    request: SubscribeRequest,
    event_types: Vec<String>,
    names: Vec<String>,
    ids: Vec<String>,
    mailbox: Option<&str>,
    all_folders: bool,
    watermark: Option<String>,
    version: Option<&str>,
    impersonate: Option<&str>,
) -> Result<String, Error> {
    let types = event_types
        .iter()
        .map(|t| t.parse())
        .collect::<Result<Vec<_>, _>>()?;
    let mut request = request
        .folders(folders(names, ids, mailbox))
        .event_types(types)
        .header(header(version, impersonate)?);
    if all_folders {
        request = request.all_folders();
    }
    if let Some(watermark) = watermark {
        request = request.watermark(watermark);
    }
    request.build()
}

/// A ``Subscribe`` request for a pull subscription (poll it with :func:`get_events_request`).
///
/// Args:
///     event_types: Event types to receive: ``"created"``, ``"CreatedEvent"``, ``"newMail"``, ...
///     timeout_minutes: Minutes the server keeps the subscription without a poll (1-1440).
///     folders: Distinguished folder names (``"calendar"``, ``"inbox"``, ...).
///     folder_ids: Folders by EWS id.
///     mailbox: SMTP address of the mailbox that holds ``folders`` (delegate access).
///     all_folders: Watch every folder of the mailbox instead of a list.
///     watermark: Resume from this watermark.
///     version: ``RequestServerVersion`` (default ``"Exchange2013_SP1"``).
///     impersonate: SMTP address to act as (``ExchangeImpersonation``).
///
/// Returns:
///     The SOAP request.
///
/// Raises:
///     RequestError: A value EWS does not accept (``out_of_range``, ``unknown_name``,
///         ``empty_list``, ``conflicting_values``, ``invalid_text``).
///
/// Example:
///     >>> xml = pull_subscribe_request(
///     ...     event_types=["created", "modified"], timeout_minutes=30, folders=["calendar"])
///     >>> "<t:Timeout>30</t:Timeout>" in xml
///     True
#[pyfunction]
#[pyo3(signature = (*, event_types, timeout_minutes, folders = vec![], folder_ids = vec![],
    mailbox = None, all_folders = false, watermark = None, version = None, impersonate = None))]
#[allow(clippy::too_many_arguments)]
pub fn pull_subscribe_request(
    py: Python<'_>,
    event_types: Vec<String>,
    timeout_minutes: u32,
    folders: Vec<String>,
    folder_ids: Vec<String>,
    mailbox: Option<&str>,
    all_folders: bool,
    watermark: Option<String>,
    version: Option<&str>,
    impersonate: Option<&str>,
) -> PyResult<String> {
    built(
        py,
        subscribe(
            SubscribeRequest::pull(timeout_minutes),
            event_types,
            folders,
            folder_ids,
            mailbox,
            all_folders,
            watermark,
            version,
            impersonate,
        ),
    )
}

/// A ``Subscribe`` request for a push subscription: Exchange POSTs ``SendNotification`` to
/// ``url`` (parse each with :func:`parse_notification`, answer with
/// :func:`send_notification_result`).
///
/// Args:
///     url: The listener's URL (http or https).
///     event_types: Event types to receive.
///     status_frequency_minutes: Minutes between status heartbeats (1-1440).
///     folders: Distinguished folder names.
///     folder_ids: Folders by EWS id.
///     mailbox: SMTP address of the mailbox that holds ``folders``.
///     all_folders: Watch every folder of the mailbox.
///     watermark: Resume from this watermark.
///     version: ``RequestServerVersion``.
///     impersonate: SMTP address to act as.
///
/// Raises:
///     RequestError: A value EWS does not accept.
#[pyfunction]
#[pyo3(signature = (url, /, *, event_types, status_frequency_minutes, folders = vec![],
    folder_ids = vec![], mailbox = None, all_folders = false, watermark = None, version = None,
    impersonate = None))]
#[allow(clippy::too_many_arguments)]
pub fn push_subscribe_request(
    py: Python<'_>,
    url: String,
    event_types: Vec<String>,
    status_frequency_minutes: u32,
    folders: Vec<String>,
    folder_ids: Vec<String>,
    mailbox: Option<&str>,
    all_folders: bool,
    watermark: Option<String>,
    version: Option<&str>,
    impersonate: Option<&str>,
) -> PyResult<String> {
    built(
        py,
        subscribe(
            SubscribeRequest::push(url, status_frequency_minutes),
            event_types,
            folders,
            folder_ids,
            mailbox,
            all_folders,
            watermark,
            version,
            impersonate,
        ),
    )
}

/// A ``Subscribe`` request for a streaming subscription (then open
/// :func:`get_streaming_events_request` and cut the body with :class:`StreamSplitter`).
///
/// Args:
///     event_types: Event types to receive.
///     folders: Distinguished folder names.
///     folder_ids: Folders by EWS id.
///     mailbox: SMTP address of the mailbox that holds ``folders``.
///     all_folders: Watch every folder of the mailbox.
///     version: ``RequestServerVersion``.
///     impersonate: SMTP address to act as.
///
/// Raises:
///     RequestError: A value EWS does not accept.
///
/// Example:
///     >>> xml = streaming_subscribe_request(event_types=["CreatedEvent"], folders=["inbox"])
///     >>> "<m:StreamingSubscriptionRequest>" in xml
///     True
#[pyfunction]
#[pyo3(signature = (*, event_types, folders = vec![], folder_ids = vec![], mailbox = None,
    all_folders = false, version = None, impersonate = None))]
#[allow(clippy::too_many_arguments)]
pub fn streaming_subscribe_request(
    py: Python<'_>,
    event_types: Vec<String>,
    folders: Vec<String>,
    folder_ids: Vec<String>,
    mailbox: Option<&str>,
    all_folders: bool,
    version: Option<&str>,
    impersonate: Option<&str>,
) -> PyResult<String> {
    built(
        py,
        subscribe(
            SubscribeRequest::streaming(),
            event_types,
            folders,
            folder_ids,
            mailbox,
            all_folders,
            None,
            version,
            impersonate,
        ),
    )
}

/// A ``GetEvents`` request: the events of a pull subscription since ``watermark``.
///
/// Raises:
///     RequestError: An empty or unwritable id or watermark, or an unknown version.
///
/// Example:
///     >>> "<m:Watermark>AQAAAA==</m:Watermark>" in get_events_request("sub-1", "AQAAAA==")
///     True
#[pyfunction]
#[pyo3(signature = (subscription_id, watermark, /, *, version = None, impersonate = None))]
pub fn get_events_request(
    py: Python<'_>,
    subscription_id: &str,
    watermark: &str,
    version: Option<&str>,
    impersonate: Option<&str>,
) -> PyResult<String> {
    let result = header(version, impersonate).and_then(|h| {
        GetEventsRequest::new(subscription_id, watermark)
            .header(h)
            .build()
    });
    built(py, result)
}

/// A ``GetStreamingEvents`` request: open a streaming connection for the subscriptions.
///
/// Args:
///     subscription_ids: The streaming subscriptions to listen to.
///     connection_timeout_minutes: Minutes the server keeps the connection open (1-30).
///     version: ``RequestServerVersion``.
///     impersonate: SMTP address to act as.
///
/// Raises:
///     RequestError: ``out_of_range``, ``empty_list``, ``too_many_values``, ``invalid_text``.
#[pyfunction]
#[pyo3(signature = (subscription_ids, connection_timeout_minutes, /, *, version = None,
    impersonate = None))]
pub fn get_streaming_events_request(
    py: Python<'_>,
    subscription_ids: Vec<String>,
    connection_timeout_minutes: u32,
    version: Option<&str>,
    impersonate: Option<&str>,
) -> PyResult<String> {
    let result = header(version, impersonate).and_then(|h| {
        GetStreamingEventsRequest::new(subscription_ids, connection_timeout_minutes)
            .header(h)
            .build()
    });
    built(py, result)
}

/// An ``Unsubscribe`` request.
///
/// Raises:
///     RequestError: An empty or unwritable id, or an unknown version.
#[pyfunction]
#[pyo3(signature = (subscription_id, /, *, version = None, impersonate = None))]
pub fn unsubscribe_request(
    py: Python<'_>,
    subscription_id: &str,
    version: Option<&str>,
    impersonate: Option<&str>,
) -> PyResult<String> {
    let result = header(version, impersonate)
        .and_then(|h| UnsubscribeRequest::new(subscription_id).header(h).build());
    built(py, result)
}

/// The ``SendNotificationResult`` a push listener answers to each ``SendNotification``.
///
/// Args:
///     status: ``"OK"`` to keep the subscription, ``"Unsubscribe"`` to end it.
///
/// Raises:
///     RequestError: ``unknown_name`` for another status.
///
/// Example:
///     >>> "<m:SubscriptionStatus>OK</m:SubscriptionStatus>" in send_notification_result()
///     True
#[pyfunction]
#[pyo3(signature = (status = "OK"))]
pub fn send_notification_result(py: Python<'_>, status: &str) -> PyResult<String> {
    let result = status
        .parse::<SubscriptionStatus>()
        .map_err(Error::from)
        .map(core_send_notification_result);
    built(py, result)
}

/// A ``GetItem`` request for calendar items, with the calendar fields and both GlobalObjectId
/// properties.
///
/// Args:
///     item_ids: The items: EWS id strings, or :class:`ObjectId` values from events (their
///         change keys are sent too).
///     version: ``RequestServerVersion``.
///     impersonate: SMTP address to act as.
///
/// Raises:
///     RequestError: ``empty_list``, ``invalid_text``, ...
///     TypeError: An item is neither ``str`` nor :class:`ObjectId`.
#[pyfunction]
#[pyo3(signature = (item_ids, /, *, version = None, impersonate = None))]
pub fn get_item_request(
    py: Python<'_>,
    item_ids: Vec<Bound<'_, PyAny>>,
    version: Option<&str>,
    impersonate: Option<&str>,
) -> PyResult<String> {
    let mut items = Vec::with_capacity(item_ids.len());
    for item in &item_ids {
        items.push(match item.cast::<PyObjectId>() {
            Ok(id) => {
                let id = id.get();
                ItemRef::ItemId {
                    id: id.id_str().to_owned(),
                    change_key: id.change_key_str().map(str::to_owned),
                }
            }
            Err(_) => ItemRef::id(item.extract::<String>()?),
        });
    }
    let result =
        header(version, impersonate).and_then(|h| GetItemRequest::new(items).header(h).build());
    built(py, result)
}

/// A ``FindItem`` request for the calendar items of one meeting: those whose
/// PidLidCleanGlobalObjectId equals ``clean_goid_base64`` (use
/// :attr:`GlobalObjectId.restriction_value`). Finds the series, its exceptions and orphans.
///
/// Args:
///     clean_goid_base64: Base64 of the clean GlobalObjectId.
///     folders: Distinguished folders to search (default the caller's ``calendar``).
///     mailbox: SMTP address of the mailbox that holds ``folders``.
///     version: ``RequestServerVersion``.
///     impersonate: SMTP address to act as.
///
/// Raises:
///     RequestError: ``invalid_text`` (not base64), ``unknown_name`` (folder), ...
#[pyfunction]
#[pyo3(signature = (clean_goid_base64, /, *, folders = vec![], mailbox = None, version = None,
    impersonate = None))]
pub fn find_item_by_clean_goid_request(
    py: Python<'_>,
    clean_goid_base64: String,
    folders: Vec<String>,
    mailbox: Option<&str>,
    version: Option<&str>,
    impersonate: Option<&str>,
) -> PyResult<String> {
    let list = self::folders(folders, Vec::new(), mailbox);
    let result = header(version, impersonate).and_then(|h| {
        list.into_iter()
            .fold(FindItemRequest::by_clean_goid(clean_goid_base64), |r, f| {
                r.folder(f)
            })
            .header(h)
            .build()
    });
    built(py, result)
}

/// A ``FindItem`` request with a ``CalendarView``: the items and occurrences that overlap
/// ``start``..``end``.
///
/// Args:
///     start: Start of the window (an aware ``datetime``).
///     end: End of the window (an aware ``datetime``).
///     max_entries: At most this many entries (``MaxEntriesReturned``, 1 or more).
///     folders: Distinguished folders to search (default the caller's ``calendar``).
///     mailbox: SMTP address of the mailbox that holds ``folders``.
///     version: ``RequestServerVersion``.
///     impersonate: SMTP address to act as.
///
/// Raises:
///     RequestError: ``inverted_range``, ``out_of_range``, ``unknown_name``, ...
///     TypeError: A naive ``datetime``.
#[pyfunction]
#[pyo3(signature = (start, end, /, *, max_entries = None, folders = vec![], mailbox = None,
    version = None, impersonate = None))]
#[allow(clippy::too_many_arguments)]
pub fn calendar_view_request(
    py: Python<'_>,
    start: time::OffsetDateTime,
    end: time::OffsetDateTime,
    max_entries: Option<u32>,
    folders: Vec<String>,
    mailbox: Option<&str>,
    version: Option<&str>,
    impersonate: Option<&str>,
) -> PyResult<String> {
    let list = self::folders(folders, Vec::new(), mailbox);
    let result = header(version, impersonate).and_then(|h| {
        let mut request = FindItemRequest::calendar_view(start, end);
        if let Some(max) = max_entries {
            request = request.max_entries(max);
        }
        list.into_iter()
            .fold(request, |r, f| r.folder(f))
            .header(h)
            .build()
    });
    built(py, result)
}

/// A ``SyncFolderItems`` request: the changes to a folder since ``sync_state`` (from scratch
/// without one). The catch-up after a lost subscription.
///
/// Args:
///     max_changes_returned: At most this many changes per call (1-512).
///     folder: A distinguished folder name (``"calendar"``, ...); give this or ``folder_id``.
///     folder_id: A folder by EWS id; give this or ``folder``.
///     mailbox: SMTP address of the mailbox that holds ``folder``.
///     sync_state: The ``SyncState`` of the previous response.
///     include_associated_items: Also folder-associated items
///         (``SyncScope=NormalAndAssociatedItems``).
///     version: ``RequestServerVersion``.
///     impersonate: SMTP address to act as.
///
/// Raises:
///     RequestError: ``out_of_range``, ``invalid_text``, ``unknown_name``, ...
///     TypeError: Both or neither of ``folder`` and ``folder_id``.
///
/// Example:
///     >>> xml = sync_folder_items_request(512, folder="calendar")
///     >>> "<m:MaxChangesReturned>512</m:MaxChangesReturned>" in xml
///     True
#[pyfunction]
#[pyo3(signature = (max_changes_returned, /, *, folder = None, folder_id = None, mailbox = None,
    sync_state = None, include_associated_items = false, version = None, impersonate = None))]
#[allow(clippy::too_many_arguments)]
pub fn sync_folder_items_request(
    py: Python<'_>,
    max_changes_returned: u32,
    folder: Option<String>,
    folder_id: Option<String>,
    mailbox: Option<&str>,
    sync_state: Option<String>,
    include_associated_items: bool,
    version: Option<&str>,
    impersonate: Option<&str>,
) -> PyResult<String> {
    let target = match (folder, folder_id) {
        (Some(name), None) => {
            let folder = FolderId::distinguished(name);
            match mailbox {
                Some(address) => folder.with_mailbox(address),
                None => folder,
            }
        }
        (None, Some(id)) => FolderId::id(id),
        _ => {
            return Err(PyTypeError::new_err(
                "sync_folder_items_request() takes exactly one of folder or folder_id",
            ));
        }
    };
    let result = header(version, impersonate).and_then(|h| {
        let mut request = SyncFolderItemsRequest::new(target, max_changes_returned).header(h);
        if let Some(state) = sync_state {
            request = request.sync_state(state);
        }
        if include_associated_items {
            request = request.scope(SyncScope::NormalAndAssociatedItems);
        }
        request.build()
    });
    built(py, result)
}

/// The HTTP headers to send with an EWS request, as ``(name, value)`` pairs.
///
/// Args:
///     anchor_mailbox: ``X-AnchorMailbox`` (the SMTP address of the mailbox worked on).
///     prefer_server_affinity: Send ``X-PreferServerAffinity: true`` (streaming and pull with
///         several mailboxes).
///     backend_override_cookie: The ``X-BackEndOverrideCookie`` value a Subscribe response set.
///
/// Raises:
///     RequestError: ``invalid_text`` (empty, a control character, or ``;`` in the cookie).
///
/// Example:
///     >>> dict(http_headers(anchor_mailbox="room1@example.com"))["X-AnchorMailbox"]
///     'room1@example.com'
#[pyfunction]
#[pyo3(signature = (*, anchor_mailbox = None, prefer_server_affinity = false,
    backend_override_cookie = None))]
pub fn http_headers(
    py: Python<'_>,
    anchor_mailbox: Option<String>,
    prefer_server_affinity: bool,
    backend_override_cookie: Option<String>,
) -> PyResult<Vec<(&'static str, String)>> {
    let mut headers = HttpHeaders::new().prefer_server_affinity(prefer_server_affinity);
    if let Some(address) = anchor_mailbox {
        headers = headers.anchor_mailbox(address);
    }
    if let Some(cookie) = backend_override_cookie {
        headers = headers.backend_override_cookie(cookie);
    }
    headers.build().map_err(|e| to_py_err(py, &e))
}
