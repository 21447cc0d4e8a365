//! GlobalObjectId (PidLidGlobalObjectId) and CleanGlobalObjectId: decode, clean, iCalendar UIDs.
//!
//! A meeting is the same meeting in every mailbox because its items share a *GlobalObjectId*
//! (PSETID_Meeting LID 0x0003, [MS-OXOCAL] 2.2.1.27), not an `ItemId`. An exception to a
//! recurring series, and an *orphan* instance that an attendee received alone, carry the
//! original date of their instance inside the id, so they differ from the series' id. The
//! *clean* form (LID 0x0023, [MS-OXOCAL] 2.2.1.28) zeroes that date: every instance, orphan and
//! the series itself share it. The iCalendar *UID* is the uppercase hex of the clean form, or,
//! for a meeting that came from another calendar system, the UID text that system chose
//! ([MS-OXCICAL] 2.1.3.1.1.20.26).
//!
//! ```
//! use ews_notify::GlobalObjectId;
//!
//! // The GOID of an exception moved from 2008-03-25 ([MS-OXOCAL] section 4 example).
//! let goid = GlobalObjectId::from_hex(
//!     "040000008200E00074C5B7101A82E00807D803195025D461E473C801\
//!      0000000000000000100000002A5844B3A444F74A9C246C60886F116B",
//! )?;
//! assert!(goid.is_exception());
//! assert_eq!(goid.instance_date(), Some(time::macros::date!(2008-03-25)));
//! assert_eq!(
//!     goid.to_ical_uid(),
//!     "040000008200E00074C5B7101A82E008000000005025D461E473C801\
//!      0000000000000000100000002A5844B3A444F74A9C246C60886F116B",
//! );
//! # Ok::<(), ews_notify::Error>(())
//! ```
//!
//! To find a meeting's items with EWS `FindItem`, restrict on the clean id:
//!
//! ```xml
//! <t:IsEqualTo>
//!   <t:ExtendedFieldURI DistinguishedPropertySetId="Meeting" PropertyId="35" PropertyType="Binary"/>
//!   <t:FieldURIOrConstant><t:Constant Value="{GlobalObjectId::restriction_value()}"/></t:FieldURIOrConstant>
//! </t:IsEqualTo>
//! ```

mod error;
mod filetime;
mod layout;
mod summary;
mod text;
mod uid;

#[cfg(test)]
mod tests;

use std::borrow::Cow;

pub use error::{GoidError, GoidWarning, WarningSummary};
pub use filetime::{from_datetime as filetime_from_datetime, to_datetime as filetime_to_datetime};
pub use layout::{
    CLASS_ID, CLASS_ID_HEX, EWS_PROPERTY_SET, HEADER_LEN, LID_CLEAN_GLOBAL_OBJECT_ID,
    LID_GLOBAL_OBJECT_ID, PSETID_MEETING,
};
pub use summary::GoidSummary;

use crate::{Error, ErrorKind};
use layout::{DAY_AT, RESERVED_AT, SIZE_AT, YEAR_AT};
use uid::Vcal;

/// A validated PidLidGlobalObjectId or PidLidCleanGlobalObjectId value.
///
/// Layout per [MS-OXOCAL] 2.2.1.27: class id (16 bytes), instance date (YH YL M D, year
/// big-endian), creation time (FILETIME, little-endian, UTC), 8 reserved bytes, Size (u32
/// little-endian), Size bytes of data. Construction checks everything an accessor relies on, so
/// the accessors never fail and never read past the buffer.
///
/// [`GlobalObjectId::from_bytes`] borrows; the text constructors decode into an owned value.
/// Equality is byte equality; for "same meeting" use [`same_meeting`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GlobalObjectId<'a> {
    bytes: Cow<'a, [u8]>,
}

/// Maps a layout error at `at` (an index into the decoded bytes) to a crate error at an index
/// into the caller's text.
fn to_error(at: usize, error: GoidError, offset_of: impl Fn(usize) -> usize) -> Error {
    Error::at(ErrorKind::Goid(error), offset_of(at))
}

