//! The byte layout of PidLidGlobalObjectId ([MS-OXOCAL] 2.2.1.27), the property names that carry
//! it, and the checks a value must pass to be read.
//!
//! ```text
//! offset  size  field
//!      0    16  Byte Array ID (class id) 04 00 00 00 82 00 E0 00 74 C5 B7 10 1A 82 E0 08
//!     16     2  YH YL: instance year, BIG-endian (the one big-endian field)
//!     18     1  M: instance month, 1..=12
//!     19     1  D: instance day, 1..=31
//!     20     8  Creation Time: FILETIME, little-endian, UTC, 100 ns ticks since 1601-01-01
//!     28     8  X: reserved, MUST be zero
//!     36     4  Size: data length, u32 little-endian
//!     40  Size  Data
//! ```

use super::error::{GoidError, GoidWarning};

/// The 16-byte class id that starts every GlobalObjectId ([MS-OXOCAL] 2.2.1.27).
pub const CLASS_ID: [u8; 16] = [
    0x04, 0x00, 0x00, 0x00, 0x82, 0x00, 0xE0, 0x00, 0x74, 0xC5, 0xB7, 0x10, 0x1A, 0x82, 0xE0, 0x08,
];

/// [`CLASS_ID`] as uppercase hex, the prefix of every encoded iCalendar UID
/// ([MS-OXCICAL] 2.1.3.1.1.20.26, `ByteArrayID`).
pub const CLASS_ID_HEX: &str = "040000008200E00074C5B7101A82E008";

/// The property set of both properties: PSETID_Meeting ([MS-OXPROPS] 2.142, 2.57).
pub const PSETID_MEETING: &str = "6ED8DA90-450B-101B-98DA-00AA003F1305";

/// EWS `DistinguishedPropertySetId` for [`PSETID_MEETING`].
pub const EWS_PROPERTY_SET: &str = "Meeting";

/// Long id of PidLidGlobalObjectId (LID_GLOBAL_OBJID): EWS `PropertyId="3"`,
/// `PropertyType="Binary"`.
pub const LID_GLOBAL_OBJECT_ID: u32 = 0x0003;

/// Long id of PidLidCleanGlobalObjectId (dispidCleanGlobalObjId): EWS `PropertyId="35"`,
/// `PropertyType="Binary"`.
pub const LID_CLEAN_GLOBAL_OBJECT_ID: u32 = 0x0023;

/// Bytes before the data: class id, instance date, creation time, reserved, size.
pub const HEADER_LEN: usize = 40;

/// Where YH (year, high byte) is.
pub(crate) const YEAR_AT: usize = 16;
/// Where M (month) is.
pub(crate) const MONTH_AT: usize = 18;
/// Where D (day) is.
pub(crate) const DAY_AT: usize = 19;
/// Where the creation FILETIME is.
pub(crate) const CREATION_AT: usize = 20;
/// Where the reserved bytes are.
pub(crate) const RESERVED_AT: usize = 28;
/// Where the Size field is.
pub(crate) const SIZE_AT: usize = 36;

/// A fixed-size array read at `at`, or `None` when `bytes` is too short. Never reads past the end.
pub(crate) fn array<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    let end = at.checked_add(N)?;
    bytes.get(at..end)?.try_into().ok()
}

/// The four instance-date bytes as (year, month, day); the year is big-endian.
pub(crate) fn date_fields(bytes: &[u8]) -> (u16, u8, u8) {
    let [yh, yl, m, d] = array::<4>(bytes, YEAR_AT).unwrap_or_default();
    (u16::from_be_bytes([yh, yl]), m, d)
}

/// The creation FILETIME (little-endian); 0 when absent.
pub(crate) fn filetime(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(array::<8>(bytes, CREATION_AT).unwrap_or_default())
}

/// The Size field (little-endian); 0 when absent.
pub(crate) fn size(bytes: &[u8]) -> u32 {
    u32::from_le_bytes(array::<4>(bytes, SIZE_AT).unwrap_or_default())
}

/// The data: exactly Size bytes after the header, clamped to what is there.
pub(crate) fn data(bytes: &[u8]) -> &[u8] {
    let rest = bytes.get(HEADER_LEN..).unwrap_or_default();
    let len = usize::try_from(size(bytes))
        .unwrap_or(usize::MAX)
        .min(rest.len());
    rest.get(..len).unwrap_or_default()
}

