//! The NTLM server against the [MS-NLMP] section 4.2.4 vectors, Microsoft's channel binding
//! example, and AUTHENTICATE messages made by a small client written here from the spec.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::channel_binding::{bindings_hash, expected_bindings};
use super::crypto::md5;
use super::message::{av_value, parse_av_pairs};
use super::*;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    let text: String = text.split_whitespace().collect();
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

// --- The published vectors. ---

#[test]
fn ntowf_v2_matches_ms_nlmp_4_2_4() {
    let key = ntowf_v2("Password", "User", "Domain");
    assert_eq!(hex(&key), "0c868a403bfd7a93a3001ef22ef02e3f");
}

/// `temp` of [MS-NLMP] section 4.2.4.1.3 / 4.2.4.2.2: version 1, time 0, client challenge
/// aa…, and the spec's AV pairs (NetBIOS domain "Domain", NetBIOS server "Server", EOL).
fn spec_temp() -> Vec<u8> {
    let pairs = message::write_av_pairs(&[
        (av::NB_DOMAIN_NAME, &utf16le("Domain")),
        (av::NB_COMPUTER_NAME, &utf16le("Server")),
    ]);
    [
        &[1, 1, 0, 0, 0, 0, 0, 0][..],
        &[0; 8],
        &[0xaa; 8],
        &[0; 4],
        &pairs,
        &[0; 4],
    ]
    .concat()
}

#[test]
fn ntlm_v2_proof_and_session_base_key_match_ms_nlmp_4_2_4() {
    let key = ntowf_v2("Password", "User", "Domain");
    let server_challenge = unhex("0123456789abcdef");
    let proof = hmac_md5_of(&key, &[&server_challenge, &spec_temp()]);
    assert_eq!(hex(&proof), "68cd0ab851e51c96aabc927bebef6a1c");
    let session_base_key = hmac_md5_of(&key, &[&proof]);
    assert_eq!(hex(&session_base_key), "8de40ccadbc14a82f15cb0ad0de95ca3");
}

#[test]
fn the_spec_response_parses_as_ntlm_v2_with_its_av_pairs() {
    let nt = [&unhex("68cd0ab851e51c96aabc927bebef6a1c")[..], &spec_temp()].concat();
    let v2 = message::parse_ntlm_v2(&nt).unwrap();
    assert_eq!(v2.av_pairs.len(), 2);
    assert_eq!(
        av_value(&v2.av_pairs, av::NB_COMPUTER_NAME),
        Some(&utf16le("Server")[..])
    );
    assert!(
        message::parse_ntlm_v2(&[0; 24]).is_err(),
        "NTLMv1 is refused"
    );
}

#[test]
fn encrypted_session_key_matches_ms_nlmp_4_2_4() {
    // Section 4.2.4: RandomSessionKey 55…, encrypted with the KeyExchangeKey (NTLMv2: the
    // SessionBaseKey above).
    let session_base_key: Key = unhex("8de40ccadbc14a82f15cb0ad0de95ca3")
        .try_into()
        .unwrap();
    let encrypted = rc4(&session_base_key, &[0x55; 16]);
    assert_eq!(hex(&encrypted), "c5dad2544fc9799094ce1ce90bc9d03e");
}

#[test]
fn channel_bindings_match_microsofts_example() {
    // Microsoft's open specifications blog on NTLM channel bindings: the certificate hash
    // of its example, after "tls-server-end-point:" (no trailing NUL).
    let hash = unhex("ea05fefecc6b0bd571dbbc5baa3ed4538 6d0446835f7b74c85621b9983475f95");
    let data = [&b"tls-server-end-point:"[..], &hash].concat();
    assert_eq!(
        hex(&bindings_hash(&data)),
        "6586e99d81c2fc984e47172fd4dd0310"
    );
    // The same, flattened by hand: four zero u32s, the length, the data.
    let flat = [&[0u8; 16][..], &53u32.to_le_bytes(), &data].concat();
    assert_eq!(md5(&flat), bindings_hash(&data));
}

