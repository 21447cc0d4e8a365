//! The HTTP layer: what one attempt gives back and why it failed ([`response`], [`failure`]),
//! the connections NTLM needs of its own ([`ntlm`]), the proxies they tunnel through
//! ([`proxy`]), and the push listener's TLS ([`tls_listener`]).
//!
//! Arrows point one way: `failure` <- `proxy` <- `ntlm` <- `response`.

pub(crate) mod failure;
pub(crate) mod ntlm;
pub(crate) mod proxy;
pub(crate) mod response;
pub(crate) mod tls_listener;

pub use tls_listener::ListenerTls;
