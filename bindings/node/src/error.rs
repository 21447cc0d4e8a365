//! Core errors as thrown JS `Error`s carrying `code` and `offset`.

use napi::bindgen_prelude::{JsObjectValue, JsValue};
use napi::bindgen_prelude::{Null, Unknown};
use napi::{Env, JsError, JsRangeError, Status};

/// Converts a core error into a JS `Error` whose `code` is the core's stable slug
/// ([`ews_notify::Error::code`]) and whose `offset` is the byte offset into the input (or
/// `null`). Returned as `Err`, napi throws that very object.
pub fn to_js_error(env: &Env, error: &ews_notify::Error) -> napi::Error {
    let message = error.to_string();
    let js = JsError::from(napi::Error::new(error.code(), message.clone())).into_unknown(*env);
    let offset = match error.offset() {
        // Offsets fit easily: inputs are capped far below 2^53 bytes.
        Some(offset) => with_property(env, js, "offset", offset as f64),
        None => with_property(env, js, "offset", Null),
    };
    offset.unwrap_or_else(|_| napi::Error::new(Status::GenericFailure, message))
}

/// A `RangeError` with Node's `ERR_OUT_OF_RANGE` code, for an option outside its domain.
pub fn out_of_range(env: &Env, name: &str, value: f64) -> napi::Error {
    let message = format!("option `{name}` must be a non-negative integer, got {value}");
    let js = JsRangeError::from(napi::Error::new("ERR_OUT_OF_RANGE", message)).into_unknown(*env);
    napi::Error::from(js)
}

fn with_property<V: napi::bindgen_prelude::ToNapiValue>(
    env: &Env,
    js: Unknown<'_>,
    name: &str,
    value: V,
) -> napi::Result<napi::Error> {
    let mut object = js.coerce_to_object()?;
    object.set_named_property(name, value)?;
    let _ = env;
    Ok(napi::Error::from(object.to_unknown()))
}
