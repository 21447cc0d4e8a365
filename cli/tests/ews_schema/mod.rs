//! Where the tests find Exchange's EWS schema (Microsoft's files, not part of the repository).
//!
//! `EWS_SCHEMA_DIR`, else `../shared/ews-schema` beside the repository (see
//! docs/ews-schema.md). Without a schema a test prints `SKIPPED: <test> (no EWS schema)` and
//! returns; with `EWS_SCHEMA_REQUIRED=1` a missing schema fails it.
#![allow(dead_code, clippy::panic)]

use std::io::Write;
use std::path::PathBuf;

/// The directory holding `soap-envelope.xsd`, `messages.xsd` and `types.xsd`, or `None` (after
/// reporting the skip) when there is none.
pub fn dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("EWS_SCHEMA_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("../shared/ews-schema"),
    };
    if dir.join("soap-envelope.xsd").is_file() {
        return Some(dir.canonicalize().unwrap_or(dir));
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
