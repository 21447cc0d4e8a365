//! NTLM authentication the way IIS in front of Exchange does it ([MS-NLMP]), so the client's
//! NTLM can be tested without a Windows server.
//!
//! NTLM authenticates a TCP connection, not a request: every connection gets a [`Connection`]
//! of its own (made by axum when it accepts the connection, dropped with it), and:
//!
//! 1. a request without credentials on a connection not yet authenticated gets 401 with
//!    `WWW-Authenticate: Negotiate` and `WWW-Authenticate: NTLM`;
//! 2. `Authorization: NTLM <NEGOTIATE>` (or `Negotiate` with a raw NTLMSSP token, not SPNEGO)
//!    gets 401 with `WWW-Authenticate: NTLM <CHALLENGE>` in the client's scheme: a fresh
//!    server challenge and a TargetInfo like a Windows server's, timestamp included (so a
//!    client that follows [MS-NLMP] section 3.1.5.2.1 sends a MIC);
//! 3. `Authorization: NTLM <AUTHENTICATE>` on the same connection is checked: account (user
//!    and domain as the account's, any case), the NTLMv2 proof, the MIC when the client's
//!    `MsvAvFlags` say there is one, and with Extended Protection the channel bindings. If it
//!    holds, the connection is authenticated and the request served; later requests on it
//!    need no credentials. If not: 401 with fresh offers, and the connection starts over.
//!
//! Refused: NTLMv1 and LM responses, anonymous logons, SPNEGO-wrapped tokens, an AUTHENTICATE
//! without a CHALLENGE before it on its connection. With `NEGOTIATE_KEY_EXCH` the session key
//! the client sent is decrypted (RC4) for the MIC. Not checked: the client's timestamp
//! against the server's clock, `MsvAvTargetName`; no signing or sealing of messages follows
//! (HTTP does not use them).

mod channel_binding;
mod crypto;
mod message;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::connect_info::Connected;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::serve::IncomingStream;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::Mac;
use ring::rand::{SecureRandom, SystemRandom};
use tokio::net::TcpListener;

use self::crypto::{Key, hmac_md5, hmac_md5_of, ntowf_v2, rc4, utf16le};
use self::message::{av, flags};
use super::{NtlmAccount, Shared, lock};

/// What one accepted TCP connection has done towards NTLM. axum makes one per connection
/// ([`Connected`]) and hands a clone to each request on it; the state dies with the
/// connection, as with IIS.
#[derive(Clone)]
pub(super) struct Connection {
    auth: Arc<Mutex<ConnAuth>>,
}

impl Connected<IncomingStream<'_, TcpListener>> for Connection {
    fn connect_info(stream: IncomingStream<'_, TcpListener>) -> Self {
        Self {
            auth: Arc::new(Mutex::new(ConnAuth {
                peer: *stream.remote_addr(),
                phase: Phase::Fresh,
            })),
        }
    }
}

/// A connection's NTLM state.
pub(super) struct ConnAuth {
    /// Who is at the other end, for the debug log.
    peer: SocketAddr,
    phase: Phase,
}

/// Where a connection is in the handshake.
enum Phase {
    /// Nothing yet, or a refusal started it over.
    Fresh,
    /// A CHALLENGE went out; the AUTHENTICATE must answer it.
    Challenged(Handshake),
    /// Authenticated: requests need no credentials.
    Authenticated,
}

/// The messages so far on a connection: the MIC covers NEGOTIATE and CHALLENGE byte for byte.
struct Handshake {
    negotiate: Vec<u8>,
    challenge: Vec<u8>,
    server_challenge: [u8; 8],
}

/// The NTLM side of the server: the one account, the names it gives itself and, with
/// Extended Protection, the channel bindings clients must send.
pub(super) struct Server {
    account: NtlmAccount,
    /// The `MsvAvChannelBindings` of a TLS connection to the configured certificate.
    bindings: Option<Key>,
    names: Names,
    random: SystemRandom,
}

