//! `StreamSplitter`: cut a GetStreamingEvents body that arrives in chunks into envelopes.

use ews_notify::Limits;
use ews_notify::streaming::StreamSplitter;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;

use crate::error::to_py_err;

/// Incremental splitter for a GetStreamingEvents response body read in chunks.
///
/// Feed each chunk as it arrives (for example from ``httpx``'s ``iter_bytes()``), then iterate
/// the splitter for the envelopes those chunks completed: each item is the exact ``bytes`` of one
/// envelope, ready for :func:`parse_notification`. Call :meth:`finish` when the body ends.
/// Errors are raised in stream order: envelopes that ended before a bad byte come out first.
/// Offsets in errors are into the whole body fed so far.
///
/// Args:
///     max_bytes: Largest single envelope accepted (default 16 MiB).
///     max_stream_bytes: Most bytes accepted over the whole body (default 256 MiB).
///
/// Example:
///     >>> splitter = StreamSplitter()
///     >>> body = b'<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"/>' * 2
///     >>> splitter.feed(body[:70])
///     >>> [len(e) for e in splitter]
///     [59]
///     >>> splitter.feed(body[70:])
///     >>> [len(e) for e in splitter]
///     [59]
///     >>> splitter.finish()
#[pyclass(name = "StreamSplitter", module = "ews_notify")]
pub struct PyStreamSplitter {
    inner: StreamSplitter,
}

#[pymethods]
impl PyStreamSplitter {
    #[new]
    #[pyo3(signature = (*, max_bytes = None, max_stream_bytes = None))]
    fn new(max_bytes: Option<usize>, max_stream_bytes: Option<u64>) -> Self {
        let mut limits = Limits::default();
        if let Some(max) = max_bytes {
            limits.max_bytes = max;
        }
        if let Some(max) = max_stream_bytes {
            limits.max_stream_bytes = max;
        }
        Self {
            inner: StreamSplitter::with_limits(limits),
        }
    }

    /// Adds the next chunk of the body.
    ///
    /// Args:
    ///     chunk: The bytes, as received.
    ///
    /// Raises:
    ///     ParseError: ``too_large`` when the body goes past ``max_stream_bytes``, or the error
    ///         the splitter already failed with.
    fn feed(&mut self, py: Python<'_>, chunk: PyBackedBytes) -> PyResult<()> {
        self.inner.feed(&chunk).map_err(|e| to_py_err(py, &e))
    }

    /// The next complete envelope's bytes, or ``None`` when more input is needed.
    ///
    /// Raises:
    ///     ParseError: once every envelope before it was taken, the error the body failed with.
    fn next_envelope(&mut self, py: Python<'_>) -> PyResult<Option<Vec<u8>>> {
        self.inner.next_envelope().map_err(|e| to_py_err(py, &e))
    }

    /// Ends the body: checks that it did not stop inside an envelope.
    ///
    /// Envelopes not taken yet can still be iterated afterwards.
    ///
    /// Raises:
    ///     ParseError: ``unexpected_eof`` when a partial envelope remains, or the error the
    ///         splitter already failed with.
    fn finish(&mut self, py: Python<'_>) -> PyResult<()> {
        self.inner.finish().map_err(|e| to_py_err(py, &e))
    }

    /// Bytes accepted so far.
    #[getter]
    fn bytes_seen(&self) -> u64 {
        self.inner.bytes_seen()
    }

    /// Bytes held for the envelope in progress.
    #[getter]
    fn buffered(&self) -> usize {
        self.inner.buffered()
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self, py: Python<'_>) -> PyResult<Option<Vec<u8>>> {
        self.next_envelope(py)
    }

    fn __repr__(&self) -> String {
        format!(
            "<StreamSplitter bytes_seen={} buffered={}>",
            self.inner.bytes_seen(),
            self.inner.buffered()
        )
    }
}
