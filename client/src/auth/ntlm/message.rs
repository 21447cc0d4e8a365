//! The three NTLM messages ([MS-NLMP] 2.2.1) and the NTLMv2 computations (3.3.2) a client
//! needs: NEGOTIATE out, CHALLENGE in, AUTHENTICATE out with its MIC.
//!
//! Only NTLMv2 is spoken: NTLMv1 and LM responses are broken and refused by every Exchange
//! server configured as Microsoft recommends. No session key is exchanged
//! (`NEGOTIATE_KEY_EXCH` is not asked for): HTTP authentication signs and seals nothing, so
//! the exported session key only keys the MIC.

use hmac::{Hmac, KeyInit, Mac};
use md4::{Digest, Md4};
use md5::Md5;

use super::NtlmError;

const SIGNATURE: &[u8; 8] = b"NTLMSSP\0";

/// NEGOTIATE flags ([MS-NLMP] 2.2.2.5) this client uses.
mod flag {
    pub const UNICODE: u32 = 0x0000_0001;
    pub const OEM: u32 = 0x0000_0002;
    pub const REQUEST_TARGET: u32 = 0x0000_0004;
    pub const NTLM: u32 = 0x0000_0200;
    pub const ALWAYS_SIGN: u32 = 0x0000_8000;
    pub const EXTENDED_SESSIONSECURITY: u32 = 0x0008_0000;
    pub const TARGET_INFO: u32 = 0x0080_0000;
    pub const VERSION: u32 = 0x0200_0000;
    pub const BITS_128: u32 = 0x2000_0000;
    pub const BITS_56: u32 = 0x8000_0000;
}

/// What the NEGOTIATE message asks for.
const NEGOTIATE_FLAGS: u32 = flag::UNICODE
    | flag::OEM
    | flag::REQUEST_TARGET
    | flag::NTLM
    | flag::ALWAYS_SIGN
    | flag::EXTENDED_SESSIONSECURITY
    | flag::VERSION
    | flag::BITS_128
    | flag::BITS_56;

/// AV pair ids ([MS-NLMP] 2.2.2.1).
mod av {
    pub const EOL: u16 = 0x0000;
    pub const FLAGS: u16 = 0x0006;
    pub const TIMESTAMP: u16 = 0x0007;
    pub const TARGET_NAME: u16 = 0x0009;
    pub const CHANNEL_BINDINGS: u16 = 0x000A;
}

/// `MsvAvFlags` bit: the AUTHENTICATE message carries a MIC.
const AV_FLAG_MIC_PRESENT: u32 = 0x0000_0002;

/// The VERSION field we send: Windows 10's numbers, NTLM revision 15. [MS-NLMP] says it is
/// for debugging only; servers do not act on it.
const VERSION: [u8; 8] = [10, 0, 0x61, 0x4A, 0, 0, 0, 0x0F];

/// Size of the AUTHENTICATE header with VERSION and MIC: the payload starts here.
const AUTHENTICATE_HEADER: usize = 88;
/// Where the MIC sits in the AUTHENTICATE message.
const MIC_OFFSET: usize = 72;

/// The NEGOTIATE message: no domain or workstation supplied (the server tells its own).
pub(crate) fn negotiate() -> Vec<u8> {
    let mut m = Vec::with_capacity(40);
    m.extend_from_slice(SIGNATURE);
    m.extend_from_slice(&1u32.to_le_bytes());
    m.extend_from_slice(&NEGOTIATE_FLAGS.to_le_bytes());
    // DomainNameFields and WorkstationFields: empty, pointing at the end of the message.
    for _ in 0..2 {
        m.extend_from_slice(&0u16.to_le_bytes());
        m.extend_from_slice(&0u16.to_le_bytes());
        m.extend_from_slice(&40u32.to_le_bytes());
    }
    m.extend_from_slice(&VERSION);
    m
}

