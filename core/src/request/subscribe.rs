//! `Subscribe`: pull, push and streaming subscriptions.

use std::fmt;
use std::str::FromStr;

use super::folder::{self, FolderId};
use super::header::RequestHeader;
use super::writer::{Xml, envelope};
use super::{RequestError, check_non_empty, check_range, cut};

/// An `EventType` a subscription asks for.
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/eventtype>.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// `CopiedEvent`
    Copied,
    /// `CreatedEvent`
    Created,
    /// `DeletedEvent`
    Deleted,
    /// `ModifiedEvent`
    Modified,
    /// `MovedEvent`
    Moved,
    /// `NewMailEvent`
    NewMail,
    /// `FreeBusyChangedEvent`
    FreeBusyChanged,
}

impl EventType {
    /// Every event type, in the schema's order.
    pub const ALL: &'static [EventType] = &[
        Self::Copied,
        Self::Created,
        Self::Deleted,
        Self::Modified,
        Self::Moved,
        Self::NewMail,
        Self::FreeBusyChanged,
    ];

    /// The type as EWS spells it, e.g. `CreatedEvent`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Copied => "CopiedEvent",
            Self::Created => "CreatedEvent",
            Self::Deleted => "DeletedEvent",
            Self::Modified => "ModifiedEvent",
            Self::Moved => "MovedEvent",
            Self::NewMail => "NewMailEvent",
            Self::FreeBusyChanged => "FreeBusyChangedEvent",
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventType {
    type Err = RequestError;

    /// Reads `CreatedEvent` (EWS) or `created` / `newMail` (the canonical JSON's kind names),
    /// ignoring ASCII case.
    ///
    /// # Errors
    ///
    /// [`RequestError::UnknownName`] for any other text.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let short = s
            .strip_suffix("Event")
            .or_else(|| s.strip_suffix("event"))
            .unwrap_or(s);
        Self::ALL
            .iter()
            .copied()
            .find(|t| {
                t.as_str()
                    .strip_suffix("Event")
                    .is_some_and(|n| n.eq_ignore_ascii_case(short))
            })
            .ok_or_else(|| RequestError::UnknownName {
                name: "event type",
                value: cut(s),
            })
    }
}

/// Which kind of subscription a [`SubscribeRequest`] asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubscriptionMode {
    /// `PullSubscriptionRequest`: the client polls with `GetEvents`.
    /// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/pullsubscriptionrequest>.
    Pull {
        /// `Timeout`: minutes the server keeps the subscription without a `GetEvents`, 1-1440.
        timeout_minutes: u32,
    },
    /// `PushSubscriptionRequest`: the server POSTs `SendNotification` to `url`.
    /// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/pushsubscriptionrequest>.
    Push {
        /// `URL` of the client's listener (http or https).
        url: String,
        /// `StatusFrequency`: minutes between status heartbeats, 1-1440.
        status_frequency_minutes: u32,
    },
    /// `StreamingSubscriptionRequest`: events arrive on a `GetStreamingEvents` connection.
    /// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/streamingsubscriptionrequest>.
    Streaming,
}

/// Builds a `Subscribe` request.
///
/// Folders are either a list ([`SubscribeRequest::folder`]) or every folder of the mailbox
/// ([`SubscribeRequest::all_folders`]); at least one event type is required. A pull or push
/// subscription may resume from a `Watermark`; a streaming one has none.
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/subscribe-operation>.
///
/// # Examples
///
/// ```
/// use ews_notify::request::{EventType, FolderId, SubscribeRequest};
///
/// let xml = SubscribeRequest::pull(30)
///     .folder(FolderId::distinguished("calendar").with_mailbox("room1@example.com"))
///     .event_types([EventType::Created, EventType::Modified, EventType::Deleted])
///     .watermark("AQAAAA==")
///     .build()?;
/// assert!(xml.contains("<t:Timeout>30</t:Timeout>"));
///
/// let err = SubscribeRequest::pull(0).all_folders().event_type(EventType::Created).build();
/// assert_eq!(err.unwrap_err().code(), "out_of_range");
/// # Ok::<(), ews_notify::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscribeRequest {
    mode: SubscriptionMode,
    folders: Vec<FolderId>,
    all_folders: bool,
    event_types: Vec<EventType>,
    watermark: Option<String>,
    header: RequestHeader,
}

