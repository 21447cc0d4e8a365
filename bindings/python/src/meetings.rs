//! `Correlator`: the meeting correlator of `ews-notify-meetings` with its in-memory store, for a
//! service with its own transport (exchangelib, requests): raw envelopes and GetItem responses
//! in, meeting events (canonical JSON as `dict`) out.

use ews_notify::request::RequestHeader;
use ews_notify_meetings::{Batch, Correlator, MemoryStore, ReadError};
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyString, PyType};

use crate::error::to_py_err;
use crate::json::{to_dict, to_json};

static PARSE_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn bytes_of(data: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<u8>> {
    if let Ok(b) = data.cast::<PyBytes>() {
        Ok(b.as_bytes().to_vec())
    } else if let Ok(s) = data.cast::<PyString>() {
        Ok(s.to_cow()?.as_bytes().to_vec())
    } else if let Ok(a) = data.cast::<PyByteArray>() {
        Ok(a.to_vec())
    } else {
        Err(PyTypeError::new_err(format!(
            "{what} expects bytes, bytearray or str, not {}",
            data.get_type().name()?
        )))
    }
}

fn read_err(py: Python<'_>, e: &ReadError) -> PyErr {
    match e {
        ReadError::Parse(core) => to_py_err(py, core),
        other => {
            let raised = PARSE_ERROR
                .import(py, "ews_notify._errors", "ParseError")
                .and_then(|ty| ty.call1((other.to_string(), other.code(), None::<usize>)));
            match raised {
                Ok(instance) => PyErr::from_value(instance),
                Err(import_failed) => import_failed,
            }
        }
    }
}

fn runtime(e: impl std::fmt::Display) -> PyErr {
    PyRuntimeError::new_err(e.to_string())
}

/// Names the meeting behind every calendar event of the mailboxes it is fed, keeping the map
/// ``(mailbox, ItemId) -> meeting`` in memory. See ``docs/meetings.md`` for the rules.
///
/// Feed it in two steps per batch: :meth:`accept` takes a notification envelope (push, pull or
/// streaming) or a ``SyncFolderItemsResponse`` (a catch-up) and returns the item ids to bind;
/// send :meth:`get_item_request` for them with your transport, then give the answer to
/// :meth:`bound`, which returns the meeting events. One batch at a time.
///
/// Example:
///     >>> c = Correlator()
///     >>> c.pending is None
///     True
#[pyclass(name = "Correlator", module = "ews_notify")]
pub struct PyCorrelator {
    inner: Correlator<MemoryStore>,
    pending: Option<Batch>,
}

#[pymethods]
impl PyCorrelator {
    #[new]
    fn new() -> Self {
        Self {
            inner: Correlator::new(),
            pending: None,
        }
    }

    /// The mailbox of the batch waiting for :meth:`bound`, or ``None``.
    #[getter]
    fn pending(&self) -> Option<String> {
        self.pending.as_ref().map(|b| b.mailbox().to_string())
    }

    /// How many items the map tracks.
    #[getter]
    fn tracked(&self) -> usize {
        self.inner.store().len()
    }

    /// Declares ``folder_id`` a calendar folder of ``mailbox`` (moves into other folders read
    /// as ``removedFromCalendar``).
    fn declare_calendar_folder(&mut self, mailbox: &str, folder_id: &str) -> PyResult<()> {
        self.inner
            .declare_calendar_folder(mailbox, folder_id)
            .map_err(runtime)
    }

    /// Takes the item events of one envelope of ``mailbox`` and returns the item ids to bind.
    ///
    /// Args:
    ///     mailbox: The mailbox the envelope is about (SMTP address).
    ///     envelope: A ``SendNotification``, ``GetEventsResponse`` or
    ///         ``GetStreamingEventsResponse`` envelope, or a ``SyncFolderItemsResponse``
    ///         (its changes count as a catch-up): ``bytes``, ``bytearray`` or ``str``.
    ///
    /// Returns:
    ///     The ``ItemId`` s to read with one ``GetItem`` (see :meth:`get_item_request`); may
    ///     be empty: call :meth:`bound` with ``None`` then.
    ///
    /// Raises:
    ///     ParseError: The envelope cannot be read (``code`` ``unexpected_body`` for another
    ///         kind of envelope).
    ///     RuntimeError: A batch is already waiting for :meth:`bound`.
    fn accept(
        &mut self,
        py: Python<'_>,
        mailbox: &str,
        envelope: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<String>> {
        if self.pending.is_some() {
            return Err(PyRuntimeError::new_err(
                "a batch is waiting: call bound() first",
            ));
        }
        let bytes = bytes_of(envelope, "accept()")?;
        let events =
            ews_notify_meetings::incoming_from_envelope(&bytes).map_err(|e| read_err(py, &e))?;
        let batch = self.inner.accept(mailbox, events).map_err(runtime)?;
        let ids = batch.items_to_bind().to_vec();
        self.pending = Some(batch);
        Ok(ids)
    }

    /// The ``GetItem`` request for the ids :meth:`accept` returned: the meeting shape (both
    /// GlobalObjectIds, UID, type, times, organizer, cancellation, occurrence lists).
    ///
    /// Raises:
    ///     RequestError: No id, or an id that cannot be written.
    #[pyo3(signature = (item_ids, /, *, impersonate = None))]
    fn get_item_request(
        &self,
        py: Python<'_>,
        item_ids: Vec<String>,
        impersonate: Option<String>,
    ) -> PyResult<String> {
        let mut header = RequestHeader::default();
        if let Some(smtp) = impersonate {
            header = header.impersonate_smtp(smtp);
        }
        ews_notify_meetings::get_item_request(&item_ids, header).map_err(|e| to_py_err(py, &e))
    }

    /// Resolves the waiting batch with the ``GetItemResponse`` for its ids and returns the
    /// meeting events, as canonical JSON ``dict`` s, in event order.
    ///
    /// Args:
    ///     get_item_response: The answer to :meth:`get_item_request`, or ``None`` when
    ///         :meth:`accept` returned no id (or the request failed: the events are then
    ///         reported from the map with reason ``noAnswer``).
    ///
    /// Raises:
    ///     ParseError: The response cannot be read (the batch stays waiting).
    ///     RuntimeError: No batch is waiting.
    #[pyo3(signature = (get_item_response = None, /))]
    fn bound<'py>(
        &mut self,
        py: Python<'py>,
        get_item_response: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Vec<Bound<'py, PyAny>>> {
        let Some(batch) = self.pending.as_ref() else {
            return Err(PyRuntimeError::new_err(
                "no batch is waiting: call accept()",
            ));
        };
        let answers = match get_item_response {
            Some(data) => {
                let bytes = bytes_of(data, "bound()")?;
                ews_notify_meetings::read_get_item_response(&bytes, batch.items_to_bind())
                    .map_err(|e| read_err(py, &e))?
            }
            None => Vec::new(),
        };
        let Some(batch) = self.pending.take() else {
            return Err(PyRuntimeError::new_err(
                "no batch is waiting: call accept()",
            ));
        };
        let resolved = self.inner.bound(batch, answers).map_err(runtime)?;
        resolved
            .events
            .iter()
            .map(|m| to_dict(py, &to_json(m)?))
            .collect()
    }
}
