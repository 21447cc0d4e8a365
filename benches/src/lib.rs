//! Shared inputs and baselines for the ews-notify benches.
//!
//! Inputs come from `tests/corpus` (never a private copy). The baseline is [`bare_loop`]: the
//! quick-xml event loop our parser is built on, over the same bytes, touching every attribute
//! value and text but typing and checking nothing. Our parse is reported as a ratio to it.

use std::path::PathBuf;

use quick_xml::Reader;
use quick_xml::events::Event;

/// The inputs the parse benches and the allocation count run over: `(id, corpus path)`.
pub const PARSE_INPUTS: &[(&str, &str)] = &[
    ("push_seed_created", "push/created_event_wrapped_tags.xml"),
    ("pull_1000_events", "pull/get_events_1000_events.xml"),
    (
        "pull_every_event_kind",
        "pull/get_events_every_event_kind.xml",
    ),
    (
        "streaming_several_notifications",
        "streaming/streaming_several_notifications.xml",
    ),
    ("fault_server_busy", "fault/fault_server_busy_backoff.xml"),
];

/// The streaming body with many envelopes.
pub const STREAMING_BODY: (&str, &str) = (
    "streaming_100_envelopes",
    "streaming/bodies/streaming_100_envelopes.xml",
);

/// The GlobalObjectId vectors.
pub const GOID_VECTORS: &str = "goid/vectors.json";

/// `tests/corpus` of this repository.
pub fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus")
}

/// Reads one corpus file.
///
/// # Errors
///
/// The I/O error, with the path in its message.
pub fn read_corpus(path: &str) -> std::io::Result<Vec<u8>> {
    let full = corpus_dir().join(path);
    std::fs::read(&full)
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", full.display())))
}

/// What [`bare_loop`] saw, so the optimizer cannot drop the work.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Touched {
    /// Start and empty elements.
    pub elements: usize,
    /// Attributes whose value was read.
    pub attributes: usize,
    /// Bytes of attribute values and text, raw (unescaped: no unescaping is done).
    pub value_bytes: usize,
}

/// The limit to measure against: a bare quick-xml event loop over `bytes` that reads every
/// event and every attribute value (raw), with no namespace resolution, unescaping, typing or
/// validation. quick-xml's default configuration (`check_end_names` on, as our reader has).
///
/// # Errors
///
/// quick-xml's error when `bytes` is not well formed.
pub fn bare_loop(bytes: &[u8]) -> Result<Touched, quick_xml::Error> {
    let mut reader = Reader::from_reader(bytes);
    let mut touched = Touched::default();
    loop {
        match reader.read_event()? {
            Event::Start(e) | Event::Empty(e) => {
                touched.elements += 1;
                for attr in e.attributes() {
                    let attr = attr.map_err(quick_xml::Error::from)?;
                    touched.attributes += 1;
                    touched.value_bytes += std::hint::black_box(attr.value).len();
                }
            }
            Event::Text(t) => touched.value_bytes += std::hint::black_box(t).len(),
            Event::Eof => return Ok(touched),
            _ => {}
        }
    }
}

/// A push envelope whose header holds one element with `n` attributes (`a0=""`, `a1=""`, ...):
/// the input for the cost per attribute, which must stay flat as `n` grows.
pub fn many_attributes(n: usize) -> Vec<u8> {
    let mut tag = String::with_capacity(n * 10);
    for i in 0..n {
        tag.push_str(&format!(" a{i}=\"\""));
    }
    hostile_envelope("", &format!("<h{tag}/>"))
}

/// A push envelope whose root declares `bindings` prefixes (`xmlns:p0` first) and whose header
/// holds `elements` empty elements in the first-declared prefix (`<p0:x/>`): the input for the
/// cost of a prefix lookup, which must not grow with the bindings in scope.
pub fn many_bindings(bindings: usize, elements: usize) -> Vec<u8> {
    let mut decls = String::with_capacity(bindings * 24);
    for i in 0..bindings {
        decls.push_str(&format!(" xmlns:p{i}=\"urn:p{i}\""));
    }
    hostile_envelope(&decls, &"<p0:x/>".repeat(elements))
}

fn hostile_envelope(root_attributes: &str, header: &str) -> Vec<u8> {
    format!(
        concat!(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"{}>"#,
            "<s:Header>{}</s:Header><s:Body>",
            r#"<m:SendNotification xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" "#,
            r#"xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages>"#,
            r#"<m:SendNotificationResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>"#,
            "<m:Notification><t:SubscriptionId>s</t:SubscriptionId><t:PreviousWatermark>w</t:PreviousWatermark>",
            "<t:MoreEvents>false</t:MoreEvents><t:StatusEvent><t:Watermark>w</t:Watermark></t:StatusEvent>",
            "</m:Notification></m:SendNotificationResponseMessage></m:ResponseMessages></m:SendNotification>",
            "</s:Body></s:Envelope>"
        ),
        root_attributes, header
    )
    .into_bytes()
}

/// Events in a parsed envelope, over all its notifications.
pub fn event_count(envelope: &ews_notify::Envelope<'_>) -> usize {
    envelope
        .body
        .response_messages()
        .iter()
        .flat_map(|m| &m.notifications)
        .map(|n| n.events.len())
        .sum()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn bare_loop_touches_every_attribute() {
        let t = bare_loop(br#"<a x="1" y='22'><b z="333"/>text</a>"#).unwrap();
        assert_eq!(
            t,
            Touched {
                elements: 2,
                attributes: 3,
                value_bytes: 1 + 2 + 3 + 4
            }
        );
    }

    #[test]
    fn every_bench_input_exists_and_parses() {
        for (id, path) in PARSE_INPUTS.iter().chain([&STREAMING_BODY]) {
            let bytes = read_corpus(path).unwrap();
            assert!(!bytes.is_empty(), "{id}");
            if *path != STREAMING_BODY.1 {
                let envelope =
                    ews_notify::parse_notification(&bytes).unwrap_or_else(|e| panic!("{id}: {e}"));
                bare_loop(&bytes).unwrap();
                if *id == "pull_1000_events" {
                    assert_eq!(event_count(&envelope), 1000);
                }
            }
        }
        let body = read_corpus(STREAMING_BODY.1).unwrap();
        let mut n = 0;
        for envelope in ews_notify::streaming::split(&body) {
            ews_notify::parse_notification(envelope.unwrap()).unwrap();
            n += 1;
        }
        assert_eq!(n, 100);
    }
}
