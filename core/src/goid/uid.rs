//! iCalendar UIDs ([MS-OXCICAL] 2.1.3.1.1.20.26) and the third-party `vCal-Uid` data form
//! ([MS-ASEMAIL] 2.2.2.37).
//!
//! A UID is either an *EncodedGlobalId* (the hex of a GlobalObjectId: only hex digits, an even
//! number of them, at least 82, starting with the class id in either case) or a
//! *ThirdPartyGlobalId* (anything else). A third-party UID travels inside a GlobalObjectId whose
//! data is `"vCal-Uid"`, the version `01 00 00 00`, the UID's UTF-8 bytes and a NUL.
//!
//! NUL convention: we **emit** the trailing NUL and count it in the Size field, as Outlook,
//! Exchange and ActiveSync do ([MS-ASEMAIL] 2.2.2.37 `VCALID = VCALSTRING VERSION UID %x00`;
//! its section 4.3 example has Size 51 = 8 + 4 + 38 + 1), so our bytes equal theirs and a
//! FindItem on the clean id matches. We **accept** both forms: one trailing NUL, when present,
//! is not part of the UID.

use super::layout::{CLASS_ID, CLASS_ID_HEX, HEADER_LEN, SIZE_AT, YEAR_AT};

/// The marker that starts third-party data.
pub(crate) const VCAL_MARKER: &[u8; 8] = b"vCal-Uid";
/// The version that follows the marker.
pub(crate) const VCAL_VERSION: [u8; 4] = [0x01, 0x00, 0x00, 0x00];
/// Marker plus version.
pub(crate) const VCAL_PREFIX_LEN: usize = 12;
/// Shortest EncodedGlobalId: the 40-byte header and one data byte, in hex.
pub(crate) const MIN_ENCODED_LEN: usize = 82;

/// What the data of a GlobalObjectId says about a third-party UID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Vcal<'a> {
    /// No `vCal-Uid` marker: an opaque Outlook id.
    Absent,
    /// The marker with a version other than 1.
    UnknownVersion,
    /// The embedded UID bytes (one trailing NUL removed when present).
    Uid(&'a [u8]),
}

/// Reads the third-party form from the data field.
pub(crate) fn vcal(data: &[u8]) -> Vcal<'_> {
    let Some(rest) = data.strip_prefix(VCAL_MARKER.as_slice()) else {
        return Vcal::Absent;
    };
    let Some(uid) = rest.strip_prefix(VCAL_VERSION.as_slice()) else {
        return Vcal::UnknownVersion;
    };
    Vcal::Uid(uid.strip_suffix(&[0]).unwrap_or(uid))
}

/// Whether `uid` is an EncodedGlobalId per [MS-OXCICAL] 2.1.3.1.1.20.26.
pub(crate) fn is_encoded(uid: &str) -> bool {
    uid.len() >= MIN_ENCODED_LEN
        && uid.len() % 2 == 0
        && uid.bytes().all(|b| b.is_ascii_hexdigit())
        && uid
            .get(..CLASS_ID_HEX.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(CLASS_ID_HEX))
}

/// A third-party GlobalObjectId wrapping `uid`, with the instance-date bytes given and zero
/// creation time. `None` when the data would not fit the 32-bit Size field.
pub(crate) fn wrap(uid: &str, date: [u8; 4]) -> Option<Vec<u8>> {
    let data_len = VCAL_PREFIX_LEN.checked_add(uid.len())?.checked_add(1)?;
    let size = u32::try_from(data_len).ok()?;
    let mut bytes = Vec::with_capacity(HEADER_LEN + data_len);
    bytes.extend_from_slice(&CLASS_ID);
    bytes.extend_from_slice(&date);
    bytes.resize(SIZE_AT, 0); // creation time and reserved bytes: zero
    bytes.extend_from_slice(&size.to_le_bytes());
    bytes.extend_from_slice(VCAL_MARKER);
    bytes.extend_from_slice(&VCAL_VERSION);
    bytes.extend_from_slice(uid.as_bytes());
    bytes.push(0);
    debug_assert_eq!(bytes.len(), HEADER_LEN + data_len);
    debug_assert_eq!(&bytes[..YEAR_AT], &CLASS_ID);
    Some(bytes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn vcal_accepts_with_and_without_the_nul() {
        assert_eq!(vcal(b"vCal-Uid\x01\0\0\0abc\0"), Vcal::Uid(b"abc"));
        assert_eq!(vcal(b"vCal-Uid\x01\0\0\0abc"), Vcal::Uid(b"abc"));
        assert_eq!(
            vcal(b"vCal-Uid\x01\0\0\0abc\0\0"),
            Vcal::Uid(b"abc\0"),
            "only one NUL"
        );
        assert_eq!(vcal(b"vCal-Uid\x01\0\0\0"), Vcal::Uid(b""));
        assert_eq!(vcal(b"vCal-Uid\x02\0\0\0abc"), Vcal::UnknownVersion);
        assert_eq!(
            vcal(b"vCal-Uid\x01\0"),
            Vcal::UnknownVersion,
            "short version"
        );
        assert_eq!(vcal(b"vCal-Ui"), Vcal::Absent, "short marker");
        assert_eq!(vcal(b""), Vcal::Absent);
        assert_eq!(
            vcal(b"VCAL-UID\x01\0\0\0abc"),
            Vcal::Absent,
            "the marker is case-sensitive"
        );
    }

    #[test]
    fn encoded_needs_every_constraint() {
        let good = format!("{CLASS_ID_HEX}{}", "0".repeat(50));
        assert_eq!(good.len(), 82);
        assert!(is_encoded(&good));
        assert!(is_encoded(&good.to_lowercase()), "class id in any case");
        assert!(!is_encoded(&good[..80]), "80 digits is too short");
        assert!(!is_encoded(&format!("{good}0")), "odd length");
        assert!(!is_encoded(&format!("{}g", &good[..81])), "non-hex digit");
        assert!(!is_encoded(&format!("14{}", &good[2..])), "other class id");
        assert!(!is_encoded("é"), "multi-byte text never panics");
    }
}
