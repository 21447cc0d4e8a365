//! Why a GlobalObjectId could not be read ([`GoidError`]) and what is odd about one that could
//! ([`GoidWarning`]).

use serde::Serialize;

/// Why a GlobalObjectId could not be read.
///
/// Wrapped as [`crate::ErrorKind::Goid`]; the [`crate::Error`] around it carries the byte offset.
/// For byte input the offset indexes the bytes. For text input (hex, base64, a UID) it indexes
/// the text: a bad character is reported where it stands, and a problem in the decoded bytes is
/// reported at the first character that encodes the offending byte.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GoidError {
    /// Fewer bytes than the fixed 40-byte header ([MS-OXOCAL] 2.2.1.27). Offset: the end of the
    /// input.
    #[error("{len} bytes, shorter than the 40-byte header")]
    TooShort {
        /// Bytes given.
        len: usize,
    },
    /// The first 16 bytes are not the class id `040000008200E00074C5B7101A82E008`
    /// ([MS-OXOCAL] 2.2.1.27, "Byte Array ID"). Offset: the first byte that differs.
    #[error("the first 16 bytes are not the GlobalObjectId class id")]
    WrongClassId,
    /// The Size field (bytes 36..40) announces more data than follows it. Offset: 36.
    #[error("the size field says {size} data bytes but only {available} follow")]
    SizeTooLarge {
        /// The value of the Size field.
        size: u32,
        /// Bytes after the header.
        available: usize,
    },
    /// The instance date (YH, YL, M, D; bytes 16..20) is neither all zero nor a real date, for
    /// example month 13 or 32 March. Offset: the first field that makes it impossible
    /// (16 for the year, 18 for the month, 19 for the day).
    #[error("impossible instance date {year:04}-{month:02}-{day:02}")]
    ImpossibleDate {
        /// YH * 256 + YL (big-endian).
        year: u16,
        /// M.
        month: u8,
        /// D.
        day: u8,
    },
    /// The text is not base64 (standard alphabet, padding optional). Offset: the bad
    /// character, or the end of the text when it stops mid-group.
    #[error("invalid base64: {reason}")]
    BadBase64 {
        /// What is wrong.
        reason: String,
    },
    /// A character that is not a hexadecimal digit. Offset: that character.
    #[error("invalid hex digit {found:?}")]
    BadHex {
        /// The character found.
        found: char,
    },
    /// Hex text with an odd number of digits. Offset: the end of the text.
    #[error("hex text has an odd number of digits ({len})")]
    OddHexLength {
        /// Number of digits.
        len: usize,
    },
    /// An empty iCalendar UID: [MS-OXCICAL] 2.1.3.1.1.20.26 requires at least one octet.
    /// Offset: 0.
    #[error("the UID is empty")]
    EmptyUid,
    /// A third-party UID too long for the 32-bit Size field once wrapped. Offset: 0.
    #[error("a UID of {len} bytes does not fit the 32-bit size field")]
    UidTooLong {
        /// Bytes in the UID.
        len: usize,
    },
}

impl GoidError {
    /// Stable snake_case code, prefixed `goid_`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooShort { .. } => "goid_too_short",
            Self::WrongClassId => "goid_wrong_class_id",
            Self::SizeTooLarge { .. } => "goid_size_too_large",
            Self::ImpossibleDate { .. } => "goid_impossible_date",
            Self::BadBase64 { .. } => "goid_bad_base64",
            Self::BadHex { .. } => "goid_bad_hex",
            Self::OddHexLength { .. } => "goid_odd_hex_length",
            Self::EmptyUid => "goid_empty_uid",
            Self::UidTooLong { .. } => "goid_uid_too_long",
        }
    }
}

/// Something odd about a GlobalObjectId that is still readable.
///
/// Returned by [`super::GlobalObjectId::warnings`] and listed in the canonical JSON. Offsets
/// index [`super::GlobalObjectId::as_bytes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum GoidWarning {
    /// A reserved byte (X, bytes 28..36) is not zero, though [MS-OXOCAL] 2.2.1.27 says it MUST
    /// be. The fields around it are still read.
    #[error("reserved byte at {offset} is not zero")]
    ReservedNonZero {
        /// The first nonzero reserved byte.
        offset: usize,
    },
    /// Bytes follow the data that the Size field counts. They are kept in every output
    /// (hex, base64, clean form) but are not part of [`super::GlobalObjectId::data`].
    #[error("{count} bytes after the {size}-byte data that the size field does not count")]
    TrailingBytes {
        /// Where they start: 40 + size.
        offset: usize,
        /// The Size field.
        size: u32,
        /// How many.
        count: usize,
    },
    /// The Size field is zero. Such an id encodes to an 80-digit UID, which [MS-OXCICAL]
    /// 2.1.3.1.1.20.26 reads back as a third-party UID (it requires 82 digits or more).
    #[error("the data is empty")]
    EmptyData {
        /// 36, the Size field.
        offset: usize,
    },
    /// The data starts with the `vCal-Uid` marker but the version is not `01 00 00 00`; the id
    /// is treated as an opaque (Outlook) id.
    #[error("vCal-Uid marker with an unknown version")]
    VcalUnknownVersion {
        /// 48, the version field.
        offset: usize,
    },
    /// The UID inside a `vCal-Uid` id is not UTF-8; [`super::GlobalObjectId::vcal_uid`] is
    /// `None` and the iCalendar UID falls back to the hex form.
    #[error("the embedded vCal UID is not UTF-8")]
    VcalUidNotUtf8 {
        /// The first byte that is not UTF-8.
        offset: usize,
    },
    /// The creation time is beyond what a date can hold (after 9999-12-31);
    /// [`super::GlobalObjectId::creation_time`] is `None`, the raw value stays in
    /// [`super::GlobalObjectId::creation_filetime`].
    #[error("creation time is out of range")]
    CreationTimeOutOfRange {
        /// 20, the Creation Time field.
        offset: usize,
    },
}

impl GoidWarning {
    /// Stable snake_case code, prefixed `goid_`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ReservedNonZero { .. } => "goid_reserved_nonzero",
            Self::TrailingBytes { .. } => "goid_trailing_bytes",
            Self::EmptyData { .. } => "goid_empty_data",
            Self::VcalUnknownVersion { .. } => "goid_vcal_unknown_version",
            Self::VcalUidNotUtf8 { .. } => "goid_vcal_uid_not_utf8",
            Self::CreationTimeOutOfRange { .. } => "goid_creation_time_out_of_range",
        }
    }

    /// Byte offset into the GlobalObjectId where the finding is.
    pub fn offset(&self) -> usize {
        match *self {
            Self::ReservedNonZero { offset }
            | Self::TrailingBytes { offset, .. }
            | Self::EmptyData { offset }
            | Self::VcalUnknownVersion { offset }
            | Self::VcalUidNotUtf8 { offset }
            | Self::CreationTimeOutOfRange { offset } => offset,
        }
    }

    /// The JSON shape of this warning: `{"code", "offset", "message"}`.
    pub fn summary(&self) -> WarningSummary {
        WarningSummary {
            code: self.code(),
            offset: self.offset(),
            message: self.to_string(),
        }
    }
}

/// A [`GoidWarning`] as it appears in the canonical JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "GoidWarning"))]
#[serde(rename_all = "camelCase")]
pub struct WarningSummary {
    /// [`GoidWarning::code`].
    pub code: &'static str,
    /// [`GoidWarning::offset`].
    pub offset: usize,
    /// The `Display` text.
    pub message: String,
}
