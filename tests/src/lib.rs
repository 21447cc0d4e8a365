//! Shared helpers for the ews-notify test suites: where the corpus lives, how an input maps to
//! its golden file, and the golden text of a parse result.
//!
//! The corpus is `tests/corpus/<kind>/<name>.xml`, each with a golden `<name>.json` beside it:
//! the canonical JSON pretty-printed with two spaces and a final newline, or
//! `{"error": {"code": ..., "offset": ...}}` for an input that must be refused.

use std::path::{Path, PathBuf};

pub mod shapes;
pub mod typescript;

/// Kinds of corpus folder whose `*.xml` files are single envelopes with goldens.
pub const KINDS: [&str; 8] = [
    "push",
    "pull",
    "streaming",
    "subscribe",
    "fault",
    "items",
    "malformed",
    "regressions",
];

/// `tests/corpus`.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// Every `*.xml` directly in `tests/corpus/<kind>/` (not in subfolders), sorted.
pub fn inputs(kind: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir().join(kind))
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "xml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Every corpus input of every kind, sorted by kind then name.
pub fn all_inputs() -> Vec<PathBuf> {
    KINDS.iter().flat_map(|k| inputs(k)).collect()
}

/// The golden file of an input: the same path with `.json`.
pub fn golden_path(input: &Path) -> PathBuf {
    input.with_extension("json")
}

/// The golden text for a parse result: the canonical JSON (pretty, two spaces) or the error's
/// code and offset, with a final newline.
pub fn golden_text(result: &Result<ews_notify::Envelope<'_>, ews_notify::Error>) -> String {
    let value = match result {
        Ok(envelope) => serde_json::to_string_pretty(envelope),
        Err(e) => serde_json::to_string_pretty(&GoldenItem::error(e)),
    };
    // Serializing these values cannot fail (string keys, no floats).
    let mut text = value.unwrap_or_default();
    text.push('\n');
    text
}

/// `input` with every LF that is not already after a CR turned into CRLF.
pub fn to_crlf(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() + input.len() / 16);
    let mut prev = 0u8;
    for &b in input {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
    out
}

/// Where byte `offset` of `input` lands in [`to_crlf`]`(input)`.
pub fn crlf_offset(input: &[u8], offset: usize) -> usize {
    let end = offset.min(input.len());
    let mut added = 0;
    let mut prev = 0u8;
    for &b in &input[..end] {
        if b == b'\n' && prev != b'\r' {
            added += 1;
        }
        prev = b;
    }
    offset + added
}

/// One entry of a golden file: an envelope's canonical JSON or `{"error": {"code", "offset"}}`.
#[derive(serde::Serialize)]
#[serde(untagged)]
pub enum GoldenItem<'a> {
    /// A parsed envelope.
    Envelope(ews_notify::Envelope<'a>),
    /// A refusal.
    Error {
        /// Code and offset.
        error: GoldenError,
    },
}

/// The error part of a golden entry.
#[derive(serde::Serialize)]
pub struct GoldenError {
    /// [`ews_notify::Error::code`].
    pub code: &'static str,
    /// [`ews_notify::Error::offset`].
    pub offset: Option<usize>,
}

impl GoldenItem<'_> {
    fn error(e: &ews_notify::Error) -> Self {
        GoldenItem::Error {
            error: GoldenError {
                code: e.code(),
                offset: e.offset(),
            },
        }
    }
}

/// The golden text of a streaming body: a JSON array with one entry per item of
/// `ews_notify::streaming::split` (canonical JSON of the envelope, or the error that ends the
/// body with its offset from the start of the body), pretty-printed, with a final newline.
pub fn body_golden_text(body: &[u8]) -> String {
    let mut items = Vec::new();
    for item in ews_notify::streaming::split(body) {
        let entry = match item {
            Ok(slice) => {
                let start = (slice.as_ptr() as usize).saturating_sub(body.as_ptr() as usize);
                match ews_notify::parse_notification(slice) {
                    Ok(envelope) => GoldenItem::Envelope(envelope),
                    Err(e) => GoldenItem::error(&e.shifted(start)),
                }
            }
            Err(e) => GoldenItem::error(&e),
        };
        let stop = matches!(entry, GoldenItem::Error { .. });
        items.push(entry);
        if stop {
            break;
        }
    }
    let mut text = serde_json::to_string_pretty(&items).unwrap_or_default();
    text.push('\n');
    text
}