// --- A test client, written from [MS-NLMP] sections 2.2.1 and 3.1.5. ---

const USER: &str = "svc-sync";
const DOMAIN: &str = "CONTOSO";
const PASSWORD: &str = "Sommer2026!";

/// What the test client puts into its messages.
#[derive(Clone)]
struct Client {
    user: &'static str,
    domain: &'static str,
    password: &'static str,
    /// Announce a MIC in MsvAvFlags and fill it in.
    mic: bool,
    /// MsvAvChannelBindings to send.
    bindings: Option<Key>,
    /// With KEY_EXCH: the session key made up and sent RC4-encrypted.
    session_key: Option<Key>,
}

impl Client {
    fn good() -> Self {
        Self {
            user: USER,
            domain: DOMAIN,
            password: PASSWORD,
            mic: true,
            bindings: None,
            session_key: None,
        }
    }

    fn flags(&self) -> u32 {
        let base = flags::UNICODE
            | flags::REQUEST_TARGET
            | flags::SIGN
            | flags::NTLM
            | flags::ALWAYS_SIGN
            | flags::EXTENDED_SESSIONSECURITY
            | flags::VERSION
            | flags::NEGOTIATE_128
            | flags::NEGOTIATE_56;
        if self.session_key.is_some() {
            base | flags::KEY_EXCH
        } else {
            base
        }
    }

    /// NEGOTIATE: signature, type 1, flags, empty domain and workstation, version.
    fn negotiate(&self) -> Vec<u8> {
        [
            &b"NTLMSSP\0"[..],
            &1u32.to_le_bytes(),
            &self.flags().to_le_bytes(),
            &[0; 16],
            &[10, 0, 0x61, 0x4a, 0, 0, 0, 15],
        ]
        .concat()
    }

    /// AUTHENTICATE answering `challenge` (read with plain slicing, not the server's reader).
    fn authenticate(&self, negotiate: &[u8], challenge: &[u8]) -> Vec<u8> {
        let server_challenge = &challenge[24..32];
        let flags = u32::from_le_bytes(challenge[20..24].try_into().unwrap());
        let info_len = usize::from(u16::from_le_bytes([challenge[40], challenge[41]]));
        let info_at = u32::from_le_bytes(challenge[44..48].try_into().unwrap()) as usize;
        let info = &challenge[info_at..info_at + info_len];
        assert_eq!(
            &info[info.len() - 4..],
            &[0; 4],
            "TargetInfo ends with MsvAvEOL"
        );
        let mut pairs = info[..info.len() - 4].to_vec();
        if self.mic {
            pairs.extend_from_slice(&[6, 0, 4, 0, 2, 0, 0, 0]);
        }
        if let Some(cb) = self.bindings {
            pairs.extend_from_slice(&[10, 0, 16, 0]);
            pairs.extend_from_slice(&cb);
        }
        pairs.extend_from_slice(&[0; 4]);
        let temp = [
            &[1, 1, 0, 0, 0, 0, 0, 0][..],
            &0x01dc_0000_0000_0000u64.to_le_bytes(),
            &[0xaa; 8],
            &[0; 4],
            &pairs,
            &[0; 4],
        ]
        .concat();
        let key = ntowf_v2(self.password, self.user, self.domain);
        let proof = hmac_md5_of(&key, &[server_challenge, &temp]);
        let session_base_key = hmac_md5_of(&key, &[&proof]);
        let (exported, encrypted_key) = match self.session_key {
            Some(k) => (k, rc4(&session_base_key, &k)),
            None => (session_base_key, Vec::new()),
        };
        let flags = if self.session_key.is_some() {
            flags
        } else {
            flags & !flags::KEY_EXCH
        };
        let nt = [&proof[..], &temp].concat();
        let payload: [Vec<u8>; 6] = [
            vec![0; 24],
            nt,
            utf16le(self.domain),
            utf16le(self.user),
            utf16le("WS01"),
            encrypted_key,
        ];
        let mut header = Vec::new();
        header.extend_from_slice(b"NTLMSSP\0");
        header.extend_from_slice(&3u32.to_le_bytes());
        let mut at = 88u32;
        for part in &payload {
            let len = u16::try_from(part.len()).unwrap();
            header.extend_from_slice(&len.to_le_bytes());
            header.extend_from_slice(&len.to_le_bytes());
            header.extend_from_slice(&at.to_le_bytes());
            at += u32::from(len);
        }
        header.extend_from_slice(&flags.to_le_bytes());
        header.extend_from_slice(&[10, 0, 0x61, 0x4a, 0, 0, 0, 15]);
        header.extend_from_slice(&[0; 16]);
        assert_eq!(header.len(), 88);
        let mut msg = [header, payload.concat()].concat();
        if self.mic {
            let mic = hmac_md5_of(&exported, &[negotiate, challenge, &msg]);
            msg[72..88].copy_from_slice(&mic);
        }
        msg
    }
}

