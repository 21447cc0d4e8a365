//! ews-notify for WebAssembly hosts (browsers, Node): the same names and result shapes as the
//! Node package, with results as plain objects in the canonical JSON shape.

use wasm_bindgen::prelude::*;

/// The version of this package.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
