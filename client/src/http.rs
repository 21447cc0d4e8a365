//! What one HTTP attempt gives back, whichever client made it: reqwest's pooled one (no
//! credentials, Basic, Bearer) or the NTLM connections of [`super::ntlm`]; and why an attempt
//! failed, which decides whether it is worth another.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use tokio::time::Instant;

use super::Error;
use super::ntlm::connection;

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

/// An HTTP answer whose body is still to be read.
pub(crate) enum Response {
    Pooled(reqwest::Response),
    /// An answer on an NTLM connection; reads stop at `deadline` (reqwest's own timeout
    /// covers the body of a pooled answer).
    Ntlm {
        response: connection::Response,
        deadline: Option<(Instant, Duration)>,
    },
}

impl Response {
    pub(crate) fn status(&self) -> u16 {
        match self {
            Self::Pooled(r) => r.status().as_u16(),
            Self::Ntlm { response, .. } => response.status(),
        }
    }

    pub(crate) fn headers(&self) -> &HeaderMap {
        match self {
            Self::Pooled(r) => r.headers(),
            Self::Ntlm { response, .. } => response.headers(),
        }
    }

    /// The next piece of the body; `None` at its end.
    pub(crate) async fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        match self {
            Self::Pooled(r) => r.chunk().await.map_err(|e| Error::network(error_chain(&e))),
            Self::Ntlm { response, deadline } => {
                let read = response.chunk();
                let result = match deadline {
                    Some((at, limit)) => tokio::time::timeout_at(*at, read)
                        .await
                        .map_err(|_| Error::Timeout(*limit))?,
                    None => read.await,
                };
                result.map_err(Failure::into_error)
            }
        }
    }

    /// The whole body.
    pub(crate) async fn bytes(mut self) -> Result<Vec<u8>, Error> {
        if let Self::Pooled(r) = self {
            return r
                .bytes()
                .await
                .map(|b| b.to_vec())
                .map_err(|e| Error::network(error_chain(&e)));
        }
        let mut body = Vec::new();
        while let Some(c) = self.chunk().await? {
            body.extend_from_slice(&c);
        }
        Ok(body)
    }
}

impl Failure {
    /// The transport error for a failure that is not tried again.
    pub(crate) fn into_error(self) -> Error {
        match self {
            Self::Timeout(d) => Error::Timeout(d),
            Self::Certificate(t) | Self::Network(t) => Error::Network(t),
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
