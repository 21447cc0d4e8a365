//! EWS response codes.
//!
//! See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/responsecode>.

use std::borrow::Cow;

use serde::Serialize;

macro_rules! response_codes {
    ($( $(#[$doc:meta])* $name:ident ),* $(,)?) => {
        /// An EWS `ResponseCode`. The codes a notification client acts on are named; any other is
        /// kept verbatim in [`ResponseCode::Other`], so compare with the enum, never with text.
        ///
        /// Serialized as the code's EWS spelling (`"ErrorServerBusy"`).
        /// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/responsecode>.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ResponseCode<'a> {
            $( $(#[$doc])* $name, )*
            /// Any other code, verbatim (trimmed).
            Other(Cow<'a, str>),
        }

        impl<'a> ResponseCode<'a> {
            /// Every named code, in declaration order.
            pub const NAMED: &'static [ResponseCode<'static>] = &[$( ResponseCode::$name, )*];

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
    /// Too many subscriptions for this account.
    ErrorExceededSubscriptionCount,
    /// The folder does not exist.
    ErrorFolderNotFound,
    /// The mailbox does not exist.
    ErrorNonExistentMailbox,
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn every_named_code_reads_back_from_its_spelling() {
        for code in ResponseCode::NAMED {
            let parsed = ResponseCode::parse(Cow::Borrowed(code.as_str()));
            assert_eq!(&parsed, code, "{} does not read back", code.as_str());
        }
        let other = ResponseCode::parse(Cow::Borrowed("ErrorSomethingNew"));
        assert_eq!(
            other,
            ResponseCode::Other(Cow::Borrowed("ErrorSomethingNew"))
        );
        assert_eq!(other.as_str(), "ErrorSomethingNew");
    }

    /// `messages.xsd` from `EWS_SCHEMA_DIR` (default `../shared/ews-schema` beside the
    /// repository), or `None` after printing why.
    fn messages_xsd() -> Option<String> {
        let dir = std::env::var_os("EWS_SCHEMA_DIR").map_or_else(
            || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/ews-schema"),
            std::path::PathBuf::from,
        );
        match std::fs::read_to_string(dir.join("messages.xsd")) {
            Ok(text) => Some(text),
            Err(_) if std::env::var_os("EWS_SCHEMA_REQUIRED").is_none() => {
                println!("SKIPPED: every_named_code_is_in_the_schema (no EWS schema)");
                None
            }
            Err(e) => panic!(
                "EWS_SCHEMA_REQUIRED is set but {} is missing: {e}",
                dir.display()
            ),
        }
    }

    #[test]
    fn every_named_code_is_in_the_schema() {
        let Some(xsd) = messages_xsd() else { return };
        let start = xsd
            .find(r#"name="ResponseCodeType""#)
            .expect("ResponseCodeType in messages.xsd");
        let end = start
            + xsd[start..]
                .find("</xs:simpleType>")
                .expect("end of ResponseCodeType");
        let codes = &xsd[start..end];
        for code in ResponseCode::NAMED {
            let needle = format!(r#"value="{}""#, code.as_str());
            assert!(
                codes.contains(&needle),
                "{} is not an EWS ResponseCodeType value",
                code.as_str()
            );
        }
    }
}