/// The instance date the fields name, `Ok(None)` when all four bytes are zero, or the offset
/// and error of an impossible date.
pub(crate) fn instance_date(bytes: &[u8]) -> Result<Option<time::Date>, (usize, GoidError)> {
    let (year, month, day) = date_fields(bytes);
    if year == 0 && month == 0 && day == 0 {
        return Ok(None);
    }
    let impossible = GoidError::ImpossibleDate { year, month, day };
    if year == 0 || year > 9999 {
        return Err((YEAR_AT, impossible));
    }
    let Ok(month_value) = time::Month::try_from(month) else {
        return Err((MONTH_AT, impossible));
    };
    match time::Date::from_calendar_date(i32::from(year), month_value, day) {
        Ok(date) => Ok(Some(date)),
        Err(_) => Err((DAY_AT, impossible)),
    }
}

/// Checks that `bytes` is a readable GlobalObjectId; on failure, the offset into `bytes` and why.
pub(crate) fn validate(bytes: &[u8]) -> Result<(), (usize, GoidError)> {
    if bytes.len() < HEADER_LEN {
        // A wrong class id in the bytes that are there is the more useful finding.
        if let Some(at) = class_id_mismatch(bytes) {
            return Err((at, GoidError::WrongClassId));
        }
        return Err((bytes.len(), GoidError::TooShort { len: bytes.len() }));
    }
    if let Some(at) = class_id_mismatch(bytes) {
        return Err((at, GoidError::WrongClassId));
    }
    instance_date(bytes)?;
    let size = size(bytes);
    let available = bytes.len() - HEADER_LEN;
    if usize::try_from(size).map_or(true, |s| s > available) {
        return Err((SIZE_AT, GoidError::SizeTooLarge { size, available }));
    }
    Ok(())
}

/// The first offset where `bytes` differs from the class id, looking only at bytes present.
fn class_id_mismatch(bytes: &[u8]) -> Option<usize> {
    bytes
        .iter()
        .zip(CLASS_ID.iter())
        .position(|(found, expected)| found != expected)
}

/// Layout findings that do not stop reading (vCal findings are added by the caller).
pub(crate) fn layout_warnings(bytes: &[u8], out: &mut Vec<GoidWarning>) {
    let reserved = bytes.get(RESERVED_AT..SIZE_AT).unwrap_or_default();
    if let Some(i) = reserved.iter().position(|&b| b != 0) {
        out.push(GoidWarning::ReservedNonZero {
            offset: RESERVED_AT + i,
        });
    }
    let size = size(bytes);
    if size == 0 {
        out.push(GoidWarning::EmptyData { offset: SIZE_AT });
    }
    let used = HEADER_LEN.saturating_add(data(bytes).len());
    if bytes.len() > used {
        out.push(GoidWarning::TrailingBytes {
            offset: used,
            size,
            count: bytes.len() - used,
        });
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn class_id_hex_spells_the_class_id() {
        let hex: String = CLASS_ID.iter().map(|b| format!("{b:02X}")).collect();
        assert_eq!(hex, CLASS_ID_HEX);
    }

    #[test]
    fn readers_never_read_past_the_end() {
        for len in 0..48 {
            let bytes = vec![0xFF; len];
            let _ = date_fields(&bytes);
            let _ = filetime(&bytes);
            let _ = size(&bytes);
            assert!(data(&bytes).len() <= len.saturating_sub(HEADER_LEN));
            assert_eq!(
                array::<8>(&bytes, usize::MAX - 2),
                None,
                "offset overflow is None"
            );
        }
    }

    #[test]
    fn year_is_big_endian() {
        let mut bytes = CLASS_ID.to_vec();
        bytes.extend_from_slice(&[0x07, 0xD8, 3, 25]);
        assert_eq!(date_fields(&bytes), (2008, 3, 25));
    }

    #[test]
    fn impossible_dates_point_at_the_field() {
        let with = |yh, yl, m, d| {
            let mut bytes = CLASS_ID.to_vec();
            bytes.extend_from_slice(&[yh, yl, m, d]);
            bytes.resize(HEADER_LEN, 0);
            instance_date(&bytes).map_err(|(at, _)| at)
        };
        assert_eq!(with(0x07, 0xDD, 13, 1), Err(MONTH_AT), "month 13");
        assert_eq!(with(0x07, 0xDD, 3, 32), Err(DAY_AT), "day 32");
        assert_eq!(
            with(0x07, 0xDD, 2, 29),
            Err(DAY_AT),
            "2013 is not a leap year"
        );
        assert_eq!(with(0x07, 0xDD, 0, 0), Err(MONTH_AT), "year without month");
        assert_eq!(with(0, 0, 3, 1), Err(YEAR_AT), "month without year");
        assert_eq!(with(0x27, 0x10, 1, 1), Err(YEAR_AT), "year 10000");
        assert!(
            with(0x07, 0xD0, 2, 29).unwrap().is_some(),
            "2000-02-29 exists"
        );
        assert_eq!(with(0, 0, 0, 0), Ok(None));
    }
}
