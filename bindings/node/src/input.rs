//! The bytes of a JS argument: a `Buffer`/`Uint8Array` (borrowed) or a string (UTF-8 copy).

use napi::bindgen_prelude::{Either, Uint8ArraySlice};

/// `Buffer | Uint8Array | string`.
pub type Input<'a> = Either<Uint8ArraySlice<'a>, String>;

/// The input's bytes. A string is the UTF-8 encoding of its text, so error offsets count UTF-8
/// bytes, not UTF-16 units.
pub fn bytes<'a>(input: &'a Input<'_>) -> &'a [u8] {
    match input {
        Either::A(slice) => slice,
        Either::B(text) => text.as_bytes(),
    }
}
