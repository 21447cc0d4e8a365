//! The SOAP envelope writer every builder shares: indentation, namespaces and escaping.
//!
//! Values are checked by the builders before they reach this writer (see
//! [`super::check_text`]), so writing never fails.

use std::fmt::Write as _;

use quick_xml::escape::escape;

/// SOAP 1.1 envelope namespace.
pub(crate) const SOAP_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// EWS types namespace (prefix `t`).
pub(crate) const TYPES_NS: &str = "http://schemas.microsoft.com/exchange/services/2006/types";
/// EWS messages namespace (prefix `m`).
pub(crate) const MESSAGES_NS: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";

/// An indenting XML writer over a `String`.
pub(crate) struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    fn new() -> Self {
        let mut out = String::with_capacity(1024);
        out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        Self { out, depth: 0 }
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn open_tag(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs {
            let _ = write!(self.out, " {key}=\"{}\"", escape_attribute(value));
        }
    }

    /// `<name attrs>` and one level deeper.
    pub(crate) fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.open_tag(name, attrs);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    /// `</name>` one level up.
    pub(crate) fn end(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        let _ = writeln!(self.out, "</{name}>");
    }

    /// `<name attrs/>`.
    pub(crate) fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.open_tag(name, attrs);
        self.out.push_str("/>\n");
    }

    /// `<name>text</name>`, escaped.
    pub(crate) fn text(&mut self, name: &str, text: &str) {
        self.open_tag(name, &[]);
        let _ = writeln!(self.out, ">{}</{name}>", escape_text(text));
    }
}

/// Escapes text content: the XML specials, and `\r` (which a parser would turn into `\n`).
fn escape_text(text: &str) -> String {
    escape(text).replace('\r', "&#13;")
}

/// Escapes an attribute value: the XML specials, and tab, line feed and carriage return (which
/// a parser would turn into spaces).
fn escape_attribute(text: &str) -> String {
    escape(text)
        .replace('\t', "&#9;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
}

/// A part of a request that writes itself as XML (the SOAP header blocks).
///
/// The writer knows this trait, not the header type, so `header` depends on `writer` and never
/// the other way round.
pub(crate) trait WriteXml {
    /// Writes the part at the writer's current position.
    fn write(&self, xml: &mut Xml);
}

/// A whole SOAP 1.1 envelope: the optional header, then the body that `body` writes.
pub(crate) fn envelope(header: Option<&dyn WriteXml>, body: impl FnOnce(&mut Xml)) -> String {
    let mut xml = Xml::new();
    xml.start(
        "soap:Envelope",
        &[
            ("xmlns:soap", SOAP_NS),
            ("xmlns:t", TYPES_NS),
            ("xmlns:m", MESSAGES_NS),
        ],
    );
    if let Some(header) = header {
        xml.start("soap:Header", &[]);
        header.write(&mut xml);
        xml.end("soap:Header");
    }
    xml.start("soap:Body", &[]);
    body(&mut xml);
    xml.end("soap:Body");
    xml.end("soap:Envelope");
    xml.out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        let out = envelope(None, |xml| {
            xml.start("m:GetEvents", &[]);
            xml.text("m:SubscriptionId", "a<b>&\"c'\r");
            xml.empty("t:X", &[("Id", "q\"<&>\n\t")]);
            xml.end("m:GetEvents");
        });
        assert!(
            out.contains("<m:SubscriptionId>a&lt;b&gt;&amp;&quot;c&apos;&#13;</m:SubscriptionId>"),
            "{out}"
        );
        assert!(
            out.contains(r#"<t:X Id="q&quot;&lt;&amp;&gt;&#10;&#9;"/>"#),
            "{out}"
        );
    }

    /// Reads `xml` back with the crate's own XML reader and returns the decoded text of the
    /// first element named `text_of`, and the decoded `Id` attribute of the first element named
    /// `attr_of`.
    fn read_back(xml: &str, text_of: &str, attr_of: &str) -> (Option<String>, Option<String>) {
        use crate::xml::{Tok, XmlReader};
        let mut reader = XmlReader::new(xml.as_bytes(), 64).unwrap();
        let (mut text, mut attr) = (None, None);
        loop {
            match reader.next().unwrap() {
                Tok::Start(e) if e.local == text_of && text.is_none() => {
                    text = Some(reader.text("test", false).unwrap().into_owned());
                }
                Tok::Start(e) if e.local == attr_of && attr.is_none() => {
                    attr = reader.attr(&e, "Id").unwrap().map(|v| v.into_owned());
                }
                Tok::Eof => return (text, attr),
                _ => {}
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn any_accepted_text_reads_back_unchanged(value in "\\PC*|[ \t\r\n<>&'\"a-z\u{1}\u{FFFE}]{0,12}") {
            use crate::request::{EventType, FolderId, GetEventsRequest, SubscribeRequest};
            let events = GetEventsRequest::new(value.clone(), "wm").build();
            let subscribe = SubscribeRequest::streaming()
                .folder(FolderId::id(value.clone()))
                .event_type(EventType::Created)
                .build();
            match (events, subscribe) {
                (Ok(events), Ok(subscribe)) => {
                    let (text, _) = read_back(&events, "SubscriptionId", "");
                    proptest::prop_assert_eq!(text.as_deref(), Some(value.as_str()));
                    let (_, attr) = read_back(&subscribe, "", "FolderId");
                    proptest::prop_assert_eq!(attr.as_deref(), Some(value.as_str()));
                }
                (Err(a), Err(b)) => {
                    proptest::prop_assert_eq!(a.code(), "invalid_text");
                    proptest::prop_assert_eq!(b.code(), "invalid_text");
                    let unwritable = value.trim().is_empty()
                        || value.chars().any(|c| {
                            (c < ' ' && !matches!(c, '\t' | '\n' | '\r'))
                                || matches!(c, '\u{FFFE}' | '\u{FFFF}')
                        });
                    proptest::prop_assert!(unwritable, "{value:?} was refused");
                }
                (a, b) => proptest::prop_assert!(false, "the two builders disagree: {a:?} {b:?}"),
            }
        }
    }

    #[test]
    fn envelope_declares_the_three_namespaces() {
        let out = envelope(None, |_| {});
        assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<soap:Envelope "));
        assert!(out.contains(SOAP_NS) && out.contains(TYPES_NS) && out.contains(MESSAGES_NS));
        assert!(!out.contains("soap:Header"), "no header was asked for");
    }
}
