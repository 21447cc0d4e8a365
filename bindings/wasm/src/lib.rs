//! ews-notify for WebAssembly hosts (browsers, Deno, Node): the same function names and result
//! shapes as the Node package, so one vocabulary serves both.
//!
//! Every result is a plain object: the canonical JSON of the core types' `Serialize`, read by the
//! engine's own `JSON.parse` (as the Node package does), so `JSON.stringify(parseNotification(x))`
//! is the canonical JSON byte for byte, key order included. Inputs are copied into the
//! module's memory at the boundary; nothing returned borrows from them. Errors are thrown as
//! `Error`s with the core's stable `code` and the byte `offset` (or `null`).
//!
//! This crate only converts types and maps errors: every rule about EWS lives in `ews-notify`.

mod error;
mod goid;
mod input;
mod parse;
mod repair;
mod request;
mod streaming;

use wasm_bindgen::prelude::*;

// The TypeScript declarations of every value this package returns or accepts.
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");

/// The version of this package (the same as the `ews-notify` crate it wraps).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
