//! The canonical JSON: one serde shape for every binding.
//!
//! The shape is the [`serde::Serialize`] output of [`crate::Envelope`]: compact, keys in struct
//! order, absent values `null`. `docs/canonical-json.md` describes it and
//! `docs/canonical.schema.json` is its JSON Schema.

use crate::envelope::Envelope;

/// The canonical JSON of `envelope` (the same as [`Envelope::to_json`]).
pub fn to_json(envelope: &Envelope<'_>) -> String {
    // Serializing these types cannot fail: every map key is a string and no value is a float,
    // so the empty fallback is never taken.
    serde_json::to_string(envelope).unwrap_or_default()
}
