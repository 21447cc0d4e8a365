//! The canonical JSON of a GlobalObjectId: one shape for the CLI and every binding.

use serde::Serialize;

use super::error::WarningSummary;

/// Every decoded field of a GlobalObjectId, as plain values.
///
/// `serde_json::to_string(&summary)` is the canonical GOID JSON:
/// `{"hex","base64","instanceDate","creationTime","dataSize","dataHex","vcalUid","isException",
/// "cleanHex","cleanBase64","icalUid","warnings"}`. Hex is uppercase; `creationTime` is RFC 3339
/// UTC with seven fractional digits (one per 100 ns FILETIME tick).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct GoidSummary {
    /// Uppercase hex of every byte.
    pub hex: String,
    /// Standard padded base64 of every byte (the form EWS returns).
    pub base64: String,
    /// `YYYY-MM-DD` of the exception's original instance, `None` for a series or single meeting.
    pub instance_date: Option<String>,
    /// Creation time, `None` when the field is zero or out of range.
    pub creation_time: Option<String>,
    /// The Size field.
    pub data_size: u32,
    /// Uppercase hex of the data the Size field counts.
    pub data_hex: String,
    /// The embedded third-party UID, when the data is in `vCal-Uid` form and UTF-8.
    pub vcal_uid: Option<String>,
    /// Whether the instance date is set.
    pub is_exception: bool,
    /// Uppercase hex of the clean form (instance date zeroed).
    pub clean_hex: String,
    /// Base64 of the clean form: the PidLidCleanGlobalObjectId value, and the value a FindItem
    /// restriction on it compares with.
    pub clean_base64: String,
    /// The iCalendar UID.
    pub ical_uid: String,
    /// Readable-but-odd findings, in byte order.
    pub warnings: Vec<WarningSummary>,
}
