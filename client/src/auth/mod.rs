//! Credentials' codecs, without I/O: what goes into the `Authorization` header. The
//! connections that carry them are the HTTP layer's ([`crate::http`]).

pub(crate) mod ntlm;
