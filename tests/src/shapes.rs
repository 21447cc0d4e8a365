//! The canonical JSON's shapes, generated: `docs/canonical.schema.json` and the TypeScript
//! declarations of the Node and WASM packages come from here.
//!
//! The root is core's [`ews_notify::Envelope`]; [`more_shapes`] adds every other shape a
//! program prints (the `watch` line, ...). `tests/generated.rs` checks the committed files and
//! rewrites them with `BLESS=1 cargo test -p ews-notify-tests --test generated`.

use schemars::SchemaGenerator;
use schemars::generate::SchemaSettings;
use serde_json::Value;

/// Adds every shape besides the root envelope (and what it refers to) to the schema, and so to
/// both `.d.ts` files.
///
/// To add a type: one line `generator.subschema_for::<Type<'static>>();` here. The type derives
/// (or implements) `schemars::JsonSchema` next to its `Serialize`, behind its crate's `schema`
/// feature, and this crate depends on that crate with the feature on. Then regenerate with
/// `BLESS=1 cargo test -p ews-notify-tests --test generated` and commit the three files.
pub fn more_shapes(generator: &mut SchemaGenerator) {
    generator.subschema_for::<ews_notify_client::EventLine<'static>>();
    generator.subschema_for::<ews_notify_meetings::MeetingEvent>();
}

/// The JSON Schema (draft 2020-12) of the canonical JSON: an [`ews_notify::Envelope`] at the
/// root, every other shape in `$defs`.
///
/// The schema describes what `Serialize` writes (schemars' serialize contract: a key that is
/// always written is required, `null` included). Objects refuse keys they do not name, so a key
/// added to a `Serialize` without its schema fails the golden check.
pub fn canonical_schema() -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator();
    more_shapes(&mut generator);
    let root = generator.root_schema_for::<ews_notify::Envelope<'static>>();
    let mut value = serde_json::to_value(root).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.insert(
            "$id".into(),
            "https://example.invalid/ews-notify/canonical.schema.json".into(),
        );
    }
    tidy(&mut value);
    value
}

/// `docs/canonical.schema.json`'s text: [`canonical_schema`], pretty, with a final newline.
pub fn schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&canonical_schema()).unwrap_or_default();
    text.push('\n');
    text
}

/// Closes every object schema that names its properties (`additionalProperties: false`), and
/// makes the descriptions (the types' doc comments) read in JSON terms: rustdoc links become
/// plain code spans, code examples are left out, and `None` is `null`.
fn tidy(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if object.contains_key("properties") && !object.contains_key("additionalProperties") {
                object.insert("additionalProperties".into(), Value::Bool(false));
            }
            if let Some(Value::String(text)) = object.get_mut("description") {
                *text = plain_links(&without_code_blocks(text)).replace("`None`", "`null`");
            }
            object.values_mut().for_each(tidy);
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}

/// `text` without its fenced code blocks (doc examples), trimmed.
fn without_code_blocks(text: &str) -> String {
    let mut out = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if !in_code {
            out.push(line);
        }
    }
    out.join("\n").trim().to_owned()
}

/// ``[`Event::name`]`` and ``[`Origin`](crate::Origin)`` become `` `Event::name` `` and
/// `` `Origin` ``; links to web pages stay.
fn plain_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("[`") {
        let Some(len) = rest[start + 2..].find("`]") else {
            break;
        };
        out.push_str(&rest[..start]);
        let code = &rest[start + 1..start + 2 + len + 1];
        out.push_str(code);
        rest = &rest[start + 2 + len + 2..];
        if let Some(target) = rest.strip_prefix('(') {
            if let Some(end) = target.find(')') {
                if !target[..end].contains("://") {
                    rest = &target[end + 1..];
                }
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn rustdoc_links_become_code_spans() {
        assert_eq!(
            plain_links("see [`Event::name`] and [`Origin`](crate::Origin) or [`X`](https://x.y/)"),
            "see `Event::name` and `Origin` or `X`(https://x.y/)"
        );
        assert_eq!(plain_links("a [b] `c` [`d"), "a [b] `c` [`d");
    }

    #[test]
    fn code_blocks_are_left_out() {
        assert_eq!(
            without_code_blocks("One line.\n\n```\nlet x = 1;\n```"),
            "One line."
        );
        assert_eq!(without_code_blocks("a\n```rust\nb\n```\nc"), "a\nc");
    }
}
