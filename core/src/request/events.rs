//! `GetEvents`, `GetStreamingEvents` and `Unsubscribe`: the requests about an existing
//! subscription.

use super::header::RequestHeader;
use super::writer::envelope;
use super::{RequestError, check_non_empty, check_range};

/// Most subscription ids one `GetStreamingEvents` request may carry.
const MAX_STREAMING_SUBSCRIPTIONS: usize = 200;

/// Builds a `GetEvents` request: the events of a pull subscription since `watermark`.
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getevents>.
///
/// ```
/// use ews_notify::request::GetEventsRequest;
///
/// let xml = GetEventsRequest::new("EABydW5uZXI=", "AQAAAHWVCw==").build()?;
/// assert!(xml.contains("<m:Watermark>AQAAAHWVCw==</m:Watermark>"));
/// # Ok::<(), ews_notify::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetEventsRequest {
    subscription_id: String,
    watermark: String,
    header: RequestHeader,
}

impl GetEventsRequest {
    /// Events of `subscription_id` after `watermark`.
    pub fn new(subscription_id: impl Into<String>, watermark: impl Into<String>) -> Self {
        Self {
            subscription_id: subscription_id.into(),
            watermark: watermark.into(),
            header: RequestHeader::default(),
        }
    }

    /// Sets the SOAP header (version, impersonation).
    #[must_use]
    pub fn header(mut self, header: RequestHeader) -> Self {
        self.header = header;
        self
    }

    /// The SOAP request.
    ///
    /// # Errors
    ///
    /// `invalid_text` when the subscription id or the watermark is empty or unwritable.
    pub fn build(&self) -> Result<String, crate::Error> {
        self.header.validate()?;
        check_non_empty("SubscriptionId", &self.subscription_id)?;
        check_non_empty("Watermark", &self.watermark)?;
        Ok(envelope(Some(&self.header), |xml| {
            xml.start("m:GetEvents", &[]);
            xml.text("m:SubscriptionId", &self.subscription_id);
            xml.text("m:Watermark", &self.watermark);
            xml.end("m:GetEvents");
        }))
    }
}

/// A `GetEvents` request with the default header: shorthand for
/// `GetEventsRequest::new(subscription_id, watermark).build()`.
///
/// # Errors
///
/// As [`GetEventsRequest::build`].
pub fn get_events_request(subscription_id: &str, watermark: &str) -> Result<String, crate::Error> {
    GetEventsRequest::new(subscription_id, watermark).build()
}

/// Builds a `GetStreamingEvents` request: open a connection that carries the events of 1 to 200
/// streaming subscriptions for `ConnectionTimeout` minutes (1-30).
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getstreamingevents-operation>.
///
/// ```
/// use ews_notify::request::GetStreamingEventsRequest;
///
/// let xml = GetStreamingEventsRequest::new(["EABydW5uZXI="], 30).build()?;
/// assert!(xml.contains("<m:ConnectionTimeout>30</m:ConnectionTimeout>"));
/// let err = GetStreamingEventsRequest::new(["EABydW5uZXI="], 31).build().unwrap_err();
/// assert_eq!(err.code(), "out_of_range");
/// # Ok::<(), ews_notify::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetStreamingEventsRequest {
    subscription_ids: Vec<String>,
    connection_timeout_minutes: u32,
    header: RequestHeader,
}

impl GetStreamingEventsRequest {
    /// A connection for `subscription_ids` that the server keeps open for
    /// `connection_timeout_minutes`.
    pub fn new<I, S>(subscription_ids: I, connection_timeout_minutes: u32) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            subscription_ids: subscription_ids.into_iter().map(Into::into).collect(),
            connection_timeout_minutes,
            header: RequestHeader::default(),
        }
    }

    /// Sets the SOAP header (version, impersonation).
    #[must_use]
    pub fn header(mut self, header: RequestHeader) -> Self {
        self.header = header;
        self
    }

    /// The SOAP request.
    ///
    /// # Errors
    ///
    /// `empty_list` (no subscription id), `too_many_values` (more than 200), `out_of_range`
    /// (ConnectionTimeout outside 1-30), `invalid_text` (an empty or unwritable id).
    pub fn build(&self) -> Result<String, crate::Error> {
        self.header.validate()?;
        if self.subscription_ids.is_empty() {
            return Err(RequestError::EmptyList {
                name: "SubscriptionIds",
            }
            .into());
        }
        if self.subscription_ids.len() > MAX_STREAMING_SUBSCRIPTIONS {
            return Err(RequestError::TooManyValues {
                name: "SubscriptionIds",
                len: self.subscription_ids.len(),
                max: MAX_STREAMING_SUBSCRIPTIONS,
            }
            .into());
        }
        for id in &self.subscription_ids {
            check_non_empty("SubscriptionId", id)?;
        }
        check_range(
            "ConnectionTimeout",
            i64::from(self.connection_timeout_minutes),
            1,
            30,
        )?;
        Ok(envelope(Some(&self.header), |xml| {
            xml.start("m:GetStreamingEvents", &[]);
            xml.start("m:SubscriptionIds", &[]);
            for id in &self.subscription_ids {
                xml.text("t:SubscriptionId", id);
            }
            xml.end("m:SubscriptionIds");
            xml.text(
                "m:ConnectionTimeout",
                &self.connection_timeout_minutes.to_string(),
            );
            xml.end("m:GetStreamingEvents");
        }))
    }
}

