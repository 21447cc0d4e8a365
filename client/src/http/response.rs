//! What one HTTP attempt gives back, whichever client made it: reqwest's pooled one (no
//! credentials, Basic, Bearer) or the NTLM connections of [`super::ntlm`].

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use tokio::time::Instant;

use super::failure::{Failure, error_chain};
use super::ntlm;
use crate::Error;

/// An HTTP answer whose body is still to be read.
pub(crate) enum Response {
    Pooled(reqwest::Response),
    /// An answer on an NTLM connection; reads stop at `deadline` (reqwest's own timeout
    /// covers the body of a pooled answer).
    Ntlm {
        response: ntlm::Response,
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
            Self::Pooled(r) => r.chunk().await.map_err(|e| {
                if e.is_timeout() {
                    Error::network(format!("body timed out: {}", error_chain(&e)))
                } else {
                    Error::network(error_chain(&e))
                }
            }),
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

    /// The whole body, refused with [`Error::TooLarge`] as soon as it passes `limit` bytes
    /// (a `Content-Length` over it is refused before any byte is read).
    pub(crate) async fn bytes(mut self, limit: usize) -> Result<Vec<u8>, Error> {
        let declared = self
            .headers()
            .get(reqwest::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(Error::TooLarge { limit });
        }
        let mut body = Vec::with_capacity(declared.map_or(0, |n| n as usize));
        while let Some(c) = self.chunk().await? {
            if body.len() + c.len() > limit {
                return Err(Error::TooLarge { limit });
            }
            body.extend_from_slice(&c);
        }
        Ok(body)
    }
}
