//! `parse_notification`: bytes or text in, a frozen `Envelope` out.

use std::sync::Arc;

use ews_notify::{Limits, Parser};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString};

use crate::envelope::PyEnvelope;
use crate::error::to_py_err;

/// Parses one EWS notification SOAP envelope of any kind.
///
/// Reads a push ``SendNotification``, a ``GetEventsResponse``, one envelope of a
/// ``GetStreamingEventsResponse`` body (see :class:`StreamSplitter` for whole bodies), a
/// ``SubscribeResponse``, an ``UnsubscribeResponse`` or a SOAP fault. A fault is an answer, so it
/// parses (``envelope.kind == "fault"``); only input that cannot be read raises. DTDs are
/// refused and entities are never expanded. The text is copied out of ``data`` once.
///
/// Args:
///     data: The envelope: ``bytes`` (UTF-8, as received), ``bytearray`` or ``str``. Error
///         offsets are byte offsets into the UTF-8 encoding.
///     max_bytes: Largest input accepted, in bytes (default 16 MiB).
///     max_depth: Deepest element nesting accepted (default 64).
///     max_events: Most events accepted in the envelope (default 100,000).
///
/// Returns:
///     The parsed :class:`Envelope`.
///
/// Raises:
///     ParseError: The input could not be read; ``code`` and ``offset`` say why and where.
///     TypeError: ``data`` is not ``bytes``, ``bytearray`` or ``str``.
///
/// Example:
///     >>> body = (b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
///     ...     b'<m:UnsubscribeResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">'
///     ...     b'<m:ResponseMessages><m:UnsubscribeResponseMessage ResponseClass="Success">'
///     ...     b'<m:ResponseCode>NoError</m:ResponseCode></m:UnsubscribeResponseMessage>'
///     ...     b'</m:ResponseMessages></m:UnsubscribeResponse></s:Body></s:Envelope>')
///     >>> envelope = parse_notification(body)
///     >>> envelope.kind, envelope.response_messages[0].response_code
///     ('unsubscribeResponse', 'NoError')
#[pyfunction]
#[pyo3(signature = (data, /, *, max_bytes = None, max_depth = None, max_events = None))]
pub fn parse_notification(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    max_bytes: Option<usize>,
    max_depth: Option<usize>,
    max_events: Option<usize>,
) -> PyResult<PyEnvelope> {
    let mut limits = Limits::default();
    if let Some(max) = max_bytes {
        limits.max_bytes = max;
    }
    if let Some(max) = max_depth {
        limits.max_depth = max;
    }
    if let Some(max) = max_events {
        limits.max_events = max;
    }
    let parser = Parser::new().limits(limits);
    let parsed = if let Ok(bytes) = data.cast::<PyBytes>() {
        // `bytes` is immutable, so its buffer stays valid and unchanged while detached.
        let bytes = bytes.as_bytes();
        py.detach(|| parser.parse_notification(bytes).map(|e| e.into_owned()))
    } else if let Ok(text) = data.cast::<PyString>() {
        let text = text.to_cow()?;
        let bytes = text.as_bytes();
        py.detach(|| parser.parse_notification(bytes).map(|e| e.into_owned()))
    } else if let Ok(array) = data.cast::<PyByteArray>() {
        // A bytearray may change under us: parse a copy.
        let bytes = array.to_vec();
        py.detach(|| parser.parse_notification(&bytes).map(|e| e.into_owned()))
    } else {
        return Err(PyTypeError::new_err(format!(
            "parse_notification() expects bytes, bytearray or str, not {}",
            data.get_type().name()?
        )));
    };
    match parsed {
        Ok(envelope) => Ok(PyEnvelope::new(Arc::new(envelope))),
        Err(error) => Err(to_py_err(py, &error)),
    }
}
