//! Why an HTTP attempt failed, which decides whether it is worth another.

use std::time::Duration;

use crate::Error;

/// Why one attempt failed.
pub(crate) enum Failure {
    /// No answer within the request's time (that time).
    Timeout(Duration),
    /// TLS refused the server's certificate: asking again cannot help.
    Certificate(String),
    /// The connection could not be made or broke: worth another attempt.
    Network(String),
    /// Anything else, final as it is (credentials refused, a request that cannot be built).
    Other(Error),
}

/// Sorts an error from the network stack into a [`Failure`].
pub(crate) fn classify(e: &(dyn std::error::Error + 'static)) -> Failure {
    let text = error_chain(e);
    if refused_certificate(e) {
        Failure::Certificate(text)
    } else {
        Failure::Network(text)
    }
}

impl Failure {
    /// The transport error for a failure that is not tried again.
    pub(crate) fn into_error(self) -> Error {
        match self {
            Self::Timeout(d) => Error::Timeout(d),
            Self::Certificate(t) => Error::Certificate(t),
            Self::Network(t) => Error::Network(t),
            Self::Other(e) => e,
        }
    }
}

/// Whether TLS refused the server's certificate somewhere in `e`'s chain of causes.
pub(crate) fn refused_certificate(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(e);
    while let Some(c) = cause {
        if let Some(tls) = c.downcast_ref::<rustls::Error>() {
            return matches!(
                tls,
                rustls::Error::InvalidCertificate(_)
                    | rustls::Error::NoCertificatesPresented
                    | rustls::Error::UnsupportedNameType
            );
        }
        // `io::Error::source` skips the error it wraps; look at that one too.
        if let Some(inner) = c
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            if refused_certificate(inner) {
                return true;
            }
        }
        cause = c.source();
    }
    false
}

/// `e` with its causes, `outer: inner: ...` (reqwest's own text says only "error sending
/// request").
pub(crate) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let s = c.to_string();
        if !text.contains(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        cause = c.source();
    }
    text
}
