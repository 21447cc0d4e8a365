//! The NTLMv2 primitives of [MS-NLMP] sections 3.3.2, 3.4.5.1 and 6: NTOWFv2, HMAC-MD5, the
//! session key and RC4 (for `NEGOTIATE_KEY_EXCH`).

use hmac::{Hmac, KeyInit, Mac};
use md4::{Digest, Md4};
use md5::Md5;

/// HMAC with MD5, the MAC of NTLMv2.
pub(super) type HmacMd5 = Hmac<Md5>;

/// A 16-byte NTLM key or digest (NTOWFv2, NTProofStr, session keys, MIC).
pub(super) type Key = [u8; 16];

/// UTF-16LE, the encoding of every string NTLMv2 hashes.
pub(super) fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// `UPPERCASE(user)` as Windows does it: one character for one, so a character whose upper case
/// is several (`ß`) stays as it is, as with `RtlUpcaseUnicodeString`.
fn upper(user: &str) -> String {
    user.chars()
        .map(|c| {
            let mut up = c.to_uppercase();
            match (up.next(), up.next()) {
                (Some(u), None) => u,
                _ => c,
            }
        })
        .collect()
}

/// A MAC keyed with a 16-byte key.
///
/// HMAC pads a key shorter than the hash's block to the block with zeros (RFC 2104, section
/// 2), so the padded block is the same key; building from the block cannot fail, unlike
/// `new_from_slice`, which would need an `unwrap` for a case that never happens.
pub(super) fn hmac_md5(key: &Key) -> HmacMd5 {
    let mut block = [0u8; 64];
    block[..16].copy_from_slice(key);
    HmacMd5::new(&block.into())
}

/// `HMAC_MD5(key, parts[0] ‖ parts[1] ‖ ...)`.
pub(super) fn hmac_md5_of(key: &Key, parts: &[&[u8]]) -> Key {
    let mut mac = hmac_md5(key);
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// `NTOWFv2(Passwd, User, UserDom) = HMAC_MD5(MD4(UNICODE(Passwd)), UNICODE(ConcatenationOf(
/// Uppercase(User), UserDom)))` ([MS-NLMP] section 3.3.2), with user and domain as the
/// AUTHENTICATE message spells them.
pub(super) fn ntowf_v2(password: &str, user: &str, domain: &str) -> Key {
    let nt_hash: Key = Md4::digest(utf16le(password)).into();
    hmac_md5_of(&nt_hash, &[&utf16le(&upper(user)), &utf16le(domain)])
}

/// MD5 of `data`.
pub(super) fn md5(data: &[u8]) -> Key {
    Md5::digest(data).into()
}

/// RC4 of `data` under `key`: with `NEGOTIATE_KEY_EXCH` the client sends the session key it
/// made up encrypted with the key both sides derived ([MS-NLMP] section 3.1.5.1.2).
pub(super) fn rc4(key: &[u8], data: &[u8]) -> Vec<u8> {
    // Key scheduling; the key repeats over the 256 steps (an empty key reads as zeros).
    let mut s: [u8; 256] = std::array::from_fn(|i| i as u8);
    let mut key = key.iter().copied().cycle();
    let mut j = 0u8;
    for i in 0..256 {
        j = j.wrapping_add(s[i]).wrapping_add(key.next().unwrap_or(0));
        s.swap(i, usize::from(j));
    }
    // Key stream, XORed onto the data.
    let (mut i, mut j) = (0u8, 0u8);
    data.iter()
        .map(|byte| {
            i = i.wrapping_add(1);
            j = j.wrapping_add(s[usize::from(i)]);
            s.swap(usize::from(i), usize::from(j));
            byte ^ s[usize::from(s[usize::from(i)].wrapping_add(s[usize::from(j)]))]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn rc4_matches_the_classic_test_vectors() {
        let cases: [(&[u8], &[u8], &[u8]); 3] = [
            (
                b"Key",
                b"Plaintext",
                &[0xbb, 0xf3, 0x16, 0xe8, 0xd9, 0x40, 0xaf, 0x0a, 0xd3],
            ),
            (b"Wiki", b"pedia", &[0x10, 0x21, 0xbf, 0x04, 0x20]),
            (
                b"Secret",
                b"Attack at dawn",
                &[
                    0x45, 0xa0, 0x1f, 0x64, 0x5f, 0xc3, 0x5b, 0x38, 0x35, 0x52, 0x54, 0x4b, 0x9b,
                    0xf5,
                ],
            ),
        ];
        for (key, plain, cipher) in cases {
            assert_eq!(rc4(key, plain), cipher, "RC4 with key {key:?}");
            assert_eq!(rc4(key, cipher), plain, "RC4 is its own inverse");
        }
    }

    #[test]
    fn upper_keeps_one_character_for_one() {
        assert_eq!(upper("svc-sync"), "SVC-SYNC");
        assert_eq!(upper("straße"), "STRAßE");
    }
}
