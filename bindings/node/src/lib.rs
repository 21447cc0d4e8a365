//! Node.js binding of ews-notify (napi-rs): parse EWS notification envelopes, split streaming
//! bodies, decode GlobalObjectIds and build EWS requests.
//!
//! This crate converts types and maps errors; every rule about EWS lives in the `ews-notify`
//! crate. Results are copies of the parsed values (plain JS objects in the canonical JSON shape).

// napi's generated glue registers exports through `unsafe` FFI calls; this crate writes no
// `unsafe` of its own.
#![allow(unsafe_code)]
// Under `cfg(test)` napi-derive registers nothing, so the exports look unused.
#![cfg_attr(test, allow(dead_code))]

mod error;
mod goid;
mod input;
mod meetings;
mod options;
mod parse;
mod request;
mod streaming;
