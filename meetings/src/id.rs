//! Deterministic meeting event ids.

use sha2::{Digest, Sha256};

/// The id of a meeting event: the first 16 bytes of SHA-256 over the change, the mailbox and
/// the parts that name the source change, each length-prefixed so no two lists of parts give
/// the same input. Lowercase hex, 32 digits. Which parts each change uses is in
/// `docs/meetings.md`.
pub(crate) fn event_id(change: &str, mailbox: &str, parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in [change, mailbox].iter().chain(parts.iter()) {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    let digest = h.finalize();
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}
