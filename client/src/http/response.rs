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
