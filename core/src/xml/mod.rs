//! The XML layer: a quick-xml reader set up for untrusted input.
//!
//! - Namespaces are resolved by URI, never by prefix ([`Ns`]).
//! - A `<!DOCTYPE` is refused ([`ErrorKind::DtdRefused`]); entities are never expanded: only the
//!   five predefined ones and character references are read, any other is
//!   [`ErrorKind::UnknownEntity`].
//! - Every error carries a byte offset into the caller's input (a UTF-8 BOM included).
//! - Text and attribute values are slices of the input unless XML forces a change: an entity or
//!   character reference, a CDATA section next to text, a comment splitting text, or a carriage
//!   return (XML 1.0 §2.11 end-of-line handling turns CRLF and lone CR into LF; attribute values
//!   also get §3.3.3 normalization: tab, CR and LF become a space).
//! - Element nesting is capped ([`crate::Limits::max_depth`]).

use std::borrow::Cow;

use quick_xml::events::attributes::AttrError;
use quick_xml::events::{BytesStart, Event as XmlEvent};
use quick_xml::reader::Reader;

use crate::error::{Error, ErrorKind};

mod chars;
mod scope;
mod table;

use scope::{Scopes, Uri};
use table::StrTable;

use chars::{XML_WS, check_chars, check_name, decode_attribute, normalize_eol, resolve_reference};
pub(crate) use chars::{is_xml_whitespace, trim};

/// The namespaces this crate tells apart. Both `http://` and `https://` spellings are accepted
/// for each: servers send `http://`, some of Microsoft's documentation prints `https://`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ns {
    /// No namespace (unprefixed, no default namespace in scope).
    None,
    /// `http://schemas.xmlsoap.org/soap/envelope/`
    Soap11,
    /// `http://www.w3.org/2003/05/soap-envelope`
    Soap12,
    /// `http://schemas.microsoft.com/exchange/services/2006/messages`
    Messages,
    /// `http://schemas.microsoft.com/exchange/services/2006/types`
    Types,
    /// `http://schemas.microsoft.com/exchange/services/2006/errors`
    Errors,
    /// Any other namespace.
    Other,
}

impl Ns {
    fn classify(uri: &str) -> Ns {
        let rest = match uri.strip_prefix("http://") {
            Some(rest) => rest,
            None => match uri.strip_prefix("https://") {
                Some(rest) => rest,
                None => return Ns::Other,
            },
        };
        match rest {
            "schemas.xmlsoap.org/soap/envelope/" => Ns::Soap11,
            "www.w3.org/2003/05/soap-envelope" => Ns::Soap12,
            "schemas.microsoft.com/exchange/services/2006/messages" => Ns::Messages,
            "schemas.microsoft.com/exchange/services/2006/types" => Ns::Types,
            "schemas.microsoft.com/exchange/services/2006/errors" => Ns::Errors,
            _ => Ns::Other,
        }
    }

    /// Whether this is one of the EWS namespaces (messages, types, errors).
    pub(crate) fn is_ews(self) -> bool {
        matches!(self, Ns::Messages | Ns::Types | Ns::Errors)
    }
}

/// A start tag (an empty-element tag reads as a start tag followed by an end tag).
pub(crate) struct Elem<'a> {
    /// The resolved namespace.
    pub ns: Ns,
    /// The local name, a slice of the input.
    pub local: &'a str,
    /// The namespace URI when `ns` is [`Ns::Other`], for naming unknown elements.
    pub other_uri: Option<Uri<'a>>,
    /// The tag, for reading attributes.
    pub start: BytesStart<'a>,
    /// Byte offset of the `<`.
    pub offset: usize,
    /// Which tag this is, to find its attributes in the reader's cache.
    seq: u64,
}

impl<'a> Elem<'a> {
    /// The name to show for an element this crate does not read: the local name for EWS (and
    /// unqualified) elements, `{uri}local` otherwise.
    pub(crate) fn display_name(&self) -> Cow<'a, str> {
        match &self.other_uri {
            Some(uri) => Cow::Owned(format!("{{{}}}{}", uri.as_str(), self.local)),
            None if matches!(self.ns, Ns::Soap11 | Ns::Soap12) => {
                let uri = if self.ns == Ns::Soap11 {
                    "http://schemas.xmlsoap.org/soap/envelope/"
                } else {
                    "http://www.w3.org/2003/05/soap-envelope"
                };
                Cow::Owned(format!("{{{uri}}}{}", self.local))
            }
            None => Cow::Borrowed(self.local),
        }
    }

    /// Whether this is `local` in namespace `ns`.
    pub(crate) fn is(&self, ns: Ns, local: &str) -> bool {
        self.ns == ns && self.local == local
    }
}

