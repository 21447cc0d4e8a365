//! GlobalObjectId (PidLidGlobalObjectId) and CleanGlobalObjectId: decode, clean, iCalendar UIDs.
//!
//! Layout per [MS-OXOCAL] 2.2.1.27 and 2.2.1.28.

/// Why a GlobalObjectId could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GoidError {
    /// Fewer bytes than the fixed 40-byte header.
    #[error("{len} bytes, shorter than the 40-byte header")]
    TooShort {
        /// Bytes given.
        len: usize,
    },
}

impl GoidError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooShort { .. } => "goid_too_short",
        }
    }
}
