//! Characters, names, references and white space, by the rules of XML 1.0 (fifth edition).

use std::borrow::Cow;

use crate::error::{Error, ErrorKind};

pub(super) const XML_WS: [char; 4] = [' ', '\t', '\r', '\n'];

/// Whether `s` is only XML white space.
pub(crate) fn is_xml_whitespace(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// Trims XML white space from both ends, keeping a borrowed text borrowed.
pub(crate) fn trim(text: Cow<'_, str>) -> Cow<'_, str> {
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim_matches(XML_WS)),
        Cow::Owned(s) => {
            let t = s.trim_matches(XML_WS);
            if t.len() == s.len() {
                Cow::Owned(s)
            } else {
                Cow::Owned(t.to_owned())
            }
        }
    }
}

/// XML 1.0 §2.11: CRLF and lone CR read as LF. Borrowed when there is no CR.
pub(super) fn normalize_eol(s: &str) -> Cow<'_, str> {
    if memchr::memchr(b'\r', s.as_bytes()).is_none() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Resolves the reference `&name;` found at `offset`: the five predefined entities and
/// character references. Anything else is refused: entities are never expanded.
pub(super) fn resolve_reference(name: &str, offset: usize) -> Result<char, Error> {
    match name {
        "amp" => return Ok('&'),
        "lt" => return Ok('<'),
        "gt" => return Ok('>'),
        "apos" => return Ok('\''),
        "quot" => return Ok('"'),
        _ => {}
    }
    let Some(num) = name.strip_prefix('#') else {
        return Err(Error::at(
            ErrorKind::UnknownEntity {
                name: name.chars().take(64).collect(),
            },
            offset,
        ));
    };
    let code = match num.strip_prefix('x') {
        Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            u32::from_str_radix(hex, 16).ok()
        }
        None if !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()) => num.parse().ok(),
        _ => None,
    };
    match code.and_then(char::from_u32) {
        Some(c) if is_xml_char(c) => Ok(c),
        _ => Err(Error::at(
            ErrorKind::InvalidCharacter {
                reason: format!(
                    "`&{};` is not an XML character",
                    name.chars().take(16).collect::<String>()
                ),
            },
            offset,
        )),
    }
}

/// Whether XML 1.0 allows `c` in a document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// Decodes an attribute value found at `offset`: references, then XML 1.0 §3.3.3 white-space
/// normalization (tab, CR, LF and CRLF each become one space; characters written as references
/// stay as written). Borrowed when nothing changes.
pub(super) fn decode_attribute(value: &str, offset: usize) -> Result<Cow<'_, str>, Error> {
    if !value
        .bytes()
        .any(|b| matches!(b, b'&' | b'\t' | b'\r' | b'\n'))
    {
        return Ok(Cow::Borrowed(value));
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    let mut at = offset;
    while let Some(i) = rest.find(['&', '\t', '\r', '\n']) {
        out.push_str(&rest[..i]);
        let c = rest.as_bytes()[i];
        if c == b'&' {
            let after = &rest[i + 1..];
            let Some(end) = after.find(';') else {
                return Err(Error::at(
                    ErrorKind::MalformedXml {
                        reason: "`&` without a closing `;`".into(),
                    },
                    at + i,
                ));
            };
            out.push(resolve_reference(&after[..end], at + i)?);
            let consumed = i + 1 + end + 1;
            rest = &rest[consumed..];
            at += consumed;
        } else {
            out.push(' ');
            let consumed = if c == b'\r' && rest.as_bytes().get(i + 1) == Some(&b'\n') {
                i + 2
            } else {
                i + 1
            };
            rest = &rest[consumed..];
            at += consumed;
        }
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

/// Checks that every character of the input is allowed by XML 1.0 (no C0 controls other than
/// tab, LF and CR; no U+FFFE or U+FFFF).
///
/// One branch-free pass over 64-byte chunks (it vectorizes) finds both the controls and the
/// byte 0xEF that starts the UTF-8 encoding of U+FFFE and U+FFFF (`EF BF BE`, `EF BF BF`); the
/// non-characters are looked for only in inputs that hold an 0xEF byte at all.
///
/// Returns whether the input holds a carriage return, so that text needs no end-of-line
/// handling (§2.11) when it does not.
pub(super) fn check_chars(input: &str) -> Result<bool, Error> {
    const CHUNK: usize = 64;
    let bytes = input.as_bytes();
    let bad = |b: u8| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r');
    let mut lead_ef = false;
    for (n, chunk) in bytes.chunks(CHUNK).enumerate() {
        let (any_bad, any_ef) = chunk.iter().fold((false, false), |(bad_acc, ef_acc), &b| {
            (bad_acc | bad(b), ef_acc | (b == 0xEF))
        });
        lead_ef |= any_ef;
        if any_bad {
            if let Some(i) = chunk.iter().position(|&b| bad(b)) {
                let at = n * CHUNK + i;
                return Err(Error::at(
                    ErrorKind::InvalidCharacter {
                        reason: format!("control character U+{:04X}", bytes[at]),
                    },
                    at,
                ));
            }
        }
    }
    if lead_ef {
        let mut from = 0;
        while let Some(i) = memchr::memchr(0xEF, &bytes[from..]) {
            let at = from + i;
            if let [0xBF, last @ (0xBE | 0xBF)] = bytes.get(at + 1..at + 3).unwrap_or_default() {
                let c = if *last == 0xBE { 0xFFFE } else { 0xFFFF };
                return Err(Error::at(
                    ErrorKind::InvalidCharacter {
                        reason: format!("non-character U+{c:04X}"),
                    },
                    at,
                ));
            }
            from = at + 1;
        }
    }
    Ok(memchr::memchr(b'\r', bytes).is_some())
}

/// Classes of ASCII bytes in names: bit 0 set for every byte a name may hold (letters, digits,
/// `_`, `-`, `.`, `:`), bit 1 for those it may also start with (all but digits, `-`, `.`).
const NAME_ASCII: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphabetic() || c == b'_' || c == b':' {
            table[b] = 3;
        } else if c.is_ascii_digit() || c == b'-' || c == b'.' {
            table[b] = 1;
        }
        b += 1;
    }
    table
};

