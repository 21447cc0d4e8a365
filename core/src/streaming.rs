//! Splitting a GetStreamingEvents HTTP body into its SOAP envelopes.
//!
//! One `GetStreamingEvents` response is a long-lived HTTP body in which Exchange writes one
//! complete SOAP envelope after another (each may start with its own XML declaration; white
//! space may separate them). Two ways to cut it:
//!
//! - [`split`] walks a body that is already in memory and hands out borrowed slices.
//! - [`StreamSplitter`] is fed the body chunk by chunk as it arrives from the network (a chunk
//!   may end anywhere: inside a tag, an attribute value, a comment, a CDATA section, a processing
//!   instruction or a UTF-8 sequence) and hands out each envelope as soon as its root end tag is
//!   complete, in order, with its exact bytes.
//!
//! Both give the same envelopes and the same errors for the same bytes, however they are cut.
//! Each envelope is then read with [`crate::parse_notification`]:
//!
//! ```
//! let body = concat!(
//!     "<?xml version=\"1.0\" encoding=\"utf-8\"?>",
//!     "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body/></s:Envelope>\r\n",
//!     "<?xml version=\"1.0\" encoding=\"utf-8\"?>",
//!     "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body/></s:Envelope>",
//! );
//! let envelopes = ews_notify::streaming::split(body.as_bytes())
//!     .collect::<Result<Vec<_>, _>>()?;
//! assert_eq!(envelopes.len(), 2);
//!
//! // The same body arriving three bytes at a time.
//! let mut splitter = ews_notify::streaming::StreamSplitter::new();
//! let mut seen = Vec::new();
//! for chunk in body.as_bytes().chunks(3) {
//!     splitter.feed(chunk)?;
//!     while let Some(envelope) = splitter.next_envelope()? {
//!         seen.push(envelope);
//!     }
//! }
//! splitter.finish()?;
//! assert_eq!(seen, envelopes);
//! # Ok::<(), ews_notify::Error>(())
//! ```
//!
//! # What the splitter checks
//!
//! It finds envelope boundaries, nothing more: a small hand-written tokenizer that knows start
//! tags (with quoted attribute values, which may hold `>`), end tags, empty-element tags,
//! comments, CDATA sections and processing instructions, and counts element depth. An envelope
//! ends where the depth of its root element returns to zero. Everything else (names matching,
//! namespaces, UTF-8, character references) is left to the parser that reads each envelope.
//! quick-xml, which the parser uses, reads from a complete slice or a blocking reader and has no
//! push interface for chunks that end at arbitrary bytes, hence this state machine. It looks only
//! at ASCII bytes, which never occur inside a multi-byte UTF-8 sequence, so a chunk boundary
//! inside a character is harmless.
//!
//! Each byte is examined once, whatever the chunk sizes (no rescans), and the splitter keeps only
//! the bytes of the envelope in progress plus the finished envelopes not yet taken.
//!
//! Errors (each with the byte offset in the whole body):
//! - `dtd_refused`: a `<!DOCTYPE` anywhere.
//! - `too_large`: the body passed [`Limits::max_stream_bytes`] (offset: the first byte past the
//!   budget), or one envelope passed [`Limits::max_bytes`] (offset: its first byte past the cap).
//!   `len` in the error counts the bytes received so far.
//! - `trailing_content`: something other than white space or `<` after an envelope.
//! - `malformed_xml`: such content before the first envelope, a `<` that starts no markup, an end
//!   tag with no open element, or a `<!` that is not a comment, CDATA or DOCTYPE.
//! - `unexpected_eof`: the body ended inside an envelope (from [`StreamSplitter::finish`], or
//!   the last item of [`split`]).
//!
//! A byte order mark is accepted only at the very start of the body; it belongs to the first
//! envelope's bytes. Comments and processing instructions before an envelope's root element
//! (and after the previous one's end) belong to that envelope; after the last envelope they may
//! end the body and are dropped. A body that ends after an XML declaration, before its root
//! element, is cut (`unexpected_eof`).

use std::collections::VecDeque;

use crate::{Error, ErrorKind, Limits};

const BOM: &[u8] = b"\xEF\xBB\xBF";
const DOCTYPE: &[u8] = b"DOCTYPE";
const CDATA: &[u8] = b"[CDATA[";

