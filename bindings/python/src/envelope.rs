//! `Envelope`, `ResponseMessage`, `ServerVersion` and `Fault`.

use std::sync::Arc;

use ews_notify::{
    Body, ConnectionStatus, Fault, MessageXml, ResponseClass, ResponseCode, ResponseMessage,
    ServerVersion, SoapVersion,
};
use pyo3::prelude::*;

use crate::event::{PyNotification, Shared};
use crate::item::PyItemResponseMessage;
use crate::json;
use crate::repr::{quote, quote_opt};

/// One parsed SOAP envelope, returned by :func:`parse_notification`.
///
/// Frozen. The parsed value is copied out of the input once (the input may be dropped); child
/// objects (``response_messages``, ``notifications``, ``events``) are created when accessed.
/// Two envelopes are equal when their parsed values are.
#[pyclass(name = "Envelope", module = "ews_notify", frozen, eq)]
pub struct PyEnvelope {
    env: Shared,
}

impl PartialEq for PyEnvelope {
    fn eq(&self, other: &Self) -> bool {
        self.env == other.env
    }
}

impl PyEnvelope {
    pub fn new(env: Shared) -> Self {
        Self { env }
    }
}

fn soap_version_name(v: SoapVersion) -> &'static str {
    match v {
        SoapVersion::Soap11 => "1.1",
        SoapVersion::Soap12 => "1.2",
    }
}

#[pymethods]
impl PyEnvelope {
    /// What the body holds: ``"sendNotification"``, ``"getEventsResponse"``,
    /// ``"getStreamingEventsResponse"``, ``"subscribeResponse"``, ``"unsubscribeResponse"`` or
    /// ``"fault"``.
    #[getter]
    fn kind(&self) -> &'static str {
        self.env.body.kind()
    }

    /// ``"1.1"`` or ``"1.2"``, from the envelope's namespace URI.
    #[getter]
    fn soap_version(&self) -> &'static str {
        soap_version_name(self.env.soap_version)
    }

    /// `ServerVersionInfo` (responses) or `RequestServerVersion` (push) from the SOAP header.
    #[getter]
    fn server_version(&self) -> Option<PyServerVersion> {
        self.env
            .server_version
            .as_ref()
            .map(|v| PyServerVersion { value: v.clone() })
    }

    /// The response messages (an empty list for a fault).
    #[getter]
    fn response_messages(&self) -> Vec<PyResponseMessage> {
        (0..self.env.body.response_messages().len())
            .map(|index| PyResponseMessage {
                env: Arc::clone(&self.env),
                index,
            })
            .collect()
    }

    /// The messages of an item response (``getItemResponse``, ``findItemResponse``,
    /// ``syncFolderItemsResponse``); an empty list for every other kind.
    #[getter]
    fn item_response_messages(&self) -> Vec<PyItemResponseMessage> {
        PyItemResponseMessage::all(&self.env.body)
    }

    /// The SOAP fault when ``kind == "fault"``, else ``None``. A fault is an answer from the
    /// server (for example ``ErrorServerBusy`` with a back-off), not a parse error.
    #[getter]
    fn fault(&self) -> Option<PyFault> {
        match &self.env.body {
            Body::Fault(fault) => Some(PyFault {
                value: fault.clone(),
            }),
            _ => None,
        }
    }

    /// The canonical JSON (compact), byte for byte what every ews-notify binding and the CLI
    /// produce for the same input.
    fn to_json(&self) -> String {
        self.env.to_json()
    }

    /// The canonical JSON as Python values (camelCase keys, canonical key order).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json::to_dict(py, &self.env.to_json())
    }

    fn __repr__(&self) -> String {
        let messages = self.env.body.response_messages();
        let events: usize = messages
            .iter()
            .flat_map(|m| &m.notifications)
            .map(|n| n.events.len())
            .sum();
        format!(
            "<Envelope {} soap_version={} response_messages={} events={}>",
            self.env.body.kind(),
            quote(soap_version_name(self.env.soap_version)),
            messages.len(),
            events
        )
    }
}

/// Version information from the SOAP header. Frozen.
#[pyclass(name = "ServerVersion", module = "ews_notify", frozen, eq)]
#[derive(PartialEq)]
pub struct PyServerVersion {
    value: ServerVersion<'static>,
}

#[pymethods]
impl PyServerVersion {
    /// `MajorVersion`, e.g. 15.
    #[getter]
    fn major_version(&self) -> Option<u32> {
        self.value.major_version
    }

