//! Hex and base64 text forms, decoded with the offset of the first bad character.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::error::GoidError;

/// Standard alphabet; padding accepted when present and when absent (EWS always pads).
const BASE64_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Text with surrounding ASCII white space removed, and how many bytes were cut from the front.
pub(crate) fn trim(text: &str) -> (&str, usize) {
    let start = text.len()
        - text
            .trim_start_matches(|c: char| c.is_ascii_whitespace())
            .len();
    let inner = text.trim_matches(|c: char| c.is_ascii_whitespace());
    (inner, start)
}

/// Uppercase hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0F)]));
    }
    out
}

/// Standard padded base64 of `bytes`.
pub fn to_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The first character of `text` at byte `at`, for error messages.
fn char_at(text: &str, at: usize) -> char {
    text.get(at..)
        .and_then(|s| s.chars().next())
        .unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// Hex digits (either case) to bytes. `Err` holds the offset into `text` and the reason.
pub(crate) fn decode_hex(text: &str) -> Result<Vec<u8>, (usize, GoidError)> {
    let bytes = text.as_bytes();
    if let Some(at) = bytes.iter().position(|&b| hex_value(b).is_none()) {
        return Err((
            at,
            GoidError::BadHex {
                found: char_at(text, at),
            },
        ));
    }
    if bytes.len() % 2 != 0 {
        return Err((bytes.len(), GoidError::OddHexLength { len: bytes.len() }));
    }
    Ok(bytes
        .chunks_exact(2)
        .map(|pair| {
            let hi = hex_value(pair[0]).unwrap_or(0);
            let lo = hex_value(pair[1]).unwrap_or(0);
            hi << 4 | lo
        })
        .collect())
}

/// Base64 to bytes. `Err` holds the offset into `text` and the reason.
pub(crate) fn decode_base64(text: &str) -> Result<Vec<u8>, (usize, GoidError)> {
    use base64::DecodeError as E;
    BASE64_LENIENT.decode(text).map_err(|e| {
        let (at, reason) = match e {
            E::InvalidByte(at, _) => (at, format!("unexpected character {:?}", char_at(text, at))),
            E::InvalidLastSymbol(at, _) => (
                at,
                format!("last character {:?} has bits left over", char_at(text, at)),
            ),
            E::InvalidLength(len) => (text.len(), format!("{len} symbols end mid-group")),
            E::InvalidPadding => (
                text.find('=').unwrap_or(text.len()),
                String::from("misplaced padding"),
            ),
        };
        (at, GoidError::BadBase64 { reason })
    })
}

/// The text offset of the first base64 character that encodes decoded byte `i`.
pub(crate) fn base64_char_of_byte(i: usize) -> usize {
    i / 3 * 4 + i % 3
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn hex_accepts_either_case_and_encodes_upper() {
        assert_eq!(decode_hex("0aFf").unwrap(), vec![0x0A, 0xFF]);
        assert_eq!(to_hex(&[0x0A, 0xFF]), "0AFF");
    }

    #[test]
    fn hex_errors_carry_offsets() {
        assert_eq!(
            decode_hex("00g0").unwrap_err(),
            (2, GoidError::BadHex { found: 'g' })
        );
        assert_eq!(
            decode_hex("00é0").unwrap_err(),
            (2, GoidError::BadHex { found: 'é' })
        );
        assert_eq!(
            decode_hex("000").unwrap_err(),
            (3, GoidError::OddHexLength { len: 3 })
        );
    }

    #[test]
    fn base64_errors_carry_offsets() {
        assert_eq!(decode_base64("AAAA!AAA").unwrap_err().0, 4);
        assert_eq!(
            decode_base64("AAAAA").unwrap_err().0,
            5,
            "one symbol past a group"
        );
        assert_eq!(
            decode_base64("AB==").unwrap_err().0,
            1,
            "B leaves bits over"
        );
        assert_eq!(decode_base64("AA=A").unwrap_err().0, 2);
        assert_eq!(
            decode_base64("AAA").unwrap(),
            vec![0, 0],
            "padding is optional"
        );
        assert_eq!(decode_base64("AAA=").unwrap(), vec![0, 0]);
    }

    #[test]
    fn base64_char_of_byte_points_at_the_first_bits() {
        // byte 0 starts in char 0, byte 1 in char 1, byte 2 in char 2, byte 3 in char 4.
        assert_eq!(
            (0..7).map(base64_char_of_byte).collect::<Vec<_>>(),
            vec![0, 1, 2, 4, 5, 6, 8]
        );
    }

    #[test]
    fn trim_reports_the_cut() {
        assert_eq!(trim("  ab \n"), ("ab", 2));
        assert_eq!(trim("ab"), ("ab", 0));
    }
}
