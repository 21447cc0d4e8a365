//! `split_envelopes`: a whole GetStreamingEvents body cut into its envelopes (as Node's and the
//! browser package's `splitEnvelopes`).

use ews_notify::Limits;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::error::to_py_err;

/// Cuts a complete GetStreamingEvents body into its SOAP envelopes.
///
/// For a body that is already in memory; a body arriving in chunks goes through
/// :class:`StreamSplitter`. Each item is the exact ``bytes`` of one envelope, ready for
/// :func:`parse_notification`.
///
/// Args:
///     body: The whole body (``bytes`` or ``str``, read as UTF-8).
///     max_bytes: Largest single envelope accepted (default 16 MiB).
///     max_stream_bytes: Most bytes accepted over the whole body (default 256 MiB).
///
/// Returns:
///     The envelopes, in order.
///
/// Raises:
///     ParseError: ``unexpected_eof`` when the body ends inside an envelope, ``too_large``,
///         ``dtd_refused``, ``trailing_content`` or ``malformed_xml``; offsets count from the
///         start of the body.
///
/// Example:
///     >>> body = b'<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"/>\r\n' * 2
///     >>> [len(e) for e in split_envelopes(body)]
///     [59, 59]
#[pyfunction]
#[pyo3(signature = (body, /, *, max_bytes = None, max_stream_bytes = None))]
pub fn split_envelopes<'py>(
    py: Python<'py>,
    body: &Bound<'py, PyAny>,
    max_bytes: Option<usize>,
    max_stream_bytes: Option<u64>,
) -> PyResult<Vec<Bound<'py, PyBytes>>> {
    let owned: Vec<u8>;
    let bytes: &[u8] = if let Ok(b) = body.cast::<PyBytes>() {
        owned = b.as_bytes().to_vec();
        &owned
    } else if let Ok(text) = body.extract::<String>() {
        owned = text.into_bytes();
        &owned
    } else {
        return Err(pyo3::exceptions::PyTypeError::new_err(
            "body must be bytes or str",
        ));
    };
    let mut limits = Limits::default();
    if let Some(max) = max_bytes {
        limits.max_bytes = max;
    }
    if let Some(max) = max_stream_bytes {
        limits.max_stream_bytes = max;
    }
    ews_notify::streaming::split_with_limits(bytes, limits)
        .map(|envelope| {
            envelope
                .map(|e| PyBytes::new(py, e))
                .map_err(|e| to_py_err(py, &e))
        })
        .collect()
}