    /// `MinorVersion`.
    #[getter]
    fn minor_version(&self) -> Option<u32> {
        self.value.minor_version
    }

    /// `MajorBuildNumber`.
    #[getter]
    fn major_build_number(&self) -> Option<u32> {
        self.value.major_build_number
    }

    /// `MinorBuildNumber`.
    #[getter]
    fn minor_build_number(&self) -> Option<u32> {
        self.value.minor_build_number
    }

    /// `Version`, e.g. ``"V2_23"`` or ``"Exchange2013"``.
    #[getter]
    fn version(&self) -> Option<&str> {
        self.value.version.as_deref()
    }

    /// The canonical JSON of this value (compact).
    fn to_json(&self) -> PyResult<String> {
        json::to_json(&self.value)
    }

    /// The canonical JSON as Python values (camelCase keys).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json::to_dict(py, &self.to_json()?)
    }

    fn __repr__(&self) -> String {
        let v = &self.value;
        let num = |n: Option<u32>| n.map_or_else(|| "None".to_owned(), |n| n.to_string());
        format!(
            "ServerVersion(major_version={}, minor_version={}, major_build_number={}, \
             minor_build_number={}, version={})",
            num(v.major_version),
            num(v.minor_version),
            num(v.major_build_number),
            num(v.minor_build_number),
            quote_opt(v.version.as_deref())
        )
    }
}

fn response_class_name(class: ResponseClass) -> &'static str {
    match class {
        ResponseClass::Success => "Success",
        ResponseClass::Warning => "Warning",
        ResponseClass::Error => "Error",
    }
}

fn connection_status_name<'a>(status: &'a ConnectionStatus<'_>) -> &'a str {
    match status {
        ConnectionStatus::Ok => "OK",
        ConnectionStatus::Closed => "Closed",
        ConnectionStatus::Other(text) => text,
    }
}

fn message_xml_pairs<'a>(xml: Option<&'a MessageXml<'_>>) -> Option<Vec<(&'a str, &'a str)>> {
    xml.map(|xml| {
        xml.entries
            .iter()
            .map(|(k, v)| (k.as_ref(), v.as_ref()))
            .collect()
    })
}

fn requires_resubscribe(code: Option<&ResponseCode<'_>>) -> bool {
    code.is_some_and(ResponseCode::requires_resubscribe)
}

/// One ``*ResponseMessage`` element: its status and, for notification kinds, what it carries.
/// Frozen.
#[pyclass(name = "ResponseMessage", module = "ews_notify", frozen, eq)]
pub struct PyResponseMessage {
    env: Shared,
    index: usize,
}

impl PartialEq for PyResponseMessage {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl PyResponseMessage {
    // The index is set only by `PyEnvelope::response_messages` over the same immutable envelope.
    fn get(&self) -> &ResponseMessage<'_> {
        &self.env.body.response_messages()[self.index]
    }
}

