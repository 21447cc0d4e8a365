//! `parseNotification`: bytes in, the canonical JSON shape out as plain JS objects.

use napi::bindgen_prelude::JsObjectValue;
use napi::bindgen_prelude::{Function, Unknown};
use napi::{Env, JSON};
use napi_derive::napi;

use crate::error::to_js_error;
use crate::input::{Input, bytes};
use crate::options::ParseOptions;

/// Parses one EWS notification SOAP envelope (push `SendNotification`, `GetEventsResponse`,
/// `GetStreamingEventsResponse`, `SubscribeResponse`, `UnsubscribeResponse` or a SOAP fault).
///
/// Returns plain objects in the canonical JSON shape, so `JSON.stringify(result)` is the
/// canonical JSON byte for byte. The result is a copy: it does not keep `data` alive. A string
/// is read as its UTF-8 encoding, and error offsets count UTF-8 bytes.
///
/// Throws an `Error` with `code` (for example `"missing_element"`) and `offset` (byte index, or
/// `null`) when the bytes cannot be read. A SOAP fault is a result (`kind: "fault"`), not an
/// error.
#[napi(
    ts_args_type = "data: Buffer | Uint8Array | string, options?: ParseOptions",
    ts_return_type = "Envelope"
)]
pub fn parse_notification<'env>(
    env: &'env Env,
    data: Input<'_>,
    options: Option<ParseOptions>,
) -> napi::Result<Unknown<'env>> {
    let limits = ParseOptions::limits(options, env)?;
    let envelope = ews_notify::Parser::new()
        .limits(limits)
        .parse_notification(bytes(&data))
        .map_err(|e| to_js_error(env, &e))?;
    json_to_js(env, &envelope.to_json())
}

/// Turns canonical JSON text into JS values with the engine's own `JSON.parse`: one string
/// crossing the boundary instead of one N-API call per property, and key order kept.
pub fn json_to_js<'env>(env: &'env Env, json: &str) -> napi::Result<Unknown<'env>> {
    let global = env.get_global()?;
    let json_object: JSON<'_> = global.get_named_property_unchecked("JSON")?;
    let parse: Function<'_, &str, Unknown<'env>> =
        json_object.get_named_property_unchecked("parse")?;
    parse.call(json)
}