impl SubscribeRequest {
    /// A subscription of `mode`, with no folders and no event types yet.
    pub fn new(mode: SubscriptionMode) -> Self {
        Self {
            mode,
            folders: Vec::new(),
            all_folders: false,
            event_types: Vec::new(),
            watermark: None,
            header: RequestHeader::default(),
        }
    }

    /// A pull subscription that expires after `timeout_minutes` (1-1440) without a poll.
    pub fn pull(timeout_minutes: u32) -> Self {
        Self::new(SubscriptionMode::Pull { timeout_minutes })
    }

    /// A push subscription to the listener at `url`, with a heartbeat every
    /// `status_frequency_minutes` (1-1440).
    pub fn push(url: impl Into<String>, status_frequency_minutes: u32) -> Self {
        Self::new(SubscriptionMode::Push {
            url: url.into(),
            status_frequency_minutes,
        })
    }

    /// A streaming subscription.
    pub fn streaming() -> Self {
        Self::new(SubscriptionMode::Streaming)
    }

    /// Adds a folder to watch.
    #[must_use]
    pub fn folder(mut self, folder: FolderId) -> Self {
        self.folders.push(folder);
        self
    }

    /// Adds folders to watch.
    #[must_use]
    pub fn folders(mut self, folders: impl IntoIterator<Item = FolderId>) -> Self {
        self.folders.extend(folders);
        self
    }

    /// Watches every folder of the mailbox (`SubscribeToAllFolders="true"`).
    #[must_use]
    pub fn all_folders(mut self) -> Self {
        self.all_folders = true;
        self
    }

    /// Adds an event type.
    #[must_use]
    pub fn event_type(mut self, event_type: EventType) -> Self {
        self.event_types.push(event_type);
        self
    }

    /// Adds event types.
    #[must_use]
    pub fn event_types(mut self, event_types: impl IntoIterator<Item = EventType>) -> Self {
        self.event_types.extend(event_types);
        self
    }

    /// Resumes from `watermark` (pull and push only).
    #[must_use]
    pub fn watermark(mut self, watermark: impl Into<String>) -> Self {
        self.watermark = Some(watermark.into());
        self
    }

    /// Sets the SOAP header (version, impersonation).
    #[must_use]
    pub fn header(mut self, header: RequestHeader) -> Self {
        self.header = header;
        self
    }

    fn validate(&self) -> Result<(), RequestError> {
        self.header.validate()?;
        if self.all_folders {
            if !self.folders.is_empty() {
                return Err(RequestError::Conflict {
                    name: "FolderIds",
                    other: "SubscribeToAllFolders",
                });
            }
        } else {
            folder::validate_list("FolderIds", &self.folders)?;
        }
        if self.event_types.is_empty() {
            return Err(RequestError::EmptyList { name: "EventTypes" });
        }
        if let Some(watermark) = &self.watermark {
            if self.mode == SubscriptionMode::Streaming {
                return Err(RequestError::Conflict {
                    name: "Watermark",
                    other: "StreamingSubscriptionRequest",
                });
            }
            check_non_empty("Watermark", watermark)?;
        }
        match &self.mode {
            SubscriptionMode::Pull { timeout_minutes } => {
                check_range("Timeout", i64::from(*timeout_minutes), 1, 1440)?;
            }
            SubscriptionMode::Push {
                url,
                status_frequency_minutes,
            } => {
                check_range(
                    "StatusFrequency",
                    i64::from(*status_frequency_minutes),
                    1,
                    1440,
                )?;
                check_non_empty("URL", url)?;
                let lower = url.trim().to_ascii_lowercase();
                if !(lower.starts_with("http://") || lower.starts_with("https://")) {
                    return Err(RequestError::InvalidText {
                        name: "URL",
                        reason: "is not an http or https URL",
                    });
                }
            }
            SubscriptionMode::Streaming => {}
        }
        Ok(())
    }

