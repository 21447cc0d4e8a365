//! HTTP proxies for the connections the client opens itself (NTLM's). reqwest routes its own
//! requests; an NTLM connection must be one TCP connection from the client to the server, so
//! it goes through the proxy as an HTTP `CONNECT` tunnel, whatever the endpoint's scheme.
//! Through a tunnel TLS still runs end to end, so the channel bindings are the server's
//! certificate's, as Extended Protection wants.
//!
//! The proxy is the one given to [`ClientBuilder::proxy`](crate::ClientBuilder::proxy), or
//! else the one the environment names for the endpoint (`HTTPS_PROXY`, `HTTP_PROXY`,
//! `ALL_PROXY` and `NO_PROXY`, read as reqwest and curl read them), so both kinds of
//! connection take the same route.

use bytes::Bytes;
use http_body_util::Empty;
use hyper::header::{HOST, PROXY_AUTHORIZATION};
use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::failure::{Failure, classify};
use crate::Error;

/// The proxy an endpoint is reached through, if any.
#[derive(Clone)]
pub(crate) struct Route {
    proxy: Intercept,
    /// `scheme://host:port` of the endpoint, the port always written (the tunnel would
    /// otherwise assume 443).
    target: hyper::Uri,
}

impl Route {
    /// The route to `host:port` (an endpoint of `scheme`): through `explicit` when given, else
    /// through the environment's proxy for it; `None` when it is reached directly.
    pub(crate) fn find(
        explicit: Option<&str>,
        scheme: &str,
        host: &str,
        port: u16,
    ) -> Result<Option<Self>, Error> {
        let matcher = match explicit {
            Some(url) => Matcher::builder().all(url.to_string()).build(),
            None => Matcher::from_env(),
        };
        // An IPv6 literal is bracketed in a URI.
        let host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host.to_string()
        };
        let target: hyper::Uri = format!("{scheme}://{host}:{port}")
            .parse()
            .map_err(Error::network)?;
        let Some(proxy) = matcher.intercept(&target) else {
            return match explicit {
                Some(url) => Err(Error::Network(format!("unusable proxy URL {url}"))),
                None => Ok(None),
            };
        };
        if proxy.uri().scheme_str() != Some("http") {
            return Err(Error::Network(format!(
                "proxy {} is not an http:// proxy, the only kind NTLM connections can tunnel through",
                proxy.uri()
            )));
        }
        Ok(Some(Self { proxy, target }))
    }

    /// A connection to the endpoint through the proxy's `CONNECT` tunnel: hyper sends the
    /// `CONNECT` and hands back the connection once the proxy answers 2xx.
    pub(crate) async fn connect(&self) -> Result<TokioIo<hyper::upgrade::Upgraded>, Failure> {
        let proxy = self.proxy.uri();
        let host = proxy.host().unwrap_or_default().trim_matches(['[', ']']);
        let tcp = TcpStream::connect((host, proxy.port_u16().unwrap_or(80)))
            .await
            .map_err(|e| classify(&e))?;
        let _ = tcp.set_nodelay(true);
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
            .await
            .map_err(|e| classify(&e))?;
        tokio::spawn(conn.with_upgrades());
        let authority = self
            .target
            .authority()
            .map(ToString::to_string)
            .unwrap_or_default();
        let mut request = hyper::Request::connect(authority.as_str()).header(HOST, &authority);
        if let Some(auth) = self.proxy.basic_auth() {
            request = request.header(PROXY_AUTHORIZATION, auth.clone());
        }
        let request = request
            .body(Empty::<Bytes>::new())
            .map_err(|e| Failure::Other(Error::network(e)))?;
        let answer = sender
            .send_request(request)
            .await
            .map_err(|e| classify(&e))?;
        match answer.status().as_u16() {
            200..=299 => {}
            407 => {
                return Err(Failure::Other(Error::Auth(format!(
                    "the proxy {proxy} requires credentials (407)"
                ))));
            }
            // The proxy will not open a tunnel to this host or port: asking again cannot help.
            status => {
                return Err(Failure::Other(Error::Network(format!(
                    "the proxy {proxy} refused a tunnel to {authority} (HTTP {status})"
                ))));
            }
        }
        let upgraded = hyper::upgrade::on(answer).await.map_err(|e| classify(&e))?;
        Ok(TokioIo::new(upgraded))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn an_explicit_proxy_routes_every_endpoint() {
        let r = Route::find(
            Some("http://proxy.example:3128"),
            "https",
            "mail.example",
            443,
        )
        .unwrap()
        .unwrap();
        assert_eq!(r.proxy.uri(), "http://proxy.example:3128/");
        assert_eq!(r.target, "https://mail.example:443/");
        let r = Route::find(Some("http://proxy.example:3128"), "http", "::1", 80)
            .unwrap()
            .unwrap();
        assert_eq!(r.target, "http://[::1]:80/");
    }

    #[test]
    fn proxy_credentials_become_basic_proxy_authorization() {
        let r = Route::find(Some("http://u:p@proxy.example:3128"), "https", "mail", 443)
            .unwrap()
            .unwrap();
        assert_eq!(r.proxy.basic_auth().unwrap(), "Basic dTpw");
    }

    #[test]
    fn a_tls_or_socks_proxy_is_refused_with_its_reason() {
        for url in ["https://proxy.example:3128", "socks5://proxy.example:1080"] {
            let e = Route::find(Some(url), "https", "mail", 443).err().unwrap();
            assert!(e.to_string().contains("not an http:// proxy"), "{e}");
        }
    }
}
