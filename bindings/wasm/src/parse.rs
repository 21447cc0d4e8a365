//! `parseNotification`.

use ews_notify::{Limits, Parser};
use wasm_bindgen::prelude::*;

use crate::{error, input};

/// The limits an options object asks for; each absent field keeps the core default.
pub fn limits(options: Option<&JsValue>) -> Result<Limits, JsValue> {
    let fields = input::Fields::new(options, "options", &["maxBytes", "maxDepth", "maxEvents"])?;
    let default = Limits::default();
    Ok(Limits {
        max_bytes: fields
            .count("maxBytes")?
            .map_or(default.max_bytes, input::to_usize),
        max_depth: fields
            .count("maxDepth")?
            .map_or(default.max_depth, input::to_usize),
        max_events: fields
            .count("maxEvents")?
            .map_or(default.max_events, input::to_usize),
        ..default
    })
}

/// Parses one SOAP envelope (push, pull, streaming, subscribe, unsubscribe or a SOAP fault)
/// into a plain object in the canonical JSON shape.
///
/// A string is read as its UTF-8 encoding, and an error `offset` counts bytes of that encoding.
#[wasm_bindgen(js_name = parseNotification, unchecked_return_type = "Envelope")]
pub fn parse_notification(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] data: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ParseOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let limits = limits(options.as_ref())?;
    let bytes = input::bytes(&data, "data")?;
    let envelope = Parser::new()
        .limits(limits)
        .parse_notification(&bytes)
        .map_err(|e| error::to_js_error(&e))?;
    input::to_js(&envelope)
}
