//! `repairPasted`.

use wasm_bindgen::prelude::*;

use crate::input;

/// Undoes the damage copying from a web page or an e-mail does to XML (no-break spaces and
/// similar characters inside tags and in the indentation between tags) and lists every change.
/// Offsets count UTF-8 bytes.
#[wasm_bindgen(js_name = repairPasted, unchecked_return_type = "Repair")]
pub fn repair_pasted(text: &str) -> Result<JsValue, JsValue> {
    input::to_js(&ews_notify::repair::repair_pasted(text))
}