/// Checks that `name` (found at `offset`) is an XML name (prefix, colon and local part), and
/// gives the position of its first colon, so callers need not look for it again.
pub(super) fn check_name(name: &str, offset: usize) -> Result<Option<usize>, Error> {
    let bytes = name.as_bytes();
    // Branch-free over the name: AND the classes of its bytes (0 for a non-ASCII byte).
    let class = |b: u8| NAME_ASCII.get(usize::from(b)).copied().unwrap_or(0);
    let all = bytes.iter().fold(1u8, |acc, &b| acc & class(b));
    let starts = bytes.first().is_some_and(|&b| class(b) & 2 != 0);
    if all != 0 && starts {
        return Ok(bytes.iter().position(|&b| b == b':'));
    }
    for (i, c) in name.char_indices() {
        let ok = if i == 0 {
            is_name_start(c)
        } else {
            is_name_start(c) || is_name_char(c)
        };
        if !ok {
            return Err(Error::at(
                ErrorKind::InvalidCharacter {
                    reason: format!("U+{:04X} is not allowed in the name `{name}`", c as u32),
                },
                offset + i,
            ));
        }
    }
    if name.is_empty() {
        return Err(Error::at(
            ErrorKind::MalformedXml {
                reason: "empty name".into(),
            },
            offset,
        ));
    }
    Ok(name.find(':'))
}

/// XML 1.0 (fifth edition) NameStartChar.
fn is_name_start(c: char) -> bool {
    matches!(c,
        ':' | 'A'..='Z' | '_' | 'a'..='z' | '\u{c0}'..='\u{d6}' | '\u{d8}'..='\u{f6}'
        | '\u{f8}'..='\u{2ff}' | '\u{370}'..='\u{37d}' | '\u{37f}'..='\u{1fff}'
        | '\u{200c}'..='\u{200d}' | '\u{2070}'..='\u{218f}' | '\u{2c00}'..='\u{2fef}'
        | '\u{3001}'..='\u{d7ff}' | '\u{f900}'..='\u{fdcf}' | '\u{fdf0}'..='\u{fffd}'
        | '\u{10000}'..='\u{effff}')
}

/// XML 1.0 (fifth edition) NameChar beyond NameStartChar.
fn is_name_char(c: char) -> bool {
    matches!(c, '-' | '.' | '0'..='9' | '\u{b7}' | '\u{300}'..='\u{36f}' | '\u{203f}'..='\u{2040}')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn attribute_values_are_normalized_and_decoded() {
        assert!(matches!(
            decode_attribute("abc", 0).unwrap(),
            Cow::Borrowed("abc")
        ));
        assert_eq!(decode_attribute("a\r\nb\tc", 0).unwrap(), "a b c");
        assert_eq!(decode_attribute("a&amp;b&#x41;&#10;", 0).unwrap(), "a&bA\n");
        assert_eq!(
            decode_attribute("x&foo;", 10).unwrap_err().offset(),
            Some(11)
        );
    }

    #[test]
    fn control_characters_are_refused_with_their_offset() {
        let mut s = "a".repeat(130);
        s.push('\u{1}');
        let e = check_chars(&s).unwrap_err();
        assert_eq!((e.code(), e.offset()), ("invalid_character", Some(130)));
    }

    #[test]
    fn non_characters_are_refused_with_their_offset() {
        assert!(!check_chars("a\u{fffd}\u{f000}\u{ef}b").unwrap());
        assert!(check_chars(&format!("{}\r\n", "a".repeat(100))).unwrap());
        for c in ['\u{fffe}', '\u{ffff}'] {
            let s = format!("{}\u{fffd}x{c}y", "a".repeat(70));
            let e = check_chars(&s).unwrap_err();
            assert_eq!((e.code(), e.offset()), ("invalid_character", Some(74)));
        }
    }

    #[test]
    fn names_are_checked_and_their_colon_found() {
        assert_eq!(check_name("t:ItemId", 0).unwrap(), Some(1));
        assert_eq!(check_name("ItemId", 0).unwrap(), None);
        assert_eq!(check_name("_a.b-c9", 0).unwrap(), None);
        assert_eq!(check_name("\u{d55c}:\u{ae00}", 0).unwrap(), Some(3));
        assert_eq!(check_name("a:b:c", 0).unwrap(), Some(1));
        for (bad, at) in [
            ("9a", 10),
            ("-a", 10),
            (".a", 10),
            ("a b", 11),
            ("a\u{a0}", 11),
        ] {
            let e = check_name(bad, 10).unwrap_err();
            assert_eq!(
                (e.code(), e.offset()),
                ("invalid_character", Some(at)),
                "{bad}"
            );
        }
        assert_eq!(check_name("", 4).unwrap_err().code(), "malformed_xml");
    }

    #[test]
    fn line_ends_read_as_lf() {
        assert_eq!(normalize_eol("a\r\nb\rc"), "a\nb\nc");
        assert!(matches!(normalize_eol("a\nb"), Cow::Borrowed(_)));
    }
}
