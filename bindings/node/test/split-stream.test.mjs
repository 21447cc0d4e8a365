// splitStream: envelopes as an async iterator, each as soon as it is complete.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { test } from 'node:test'

import { splitEnvelopes, splitStream } from 'ews-notify'
import { corpusDir } from './helpers.mjs'

const body = readFileSync(join(corpusDir, 'streaming', 'bodies', 'streaming_two_envelopes_then_closed.xml'))
const expected = splitEnvelopes(body)

async function collect(iterable) {
  const out = []
  for await (const envelope of iterable) out.push(envelope)
  return out
}

test('a Readable of odd-sized chunks gives splitEnvelopes envelopes', async () => {
  assert.ok(expected.length >= 2, 'corpus went missing')
  const chunks = []
  for (let i = 0; i < body.length; i += 7) chunks.push(body.subarray(i, i + 7))
  assert.deepEqual(await collect(splitStream(Readable.from(chunks))), expected)
})

test('a web ReadableStream (a fetch body) works too', async () => {
  const stream = new ReadableStream({
    start(controller) {
      controller.enqueue(new Uint8Array(body.subarray(0, 100)))
      controller.enqueue(new Uint8Array(body.subarray(100)))
      controller.close()
    },
  })
  assert.deepEqual(await collect(splitStream(stream)), expected)
})

test('an envelope is yielded before the body ends', async () => {
  const live = new PassThrough()
  const iterator = splitStream(live)[Symbol.asyncIterator]()
  live.write(expected[0])
  live.write(expected[1].subarray(0, 10))
  const first = await iterator.next()
  assert.deepEqual(first, { done: false, value: expected[0] })
  live.end(expected[1].subarray(10))
  assert.deepEqual((await iterator.next()).value, expected[1])
})

test('a cut body throws unexpected_eof after the complete envelopes', async () => {
  const cut = Buffer.concat([expected[0], expected[1].subarray(0, 20)])
  const seen = []
  await assert.rejects(async () => {
    for await (const envelope of splitStream(Readable.from([cut]))) seen.push(envelope)
  }, (error) => error.code === 'unexpected_eof' && error.offset === cut.length)
  assert.deepEqual(seen, [expected[0]])
  await assert.rejects(collect(splitStream(42)), TypeError)
})