/// One token of the document.
pub(crate) enum Tok<'a> {
    /// A start tag.
    Start(Elem<'a>),
    /// The end of the current element.
    End,
    /// Character data (text or CDATA), a slice of the input, with its offset. `cdata` says
    /// whether it came from a CDATA section.
    Text(&'a str, usize, bool),
    /// A resolved entity or character reference, with the offset of its `&`.
    Char(char, usize),
    /// End of input.
    Eof,
}

/// The reader: a quick-xml [`Reader`] over the whole input, with namespace scopes and depth.
pub(crate) struct XmlReader<'a> {
    input: &'a str,
    base: usize,
    reader: Reader<&'a [u8]>,
    /// Namespace bindings in scope. Kept here rather than in quick-xml's `NsReader`, whose
    /// per-tag bookkeeping allocates: a binding is pushed only by a tag that declares one.
    scopes: Scopes<'a>,
    depth: usize,
    max_depth: usize,
    pending_end: bool,
    /// Attributes of the last tag read, checked and sliced in one pass (reused, so no
    /// allocation per tag); [`XmlReader::attr`] looks values up here.
    attrs: Vec<Attr<'a>>,
    /// Whether `attrs` holds every attribute of the last tag.
    attrs_complete: bool,
    /// Number of tags read.
    seq: u64,
    /// Whether the input holds a carriage return (text needs end-of-line handling only then).
    has_cr: bool,
    /// Whether the input holds a tab or a carriage return (attribute values need looking at
    /// for them only then).
    has_tab_or_cr: bool,
    /// Attribute keys compared or hashed, for the tests that bound the work per attribute.
    #[cfg(test)]
    probes: std::cell::Cell<u64>,
}

/// Attributes on one tag past which duplicates are found through a set rather than by
/// comparing each key with every earlier one (which made a tag with 200,000 attributes cost
/// 20 billion comparisons). Real tags have at most a handful.
const DUPLICATE_SET_FROM: usize = 16;

/// One attribute of the last tag read.
struct Attr<'a> {
    key: &'a str,
    /// Position of the first colon in `key`.
    colon: Option<usize>,
    value: &'a str,
    /// Byte offset of the value.
    offset: usize,
    /// The value needs no decoding: no reference, tab, CR or LF.
    plain: bool,
}

/// Splits the attributes of a tag (the text after its name) into keys and values, by the rules
/// of quick-xml's attribute iterator: white space, a key up to `=` or white space, `=`, a value
/// in single or double quotes. Positions in errors count from the start of `raw`.
struct AttrScan<'t> {
    raw: &'t str,
    pos: usize,
}

impl<'t> AttrScan<'t> {
    /// The next `(key offset, key, value offset, value)`, offsets into `raw`.
    #[allow(clippy::type_complexity)]
    fn next(&mut self) -> Option<Result<(usize, &'t str, usize, &'t str), AttrError>> {
        let b = self.raw.as_bytes();
        let ws = |c: u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n');
        let len = b.len();
        let mut i = self.pos;
        while i < len && ws(b[i]) {
            i += 1;
        }
        if i >= len {
            self.pos = len;
            return None;
        }
        // Whatever follows is an error or the end: nothing is read after it.
        self.pos = len;
        // The key's first byte is taken as it is, even `=` (the name check refuses it later).
        let key_start = i;
        i += 1;
        while i < len && b[i] != b'=' && !ws(b[i]) {
            i += 1;
        }
        let key_end = i;
        while i < len && ws(b[i]) {
            i += 1;
        }
        if i >= len || b[i] != b'=' {
            return Some(Err(AttrError::ExpectedEq(i.min(len))));
        }
        i += 1;
        while i < len && ws(b[i]) {
            i += 1;
        }
        let Some(&quote) = b.get(i) else {
            return Some(Err(AttrError::ExpectedValue(len)));
        };
        if quote != b'"' && quote != b'\'' {
            return Some(Err(AttrError::UnquotedValue(i)));
        }
        let value_start = i + 1;
        let Some(n) = b
            .get(value_start..)
            .and_then(|rest| memchr::memchr(quote, rest))
        else {
            return Some(Err(AttrError::ExpectedQuote(len, quote)));
        };
        let value_end = value_start + n;
        self.pos = value_end + 1;
        match (
            self.raw.get(key_start..key_end),
            self.raw.get(value_start..value_end),
        ) {
            (Some(key), Some(value)) => Some(Ok((key_start, key, value_start, value))),
            // Not reached: the bounds are ASCII bytes of `raw`.
            _ => Some(Err(AttrError::ExpectedEq(key_start))),
        }
    }
}

