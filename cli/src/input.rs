//! Reading the input named on the command line, and the one error format of the tool.

use std::io::Read;

/// The bytes of `path`, or of standard input when `path` is `-`.
pub fn read(path: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    let result = if path == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::read(path).map(|b| bytes = b)
    };
    result.map_err(|e| format!("error[io]: cannot read {path}: {e}"))?;
    Ok(bytes)
}

/// `error[code] at byte N: message` (or without ` at byte N` when there is no offset).
pub fn format_error(e: &ews_notify::Error) -> String {
    match e.offset() {
        Some(offset) => format!("error[{}] at byte {offset}: {}", e.code(), e.kind()),
        None => format!("error[{}]: {}", e.code(), e.kind()),
    }
}
