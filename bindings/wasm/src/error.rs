//! Core errors as thrown JS `Error`s with `code` and `offset`.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

/// A JS `Error` whose `message` is the core's `Display`, `code` its stable slug and `offset` the
/// byte offset into the input (or `null`).
pub fn to_js_error(error: &ews_notify::Error) -> JsValue {
    let offset = match error.offset() {
        // Offsets above 2^53 cannot occur: inputs are capped far below that.
        Some(offset) => JsValue::from_f64(offset as f64),
        None => JsValue::NULL,
    };
    with_code(
        js_sys::Error::new(&error.to_string()).into(),
        error.code(),
        offset,
    )
}

/// A JS `TypeError` for an argument of the wrong type, with Node's `ERR_INVALID_ARG_TYPE` code.
pub fn invalid_type(message: &str) -> JsValue {
    with_code(
        js_sys::TypeError::new(message).into(),
        "ERR_INVALID_ARG_TYPE",
        JsValue::NULL,
    )
}

/// A JS `RangeError` for an argument outside its domain, with Node's `ERR_OUT_OF_RANGE` code.
pub fn out_of_range(message: &str) -> JsValue {
    with_code(
        js_sys::RangeError::new(message).into(),
        "ERR_OUT_OF_RANGE",
        JsValue::NULL,
    )
}

/// A JS `Error` for a value that could not be converted to a JS value (cannot happen for the
/// core's types; kept typed all the same).
pub fn conversion(error: &str) -> JsValue {
    with_code(
        js_sys::Error::new(error).into(),
        "conversion_failed",
        JsValue::NULL,
    )
}

fn with_code(error: JsValue, code: &str, offset: JsValue) -> JsValue {
    // Setting a property on a fresh Error object cannot fail; if it ever did, the error is still
    // thrown, only without the property.
    let _ = Reflect::set(&error, &JsValue::from_str("code"), &JsValue::from_str(code));
    let _ = Reflect::set(&error, &JsValue::from_str("offset"), &offset);
    error
}