/// A CHALLENGE message, read from the server's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Challenge {
    /// The server's flags.
    pub flags: u32,
    /// The 8-byte nonce the proof covers.
    pub server_challenge: [u8; 8],
    /// The AV pairs of TargetInfo, without the closing `MsvAvEOL`, as (id, value).
    pub target_info: Vec<(u16, Vec<u8>)>,
}

impl Challenge {
    /// Reads a CHALLENGE message ([MS-NLMP] 2.2.1.2). Every field is bounds-checked; offsets
    /// in errors are byte offsets into `bytes`.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self, NtlmError> {
        if bytes.len() < 32 {
            return Err(NtlmError::Truncated {
                need: 32,
                len: bytes.len(),
            });
        }
        if &bytes[..8] != SIGNATURE {
            return Err(NtlmError::Signature);
        }
        let kind = u32_at(bytes, 8);
        if kind != 2 {
            return Err(NtlmError::MessageType { found: kind });
        }
        let flags = u32_at(bytes, 20);
        let mut server_challenge = [0u8; 8];
        server_challenge.copy_from_slice(&bytes[24..32]);
        if flags & flag::UNICODE == 0 {
            return Err(NtlmError::NoUnicode);
        }
        // An NTLMv2 response is built over the server's TargetInfo: without it there is none.
        if flags & flag::TARGET_INFO == 0 || bytes.len() < 48 {
            return Err(NtlmError::NoTargetInfo);
        }
        let info = field(bytes, 40, "TargetInfo")?;
        Ok(Self {
            flags,
            server_challenge,
            target_info: av_pairs(bytes, info)?,
        })
    }

    /// The server's `MsvAvTimestamp`, when it sent one.
    fn timestamp(&self) -> Option<[u8; 8]> {
        self.target_info
            .iter()
            .find(|(id, _)| *id == av::TIMESTAMP)
            .and_then(|(_, v)| <[u8; 8]>::try_from(v.as_slice()).ok())
    }
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// The bytes a security buffer (length, capacity, offset) at `at` names, as a range of `b`.
/// The caller has checked that the buffer's 8 bytes are inside `b`.
fn field(b: &[u8], at: usize, name: &'static str) -> Result<std::ops::Range<usize>, NtlmError> {
    let len = usize::from(u16_at(b, at));
    let offset = u32_at(b, at + 4) as usize;
    let end = offset.checked_add(len).filter(|&e| e <= b.len());
    match end {
        Some(end) => Ok(offset..end),
        None => Err(NtlmError::FieldOutOfRange { field: name, at }),
    }
}

/// Splits TargetInfo into AV pairs up to `MsvAvEOL`.
fn av_pairs(b: &[u8], range: std::ops::Range<usize>) -> Result<Vec<(u16, Vec<u8>)>, NtlmError> {
    let mut pairs = Vec::new();
    let mut at = range.start;
    loop {
        if at + 4 > range.end {
            return Err(NtlmError::AvPair { at });
        }
        let id = u16_at(b, at);
        let len = usize::from(u16_at(b, at + 2));
        let value = at + 4..at + 4 + len;
        if value.end > range.end {
            return Err(NtlmError::AvPair { at });
        }
        if id == av::EOL {
            return Ok(pairs);
        }
        pairs.push((id, b[value.clone()].to_vec()));
        at = value.end;
    }
}

fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn hmac_md5(key: &[u8], parts: &[&[u8]]) -> [u8; 16] {
    // HMAC takes keys of any length; this cannot fail.
    let mut mac = <Hmac<Md5> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// NTOWFv2 ([MS-NLMP] 3.3.2): the key every NTLMv2 value is made with.
pub(crate) fn ntowf_v2(user: &str, domain: &str, password: &str) -> [u8; 16] {
    let nt_hash: [u8; 16] = Md4::digest(utf16le(password)).into();
    let mut identity = user.to_uppercase();
    identity.push_str(domain);
    hmac_md5(&nt_hash, &[&utf16le(&identity)])
}

/// Who authenticates, from where, and against what.
pub(crate) struct Authenticate<'a> {
    pub user: &'a str,
    pub domain: &'a str,
    pub password: &'a str,
    pub workstation: &'a str,
    /// The NEGOTIATE message sent on this connection (the MIC covers it).
    pub negotiate: &'a [u8],
    /// The CHALLENGE message as received (the MIC covers it).
    pub challenge_bytes: &'a [u8],
    pub challenge: &'a Challenge,
    /// 8 random bytes.
    pub client_challenge: [u8; 8],
    /// Now, as a FILETIME; used only when the server sent no `MsvAvTimestamp`.
    pub now_filetime: u64,
    /// `MsvAvChannelBindings`: the hash of the TLS channel ([`super::channel_binding`]);
    /// 16 zero bytes over plain HTTP, as Windows sends.
    pub channel_bindings: [u8; 16],
    /// `MsvAvTargetName`: the service's SPN, `HTTP/host`.
    pub target_name: &'a str,
}