/// The names a Windows server puts into TargetInfo.
struct Names {
    nb_domain: String,
    nb_computer: String,
    dns_domain: String,
    dns_computer: String,
}

/// What an accepted AUTHENTICATE proved besides the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Verified {
    /// A MIC was present and checked.
    mic: bool,
    /// Channel bindings were checked.
    channel_bindings: bool,
}

/// Why an AUTHENTICATE was refused (for the debug log; the client only sees a 401).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rejection {
    /// A field out of bounds or of the wrong shape.
    Malformed(&'static str),
    /// No CHALLENGE on this connection for the AUTHENTICATE to answer.
    NoChallenge,
    /// An empty user name.
    Anonymous,
    /// Another user or domain than the account's.
    UnknownAccount,
    /// NTProofStr does not prove the password.
    WrongProof,
    /// The MIC does not cover the three messages.
    WrongMic,
    /// Extended Protection is on and the bindings are missing or all zero.
    MissingChannelBindings,
    /// The bindings belong to another TLS channel.
    WrongChannelBindings,
}

impl From<message::Malformed> for Rejection {
    fn from(m: message::Malformed) -> Self {
        Self::Malformed(m.0)
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Malformed(what) => write!(f, "malformed token: {what}"),
            Self::NoChallenge => f.write_str("AUTHENTICATE without a CHALLENGE on this connection"),
            Self::Anonymous => f.write_str("anonymous logon"),
            Self::UnknownAccount => f.write_str("unknown user or domain"),
            Self::WrongProof => f.write_str("NTLMv2 response does not prove the password"),
            Self::WrongMic => f.write_str("MIC does not match"),
            Self::MissingChannelBindings => f.write_str("channel bindings missing"),
            Self::WrongChannelBindings => f.write_str("channel bindings of another TLS channel"),
        }
    }
}

/// Longest name (characters) put into the CHALLENGE; far below the u16 byte lengths there.
const MAX_NAME: usize = 255;

