//! Builders for the EWS SOAP requests a notification client sends.
//!
//! Every builder produces a complete SOAP 1.1 envelope as a `String`, escaped for XML, and checks
//! its values first: a value outside the range EWS accepts is an [`Error`](crate::Error) of kind
//! [`ErrorKind::Request`](crate::ErrorKind::Request), never clamped.
//!
//! | EWS operation | builder |
//! |---|---|
//! | `Subscribe` (pull, push, streaming) | [`SubscribeRequest`] |
//! | `GetEvents` | [`GetEventsRequest`], [`get_events_request`] |
//! | `GetStreamingEvents` | [`GetStreamingEventsRequest`] |
//! | `Unsubscribe` | [`UnsubscribeRequest`], [`unsubscribe_request`] |
//! | `SendNotificationResult` (the push listener's answer) | [`send_notification_result`] |
//! | `GetItem` (calendar items) | [`GetItemRequest`] |
//! | `FindItem` (calendar folder, by CleanGlobalObjectId or calendar view) | [`FindItemRequest`] |
//! | `SyncFolderItems` | [`SyncFolderItemsRequest`] |
//!
//! The SOAP header ([`RequestHeader`]: `RequestServerVersion`, `ExchangeImpersonation`) is set on
//! each builder; the HTTP headers EWS expects alongside come from [`HttpHeaders`].
//!
//! ```
//! use ews_notify::request::{EventType, FolderId, SubscribeRequest};
//!
//! let xml = SubscribeRequest::streaming()
//!     .folder(FolderId::distinguished("calendar"))
//!     .event_type(EventType::Created)
//!     .event_type(EventType::Modified)
//!     .build()?;
//! assert!(xml.contains("<m:StreamingSubscriptionRequest>"));
//! # Ok::<(), ews_notify::Error>(())
//! ```

mod events;
mod folder;
mod header;
mod item;
mod notification_result;
mod subscribe;
mod writer;

pub use events::{
    GetEventsRequest, GetStreamingEventsRequest, UnsubscribeRequest, get_events_request,
    unsubscribe_request,
};
pub use folder::{DISTINGUISHED_FOLDER_NAMES, DistinguishedFolderId, FolderId};
pub use header::{ConnectingSid, ExchangeVersion, HttpHeaders, RequestHeader};
pub use item::{
    CLEAN_GLOBAL_OBJECT_ID_PROPERTY_ID, FindItemRequest, GLOBAL_OBJECT_ID_PROPERTY_ID,
    GetItemRequest, ItemRef, SyncFolderItemsRequest, SyncScope, parse_date_time,
};
pub use notification_result::{SubscriptionStatus, send_notification_result};
pub use subscribe::{EventType, SubscribeRequest, SubscriptionMode};

/// Why a request could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// A number is outside the range EWS accepts.
    #[error("`{name}` is {value}, outside {min}..={max}")]
    OutOfRange {
        /// The parameter.
        name: &'static str,
        /// The value given.
        value: i64,
        /// Smallest accepted.
        min: i64,
        /// Largest accepted.
        max: i64,
    },
    /// A list that EWS requires to hold at least one value is empty.
    #[error("`{name}` needs at least one value")]
    EmptyList {
        /// The parameter.
        name: &'static str,
    },
    /// A list holds more values than EWS accepts.
    #[error("`{name}` has {len} values, more than the {max} accepted")]
    TooManyValues {
        /// The parameter.
        name: &'static str,
        /// Values given.
        len: usize,
        /// Most accepted.
        max: usize,
    },
    /// A name outside the set EWS defines (an event type, a distinguished folder, a version).
    #[error("`{value}` is not a known {name}")]
    UnknownName {
        /// What kind of name was expected.
        name: &'static str,
        /// The text given (cut to 64 characters).
        value: String,
    },
    /// A text value that cannot be sent: empty where EWS needs text, a character XML 1.0 does
    /// not allow, a line break in an HTTP header, or text that is not of the expected form.
    #[error("`{name}` {reason}")]
    InvalidText {
        /// The parameter.
        name: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Two values that EWS does not accept together.
    #[error("`{name}` cannot be combined with `{other}`")]
    Conflict {
        /// The parameter.
        name: &'static str,
        /// The one it conflicts with.
        other: &'static str,
    },
    /// A time window whose end comes before its start.
    #[error("`{name}` ends before it starts")]
    InvertedRange {
        /// The parameter.
        name: &'static str,
    },
}

