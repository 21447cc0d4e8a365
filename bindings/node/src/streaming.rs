//! Cutting a GetStreamingEvents HTTP body into envelopes, whole or chunk by chunk.

use napi::Env;
use napi::bindgen_prelude::{Array, BufferSlice};
use napi_derive::napi;

use crate::error::to_js_error;
use crate::input::{Input, bytes};
use crate::options::SplitterOptions;

/// Splits a whole streaming body already in memory into its envelopes' bytes (copies).
///
/// Throws an `Error` with `code` and `offset` (into `body`) when the body is not a sequence of
/// envelopes, including `unexpected_eof` when it ends inside one.
#[napi(
    ts_args_type = "body: Buffer | Uint8Array | string, options?: SplitterOptions",
    ts_return_type = "Array<Buffer>"
)]
pub fn split_envelopes<'env>(
    env: &'env Env,
    body: Input<'_>,
    options: Option<SplitterOptions>,
) -> napi::Result<Array<'env>> {
    let limits = SplitterOptions::limits(options, env)?;
    let parts = ews_notify::streaming::split_with_limits(bytes(&body), limits)
        .collect::<Result<Vec<&[u8]>, _>>()
        .map_err(|e| to_js_error(env, &e))?;
    buffers(env, parts)
}

/// A JS array of `Buffer` copies. The copies live in memory the JS engine owns and accounts
/// for, so the garbage collector sees their size (an external buffer over a Rust `Vec` would
/// hide it and let a long stream's memory grow before a collection runs).
fn buffers<'env, B: AsRef<[u8]>>(env: &'env Env, parts: Vec<B>) -> napi::Result<Array<'env>> {
    let mut array = env.create_array(u32::try_from(parts.len()).unwrap_or(u32::MAX))?;
    for (index, part) in (0u32..).zip(parts) {
        array.set(index, &BufferSlice::copy_from(env, part)?)?;
    }
    Ok(array)
}

/// Incremental splitter for a streaming body that arrives in chunks (a `Readable`, a fetch
/// body): `push` each chunk, get back the envelopes it completed, then call `finish` when the
/// body ends.
///
/// ```js
/// const splitter = new StreamSplitter()
/// for await (const chunk of response.body) {
///   for (const envelope of splitter.push(chunk)) handle(parseNotification(envelope))
/// }
/// splitter.finish()
/// ```
///
/// `push` returns each complete envelope's exact bytes as a `Buffer` (not parsed, so one bad
/// envelope never stops the stream, and the bytes can be logged or forwarded as they are).
/// A chunk may end anywhere, even inside a tag or a UTF-8 sequence. Errors carry `code` and
/// `offset` into the whole body; once one is thrown, every later call throws it again.
#[napi]
pub struct StreamSplitter {
    inner: ews_notify::streaming::StreamSplitter,
}

#[napi]
impl StreamSplitter {
    /// A splitter with the given caps (defaults: 16 MiB per envelope, 256 MiB per stream).
    #[napi(constructor)]
    pub fn new(env: Env, options: Option<SplitterOptions>) -> napi::Result<Self> {
        let limits = SplitterOptions::limits(options, &env)?;
        Ok(Self {
            inner: ews_notify::streaming::StreamSplitter::with_limits(limits),
        })
    }

    /// Adds the next chunk and returns the envelopes it completed, in order (often none).
    ///
    /// When the chunk holds bad bytes after some complete envelopes, those envelopes are
    /// returned first and the next call throws.
    #[napi(
        ts_args_type = "chunk: Buffer | Uint8Array | string",
        ts_return_type = "Array<Buffer>"
    )]
    pub fn push<'env>(&mut self, env: &'env Env, chunk: Input<'_>) -> napi::Result<Array<'env>> {
        let fed = self.inner.feed(bytes(&chunk));
        let mut out = Vec::new();
        loop {
            match self.inner.next_envelope() {
                Ok(Some(envelope)) => out.push(envelope),
                Ok(None) => break,
                Err(e) if out.is_empty() => return Err(to_js_error(env, &e)),
                // The splitter stays failed: the next call reports the error.
                Err(_) => break,
            }
        }
        match fed {
            Err(e) if out.is_empty() => Err(to_js_error(env, &e)),
            _ => buffers(env, out),
        }
    }

    /// Ends the body. Throws `unexpected_eof` when it stopped inside an envelope (or the
    /// error the splitter already failed with).
    #[napi]
    pub fn finish(&mut self, env: Env) -> napi::Result<()> {
        self.inner.finish().map_err(|e| to_js_error(&env, &e))
    }

    /// Bytes accepted so far.
    #[napi(getter)]
    pub fn bytes_seen(&self) -> f64 {
        self.inner.bytes_seen() as f64
    }

    /// Bytes held for the envelope in progress.
    #[napi(getter)]
    pub fn buffered(&self) -> f64 {
        self.inner.buffered() as f64
    }
}