    /// The SOAP request.
    ///
    /// # Errors
    ///
    /// An [`ErrorKind::Request`](crate::ErrorKind::Request) error: `out_of_range` (Timeout or
    /// StatusFrequency outside 1-1440), `empty_list` (no event types, no folders),
    /// `conflicting_values` (folders with all folders, a watermark on a streaming subscription),
    /// `unknown_name` (distinguished folder), `invalid_text` (empty or unwritable text, a URL
    /// that is not http or https).
    pub fn build(&self) -> Result<String, crate::Error> {
        self.validate()?;
        Ok(envelope(Some(&self.header), |xml| self.write(xml)))
    }

    fn write(&self, xml: &mut Xml) {
        let element = match self.mode {
            SubscriptionMode::Pull { .. } => "m:PullSubscriptionRequest",
            SubscriptionMode::Push { .. } => "m:PushSubscriptionRequest",
            SubscriptionMode::Streaming => "m:StreamingSubscriptionRequest",
        };
        xml.start("m:Subscribe", &[]);
        if self.all_folders {
            xml.start(element, &[("SubscribeToAllFolders", "true")]);
        } else {
            xml.start(element, &[]);
            folder::write_list(xml, "t:FolderIds", &self.folders);
        }
        xml.start("t:EventTypes", &[]);
        for event_type in &self.event_types {
            xml.text("t:EventType", event_type.as_str());
        }
        xml.end("t:EventTypes");
        if let Some(watermark) = &self.watermark {
            xml.text("t:Watermark", watermark);
        }
        match &self.mode {
            SubscriptionMode::Pull { timeout_minutes } => {
                xml.text("t:Timeout", &timeout_minutes.to_string());
            }
            SubscriptionMode::Push {
                url,
                status_frequency_minutes,
            } => {
                xml.text("t:StatusFrequency", &status_frequency_minutes.to_string());
                xml.text("t:URL", url.trim());
            }
            SubscriptionMode::Streaming => {}
        }
        xml.end(element);
        xml.end("m:Subscribe");
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::request::schema::assert_valid;
    use crate::request::{ConnectingSid, ExchangeVersion};

    fn calendar() -> FolderId {
        FolderId::distinguished("calendar")
    }

    fn code(r: Result<String, crate::Error>) -> &'static str {
        r.unwrap_err().code()
    }