fn account(certificate: Option<Vec<u8>>) -> NtlmAccount {
    NtlmAccount {
        domain: DOMAIN.into(),
        user: USER.into(),
        password: PASSWORD.into(),
        channel_binding_certificate: certificate,
    }
}

fn server(certificate: Option<Vec<u8>>) -> Server {
    Server::new(&account(certificate), "sim01.ews-sim.invalid").unwrap()
}

fn certificate() -> Vec<u8> {
    let key = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.self_signed(&key).unwrap().der().to_vec()
}

/// A NEGOTIATE from `client` and the server's CHALLENGE to it.
fn handshake(server: &Server, client: &Client) -> Handshake {
    let negotiate = client.negotiate();
    let flags = message::negotiate_flags(&negotiate).unwrap();
    let server_challenge = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
    let challenge = server.challenge(flags, &server_challenge, 0x01dc_6a5e_0000_0000);
    Handshake {
        negotiate,
        challenge,
        server_challenge,
    }
}

fn run(server: &Server, client: &Client) -> Result<Verified, Rejection> {
    let hs = handshake(server, client);
    let msg = client.authenticate(&hs.negotiate, &hs.challenge);
    server.verify(&hs, &msg)
}

// --- The CHALLENGE. ---

#[test]
fn the_challenge_answers_the_clients_flags_like_a_windows_server() {
    let server = server(None);
    let client = Client::good();
    let hs = handshake(&server, &client);
    let c = &hs.challenge;
    assert_eq!(&c[..12], b"NTLMSSP\0\x02\0\0\0");
    let flags = message::u32_at(c, 20).unwrap();
    for wanted in [
        flags::UNICODE,
        flags::NTLM,
        flags::EXTENDED_SESSIONSECURITY,
        flags::TARGET_INFO,
        flags::VERSION,
        flags::ALWAYS_SIGN,
        flags::NEGOTIATE_128,
        flags::NEGOTIATE_56,
        flags::REQUEST_TARGET,
        flags::TARGET_TYPE_DOMAIN,
    ] {
        assert_ne!(
            flags & wanted,
            0,
            "flag {wanted:#x} missing from {flags:#x}"
        );
    }
    assert_eq!(flags & flags::KEY_EXCH, 0, "KEY_EXCH only when asked");
    assert_eq!(&c[24..32], &hs.server_challenge);
    assert_eq!(message::field(c, 12), Some(&utf16le("CONTOSO")[..]));
    let pairs = parse_av_pairs(message::field(c, 40).unwrap()).unwrap();
    let ids: Vec<u16> = pairs.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        ids,
        [2, 1, 4, 3, 7],
        "NbDomain, NbComputer, DnsDomain, DnsComputer, Timestamp"
    );
    assert_eq!(
        av_value(&pairs, av::NB_COMPUTER_NAME),
        Some(&utf16le("SIM01")[..])
    );
    assert_eq!(
        av_value(&pairs, av::DNS_DOMAIN_NAME),
        Some(&utf16le("ews-sim.invalid")[..])
    );
    assert_eq!(
        av_value(&pairs, av::TIMESTAMP),
        Some(&0x01dc_6a5e_0000_0000u64.to_le_bytes()[..])
    );
}