impl<'a> XmlReader<'a> {
    /// Validates the bytes as UTF-8 XML characters (once) and sets up the reader.
    ///
    /// # Errors
    /// `invalid_utf8`, `invalid_character`.
    pub(crate) fn new(bytes: &'a [u8], max_depth: usize) -> Result<Self, Error> {
        let input = std::str::from_utf8(bytes)
            .map_err(|e| Error::at(ErrorKind::InvalidUtf8, e.valid_up_to()))?;
        let has_cr = check_chars(input)?;
        let has_tab_or_cr = has_cr || memchr::memchr(b'\t', bytes).is_some();
        let base = if input.starts_with('\u{feff}') { 3 } else { 0 };
        let body = input.get(base..).unwrap_or_default();
        let mut reader = Reader::from_str(body);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.check_comments = true;
        config.expand_empty_elements = false;
        config.allow_dangling_amp = false;
        config.trim_text(false);
        Ok(Self {
            input,
            base,
            reader,
            depth: 0,
            max_depth,
            pending_end: false,
            attrs: Vec::new(),
            attrs_complete: false,
            scopes: Scopes::default(),
            seq: 0,
            has_cr,
            has_tab_or_cr,
            #[cfg(test)]
            probes: std::cell::Cell::new(0),
        })
    }

    /// The offset of the byte after the last token read.
    pub(crate) fn position(&self) -> usize {
        usize::try_from(self.reader.buffer_position())
            .unwrap_or(usize::MAX)
            .saturating_add(self.base)
    }

    /// Offset of `s` in the input, when `s` is a slice of it.
    fn offset_of(&self, s: &str) -> Option<usize> {
        let start = (s.as_ptr() as usize).checked_sub(self.input.as_ptr() as usize)?;
        (start.checked_add(s.len())? <= self.input.len()).then_some(start)
    }

