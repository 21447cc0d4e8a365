//! Python bindings for ews-notify: the native module `ews_notify._native`.
//!
//! This crate converts types and maps errors; every rule about EWS lives in the core crate.
//! Values cross the boundary as copies: a parsed envelope owns its text, so the input may be
//! dropped.

mod envelope;
mod error;
mod event;
mod goid;
mod item;
mod json;
mod meetings;
mod parse;
mod repr;
mod request;
mod split;
mod streaming;

use pyo3::prelude::*;

/// The native part of the `ews_notify` package (import `ews_notify`, not this module).
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(parse::parse_notification, m)?)?;
    m.add_class::<envelope::PyEnvelope>()?;
    m.add_class::<envelope::PyServerVersion>()?;
    m.add_class::<envelope::PyResponseMessage>()?;
    m.add_class::<envelope::PyFault>()?;
    m.add_class::<event::PyNotification>()?;
    m.add_class::<event::PyEvent>()?;
    m.add_class::<event::PyObjectId>()?;
    m.add_class::<item::PyItemResponseMessage>()?;
    m.add_class::<item::PyCalendarItem>()?;
    m.add_class::<item::PyMailbox>()?;
    m.add_class::<item::PyExtendedProperty>()?;
    m.add_class::<item::PyExtendedFieldUri>()?;
    m.add_class::<item::PySyncChange>()?;
    m.add_class::<streaming::PyStreamSplitter>()?;
    m.add_class::<goid::PyGlobalObjectId>()?;
    m.add_class::<goid::PyGoidWarning>()?;
    m.add_function(wrap_pyfunction!(goid::py_same_meeting, m)?)?;
    m.add_function(wrap_pyfunction!(request::pull_subscribe_request, m)?)?;
    m.add_function(wrap_pyfunction!(request::push_subscribe_request, m)?)?;
    m.add_function(wrap_pyfunction!(request::streaming_subscribe_request, m)?)?;
    m.add_function(wrap_pyfunction!(request::get_events_request, m)?)?;
    m.add_function(wrap_pyfunction!(request::get_streaming_events_request, m)?)?;
    m.add_function(wrap_pyfunction!(request::unsubscribe_request, m)?)?;
    m.add_function(wrap_pyfunction!(request::send_notification_result, m)?)?;
    m.add_function(wrap_pyfunction!(request::get_item_request, m)?)?;
    m.add_function(wrap_pyfunction!(
        request::find_item_by_clean_goid_request,
        m
    )?)?;
    m.add_function(wrap_pyfunction!(request::calendar_view_request, m)?)?;
    m.add_function(wrap_pyfunction!(request::sync_folder_items_request, m)?)?;
    m.add_function(wrap_pyfunction!(request::http_headers, m)?)?;
    m.add_class::<meetings::PyCorrelator>()?;
    m.add_function(wrap_pyfunction!(split::split_envelopes, m)?)?;
    Ok(())
}