impl Server {
    /// The NTLM server for `account`, named after `server_name` (its first label is the
    /// NetBIOS computer name, the rest the DNS domain).
    ///
    /// # Errors
    /// `InvalidInput` when the account's channel binding certificate cannot be hashed, or a
    /// name is over 255 characters.
    pub(super) fn new(account: &NtlmAccount, server_name: &str) -> std::io::Result<Self> {
        let invalid = |e: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, e);
        let bindings = account
            .channel_binding_certificate
            .as_deref()
            .map(channel_binding::expected_bindings)
            .transpose()
            .map_err(|e| invalid(e.to_string()))?;
        let (first, rest) = server_name
            .split_once('.')
            .unwrap_or((server_name, server_name));
        let names = Names {
            nb_domain: account.domain.to_uppercase(),
            nb_computer: first.to_uppercase().chars().take(15).collect(),
            dns_domain: rest.to_string(),
            dns_computer: server_name.to_string(),
        };
        if [&names.nb_domain, &names.dns_computer]
            .iter()
            .any(|n| n.chars().count() > MAX_NAME)
        {
            return Err(invalid(format!(
                "NTLM names are limited to {MAX_NAME} characters"
            )));
        }
        Ok(Self {
            account: account.clone(),
            bindings,
            names,
            random: SystemRandom::new(),
        })
    }

    /// The CHALLENGE answering a NEGOTIATE with `client_flags`, made at `filetime`.
    fn challenge(&self, client_flags: u32, server_challenge: &[u8; 8], filetime: u64) -> Vec<u8> {
        let flags = challenge_flags(client_flags);
        let n = &self.names;
        let target_info = message::write_av_pairs(&[
            (av::NB_DOMAIN_NAME, &utf16le(&n.nb_domain)),
            (av::NB_COMPUTER_NAME, &utf16le(&n.nb_computer)),
            (av::DNS_DOMAIN_NAME, &utf16le(&n.dns_domain)),
            (av::DNS_COMPUTER_NAME, &utf16le(&n.dns_computer)),
            (av::TIMESTAMP, &filetime.to_le_bytes()),
        ]);
        let target_name = if flags & flags::UNICODE != 0 {
            utf16le(&n.nb_domain)
        } else {
            n.nb_domain.as_bytes().to_vec()
        };
        message::challenge_message(flags, server_challenge, &target_name, &target_info)
    }

    /// Checks an AUTHENTICATE message against the handshake on its connection.
    fn verify(&self, hs: &Handshake, msg: &[u8]) -> Result<Verified, Rejection> {
        let auth = message::parse_authenticate(msg)?;
        if auth.user.is_empty() {
            return Err(Rejection::Anonymous);
        }
        if !same_name(&auth.user, &self.account.user)
            || !same_name(&auth.domain, &self.account.domain)
        {
            return Err(Rejection::UnknownAccount);
        }
        let v2 = message::parse_ntlm_v2(auth.nt_response)?;
        let response_key = ntowf_v2(&self.account.password, &auth.user, &auth.domain);
        let mut proof = hmac_md5(&response_key);
        proof.update(&hs.server_challenge);
        proof.update(v2.temp);
        proof
            .verify_slice(v2.proof)
            .map_err(|_| Rejection::WrongProof)?;
        let session_base_key = hmac_md5_of(&response_key, &[v2.proof]);
        let exported = exported_session_key(&auth, &session_base_key)?;
        let mic = check_mic(hs, msg, &auth, &v2.av_pairs, &exported)?;
        let channel_bindings = self.check_bindings(&v2.av_pairs)?;
        Ok(Verified {
            mic,
            channel_bindings,
        })
    }

    /// With Extended Protection: the client's `MsvAvChannelBindings` must be the ones of a
    /// TLS connection to our certificate. Missing or all-zero bindings (a client that knows
    /// of no TLS channel) are refused, as IIS does with Extended Protection "Required".
    fn check_bindings(&self, pairs: &[(u16, &[u8])]) -> Result<bool, Rejection> {
        let Some(expected) = self.bindings else {
            return Ok(false);
        };
        match message::av_value(pairs, av::CHANNEL_BINDINGS) {
            None => Err(Rejection::MissingChannelBindings),
            Some(v) if v.iter().all(|b| *b == 0) => Err(Rejection::MissingChannelBindings),
            Some(v) if v == expected => Ok(true),
            Some(_) => Err(Rejection::WrongChannelBindings),
        }
    }

    /// A fresh server challenge; `None` if the system's random source fails.
    fn server_challenge(&self) -> Option<[u8; 8]> {
        let mut c = [0u8; 8];
        self.random.fill(&mut c).ok()?;
        Some(c)
    }
}

/// The CHALLENGE's flags: what the client asked for among what a Windows server grants, plus
/// NTLM, TargetInfo and a domain target, which the server always sends.
fn challenge_flags(client: u32) -> u32 {
    const GRANTED: u32 = flags::REQUEST_TARGET
        | flags::SIGN
        | flags::SEAL
        | flags::ALWAYS_SIGN
        | flags::EXTENDED_SESSIONSECURITY
        | flags::VERSION
        | flags::NEGOTIATE_128
        | flags::KEY_EXCH
        | flags::NEGOTIATE_56;
    let charset = if client & flags::UNICODE != 0 {
        flags::UNICODE
    } else {
        flags::OEM
    };
    (client & GRANTED) | charset | flags::NTLM | flags::TARGET_INFO | flags::TARGET_TYPE_DOMAIN
}

/// User and domain names compare without regard to case, as Windows accounts do.
fn same_name(sent: &str, account: &str) -> bool {
    sent.to_lowercase() == account.to_lowercase()
}

