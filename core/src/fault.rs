//! SOAP faults and EWS response codes.
//!
//! A fault is an answer from the server (for example `ErrorServerBusy` with a back-off), so it
//! parses to [`crate::Body::Fault`], never to an [`crate::Error`].

use std::borrow::Cow;

use serde::Serialize;

use crate::envelope::MessageXml;

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
        use crate::envelope::{own, own_opt};
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

macro_rules! response_codes {
    ($( $(#[$doc:meta])* $name:ident ),* $(,)?) => {
        /// An EWS `ResponseCode`. The codes a notification client acts on are named; any other is
        /// kept verbatim in [`ResponseCode::Other`].
        /// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/responsecode>.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ResponseCode<'a> {
            $( $(#[$doc])* $name, )*
            /// Any other code, verbatim (trimmed).
            Other(Cow<'a, str>),
        }

        impl<'a> ResponseCode<'a> {
            /// Reads a trimmed code.
            pub fn parse(text: Cow<'a, str>) -> Self {
                match text.as_ref() {
                    $( stringify!($name) => Self::$name, )*
                    _ => Self::Other(text),
                }
            }

            /// A copy that owns its text.
            pub fn into_owned(self) -> ResponseCode<'static> {
                match self {
                    $( Self::$name => ResponseCode::$name, )*
                    Self::Other(s) => ResponseCode::Other(Cow::Owned(s.into_owned())),
                }
            }

            /// The code as EWS spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$name => stringify!($name), )*
                    Self::Other(s) => s,
                }
            }
        }
    };
}

response_codes! {
    /// Success.
    NoError,
    /// Throttled: wait `BackOffMilliseconds` before the next request.
    ErrorServerBusy,
    /// The subscription is unknown to the server (expired, or another server).
    ErrorSubscriptionNotFound,
    /// The subscription id is not valid.
    ErrorInvalidSubscription,
    /// The subscription expired.
    ErrorExpiredSubscription,
    /// Events could not be read; the subscription must be re-created.
    ErrorReadEventsFailed,
    /// The watermark's event is gone; the subscription must be re-created.
    ErrorEventNotFound,
    /// The watermark is not valid.
    ErrorInvalidWatermark,
    /// The pull subscription id is not valid.
    ErrorInvalidPullSubscriptionId,
    /// The push subscription URL is not valid.
    ErrorInvalidPushSubscriptionUrl,
    /// Events were lost by the server; catch up with a sync.
    ErrorMissedNotificationEvents,
    /// The subscription was removed.
    ErrorSubscriptionUnsubscribed,
    /// The caller may not subscribe to this mailbox.
    ErrorSubscriptionAccessDenied,
    /// A newer GetStreamingEvents connection replaced this one.
    ErrorNewEventStreamConnectionOpened,
    /// Too many open connections for this account.
    ErrorExceededConnectionCount,
    /// The mailbox is being moved; retry later.
    ErrorMailboxMoveInProgress,
    /// The mailbox store is not available.
    ErrorMailboxStoreUnavailable,
    /// A transient server error.
    ErrorInternalServerTransientError,
    /// A server error.
    ErrorInternalServerError,
    /// The item does not exist.
    ErrorItemNotFound,
    /// Access denied.
    ErrorAccessDenied,
    /// The request does not match the schema.
    ErrorSchemaValidation,
    /// The request is not valid.
    ErrorInvalidRequest,
    /// The sync state is not valid; start a sync from scratch.
    ErrorInvalidSyncStateData,
    /// The request timed out on the server.
    ErrorTimeoutExpired,
}

impl ResponseCode<'_> {
    /// Whether this code means the subscription is gone and must be re-created.
    pub fn requires_resubscribe(&self) -> bool {
        matches!(
            self,
            Self::ErrorSubscriptionNotFound
                | Self::ErrorInvalidSubscription
                | Self::ErrorExpiredSubscription
                | Self::ErrorReadEventsFailed
                | Self::ErrorEventNotFound
                | Self::ErrorInvalidWatermark
                | Self::ErrorInvalidPullSubscriptionId
                | Self::ErrorSubscriptionUnsubscribed
                | Self::ErrorMissedNotificationEvents
        )
    }
}

impl Serialize for ResponseCode<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