impl RequestError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::OutOfRange { .. } => "out_of_range",
            Self::EmptyList { .. } => "empty_list",
            Self::TooManyValues { .. } => "too_many_values",
            Self::UnknownName { .. } => "unknown_name",
            Self::InvalidText { .. } => "invalid_text",
            Self::Conflict { .. } => "conflicting_values",
            Self::InvertedRange { .. } => "inverted_range",
        }
    }
}

impl From<RequestError> for crate::Error {
    fn from(e: RequestError) -> Self {
        crate::Error::new(crate::ErrorKind::Request(e), None)
    }
}

/// Checks that `value` is within `min..=max`.
pub(crate) fn check_range(
    name: &'static str,
    value: i64,
    min: i64,
    max: i64,
) -> Result<(), RequestError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(RequestError::OutOfRange {
            name,
            value,
            min,
            max,
        })
    }
}

/// Checks that `value` can be written as XML 1.0 text (any character but the C0 controls other
/// than tab, line feed and carriage return, and U+FFFE / U+FFFF).
pub(crate) fn check_text(name: &'static str, value: &str) -> Result<(), RequestError> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
    };
    if value.chars().all(allowed) {
        Ok(())
    } else {
        Err(RequestError::InvalidText {
            name,
            reason: "holds a character XML 1.0 does not allow",
        })
    }
}

/// Like [`check_text`], and the value must hold something other than white space.
pub(crate) fn check_non_empty(name: &'static str, value: &str) -> Result<(), RequestError> {
    if value.trim().is_empty() {
        return Err(RequestError::InvalidText {
            name,
            reason: "is empty",
        });
    }
    check_text(name, value)
}

/// Cuts a caller's text to 64 characters for an error message.
pub(crate) fn cut(value: &str) -> String {
    value.chars().take(64).collect()
}

#[cfg(test)]
pub(crate) mod schema {
    //! Validation of built requests against Exchange's own schema, with `xmllint`.
    //!
    //! The schema is Microsoft's and not part of the repository: it is read from
    //! `EWS_SCHEMA_DIR` (default `../shared/ews-schema` beside the repository; see
    //! docs/ews-schema.md). Without it the schema check prints `SKIPPED: <test> (no EWS schema)`
    //! and the test goes on with its structural checks; with `EWS_SCHEMA_REQUIRED=1` a missing
    //! schema fails the test.
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::io::Write;
    use std::path::PathBuf;
    use std::process::{Command, Stdio};