/// Where the tokenizer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Outside any envelope's root element, before it starts: white space or `<` expected.
    Prolog,
    /// Inside a byte order mark at the start of the body; `matched` bytes of it seen.
    Bom { matched: u8 },
    /// Character data inside the root element: looking for `<`.
    Text,
    /// Just after `<`.
    Lt,
    /// After `<!`: `matched` bytes of `--`, `[CDATA[` or `DOCTYPE` seen (`which` says which).
    Bang { which: Bang, matched: u8 },
    /// Inside `<!-- ... -->`; `dashes` consecutive `-` just seen (at most 2).
    Comment { dashes: u8 },
    /// Inside `<![CDATA[ ... ]]>`; `brackets` consecutive `]` just seen (at most 2).
    CData { brackets: u8 },
    /// Inside `<? ... ?>`; `question` when the last byte was `?`.
    Pi { question: bool },
    /// Inside a start tag; `quote` is the open quote of an attribute value, `slash` when the
    /// last byte outside quotes was `/`.
    StartTag { quote: Option<u8>, slash: bool },
    /// Inside an end tag.
    EndTag,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bang {
    /// Not decided yet (only `<!` seen).
    Undecided,
    Comment,
    CData,
    Doctype,
}

/// What one scan found.
#[derive(Debug)]
enum Step {
    /// An envelope spans the absolute byte range `start..end`.
    Envelope { start: u64, end: u64 },
    /// Every byte given was consumed without finishing an envelope.
    NeedMore,
}

/// The boundary tokenizer shared by [`split`] and [`StreamSplitter`]. Offsets are absolute
/// (counted from the first byte of the body); `data` handed to [`Scanner::scan`] starts at
/// absolute offset `base`.
#[derive(Debug, Clone)]
struct Scanner {
    state: State,
    /// Open elements inside the current envelope.
    depth: usize,
    /// Absolute offset of the current envelope's first byte, once it has started.
    start: Option<u64>,
    /// Absolute offset of the `<` that began the markup in progress (for error offsets).
    markup_start: u64,
    /// The current envelope's prolog holds an XML declaration: a body that ends here is cut.
    declared: bool,
    /// Envelopes finished so far.
    finished: u64,
    max_bytes: u64,
}

fn to_usize(offset: u64) -> usize {
    usize::try_from(offset).unwrap_or(usize::MAX)
}

fn malformed(reason: &str, offset: u64) -> Error {
    Error::at(
        ErrorKind::MalformedXml {
            reason: reason.to_owned(),
        },
        to_usize(offset),
    )
}

/// Index of the first of `a`, `b` or `c` in `hay`.
fn find3(a: u8, b: u8, c: u8, hay: &[u8]) -> Option<usize> {
    memchr::memchr3(a, b, c, hay)
}

impl Scanner {
    fn new(limits: &Limits) -> Self {
        Self {
            state: State::Prolog,
            depth: 0,
            start: None,
            markup_start: 0,
            declared: false,
            finished: 0,
            max_bytes: u64::try_from(limits.max_bytes).unwrap_or(u64::MAX),
        }
    }

    /// The body would be cut if it ended here: inside markup, inside the root element, or after
    /// an XML declaration whose root element has not started. (Complete comments and processing
    /// instructions after the last envelope are not a cut body.)
    fn partial(&self) -> bool {
        self.state != State::Prolog || self.declared
    }

