//! The NTLM messages on the wire ([MS-NLMP] section 2.2): reading NEGOTIATE and AUTHENTICATE,
//! writing CHALLENGE, and the AV pairs inside both.
//!
//! Every read of client bytes goes through [`u16_at`], [`u32_at`] and [`field`], which answer
//! `None` past the end, so a short or lying message is refused, never a panic.

/// `"NTLMSSP\0"`, the start of every message.
pub(super) const SIGNATURE: &[u8; 8] = b"NTLMSSP\0";

/// NegotiateFlags bits ([MS-NLMP] section 2.2.2.5).
pub(super) mod flags {
    /// A: strings in the payload are UTF-16LE.
    pub const UNICODE: u32 = 0x0000_0001;
    /// B: strings in the payload are in the OEM code page.
    pub const OEM: u32 = 0x0000_0002;
    /// C: the client asks for the server's TargetName.
    pub const REQUEST_TARGET: u32 = 0x0000_0004;
    /// D: message integrity.
    pub const SIGN: u32 = 0x0000_0010;
    /// E: message confidentiality.
    pub const SEAL: u32 = 0x0000_0020;
    /// H: NTLM authentication.
    pub const NTLM: u32 = 0x0000_0200;
    /// M: a signature even without SIGN.
    pub const ALWAYS_SIGN: u32 = 0x0000_8000;
    /// N: TargetName is a domain name.
    pub const TARGET_TYPE_DOMAIN: u32 = 0x0001_0000;
    /// P: NTLM v2 session security.
    pub const EXTENDED_SESSIONSECURITY: u32 = 0x0008_0000;
    /// S: the CHALLENGE carries TargetInfo.
    pub const TARGET_INFO: u32 = 0x0080_0000;
    /// T: the Version field is filled in.
    pub const VERSION: u32 = 0x0200_0000;
    /// U: 128-bit session keys.
    pub const NEGOTIATE_128: u32 = 0x2000_0000;
    /// V: the client sends a session key of its own, RC4-encrypted.
    pub const KEY_EXCH: u32 = 0x4000_0000;
    /// W: 56-bit session keys.
    pub const NEGOTIATE_56: u32 = 0x8000_0000;
}

/// AV pair ids ([MS-NLMP] section 2.2.2.1).
pub(super) mod av {
    /// The end of the list.
    pub const EOL: u16 = 0x0000;
    /// The server's NetBIOS name.
    pub const NB_COMPUTER_NAME: u16 = 0x0001;
    /// The server's NetBIOS domain.
    pub const NB_DOMAIN_NAME: u16 = 0x0002;
    /// The server's DNS name.
    pub const DNS_COMPUTER_NAME: u16 = 0x0003;
    /// The server's DNS domain.
    pub const DNS_DOMAIN_NAME: u16 = 0x0004;
    /// Client flags: 0x2 says the AUTHENTICATE message carries a MIC.
    pub const FLAGS: u16 = 0x0006;
    /// The server's FILETIME when it made the CHALLENGE.
    pub const TIMESTAMP: u16 = 0x0007;
    /// The client's channel bindings (MD5, 16 bytes).
    pub const CHANNEL_BINDINGS: u16 = 0x000a;
}

/// `MsvAvFlags` bit: the MIC field of the AUTHENTICATE message is filled in.
pub(super) const AV_FLAG_MIC: u32 = 0x0000_0002;

/// Where the AUTHENTICATE message keeps its MIC: after the fixed fields and the Version.
pub(super) const MIC_OFFSET: usize = 72;
/// The MIC's length.
pub(super) const MIC_LEN: usize = 16;

/// Message types.
pub(super) const NEGOTIATE: u32 = 1;
/// The server's answer.
pub(super) const CHALLENGE: u32 = 2;
/// The client's proof.
pub(super) const AUTHENTICATE: u32 = 3;

