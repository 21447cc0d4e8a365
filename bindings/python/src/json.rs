//! The canonical JSON (core's `Serialize` output) as a `str` or as Python `dict`/`list` values.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

static JSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Core's compact canonical JSON of `value`.
pub fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// The canonical JSON read back by Python's `json.loads`: plain `dict`, `list`, `str`, `int`,
/// `bool` and `None` values with the canonical camelCase keys, in the canonical key order.
pub fn to_dict<'py>(py: Python<'py>, json: &str) -> PyResult<Bound<'py, PyAny>> {
    JSON_LOADS.import(py, "json", "loads")?.call1((json,))
}
