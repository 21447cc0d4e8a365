//! The generated files are up to date: `docs/canonical.schema.json`, and the generated part of
//! `bindings/node/src/canonical.d.ts` and `bindings/wasm/src/types.d.ts`.
//!
//! They come from core's types (see `ews_notify_tests::shapes`). When a type changes, this test
//! fails with the command that rewrites them:
//! `BLESS=1 cargo test -p ews-notify-tests --test generated`. Then rebuild the Node package
//! (`napi build`, which copies `canonical.d.ts` into `index.d.ts`) and commit all of them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use ews_notify_tests::{shapes, typescript};

const REGENERATE: &str = "BLESS=1 cargo test -p ews-notify-tests --test generated";

/// The line before the generated part of a `.d.ts` file.
const BEGIN: &str = "// Generated from core's types by `BLESS=1 cargo test -p ews-notify-tests --test generated`: do not edit by hand.\n";
/// The line after it.
const END: &str = "// End of the generated types.\n";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Compares `path` with `expected`; with `BLESS` set, writes `expected` there instead.
fn check(path: &Path, expected: &str) {
    let shown = path
        .strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string();
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(path, expected).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    if committed != expected {
        let line = committed
            .lines()
            .zip(expected.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(expected.lines().count()));
        panic!(
            "{shown} is stale (first difference at line {}); regenerate it with `{REGENERATE}`",
            line + 1
        );
    }
}

/// `text` with the part between [`BEGIN`] and [`END`] replaced by `generated`.
fn with_generated(path: &Path, text: &str, generated: &str) -> String {
    let start = text
        .find(BEGIN)
        .unwrap_or_else(|| panic!("{} has no line {BEGIN:?}", path.display()));
    let body = start + BEGIN.len();
    let end = body
        + text[body..]
            .find(END)
            .unwrap_or_else(|| panic!("{} has no line {END:?}", path.display()));
    format!("{}{generated}{}", &text[..body], &text[end..])
}

fn check_declarations(relative: &str, skip: &[&str]) {
    let path = root().join(relative);
    let text = std::fs::read_to_string(&path).unwrap();
    let generated = typescript::declarations(&shapes::canonical_schema(), skip).unwrap();
    check(&path, &with_generated(&path, &text, &generated));
}

#[test]
fn canonical_schema_is_up_to_date() {
    check(
        &root().join("docs/canonical.schema.json"),
        &shapes::schema_text(),
    );
}

#[test]
fn node_declarations_are_up_to_date() {
    // napi-rs declares `GoidWarning` itself (a `#[napi(object)]` of the binding).
    check_declarations("bindings/node/src/canonical.d.ts", &["GoidWarning"]);
}

#[test]
fn wasm_declarations_are_up_to_date() {
    check_declarations("bindings/wasm/src/types.d.ts", &[]);
}

#[test]
fn schema_names_every_shape_a_binding_returns() {
    let schema = shapes::canonical_schema();
    assert_eq!(schema["title"], "Envelope");
    let defs = schema["$defs"].as_object().unwrap();
    for name in [
        "NotificationEnvelope",
        "GetItemEnvelope",
        "FindItemEnvelope",
        "SyncFolderItemsEnvelope",
        "FaultEnvelope",
        "ResponseMessage",
        "Notification",
        "Event",
        "CalendarItem",
        "GoidSummary",
        "GoidWarning",
        "EventLine",
    ] {
        assert!(defs.contains_key(name), "$defs/{name} is missing");
    }
    assert_eq!(
        schema["oneOf"].as_array().map(Vec::len),
        Some(5),
        "five envelope shapes"
    );
}