#[pymethods]
impl PyResponseMessage {
    /// ``"Success"``, ``"Warning"`` or ``"Error"``.
    #[getter]
    fn response_class(&self) -> &'static str {
        response_class_name(self.get().status.response_class)
    }

    /// `ResponseCode` as EWS spells it (``"NoError"``, ``"ErrorServerBusy"``, ...), or ``None``.
    #[getter]
    fn response_code(&self) -> Option<&str> {
        self.get()
            .status
            .response_code
            .as_ref()
            .map(ResponseCode::as_str)
    }

    /// Whether ``response_code`` means the subscription is gone and must be re-created.
    #[getter]
    fn requires_resubscribe(&self) -> bool {
        requires_resubscribe(self.get().status.response_code.as_ref())
    }

    /// `MessageText`, verbatim.
    #[getter]
    fn message_text(&self) -> Option<&str> {
        self.get().status.message_text.as_deref()
    }

    /// `DescriptiveLinkKey`, verbatim.
    #[getter]
    fn descriptive_link_key(&self) -> Option<&str> {
        self.get().status.descriptive_link_key.as_deref()
    }

    /// `MessageXml` as ``(name, value)`` pairs in document order, or ``None`` when absent.
    /// ``dict(pairs)`` keeps the last value of a repeated name, as the JSON does.
    #[getter]
    fn message_xml(&self) -> Option<Vec<(&str, &str)>> {
        message_xml_pairs(self.get().status.message_xml.as_ref())
    }

    /// `BackOffMilliseconds` from `MessageXml`, when present and valid.
    #[getter]
    fn back_off_milliseconds(&self) -> Option<u64> {
        self.get().status.back_off_milliseconds
    }

    /// `SubscriptionId` of a SubscribeResponse message.
    #[getter]
    fn subscription_id(&self) -> Option<&str> {
        self.get().subscription_id.as_deref()
    }

    /// `Watermark` of a SubscribeResponse message.
    #[getter]
    fn watermark(&self) -> Option<&str> {
        self.get().watermark.as_deref()
    }

    /// `ConnectionStatus` of a GetStreamingEvents message: ``"OK"``, ``"Closed"`` or another
    /// value verbatim; ``None`` when absent.
    #[getter]
    fn connection_status(&self) -> Option<&str> {
        self.get()
            .connection_status
            .as_ref()
            .map(connection_status_name)
    }

    /// `ErrorSubscriptionIds` of a GetStreamingEvents message (empty when absent).
    #[getter]
    fn error_subscription_ids(&self) -> Vec<&str> {
        self.get()
            .error_subscription_ids
            .iter()
            .map(AsRef::as_ref)
            .collect()
    }

    /// Child elements the parser does not read, by local name (``{namespace}local`` outside the
    /// EWS namespaces), in document order; empty when there are none.
    #[getter]
    fn unknown_elements(&self) -> Vec<&str> {
        self.get()
            .unknown_elements
            .iter()
            .map(AsRef::as_ref)
            .collect()
    }

    /// The notifications carried (one for push and pull, any number for streaming).
    #[getter]
    fn notifications(&self) -> Vec<PyNotification> {
        (0..self.get().notifications.len())
            .map(|n| PyNotification::new(Arc::clone(&self.env), self.index, n))
            .collect()
    }

    /// The canonical JSON of this message (compact).
    fn to_json(&self) -> PyResult<String> {
        json::to_json(self.get())
    }

    /// The canonical JSON as Python values (camelCase keys).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json::to_dict(py, &self.to_json()?)
    }

    fn __repr__(&self) -> String {
        let m = self.get();
        let mut out = format!(
            "<ResponseMessage {}",
            response_class_name(m.status.response_class)
        );
        if let Some(code) = &m.status.response_code {
            out.push(' ');
            out.push_str(code.as_str());
        }
        if let Some(status) = &m.connection_status {
            out.push_str(" connection_status=");
            out.push_str(&quote(connection_status_name(status)));
        }
        out.push_str(&format!(" notifications={}>", m.notifications.len()));
        out
    }
}

/// A SOAP fault with the EWS detail Exchange puts in it. Frozen.
#[pyclass(name = "Fault", module = "ews_notify", frozen, eq)]
#[derive(PartialEq)]
pub struct PyFault {
    value: Fault<'static>,
}

#[pymethods]
impl PyFault {
    /// `faultcode` (SOAP 1.1) or `Code/Value` (1.2), verbatim, e.g. ``"a:ErrorServerBusy"``.
    #[getter]
    fn fault_code(&self) -> Option<&str> {
        self.value.fault_code.as_deref()
    }

    /// `faultstring` (SOAP 1.1) or `Reason/Text` (1.2).
    #[getter]
    fn fault_string(&self) -> Option<&str> {
        self.value.fault_string.as_deref()
    }

    /// `detail/ResponseCode` as EWS spells it, or ``None``.
    #[getter]
    fn response_code(&self) -> Option<&str> {
        self.value.response_code.as_ref().map(ResponseCode::as_str)
    }

    /// Whether ``response_code`` means the subscription is gone and must be re-created.
    #[getter]
    fn requires_resubscribe(&self) -> bool {
        requires_resubscribe(self.value.response_code.as_ref())
    }

    /// `detail/Message`.
    #[getter]
    fn message_text(&self) -> Option<&str> {
        self.value.message_text.as_deref()
    }

    /// `BackOffMilliseconds` from the detail's `MessageXml`, as a number.
    #[getter]
    fn back_off_milliseconds(&self) -> Option<u64> {
        self.value.back_off_milliseconds
    }

    /// `detail/MessageXml` as ``(name, value)`` pairs in document order, or ``None``.
    #[getter]
    fn message_xml(&self) -> Option<Vec<(&str, &str)>> {
        message_xml_pairs(self.value.message_xml.as_ref())
    }

    fn __repr__(&self) -> String {
        format!(
            "<Fault fault_code={} response_code={} back_off_milliseconds={}>",
            quote_opt(self.value.fault_code.as_deref()),
            quote_opt(self.response_code()),
            self.value
                .back_off_milliseconds
                .map_or_else(|| "None".to_owned(), |n| n.to_string())
        )
    }
}