    /// `s` with the input's lifetime, when `s` is a slice of the input.
    fn rebase(&self, s: &str) -> Option<&'a str> {
        let start = self.offset_of(s)?;
        self.input.get(start..start + s.len())
    }

    fn xml_error(&self, e: quick_xml::Error) -> Error {
        use quick_xml::errors::{IllFormedError, SyntaxError};
        let offset = usize::try_from(self.reader.error_position())
            .unwrap_or(usize::MAX)
            .saturating_add(self.base);
        let kind = match e {
            quick_xml::Error::Syntax(
                SyntaxError::UnclosedPI
                | SyntaxError::UnclosedXmlDecl
                | SyntaxError::UnclosedComment
                | SyntaxError::UnclosedDoctype
                | SyntaxError::UnclosedCData
                | SyntaxError::UnclosedTag
                | SyntaxError::UnclosedSingleQuotedAttributeValue
                | SyntaxError::UnclosedDoubleQuotedAttributeValue,
            ) => ErrorKind::UnexpectedEof,
            quick_xml::Error::IllFormed(IllFormedError::MissingEndTag(_)) => {
                ErrorKind::UnexpectedEof
            }
            quick_xml::Error::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(
                _,
                name,
            )) => ErrorKind::UnknownEntity { name },
            other => ErrorKind::MalformedXml {
                reason: other.to_string(),
            },
        };
        Error::at(kind, offset)
    }

    /// Reads the next token. Comments and processing instructions are skipped.
    ///
    /// # Errors
    /// Any XML error, `dtd_refused`, `too_deep`, `unbound_prefix`, `unknown_entity`.
    pub(crate) fn next(&mut self) -> Result<Tok<'a>, Error> {
        if self.pending_end {
            self.pending_end = false;
            self.scopes.pop(self.depth);
            self.depth -= 1;
            return Ok(Tok::End);
        }
        loop {
            let pos = self.position();
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(e) => return Err(self.xml_error(e)),
            };
            match event {
                XmlEvent::Start(start) => {
                    return self.start(start, pos, false).map(Tok::Start);
                }
                XmlEvent::Empty(start) => {
                    return self.start(start, pos, true).map(Tok::Start);
                }
                XmlEvent::End(_) => {
                    self.scopes.pop(self.depth);
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(Tok::End);
                }
                XmlEvent::Text(text) => {
                    let raw = text.into_inner();
                    let s = self.rebase(&raw).unwrap_or_default();
                    return Ok(Tok::Text(s, pos, false));
                }
                XmlEvent::CData(data) => {
                    let raw = data.into_inner();
                    let s = self.rebase(&raw).unwrap_or_default();
                    return Ok(Tok::Text(s, pos, true));
                }
                XmlEvent::GeneralRef(r) => {
                    let name = r.into_inner();
                    return resolve_reference(&name, pos).map(|c| Tok::Char(c, pos));
                }
                XmlEvent::DocType(_) => return Err(Error::at(ErrorKind::DtdRefused, pos)),
                XmlEvent::Decl(_) => {
                    if pos != self.base {
                        return Err(Error::at(
                            ErrorKind::MalformedXml {
                                reason: "XML declaration not at the start of the input".into(),
                            },
                            pos,
                        ));
                    }
                }
                XmlEvent::PI(pi) => {
                    // A target must be a name other than `xml` (a pasted `<?xml\u{a0}version`
                    // is not a declaration).
                    let target = pi.target();
                    check_name(target, pos + 2)?;
                    if target.eq_ignore_ascii_case("xml") {
                        return Err(Error::at(
                            ErrorKind::MalformedXml {
                                reason: "XML declaration not at the start of the input".into(),
                            },
                            pos,
                        ));
                    }
                }
                XmlEvent::Comment(_) => {}
                XmlEvent::Eof => return Ok(Tok::Eof),
            }
        }
    }

    fn start(&mut self, start: BytesStart<'a>, pos: usize, empty: bool) -> Result<Elem<'a>, Error> {
        let qname = start.name().0;
        let offset = self.offset_of(qname).map_or(pos, |o| o.saturating_sub(1));
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(Error::at(
                ErrorKind::TooDeep {
                    limit: self.max_depth,
                },
                offset,
            ));
        }
        let colon = check_name(qname, offset + 1)?;
        self.seq += 1;
        // Declarations first: a tag may use a prefix it declares itself.
        self.check_attributes(&start, offset)?;
        let (prefix, local) = match colon {
            Some(i) => (qname.get(..i).unwrap_or_default(), qname.get(i + 1..)),
            None => ("", Some(qname)),
        };
        let local = local.and_then(|l| self.rebase(l)).unwrap_or_default();
        let (ns, other_uri) = match self.scopes.lookup(prefix) {
            None => {
                return Err(Error::at(
                    ErrorKind::UnboundPrefix {
                        prefix: prefix.to_owned(),
                    },
                    offset + 1,
                ));
            }
            Some(resolved) => (resolved.ns, resolved.other_uri),
        };
        if empty {
            self.pending_end = true;
        }
        Ok(Elem {
            ns,
            local,
            other_uri,
            start,
            offset,
            seq: self.seq,
        })
    }

    /// Whether `key` was already read on this tag. Up to [`DUPLICATE_SET_FROM`] attributes
    /// `key` is compared with each earlier one; past that the keys go into `seen`, so the work
    /// per attribute stays bounded on a tag with any number of them.
    fn is_duplicate<'k>(&self, seen: &mut Option<StrTable<&'k str, ()>>, key: &'k str) -> bool
    where
        'a: 'k,
    {
        if let Some(set) = seen {
            let (old, probes) = set.insert(key, ());
            self.probe(probes);
            return old.is_some();
        }
        self.probe(self.attrs.len() as u64);
        if self.attrs.iter().any(|a| a.key == key) {
            return true;
        }
        if self.attrs.len() + 1 >= DUPLICATE_SET_FROM {
            let mut set = StrTable::with_capacity(4 * DUPLICATE_SET_FROM);
            for a in &self.attrs {
                set.insert(a.key, ());
            }
            set.insert(key, ());
            *seen = Some(set);
        }
        false
    }

    #[inline(always)]
    fn probe(&self, _n: u64) {
        #[cfg(test)]
        self.probes.set(self.probes.get() + _n);
    }

    /// Checks every attribute of a tag: syntax, names, bound prefixes, references.
    fn check_attributes(&mut self, start: &BytesStart<'a>, offset: usize) -> Result<(), Error> {
        self.attrs.clear();
        self.attrs_complete = true;
        // Attributes are split here, in one pass over the tag with the same rules and error
        // positions as quick-xml's attribute iterator (which costs about four times as much);
        // quick-xml's own duplicate check allocates per tag, this one reuses `self.attrs`.
        let raw = start.attributes_raw();
        let name_len = start.name().0.len();
        let mut scan = AttrScan { raw, pos: 0 };
        // The keys so far, once there are too many to compare with each.
        let mut seen: Option<StrTable<&str, ()>> = None;
        while let Some(next) = scan.next() {
            let (key_at, key, value_at, value) = next.map_err(|e| {
                let at = match &e {
                    AttrError::ExpectedEq(p)
                    | AttrError::ExpectedValue(p)
                    | AttrError::UnquotedValue(p)
                    | AttrError::ExpectedQuote(p, _)
                    | AttrError::Duplicated(p, _) => *p,
                };
                // quick-xml's positions (and messages) count from the tag's name.
                let e = match e {
                    AttrError::ExpectedEq(p) => AttrError::ExpectedEq(p + name_len),
                    AttrError::ExpectedValue(p) => AttrError::ExpectedValue(p + name_len),
                    AttrError::UnquotedValue(p) => AttrError::UnquotedValue(p + name_len),
                    AttrError::ExpectedQuote(p, q) => AttrError::ExpectedQuote(p + name_len, q),
                    AttrError::Duplicated(p, q) => AttrError::Duplicated(p + name_len, q),
                };
                Error::at(
                    ErrorKind::MalformedXml {
                        reason: e.to_string(),
                    },
                    offset + 1 + name_len + at,
                )
            })?;
            let key_offset = offset + 1 + name_len + key_at;
            let colon = check_name(key, key_offset)?;
            if self.is_duplicate(&mut seen, key) {
                return Err(Error::at(
                    ErrorKind::MalformedXml {
                        reason: format!("duplicated attribute `{key}`"),
                    },
                    key_offset,
                ));
            }

            let value_offset = offset + 1 + name_len + value_at;
            let bytes = value.as_bytes();
            let plain = memchr::memchr3(b'&', b'<', b'\n', bytes).is_none()
                && !(self.has_tab_or_cr && memchr::memchr2(b'\t', b'\r', bytes).is_some());
            if !plain {
                if let Some(i) = memchr::memchr(b'<', bytes) {
                    return Err(Error::at(
                        ErrorKind::MalformedXml {
                            reason: "`<` in an attribute value".into(),
                        },
                        value_offset + i,
                    ));
                }
                if memchr::memchr(b'&', bytes).is_some() {
                    decode_attribute(value, value_offset)?;
                }
            }
            let declared = if key == "xmlns" {
                Some("")
            } else {
                key.strip_prefix("xmlns:")
            };
            if let Some(prefix) = declared {
                let uri = match self.rebase(value) {
                    Some(v) if plain => Uri::Borrowed(v),
                    _ => Uri::Shared(decode_attribute(value, value_offset)?.as_ref().into()),
                };
                if uri.as_str().is_empty() && !prefix.is_empty() {
                    return Err(Error::at(
                        ErrorKind::MalformedXml {
                            reason: format!("prefix `{prefix}` bound to an empty namespace"),
                        },
                        value_offset,
                    ));
                }
                let prefix = match self.rebase(prefix) {
                    Some(p) => Cow::Borrowed(p),
                    None => Cow::Owned(prefix.to_owned()),
                };
                self.scopes.push(prefix, uri, self.depth);
            }
            match (self.rebase(key), self.rebase(value)) {
                (Some(key), Some(value)) => self.attrs.push(Attr {
                    key,
                    colon,
                    value,
                    offset: value_offset,
                    plain,
                }),
                _ => self.attrs_complete = false,
            }
        }
        // Prefixed attributes are resolved once every declaration of the tag is in scope.
        for attr in &self.attrs {
            if let Some(prefix) = attr.colon.and_then(|i| attr.key.get(..i)) {
                if prefix != "xmlns" && !self.scopes.is_bound(prefix) {
                    let at = self.offset_of(attr.key).unwrap_or(offset);
                    return Err(Error::at(
                        ErrorKind::UnboundPrefix {
                            prefix: prefix.to_owned(),
                        },
                        at,
                    ));
                }
            }
        }
        Ok(())
    }

    /// The value of the unqualified attribute `name` on `elem`, decoded: borrowed unless it
    /// holds a reference or a tab, CR or LF.
    ///
    /// # Errors
    /// `unknown_entity`, `invalid_character` (already checked when the tag was read).
    pub(crate) fn attr(&self, elem: &Elem<'a>, name: &str) -> Result<Option<Cow<'a, str>>, Error> {
        if elem.seq == self.seq && self.attrs_complete {
            return match self.attrs.iter().find(|a| a.key == name) {
                None => Ok(None),
                Some(a) if a.plain => Ok(Some(Cow::Borrowed(a.value))),
                Some(a) => decode_attribute(a.value, a.offset).map(Some),
            };
        }
        for attr in elem.start.attributes().with_checks(false).flatten() {
            if attr.key.0 == name {
                let value: &str = &attr.value;
                return match self.rebase(value) {
                    Some(v) => {
                        let offset = self.offset_of(v).unwrap_or(elem.offset);
                        decode_attribute(v, offset).map(Some)
                    }
                    None => decode_attribute(value, elem.offset)
                        .map(|c| Some(Cow::Owned(c.into_owned()))),
                };
            }
        }
        Ok(None)
    }

    /// Reads the text content of the element just started, up to and including its end tag.
    /// Borrowed when the content is one run of text without references or CR.
    ///
    /// Child elements are an error (`unexpected_element`) unless `flatten` is set, in which
    /// case their text is appended and their tags dropped.
    ///
    /// # Errors
    /// XML errors, `unexpected_element`, `unexpected_eof`.
    pub(crate) fn text(
        &mut self,
        parent: &'static str,
        flatten: bool,
    ) -> Result<Cow<'a, str>, Error> {
        let mut acc: Option<Cow<'a, str>> = None;
        let mut nested = 0usize;
        loop {
            match self.next()? {
                Tok::Text(s, _, _) => {
                    let piece = if self.has_cr {
                        normalize_eol(s)
                    } else {
                        Cow::Borrowed(s)
                    };
                    acc = Some(match acc {
                        None => piece,
                        Some(prev) if prev.is_empty() => piece,
                        Some(prev) => Cow::Owned(prev.into_owned() + &piece),
                    });
                }
                Tok::Char(c, _) => {
                    let mut owned = acc.map(Cow::into_owned).unwrap_or_default();
                    owned.push(c);
                    acc = Some(Cow::Owned(owned));
                }
                Tok::Start(child) => {
                    if !flatten {
                        return Err(Error::at(
                            ErrorKind::UnexpectedElement {
                                name: child.display_name().into_owned(),
                                parent,
                            },
                            child.offset,
                        ));
                    }
                    nested += 1;
                }
                Tok::End => {
                    if nested == 0 {
                        return Ok(acc.unwrap_or(Cow::Borrowed("")));
                    }
                    nested -= 1;
                }
                Tok::Eof => return Err(self.eof()),
            }
        }
    }

    /// Skips the rest of the element just started, up to and including its end tag. What it
    /// skips is still checked for well-formedness.
    ///
    /// # Errors
    /// XML errors, `unexpected_eof`.
    pub(crate) fn skip(&mut self) -> Result<(), Error> {
        let mut nested = 0usize;
        loop {
            match self.next()? {
                Tok::Start(_) => nested += 1,
                Tok::End if nested == 0 => return Ok(()),
                Tok::End => nested -= 1,
                Tok::Eof => return Err(self.eof()),
                Tok::Text(..) | Tok::Char(..) => {}
            }
        }
    }

    /// Reads the next child element of the current element, skipping white space. `None` at
    /// the current element's end tag.
    ///
    /// # Errors
    /// XML errors, `unexpected_text` for character data in element-only content,
    /// `unexpected_eof`.
    pub(crate) fn child(&mut self, parent: &'static str) -> Result<Option<Elem<'a>>, Error> {
        loop {
            match self.next()? {
                Tok::Start(elem) => return Ok(Some(elem)),
                Tok::End => return Ok(None),
                Tok::Text(s, offset, cdata) => {
                    if cdata || !is_xml_whitespace(s) {
                        let skip = s.len() - s.trim_start_matches(XML_WS).len();
                        return Err(Error::at(
                            ErrorKind::UnexpectedText { parent },
                            offset + skip,
                        ));
                    }
                }
                Tok::Char(_, offset) => {
                    return Err(Error::at(ErrorKind::UnexpectedText { parent }, offset));
                }
                Tok::Eof => return Err(self.eof()),
            }
        }
    }

    /// Reads the next child element of an element with mixed content (an element this crate
    /// does not know, such as an unknown event), passing over its character data. `None` at
    /// the current element's end tag.
    ///
    /// # Errors
    /// XML errors, `unexpected_eof`.
    pub(crate) fn child_mixed(&mut self) -> Result<Option<Elem<'a>>, Error> {
        loop {
            match self.next()? {
                Tok::Start(elem) => return Ok(Some(elem)),
                Tok::End => return Ok(None),
                Tok::Text(..) | Tok::Char(..) => {}
                Tok::Eof => return Err(self.eof()),
            }
        }
    }

    /// The error for input that ends inside the document.
    pub(crate) fn eof(&self) -> Error {
        Error::at(ErrorKind::UnexpectedEof, self.input.len())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    /// Every attribute (key, value) or the first error, as quick-xml's iterator reads them.
    fn quick_xml_attributes(raw: &str) -> Vec<Result<(String, String), AttrError>> {
        let tag = format!("a{raw}");
        let start = BytesStart::from_content(tag.as_str(), 1);
        let mut out = Vec::new();
        for attr in start.attributes().with_checks(false) {
            match attr {
                Ok(a) => out.push(Ok((a.key.0.to_owned(), a.value.to_string()))),
                Err(e) => {
                    // Positions count from the tag's name (one byte here).
                    out.push(Err(match e {
                        AttrError::ExpectedEq(p) => AttrError::ExpectedEq(p - 1),
                        AttrError::ExpectedValue(p) => AttrError::ExpectedValue(p - 1),
                        AttrError::UnquotedValue(p) => AttrError::UnquotedValue(p - 1),
                        AttrError::ExpectedQuote(p, q) => AttrError::ExpectedQuote(p - 1, q),
                        AttrError::Duplicated(p, q) => AttrError::Duplicated(p - 1, q),
                    }));
                    break;
                }
            }
        }
        out
    }

    fn our_attributes(raw: &str) -> Vec<Result<(String, String), AttrError>> {
        let mut scan = AttrScan { raw, pos: 0 };
        let mut out = Vec::new();
        while let Some(next) = scan.next() {
            match next {
                Ok((key_at, key, value_at, value)) => {
                    assert_eq!(&raw[key_at..key_at + key.len()], key);
                    assert_eq!(&raw[value_at..value_at + value.len()], value);
                    out.push(Ok((key.to_owned(), value.to_owned())));
                }
                Err(e) => {
                    out.push(Err(e));
                    break;
                }
            }
        }
        out
    }

    #[test]
    fn attributes_split_as_quick_xml_splits_them() {
        for raw in [
            "",
            " ",
            r#" Id="x" ChangeKey='y'"#,
            " Id = \"x\"\n\tB\r\n=\r\n'y' ",
            r#" a="1"b="2""#,
            r#" a="x'y" b='x"y'"#,
            " a",
            " a ",
            " a b",
            " a=",
            " a= ",
            " a=x",
            r#" a="x"#,
            r#" a='x"#,
            r#" a="<&amp;>" "#,
            r#" ="x""#,
            r#" a"b="c""#,
            r#" a="1" a="2""#,
        ] {
            assert_eq!(our_attributes(raw), quick_xml_attributes(raw), "{raw:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn attributes_split_as_quick_xml_splits_them_on_any_input(
            raw in "[ \t\r\n=\"'ab:<&/\u{e9}]{0,32}"
        ) {
            proptest::prop_assert_eq!(our_attributes(&raw), quick_xml_attributes(&raw));
        }
    }

    /// Reads `doc` to the end; the probes made (attribute keys compared or hashed, bindings
    /// and map entries looked at) or the first error.
    fn probes_reading(doc: &str) -> Result<u64, Error> {
        let mut r = XmlReader::new(doc.as_bytes(), 64)?;
        while !matches!(r.next()?, Tok::Eof) {}
        Ok(r.probes.get() + r.scopes.probes.get())
    }

    fn tag_with_attributes(n: usize) -> String {
        let attrs: String = (0..n).map(|i| format!(" a{i}=\"\"")).collect();
        format!("<a{attrs}/>")
    }

    fn doc_with_bindings(bindings: usize, elements: usize) -> String {
        let decls: String = (0..bindings)
            .map(|i| format!(" xmlns:p{i}=\"urn:{i}\""))
            .collect();
        format!("<r{decls}>{}</r>", "<p0:x/>".repeat(elements))
    }

    #[test]
    fn work_per_attribute_stays_bounded_however_many_a_tag_has() {
        // Comparing each key with every earlier one would make 40,000 attributes cost 800
        // million probes; a bounded cost per attribute makes it about 40,000.
        for n in [10, 100, 1_000, 10_000, 40_000] {
            let probes = probes_reading(&tag_with_attributes(n)).unwrap();
            // Below the set's threshold each key is compared with every earlier one: 16 * 16.
            let bound = 2 * n as u64 + 16 * 16;
            assert!(
                probes <= bound,
                "{n} attributes: {probes} probes, over {bound}"
            );
        }
    }

    #[test]
    fn work_per_prefixed_name_stays_bounded_however_many_bindings_are_in_scope() {
        // 30,000 bindings and 50,000 elements in the first-declared prefix: a scan of the
        // bindings per lookup would make that 1.5 billion probes.
        for (bindings, elements) in [(10, 1_000), (1_000, 10_000), (30_000, 50_000)] {
            let probes = probes_reading(&doc_with_bindings(bindings, elements)).unwrap();
            // At most a scan of 16 bindings per lookup (below the map's threshold), then one
            // probe (above it).
            let bound = (16 * elements + 2 * bindings) as u64 + 1_000;
            assert!(
                probes <= bound,
                "{bindings} bindings x {elements} elements: {probes} probes, over {bound}"
            );
        }
    }

    #[test]
    fn duplicate_attributes_are_found_on_tags_of_any_size() {
        for n in [2, DUPLICATE_SET_FROM - 1, DUPLICATE_SET_FROM, 1_000] {
            for dup_of in [0, n / 2, n - 1] {
                let mut doc = tag_with_attributes(n);
                doc.truncate(doc.len() - 2);
                let at = doc.len() + 1;
                doc.push_str(&format!(" a{dup_of}=\"x\"/>"));
                let e = probes_reading(&doc).unwrap_err();
                assert_eq!(e.code(), "malformed_xml", "{n} {dup_of}");
                assert_eq!(e.offset(), Some(at), "{n} {dup_of}");
                assert!(
                    e.to_string()
                        .contains(&format!("duplicated attribute `a{dup_of}`")),
                    "{e}"
                );
            }
        }
    }

    #[test]
    fn prefixes_resolve_alike_below_and_above_the_map_threshold() {
        for bindings in [1, 40] {
            let mut doc = doc_with_bindings(bindings, 1);
            doc.insert_str(doc.len() - 4, "<p0:y xmlns:p0=\"urn:inner\"><q:z/></p0:y>");
            let e = probes_reading(&doc).unwrap_err();
            assert_eq!(e.code(), "unbound_prefix", "{bindings}");
            assert_eq!(e.offset(), doc.find("<q:z").map(|i| i + 1), "{bindings}");
        }
    }

    proptest::proptest! {
        #[test]
        fn work_is_bounded_per_attribute_and_element_on_any_shape(
            attrs in 0usize..200,
            bindings in 0usize..100,
            elements in 0usize..50,
            prefix in 0usize..100,
        ) {
            let prefix = prefix % bindings.max(1);
            let decls: String = (0..bindings)
                .map(|i| format!(" xmlns:p{i}=\"urn:{i}\""))
                .collect();
            let attrs_text: String = (0..attrs).map(|i| format!(" a{i}=\"\"")).collect();
            let child = if bindings == 0 { "<x/>".to_owned() } else { format!("<p{prefix}:x/>") };
            let doc = format!(
                "<r{decls}><e{attrs_text}/>{}</r>",
                child.repeat(elements)
            );
            let probes = probes_reading(&doc).unwrap();
            let per_tag: u64 = 16 * 16;
            let bound = (2 * (attrs + bindings) + 16 * elements) as u64 + 3 * per_tag;
            proptest::prop_assert!(probes <= bound, "{probes} probes, over {bound}");
        }
    }

    #[test]
    fn https_namespace_spellings_are_accepted() {
        assert_eq!(
            Ns::classify("https://schemas.xmlsoap.org/soap/envelope/"),
            Ns::Soap11
        );
        assert_eq!(
            Ns::classify("http://schemas.microsoft.com/exchange/services/2006/types"),
            Ns::Types
        );
        assert_eq!(Ns::classify("urn:other"), Ns::Other);
    }
}