#[test]
fn an_oem_client_gets_an_oem_target_name() {
    let flags = challenge_flags(flags::NTLM | flags::REQUEST_TARGET);
    assert_eq!(flags & (flags::UNICODE | flags::OEM), flags::OEM);
    let c = server(None).challenge(flags::NTLM, &[0; 8], 0);
    assert_eq!(message::field(&c, 12), Some(&b"CONTOSO"[..]));
}

#[test]
fn timestamps_count_100_ns_ticks_since_1601() {
    assert_eq!(filetime(UNIX_EPOCH), 116_444_736_000_000_000);
    let later = UNIX_EPOCH + std::time::Duration::from_millis(1_500);
    assert_eq!(filetime(later), 116_444_736_015_000_000);
}

// --- AUTHENTICATE. ---

#[test]
fn a_good_authenticate_is_accepted_and_its_mic_checked() {
    let verified = run(&server(None), &Client::good()).unwrap();
    assert_eq!(
        verified,
        Verified {
            mic: true,
            channel_bindings: false
        }
    );
    let without_mic = Client {
        mic: false,
        ..Client::good()
    };
    assert!(
        !run(&server(None), &without_mic).unwrap().mic,
        "no MIC announced, none checked"
    );
}

#[test]
fn user_and_domain_compare_without_case() {
    let shouting = Client {
        user: "SVC-SYNC",
        domain: "contoso",
        ..Client::good()
    };
    assert!(run(&server(None), &shouting).is_ok());
    let other = Client {
        user: "svc-other",
        ..Client::good()
    };
    assert_eq!(run(&server(None), &other), Err(Rejection::UnknownAccount));
    let anonymous = Client {
        user: "",
        ..Client::good()
    };
    assert_eq!(run(&server(None), &anonymous), Err(Rejection::Anonymous));
}

#[test]
fn a_wrong_password_is_refused() {
    let client = Client {
        password: "Winter2026!",
        ..Client::good()
    };
    assert_eq!(run(&server(None), &client), Err(Rejection::WrongProof));
}

#[test]
fn a_tampered_mic_is_refused() {
    let server = server(None);
    let client = Client::good();
    let hs = handshake(&server, &client);
    let mut msg = client.authenticate(&hs.negotiate, &hs.challenge);
    msg[80] ^= 0x40;
    assert_eq!(server.verify(&hs, &msg), Err(Rejection::WrongMic));
}

#[test]
fn the_mic_covers_the_negotiate_and_challenge_bytes() {
    let server = server(None);
    let client = Client::good();
    let hs = handshake(&server, &client);
    let msg = client.authenticate(&hs.negotiate, &hs.challenge);
    let mut other = hs.negotiate.clone();
    other[12] ^= 0x10; // a NEGOTIATE the attacker changed in flight
    let relayed = Handshake {
        negotiate: other,
        challenge: hs.challenge.clone(),
        server_challenge: hs.server_challenge,
    };
    assert_eq!(server.verify(&relayed, &msg), Err(Rejection::WrongMic));
}

#[test]
fn key_exchange_keys_the_mic_with_the_clients_session_key() {
    let client = Client {
        session_key: Some([0x55; 16]),
        ..Client::good()
    };
    assert_eq!(run(&server(None), &client).map(|v| v.mic), Ok(true));
}

#[test]
fn an_authenticate_for_another_challenge_is_refused() {
    let server = server(None);
    let client = Client::good();
    let hs = handshake(&server, &client);
    let msg = client.authenticate(&hs.negotiate, &hs.challenge);
    let replayed = Handshake {
        server_challenge: [9; 8],
        ..hs
    };
    assert_eq!(server.verify(&replayed, &msg), Err(Rejection::WrongProof));
}

