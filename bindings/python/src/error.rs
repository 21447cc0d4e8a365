//! Core errors as Python exceptions (`ews_notify.ParseError` and its subclasses).
//!
//! The exception classes are plain Python classes in `ews_notify/_errors.py`, so they pickle and
//! take `(message, code, offset)` like any Python exception.

use ews_notify::{Error, ErrorKind};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

static PARSE_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static GOID_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static REQUEST_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Converts a core [`Error`] into the matching `ews_notify` exception, with `code` and `offset`.
pub fn to_py_err(py: Python<'_>, error: &Error) -> PyErr {
    let (cell, name) = match error.kind() {
        ErrorKind::Goid(_) => (&GOID_ERROR, "GoidError"),
        ErrorKind::Request(_) => (&REQUEST_ERROR, "RequestError"),
        _ => (&PARSE_ERROR, "ParseError"),
    };
    let raised = cell
        .import(py, "ews_notify._errors", name)
        .and_then(|ty| ty.call1((error.to_string(), error.code(), error.offset())));
    match raised {
        Ok(instance) => PyErr::from_value(instance),
        Err(import_failed) => import_failed,
    }
}
