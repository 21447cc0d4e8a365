//! `StreamSplitter`: complete envelopes out of a GetStreamingEvents body fed in chunks.

use ews_notify::Limits;
use ews_notify::streaming;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::{error, input};

/// The limits a splitter options object asks for.
fn limits(options: Option<&JsValue>) -> Result<Limits, JsValue> {
    let fields = input::Fields::new(options, "options", &["maxBytes", "maxStreamBytes"])?;
    let default = Limits::default();
    Ok(Limits {
        max_bytes: fields
            .count("maxBytes")?
            .map_or(default.max_bytes, input::to_usize),
        max_stream_bytes: fields
            .count("maxStreamBytes")?
            .unwrap_or(default.max_stream_bytes),
        ..default
    })
}

/// Splits a whole streaming body already in memory into its envelopes' bytes (copies).
///
/// Throws an `Error` with `code` and `offset` (into `body`) when the body is not a sequence of
/// envelopes, including `unexpected_eof` when it ends inside one.
#[wasm_bindgen(js_name = splitEnvelopes, unchecked_return_type = "Uint8Array[]")]
pub fn split_envelopes(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] body: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "StreamSplitterOptions")] options: Option<
        JsValue,
    >,
) -> Result<Array, JsValue> {
    let limits = limits(options.as_ref())?;
    let bytes = input::bytes(&body, "body")?;
    let out = Array::new();
    for part in streaming::split_with_limits(&bytes, limits) {
        let part = part.map_err(|e| error::to_js_error(&e))?;
        out.push(&Uint8Array::from(part));
    }
    Ok(out)
}

/// Splits a GetStreamingEvents HTTP body, fed in chunks as they arrive, into complete SOAP
/// envelopes, in order. Each envelope is a copy of its bytes, ready for `parseNotification`.
#[wasm_bindgen(js_name = StreamSplitter)]
pub struct JsStreamSplitter {
    inner: streaming::StreamSplitter,
}

#[wasm_bindgen(js_class = StreamSplitter)]
impl JsStreamSplitter {
    /// A splitter with the default caps, or those given.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "StreamSplitterOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<JsStreamSplitter, JsValue> {
        Ok(Self {
            inner: streaming::StreamSplitter::with_limits(limits(options.as_ref())?),
        })
    }

    /// Adds the next chunk and returns the envelopes it completed, in order (often none).
    ///
    /// When the chunk holds bad bytes after some complete envelopes, those envelopes are
    /// returned first and the next call throws.
    #[wasm_bindgen(unchecked_return_type = "Uint8Array[]")]
    pub fn push(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] chunk: JsValue,
    ) -> Result<Array, JsValue> {
        let bytes = input::bytes(&chunk, "chunk")?;
        let fed = self.inner.feed(&bytes);
        let out = Array::new();
        loop {
            match self.inner.next_envelope() {
                Ok(Some(envelope)) => {
                    out.push(&Uint8Array::from(envelope.as_slice()));
                }
                Ok(None) => break,
                Err(e) if out.length() == 0 => return Err(error::to_js_error(&e)),
                // The splitter stays failed: the next call reports the error.
                Err(_) => break,
            }
        }
        match fed {
            Err(e) if out.length() == 0 => Err(error::to_js_error(&e)),
            _ => Ok(out),
        }
    }

    /// Ends the body. Throws `unexpected_eof` if a partial envelope remains.
    pub fn finish(&mut self) -> Result<(), JsValue> {
        self.inner.finish().map_err(|e| error::to_js_error(&e))
    }

    /// Bytes held for the envelope in progress.
    #[wasm_bindgen(getter)]
    pub fn buffered(&self) -> f64 {
        self.inner.buffered() as f64
    }

    /// Bytes accepted so far.
    #[wasm_bindgen(getter = bytesSeen)]
    pub fn bytes_seen(&self) -> f64 {
        // A body is capped at `maxStreamBytes`, far below 2^53.
        self.inner.bytes_seen() as f64
    }
}