/// The little-endian u16 at `at`.
pub(super) fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    let bytes = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([bytes[0], bytes[1]]))
}

/// The little-endian u32 at `at`.
pub(super) fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let bytes = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

/// The (offset, length) a security buffer at `at` (Len u16, MaxLen u16, Offset u32) names.
fn buffer_at(b: &[u8], at: usize) -> Option<(usize, usize)> {
    let len = usize::from(u16_at(b, at)?);
    let offset = usize::try_from(u32_at(b, at.checked_add(4)?)?).ok()?;
    Some((offset, len))
}

/// The payload bytes the security buffer at `at` points to; `None` if they are not all there.
pub(super) fn field(b: &[u8], at: usize) -> Option<&[u8]> {
    let (offset, len) = buffer_at(b, at)?;
    b.get(offset..offset.checked_add(len)?)
}

/// The message type, if `b` starts with the NTLMSSP signature.
pub(super) fn message_type(b: &[u8]) -> Option<u32> {
    if b.get(..8)? != SIGNATURE {
        return None;
    }
    u32_at(b, 8)
}

/// Why a message could not be read: which part, for the simulator's debug log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed(pub &'static str);

/// The NegotiateFlags of a NEGOTIATE message (type 1): all the server needs from it, besides
/// its bytes for the MIC.
pub(super) fn negotiate_flags(b: &[u8]) -> Result<u32, Malformed> {
    if message_type(b) != Some(NEGOTIATE) {
        return Err(Malformed("not a NEGOTIATE message"));
    }
    u32_at(b, 12).ok_or(Malformed("NEGOTIATE message ends before its flags"))
}

/// An AUTHENTICATE message (type 3), borrowed from the client's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Authenticate<'a> {
    /// NegotiateFlags.
    pub flags: u32,
    /// NtChallengeResponse: for NTLMv2, NTProofStr followed by the client's `temp`.
    pub nt_response: &'a [u8],
    /// The domain, decoded (UTF-16LE with UNICODE, else one byte a character).
    pub domain: String,
    /// The user name, decoded likewise.
    pub user: String,
    /// EncryptedRandomSessionKey (empty without KEY_EXCH).
    pub encrypted_session_key: &'a [u8],
    /// The lowest offset any non-empty payload field starts at: the fixed header ends
    /// before it, so a MIC at [`MIC_OFFSET`] is only there if this is past it.
    pub payload_start: usize,
}

/// Security buffer offsets in the AUTHENTICATE message.
const LM_RESPONSE: usize = 12;
const NT_RESPONSE: usize = 20;
const DOMAIN: usize = 28;
const USER: usize = 36;
const WORKSTATION: usize = 44;
const SESSION_KEY: usize = 52;
const AUTH_FLAGS: usize = 60;

/// Reads an AUTHENTICATE message.
pub(super) fn parse_authenticate(b: &[u8]) -> Result<Authenticate<'_>, Malformed> {
    if message_type(b) != Some(AUTHENTICATE) {
        return Err(Malformed("not an AUTHENTICATE message"));
    }
    let flags = u32_at(b, AUTH_FLAGS).ok_or(Malformed("AUTHENTICATE ends before its flags"))?;
    let get = |at, what| field(b, at).ok_or(Malformed(what));
    let unicode = flags & flags::UNICODE != 0;
    let text = |at, what| decode(get(at, what)?, unicode).ok_or(Malformed(what));
    get(LM_RESPONSE, "LmChallengeResponse out of bounds")?;
    get(WORKSTATION, "Workstation out of bounds")?;
    let mut payload_start = b.len();
    for at in [
        LM_RESPONSE,
        NT_RESPONSE,
        DOMAIN,
        USER,
        WORKSTATION,
        SESSION_KEY,
    ] {
        if let Some((offset, len)) = buffer_at(b, at) {
            if len > 0 {
                payload_start = payload_start.min(offset);
            }
        }
    }
    Ok(Authenticate {
        flags,
        nt_response: get(NT_RESPONSE, "NtChallengeResponse out of bounds")?,
        domain: text(DOMAIN, "DomainName out of bounds or not text")?,
        user: text(USER, "UserName out of bounds or not text")?,
        encrypted_session_key: get(SESSION_KEY, "EncryptedRandomSessionKey out of bounds")?,
        payload_start,
    })
}

