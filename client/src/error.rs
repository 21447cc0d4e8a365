//! The transport's error type.

use std::time::Duration;

/// Why a transport operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The connection could not be made or broke (DNS, TCP, TLS, a body cut short).
    #[error("network error: {0}")]
    Network(String),
    /// TLS refused the server's certificate (untrusted issuer, wrong name, expired): asking
    /// again cannot help, so it is never retried.
    #[error("network error: {0}")]
    Certificate(String),
    /// The server answered with an HTTP status the client does not handle.
    #[error("HTTP status {status}")]
    Status {
        /// The status code.
        status: u16,
    },
    /// No answer (or no streaming frame) within the time allowed.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// The answer could not be read; the core parser's error, unchanged.
    #[error("could not read the answer: {0}")]
    Parse(#[from] ews_notify::Error),
    /// The server answered with an EWS error the client cannot recover from by itself.
    #[error("EWS error {code}: {message}")]
    Ews {
        /// `ResponseCode`, e.g. `ErrorAccessDenied`.
        code: String,
        /// `MessageText`, when sent.
        message: String,
    },
    /// The token provider failed, or the server refused the fresh token too.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// The server's NTLM challenge could not be used (malformed, or NTLMv1 only).
    #[error("NTLM: {0}")]
    Ntlm(#[from] crate::NtlmError),
    /// The consumer dropped the stream; the loop stopped.
    #[error("the event stream was dropped")]
    Closed,
    /// An answer's body is larger than [`ClientBuilder::max_response_bytes`] allows (a broken
    /// server or proxy sending an endless body). Not tried again.
    ///
    /// [`ClientBuilder::max_response_bytes`]: crate::ClientBuilder::max_response_bytes
    #[error("the answer is over the limit of {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// The server kept answering without making progress (`IncludesLastItemInRange` false
    /// with an unchanged sync state) through every retry allowed.
    #[error("the server made no progress: {0}")]
    NoProgress(String),
}

impl Error {
    /// Whether asking again later may succeed: timeouts, broken connections, HTTP 408, 429
    /// and 5xx, and bodies that are not an EWS envelope (a proxy's error page, a body cut
    /// short). Credentials refused, a certificate refused, EWS errors and over-large answers
    /// are final.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Network(_) | Self::Timeout(_) | Self::Parse(_) | Self::NoProgress(_) => true,
            Self::Status { status } => matches!(status, 408 | 429 | 500..=599),
            Self::Ews { .. }
            | Self::Auth(_)
            | Self::Certificate(_)
            | Self::Ntlm(_)
            | Self::Closed
            | Self::TooLarge { .. } => false,
        }
    }

    pub(crate) fn network(e: impl std::fmt::Display) -> Self {
        Self::Network(e.to_string())
    }

    pub(crate) fn ews(code: &str, message: Option<&str>) -> Self {
        Self::Ews {
            code: code.to_string(),
            message: message.unwrap_or_default().to_string(),
        }
    }
}
