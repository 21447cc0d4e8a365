//! The typed value of one SOAP envelope: which message is inside and what it says.
//!
//! [`Envelope`]'s [`serde::Serialize`] output is the canonical JSON: the one shape every binding
//! returns (see `docs/canonical-json.md` and `docs/canonical.schema.json`).

use std::borrow::Cow;

use serde::Serialize;

use super::event::Notification;
use super::fault::Fault;
use super::item::{
    FindItemResponseMessage, GetItemResponseMessage, SyncFolderItemsResponseMessage,
};
use super::status::ResponseStatus;
use super::{own, own_opt};

/// One parsed SOAP envelope.
///
/// Borrows from the input: every text field is a [`Cow::Borrowed`] slice of the input unless the
/// XML escaped something in it. Call [`Envelope::into_owned`] to keep it past the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope<'a> {
    /// SOAP 1.1 or 1.2, from the envelope's namespace URI.
    pub soap_version: SoapVersion,
    /// `ServerVersionInfo` (responses) or `RequestServerVersion` (push requests) from the
    /// SOAP header, when present.
    pub server_version: Option<ServerVersion<'a>>,
    /// What the body holds.
    pub body: Body<'a>,
}

/// The SOAP version of an envelope, told by its namespace URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum SoapVersion {
    /// `http://schemas.xmlsoap.org/soap/envelope/`
    #[serde(rename = "1.1")]
    Soap11,
    /// `http://www.w3.org/2003/05/soap-envelope`
    #[serde(rename = "1.2")]
    Soap12,
}

/// Version information from the SOAP header.
///
/// Responses carry `ServerVersionInfo` with all five values; a push `SendNotification` carries
/// `RequestServerVersion` with only `version`.
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/serverversioninfo>.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ServerVersion<'a> {
    /// `MajorVersion`, e.g. 15.
    pub major_version: Option<u32>,
    /// `MinorVersion`.
    pub minor_version: Option<u32>,
    /// `MajorBuildNumber`.
    pub major_build_number: Option<u32>,
    /// `MinorBuildNumber`.
    pub minor_build_number: Option<u32>,
    /// `Version`, e.g. `V2_23` or `Exchange2013`. Borrowed unless escaped.
    pub version: Option<Cow<'a, str>>,
}

