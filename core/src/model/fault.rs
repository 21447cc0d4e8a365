//! SOAP faults.
//!
//! A fault is an answer from the server (for example `ErrorServerBusy` with a back-off), so it
//! parses to [`crate::Body::Fault`], never to an [`crate::Error`].

use std::borrow::Cow;

use super::code::ResponseCode;
use super::status::MessageXml;
use super::{own, own_opt};

/// A SOAP `Fault` (1.1 or 1.2) with the EWS detail Exchange puts in it.
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/handling-throttling-implications-in-ews>.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault<'a> {
    /// `faultcode` (1.1) or `Code/Value` (1.2), verbatim, e.g. `a:ErrorServerBusy`.
    pub fault_code: Option<Cow<'a, str>>,
    /// `faultstring` (1.1) or `Reason/Text` (1.2).
    pub fault_string: Option<Cow<'a, str>>,
    /// `detail/ResponseCode`, trimmed.
    pub response_code: Option<ResponseCode<'a>>,
    /// `detail/Message`.
    pub message_text: Option<Cow<'a, str>>,
    /// `detail/MessageXml/Value Name="BackOffMilliseconds"`, as a number.
    pub back_off_milliseconds: Option<u64>,
    /// `detail/MessageXml` pairs.
    pub message_xml: Option<MessageXml<'a>>,
    /// `detail` children this crate does not read (for example `Line`, `Position` and
    /// `Violation` of a schema-validation fault), by local name, in document order.
    /// Serialized as `"unknownElements"` only when not empty.
    pub unknown_elements: Vec<Cow<'a, str>>,
}

impl Fault<'_> {
    /// Writes the fault's canonical JSON fields into an envelope's map.
    pub(crate) fn serialize_fields<M: serde::ser::SerializeMap>(
        &self,
        map: &mut M,
    ) -> Result<(), M::Error> {
        map.serialize_entry("faultCode", &self.fault_code)?;
        map.serialize_entry("faultString", &self.fault_string)?;
        map.serialize_entry("responseCode", &self.response_code)?;
        map.serialize_entry("messageText", &self.message_text)?;
        map.serialize_entry("backOffMilliseconds", &self.back_off_milliseconds)?;
        map.serialize_entry("messageXml", &self.message_xml)?;
        if !self.unknown_elements.is_empty() {
            map.serialize_entry("unknownElements", &self.unknown_elements)?;
        }
        Ok(())
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> Fault<'static> {
        Fault {
            fault_code: own_opt(self.fault_code),
            fault_string: own_opt(self.fault_string),
            response_code: self.response_code.map(ResponseCode::into_owned),
            message_text: own_opt(self.message_text),
            back_off_milliseconds: self.back_off_milliseconds,
            message_xml: self.message_xml.map(MessageXml::into_owned),
            unknown_elements: self.unknown_elements.into_iter().map(own).collect(),
        }
    }
}