/// A payload string: UTF-16LE with UNICODE, else one byte a character (OEM, read as Latin-1).
fn decode(bytes: &[u8], unicode: bool) -> Option<String> {
    if !unicode {
        return Some(bytes.iter().map(|b| char::from(*b)).collect());
    }
    if bytes.len() % 2 != 0 {
        return None;
    }
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16(&units).ok()
}

/// An NTLMv2 response ([MS-NLMP] section 2.2.2.8), borrowed from the NtChallengeResponse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NtlmV2Response<'a> {
    /// NTProofStr: HMAC_MD5(NTOWFv2, ServerChallenge ‖ temp).
    pub proof: &'a [u8],
    /// `temp`, the NTLMv2_CLIENT_CHALLENGE the proof covers.
    pub temp: &'a [u8],
    /// The client's AV pairs (id, value), EOL left out.
    pub av_pairs: Vec<(u16, &'a [u8])>,
}

/// Where the AV pairs start in `temp`: RespType, HiRespType, Reserved1 (2), Reserved2 (4),
/// TimeStamp (8), ChallengeFromClient (8), Reserved3 (4).
const TEMP_AV_PAIRS: usize = 28;

/// Reads an NtChallengeResponse as NTLMv2. A 24-byte response is NTLMv1, which is refused.
pub(super) fn parse_ntlm_v2(nt: &[u8]) -> Result<NtlmV2Response<'_>, Malformed> {
    if nt.len() <= 24 {
        return Err(Malformed("NtChallengeResponse is NTLMv1 or shorter"));
    }
    let (proof, temp) = nt.split_at(16);
    // RespType and HiRespType MUST be 1 (section 2.2.2.7).
    if temp.get(..2) != Some(&[1, 1][..]) {
        return Err(Malformed("NTLMv2_CLIENT_CHALLENGE is not version 1"));
    }
    let pairs = temp.get(TEMP_AV_PAIRS..).ok_or(Malformed(
        "NTLMv2_CLIENT_CHALLENGE ends before its AV pairs",
    ))?;
    Ok(NtlmV2Response {
        proof,
        temp,
        av_pairs: parse_av_pairs(pairs)?,
    })
}

/// Reads AV pairs up to MsvAvEOL; bytes after EOL (the Z(4) padding) are ignored.
pub(super) fn parse_av_pairs(mut b: &[u8]) -> Result<Vec<(u16, &[u8])>, Malformed> {
    let mut out = Vec::new();
    loop {
        let (Some(id), Some(len)) = (u16_at(b, 0), u16_at(b, 2)) else {
            return Err(Malformed("AV pairs end without MsvAvEOL"));
        };
        if id == av::EOL {
            return Ok(out);
        }
        let end = 4 + usize::from(len);
        let value = b
            .get(4..end)
            .ok_or(Malformed("AV pair value out of bounds"))?;
        out.push((id, value));
        b = b.get(end..).unwrap_or_default();
    }
}

/// The first value of AV pair `id`.
pub(super) fn av_value<'a>(pairs: &[(u16, &'a [u8])], id: u16) -> Option<&'a [u8]> {
    pairs.iter().find(|(i, _)| *i == id).map(|(_, v)| *v)
}