impl Authenticate<'_> {
    /// The AV pairs of the response: the server's, plus the MIC flag, the channel bindings and
    /// the target name ([MS-NLMP] 3.1.5.1.2), closed by `MsvAvEOL`.
    fn target_info(&self, mic: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let mut push = |id: u16, value: &[u8]| {
            out.extend_from_slice(&id.to_le_bytes());
            out.extend_from_slice(&(value.len() as u16).to_le_bytes());
            out.extend_from_slice(value);
        };
        let mut flags = if mic { AV_FLAG_MIC_PRESENT } else { 0 };
        for (id, value) in &self.challenge.target_info {
            match *id {
                av::FLAGS => {
                    if let Ok(v) = <[u8; 4]>::try_from(value.as_slice()) {
                        flags |= u32::from_le_bytes(v);
                    }
                }
                av::CHANNEL_BINDINGS | av::TARGET_NAME => {}
                _ => push(*id, value),
            }
        }
        if flags != 0 {
            push(av::FLAGS, &flags.to_le_bytes());
        }
        push(av::CHANNEL_BINDINGS, &self.channel_bindings);
        push(av::TARGET_NAME, &utf16le(self.target_name));
        push(av::EOL, &[]);
        out
    }

    /// The AUTHENTICATE message ([MS-NLMP] 2.2.1.3) with its NTLMv2 response and, when the
    /// server sent a timestamp, a MIC.
    pub(crate) fn build(&self) -> Result<Vec<u8>, NtlmError> {
        // With a server timestamp the client uses it, sends a MIC, and no LMv2 response.
        let server_time = self.challenge.timestamp();
        let mic = server_time.is_some();
        let time = server_time.unwrap_or(self.now_filetime.to_le_bytes());
        let key = ntowf_v2(self.user, self.domain, self.password);

        let mut temp = vec![1, 1, 0, 0, 0, 0, 0, 0];
        temp.extend_from_slice(&time);
        temp.extend_from_slice(&self.client_challenge);
        temp.extend_from_slice(&[0; 4]);
        temp.extend_from_slice(&self.target_info(mic));
        temp.extend_from_slice(&[0; 4]);
        let proof = hmac_md5(&key, &[&self.challenge.server_challenge, &temp]);
        let mut nt_response = proof.to_vec();
        nt_response.extend_from_slice(&temp);
        let lm_response = if mic {
            vec![0; 24]
        } else {
            let mut lm = hmac_md5(
                &key,
                &[&self.challenge.server_challenge, &self.client_challenge],
            )
            .to_vec();
            lm.extend_from_slice(&self.client_challenge);
            lm
        };
        let session_base_key = hmac_md5(&key, &[&proof]);

        let flags = (self.challenge.flags & NEGOTIATE_FLAGS & !flag::OEM) | flag::VERSION;
        let payload = [
            utf16le(self.domain),
            utf16le(self.user),
            utf16le(self.workstation),
            lm_response,
            nt_response,
            Vec::new(), // EncryptedRandomSessionKey: no key exchange
        ];
        let mut m =
            Vec::with_capacity(AUTHENTICATE_HEADER + payload.iter().map(Vec::len).sum::<usize>());
        m.extend_from_slice(SIGNATURE);
        m.extend_from_slice(&3u32.to_le_bytes());
        // Header field order differs from payload order: Lm, Nt, Domain, User, Workstation, Key.
        let mut offsets = [0usize; 6];
        let mut at = AUTHENTICATE_HEADER;
        for (i, p) in payload.iter().enumerate() {
            offsets[i] = at;
            at += p.len();
        }
        for i in [3, 4, 0, 1, 2, 5] {
            let len = u16::try_from(payload[i].len()).map_err(|_| NtlmError::TooLong)?;
            m.extend_from_slice(&len.to_le_bytes());
            m.extend_from_slice(&len.to_le_bytes());
            m.extend_from_slice(&(offsets[i] as u32).to_le_bytes());
        }
        m.extend_from_slice(&flags.to_le_bytes());
        m.extend_from_slice(&VERSION);
        m.extend_from_slice(&[0; 16]); // MIC, filled in below
        for p in &payload {
            m.extend_from_slice(p);
        }
        if mic {
            // No key exchange: the exported session key is the session base key.
            let code = hmac_md5(
                &session_base_key,
                &[self.negotiate, self.challenge_bytes, &m],
            );
            m[MIC_OFFSET..MIC_OFFSET + 16].copy_from_slice(&code);
        }
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::auth::ntlm::test_hex::hex;

    /// [MS-NLMP] 4.2.4.3: the CHALLENGE message of the NTLMv2 example.
    fn spec_challenge() -> Vec<u8> {
        hex(
            "4e544c4d53535000 02000000 0c000c0038000000 33828ae2 0123456789abcdef
            0000000000000000 2400240044000000 060070170000000f 530065007200760065007200
            02000c0044006f006d00610069006e00 01000c0053006500720076006500720000000000",
        )
    }

    #[test]
    fn ntowf_v2_matches_ms_nlmp() {
        // [MS-NLMP] 4.2.4.1.1.
        assert_eq!(
            ntowf_v2("User", "Domain", "Password").to_vec(),
            hex("0c868a403bfd7a93a3001ef22ef02e3f")
        );
    }

    #[test]
    fn the_spec_challenge_is_read() {
        let c = Challenge::parse(&spec_challenge()).unwrap();
        assert_eq!(c.server_challenge.to_vec(), hex("0123456789abcdef"));
        assert_eq!(c.flags, 0xe28a_8233);
        assert_eq!(
            c.target_info,
            vec![(2, utf16le("Domain")), (1, utf16le("Server")),]
        );
        assert_eq!(c.timestamp(), None);
    }

    #[test]
    fn nt_proof_and_session_key_match_ms_nlmp() {
        // [MS-NLMP] 4.2.4.2.2 computes the proof over the server's AV pairs alone; rebuild
        // that `temp` here and check the published NTProofStr and SessionBaseKey.
        let key = ntowf_v2("User", "Domain", "Password");
        let mut temp = hex("0101000000000000 0000000000000000 aaaaaaaaaaaaaaaa 00000000");
        temp.extend_from_slice(&hex(
            "02000c0044006f006d00610069006e00 01000c00530065007200760065007200 00000000",
        ));
        temp.extend_from_slice(&[0; 4]);
        let proof = hmac_md5(&key, &[&hex("0123456789abcdef"), &temp]);
        assert_eq!(proof.to_vec(), hex("68cd0ab851e51c96aabc927bebef6a1c"));
        assert_eq!(
            hmac_md5(&key, &[&proof]).to_vec(),
            hex("8de40ccadbc14a82f15cb0ad0de95ca3")
        );
    }

    fn authenticate<'a>(c: &'a Challenge, bytes: &'a [u8], neg: &'a [u8]) -> Authenticate<'a> {
        Authenticate {
            user: "User",
            domain: "Domain",
            password: "Password",
            workstation: "COMPUTER",
            negotiate: neg,
            challenge_bytes: bytes,
            challenge: c,
            client_challenge: [0xaa; 8],
            now_filetime: 131_400_439_870_000_000,
            channel_bindings: [0x11; 16],
            target_name: "HTTP/Server",
        }
    }

    /// The fields of a built AUTHENTICATE message, read back by offset.
    fn read_field(m: &[u8], at: usize) -> Vec<u8> {
        m[field(m, at, "test").unwrap()].to_vec()
    }

    #[test]
    fn authenticate_lays_out_every_field_where_its_buffer_points() {
        let bytes = spec_challenge();
        let c = Challenge::parse(&bytes).unwrap();
        let neg = negotiate();
        let m = authenticate(&c, &bytes, &neg).build().unwrap();
        assert_eq!(&m[..8], SIGNATURE);
        assert_eq!(u32_at(&m, 8), 3);
        assert_eq!(read_field(&m, 28), utf16le("Domain"));
        assert_eq!(read_field(&m, 36), utf16le("User"));
        assert_eq!(read_field(&m, 44), utf16le("COMPUTER"));
        assert!(read_field(&m, 52).is_empty());
        // No server timestamp: an LMv2 response, the client's time, no MIC.
        let lm = read_field(&m, 12);
        assert_eq!(lm.len(), 24);
        assert_eq!(&lm[16..], &[0xaa; 8]);
        assert_eq!(&m[MIC_OFFSET..MIC_OFFSET + 16], &[0; 16]);
        let nt = read_field(&m, 20);
        assert_eq!(
            &nt[16 + 8..16 + 16],
            &131_400_439_870_000_000u64.to_le_bytes()
        );
        let flags = u32_at(&m, 60);
        assert_eq!(flags & flag::UNICODE, flag::UNICODE);
        assert_eq!(flags & flag::OEM, 0);
        assert_eq!(flags & flag::VERSION, flag::VERSION);
    }

    #[test]
    fn the_proof_covers_the_response_target_info() {
        // Recompute the NTProofStr from the blob the message carries: it must match.
        let bytes = spec_challenge();
        let c = Challenge::parse(&bytes).unwrap();
        let neg = negotiate();
        let m = authenticate(&c, &bytes, &neg).build().unwrap();
        let nt = read_field(&m, 20);
        let key = ntowf_v2("User", "Domain", "Password");
        assert_eq!(
            hmac_md5(&key, &[&c.server_challenge, &nt[16..]]).to_vec(),
            nt[..16].to_vec()
        );
        // The blob's AV pairs: the server's two, channel bindings, target name, EOL.
        let pairs = av_pairs(&nt, 16 + 28..nt.len()).unwrap();
        assert_eq!(pairs.len(), 4);
        assert_eq!(pairs[2], (av::CHANNEL_BINDINGS, vec![0x11; 16]));
        assert_eq!(pairs[3], (av::TARGET_NAME, utf16le("HTTP/Server")));
    }

    /// The spec challenge with an `MsvAvTimestamp` added, as Windows servers send.
    fn challenge_with_timestamp() -> Vec<u8> {
        let mut bytes = spec_challenge();
        let eol = bytes.len() - 4;
        let mut ts = vec![0x07, 0x00, 0x08, 0x00];
        ts.extend_from_slice(&0x01d4_d200_fdc8_0b80u64.to_le_bytes());
        bytes.splice(eol..eol, ts);
        // TargetInfo length grew by 12.
        bytes[40] += 12;
        bytes[42] += 12;
        bytes
    }

    #[test]
    fn with_a_server_timestamp_the_mic_covers_all_three_messages() {
        let bytes = challenge_with_timestamp();
        let c = Challenge::parse(&bytes).unwrap();
        assert!(c.timestamp().is_some());
        let neg = negotiate();
        let m = authenticate(&c, &bytes, &neg).build().unwrap();
        assert_eq!(
            read_field(&m, 12),
            vec![0; 24],
            "Z(24) for LmChallengeResponse"
        );
        let nt = read_field(&m, 20);
        assert_eq!(
            &nt[16 + 8..16 + 16],
            &0x01d4_d200_fdc8_0b80u64.to_le_bytes()
        );
        let pairs = av_pairs(&nt, 16 + 28..nt.len()).unwrap();
        assert!(pairs.contains(&(av::FLAGS, AV_FLAG_MIC_PRESENT.to_le_bytes().to_vec())));
        // Recompute the MIC over the message with its MIC zeroed.
        let key = ntowf_v2("User", "Domain", "Password");
        let session_base_key = hmac_md5(&key, &[&nt[..16]]);
        let mut zeroed = m.clone();
        zeroed[MIC_OFFSET..MIC_OFFSET + 16].fill(0);
        assert_eq!(
            hmac_md5(&session_base_key, &[&neg, &bytes, &zeroed]).to_vec(),
            m[MIC_OFFSET..MIC_OFFSET + 16].to_vec()
        );
        // Any change to the challenge changes the MIC.
        let mut other = bytes.clone();
        other[24] ^= 1;
        assert_ne!(
            hmac_md5(&session_base_key, &[&neg, &other, &zeroed]).to_vec(),
            m[MIC_OFFSET..MIC_OFFSET + 16].to_vec()
        );
    }

    #[test]
    fn every_truncated_challenge_is_an_error() {
        let bytes = challenge_with_timestamp();
        for n in 0..bytes.len() {
            assert!(Challenge::parse(&bytes[..n]).is_err(), "{n} bytes");
        }
    }

    #[test]
    fn a_challenge_whose_buffer_points_outside_is_refused_with_its_offset() {
        let mut bytes = spec_challenge();
        bytes[44] = 0xF0; // TargetInfo offset far past the end
        assert_eq!(
            Challenge::parse(&bytes),
            Err(NtlmError::FieldOutOfRange {
                field: "TargetInfo",
                at: 40
            })
        );
        let mut bytes = spec_challenge();
        bytes[8] = 3;
        assert_eq!(
            Challenge::parse(&bytes),
            Err(NtlmError::MessageType { found: 3 })
        );
        let mut bytes = spec_challenge();
        bytes[20] &= !1; // no UNICODE
        assert_eq!(Challenge::parse(&bytes), Err(NtlmError::NoUnicode));
    }

    proptest::proptest! {
        /// Whatever a server sends, reading it is an answer, never a panic; and what reads
        /// as a challenge can be answered.
        #[test]
        fn any_bytes_read_without_panic(bytes in proptest::collection::vec(0u8..=255, 0..160)) {
            let _ = Challenge::parse(&bytes);
        }

        #[test]
        fn any_change_to_a_challenge_reads_without_panic(
            at in 0usize..112,
            value in 0u8..=255,
            cut in 0usize..112,
        ) {
            let mut bytes = challenge_with_timestamp();
            let at = at % bytes.len();
            bytes[at] = value;
            bytes.truncate(bytes.len() - cut % bytes.len());
            if let Ok(c) = Challenge::parse(&bytes) {
                let neg = negotiate();
                proptest::prop_assert!(authenticate(&c, &bytes, &neg).build().is_ok());
            }
        }
    }

    #[test]
    fn negotiate_is_forty_bytes_with_version() {
        let m = negotiate();
        assert_eq!(m.len(), 40);
        assert_eq!(u32_at(&m, 12), NEGOTIATE_FLAGS);
        assert_eq!(m[39], 0x0F);
    }
}
