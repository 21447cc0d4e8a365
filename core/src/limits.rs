//! Size limits applied before and while reading.

/// Caps on what one parse may consume. Every cap is checked, and exceeding one is a typed
/// [`crate::Error`] (`too_large`, `too_deep`, `too_many_events`), never a truncated result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input accepted, in bytes. Default 16 MiB: a GetEvents page of 1,000 events is
    /// about 600 KB.
    pub max_bytes: usize,
    /// Deepest element nesting accepted. Default 64; a real envelope nests about 10 deep.
    pub max_depth: usize,
    /// Most events accepted in one envelope, over all its notifications. Default 100,000.
    pub max_events: usize,
    /// Most bytes one streaming connection may deliver before the splitter refuses more.
    /// Default 256 MiB.
    pub max_stream_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 16 << 20,
            max_depth: 64,
            max_events: 100_000,
            max_stream_bytes: 256 << 20,
        }
    }
}
