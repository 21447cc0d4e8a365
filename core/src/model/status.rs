//! The status every `*ResponseMessage` carries: class, code, text and `MessageXml`.
//!
//! Every EWS response message derives from `ResponseMessageType`, so the four message structs of
//! this crate hold one [`ResponseStatus`] each, flattened into their JSON.
//!
//! See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/responsemessages>.

use std::borrow::Cow;

use serde::Serialize;

use super::code::ResponseCode;
use super::{own, own_opt};

/// `ResponseClass` of a response message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ResponseClass {
    /// `Success`
    Success,
    /// `Warning`
    Warning,
    /// `Error`
    Error,
}

/// The fields of `ResponseMessageType` that every response message has.
///
/// Flattened into the JSON of the message that holds it (the keys `responseClass` ...
/// `backOffMilliseconds` come first in every message object), so a client reads the status of
/// any message kind in one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ResponseStatus<'a> {
    /// `ResponseClass` attribute.
    pub response_class: ResponseClass,
    /// `ResponseCode`, trimmed. `None` when the element is absent.
    pub response_code: Option<ResponseCode<'a>>,
    /// `MessageText`, verbatim.
    pub message_text: Option<Cow<'a, str>>,
    /// `DescriptiveLinkKey`, verbatim.
    pub descriptive_link_key: Option<Cow<'a, str>>,
    /// `MessageXml`: its `Value Name="..."` children (and the text of any other child element,
    /// keyed by its local name), in document order. `None` when absent.
    pub message_xml: Option<MessageXml<'a>>,
    /// `BackOffMilliseconds` from `MessageXml`, as a number, when present and valid.
    pub back_off_milliseconds: Option<u64>,
}

impl ResponseStatus<'_> {
    /// A status of class `response_class` with nothing else read yet.
    pub fn new(response_class: ResponseClass) -> Self {
        Self {
            response_class,
            response_code: None,
            message_text: None,
            descriptive_link_key: None,
            message_xml: None,
            back_off_milliseconds: None,
        }
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> ResponseStatus<'static> {
        ResponseStatus {
            response_class: self.response_class,
            response_code: self.response_code.map(ResponseCode::into_owned),
            message_text: own_opt(self.message_text),
            descriptive_link_key: own_opt(self.descriptive_link_key),
            message_xml: self.message_xml.map(MessageXml::into_owned),
            back_off_milliseconds: self.back_off_milliseconds,
        }
    }
}

/// `MessageXml` name/value pairs, in document order.
///
/// Serialized as a JSON object; when a name repeats, the last value wins in the JSON and every
/// pair stays visible in [`MessageXml::entries`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessageXml<'a> {
    /// The pairs, in document order.
    pub entries: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> MessageXml<'a> {
    /// The value of the last entry named `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_ref())
    }
}

impl Serialize for MessageXml<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        // Keep first-seen order, last value wins, so the JSON object has no duplicate keys.
        let mut keys: Vec<&str> = Vec::with_capacity(self.entries.len());
        for (k, _) in &self.entries {
            if !keys.contains(&k.as_ref()) {
                keys.push(k);
            }
        }
        let mut map = s.serialize_map(Some(keys.len()))?;
        for k in keys {
            map.serialize_entry(k, &self.get(k))?;
        }
        map.end()
    }
}

impl MessageXml<'_> {
    /// A copy that owns its text.
    pub fn into_owned(self) -> MessageXml<'static> {
        MessageXml {
            entries: self
                .entries
                .into_iter()
                .map(|(k, v)| (own(k), own(v)))
                .collect(),
        }
    }
}