/// The ExportedSessionKey, which keys the MIC ([MS-NLMP] section 3.2.5.1.2): NTLMv2's
/// KeyExchangeKey is the SessionBaseKey; with `NEGOTIATE_KEY_EXCH` the client sent its own
/// key RC4-encrypted under it. A client that set KEY_EXCH but sent no key (the spec's older
/// text asks for a key only with SIGN or SEAL) keeps the SessionBaseKey.
fn exported_session_key(
    auth: &message::Authenticate<'_>,
    session_base_key: &Key,
) -> Result<Key, Rejection> {
    if auth.flags & flags::KEY_EXCH == 0 || auth.encrypted_session_key.is_empty() {
        return Ok(*session_base_key);
    }
    rc4(session_base_key, auth.encrypted_session_key)
        .try_into()
        .map_err(|_| Rejection::Malformed("EncryptedRandomSessionKey is not 16 bytes"))
}

/// Checks the MIC if the client's `MsvAvFlags` say there is one: `HMAC_MD5(ExportedSessionKey,
/// NEGOTIATE ‖ CHALLENGE ‖ AUTHENTICATE with the MIC zeroed)`. `Ok(true)` when checked.
fn check_mic(
    hs: &Handshake,
    msg: &[u8],
    auth: &message::Authenticate<'_>,
    pairs: &[(u16, &[u8])],
    exported: &Key,
) -> Result<bool, Rejection> {
    let Some(av_flags) = message::av_value(pairs, av::FLAGS) else {
        return Ok(false);
    };
    let av_flags = message::u32_at(av_flags, 0).ok_or(Rejection::Malformed("MsvAvFlags"))?;
    if av_flags & message::AV_FLAG_MIC == 0 {
        return Ok(false);
    }
    let end = message::MIC_OFFSET + message::MIC_LEN;
    if auth.payload_start < end {
        return Err(Rejection::Malformed(
            "MIC announced, but the payload starts inside it",
        ));
    }
    let mic = msg
        .get(message::MIC_OFFSET..end)
        .ok_or(Rejection::Malformed("MIC"))?;
    let mut zeroed = msg.to_vec();
    if let Some(field) = zeroed.get_mut(message::MIC_OFFSET..end) {
        field.fill(0);
    }
    let mut mac = hmac_md5(exported);
    mac.update(&hs.negotiate);
    mac.update(&hs.challenge);
    mac.update(&zeroed);
    mac.verify_slice(mic).map_err(|_| Rejection::WrongMic)?;
    Ok(true)
}

/// `time` as a FILETIME: 100 ns ticks since 1601-01-01 UTC (MsvAvTimestamp's unit).
fn filetime(time: SystemTime) -> u64 {
    const UNIX_EPOCH_AS_FILETIME: u64 = 116_444_736_000_000_000;
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let ticks = u64::try_from(since.as_nanos() / 100).unwrap_or(u64::MAX);
    UNIX_EPOCH_AS_FILETIME.saturating_add(ticks)
}

/// The schemes a token may come in; the CHALLENGE goes back in the client's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Ntlm,
    Negotiate,
}

impl Scheme {
    fn name(self) -> &'static str {
        match self {
            Self::Ntlm => "NTLM",
            Self::Negotiate => "Negotiate",
        }
    }
}

/// The NTLM token of an `Authorization: NTLM …` or `Negotiate …` header: `None` without such
/// a header (no header, or Basic, Bearer …), `Some((scheme, None))` for a token that is not
/// base64.
fn authorization(headers: &HeaderMap) -> Option<(Scheme, Option<Vec<u8>>)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let scheme = if scheme.eq_ignore_ascii_case("NTLM") {
        Scheme::Ntlm
    } else if scheme.eq_ignore_ascii_case("Negotiate") {
        Scheme::Negotiate
    } else {
        return None;
    };
    Some((scheme, BASE64.decode(token.trim()).ok()))
}

