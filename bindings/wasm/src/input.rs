//! Arguments from JS: bytes or text, and plain option objects.

use js_sys::{Object, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use crate::error;

/// The bytes of a `Uint8Array` (a Node `Buffer` is one) or the UTF-8 encoding of a string,
/// copied into the module's memory.
pub fn bytes(data: &JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    if let Some(text) = data.as_string() {
        return Ok(text.into_bytes());
    }
    match data.dyn_ref::<Uint8Array>() {
        Some(array) => Ok(array.to_vec()),
        None => Err(error::invalid_type(&format!(
            "{what} must be a Uint8Array or a string"
        ))),
    }
}

/// The fields of an options object (`undefined` or `null` for all defaults), read as
/// non-negative integers, in the order of `names`; `None` where a field is absent. Any other
/// field is refused, so a misspelt option never passes silently.
pub fn counts<const N: usize>(
    value: Option<&JsValue>,
    what: &str,
    names: [&str; N],
) -> Result<[Option<u64>; N], JsValue> {
    let mut out = [None; N];
    let Some(value) = value.filter(|v| !v.is_undefined() && !v.is_null()) else {
        return Ok(out);
    };
    let Some(object) = value.dyn_ref::<Object>() else {
        return Err(error::invalid_type(&format!("{what} must be an object")));
    };
    for key in Object::keys(object) {
        let key = key.as_string().unwrap_or_default();
        if !names.contains(&key.as_str()) {
            return Err(error::out_of_range(&format!(
                "{what}: unknown option `{key}`, expected one of {}",
                names.join(", ")
            )));
        }
    }
    for (slot, name) in out.iter_mut().zip(names) {
        let field = Reflect::get(value, &JsValue::from_str(name))?;
        if field.is_undefined() {
            continue;
        }
        match field.as_f64() {
            // Integers up to 2^53 are exact in a JS number.
            Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_992.0 => {
                *slot = Some(n as u64);
            }
            _ => {
                return Err(error::out_of_range(&format!(
                    "{what}: option `{name}` must be a non-negative integer"
                )));
            }
        }
    }
    Ok(out)
}

/// A count as `usize`, saturating (a cap above the address space is no cap).
pub fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// A plain JS value (objects, arrays, `null` for `None`) from a core value.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| error::conversion(&e))
}
