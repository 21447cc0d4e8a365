//! `SendNotificationResult`: what a push listener answers to each `SendNotification`.

use std::fmt;
use std::str::FromStr;

use super::writer::envelope;
use super::{RequestError, cut};

/// `SubscriptionStatus`: whether the push subscription goes on.
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/subscriptionstatus>.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SubscriptionStatus {
    /// `OK`: keep sending notifications.
    #[default]
    Ok,
    /// `Unsubscribe`: end the subscription.
    Unsubscribe,
}

impl SubscriptionStatus {
    /// The status as EWS spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::Unsubscribe => "Unsubscribe",
        }
    }
}

impl fmt::Display for SubscriptionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SubscriptionStatus {
    type Err = RequestError;

    /// Reads `OK` or `Unsubscribe`, ignoring ASCII case.
    ///
    /// # Errors
    ///
    /// [`RequestError::UnknownName`] for any other text.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("ok") {
            Ok(Self::Ok)
        } else if s.eq_ignore_ascii_case("unsubscribe") {
            Ok(Self::Unsubscribe)
        } else {
            Err(RequestError::UnknownName {
                name: "subscription status",
                value: cut(s),
            })
        }
    }
}

/// The SOAP body a push listener returns (HTTP 200) for a `SendNotification`.
///
/// Nothing in it can be out of range, so this cannot fail and returns the XML directly.
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/sendnotificationresult>.
///
/// ```
/// use ews_notify::request::{SubscriptionStatus, send_notification_result};
///
/// let xml = send_notification_result(SubscriptionStatus::Unsubscribe);
/// assert!(xml.contains("<m:SubscriptionStatus>Unsubscribe</m:SubscriptionStatus>"));
/// ```
pub fn send_notification_result(status: SubscriptionStatus) -> String {
    envelope(None, |xml| {
        xml.start("m:SendNotificationResult", &[]);
        xml.text("m:SubscriptionStatus", status.as_str());
        xml.end("m:SendNotificationResult");
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::request::schema::assert_valid;

    #[test]
    fn both_answers_are_schema_valid() {
        for status in [SubscriptionStatus::Ok, SubscriptionStatus::Unsubscribe] {
            let xml = send_notification_result(status);
            assert_valid(&xml);
            assert!(xml.contains(&format!(
                "<m:SubscriptionStatus>{status}</m:SubscriptionStatus>"
            )));
        }
    }

    #[test]
    fn status_reads_its_two_names() {
        assert_eq!(
            "OK".parse::<SubscriptionStatus>().unwrap(),
            SubscriptionStatus::Ok
        );
        assert_eq!(
            "unsubscribe".parse::<SubscriptionStatus>().unwrap(),
            SubscriptionStatus::Unsubscribe
        );
        assert_eq!(
            "stop".parse::<SubscriptionStatus>().unwrap_err().code(),
            "unknown_name"
        );
    }
}