/// Builds an `Unsubscribe` request: end a pull or streaming subscription.
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/unsubscribe-operation>.
///
/// ```
/// use ews_notify::request::UnsubscribeRequest;
///
/// let xml = UnsubscribeRequest::new("EABydW5uZXI=").build()?;
/// assert!(xml.contains("<m:SubscriptionId>EABydW5uZXI=</m:SubscriptionId>"));
/// # Ok::<(), ews_notify::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubscribeRequest {
    subscription_id: String,
    header: RequestHeader,
}

impl UnsubscribeRequest {
    /// Ends `subscription_id`.
    pub fn new(subscription_id: impl Into<String>) -> Self {
        Self {
            subscription_id: subscription_id.into(),
            header: RequestHeader::default(),
        }
    }

    /// Sets the SOAP header (version, impersonation).
    #[must_use]
    pub fn header(mut self, header: RequestHeader) -> Self {
        self.header = header;
        self
    }

    /// The SOAP request.
    ///
    /// # Errors
    ///
    /// `invalid_text` when the subscription id is empty or unwritable.
    pub fn build(&self) -> Result<String, crate::Error> {
        self.header.validate()?;
        check_non_empty("SubscriptionId", &self.subscription_id)?;
        Ok(envelope(Some(&self.header), |xml| {
            xml.start("m:Unsubscribe", &[]);
            xml.text("m:SubscriptionId", &self.subscription_id);
            xml.end("m:Unsubscribe");
        }))
    }
}

/// An `Unsubscribe` request with the default header.
///
/// # Errors
///
/// As [`UnsubscribeRequest::build`].
pub fn unsubscribe_request(subscription_id: &str) -> Result<String, crate::Error> {
    UnsubscribeRequest::new(subscription_id).build()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::request::schema::assert_valid;

    #[test]
    fn get_events_is_schema_valid() {
        let xml = get_events_request("EABydW5uZXI=", "AQAAAHWVCw==").unwrap();
        assert_valid(&xml);
    }

    #[test]
    fn get_events_needs_both_values() {
        assert_eq!(
            get_events_request("", "AQ==").unwrap_err().code(),
            "invalid_text"
        );
        assert_eq!(
            get_events_request("id", "").unwrap_err().code(),
            "invalid_text"
        );
    }

    #[test]
    fn get_streaming_events_is_schema_valid_at_both_ends_of_its_ranges() {
        let one = GetStreamingEventsRequest::new(["a"], 1).build().unwrap();
        assert_valid(&one);
        let ids: Vec<String> = (0..200).map(|i| format!("sub-{i}")).collect();
        let many = GetStreamingEventsRequest::new(ids, 30).build().unwrap();
        assert_valid(&many);
        assert_eq!(many.matches("<t:SubscriptionId>").count(), 200);
    }

    #[test]
    fn get_streaming_events_refuses_out_of_range_values() {
        let e = GetStreamingEventsRequest::new(["a"], 31)
            .build()
            .unwrap_err();
        assert_eq!(
            e.kind(),
            &crate::ErrorKind::Request(RequestError::OutOfRange {
                name: "ConnectionTimeout",
                value: 31,
                min: 1,
                max: 30
            })
        );
        assert_eq!(
            GetStreamingEventsRequest::new(["a"], 0)
                .build()
                .unwrap_err()
                .code(),
            "out_of_range"
        );
        let ids: Vec<String> = (0..201).map(|i| format!("sub-{i}")).collect();
        let e = GetStreamingEventsRequest::new(ids, 10).build().unwrap_err();
        assert_eq!(
            e.kind(),
            &crate::ErrorKind::Request(RequestError::TooManyValues {
                name: "SubscriptionIds",
                len: 201,
                max: 200
            })
        );
        assert_eq!(
            GetStreamingEventsRequest::new(Vec::<String>::new(), 10)
                .build()
                .unwrap_err()
                .code(),
            "empty_list"
        );
    }

    #[test]
    fn unsubscribe_is_schema_valid() {
        assert_valid(&unsubscribe_request("EABydW5uZXI=").unwrap());
        assert_eq!(unsubscribe_request(" ").unwrap_err().code(), "invalid_text");
    }
}
