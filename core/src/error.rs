//! The one error type for "could not read the bytes".
//!
//! Every failure carries a [`ErrorKind`], a stable snake_case [`Error::code`] that every binding
//! reports unchanged, and, where it applies, the byte offset into the caller's input.

use std::fmt;

/// Why the input could not be read.
///
/// `offset` is a byte index into the caller's input (for a streaming body: into the whole body
/// fed so far).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    offset: Option<usize>,
}

impl Error {
    /// An error of `kind` at byte `offset`.
    pub fn new(kind: ErrorKind, offset: Option<usize>) -> Self {
        Self { kind, offset }
    }

    /// An error of `kind` at byte `offset`.
    pub fn at(kind: ErrorKind, offset: usize) -> Self {
        Self::new(kind, Some(offset))
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Byte index into the input where the problem was seen, when there is one.
    pub fn offset(&self) -> Option<usize> {
        self.offset
    }

    /// Stable snake_case name, the same string in every binding: `"missing_element"`.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The same error moved by `delta` bytes, for errors found in a slice of a larger input.
    #[must_use]
    pub fn shifted(mut self, delta: usize) -> Self {
        self.offset = self.offset.map(|o| o.saturating_add(delta));
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offset {
            Some(offset) => write!(f, "{} at byte {offset}", self.kind),
            None => write!(f, "{}", self.kind),
        }
    }
}

impl std::error::Error for Error {}

/// The kinds of [`Error`]. Codes (see [`ErrorKind::code`]) never change once released.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A `<!DOCTYPE` was found. DTDs are refused outright, so entity expansion never happens.
    #[error("document type declarations are refused")]
    DtdRefused,
    /// The input is longer than [`crate::Limits::max_bytes`].
    #[error("input is {len} bytes, over the limit of {limit}")]
    TooLarge {
        /// Bytes seen.
        len: usize,
        /// The configured limit.
        limit: usize,
    },
    /// Elements are nested deeper than [`crate::Limits::max_depth`].
    #[error("elements are nested deeper than the limit of {limit}")]
    TooDeep {
        /// The configured limit.
        limit: usize,
    },
    /// More events than [`crate::Limits::max_events`] in one envelope.
    #[error("more than {limit} events in one envelope")]
    TooManyEvents {
        /// The configured limit.
        limit: usize,
    },
    /// The bytes are not UTF-8 (EWS always sends UTF-8).
    #[error("input is not valid UTF-8")]
    InvalidUtf8,
    /// The input ended inside the document.
    #[error("unexpected end of input")]
    UnexpectedEof,
    /// The XML is not well formed.
    #[error("malformed XML: {reason}")]
    MalformedXml {
        /// What the XML reader reported.
        reason: String,
    },
    /// A character reference or raw character that XML 1.0 does not allow.
    #[error("invalid character: {reason}")]
    InvalidCharacter {
        /// Which character and why.
        reason: String,
    },
    /// An entity reference other than the five predefined ones and character references.
    #[error("unknown entity `&{name};` (entities are never expanded)")]
    UnknownEntity {
        /// The entity name.
        name: String,
    },
    /// A namespace prefix that no `xmlns` declaration binds.
    #[error("unbound namespace prefix `{prefix}`")]
    UnboundPrefix {
        /// The prefix.
        prefix: String,
    },
    /// The document element is not a SOAP `Envelope`.
    #[error("root element is `{found}`, expected a SOAP `Envelope`")]
    WrongRoot {
        /// The local name found.
        found: String,
    },
    /// The SOAP body holds an element this crate does not read.
    #[error("unsupported message `{name}` in the SOAP body")]
    UnsupportedMessage {
        /// Local name of the body's child.
        name: String,
    },
    /// A required element is missing.
    #[error("missing element `{name}` in `{parent}`")]
    MissingElement {
        /// The element expected.
        name: &'static str,
        /// The element it was expected in.
        parent: &'static str,
    },
    /// A required attribute is missing.
    #[error("missing attribute `{name}` on `{element}`")]
    MissingAttribute {
        /// The attribute expected.
        name: &'static str,
        /// The element it was expected on.
        element: &'static str,
    },
    /// An element or attribute holds a value outside its type.
    #[error("invalid value `{value}` for `{name}`")]
    InvalidValue {
        /// Element or attribute name.
        name: &'static str,
        /// The text found (cut to 64 characters).
        value: String,
    },
    /// An element where this crate cannot keep it (for example a second message in the SOAP
    /// body, or an element inside a text-only element).
    #[error("unexpected element `{name}` in `{parent}`")]
    UnexpectedElement {
        /// The element found (local name, or `{namespace}local` outside the EWS namespaces).
        name: String,
        /// The element it was found in.
        parent: &'static str,
    },
    /// Character data where only elements are allowed.
    #[error("unexpected text in `{parent}`")]
    UnexpectedText {
        /// The element it was found in.
        parent: &'static str,
    },
    /// Trailing bytes after the envelope's end (only white space, comments and PIs may follow).
    #[error("unexpected content after the end of the envelope")]
    TrailingContent,
    /// A GlobalObjectId could not be read.
    #[error("invalid GlobalObjectId: {0}")]
    Goid(#[from] crate::goid::GoidError),
    /// A request could not be built from the values given.
    #[error("invalid request: {0}")]
    Request(#[from] crate::request::RequestError),
}

impl ErrorKind {
    /// Stable snake_case name of the kind.
    pub fn code(&self) -> &'static str {
        match self {
            Self::DtdRefused => "dtd_refused",
            Self::TooLarge { .. } => "too_large",
            Self::TooDeep { .. } => "too_deep",
            Self::TooManyEvents { .. } => "too_many_events",
            Self::InvalidUtf8 => "invalid_utf8",
            Self::UnexpectedEof => "unexpected_eof",
            Self::MalformedXml { .. } => "malformed_xml",
            Self::InvalidCharacter { .. } => "invalid_character",
            Self::UnknownEntity { .. } => "unknown_entity",
            Self::UnboundPrefix { .. } => "unbound_prefix",
            Self::WrongRoot { .. } => "wrong_root",
            Self::UnsupportedMessage { .. } => "unsupported_message",
            Self::MissingElement { .. } => "missing_element",
            Self::MissingAttribute { .. } => "missing_attribute",
            Self::InvalidValue { .. } => "invalid_value",
            Self::UnexpectedElement { .. } => "unexpected_element",
            Self::UnexpectedText { .. } => "unexpected_text",
            Self::TrailingContent => "trailing_content",
            Self::Goid(e) => e.code(),
            Self::Request(e) => e.code(),
        }
    }
}