/// AV pairs as bytes, MsvAvEOL appended. Values are at most `u16::MAX` bytes (the caller's
/// names are checked when the simulator starts).
pub(super) fn write_av_pairs(pairs: &[(u16, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (id, value) in pairs {
        out.extend_from_slice(&id.to_le_bytes());
        out.extend_from_slice(&len16(value.len()).to_le_bytes());
        out.extend_from_slice(value);
    }
    out.extend_from_slice(&av::EOL.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A length that fits the u16 of a security buffer or AV pair; names are checked to fit when
/// the simulator starts, so the cap is never reached.
fn len16(len: usize) -> u16 {
    u16::try_from(len).unwrap_or(u16::MAX)
}

/// The Version the server reports: Windows Server 2022 (10.0 build 20348), NTLM revision 15.
const VERSION: [u8; 8] = [10, 0, 0x4c, 0x4f, 0, 0, 0, 0x0f];

/// Where the CHALLENGE's payload starts: after the 48 bytes of fields and the Version.
const CHALLENGE_PAYLOAD: usize = 56;

/// A CHALLENGE message (type 2, [MS-NLMP] section 2.2.1.2).
pub(super) fn challenge_message(
    flags: u32,
    server_challenge: &[u8; 8],
    target_name: &[u8],
    target_info: &[u8],
) -> Vec<u8> {
    let name_at = CHALLENGE_PAYLOAD;
    let info_at = name_at + target_name.len();
    let mut m = Vec::with_capacity(info_at + target_info.len());
    m.extend_from_slice(SIGNATURE);
    m.extend_from_slice(&CHALLENGE.to_le_bytes());
    push_buffer(&mut m, target_name.len(), name_at);
    m.extend_from_slice(&flags.to_le_bytes());
    m.extend_from_slice(server_challenge);
    m.extend_from_slice(&[0; 8]);
    push_buffer(&mut m, target_info.len(), info_at);
    // The Version field is there either way, zero unless VERSION was negotiated.
    m.extend_from_slice(&if flags & flags::VERSION != 0 {
        VERSION
    } else {
        [0; 8]
    });
    m.extend_from_slice(target_name);
    m.extend_from_slice(target_info);
    m
}

/// A security buffer: Len, MaxLen (the same), Offset.
fn push_buffer(m: &mut Vec<u8>, len: usize, offset: usize) {
    m.extend_from_slice(&len16(len).to_le_bytes());
    m.extend_from_slice(&len16(len).to_le_bytes());
    m.extend_from_slice(&u32::try_from(offset).unwrap_or(u32::MAX).to_le_bytes());
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn av_pairs_round_trip_and_need_an_eol() {
        let bytes = write_av_pairs(&[(av::NB_DOMAIN_NAME, b"D\0"), (av::FLAGS, &[2, 0, 0, 0])]);
        let pairs = parse_av_pairs(&bytes).unwrap();
        assert_eq!(
            pairs,
            vec![
                (av::NB_DOMAIN_NAME, &b"D\0"[..]),
                (av::FLAGS, &[2, 0, 0, 0][..])
            ]
        );
        for cut in 0..bytes.len() {
            assert!(parse_av_pairs(&bytes[..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn challenge_fields_point_at_their_payload() {
        let m = challenge_message(flags::VERSION, &[7; 8], b"N\0", b"INFO");
        assert_eq!(message_type(&m), Some(CHALLENGE));
        assert_eq!(field(&m, 12), Some(&b"N\0"[..]));
        assert_eq!(u32_at(&m, 20), Some(flags::VERSION));
        assert_eq!(&m[24..32], &[7; 8]);
        assert_eq!(field(&m, 40), Some(&b"INFO"[..]));
        assert_eq!(&m[48..56], &VERSION);
    }

    #[test]
    fn fields_past_the_end_are_none() {
        let mut m = vec![0u8; 16];
        m[0..2].copy_from_slice(&4u16.to_le_bytes());
        m[4..8].copy_from_slice(&14u32.to_le_bytes());
        assert_eq!(field(&m, 0), None, "14 + 4 is past 16");
        m[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(field(&m, 0), None);
        assert_eq!(u32_at(&m, usize::MAX - 1), None);
    }
}