impl<'a> GlobalObjectId<'a> {
    /// Reads a GlobalObjectId from its bytes, borrowing them.
    ///
    /// # Errors
    ///
    /// [`GoidError::TooShort`], [`GoidError::WrongClassId`], [`GoidError::ImpossibleDate`] or
    /// [`GoidError::SizeTooLarge`], with the byte offset of the problem. Nonzero reserved bytes
    /// and trailing bytes are not errors: see [`GlobalObjectId::warnings`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use ews_notify::GlobalObjectId;
    /// let err = GlobalObjectId::from_bytes(&[0x04, 0x00, 0x00]).unwrap_err();
    /// assert_eq!((err.code(), err.offset()), ("goid_too_short", Some(3)));
    /// ```
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, Error> {
        layout::validate(bytes).map_err(|(at, e)| to_error(at, e, |at| at))?;
        Ok(Self {
            bytes: Cow::Borrowed(bytes),
        })
    }

    /// Reads a GlobalObjectId from owned bytes.
    ///
    /// # Errors
    ///
    /// As [`GlobalObjectId::from_bytes`].
    pub fn from_vec(bytes: Vec<u8>) -> Result<GlobalObjectId<'static>, Error> {
        layout::validate(&bytes).map_err(|(at, e)| to_error(at, e, |at| at))?;
        Ok(GlobalObjectId {
            bytes: Cow::Owned(bytes),
        })
    }

    /// Decodes base64 text (the form EWS returns in `ExtendedProperty/Value`). Allocates.
    ///
    /// Surrounding white space is ignored; padding is optional.
    ///
    /// # Errors
    ///
    /// [`GoidError::BadBase64`] at the offending character, or any error of
    /// [`GlobalObjectId::from_bytes`] at the first character that encodes the offending byte.
    ///
    /// # Examples
    ///
    /// ```
    /// # use ews_notify::GlobalObjectId;
    /// let goid = GlobalObjectId::from_base64(
    ///     "BAAAAIIA4AB0xbcQGoLgCAAAAABqFxwHnpTOAQAAAAAAAAAAEAAAAErmMOMEWQpJoohCYDFvDhU=",
    /// )?;
    /// assert_eq!(goid.data_size(), 16);
    /// assert!(!goid.is_exception());
    /// let err = GlobalObjectId::from_base64("BAAAAIIA4AB0x*").unwrap_err();
    /// assert_eq!((err.code(), err.offset()), ("goid_bad_base64", Some(13)));
    /// # Ok::<(), ews_notify::Error>(())
    /// ```
    pub fn from_base64(text: &str) -> Result<GlobalObjectId<'static>, Error> {
        let (inner, start) = text::trim(text);
        let bytes = text::decode_base64(inner)
            .map_err(|(at, e)| Error::at(ErrorKind::Goid(e), start + at))?;
        let len = bytes.len();
        layout::validate(&bytes).map_err(|(at, e)| {
            to_error(at, e, |at| {
                start
                    + if at >= len {
                        inner.len()
                    } else {
                        text::base64_char_of_byte(at)
                    }
            })
        })?;
        Ok(GlobalObjectId {
            bytes: Cow::Owned(bytes),
        })
    }

    /// Decodes hex text, digits in either case. Allocates.
    ///
    /// Surrounding white space is ignored.
    ///
    /// # Errors
    ///
    /// [`GoidError::BadHex`] at the offending character, [`GoidError::OddHexLength`] at the
    /// end, or any error of [`GlobalObjectId::from_bytes`] at the first digit of the offending
    /// byte (twice its byte offset).
    pub fn from_hex(text: &str) -> Result<GlobalObjectId<'static>, Error> {
        let (inner, start) = text::trim(text);
        let bytes =
            text::decode_hex(inner).map_err(|(at, e)| Error::at(ErrorKind::Goid(e), start + at))?;
        layout::validate(&bytes).map_err(|(at, e)| to_error(at, e, |at| start + 2 * at))?;
        Ok(GlobalObjectId {
            bytes: Cow::Owned(bytes),
        })
    }

    /// Decodes hex or base64, whichever the text is. Allocates.
    ///
    /// Text that starts with `04` (the first class-id byte in hex) or is made only of hex digits
    /// is read as hex, anything else as base64. The two never collide for a GlobalObjectId: its
    /// base64 always starts `BAAAAI`. So a hex id with a typo still gets a hex error pointing at
    /// the typo.
    ///
    /// # Errors
    ///
    /// As [`GlobalObjectId::from_hex`] or [`GlobalObjectId::from_base64`].
    pub fn decode(text: &str) -> Result<GlobalObjectId<'static>, Error> {
        let (inner, _) = text::trim(text);
        let all_hex = !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_hexdigit());
        if inner.starts_with("04") || all_hex {
            Self::from_hex(text)
        } else {
            Self::from_base64(text)
        }
    }

    /// The GlobalObjectId an iCalendar UID stands for ([MS-OXCICAL] 2.1.3.1.1.20.26). Allocates.
    ///
    /// A UID of only hex digits, an even number of them, at least 82, starting with
    /// [`CLASS_ID_HEX`] in either case, is decoded. Any other UID is wrapped in the third-party
    /// form: data `"vCal-Uid"`, `01 00 00 00`, the UID's UTF-8 bytes and a NUL that the Size
    /// field counts, as Outlook, Exchange and ActiveSync write it ([MS-ASEMAIL] 2.2.2.37);
    /// creation time and reserved bytes are zero.
    ///
    /// `instance_date` is the date of the iCalendar `RECURRENCE-ID`, if any: it is written into
    /// the instance-date field (an exception). With `None` a decoded UID keeps the date it
    /// carries and a wrapped one gets none.
    ///
    /// # Errors
    ///
    /// [`GoidError::EmptyUid`]; [`GoidError::UidTooLong`]; for an encoded UID, any error of
    /// [`GlobalObjectId::from_hex`]; [`GoidError::ImpossibleDate`] (no offset) for an
    /// `instance_date` outside years 1..=9999.
    ///
    /// # Examples
    ///
    /// ```
    /// # use ews_notify::GlobalObjectId;
    /// // [MS-ASEMAIL] section 4.3, example 2, backwards.
    /// let goid = GlobalObjectId::from_ical_uid("{81412D3C-2A24-4E9D-B20E-11F7BBE92799}", None)?;
    /// assert_eq!(
    ///     goid.to_base64(),
    ///     "BAAAAIIA4AB0xbcQGoLgCAAAAAAAAAAAAAAAAAAAAAAAAAAAMwAAAHZDYWwtVWlkAQAAAHs4MTQxMkQzQy0yQTI0LTRFOUQtQjIwRS0xMUY3QkJFOTI3OTl9AA==",
    /// );
    /// assert_eq!(goid.vcal_uid(), Some("{81412D3C-2A24-4E9D-B20E-11F7BBE92799}"));
    /// # Ok::<(), ews_notify::Error>(())
    /// ```
    pub fn from_ical_uid(
        uid: &str,
        instance_date: Option<time::Date>,
    ) -> Result<GlobalObjectId<'static>, Error> {
        if uid.is_empty() {
            return Err(Error::at(ErrorKind::Goid(GoidError::EmptyUid), 0));
        }
        let date = date_bytes(instance_date)?;
        if uid::is_encoded(uid) {
            let goid = Self::from_hex(uid)?;
            return match instance_date {
                Some(_) => Ok(goid.with_date_bytes(date)),
                None => Ok(goid),
            };
        }
        let bytes = uid::wrap(uid, date).ok_or_else(|| {
            Error::at(ErrorKind::Goid(GoidError::UidTooLong { len: uid.len() }), 0)
        })?;
        GlobalObjectId::from_vec(bytes)
    }

    /// Every byte, as given (trailing bytes included).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The original date of the instance this exception replaces (YH YL M D, [MS-OXOCAL]
    /// 2.2.1.27; the year is big-endian), `None` when the fields are zero: a series, a single
    /// meeting, or a clean id.
    pub fn instance_date(&self) -> Option<time::Date> {
        layout::instance_date(&self.bytes).ok().flatten()
    }

    /// When the id was generated (Creation Time, [MS-OXOCAL] 2.2.1.27), exact to the 100 ns
    /// tick, in UTC. `None` when the field is zero (third-party ids often leave it so) or past
    /// year 9999.
    pub fn creation_time(&self) -> Option<time::OffsetDateTime> {
        filetime::to_datetime(self.creation_filetime())
    }

    /// The raw Creation Time: 100 ns ticks since 1601-01-01 UTC (FILETIME, little-endian).
    pub fn creation_filetime(&self) -> u64 {
        layout::filetime(&self.bytes)
    }

    /// The 8 reserved bytes (X, [MS-OXOCAL] 2.2.1.27), which MUST be zero; see
    /// [`GoidWarning::ReservedNonZero`].
    pub fn reserved(&self) -> &[u8] {
        self.bytes.get(RESERVED_AT..SIZE_AT).unwrap_or_default()
    }

    /// The Size field: how many data bytes follow the header ([MS-OXOCAL] 2.2.1.27).
    pub fn data_size(&self) -> u32 {
        layout::size(&self.bytes)
    }

    /// The Size bytes of data after the header (bytes beyond them are not included; see
    /// [`GoidWarning::TrailingBytes`]).
    pub fn data(&self) -> &[u8] {
        layout::data(&self.bytes)
    }

    /// The third-party UID inside a `vCal-Uid` id ([MS-ASEMAIL] 2.2.2.37), without the trailing
    /// NUL (accepted with or without it). `None` for an Outlook id, an unknown version, or bytes
    /// that are not UTF-8.
    pub fn vcal_uid(&self) -> Option<&str> {
        match uid::vcal(self.data()) {
            Vcal::Uid(bytes) => std::str::from_utf8(bytes).ok(),
            Vcal::Absent | Vcal::UnknownVersion => None,
        }
    }

    /// Whether the instance date is set: this id belongs to one instance of a series (an
    /// exception or an orphan instance), not to the series.
    pub fn is_exception(&self) -> bool {
        layout::date_fields(&self.bytes) != (0, 0, 0)
    }

    /// The clean form ([MS-OXOCAL] 2.2.1.28): the same bytes with YH, YL, M and D zero. The
    /// series, its exceptions and its orphan instances share it. Allocates.
    pub fn clean(&self) -> GlobalObjectId<'static> {
        self.with_date_bytes([0; 4])
    }

    /// The same id with another instance date (`None` clears it): the id an exception of this
    /// series on `date` carries. Allocates.
    ///
    /// # Errors
    ///
    /// [`GoidError::ImpossibleDate`] (no offset) for a date outside years 1..=9999.
    pub fn with_instance_date(
        &self,
        date: Option<time::Date>,
    ) -> Result<GlobalObjectId<'static>, Error> {
        Ok(self.with_date_bytes(date_bytes(date)?))
    }

    fn with_date_bytes(&self, date: [u8; 4]) -> GlobalObjectId<'static> {
        let mut bytes = self.bytes.to_vec();
        if let Some(field) = bytes.get_mut(YEAR_AT..=DAY_AT) {
            field.copy_from_slice(&date);
        }
        GlobalObjectId {
            bytes: Cow::Owned(bytes),
        }
    }

    /// The iCalendar UID ([MS-OXCICAL] 2.1.3.1.1.20.26): the embedded text of a `vCal-Uid` id
    /// when it is UTF-8 and not empty, otherwise the uppercase hex of the clean form.
    ///
    /// For every id whose data is not empty, `from_ical_uid(&id.to_ical_uid(), None)` gives
    /// back the clean form (a wrapped third-party id: exactly, NUL convention included).
    pub fn to_ical_uid(&self) -> String {
        match self.vcal_uid() {
            Some(uid) if !uid.is_empty() => uid.to_owned(),
            _ => text::to_hex(self.clean().as_bytes()),
        }
    }

    /// Standard padded base64 of every byte: the EWS `ExtendedProperty` value.
    pub fn to_base64(&self) -> String {
        text::to_base64(&self.bytes)
    }

    /// Uppercase hex of every byte.
    pub fn to_hex(&self) -> String {
        text::to_hex(&self.bytes)
    }

    /// The value to compare PidLidCleanGlobalObjectId with in an EWS `FindItem` restriction
    /// (`ExtendedFieldURI DistinguishedPropertySetId="Meeting" PropertyId="35"
    /// PropertyType="Binary"`): base64 of the clean form. Finds the series, its exceptions and
    /// orphan instances alike.
    pub fn restriction_value(&self) -> String {
        text::to_base64(self.clean().as_bytes())
    }

    /// Readable-but-odd findings, in byte order: nonzero reserved bytes, empty data, an unknown
    /// `vCal-Uid` version or non-UTF-8 embedded UID, trailing bytes, an out-of-range creation
    /// time.
    pub fn warnings(&self) -> Vec<GoidWarning> {
        let mut out = Vec::new();
        let filetime = self.creation_filetime();
        if filetime != 0 && filetime::to_datetime(filetime).is_none() {
            out.push(GoidWarning::CreationTimeOutOfRange {
                offset: layout::CREATION_AT,
            });
        }
        layout::layout_warnings(&self.bytes, &mut out);
        match uid::vcal(self.data()) {
            Vcal::UnknownVersion => out.push(GoidWarning::VcalUnknownVersion {
                offset: HEADER_LEN + uid::VCAL_MARKER.len(),
            }),
            Vcal::Uid(bytes) => {
                if let Err(e) = std::str::from_utf8(bytes) {
                    out.push(GoidWarning::VcalUidNotUtf8 {
                        offset: HEADER_LEN + uid::VCAL_PREFIX_LEN + e.valid_up_to(),
                    });
                }
            }
            Vcal::Absent => {}
        }
        out.sort_by_key(GoidWarning::offset);
        out
    }

    /// Every field as plain values: the canonical GOID JSON shape.
    pub fn summary(&self) -> GoidSummary {
        let clean = self.clean();
        GoidSummary {
            hex: self.to_hex(),
            base64: self.to_base64(),
            instance_date: self
                .instance_date()
                .map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())),
            creation_time: filetime::to_rfc3339(self.creation_filetime()),
            data_size: self.data_size(),
            data_hex: text::to_hex(self.data()),
            vcal_uid: self.vcal_uid().map(str::to_owned),
            is_exception: self.is_exception(),
            clean_hex: clean.to_hex(),
            clean_base64: clean.to_base64(),
            ical_uid: self.to_ical_uid(),
            warnings: self.warnings().iter().map(GoidWarning::summary).collect(),
        }
    }

    /// The canonical GOID JSON (compact): `serde_json::to_string(&self.summary())`.
    pub fn to_json(&self) -> String {
        // Serializing strings, numbers and options cannot fail.
        serde_json::to_string(&self.summary()).unwrap_or_default()
    }

    /// The same id, owning its bytes.
    pub fn into_owned(self) -> GlobalObjectId<'static> {
        GlobalObjectId {
            bytes: Cow::Owned(self.bytes.into_owned()),
        }
    }

    /// Whether the bytes are borrowed from the caller's input.
    pub fn is_borrowed(&self) -> bool {
        matches!(self.bytes, Cow::Borrowed(_))
    }
}

