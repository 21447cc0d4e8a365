//! FILETIME ([MS-DTYP] 2.3.3): 100-nanosecond ticks since 1601-01-01 00:00:00 UTC.
//!
//! The `time` crate counts nanoseconds, so a tick converts exactly (ticks * 100). Text output
//! keeps all seven fractional digits, formatted from the tick count itself.

use time::OffsetDateTime;

/// FILETIME ticks between 1601-01-01 and 1970-01-01.
const UNIX_EPOCH_TICKS: i128 = 116_444_736_000_000_000;
/// Ticks per second.
const TICKS_PER_SECOND: u64 = 10_000_000;

/// The instant a FILETIME names, `None` for zero ("not set") or past 9999-12-31.
pub fn to_datetime(ticks: u64) -> Option<OffsetDateTime> {
    if ticks == 0 {
        return None;
    }
    let nanos = (i128::from(ticks) - UNIX_EPOCH_TICKS) * 100;
    // The explicit bound keeps the text form four-digit even if `time/large-dates` is enabled.
    OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .filter(|at| at.year() <= 9999)
}

/// The FILETIME of an instant, `None` before 1601 (FILETIME cannot hold it). Sub-tick
/// nanoseconds are truncated.
pub fn from_datetime(at: OffsetDateTime) -> Option<u64> {
    let ticks = at.unix_timestamp_nanos().div_euclid(100) + UNIX_EPOCH_TICKS;
    u64::try_from(ticks).ok()
}

/// RFC 3339 in UTC with exactly seven fractional digits (one per 100 ns tick):
/// `2013-08-08T07:09:28.5348202Z`. `None` where [`to_datetime`] is `None`.
pub fn to_rfc3339(ticks: u64) -> Option<String> {
    let at = to_datetime(ticks)?;
    let fraction = ticks % TICKS_PER_SECOND;
    Some(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{fraction:07}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn zero_is_not_a_time() {
        assert_eq!(to_datetime(0), None);
        assert_eq!(to_rfc3339(0), None);
    }

    #[test]
    fn one_tick_is_one_hundred_nanoseconds() {
        let t = to_datetime(1).unwrap();
        assert_eq!(t.year(), 1601);
        assert_eq!(t.nanosecond(), 100);
        assert_eq!(to_rfc3339(1).unwrap(), "1601-01-01T00:00:00.0000001Z");
    }

    #[test]
    fn unix_epoch_lands_on_1970() {
        let ticks = u64::try_from(UNIX_EPOCH_TICKS).unwrap();
        assert_eq!(to_datetime(ticks).unwrap(), OffsetDateTime::UNIX_EPOCH);
        assert_eq!(from_datetime(OffsetDateTime::UNIX_EPOCH), Some(ticks));
    }

    #[test]
    fn the_far_future_is_out_of_range_not_a_panic() {
        assert_eq!(to_datetime(u64::MAX), None);
        assert_eq!(to_rfc3339(u64::MAX), None);
    }

    #[test]
    fn last_representable_tick_formats() {
        // 9999-12-31T23:59:59.9999999Z
        let t = time::macros::datetime!(9999-12-31 23:59:59.9999999 UTC);
        let ticks = from_datetime(t).unwrap();
        assert_eq!(to_rfc3339(ticks).unwrap(), "9999-12-31T23:59:59.9999999Z");
        assert_eq!(to_datetime(ticks + 1), None);
    }
}