    /// Scans `data` (absolute offset `base`) from `*pos` until an envelope ends, the data runs
    /// out, or an error. `*pos` is left after the last byte consumed.
    fn scan(&mut self, data: &[u8], base: u64, pos: &mut usize) -> Result<Step, Error> {
        while *pos < data.len() {
            // The end of the bytes this envelope may still use, relative to `data`.
            let mut end = data.len();
            if let Some(start) = self.start {
                let cap = start.saturating_add(self.max_bytes);
                let abs = base + *pos as u64;
                if abs >= cap {
                    let seen = base + data.len() as u64 - start;
                    return Err(Error::at(
                        ErrorKind::TooLarge {
                            len: to_usize(seen),
                            limit: to_usize(self.max_bytes),
                        },
                        to_usize(cap),
                    ));
                }
                end = end.min(to_usize(cap - base));
            }
            let abs = base + *pos as u64;
            match self.state {
                State::Prolog => {
                    let b = data[*pos];
                    match b {
                        b' ' | b'\t' | b'\r' | b'\n' => *pos += 1,
                        b'<' => {
                            self.start.get_or_insert(abs);
                            self.markup_start = abs;
                            self.state = State::Lt;
                            *pos += 1;
                        }
                        0xEF if abs == 0 => {
                            self.start = Some(0);
                            self.state = State::Bom { matched: 1 };
                            *pos += 1;
                        }
                        _ if self.finished > 0 => {
                            return Err(Error::at(ErrorKind::TrailingContent, to_usize(abs)));
                        }
                        _ => {
                            return Err(malformed(
                                "expected `<` to start an envelope's markup",
                                abs,
                            ));
                        }
                    }
                }
                State::Bom { matched } => {
                    if data[*pos] != BOM[usize::from(matched)] {
                        return Err(malformed("incomplete byte order mark", abs));
                    }
                    *pos += 1;
                    self.state = if usize::from(matched) + 1 == BOM.len() {
                        State::Prolog
                    } else {
                        State::Bom {
                            matched: matched + 1,
                        }
                    };
                }
                State::Text => match memchr::memchr(b'<', &data[*pos..end]) {
                    Some(i) => {
                        *pos += i + 1;
                        self.markup_start = base + (*pos - 1) as u64;
                        self.state = State::Lt;
                    }
                    None => *pos = end,
                },
                State::Lt => {
                    let b = data[*pos];
                    *pos += 1;
                    self.state = match b {
                        b'?' => State::Pi { question: false },
                        b'!' => State::Bang {
                            which: Bang::Undecided,
                            matched: 0,
                        },
                        b'/' => {
                            if self.depth == 0 {
                                return Err(malformed(
                                    "end tag without an open element",
                                    self.markup_start,
                                ));
                            }
                            State::EndTag
                        }
                        b if b.is_ascii_alphabetic() || b == b'_' || b == b':' || b >= 0x80 => {
                            State::StartTag {
                                quote: None,
                                slash: false,
                            }
                        }
                        _ => return Err(malformed("`<` does not start markup", self.markup_start)),
                    };
                }
                State::Bang { which, matched } => {
                    let b = data[*pos];
                    *pos += 1;
                    let (which, pattern): (Bang, &[u8]) = match which {
                        Bang::Undecided => match b {
                            b'-' => (Bang::Comment, b"--"),
                            b'[' => (Bang::CData, CDATA),
                            b'D' => (Bang::Doctype, DOCTYPE),
                            _ => {
                                return Err(malformed(
                                    "`<!` starts no comment, CDATA section or DOCTYPE",
                                    self.markup_start,
                                ));
                            }
                        },
                        Bang::Comment => (which, b"--"),
                        Bang::CData => (which, CDATA),
                        Bang::Doctype => (which, DOCTYPE),
                    };
                    if b != pattern[usize::from(matched)] {
                        return Err(malformed(
                            "`<!` starts no comment, CDATA section or DOCTYPE",
                            self.markup_start,
                        ));
                    }
                    let matched = matched + 1;
                    self.state = if usize::from(matched) < pattern.len() {
                        State::Bang { which, matched }
                    } else {
                        match which {
                            Bang::Comment => State::Comment { dashes: 0 },
                            Bang::CData => State::CData { brackets: 0 },
                            Bang::Doctype | Bang::Undecided => {
                                return Err(Error::at(
                                    ErrorKind::DtdRefused,
                                    to_usize(self.markup_start),
                                ));
                            }
                        }
                    };
                }
                State::Comment { mut dashes } => {
                    let mut i = *pos;
                    let mut done = false;
                    while i < end {
                        match data[i] {
                            b'-' => dashes = (dashes + 1).min(2),
                            b'>' if dashes == 2 => {
                                done = true;
                                i += 1;
                                break;
                            }
                            _ => dashes = 0,
                        }
                        i += 1;
                    }
                    *pos = i;
                    self.state = if done {
                        self.after_markup()
                    } else {
                        State::Comment { dashes }
                    };
                }
                State::CData { mut brackets } => {
                    let mut i = *pos;
                    let mut done = false;
                    while i < end {
                        match data[i] {
                            b']' => brackets = (brackets + 1).min(2),
                            b'>' if brackets == 2 => {
                                done = true;
                                i += 1;
                                break;
                            }
                            _ => brackets = 0,
                        }
                        i += 1;
                    }
                    *pos = i;
                    self.state = if done {
                        self.after_markup()
                    } else {
                        State::CData { brackets }
                    };
                }
                State::Pi { mut question } => {
                    let mut i = *pos;
                    let mut done = false;
                    while i < end {
                        match data[i] {
                            b'?' => question = true,
                            b'>' if question => {
                                done = true;
                                i += 1;
                                break;
                            }
                            _ => question = false,
                        }
                        i += 1;
                    }
                    *pos = i;
                    self.state = if done {
                        if self.depth == 0 && self.markup_start >= base {
                            let at = to_usize(self.markup_start - base);
                            self.declared |= matches!(
                                data.get(at..at + 6),
                                Some([b'<', b'?', b'x', b'm', b'l', b' ' | b'\t' | b'\r' | b'\n'])
                            );
                        }
                        self.after_markup()
                    } else {
                        State::Pi { question }
                    };
                }
                State::StartTag { quote, slash } => {
                    if let Some(q) = quote {
                        match memchr::memchr(q, &data[*pos..end]) {
                            Some(i) => {
                                *pos += i + 1;
                                self.state = State::StartTag {
                                    quote: None,
                                    slash: false,
                                };
                            }
                            None => *pos = end,
                        }
                        continue;
                    }
                    match find3(b'>', b'"', b'\'', &data[*pos..end]) {
                        Some(i) => {
                            let b = data[*pos + i];
                            let slash = if i == 0 {
                                slash
                            } else {
                                data[*pos + i - 1] == b'/'
                            };
                            *pos += i + 1;
                            if b == b'>' {
                                if !slash {
                                    self.depth += 1;
                                }
                                if self.depth == 0 {
                                    return Ok(self.complete(base + *pos as u64));
                                }
                                self.state = State::Text;
                            } else {
                                self.state = State::StartTag {
                                    quote: Some(b),
                                    slash: false,
                                };
                            }
                        }
                        None => {
                            let slash = if *pos == end {
                                slash
                            } else {
                                data[end - 1] == b'/'
                            };
                            *pos = end;
                            self.state = State::StartTag { quote: None, slash };
                        }
                    }
                }
                State::EndTag => match memchr::memchr(b'>', &data[*pos..end]) {
                    Some(i) => {
                        *pos += i + 1;
                        self.depth -= 1;
                        if self.depth == 0 {
                            return Ok(self.complete(base + *pos as u64));
                        }
                        self.state = State::Text;
                    }
                    None => *pos = end,
                },
            }
        }
        Ok(Step::NeedMore)
    }