    #[test]
    fn pull_subscription_is_schema_valid() {
        let xml = SubscribeRequest::pull(1440)
            .folder(calendar())
            .folder(FolderId::id("AAMkAD<&>=").with_change_key("AQAAAB"))
            .event_types(EventType::ALL.iter().copied())
            .watermark("AQAAAHWVCw==")
            .build()
            .unwrap();
        assert_valid(&xml);
        assert!(xml.contains(r#"<t:FolderId Id="AAMkAD&lt;&amp;&gt;=" ChangeKey="AQAAAB"/>"#));
        assert!(xml.contains("<t:Timeout>1440</t:Timeout>"));
        assert!(xml.contains("<t:Watermark>AQAAAHWVCw==</t:Watermark>"));
        assert!(xml.contains(r#"<t:RequestServerVersion Version="Exchange2013_SP1"/>"#));
    }

    #[test]
    fn pull_subscription_to_all_folders_is_schema_valid() {
        let xml = SubscribeRequest::pull(1)
            .all_folders()
            .event_type(EventType::NewMail)
            .build()
            .unwrap();
        assert_valid(&xml);
        assert!(xml.contains(r#"<m:PullSubscriptionRequest SubscribeToAllFolders="true">"#));
        assert!(!xml.contains("FolderIds"));
    }

    #[test]
    fn push_subscription_is_schema_valid() {
        let xml = SubscribeRequest::push("https://listener.example.com/ews?a=1&b=2", 5)
            .folder(calendar().with_mailbox("room1@example.com"))
            .event_type(EventType::Created)
            .watermark("AQAAAA==")
            .header(
                RequestHeader::new(ExchangeVersion::Exchange2010_SP2)
                    .impersonate_smtp("room1@example.com"),
            )
            .build()
            .unwrap();
        assert_valid(&xml);
        assert!(xml.contains("<t:URL>https://listener.example.com/ews?a=1&amp;b=2</t:URL>"));
        assert!(xml.contains("<t:StatusFrequency>5</t:StatusFrequency>"));
        assert!(xml.contains("<t:EmailAddress>room1@example.com</t:EmailAddress>"));
        assert!(xml.contains("<t:SmtpAddress>room1@example.com</t:SmtpAddress>"));
    }

    #[test]
    fn streaming_subscription_is_schema_valid() {
        for request in [
            SubscribeRequest::streaming().folder(calendar()),
            SubscribeRequest::streaming().all_folders(),
        ] {
            let xml = request
                .event_types([EventType::Created, EventType::Deleted])
                .header(
                    RequestHeader::new(ExchangeVersion::Exchange2016)
                        .impersonate(ConnectingSid::PrincipalName("room1@corp.example".into())),
                )
                .build()
                .unwrap();
            assert_valid(&xml);
            assert!(xml.contains("StreamingSubscriptionRequest"));
        }
    }

    #[test]
    fn out_of_range_values_are_errors_not_clamped() {
        let base = |r: SubscribeRequest| r.folder(calendar()).event_type(EventType::Created);
        assert_eq!(
            code(base(SubscribeRequest::pull(0)).build()),
            "out_of_range"
        );
        assert_eq!(
            code(base(SubscribeRequest::pull(1441)).build()),
            "out_of_range"
        );
        assert_eq!(
            code(base(SubscribeRequest::push("https://x.example", 0)).build()),
            "out_of_range"
        );
        assert_eq!(
            code(base(SubscribeRequest::push("https://x.example", 1441)).build()),
            "out_of_range"
        );
        let e = base(SubscribeRequest::pull(1441)).build().unwrap_err();
        assert_eq!(
            e.kind(),
            &crate::ErrorKind::Request(RequestError::OutOfRange {
                name: "Timeout",
                value: 1441,
                min: 1,
                max: 1440
            })
        );
    }

    #[test]
    fn missing_or_conflicting_values_are_errors() {
        assert_eq!(
            code(SubscribeRequest::streaming().folder(calendar()).build()),
            "empty_list"
        );
        assert_eq!(
            code(
                SubscribeRequest::streaming()
                    .event_type(EventType::Created)
                    .build()
            ),
            "empty_list"
        );
        assert_eq!(
            code(
                SubscribeRequest::streaming()
                    .all_folders()
                    .folder(calendar())
                    .event_type(EventType::Created)
                    .build()
            ),
            "conflicting_values"
        );
        assert_eq!(
            code(
                SubscribeRequest::streaming()
                    .all_folders()
                    .event_type(EventType::Created)
                    .watermark("AQ==")
                    .build()
            ),
            "conflicting_values"
        );
        assert_eq!(
            code(
                SubscribeRequest::push("ftp://x.example", 1)
                    .all_folders()
                    .event_type(EventType::Created)
                    .build()
            ),
            "invalid_text"
        );
        assert_eq!(
            code(
                SubscribeRequest::pull(5)
                    .folder(FolderId::distinguished("nope"))
                    .event_type(EventType::Created)
                    .build()
            ),
            "unknown_name"
        );
    }

    #[test]
    fn event_types_read_ews_and_json_names() {
        assert_eq!(
            "CreatedEvent".parse::<EventType>().unwrap(),
            EventType::Created
        );
        assert_eq!("newMail".parse::<EventType>().unwrap(), EventType::NewMail);
        assert_eq!(
            "freebusychanged".parse::<EventType>().unwrap(),
            EventType::FreeBusyChanged
        );
        assert_eq!(
            "StatusEvent".parse::<EventType>().unwrap_err().code(),
            "unknown_name"
        );
        assert_eq!(
            "Event".parse::<EventType>().unwrap_err().code(),
            "unknown_name"
        );
    }
}
