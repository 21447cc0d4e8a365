'use strict'
// splitStream: the envelopes of a GetStreamingEvents body as an async iterator, each as soon as
// it is complete. Written in JavaScript over the addon's StreamSplitter.

const { StreamSplitter } = require('./index.js')

/**
 * Yields each SOAP envelope of a streaming body (the exact bytes, as a `Buffer`) as soon as its
 * last byte has arrived. `body` is anything that yields chunks: a Node `Readable`, a fetch
 * `response.body` (a web `ReadableStream`), or any async iterable of `Buffer`, `Uint8Array` or
 * `string`. Errors (a cut body, a limit) carry `code` and `offset` like every other error of
 * the package; envelopes before the bad byte are yielded first.
 *
 *     for await (const envelope of splitStream(response.body)) {
 *       handle(parseNotification(envelope))
 *     }
 */
async function* splitStream(body, options) {
  const splitter = new StreamSplitter(options)
  for await (const chunk of chunksOf(body)) {
    for (const envelope of splitter.push(chunk)) yield envelope
  }
  splitter.finish()
}

async function* chunksOf(body) {
  if (body != null && typeof body[Symbol.asyncIterator] === 'function') {
    yield* body
    return
  }
  if (body != null && typeof body.getReader === 'function') {
    const reader = body.getReader()
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) return
        yield value
      }
    } finally {
      reader.releaseLock()
    }
  }
  throw new TypeError('splitStream: body must be an async iterable or a ReadableStream')
}

module.exports = { splitStream }
