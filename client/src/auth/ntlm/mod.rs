//! NTLM (NTLMv2) authentication, as on-premises Exchange offers it through IIS: the sans-IO
//! codec. It builds NEGOTIATE, reads CHALLENGE and answers with AUTHENTICATE ([`message`]),
//! with the spec's test vectors; it opens no connection.
//!
//! NTLM authenticates a *connection*, not a request, so the connections that carry these
//! messages are the HTTP layer's own ([`crate::http::ntlm`]).
//!
//! Over TLS the AUTHENTICATE message carries the channel bindings of the connection
//! ([`channel_binding`]), which Exchange requires when Extended Protection is on, and a MIC
//! whenever the server sends a timestamp (every Windows server does).

pub(crate) mod channel_binding;
pub(crate) mod message;

#[cfg(test)]
mod test_hex {
    //! The spec's test vectors are printed in hex, with spaces between groups.
    #![allow(clippy::unwrap_used)]

    pub(super) fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }
}

/// Why an NTLM exchange could not go on. Offsets are byte offsets into the decoded CHALLENGE
/// message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NtlmError {
    /// The CHALLENGE message is shorter than its fixed header.
    #[error("NTLM challenge is {len} bytes, shorter than the {need} of its header")]
    Truncated {
        /// Bytes needed.
        need: usize,
        /// Bytes received.
        len: usize,
    },
    /// The message does not start with `NTLMSSP\0`.
    #[error("NTLM challenge does not start with the NTLMSSP signature")]
    Signature,
    /// The message is not a CHALLENGE (type 2).
    #[error("NTLM message of type {found} where a challenge (type 2) was expected")]
    MessageType {
        /// The type found.
        found: u32,
    },
    /// A length/offset field points outside the message.
    #[error("NTLM challenge field `{field}` at byte {at} points outside the message")]
    FieldOutOfRange {
        /// The field's name in [MS-NLMP].
        field: &'static str,
        /// Offset of the field's descriptor.
        at: usize,
    },
    /// An AV pair of TargetInfo runs past its end, or `MsvAvEOL` is missing.
    #[error("NTLM challenge TargetInfo is malformed at byte {at}")]
    AvPair {
        /// Offset of the AV pair.
        at: usize,
    },
    /// The server does not offer Unicode strings.
    #[error("the NTLM server does not offer Unicode")]
    NoUnicode,
    /// The server sent no TargetInfo, so no NTLMv2 response can be made (NTLMv1 is refused).
    #[error(
        "the NTLM challenge has no TargetInfo: the server offers only NTLMv1, which is refused"
    )]
    NoTargetInfo,
    /// A user, domain or workstation name is too long for the message.
    #[error("an NTLM name is longer than the message allows")]
    TooLong,
}

impl NtlmError {
    /// Byte offset into the CHALLENGE message, where one applies.
    pub fn offset(&self) -> Option<usize> {
        match self {
            Self::FieldOutOfRange { at, .. } | Self::AvPair { at } => Some(*at),
            Self::Truncated { len, .. } => Some(*len),
            _ => None,
        }
    }
}

/// NTLM credentials: `DOMAIN\user` (or `user@domain.example`, a UPN, which the domain
/// controller resolves) and the password.
#[derive(Clone)]
pub(crate) struct Credentials {
    pub user: String,
    pub domain: String,
    pub password: String,
    /// The client's name in the AUTHENTICATE message (logged by the server; may be empty).
    pub workstation: String,
}

impl Credentials {
    /// Splits `DOMAIN\user`; a UPN or a bare user name keeps an empty domain.
    pub(crate) fn new(login: &str, password: String, workstation: String) -> Self {
        let (domain, user) = login.split_once('\\').unwrap_or(("", login));
        Self {
            user: user.to_string(),
            domain: domain.to_string(),
            password,
            workstation,
        }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("domain", &self.domain)
            .field("workstation", &self.workstation)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn a_login_splits_into_domain_and_user() {
        let c = Credentials::new(r"CONTOSO\svc-sync", "pw".into(), String::new());
        assert_eq!(
            (c.domain.as_str(), c.user.as_str()),
            ("CONTOSO", "svc-sync")
        );
        let c = Credentials::new("svc@contoso.example", "pw".into(), String::new());
        assert_eq!(
            (c.domain.as_str(), c.user.as_str()),
            ("", "svc@contoso.example")
        );
        assert!(
            !format!("{c:?}").contains("pw"),
            "the password is never printed"
        );
    }
}