    /// The state after a comment, CDATA section or processing instruction.
    fn after_markup(&self) -> State {
        if self.depth == 0 {
            State::Prolog
        } else {
            State::Text
        }
    }

    /// The root element closed at absolute offset `end`: report the envelope, reset.
    fn complete(&mut self, end: u64) -> Step {
        let start = self.start.take().unwrap_or(self.markup_start);
        self.state = State::Prolog;
        self.declared = false;
        self.finished += 1;
        Step::Envelope { start, end }
    }
}

fn budget_error(limit: u64, len: u64) -> Error {
    Error::at(
        ErrorKind::TooLarge {
            len: to_usize(len),
            limit: to_usize(limit),
        },
        to_usize(limit),
    )
}

/// Splits a whole streaming body into its envelopes, with the default [`Limits`].
///
/// Borrows: each item is a slice of `body`. After the first `Err` the iterator ends. A body that
/// ends inside an envelope yields `Err(unexpected_eof)` last.
///
/// ```
/// let body = b"<a:Envelope xmlns:a=\"x\"/>\n<a:Envelope xmlns:a=\"x\"/>";
/// let parts: Vec<&[u8]> = ews_notify::streaming::split(body).collect::<Result<_, _>>()?;
/// assert_eq!(parts, [&body[..25], &body[26..]]);
/// # Ok::<(), ews_notify::Error>(())
/// ```
pub fn split(body: &[u8]) -> Split<'_> {
    split_with_limits(body, Limits::default())
}

/// [`split`] with the given limits (`max_bytes` per envelope, `max_stream_bytes` for the body).
pub fn split_with_limits(body: &[u8], limits: Limits) -> Split<'_> {
    let budget = to_usize(limits.max_stream_bytes).min(body.len());
    Split {
        body,
        budget,
        stream_limit: limits.max_stream_bytes,
        pos: 0,
        scanner: Scanner::new(&limits),
        done: false,
    }
}

/// Iterator over the envelopes of a body in memory; see [`split`].
#[derive(Debug, Clone)]
pub struct Split<'a> {
    body: &'a [u8],
    /// Bytes of `body` within the stream budget.
    budget: usize,
    stream_limit: u64,
    pos: usize,
    scanner: Scanner,
    done: bool,
}