/// What the SOAP body holds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Body<'a> {
    /// `SendNotification`: the request Exchange POSTs to a push listener.
    SendNotification(Vec<ResponseMessage<'a>>),
    /// `GetEventsResponse` (pull).
    GetEventsResponse(Vec<ResponseMessage<'a>>),
    /// `GetStreamingEventsResponse` (streaming).
    GetStreamingEventsResponse(Vec<ResponseMessage<'a>>),
    /// `SubscribeResponse`.
    SubscribeResponse(Vec<ResponseMessage<'a>>),
    /// `UnsubscribeResponse`.
    UnsubscribeResponse(Vec<ResponseMessage<'a>>),
    /// `GetItemResponse`: calendar items by id (see [`CalendarItem`](crate::CalendarItem)).
    GetItemResponse(Vec<GetItemResponseMessage<'a>>),
    /// `FindItemResponse`: calendar items found in a folder.
    FindItemResponse(Vec<FindItemResponseMessage<'a>>),
    /// `SyncFolderItemsResponse`: the changes to a folder since a sync state.
    SyncFolderItemsResponse(Vec<SyncFolderItemsResponseMessage<'a>>),
    /// A SOAP fault: an answer from the server, not a parse error.
    Fault(Fault<'a>),
}

impl<'a> Body<'a> {
    /// The canonical `kind` string: `sendNotification`, `getEventsResponse`, ...
    pub fn kind(&self) -> &'static str {
        match self {
            Self::SendNotification(_) => "sendNotification",
            Self::GetEventsResponse(_) => "getEventsResponse",
            Self::GetStreamingEventsResponse(_) => "getStreamingEventsResponse",
            Self::SubscribeResponse(_) => "subscribeResponse",
            Self::UnsubscribeResponse(_) => "unsubscribeResponse",
            Self::GetItemResponse(_) => "getItemResponse",
            Self::FindItemResponse(_) => "findItemResponse",
            Self::SyncFolderItemsResponse(_) => "syncFolderItemsResponse",
            Self::Fault(_) => "fault",
        }
    }

    /// The response messages of the notification kinds. Empty for a fault and for the item
    /// responses, whose messages have their own types (match on the variant).
    pub fn response_messages(&self) -> &[ResponseMessage<'a>] {
        match self {
            Self::SendNotification(m)
            | Self::GetEventsResponse(m)
            | Self::GetStreamingEventsResponse(m)
            | Self::SubscribeResponse(m)
            | Self::UnsubscribeResponse(m) => m,
            Self::GetItemResponse(_)
            | Self::FindItemResponse(_)
            | Self::SyncFolderItemsResponse(_)
            | Self::Fault(_) => &[],
        }
    }

    /// The status of every response message, whatever its kind, in document order. Empty for a
    /// fault (whose code is on [`Fault`]).
    ///
    /// ```
    /// # let xml = br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
    /// #  <m:GetItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">
    /// #   <m:ResponseMessages><m:GetItemResponseMessage ResponseClass="Error">
    /// #    <m:ResponseCode>ErrorItemNotFound</m:ResponseCode>
    /// #   </m:GetItemResponseMessage></m:ResponseMessages>
    /// #  </m:GetItemResponse></s:Body></s:Envelope>"#;
    /// use ews_notify::ResponseCode;
    /// let envelope = ews_notify::parse_envelope(xml)?;
    /// let codes: Vec<_> = envelope.body.statuses().map(|s| s.response_code.clone()).collect();
    /// assert_eq!(codes, [Some(ResponseCode::ErrorItemNotFound)]);
    /// # Ok::<(), ews_notify::Error>(())
    /// ```
    pub fn statuses(&self) -> impl Iterator<Item = &ResponseStatus<'a>> + '_ {
        let (get, find, sync): (
            &[GetItemResponseMessage<'a>],
            &[FindItemResponseMessage<'a>],
            &[SyncFolderItemsResponseMessage<'a>],
        ) = match self {
            Self::GetItemResponse(m) => (m, &[], &[]),
            Self::FindItemResponse(m) => (&[], m, &[]),
            Self::SyncFolderItemsResponse(m) => (&[], &[], m),
            _ => (&[], &[], &[]),
        };
        let notification = self.response_messages().iter().map(|m| &m.status);
        notification
            .chain(get.iter().map(|m| &m.status))
            .chain(find.iter().map(|m| &m.status))
            .chain(sync.iter().map(|m| &m.status))
    }
}

/// `ConnectionStatus` of a GetStreamingEvents response message.
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/connectionstatus>.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum ConnectionStatus<'a> {
    /// `OK`: the connection stays open.
    #[serde(serialize_with = "ser_ok")]
    Ok,
    /// `Closed`: the server ended the connection; open a new one.
    #[serde(serialize_with = "ser_closed")]
    Closed,
    /// A value outside the schema, kept verbatim (trimmed).
    Other(Cow<'a, str>),
}

fn ser_ok<S: serde::Serializer>(s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str("OK")
}
fn ser_closed<S: serde::Serializer>(s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str("Closed")
}

/// One `*ResponseMessage` element: its status and, for notification kinds, what it carries.
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/responsemessages>.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ResponseMessage<'a> {
    /// `ResponseClass`, `ResponseCode`, `MessageText`, `DescriptiveLinkKey`, `MessageXml` and
    /// `BackOffMilliseconds`; flattened into this message's JSON.
    #[serde(flatten)]
    pub status: ResponseStatus<'a>,
    /// `SubscriptionId` of a SubscribeResponse message.
    pub subscription_id: Option<Cow<'a, str>>,
    /// `Watermark` of a SubscribeResponse message (pull and push subscriptions).
    pub watermark: Option<Cow<'a, str>>,
    /// `ConnectionStatus` of a GetStreamingEvents response message.
    pub connection_status: Option<ConnectionStatus<'a>>,
    /// `ErrorSubscriptionIds` of a GetStreamingEvents response message (the `m:` and `t:`
    /// spellings are both read). Empty when absent.
    pub error_subscription_ids: Vec<Cow<'a, str>>,
    /// The `Notification`s carried (one for push and pull, any number for streaming).
    pub notifications: Vec<Notification<'a>>,
    /// Child elements this crate does not read, by local name (`{namespace}local` when the
    /// element is outside the EWS namespaces), in document order. Serialized as
    /// `"unknownElements"` only when not empty, so they are never dropped quietly.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown_elements: Vec<Cow<'a, str>>,
    /// The local name the message element had when it was not the one its kind expects
    /// (gromox names each `GetEventsResponseMessage` `m:x`): the message was then read by its
    /// position and content. `None` for a well-named message; serialized as `"elementName"`
    /// only when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub element_name: Option<Cow<'a, str>>,
}

impl Serialize for Envelope<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("kind", self.body.kind())?;
        map.serialize_entry("soapVersion", &self.soap_version)?;
        map.serialize_entry("serverVersion", &self.server_version)?;
        match &self.body {
            Body::Fault(fault) => fault.serialize_fields(&mut map)?,
            Body::GetItemResponse(m) => map.serialize_entry("responseMessages", m)?,
            Body::FindItemResponse(m) => map.serialize_entry("responseMessages", m)?,
            Body::SyncFolderItemsResponse(m) => map.serialize_entry("responseMessages", m)?,
            other => map.serialize_entry("responseMessages", other.response_messages())?,
        }
        map.end()
    }
}

impl Envelope<'_> {
    /// The canonical JSON of this envelope: compact, keys in the documented order.
    ///
    /// This is the one shape every binding returns; see `docs/canonical-json.md`.
    pub fn to_json(&self) -> String {
        // Serializing these types cannot fail: every map key is a string and no value is a
        // float, so the empty fallback is never taken.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A copy that owns all its text, for keeping past the input buffer.
    ///
    /// Allocates once per text field.
    pub fn into_owned(self) -> Envelope<'static> {
        Envelope {
            soap_version: self.soap_version,
            server_version: self.server_version.map(ServerVersion::into_owned),
            body: self.body.into_owned(),
        }
    }
}

impl ServerVersion<'_> {
    /// A copy that owns its text.
    pub fn into_owned(self) -> ServerVersion<'static> {
        ServerVersion {
            major_version: self.major_version,
            minor_version: self.minor_version,
            major_build_number: self.major_build_number,
            minor_build_number: self.minor_build_number,
            version: own_opt(self.version),
        }
    }
}

impl Body<'_> {
    /// A copy that owns its text.
    pub fn into_owned(self) -> Body<'static> {
        fn all(m: Vec<ResponseMessage<'_>>) -> Vec<ResponseMessage<'static>> {
            m.into_iter().map(ResponseMessage::into_owned).collect()
        }
        match self {
            Self::SendNotification(m) => Body::SendNotification(all(m)),
            Self::GetEventsResponse(m) => Body::GetEventsResponse(all(m)),
            Self::GetStreamingEventsResponse(m) => Body::GetStreamingEventsResponse(all(m)),
            Self::SubscribeResponse(m) => Body::SubscribeResponse(all(m)),
            Self::UnsubscribeResponse(m) => Body::UnsubscribeResponse(all(m)),
            Self::GetItemResponse(m) => Body::GetItemResponse(
                m.into_iter()
                    .map(GetItemResponseMessage::into_owned)
                    .collect(),
            ),
            Self::FindItemResponse(m) => Body::FindItemResponse(
                m.into_iter()
                    .map(FindItemResponseMessage::into_owned)
                    .collect(),
            ),
            Self::SyncFolderItemsResponse(m) => Body::SyncFolderItemsResponse(
                m.into_iter()
                    .map(SyncFolderItemsResponseMessage::into_owned)
                    .collect(),
            ),
            Self::Fault(f) => Body::Fault(f.into_owned()),
        }
    }
}

impl ConnectionStatus<'_> {
    /// Reads a trimmed `ConnectionStatus` value.
    pub fn parse(text: Cow<'_, str>) -> ConnectionStatus<'_> {
        match text.as_ref() {
            "OK" => ConnectionStatus::Ok,
            "Closed" => ConnectionStatus::Closed,
            _ => ConnectionStatus::Other(text),
        }
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> ConnectionStatus<'static> {
        match self {
            Self::Ok => ConnectionStatus::Ok,
            Self::Closed => ConnectionStatus::Closed,
            Self::Other(s) => ConnectionStatus::Other(own(s)),
        }
    }
}

impl ResponseMessage<'_> {
    /// A copy that owns its text.
    pub fn into_owned(self) -> ResponseMessage<'static> {
        ResponseMessage {
            status: self.status.into_owned(),
            subscription_id: own_opt(self.subscription_id),
            watermark: own_opt(self.watermark),
            connection_status: self.connection_status.map(ConnectionStatus::into_owned),
            error_subscription_ids: self.error_subscription_ids.into_iter().map(own).collect(),
            notifications: self
                .notifications
                .into_iter()
                .map(Notification::into_owned)
                .collect(),
            unknown_elements: self.unknown_elements.into_iter().map(own).collect(),
            element_name: own_opt(self.element_name),
        }
    }
}