#[test]
fn channel_bindings_are_required_when_a_certificate_is_configured() {
    let der = certificate();
    let server = server(Some(der.clone()));
    let right = expected_bindings(&der).unwrap();
    let with = |bindings| Client {
        bindings,
        ..Client::good()
    };
    assert_eq!(
        run(&server, &with(Some(right))),
        Ok(Verified {
            mic: true,
            channel_bindings: true
        })
    );
    assert_eq!(
        run(&server, &with(None)),
        Err(Rejection::MissingChannelBindings)
    );
    assert_eq!(
        run(&server, &with(Some([0; 16]))),
        Err(Rejection::MissingChannelBindings)
    );
    let other = expected_bindings(&certificate()).unwrap();
    assert_eq!(
        run(&server, &with(Some(other))),
        Err(Rejection::WrongChannelBindings)
    );
}

#[test]
fn without_a_certificate_channel_bindings_are_not_checked() {
    let client = Client {
        bindings: Some([7; 16]),
        ..Client::good()
    };
    assert_eq!(
        run(&server(None), &client).map(|v| v.channel_bindings),
        Ok(false)
    );
}

#[test]
fn an_unhashable_certificate_stops_the_server_from_starting() {
    let err = Server::new(&account(Some(vec![0x30, 0x00])), "sim")
        .err()
        .unwrap();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn a_truncated_authenticate_is_refused_at_every_length() {
    let server = server(None);
    let client = Client::good();
    let hs = handshake(&server, &client);
    let msg = client.authenticate(&hs.negotiate, &hs.challenge);
    assert!(server.verify(&hs, &msg).is_ok());
    for len in 0..msg.len() {
        assert!(
            server.verify(&hs, &msg[..len]).is_err(),
            "accepted at length {len}"
        );
    }
}

#[test]
fn every_changed_byte_of_an_authenticate_is_refused() {
    // The MIC covers every byte, so no change goes through (and none panics).
    let server = server(None);
    let client = Client::good();
    let hs = handshake(&server, &client);
    let msg = client.authenticate(&hs.negotiate, &hs.challenge);
    for i in 0..msg.len() {
        for bit in [0x01, 0x80] {
            let mut changed = msg.clone();
            changed[i] ^= bit;
            assert!(
                server.verify(&hs, &changed).is_err(),
                "byte {i} ^ {bit:#x} accepted"
            );
        }
    }
}

#[test]
fn lying_lengths_and_offsets_are_refused_without_panic() {
    let server = server(None);
    let client = Client::good();
    let hs = handshake(&server, &client);
    let msg = client.authenticate(&hs.negotiate, &hs.challenge);
    // Every security buffer's length and offset set to extremes.
    for field in [12usize, 20, 28, 36, 44, 52] {
        for (at, value) in [
            (field, &[0xff, 0xff][..]),
            (field + 4, &[0xff, 0xff, 0xff, 0xff][..]),
            (field + 4, &[0x10, 0, 0, 0][..]),
        ] {
            let mut changed = msg.clone();
            changed[at..at + value.len()].copy_from_slice(value);
            assert!(
                server.verify(&hs, &changed).is_err(),
                "field {field} at {at}"
            );
        }
    }
    assert!(server.verify(&hs, b"NTLMSSP\0\x03\0\0\0").is_err());
    assert!(server.verify(&hs, &[]).is_err());
}

#[test]
fn a_mic_announced_without_room_for_it_is_refused() {
    // A header that ends at 64 (old clients): the MIC would sit on top of the payload.
    let server = server(None);
    let client = Client::good();
    let hs = handshake(&server, &client);
    let msg = client.authenticate(&hs.negotiate, &hs.challenge);
    let auth = message::parse_authenticate(&msg).unwrap();
    let v2 = message::parse_ntlm_v2(auth.nt_response).unwrap();
    let early = message::Authenticate {
        payload_start: 64,
        ..auth.clone()
    };
    assert!(matches!(
        check_mic(&hs, &msg, &early, &v2.av_pairs, &[0; 16]),
        Err(Rejection::Malformed(_))
    ));
}