    /// The directory holding `soap-envelope.xsd`, `messages.xsd` and `types.xsd`, or `None`
    /// (after reporting the skip) when there is none.
    pub(crate) fn schema_dir() -> Option<PathBuf> {
        let dir = match std::env::var_os("EWS_SCHEMA_DIR") {
            Some(d) if !d.is_empty() => PathBuf::from(d),
            _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/ews-schema"),
        };
        if dir.join("soap-envelope.xsd").is_file() {
            return Some(dir);
        }
        let test = std::thread::current()
            .name()
            .unwrap_or("unnamed test")
            .to_string();
        if std::env::var("EWS_SCHEMA_REQUIRED").as_deref() == Ok("1") {
            panic!(
                "{test}: no EWS schema in {} and EWS_SCHEMA_REQUIRED=1 (see docs/ews-schema.md)",
                dir.display()
            );
        }
        let line = format!(
            "SKIPPED: {}::{test} (no EWS schema)",
            env!("CARGO_PKG_NAME")
        );
        println!("{line}");
        if let Some(log) = std::env::var_os("EWS_SKIP_LOG") {
            if let Ok(mut f) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)
            {
                let _ = writeln!(f, "{line}");
            }
        }
        None
    }

    /// Runs `xmllint --noout --schema soap-envelope.xsd -` on `xml`; returns (success, stderr),
    /// or `None` when there is no schema to validate with.
    pub(crate) fn validate(xml: &str) -> Option<(bool, String)> {
        let schema = schema_dir()?.join("soap-envelope.xsd");
        let mut child = Command::new("xmllint")
            .arg("--noout")
            .arg("--nonet")
            .arg("--schema")
            .arg(schema)
            .arg("-")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("xmllint must be installed (apt package libxml2-utils) for the request tests");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(xml.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        Some((
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ))
    }

    /// Asserts that `xml` is valid against the EWS schema (when there is one), and that it is
    /// a SOAP envelope whose Body holds one element, which holds without a schema too.
    pub(crate) fn assert_valid(xml: &str) {
        assert_structure(xml);
        if let Some((ok, stderr)) = validate(xml) {
            assert!(ok, "request is not schema-valid:\n{stderr}\n{xml}");
        }
    }

    /// The checks that need no schema: well-formed XML, a SOAP 1.1 `Envelope` root, a `Body`
    /// with exactly one child element in the EWS messages namespace.
    pub(crate) fn assert_structure(xml: &str) {
        use quick_xml::events::Event;
        use quick_xml::name::ResolveResult;
        const SOAP: &[u8] = b"http://schemas.xmlsoap.org/soap/envelope/";
        const MESSAGES: &[u8] = b"http://schemas.microsoft.com/exchange/services/2006/messages";
        let mut reader = quick_xml::NsReader::from_str(xml);
        let mut path: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        let mut body_children = 0;
        let mut saw_root = false;
        loop {
            let (ns, event) = reader
                .read_resolved_event()
                .unwrap_or_else(|e| panic!("request is not well-formed XML: {e}\n{xml}"));
            let ns = match ns {
                ResolveResult::Bound(n) => n.into_inner().as_bytes().to_vec(),
                _ => Vec::new(),
            };
            match event {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let local = e.local_name().into_inner().as_bytes().to_vec();
                    if path.is_empty() {
                        assert!(!saw_root, "one root element\n{xml}");
                        assert_eq!(
                            (ns.as_slice(), local.as_slice()),
                            (SOAP, &b"Envelope"[..]),
                            "root is soap:Envelope\n{xml}"
                        );
                        saw_root = true;
                    }
                    if path.len() == 2 && path[1].1 == b"Body" {
                        body_children += 1;
                        assert_eq!(
                            ns.as_slice(),
                            MESSAGES,
                            "the Body holds an EWS message\n{xml}"
                        );
                    }
                    if matches!(event, Event::Start(_)) {
                        path.push((ns, local));
                    }
                }
                Event::End(_) => {
                    path.pop();
                }
                Event::Eof => break,
                _ => {}
            }
        }
        assert!(saw_root && path.is_empty(), "complete envelope\n{xml}");
        assert_eq!(body_children, 1, "the Body holds one element\n{xml}");
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn schema_check_rejects_an_invalid_request() {
        // Guards the guard: a request with a wrong element must fail validation.
        let xml = r#"<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">
  <soap:Body><m:GetEvents><m:Nonsense/></m:GetEvents></soap:Body>
</soap:Envelope>"#;
        let Some((ok, _)) = schema::validate(xml) else {
            return;
        };
        assert!(
            !ok,
            "xmllint must reject an element the schema does not define"
        );
    }

    #[test]
    fn structure_check_rejects_what_is_not_one_ews_message_in_a_soap_body() {
        // Guards the check that runs without a schema.
        let two = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><soap:Body><m:GetEvents/><m:GetEvents/></soap:Body></soap:Envelope>"#;
        let foreign = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><GetEvents/></soap:Body></soap:Envelope>"#;
        let unclosed = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><soap:Body><m:GetEvents></soap:Body></soap:Envelope>"#;
        for xml in [two, foreign, unclosed] {
            let caught = std::panic::catch_unwind(|| schema::assert_structure(xml));
            assert!(caught.is_err(), "must be refused: {xml}");
        }
    }

    #[test]
    fn control_characters_are_refused() {
        assert_eq!(
            check_text("Watermark", "a\u{1}b").unwrap_err().code(),
            "invalid_text"
        );
        assert!(check_text("Watermark", "tab\tok").is_ok());
        assert_eq!(
            check_non_empty("Watermark", "  ").unwrap_err().code(),
            "invalid_text"
        );
    }

    #[test]
    fn request_errors_surface_as_core_errors() {
        let e: crate::Error = RequestError::EmptyList { name: "EventTypes" }.into();
        assert_eq!(e.code(), "empty_list");
        assert_eq!(e.offset(), None);
        assert_eq!(
            e.to_string(),
            "invalid request: `EventTypes` needs at least one value"
        );
    }
}