impl<'a> Iterator for Split<'a> {
    type Item = Result<&'a [u8], Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let data = &self.body[..self.budget];
        match self.scanner.scan(data, 0, &mut self.pos) {
            Ok(Step::Envelope { start, end }) => {
                Some(Ok(&self.body[to_usize(start)..to_usize(end)]))
            }
            Ok(Step::NeedMore) => {
                self.done = true;
                if self.budget < self.body.len() {
                    Some(Err(budget_error(self.stream_limit, self.body.len() as u64)))
                } else if self.scanner.partial() {
                    Some(Err(Error::at(ErrorKind::UnexpectedEof, self.budget)))
                } else {
                    None
                }
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl std::iter::FusedIterator for Split<'_> {}

/// Incremental splitter for a streaming body that arrives in chunks.
///
/// [`feed`](Self::feed) each chunk as it arrives, then take the envelopes it completed with
/// [`next_envelope`](Self::next_envelope); call [`finish`](Self::finish) when the connection
/// ends. Envelopes come out in order, with their exact bytes (owned copies; the input chunks are
/// not kept). Memory held: the bytes of the envelope in progress (at most
/// [`Limits::max_bytes`]) plus the finished envelopes not taken yet.
///
/// Errors are reported in stream order: `next_envelope` first returns every envelope that ended
/// before the bad byte, then the error. After an error the splitter stays failed: `feed`,
/// `next_envelope` and `finish` all return that error.
#[derive(Debug, Clone)]
pub struct StreamSplitter {
    scanner: Scanner,
    /// Bytes from absolute offset `buf_base` on that may still belong to an envelope.
    buf: Vec<u8>,
    buf_base: u64,
    /// Next byte of `buf` to scan.
    pos: usize,
    ready: VecDeque<Vec<u8>>,
    failed: Option<Error>,
    bytes_seen: u64,
    max_stream_bytes: u64,
}

impl Default for StreamSplitter {
    fn default() -> Self {
        Self::new()
    }
}

impl StreamSplitter {
    /// A splitter with the default [`Limits`].
    pub fn new() -> Self {
        Self::with_limits(Limits::default())
    }

    /// A splitter that refuses more than `limits.max_stream_bytes` bytes in all, and any one
    /// envelope longer than `limits.max_bytes`.
    pub fn with_limits(limits: Limits) -> Self {
        Self {
            scanner: Scanner::new(&limits),
            buf: Vec::new(),
            buf_base: 0,
            pos: 0,
            ready: VecDeque::new(),
            failed: None,
            bytes_seen: 0,
            max_stream_bytes: limits.max_stream_bytes,
        }
    }

    /// Adds the next chunk of the body and finds the envelopes it completes.
    ///
    /// # Errors
    ///
    /// `too_large` when this chunk takes the body past [`Limits::max_stream_bytes`] (the bytes
    /// within the budget are still split, so envelopes that ended before it can be taken), or
    /// the error the splitter already failed with. Other errors found in this chunk are reported
    /// by [`next_envelope`](Self::next_envelope) after the envelopes before them.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), Error> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let room = self.max_stream_bytes - self.bytes_seen;
        let take = to_usize(room).min(chunk.len());
        let over = take < chunk.len();
        self.accept(&chunk[..take]);
        if over {
            let e = budget_error(
                self.max_stream_bytes,
                self.bytes_seen.saturating_add((chunk.len() - take) as u64),
            );
            self.failed.get_or_insert_with(|| e.clone());
            self.buf = Vec::new();
            return Err(e);
        }
        Ok(())
    }

    fn accept(&mut self, chunk: &[u8]) {
        self.bytes_seen += chunk.len() as u64;
        if self.failed.is_some() {
            return;
        }
        // Drop what earlier feeds consumed: everything before the envelope in progress (or all
        // scanned bytes between envelopes). Amortized O(1) per byte.
        let keep_from = match self.scanner.start {
            Some(start) => to_usize(start - self.buf_base),
            None => self.pos,
        };
        if keep_from > 0 {
            self.buf.drain(..keep_from);
            self.buf_base += keep_from as u64;
            self.pos -= keep_from;
        }
        self.buf.extend_from_slice(chunk);
        loop {
            match self.scanner.scan(&self.buf, self.buf_base, &mut self.pos) {
                Ok(Step::Envelope { start, end }) => {
                    let s = to_usize(start - self.buf_base);
                    let e = to_usize(end - self.buf_base);
                    self.ready.push_back(self.buf[s..e].to_vec());
                }
                Ok(Step::NeedMore) => break,
                Err(e) => {
                    self.failed = Some(e);
                    self.buf = Vec::new();
                    self.pos = 0;
                    break;
                }
            }
        }
    }

    /// Takes the next complete envelope, in stream order.
    ///
    /// `Ok(None)` means no complete envelope is waiting: feed more bytes.
    ///
    /// # Errors
    ///
    /// Once every envelope before it has been taken, the error the body failed with
    /// (`dtd_refused`, `too_large`, `trailing_content`, `malformed_xml`).
    pub fn next_envelope(&mut self) -> Result<Option<Vec<u8>>, Error> {
        if let Some(envelope) = self.ready.pop_front() {
            return Ok(Some(envelope));
        }
        match &self.failed {
            Some(e) => Err(e.clone()),
            None => Ok(None),
        }
    }

    /// Ends the body: checks that it did not stop inside an envelope.
    ///
    /// Envelopes not taken yet stay available from [`next_envelope`](Self::next_envelope).
    ///
    /// # Errors
    ///
    /// `unexpected_eof` at [`bytes_seen`](Self::bytes_seen) when a partial envelope remains,
    /// or the error the splitter already failed with.
    pub fn finish(&mut self) -> Result<(), Error> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.scanner.partial() {
            let e = Error::at(ErrorKind::UnexpectedEof, to_usize(self.bytes_seen));
            self.failed = Some(e.clone());
            return Err(e);
        }
        Ok(())
    }

    /// Bytes accepted so far (never more than [`Limits::max_stream_bytes`]).
    pub fn bytes_seen(&self) -> u64 {
        self.bytes_seen
    }

    /// Bytes held for the envelope in progress (for monitoring memory use).
    pub fn buffered(&self) -> usize {
        match self.scanner.start {
            Some(start) => self.buf.len() - to_usize(start - self.buf_base),
            None => 0,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const E1: &str = r#"<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body a='x>y' b="<!--"><m:X xmlns:m="m"><![CDATA[</s:Envelope> ]] ]>]]><!-- </s:Envelope> - -> --><?pi </s:Envelope> ?></m:X><e/></s:Body></s:Envelope>"#;
    const E2: &str = "<Envelope xmlns=\"http://www.w3.org/2003/05/soap-envelope\">\n<Body>\u{D55C}\u{AE00}</Body></Envelope>";

    /// Everything the splitter reports, as (envelopes, final error code and offset).
    type Outcome = (Vec<Vec<u8>>, Option<(&'static str, Option<usize>)>);

    fn whole(body: &[u8], limits: Limits) -> Outcome {
        let mut out = Vec::new();
        for item in split_with_limits(body, limits) {
            match item {
                Ok(e) => out.push(e.to_vec()),
                Err(e) => return (out, Some((e.code(), e.offset()))),
            }
        }
        (out, None)
    }

    fn chunked<'a>(chunks: impl IntoIterator<Item = &'a [u8]>, limits: Limits) -> Outcome {
        let mut s = StreamSplitter::with_limits(limits);
        let mut out = Vec::new();
        let drain = |s: &mut StreamSplitter, out: &mut Vec<Vec<u8>>| loop {
            match s.next_envelope() {
                Ok(Some(e)) => out.push(e),
                Ok(None) => return None,
                Err(e) => return Some((e.code(), e.offset())),
            }
        };
        for chunk in chunks {
            let fed = s.feed(chunk);
            if let Some(err) = drain(&mut s, &mut out) {
                return (out, Some(err));
            }
            if let Err(e) = fed {
                return (out, Some((e.code(), e.offset())));
            }
        }
        match s.finish() {
            Ok(()) => (out, None),
            Err(e) => (out, Some((e.code(), e.offset()))),
        }
    }

    fn two() -> String {
        format!("\u{FEFF}{E1}\r\n \t{E2}\n")
    }

    #[test]
    fn two_envelopes_come_out_with_their_exact_bytes() {
        let body = two();
        let (envs, err) = whole(body.as_bytes(), Limits::default());
        assert_eq!(err, None);
        assert_eq!(envs.len(), 2);
        assert_eq!(
            envs[0],
            format!("\u{FEFF}{E1}").as_bytes(),
            "BOM belongs to the first"
        );
        assert_eq!(envs[1], E2.as_bytes());
    }

    #[test]
    fn every_two_chunk_cut_gives_the_same_envelopes() {
        let body = two();
        let b = body.as_bytes();
        let expected = whole(b, Limits::default());
        for cut in 0..=b.len() {
            let got = chunked([&b[..cut], &b[cut..]], Limits::default());
            assert_eq!(got, expected, "cut at {cut}");
        }
    }

    #[test]
    fn one_byte_at_a_time_gives_the_same_envelopes() {
        let body = two();
        let b = body.as_bytes();
        assert_eq!(
            chunked(b.chunks(1), Limits::default()),
            whole(b, Limits::default())
        );
    }

    #[test]
    fn envelope_is_ready_as_soon_as_its_root_end_tag_is_complete() {
        let mut s = StreamSplitter::new();
        let b = E2.as_bytes();
        s.feed(&b[..b.len() - 1]).unwrap();
        assert_eq!(s.next_envelope().unwrap(), None, "`>` still missing");
        s.feed(&b[b.len() - 1..]).unwrap();
        assert_eq!(s.next_envelope().unwrap().as_deref(), Some(b));
        assert_eq!(s.buffered(), 0, "consumed bytes are dropped");
    }

    #[test]
    fn empty_and_whitespace_bodies_hold_no_envelope() {
        assert_eq!(whole(b"", Limits::default()), (vec![], None));
        assert_eq!(whole(b" \r\n\t", Limits::default()), (vec![], None));
    }

    #[test]
    fn errors_carry_code_and_offset() {
        let d = Limits::default();
        let cases: &[(&[u8], &str, usize)] = &[
            (b"<a><!DOCTYPE a []><b/></a>", "dtd_refused", 3),
            (b"<!DOCTYPE a [<!ENTITY x 'y'>]><a/>", "dtd_refused", 0),
            (b"<a/>junk", "trailing_content", 4),
            (b"<a></a>\n\n<b/>\r\nx<c/>", "trailing_content", 15),
            (b"junk<a/>", "malformed_xml", 0),
            (b"<a>< b/></a>", "malformed_xml", 3),
            (b"</a>", "malformed_xml", 0),
            (b"<a><!ELEMENT a ANY></a>", "malformed_xml", 3),
            (b"<a><b>", "unexpected_eof", 6),
            (b"<a b=\"></a>", "unexpected_eof", 11),
            (b"<a/><!-- tail", "unexpected_eof", 13),
            (b"<a/>\n<?xml version=\"1.0\"?>\n", "unexpected_eof", 27),
            (b"<a/>\n<?pi x?><!-- c -->y", "trailing_content", 23),
            (b"\xEF\xBB<a/>", "malformed_xml", 2),
            (b" \xEF\xBB\xBF<a/>", "malformed_xml", 1),
        ];
        for (input, code, offset) in cases {
            let (_, err) = whole(input, d);
            assert_eq!(
                err,
                Some((*code, Some(*offset))),
                "{}",
                String::from_utf8_lossy(input)
            );
            assert_eq!(chunked(input.chunks(1), d), whole(input, d));
        }
    }

    #[test]
    fn comments_and_pis_after_the_last_envelope_end_the_body_cleanly() {
        let body = b"<?xml version=\"1.0\"?><a/>\n<!-- end --><?trace done?>\n";
        assert_eq!(
            whole(body, Limits::default()),
            (vec![b"<?xml version=\"1.0\"?><a/>".to_vec()], None)
        );
        assert_eq!(
            chunked(body.chunks(1), Limits::default()),
            whole(body, Limits::default())
        );
        let body = b"<a/><!-- between --><?xml-stylesheet x?><b/>";
        let (envs, err) = whole(body, Limits::default());
        assert_eq!(err, None);
        assert_eq!(
            envs[1], b"<!-- between --><?xml-stylesheet x?><b/>",
            "misc goes with the next"
        );
    }

    #[test]
    fn envelopes_before_an_error_still_come_out() {
        let (envs, err) = whole(b"<a/>\n<b></b>?", Limits::default());
        assert_eq!(envs, [b"<a/>".to_vec(), b"<b></b>".to_vec()]);
        assert_eq!(err, Some(("trailing_content", Some(12))));
    }

    #[test]
    fn per_envelope_cap_is_a_typed_error_at_the_first_byte_past_it() {
        let limits = Limits {
            max_bytes: 10,
            ..Limits::default()
        };
        // Exactly 10 bytes is fine; 11 is not.
        assert_eq!(whole(b"<a>123</a> <b></b>", limits).1, None);
        assert_eq!(
            whole(b"<a>1234</a> <b></b>", limits).1,
            Some(("too_large", Some(10))),
        );
        let (envs, err) = whole(b"<a>123</a>\n<b>1234567890</b>", limits);
        assert_eq!(envs.len(), 1);
        assert_eq!(err, Some(("too_large", Some(21))));
        let body = b"<a>123</a>\n<b>1234567890</b>";
        assert_eq!(chunked(body.chunks(1), limits), whole(body, limits));
    }

    #[test]
    fn stream_budget_refuses_bytes_past_it() {
        let limits = Limits {
            max_stream_bytes: 10,
            ..Limits::default()
        };
        let body = b"<a></a><b></b>";
        let (envs, err) = whole(body, limits);
        assert_eq!(envs, [b"<a></a>".to_vec()]);
        assert_eq!(err, Some(("too_large", Some(10))));
        let mut s = StreamSplitter::with_limits(limits);
        s.feed(b"<a></a><b").unwrap();
        let e = s.feed(b"></b>").unwrap_err();
        assert_eq!((e.code(), e.offset()), ("too_large", Some(10)));
        assert_eq!(s.bytes_seen(), 10);
        assert_eq!(s.next_envelope().unwrap().as_deref(), Some(&b"<a></a>"[..]));
        assert!(s.next_envelope().is_err(), "failed splitter stays failed");
        assert!(s.feed(b" ").is_err());
        assert!(s.finish().is_err());
    }

    #[test]
    fn budget_exactly_used_is_fine() {
        let limits = Limits {
            max_stream_bytes: 7,
            ..Limits::default()
        };
        assert_eq!(whole(b"<a></a>", limits), (vec![b"<a></a>".to_vec()], None));
        assert_eq!(
            chunked([&b"<a></a>"[..]], limits),
            (vec![b"<a></a>".to_vec()], None)
        );
    }

    #[test]
    fn memory_stays_bounded_over_many_envelopes() {
        let mut s = StreamSplitter::new();
        let one = E1.as_bytes();
        for _ in 0..2_000 {
            for chunk in one.chunks(7) {
                s.feed(chunk).unwrap();
            }
            s.feed(b"\r\n").unwrap();
            assert_eq!(s.next_envelope().unwrap().as_deref(), Some(one));
            assert!(s.buf.capacity() < 4 * one.len(), "buffer grew");
        }
        s.finish().unwrap();
        assert_eq!(s.bytes_seen(), 2_000 * (one.len() as u64 + 2));
    }

    #[test]
    fn split_items_borrow_from_the_body() {
        let body = two();
        let first = split(body.as_bytes()).next().unwrap().unwrap();
        assert_eq!(first.as_ptr(), body.as_ptr());
    }

    fn arb_body() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            Just(E1.as_bytes().to_vec()),
            Just(E2.as_bytes().to_vec()),
            Just(b"\r\n".to_vec()),
            Just(b"<a b='>'/>".to_vec()),
            Just(b"<!-- x -->".to_vec()),
            Just(b"<x><![CDATA[<]]></x>".to_vec()),
            Just(b"<?p ?>".to_vec()),
            Just(b"<".to_vec()),
            Just(b"z".to_vec()),
        ];
        prop::collection::vec(piece, 0..8).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn random_chunks_match_the_whole_body_split(
            body in arb_body(),
            sizes in prop::collection::vec(1usize..40, 1..64),
            max_bytes in 1usize..400,
            max_stream in 0u64..1200,
        ) {
            for limits in [
                Limits::default(),
                Limits { max_bytes, max_stream_bytes: max_stream, ..Limits::default() },
            ] {
                let expected = whole(&body, limits);
                let mut chunks = Vec::new();
                let mut rest = &body[..];
                for size in sizes.iter().cycle() {
                    if rest.is_empty() {
                        break;
                    }
                    let (a, b) = rest.split_at((*size).min(rest.len()));
                    chunks.push(a);
                    rest = b;
                }
                prop_assert_eq!(chunked(chunks, limits), expected);
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..300)) {
            let limits = Limits { max_bytes: 50, max_stream_bytes: 200, ..Limits::default() };
            prop_assert_eq!(chunked(body.chunks(3), limits), whole(&body, limits));
        }
    }
}