/// Authenticates the request's connection. `None`: serve the request. `Some`: the 401 (or,
/// if no challenge can be drawn, 500) to answer instead; the request body is not read then.
pub(super) fn authenticate(
    shared: &Shared,
    server: &Server,
    conn: &Connection,
    headers: &HeaderMap,
) -> Option<Response> {
    let mut state = lock(&conn.auth);
    let Some((scheme, token)) = authorization(headers) else {
        if matches!(state.phase, Phase::Authenticated) {
            return None;
        }
        state.phase = Phase::Fresh;
        return Some(offer(shared));
    };
    let Some(token) = token else {
        return Some(refuse(
            shared,
            &mut state,
            Rejection::Malformed("token is not base64"),
        ));
    };
    match message::message_type(&token) {
        Some(message::NEGOTIATE) => Some(negotiate(shared, server, &mut state, scheme, token)),
        Some(message::AUTHENTICATE) => {
            let Phase::Challenged(hs) = std::mem::replace(&mut state.phase, Phase::Fresh) else {
                return Some(refuse(shared, &mut state, Rejection::NoChallenge));
            };
            match server.verify(&hs, &token) {
                Ok(verified) => {
                    tracing::debug!(peer = %state.peer, ?verified, "ews-sim: NTLM authenticated");
                    state.phase = Phase::Authenticated;
                    shared.count(|s| {
                        s.ntlm_authentications += 1;
                        s.ntlm_mics_verified += u64::from(verified.mic);
                        s.ntlm_channel_bindings_verified += u64::from(verified.channel_bindings);
                    });
                    None
                }
                Err(why) => Some(refuse(shared, &mut state, why)),
            }
        }
        _ => Some(refuse(
            shared,
            &mut state,
            Rejection::Malformed("not a NEGOTIATE or AUTHENTICATE message"),
        )),
    }
}

/// Answers a NEGOTIATE with a CHALLENGE (a 401) and remembers both on the connection. A
/// NEGOTIATE on an authenticated connection starts it over.
fn negotiate(
    shared: &Shared,
    server: &Server,
    state: &mut ConnAuth,
    scheme: Scheme,
    token: Vec<u8>,
) -> Response {
    let client_flags = match message::negotiate_flags(&token) {
        Ok(f) => f,
        Err(m) => return refuse(shared, state, m.into()),
    };
    let Some(server_challenge) = server.server_challenge() else {
        state.phase = Phase::Fresh;
        return (StatusCode::INTERNAL_SERVER_ERROR, "no random challenge").into_response();
    };
    let challenge = server.challenge(client_flags, &server_challenge, filetime(SystemTime::now()));
    let value = format!("{} {}", scheme.name(), BASE64.encode(&challenge));
    state.phase = Phase::Challenged(Handshake {
        negotiate: token,
        challenge,
        server_challenge,
    });
    shared.count(|s| s.unauthorized += 1);
    let mut r = StatusCode::UNAUTHORIZED.into_response();
    if let Ok(v) = HeaderValue::from_str(&value) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}

/// A refused token: counted, logged, the connection starts over, fresh offers.
fn refuse(shared: &Shared, state: &mut ConnAuth, why: Rejection) -> Response {
    tracing::debug!(peer = %state.peer, reason = %why, "ews-sim: NTLM refused");
    state.phase = Phase::Fresh;
    shared.count(|s| s.ntlm_failures += 1);
    offer(shared)
}

/// 401 offering both schemes, as IIS with Windows Authentication sends it.
fn offer(shared: &Shared) -> Response {
    shared.count(|s| s.unauthorized += 1);
    let mut r = (StatusCode::UNAUTHORIZED, "401 Unauthorized").into_response();
    for scheme in [Scheme::Negotiate, Scheme::Ntlm] {
        r.headers_mut().append(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(scheme.name()),
        );
    }
    r
}

#[cfg(test)]
mod tests;