/// Whether two ids name the same meeting: their clean forms are equal ([MS-OXOCAL] 2.2.1.28).
///
/// True for a series and any of its exceptions or orphan instances, in any mailbox. It compares
/// ids only, so it cannot link what Exchange split into two ids: when the organizer changes a
/// series from a past date on, the past part keeps the old id and the rest gets a new id with a
/// new creation time and data; the user sees one meeting, this says `false`, and nothing in
/// either id links them. A `DeletedEvent` carries no id at all.
pub fn same_meeting(a: &GlobalObjectId<'_>, b: &GlobalObjectId<'_>) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len()
        && a.get(..YEAR_AT) == b.get(..YEAR_AT)
        && a.get(DAY_AT + 1..) == b.get(DAY_AT + 1..)
}

/// The four instance-date bytes for `date` (year big-endian), zero for `None`.
fn date_bytes(date: Option<time::Date>) -> Result<[u8; 4], Error> {
    let Some(date) = date else {
        return Ok([0; 4]);
    };
    let month = u8::from(date.month());
    let day = date.day();
    let year = u16::try_from(date.year())
        .ok()
        .filter(|y| (1..=9999).contains(y))
        .ok_or(Error::new(
            ErrorKind::Goid(GoidError::ImpossibleDate {
                year: 0,
                month,
                day,
            }),
            None,
        ))?;
    let [yh, yl] = year.to_be_bytes();
    Ok([yh, yl, month, day])
}
