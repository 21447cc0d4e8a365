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

/// The fields of an options object (`undefined` or `null` for all defaults). Any field not in
/// `allowed` is refused, so a misspelt option never passes silently.
pub struct Fields<'a> {
    object: Option<&'a JsValue>,
    what: &'a str,
}

impl<'a> Fields<'a> {
    pub fn new(
        value: Option<&'a JsValue>,
        what: &'a str,
        allowed: &[&str],
    ) -> Result<Self, JsValue> {
        let Some(value) = value.filter(|v| !v.is_undefined() && !v.is_null()) else {
            return Ok(Self { object: None, what });
        };
        let Some(object) = value.dyn_ref::<Object>() else {
            return Err(error::invalid_type(&format!("{what} must be an object")));
        };
        for key in Object::keys(object) {
            let key = key.as_string().unwrap_or_default();
            if !allowed.contains(&key.as_str()) {
                return Err(error::out_of_range(&format!(
                    "{what}: unknown option `{key}`, expected one of {}",
                    allowed.join(", ")
                )));
            }
        }
        Ok(Self {
            object: Some(value),
            what,
        })
    }

    /// The field's value, `None` when absent or `undefined`.
    fn get(&self, name: &str) -> Result<Option<JsValue>, JsValue> {
        let Some(object) = self.object else {
            return Ok(None);
        };
        let value = Reflect::get(object, &JsValue::from_str(name))?;
        Ok((!value.is_undefined()).then_some(value))
    }

    /// A non-negative integer field.
    pub fn count(&self, name: &str) -> Result<Option<u64>, JsValue> {
        self.get(name)?
            .map(|v| count(&v, self.what, name))
            .transpose()
    }

    /// A string field (`null` counts as absent).
    pub fn string(&self, name: &str) -> Result<Option<String>, JsValue> {
        match self.get(name)? {
            None => Ok(None),
            Some(v) if v.is_null() => Ok(None),
            Some(v) => v.as_string().map(Some).ok_or_else(|| {
                error::invalid_type(&format!("{}: option `{name}` must be a string", self.what))
            }),
        }
    }

    /// An array-of-strings field; empty when absent.
    pub fn strings(&self, name: &str) -> Result<Vec<String>, JsValue> {
        match self.get(name)? {
            None => Ok(Vec::new()),
            Some(v) => strings(&v, &format!("{}: option `{name}`", self.what)),
        }
    }

    /// A boolean field; `false` when absent.
    pub fn flag(&self, name: &str) -> Result<bool, JsValue> {
        match self.get(name)? {
            None => Ok(false),
            Some(v) => v.as_bool().ok_or_else(|| {
                error::invalid_type(&format!("{}: option `{name}` must be a boolean", self.what))
            }),
        }
    }
}

/// A non-negative integer (up to 2^53, exact in a JS number).
pub fn count(value: &JsValue, what: &str, name: &str) -> Result<u64, JsValue> {
    match value.as_f64() {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_991.0 => Ok(n as u64),
        _ => Err(error::out_of_range(&format!(
            "{what}: `{name}` must be a non-negative integer"
        ))),
    }
}

/// An array of strings.
pub fn strings(value: &JsValue, what: &str) -> Result<Vec<String>, JsValue> {
    let bad = || error::invalid_type(&format!("{what} must be an array of strings"));
    let array = value.dyn_ref::<js_sys::Array>().ok_or_else(bad)?;
    array
        .iter()
        .map(|v| v.as_string().ok_or_else(bad))
        .collect()
}

/// A count as `usize`, saturating (a cap above the address space is no cap).
pub fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// A plain JS value (objects, arrays, `null` for `None`) from a core value: its canonical JSON
/// text read by the engine's own `JSON.parse`, so key order is exactly the canonical JSON's.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|e| error::conversion(&e.to_string()))?;
    js_sys::JSON::parse(&text)
}
